import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, expectError, newTenant } from '../helpers/api';
import { CLIENT_SECRET, connectionRow, countConnections, oauthTenant, tokenReply } from './fixtures';

afterEach(() => vi.restoreAllMocks());

describe('POST /connections (import)', () => {
  it('creates a connection that shows everything but its tokens', async () => {
    const t = await oauthTenant();
    const res = await t.importConnection({
      provider_metadata: { instance_url: 'https://acme.example' },
      metadata: { plan: 'pro' },
      tags: { env: 'prod' },
      account: { email: 'ada@acme.example', name: 'Ada L.' },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^con_/),
      integration_id: t.integrationId,
      offering_id: t.offeringId,
      link_id: null,
      end_user: { id: 'u-1', email: 'ada@example.com', display_name: 'Ada' },
      provider_account_id: 'acct-1',
      account: { email: 'ada@acme.example', name: 'Ada L.' },
      metadata: { plan: 'pro' },
      tags: { env: 'prod' },
      provider_metadata: { instance_url: 'https://acme.example' },
      scopes: ['read', 'write'],
      missing_scopes: [],
      status: 'active',
      expires_at: expect.any(String),
      last_refreshed_at: null,
      last_refresh_error: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    for (const path of [`/api/v1/connections/${res.json.id}`, '/api/v1/connections']) {
      const read = await call(path, { token: t.apiKey });
      expect(read.text).not.toContain('at-1');
      expect(read.text).not.toContain('rt-1');
    }
  });

  it('encrypts the tokens bound to their row and field', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    const row = (await connectionRow(id))!;
    expect(row.access_token_enc).toMatch(/^v1\.k2\./);
    expect(JSON.stringify(row)).not.toContain('at-1');
    expect(JSON.stringify(row)).not.toContain('rt-1');
  });

  it('updates the connection of the same account instead of adding one (200), keeping its refresh token', async () => {
    const t = await oauthTenant();
    const first = await t.importConnection({ expires_at: new Date(Date.now() - 60_000).toISOString() });
    t.provider.onRefresh = () => tokenReply({ error: 'invalid_grant' }, 400);
    expectError(await t.getToken(first.json.id), 409, 'connection_needs_reauth');
    const again = await t.importConnection({ access_token: 'at-2', refresh_token: undefined, expires_in: 60 });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: first.json.id, status: 'active', last_refresh_error: null });
    expect(await countConnections(t.orgId)).toBe(1);
    t.provider.onRefresh = () => tokenReply({ access_token: 'at-3', expires_in: 3600 });
    expect((await t.getToken(first.json.id)).json.access_token).toBe('at-3');
    expect(t.provider.refreshes().at(-1)!.get('refresh_token')).toBe('rt-1');
  });

  it('lists the scopes the integration asks for that the connection lacks', async () => {
    const t = await oauthTenant({ scopes: ['read', 'write', 'admin'] });
    const res = await t.importConnection({ scopes: ['read'] });
    expect(res.json).toMatchObject({ scopes: ['read'], missing_scopes: ['write', 'admin'] });
  });

  it("refuses another organization's integration", async () => {
    const t = await oauthTenant();
    const other = await newTenant('Other');
    const res = await call('/api/v1/connections', {
      method: 'POST',
      token: other.apiKey,
      body: { integration_id: t.integrationId, end_user: { id: 'u-1' }, provider_account_id: 'a', access_token: 'x' },
    });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([expect.objectContaining({ field: 'integration_id' })]);
    expect(await countConnections(other.orgId)).toBe(0);
    expect(await countConnections(t.orgId)).toBe(0);
  });
});

describe('bad import input stores nothing', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a malformed integration id', { integration_id: 'int-nope' }, 'integration_id'],
    ['an unknown field', { refresh_token_plain: 'x' }, 'refresh_token_plain'],
    ['a missing access token', { access_token: undefined }, 'access_token'],
    ['an expires_at that is not a timestamp', { expires_at: 'tomorrow', expires_in: undefined }, 'expires_at'],
    ['both expires_at and expires_in', { expires_at: '2030-01-01T00:00:00Z', expires_in: 60 }, 'expires_in'],
    ['a negative expires_in', { expires_in: -5 }, 'expires_in'],
    ['a scope with a space', { scopes: ['read write'] }, 'scopes.0'],
    ['an end user without an id', { end_user: { email: 'a@example.com' } }, 'end_user.id'],
    ['an unknown end-user field', { end_user: { id: 'u', role: 'admin' } }, 'end_user.role'],
    [
      'credentials for an OAuth integration',
      { access_token: undefined, refresh_token: undefined, expires_in: undefined, credentials: { api_key: 'k' } },
      'access_token',
    ],
    ['a reserved token type', { token_type: 'api_key' }, 'token_type'],
    ['an input the offering does not take', { inputs: { subdomain: 'acme' } }, 'inputs.subdomain'],
  ];
  for (const [what, patch, field] of cases) {
    it(`refuses ${what}`, async () => {
      const t = await oauthTenant();
      const res = await t.importConnection(patch);
      const error = expectError(res, 400, 'validation_failed');
      expect(error.details?.map((d) => d.field)).toContain(field);
      expect(await countConnections(t.orgId)).toBe(0);
    });
  }

  it('refuses an access token for an API-key integration, and credentials it does not take', async () => {
    const { apiKey, orgId } = await newTenant();
    const integration = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name: 'Stripe', offering_id: 'off_stripe' } });
    const base = { integration_id: integration.json.id, end_user: { id: 'u' }, provider_account_id: 'acct' };
    const withToken = await call('/api/v1/connections', { method: 'POST', token: apiKey, body: { ...base, access_token: 'sk_test' } });
    expect(expectError(withToken, 400, 'validation_failed').details?.map((d) => d.field)).toContain('credentials');
    const wrongKey = await call('/api/v1/connections', { method: 'POST', token: apiKey, body: { ...base, credentials: { secret: 'sk_test' } } });
    expect(expectError(wrongKey, 400, 'validation_failed').details?.map((d) => d.field)).toEqual(
      expect.arrayContaining(['credentials.secret', 'credentials.api_key']),
    );
    expect(await countConnections(orgId)).toBe(0);
  });

  it('refuses malformed JSON and a malformed id in the path', async () => {
    const t = await oauthTenant();
    expectError(
      await call('/api/v1/connections', { method: 'POST', token: t.apiKey, rawBody: '{', headers: { 'content-type': 'application/json' } }),
      400,
      'malformed_json',
    );
    expectError(await call('/api/v1/connections/con_!!', { token: t.apiKey }), 400, 'validation_failed');
    expect(await countConnections(t.orgId)).toBe(0);
  });
});

describe('GET /connections', () => {
  it('filters by integration, end user, status and link, and pages', async () => {
    const t = await oauthTenant();
    const a = await t.connect({ end_user: { id: 'u-1' }, provider_account_id: 'a' });
    const b = await t.connect({ end_user: { id: 'u-2' }, provider_account_id: 'b', expires_at: new Date(Date.now() - 1000).toISOString() });
    const stripe = await call('/api/v1/integrations', { method: 'POST', token: t.apiKey, body: { name: 'Stripe', offering_id: 'off_stripe' } });
    const c = (
      await call('/api/v1/connections', {
        method: 'POST',
        token: t.apiKey,
        body: { integration_id: stripe.json.id, end_user: { id: 'u-1' }, provider_account_id: 'acct_1', credentials: { api_key: 'sk_test_1' } },
      })
    ).json.id;
    t.provider.onRefresh = () => tokenReply({ error: 'invalid_grant' }, 400);
    await t.getToken(b);

    const ids = async (query: string) => (await call(`/api/v1/connections${query}`, { token: t.apiKey })).json.data.map((x: { id: string }) => x.id);
    expect(await ids('')).toEqual([c, b, a]);
    expect(await ids(`?integration_id=${t.integrationId}`)).toEqual([b, a]);
    expect(await ids('?end_user_id=u-1')).toEqual([c, a]);
    expect(await ids('?status=needs_reauth')).toEqual([b]);
    expect(await ids('?link_id=lnk_0000000000000000000000')).toEqual([]);

    const first = await call('/api/v1/connections?limit=2', { token: t.apiKey });
    expect(first.json.data).toHaveLength(2);
    const second = await call(`/api/v1/connections?limit=2&cursor=${first.json.next_cursor}`, { token: t.apiKey });
    expect(second.json).toMatchObject({ data: [{ id: a }], next_cursor: null });
  });

  it('refuses unknown filters and bad values', async () => {
    const t = await oauthTenant();
    expectError(await call('/api/v1/connections?owner=me', { token: t.apiKey }), 400, 'validation_failed');
    expectError(await call('/api/v1/connections?status=broken', { token: t.apiKey }), 400, 'validation_failed');
    expectError(await call('/api/v1/connections?integration_id=nope', { token: t.apiKey }), 400, 'validation_failed');
  });
});

describe('PATCH /connections/{id}', () => {
  it("changes the end user's email and display name, and nothing else", async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    const res = await call(`/api/v1/connections/${id}`, {
      method: 'PATCH',
      token: t.apiKey,
      body: { end_user: { email: 'new@example.com', display_name: null } },
    });
    expect(res.status).toBe(200);
    expect(res.json.end_user).toEqual({ id: 'u-1', email: 'new@example.com', display_name: null });
    const bad = await call(`/api/v1/connections/${id}`, { method: 'PATCH', token: t.apiKey, body: { end_user: { id: 'u-2' } } });
    expectError(bad, 400, 'validation_failed');
    const status = await call(`/api/v1/connections/${id}`, { method: 'PATCH', token: t.apiKey, body: { status: 'active' } });
    expectError(status, 400, 'validation_failed');
  });
});

describe('DELETE /connections/{id}', () => {
  it('revokes the grant at the provider (RFC 7009), then deletes', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    const res = await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id, deleted: true, revoked_at_provider: true });
    const [revocation] = t.provider.revocations();
    const form = new URLSearchParams(revocation!.body);
    expect(form.get('token')).toBe('rt-1');
    expect(form.get('token_type_hint')).toBe('refresh_token');
    expect(revocation!.headers.get('authorization')).toBe(`Basic ${btoa(`fake-client:${CLIENT_SECRET}`)}`);
    expectError(await call(`/api/v1/connections/${id}`, { token: t.apiKey }), 404, 'not_found');
    const events = await env.DB.prepare('SELECT type, payload FROM events WHERE org_id = ? ORDER BY created_at')
      .bind(t.orgId)
      .all<{ type: string; payload: string }>();
    expect(events.results.map((e) => e.type)).toEqual(['connection.created', 'connection.deleted']);
    expect(events.results.map((e) => e.payload).join()).not.toMatch(/at-1|rt-1/);
  });

  it('deletes even when the revocation fails, and says so', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    t.provider.onRevoke = () => new Response('oops', { status: 500 });
    const res = await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
    expect(res.json).toEqual({ id, deleted: true, revoked_at_provider: false });
    expect(await countConnections(t.orgId)).toBe(0);
  });

  for (const [what, envelope] of [
    ['whose key left the keyring', (enc: string) => enc.replace(/^v1\.[^.]+\./, 'v1.gone.')],
    ['whose envelope was tampered with', (enc: string) => `${enc.slice(0, -4)}${enc.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`],
  ] as const) {
    it(`deletes a connection ${what}, skipping revocation, and says why`, async () => {
      const t = await oauthTenant();
      const id = await t.connect();
      const row = (await connectionRow(id))!;
      await env.DB.prepare('UPDATE connections SET access_token_enc = ?, refresh_token_enc = ? WHERE id = ?')
        .bind(envelope(row.access_token_enc as string), envelope(row.refresh_token_enc as string), id)
        .run();
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const res = await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({ id, deleted: true, revoked_at_provider: false, revocation_skipped: 'undecryptable' });
      expect(t.provider.revocations()).toHaveLength(0);
      expect(await countConnections(t.orgId)).toBe(0);
      const logged = warn.mock.calls.map((args) => JSON.parse(String(args[0])));
      expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', connection_id: id, reason: 'undecryptable' }));
      expect(JSON.stringify(warn.mock.calls)).not.toContain(row.refresh_token_enc as string);
    });
  }

  it("deletes a connection whose integration's client secret no longer decrypts, skipping revocation", async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    await env.DB.prepare("UPDATE integrations SET client_secret_enc = replace(client_secret_enc, 'v1.k2.', 'v1.gone.') WHERE id = ?")
      .bind(t.integrationId)
      .run();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
    expect(res.json).toEqual({ id, deleted: true, revoked_at_provider: false, revocation_skipped: 'undecryptable' });
    expect(t.provider.revocations()).toHaveLength(0);
    expect(await countConnections(t.orgId)).toBe(0);
  });

  it('does not call the provider when the offering has no revocation URL', async () => {
    const t = await oauthTenant({ revocation: false });
    const id = await t.connect();
    const res = await call(`/api/v1/connections/${id}`, { method: 'DELETE', token: t.apiKey });
    expect(res.json).toEqual({ id, deleted: true, revoked_at_provider: false });
    expect(t.provider.revocations()).toHaveLength(0);
  });
});

describe("another organization's connection", () => {
  it('is a 404 on every route, and changes nothing', async () => {
    const t = await oauthTenant();
    const id = await t.connect({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const other = await newTenant('Other');
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/v1/connections/${id}`],
      ['PATCH', `/api/v1/connections/${id}`, { end_user: { email: 'x@example.com' } }],
      ['GET', `/api/v1/connections/${id}/token`],
      ['POST', `/api/v1/connections/${id}/refresh`],
      ['DELETE', `/api/v1/connections/${id}`],
    ];
    for (const [method, path, body] of routes) {
      expectError(await call(path, { method, token: other.apiKey, body }), 404, 'not_found');
    }
    expect((await call('/api/v1/connections', { token: other.apiKey })).json.data).toEqual([]);
    expect(t.provider.refreshes()).toHaveLength(0);
    expect(t.provider.revocations()).toHaveLength(0);
    const mine = await call(`/api/v1/connections/${id}`, { token: t.apiKey });
    expect(mine.json.end_user.email).toBe('ada@example.com');
  });

  it('needs an organization API key on every route', async () => {
    for (const path of ['/api/v1/connections', '/api/v1/connections/con_0000000000000000000000']) {
      expectError(await call(path), 401, 'unauthorized');
    }
  });
});

describe('OpenAPI', () => {
  it('documents every connection route', async () => {
    const doc = (await call('/openapi.json')).json;
    expect(doc.paths['/api/v1/connections']).toHaveProperty('get');
    expect(doc.paths['/api/v1/connections']).toHaveProperty('post');
    expect(Object.keys(doc.paths['/api/v1/connections/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(doc.paths['/api/v1/connections/{id}/token']).toHaveProperty('get');
    expect(doc.paths['/api/v1/connections/{id}/refresh']).toHaveProperty('post');
  });
});
