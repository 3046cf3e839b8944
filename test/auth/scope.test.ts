import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { WRITE_SCOPES } from '../../src/applications/scopes';
import type { Caller } from '../../src/auth/caller';
import { requireCaller, requireOrganization } from '../../src/auth/middleware';
import { requireScope } from '../../src/auth/scope';
import type { AppEnv } from '../../src/env';
import { ApiError } from '../../src/lib/errors';

const token = (...scopes: string[]): Caller => ({ kind: 'oauth', orgId: 'org_1', applicationId: 'app_1', userId: null, role: null, scopes });

/** Guards only: the caller is given, as `authenticate` would have resolved it. */
function probe(caller: Caller | null) {
  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set('caller', caller);
      await next();
    })
    .use('/org/*', requireOrganization)
    .get('/org/read', requireScope('integrations.read'), (c) => c.json({ ok: true }, 200))
    .post('/org/write', requireScope('integrations.write'), (c) => c.json({ ok: true }, 201))
    .get('/org/undeclared', (c) => c.json({ ok: true }, 200))
    .use('/any/*', requireCaller)
    .get('/any/read', requireScope('integrations.read'), (c) => c.json({ ok: true }, 200));
  app.onError((err, c) => {
    if (!(err instanceof ApiError)) throw err;
    return c.json({ code: err.code }, err.status, err.headers);
  });
  return async (path: string, method = 'GET') => {
    const res = await app.request(path, { method });
    const body = res.status === 404 || method === 'HEAD' ? null : ((await res.json()) as { code?: string });
    return { status: res.status, code: body?.code, challenge: res.headers.get('www-authenticate') };
  };
}

describe('requireScope', () => {
  it('lets an access token with the declared scope through', async () => {
    expect((await probe(token('integrations.read'))('/org/read')).status).toBe(200);
  });

  it('refuses an access token without it with 403 insufficient_scope, naming the scope', async () => {
    const res = await probe(token('integrations.read'))('/org/write', 'POST');
    expect(res).toEqual({ status: 403, code: 'insufficient_scope', challenge: 'Bearer error="insufficient_scope", scope="integrations.write"' });
  });

  it('counts all.full_access as every scope', async () => {
    const call = probe(token('all.full_access'));
    expect((await call('/org/read')).status).toBe(200);
    expect((await call('/org/write', 'POST')).status).toBe(201);
  });

  it('asks nothing of credentials that carry no scopes', async () => {
    const key: Caller = { kind: 'api_key', orgId: 'org_1', keyId: 'key_1' };
    expect((await probe(key)('/org/write', 'POST')).status).toBe(201);
    expect((await probe({ kind: 'operator' })('/any/read')).status).toBe(200);
  });

  it('holds a HEAD request to the scope of its GET route', async () => {
    expect((await probe(token('connections.read'))('/org/read', 'HEAD')).status).toBe(403);
    expect((await probe(token('integrations.read'))('/org/read', 'HEAD')).status).toBe(200);
  });

  it('is enforced on routes outside requireOrganization too', async () => {
    expect((await probe(token('connections.read'))('/any/read')).code).toBe('insufficient_scope');
  });
});

describe('an organization route that declares no scope', () => {
  it('fails closed: an access token needs all.full_access', async () => {
    const res = await probe(token('integrations.read', 'integrations.write'))('/org/undeclared');
    expect(res).toEqual({ status: 403, code: 'insufficient_scope', challenge: 'Bearer error="insufficient_scope", scope="all.full_access"' });
    expect((await probe(token('all.full_access'))('/org/undeclared')).status).toBe(200);
  });

  it('stays open to API keys', async () => {
    expect((await probe({ kind: 'api_key', orgId: 'org_1', keyId: 'key_1' })('/org/undeclared')).status).toBe(200);
  });

  it('leaves a path no route answers to the 404', async () => {
    expect((await probe(token('integrations.read'))('/org/nowhere')).status).toBe(404);
  });
});

describe('write scopes', () => {
  it('are the ones that change things, from the one scope catalog', () => {
    expect([...WRITE_SCOPES].sort()).toEqual(['all.full_access', 'integrations.write', 'links.write']);
  });
});
