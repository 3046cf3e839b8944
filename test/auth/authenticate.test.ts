import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { authenticateWith, type Credentials } from '../../src/auth/authenticate';
import type { Caller } from '../../src/auth/caller';
import { authenticateWithResource } from '../../src/auth/with-resource';
import type { AppEnv } from '../../src/env';
import { ApiError, unauthorized } from '../../src/lib/errors';

const keyCaller: Caller = { kind: 'api_key', orgId: 'org_1', keyId: 'key_1' };
const userCaller: Caller = { kind: 'user', userId: 'usr_1', orgId: 'org_1', role: 'owner' };

/** Verifiers that know one secret each, and record what they were asked. */
function fakeCredentials() {
  const asked: string[] = [];
  const credentials: Credentials = {
    apiKey: {
      prefix: 'key_',
      verify: async (secret) => {
        asked.push(`apiKey ${secret}`);
        return secret === 'key_good' ? keyCaller : null;
      },
      refused: () => unauthorized('unknown key'),
    },
    accessToken: {
      prefix: 'at_',
      verify: async (secret) => {
        asked.push(`accessToken ${secret}`);
        return null;
      },
      refused: () => unauthorized('unknown access token'),
    },
    session: {
      tokenOf: (c) => c.req.header('cookie')?.replace(/^session=/, ''),
      verify: async (secret) => {
        asked.push(`session ${secret}`);
        return secret === 'live' ? userCaller : null;
      },
      refused: () => unauthorized('session ended'),
    },
    operatorToken: async (secret) => {
      asked.push(`operator ${secret}`);
      return secret === 'admin' ? { kind: 'operator' } : null;
    },
  };
  return { credentials, asked };
}

function probe(credentials: Credentials, lookup = vi.fn(async () => null as { caller: Caller; resource: string | null } | null)) {
  const app = new Hono<AppEnv>()
    .use(authenticateWith(credentials))
    .get('/who', (c) => c.json({ caller: c.var.caller }, 200))
    .post('/who', (c) => c.json({ caller: c.var.caller }, 201))
    .get('/things/:id', authenticateWithResource(lookup), (c) => c.json({ caller: c.var.caller, resource: c.var.resource }, 200));
  app.onError((err, c) => {
    if (!(err instanceof ApiError)) throw err;
    return c.json({ code: err.code, message: err.message }, err.status);
  });
  const env = { PUBLIC_URL: 'http://127.0.0.1:8787' };
  return async (path: string, init: RequestInit = {}) => {
    const res = await app.request(path, init, env);
    return { status: res.status, json: (await res.json()) as any };
  };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('authenticateWith', () => {
  it('hands a bearer token to the verifier whose prefix it has, and to that one only', async () => {
    const { credentials, asked } = fakeCredentials();
    const res = await probe(credentials)('/who', bearer('key_good'));
    expect(res.json.caller).toEqual(keyCaller);
    expect(asked).toEqual(['apiKey key_good']);
  });

  it("answers a secret its verifier does not know with that credential's refusal", async () => {
    const { credentials } = fakeCredentials();
    expect((await probe(credentials)('/who', bearer('at_revoked'))).json).toEqual({ code: 'unauthorized', message: 'unknown access token' });
  });

  it('tries the operator verifier for a token no prefix claims, and refuses one it does not know', async () => {
    const { credentials, asked } = fakeCredentials();
    const call = probe(credentials);
    expect((await call('/who', bearer('admin'))).json.caller).toEqual({ kind: 'operator' });
    expect((await call('/who', bearer('guess'))).json).toEqual({ code: 'unauthorized', message: 'This bearer token is not valid.' });
    expect(asked).toEqual(['operator admin', 'operator guess']);
  });

  it('uses the session cookie only without an Authorization header', async () => {
    const { credentials, asked } = fakeCredentials();
    const call = probe(credentials);
    expect((await call('/who', { headers: { cookie: 'session=live' } })).json.caller).toEqual(userCaller);
    expect((await call('/who', { headers: { cookie: 'session=live', authorization: 'Bearer key_good' } })).json.caller).toEqual(keyCaller);
    expect((await call('/who', { headers: { cookie: 'session=gone' } })).json.message).toBe('session ended');
    expect(asked).toEqual(['session live', 'apiKey key_good', 'session gone']);
  });

  it('refuses a cross-site write with the cookie before the session verifier is asked', async () => {
    const { credentials, asked } = fakeCredentials();
    const res = await probe(credentials)('/who', { method: 'POST', headers: { cookie: 'session=live', 'sec-fetch-site': 'cross-site' } });
    expect(res.status).toBe(403);
    expect(asked).toEqual([]);
  });

  it('leaves the caller null when the request carries no credential', async () => {
    const { credentials } = fakeCredentials();
    expect((await probe(credentials)('/who')).json).toEqual({ caller: null });
  });
});

describe('authenticateWithResource', () => {
  it('takes the caller and the resource from one lookup, asking no other verifier', async () => {
    const { credentials, asked } = fakeCredentials();
    const lookup = vi.fn(async () => ({ caller: keyCaller, resource: 'thing 1' }));
    const res = await probe(credentials, lookup)('/things/t1', bearer('key_good'));
    expect(res.json).toEqual({ caller: keyCaller, resource: 'thing 1' });
    expect(lookup).toHaveBeenCalledWith('key_good', { id: 't1' }, expect.objectContaining({ now: expect.any(Number) }));
    expect(asked).toEqual([]);
  });

  it('says when the lookup knew the caller but found no resource', async () => {
    const { credentials } = fakeCredentials();
    const res = await probe(
      credentials,
      vi.fn(async () => ({ caller: keyCaller, resource: null })),
    )('/things/t1', bearer('key_good'));
    expect(res.json).toEqual({ caller: keyCaller, resource: null });
  });

  it('falls back to the ordinary verifiers when the lookup cannot settle the request', async () => {
    const { credentials, asked } = fakeCredentials();
    const call = probe(credentials);
    const res = await call('/things/t1', { headers: { cookie: 'session=live' } });
    expect(res.json).toEqual({ caller: userCaller });
    expect((await call('/things/t1', bearer('key_good'))).json).toEqual({ caller: keyCaller });
    expect(asked).toEqual(['session live', 'apiKey key_good']);
  });

  it("leaves a malformed Authorization header to the ordinary path's 401", async () => {
    const { credentials } = fakeCredentials();
    const res = await probe(credentials)('/things/t1', { headers: { authorization: 'Basic abc' } });
    expect(res.json).toEqual({ code: 'unauthorized', message: 'The Authorization header must be "Bearer <token>".' });
  });
});
