import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decrypt, parseKeyring } from '../../src/lib/crypto';
import { call, expectError, newTenant } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';

afterEach(() => vi.restoreAllMocks());

const SECRET = 'sf-consumer-secret-DO-NOT-LEAK-1234567890';

const salesforce = (overrides: Record<string, unknown> = {}) => ({
  name: 'Salesforce Production',
  offering_id: 'off_salesforce',
  client_id: '3MVG9-consumer-key',
  client_secret: SECRET,
  scopes: ['api', 'refresh_token'],
  ...overrides,
});

const countIntegrations = async (orgId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM integrations WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

describe('creating an integration', () => {
  it('verifies the credentials at the provider and becomes configured', async () => {
    const { apiKey } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^int_/),
      offering_id: 'off_salesforce',
      client_id: '3MVG9-consumer-key',
      has_client_secret: true,
      scopes: ['api', 'refresh_token'],
      status: 'configured',
      connectable: true,
      callback_url: 'http://127.0.0.1:8787/api/v1/oauth/callback',
      verification: { result: 'verified' },
    });
    expect(res.text).not.toContain(SECRET);
    expect(provider.seen).toHaveLength(1);
    expect(provider.seen[0]!.url).toBe('https://login.salesforce.com/services/oauth2/token');
    const form = new URLSearchParams(provider.seen[0]!.body);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('redirect_uri')).toBe('http://127.0.0.1:8787/api/v1/oauth/callback');
  });

  it('gives every integration the same callback URL', async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => oauthError('invalid_grant'));
    const a = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    const b = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce({ offering_id: 'off_salesforce_sandbox' }) });
    expect(a.json.callback_url).toBe(b.json.callback_url);
  });

  it('stays draft and says so when the provider refuses the client', async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => oauthError('invalid_client', 401));
    const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    expect(res.status).toBe(201);
    expect(res.json.status).toBe('draft');
    expect(res.json.connectable).toBe(false);
    expect(res.json.verification).toMatchObject({ result: 'invalid_credentials', provider_error: 'invalid_client' });
  });

  it('stays draft but connectable when the provider cannot tell', async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => new Response('<html>oops</html>', { status: 400, headers: { 'content-type': 'text/html' } }));
    const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    expect(res.json.status).toBe('draft');
    expect(res.json.verification).toMatchObject({ result: 'inconclusive', pending_first_connection: true });
    expect(res.json.connectable).toBe(true);
  });

  it('stays draft without calling the provider while credentials are missing', async () => {
    const { apiKey } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const res = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Later', offering_id: 'off_salesforce', client_id: 'abc' },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'draft', has_client_secret: false, verification: { result: 'incomplete' } });
    expect(res.json.verification.message).toContain('client_secret');
    expect(provider.seen).toHaveLength(0);
  });

  it("uses the offering's default scopes when none are given", async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => oauthError('invalid_grant'));
    const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce({ scopes: undefined }) });
    expect(res.json.scopes).toEqual(expect.arrayContaining(['api', 'refresh_token']));
  });

  it('is configured at once for an API-key offering: end users bring the keys', async () => {
    const { apiKey } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const res = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name: 'Stripe', offering_id: 'off_stripe' } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ status: 'configured', verification: { result: 'not_needed' } });
    expect(provider.seen).toHaveLength(0);
  });

  it('encrypts the secret bound to its row', async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => oauthError('invalid_grant'));
    const a = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    const b = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce({ client_secret: 'other' }) });
    const rows = await env.DB.prepare('SELECT id, client_secret_enc FROM integrations WHERE id IN (?, ?)')
      .bind(a.json.id, b.json.id)
      .all<{ id: string; client_secret_enc: string }>();
    const byId = Object.fromEntries(rows.results.map((r) => [r.id, r.client_secret_enc]));
    expect(JSON.stringify(rows.results)).not.toContain(SECRET);
    expect(byId[a.json.id]).toMatch(/^v1\.k2\./);
    const keyring = await parseKeyring(env.ENCRYPTION_KEYS);
    expect(await decrypt(keyring, byId[a.json.id]!, `integrations/${a.json.id}/client_secret`)).toBe(SECRET);
    // The same ciphertext pasted onto another row does not decrypt.
    await expect(decrypt(keyring, byId[a.json.id]!, `integrations/${b.json.id}/client_secret`)).rejects.toThrow();
  });

  it('never logs the secret', async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => oauthError('invalid_client', 401));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => lines.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a) => lines.push(a.join(' ')));
    const created = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    await call(`/api/v1/integrations/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { client_secret: `${SECRET}-2` } });
    await call(`/api/v1/integrations/${created.json.id}/verify`, { method: 'POST', token: apiKey });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});

describe('bad integration input stores nothing', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['an unknown offering', { offering_id: 'off_nope' }, 'offering_id'],
    ['a missing required scope', { scopes: ['api'] }, 'scopes'],
    ['a duplicate scope', { scopes: ['api', 'refresh_token', 'api'] }, 'scopes'],
    ['a scope with a space', { scopes: ['api', 'refresh_token', 'full access'] }, 'scopes'],
    ['an over-long name', { name: 'n'.repeat(101) }, 'name'],
    ['an unknown field', { client_secret_plain: 'x' }, 'client_secret_plain'],
    ['a wrongly typed scopes field', { scopes: 'api refresh_token' }, 'scopes'],
    ['an over-long client secret', { client_secret: 's'.repeat(2049) }, 'client_secret'],
    ['a reserved authorization parameter', { authorization_params: { redirect_uri: 'https://evil.example' } }, 'authorization_params.redirect_uri'],
    ['an input the offering does not take', { inputs: { subdomain: 'acme' } }, 'inputs.subdomain'],
    ['a My Domain that is not a Salesforce host', { inputs: { my_domain: 'evil.example.com' } }, 'inputs.my_domain'],
  ];

  it.each(cases)('refuses %s', async (_label, overrides, field) => {
    const { apiKey, orgId } = await newTenant();
    const provider = stubProvider(() => oauthError('invalid_grant'));
    const error = expectError(await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce(overrides) }), 400, 'validation_failed');
    expect(error.details?.map((d) => d.field)).toContain(field);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(await countIntegrations(orgId)).toBe(0);
    expect(provider.seen).toHaveLength(0);
  });

  it('refuses a scope containing the separator of a comma-separated offering', async () => {
    const { apiKey, orgId } = await newTenant();
    stubProvider(() => oauthError('invalid_grant'));
    const error = expectError(
      await call('/api/v1/integrations', {
        method: 'POST',
        token: apiKey,
        body: { name: 'Slack', offering_id: 'off_slack', client_id: 'a', client_secret: 'b', scopes: ['chat:write,channels:read'] },
      }),
      400,
      'validation_failed',
    );
    expect(error.details?.[0]?.field).toBe('scopes');
    expect(await countIntegrations(orgId)).toBe(0);
  });

  it('refuses client credentials on an API-key offering', async () => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(
      await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name: 'Stripe', offering_id: 'off_stripe', client_secret: 'x' } }),
      400,
      'validation_failed',
    );
    expect(error.details?.[0]?.field).toBe('client_secret');
    expect(await countIntegrations(orgId)).toBe(0);
  });

  it('refuses a client secret sent in a GET query, without echoing it', async () => {
    const { apiKey } = await newTenant();
    const res = await call(`/api/v1/integrations?client_secret=${SECRET}`, { token: apiKey });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details?.[0]?.field).toBe('client_secret');
    expect(res.text).not.toContain(SECRET);
  });
});

describe('reading, updating and deleting', () => {
  it("answers 404 for another organization's integration on every route", async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    stubProvider(() => oauthError('invalid_grant'));
    const theirs = await call('/api/v1/integrations', { method: 'POST', token: b.apiKey, body: salesforce() });
    const id = theirs.json.id;
    expectError(await call(`/api/v1/integrations/${id}`, { token: a.apiKey }), 404, 'not_found');
    expectError(await call(`/api/v1/integrations/${id}`, { method: 'PATCH', token: a.apiKey, body: { name: 'mine' } }), 404, 'not_found');
    expectError(await call(`/api/v1/integrations/${id}/verify`, { method: 'POST', token: a.apiKey }), 404, 'not_found');
    expectError(await call(`/api/v1/integrations/${id}`, { method: 'DELETE', token: a.apiKey }), 404, 'not_found');
    const still = await call(`/api/v1/integrations/${id}`, { token: b.apiKey });
    expect(still.json.name).toBe('Salesforce Production');
    expect((await call('/api/v1/integrations', { token: a.apiKey })).json.data).toEqual([]);
  });

  it('filters the list by offering, status and name', async () => {
    const { apiKey } = await newTenant();
    stubProvider((req) => (req.url.includes('test.salesforce.com') ? oauthError('invalid_client', 401) : oauthError('invalid_grant')));
    await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce({ name: 'Prod 100%' }) });
    await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce({ name: 'Sandbox', offering_id: 'off_salesforce_sandbox' }) });
    const names = async (q: string) => (await call(`/api/v1/integrations?${q}`, { token: apiKey })).json.data.map((i: any) => i.name);
    expect(await names('offering_id=off_salesforce_sandbox')).toEqual(['Sandbox']);
    expect(await names('status=configured')).toEqual(['Prod 100%']);
    expect(await names('status=draft')).toEqual(['Sandbox']);
    expect(await names('name=SAND')).toEqual(['Sandbox']);
    expect(await names('name=100%25')).toEqual(['Prod 100%']);
    expect(await names('name=_')).toEqual([]);
    expectError(await call('/api/v1/integrations?status=ready', { token: apiKey }), 400, 'validation_failed');
  });

  it('rotates the secret by PATCH and verifies again', async () => {
    const { apiKey } = await newTenant();
    let answer = 'invalid_grant';
    const provider = stubProvider(() => oauthError(answer, answer === 'invalid_client' ? 401 : 400));
    const created = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    expect(created.json.status).toBe('configured');

    answer = 'invalid_client';
    const rotated = await call(`/api/v1/integrations/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { client_secret: 'new-secret' } });
    expect(rotated.status).toBe(200);
    expect(rotated.json.status).toBe('draft');
    expect(provider.seen).toHaveLength(2);
    expect(new URLSearchParams(provider.seen[1]!.body).get('client_secret')).toBe('new-secret');

    const renamed = await call(`/api/v1/integrations/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { name: 'Renamed' } });
    expect(renamed.json).toMatchObject({ name: 'Renamed', status: 'draft' });
    expect(provider.seen).toHaveLength(2);
  });

  it('refuses a bad PATCH and keeps the integration as it was', async () => {
    const { apiKey } = await newTenant();
    stubProvider(() => oauthError('invalid_grant'));
    const created = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    expectError(await call(`/api/v1/integrations/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { scopes: ['web'] } }), 400, 'validation_failed');
    expectError(
      await call(`/api/v1/integrations/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { offering_id: 'off_google' } }),
      400,
      'validation_failed',
    );
    const after = await call(`/api/v1/integrations/${created.json.id}`, { token: apiKey });
    expect(after.json).toEqual(created.json);
  });

  it('refuses to delete an integration with connections unless cascade=true', async () => {
    const { apiKey, orgId } = await newTenant();
    stubProvider(() => oauthError('invalid_grant'));
    const created = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: salesforce() });
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO connections (id, org_id, integration_id, end_user_id, provider_account_id, metadata, scopes, status,
        access_token_enc, token_type, created_at, updated_at)
       VALUES (?, ?, ?, 'user-1', 'acct-1', '{}', '[]', 'active', 'v1.k2.x.y', 'Bearer', ?, ?)`,
    )
      .bind('con_test0000000000000000001', orgId, created.json.id, now, now)
      .run();

    const refused = expectError(await call(`/api/v1/integrations/${created.json.id}`, { method: 'DELETE', token: apiKey }), 409, 'conflict');
    expect(refused.message).toContain('cascade=true');
    expect((await call(`/api/v1/integrations/${created.json.id}`, { token: apiKey })).status).toBe(200);

    const deleted = await call(`/api/v1/integrations/${created.json.id}?cascade=true`, { method: 'DELETE', token: apiKey });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ deleted_connections: 1 });
    expectError(await call(`/api/v1/integrations/${created.json.id}`, { token: apiKey }), 404, 'not_found');
    const left = await env.DB.prepare('SELECT count(*) AS n FROM connections WHERE integration_id = ?').bind(created.json.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
    const events = await call('/api/v1/events?type=connection.deleted', { token: apiKey });
    expect(events.json.data.map((e: any) => e.payload.data)).toEqual([
      expect.objectContaining({ connection_id: 'con_test0000000000000000001', reason: 'integration_deleted' }),
    ]);
  });
});
