import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import { serveHot } from '../../src/hot-routes';
import worker from '../../src/index';
import { sha256Hex } from '../../src/lib/crypto';
import { buildRequest, call, type CallOptions } from '../helpers/api';
import { callWithFault, type FaultPlan, type FaultTiming, type FaultyCallResult } from '../helpers/fault-injection';
import { appWithUserIn, basic, clientCredentialsToken, oauthPost, tokensFor } from '../oauth-server/fixtures';
import { oauthTenant } from './fixtures';

afterEach(() => vi.restoreAllMocks());

/** The same request answered by the Worker (hot routes first) and by the app alone. */
async function both(path: string, token: string) {
  return bothWith(path, { token });
}

async function bothWith(path: string, options: CallOptions) {
  const answer = async (serve: (r: Request, ctx: ExecutionContext) => Promise<Response> | Response) => {
    const ctx = createExecutionContext();
    const res = await serve(buildRequest(path, options), ctx);
    const body = await res.text();
    await waitOnExecutionContext(ctx);
    const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== 'x-request-id'));
    return { status: res.status, body, headers, requestId: res.headers.get('x-request-id') };
  };
  const hot = await answer((r, ctx) => worker.fetch(r, env, ctx));
  const plain = await answer((r, ctx) => app.fetch(r, env, ctx));
  return { hot, plain };
}

describe('hot routes answer byte for byte as the app does', () => {
  it('the token route and GET connection with an API key, and every refusal left to the app', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_in: 3600 });
    for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`]) {
      const { hot, plain } = await both(path, t.apiKey);
      expect(hot.status).toBe(200);
      expect(hot.body).toBe(plain.body);
      expect(hot.headers).toEqual(plain.headers);
      expect(hot.requestId).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
    }
    const other = await oauthTenant();
    const cases: [string, string, number][] = [
      [`/api/v1/connections/${id}/token`, `${t.apiKey}x`, 401],
      [`/api/v1/connections/${id}/token`, other.apiKey, 404],
      [`/api/v1/connections/con_doesnotexist/token`, t.apiKey, 404],
      [`/api/v1/connections/${id}`, other.apiKey, 404],
    ];
    for (const [path, token, status] of cases) {
      const { hot, plain } = await both(path, token);
      expect(hot.status).toBe(status);
      expect(JSON.parse(hot.body).error.code).toBe(JSON.parse(plain.body).error.code);
    }
  });

  it('a token due for refresh is left to the app, which refreshes it', async () => {
    const t = await oauthTenant();
    t.provider.onRefresh = () => Response.json({ access_token: 'refreshed-access-token', token_type: 'Bearer', expires_in: 3600 });
    const id = await t.connect({ expires_in: 60 });
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBe('refreshed-access-token');
  });
});

/** Whether the Worker answered this request itself, before the app. */
async function answeredHot(path: string, token: string) {
  const ctx = createExecutionContext();
  const res = await serveHot(buildRequest(path, { token }), env, ctx);
  await res?.text();
  await waitOnExecutionContext(ctx);
  return res !== null;
}

/** The error code of an answer's body, or undefined when it is not the error shape. */
const codeOf = (body: string): unknown => {
  try {
    return JSON.parse(body).error?.code;
  } catch {
    return undefined;
  }
};

/** A tenant with a connection, and an application of its organization for elk_at_ tokens. */
async function tenantWithApp() {
  const t = await oauthTenant();
  const id = await t.connect({ expires_in: 3600 });
  const f = await appWithUserIn(t);
  return { t, id, f };
}

describe('hot routes with an elk_at_ access token answer as the app does', () => {
  it('answers both routes itself, byte for byte, for a user token and a client-credentials token with the scopes', async () => {
    const { id, f } = await tenantWithApp();
    const scope = 'connections.token connections.read';
    const tokens = [(await tokensFor(f, scope)).json.access_token as string, await clientCredentialsToken(f.app, scope)];
    for (const token of tokens) {
      for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`]) {
        expect(await answeredHot(path, token), path).toBe(true);
        const { hot, plain } = await both(path, token);
        expect(hot.status, path).toBe(200);
        expect(hot.body, path).toBe(plain.body);
        expect(hot.headers, path).toEqual(plain.headers);
        expect(hot.requestId, path).toMatch(/^req_[A-Za-z0-9_-]{16}$/);
      }
    }
  });

  it("answers each route for a token with that route's scope alone, and leaves the other's 403 insufficient_scope to the app", async () => {
    const { id, f } = await tenantWithApp();
    const cases = [
      { scope: 'connections.token', allowed: `/api/v1/connections/${id}/token`, refused: `/api/v1/connections/${id}` },
      { scope: 'connections.read', allowed: `/api/v1/connections/${id}`, refused: `/api/v1/connections/${id}/token` },
    ];
    for (const { scope, allowed, refused } of cases) {
      const token = await clientCredentialsToken(f.app, scope);
      expect(await answeredHot(allowed, token), scope).toBe(true);
      const ok = await both(allowed, token);
      expect(ok.hot.status, scope).toBe(200);
      expect(ok.hot.body, scope).toBe(ok.plain.body);

      expect(await answeredHot(refused, token), scope).toBe(false);
      const { hot, plain } = await both(refused, token);
      expect(hot.status, scope).toBe(403);
      expect(codeOf(hot.body), scope).toBe('insufficient_scope');
      expect(codeOf(hot.body), scope).toBe(codeOf(plain.body));
      expect(hot.headers['www-authenticate'], scope).toBe(plain.headers['www-authenticate']);
    }
  });

  it('leaves an expired or a revoked token to the app: 401 unauthorized, as the app answers', async () => {
    const { id, f } = await tenantWithApp();
    const expired = await clientCredentialsToken(f.app, 'connections.token connections.read');
    await env.DB.prepare('UPDATE oauth_tokens SET expires_at = ? WHERE token_hash = ?')
      .bind(Date.now() - 1, await sha256Hex(expired))
      .run();
    const revoked = await clientCredentialsToken(f.app, 'connections.token connections.read');
    const res = await oauthPost('/oauth/revoke', { token: revoked }, { authorization: basic(f.app.client_id, f.app.client_secret) });
    expect(res.status).toBe(200);
    for (const token of [expired, revoked]) {
      for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`]) {
        expect(await answeredHot(path, token), path).toBe(false);
        const { hot, plain } = await both(path, token);
        expect(hot.status, path).toBe(401);
        expect(codeOf(hot.body), path).toBe('unauthorized');
        expect(codeOf(hot.body), path).toBe(codeOf(plain.body));
        expect(hot.headers['www-authenticate'], path).toBe(plain.headers['www-authenticate']);
      }
    }
  });
});

describe('malformed requests get from the Worker what the app answers', () => {
  /** Same status as the app, and the same body for a 200 or the same error code otherwise. */
  async function expectSameAnswer(path: string, options: CallOptions, label: string) {
    const { hot, plain } = await bothWith(path, options);
    expect(hot.status, label).toBe(plain.status);
    if (hot.status === 200) expect(hot.body, label).toBe(plain.body);
    else {
      expect(codeOf(hot.body), label).toEqual(expect.any(String));
      expect(codeOf(hot.body), label).toBe(codeOf(plain.body));
    }
    return hot.status;
  }

  it('malformed Authorization headers, with an API key and with an access token', async () => {
    const { t, id, f } = await tenantWithApp();
    const accessToken = await clientCredentialsToken(f.app, 'connections.token connections.read');
    for (const secret of [t.apiKey, accessToken]) {
      const headers: [string, string][] = [
        ['Bearer alone', 'Bearer'],
        ['a lowercase scheme', `bearer ${secret}`],
        ['two spaces', `Bearer  ${secret}`],
        ['a tab for the space', `Bearer\t${secret}`],
        ['a prefix no credential has', `Bearer elk_xx_${secret.slice(7)}`],
        ['an overlong token', `Bearer ${secret}${'a'.repeat(520)}`],
        ['a token and another word', `Bearer ${secret} extra`],
        ['another scheme', `Basic ${btoa(`${secret}:`)}`],
      ];
      const statuses: Record<string, number> = {};
      for (const path of [`/api/v1/connections/${id}/token`, `/api/v1/connections/${id}`]) {
        for (const [label, authorization] of headers) {
          statuses[label] = await expectSameAnswer(path, { headers: { authorization } }, `${label} on ${path}`);
        }
      }
      // The regex both read the header with (authenticate.ts's BEARER) takes any case and spaces, nothing else.
      expect(statuses).toEqual({
        'Bearer alone': 401,
        'a lowercase scheme': 200,
        'two spaces': 200,
        'a tab for the space': 401,
        'a prefix no credential has': 401,
        'an overlong token': 401,
        'a token and another word': 401,
        'another scheme': 401,
      });
    }
  });

  it('malformed paths: a trailing slash, a query, encoded characters, an extra segment, another case', async () => {
    const { t, id } = await tenantWithApp();
    const paths = [
      `/api/v1/connections/${id}/token/`,
      `/api/v1/connections/${id}/`,
      `/api/v1/connections/${id}/token?x=1`,
      `/api/v1/connections/${id}?x=1`,
      `/api/v1/connections/${id.replace('_', '%5F')}/token`,
      `/api/v1/connections/${id.replace('_', '%5F')}`,
      `/api/v1/connections/${id}%2Ftoken`,
      `/api/v1/connections/${id}/token/extra`,
      `/api/v1/connections/${id}/extra`,
      `/api/v1/connections/${id.toUpperCase()}/token`,
      `/api/v1/connections//${id}/token`,
    ];
    for (const path of paths) await expectSameAnswer(path, { token: t.apiKey }, path);
    expect(await answeredHot(`/api/v1/connections/${id}/token/`, t.apiKey)).toBe(false);
  });
});

// Every D1 call a hot token-route request makes fails in turn, before it ran and after: the
// caller gets the right token or the one error shape, and the next request gets its token.
// A failed hot statement leaves the request to the app, so the app's own calls are walked too,
// each failing after the hot one did. Each call is the answer's or background work (waitUntil),
// whose failure the caller never sees.
describe('the hot token route under D1 faults', () => {
  type Tenant = Awaited<ReturnType<typeof tenantWithApp>>;
  type Call = 'answer' | 'background';
  const TIMINGS: FaultTiming[] = ['before', 'after'];

  /** The right token, byte for byte, or `{error:{code,message,request_id}}` with a 5xx; never anything else. */
  function expectTokenOrCleanError(res: FaultyCallResult, expected: string, label: string) {
    if (res.status === 200) {
      expect(res.text, label).toBe(expected);
      return;
    }
    expect(res.status, `${label}: ${res.text}`).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
    expect(Object.keys(res.json ?? {}), label).toEqual(['error']);
    expect(res.json.error, label).toMatchObject({ code: expect.any(String), message: expect.any(String), request_id: expect.any(String) });
  }

  const walks: { name: string; hot: Call[]; app: Call[]; secret: (t: Tenant) => Promise<string>; before: (t: Tenant) => Promise<unknown> }[] = [
    {
      name: 'an API key',
      // The joined statement, then the key's last-use stamp; the app: the key with the connection, then the stamp.
      hot: ['answer', 'background'],
      app: ['answer', 'background'],
      secret: async (t) => t.t.apiKey,
      // A stamp is due on every request, so each walk reaches it.
      before: (t) => env.DB.prepare('UPDATE api_keys SET last_used_at = NULL WHERE id = ?').bind(t.t.keyId).run(),
    },
    {
      name: 'an elk_at_ access token',
      // The joined statement alone; the app: the token, then the connection.
      hot: ['answer'],
      app: ['answer', 'answer'],
      secret: (t) => clientCredentialsToken(t.f.app, 'connections.token'),
      before: async () => {},
    },
  ];

  it.each(walks)(
    'fails each D1 call of a request with $name, and of the app answering it instead',
    async ({ hot, app: fallback, secret: secretOf, before }) => {
      vi.spyOn(console, 'error').mockImplementation(() => {});
      vi.spyOn(console, 'log').mockImplementation(() => {});
      const tenant = await tenantWithApp();
      const secret = await secretOf(tenant);
      const path = `/api/v1/connections/${tenant.id}/token`;
      const expected = await call(path, { token: secret });
      expect(expected.status).toBe(200);
      expect(expected.json).toMatchObject({ connection_id: tenant.id, access_token: 'at-1' });

      const attempt = async (plan: FaultPlan) => {
        await before(tenant);
        return callWithFault(path, plan, { token: secret });
      };
      const clean = await attempt({ failAt: null });
      expect(clean.status).toBe(200);
      expect(clean.text).toBe(expected.text);
      // The hot statement runs in a D1 session (withSession(...).prepare), which the harness sees too.
      expect(clean.d1Calls).toBe(hot.length);
      // Its failure leaves the request to the app, which makes its own calls and answers the token.
      const fallen = await attempt({ failAt: 1 });
      expect(fallen.d1Calls).toBe(1 + fallback.length);
      expect(fallen.text).toBe(expected.text);

      // What each failing call costs the caller: nothing (the app stands in, or it was background work), or a 500.
      // Background work never rejects: a last-use stamp that fails is logged and left to the next use.
      const cases: { plan: FaultPlan; status: number; backgroundFailures: number }[] = [];
      for (const timing of TIMINGS) {
        for (const i of hot.keys()) {
          cases.push({ plan: { failAt: i + 1, timing }, status: 200, backgroundFailures: 0 });
        }
        for (const [i, kind] of fallback.entries()) {
          const status = kind === 'answer' ? 500 : 200;
          cases.push({ plan: { failAt: 1, alsoAt: [i + 2], timing }, status, backgroundFailures: 0 });
        }
      }
      for (const { plan, status, backgroundFailures } of cases) {
        const label = JSON.stringify(plan);
        const failed = await attempt(plan);
        expect(failed.struck, label).toBe(true);
        expectTokenOrCleanError(failed, expected.text, label);
        expect(failed.status, label).toBe(status);
        expect(failed.backgroundFailures, label).toBe(backgroundFailures);
        const next = await attempt({ failAt: null });
        expect(next.status, label).toBe(200);
        expect(next.text, label).toBe(expected.text);
      }
    },
  );
});
