import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { appWithUser, basic, oauthPost } from '../oauth-server/fixtures';

afterEach(() => vi.restoreAllMocks());

const OFFERINGS = '/api/v1/offerings';

/** Integry's authorization as the API takes it: an organization's own OAuth 2.0 provider. */
const ownOffering = (overrides: Record<string, unknown> = {}) => ({
  name: 'Acme CRM',
  provider: 'acme-crm',
  auth_mode: 'oauth2',
  authorization_url: 'https://login.acme-crm.example.com/oauth/authorize',
  token_url: 'https://login.acme-crm.example.com/oauth/token',
  userinfo_url: 'https://api.acme-crm.example.com/me',
  default_scopes: ['contacts.read'],
  ...overrides,
});

const storedOfferings = async (orgId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM offerings WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

async function created(apiKey: string, overrides: Record<string, unknown> = {}) {
  const res = await call(OFFERINGS, { method: 'POST', token: apiKey, body: ownOffering(overrides) });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string } & Record<string, unknown>;
}

describe("POST /api/v1/offerings: an organization's own offering", () => {
  it('creates it with a random id, owned by the organization, listed for it alongside the catalog', async () => {
    const { apiKey, orgId } = await newTenant();
    const offering = await created(apiKey);
    expect(offering).toMatchObject({ source: 'custom', organization_id: orgId, enabled: true, name: 'Acme CRM', pkce: true });
    expect(offering.id).toMatch(/^off_[a-z0-9_]+$/);
    const list = await call(`${OFFERINGS}?limit=200`, { token: apiKey });
    const ids = list.json.data.map((o: { id: string }) => o.id);
    expect(ids).toContain(offering.id);
    expect(ids).toContain('off_salesforce');
    const catalogEntry = list.json.data.find((o: { id: string }) => o.id === 'off_salesforce');
    expect(catalogEntry).toMatchObject({ source: 'catalog', organization_id: null });
    expect((await call(`${OFFERINGS}/${offering.id}`, { token: apiKey })).json.id).toBe(offering.id);
  });

  it('refuses an id in the body: ids are made for organizations, so none can take one another wants', async () => {
    const { apiKey, orgId } = await newTenant();
    const error = expectError(await call(OFFERINGS, { method: 'POST', token: apiKey, body: ownOffering({ id: 'off_acme_crm' }) }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'body' }));
    expect(await storedOfferings(orgId)).toBe(0);
  });

  it.each([
    ['a private address', { token_url: 'https://10.0.0.7/oauth/token' }, 'token_url', /private or internal/],
    ['the cloud metadata address', { userinfo_url: 'https://169.254.169.254/latest/meta-data' }, 'userinfo_url', /private or internal/],
    ['a metadata name', { authorization_url: 'https://metadata.google.internal/authorize' }, 'authorization_url', /private or internal/],
    ['plain http to a public host', { token_url: 'http://login.acme-crm.example.com/oauth/token' }, 'token_url', /https/],
    ['a missing token endpoint', { token_url: undefined }, 'token_url', /required/],
    ['a missing authorization URI', { authorization_url: undefined }, 'authorization_url', /required/],
    ['an unknown scope separator', { scope_separator: '|' }, 'scope_separator', /./],
    ['a reserved authorization parameter', { authorization_params: { response_type: 'token' } }, 'authorization_params.response_type', /set by Edgelink/],
    ['the client id as a parameter', { authorization_params: { client_id: 'other' } }, 'authorization_params.client_id', /set by Edgelink/],
    ['a credential header', { userinfo_headers: { Authorization: 'Bearer x' } }, 'userinfo_headers.Authorization', /may not be set/],
  ])('refuses %s with the one error shape and stores nothing', async (_what, overrides, field, message) => {
    const { apiKey, orgId } = await newTenant();
    const res = await call(OFFERINGS, { method: 'POST', token: apiKey, body: ownOffering(overrides) });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toContainEqual({ location: 'body', field, message: expect.stringMatching(message) });
    expect(await storedOfferings(orgId)).toBe(0);
  });

  it('never lets an end user choose the host the client secret goes to', async () => {
    const { apiKey, orgId } = await newTenant();
    const inputs = [{ key: 'host', label: 'Your server', pattern: '^[a-z0-9.-]+$', source: 'end_user', example: 'crm.example.com' }];
    const res = await call(OFFERINGS, { method: 'POST', token: apiKey, body: ownOffering({ token_url: 'https://{host}/oauth/token', inputs }) });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toContainEqual({ location: 'body', field: 'token_url', message: expect.stringMatching(/lets the end user choose the host/) });
    expect(await storedOfferings(orgId)).toBe(0);
  });

  it('keeps allowing an end-user label under a fixed domain, as for Zendesk', async () => {
    const { apiKey } = await newTenant();
    const inputs = [{ key: 'subdomain', label: 'Subdomain', pattern: '^[a-z0-9-]+$', source: 'end_user', example: 'acme' }];
    await created(apiKey, { token_url: 'https://{subdomain}.acme-crm.example.com/oauth/token', inputs });
  });

  it('refuses a closed list of hosts when any one of them is a private address, not only the example', async () => {
    const { apiKey, orgId } = await newTenant();
    const inputs = [
      { key: 'region', label: 'Region', pattern: '^(?:eu\\.acme\\.example\\.com|169\\.254\\.169\\.254)$', source: 'end_user', example: 'eu.acme.example.com' },
    ];
    const res = await call(OFFERINGS, { method: 'POST', token: apiKey, body: ownOffering({ token_url: 'https://{region}/oauth/token', inputs }) });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toContainEqual({
      location: 'body',
      field: 'token_url',
      message: expect.stringMatching(/private or internal address when Region is "169.254.169.254"/),
    });
    expect(await storedOfferings(orgId)).toBe(0);
  });

  it('is refused to the operator token, which manages shared offerings under /admin/offerings', async () => {
    expectError(await asOperator(OFFERINGS, { method: 'POST', body: ownOffering() }), 403, 'forbidden');
  });

  it('needs the integrations.write scope from an access token', async () => {
    const f = await appWithUser({ scopes: ['integrations.read', 'offline_access'] });
    const tokenReply = await oauthPost(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'integrations.read' },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    const token = JSON.parse(tokenReply.text).access_token as string;
    expect((await call(OFFERINGS, { token })).status).toBe(200);
    const res = await call(OFFERINGS, { method: 'POST', token, body: ownOffering() });
    expectError(res, 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="integrations.write"');
  });
});

describe("another organization's offering", () => {
  it('is not found on GET, PATCH and DELETE, and not listed', async () => {
    const owner = await newTenant('Owner');
    const other = await newTenant('Other');
    const offering = await created(owner.apiKey);
    expectError(await call(`${OFFERINGS}/${offering.id}`, { token: other.apiKey }), 404, 'not_found');
    expectError(await call(`${OFFERINGS}/${offering.id}`, { method: 'PATCH', token: other.apiKey, body: { name: 'Mine now' } }), 404, 'not_found');
    expectError(await call(`${OFFERINGS}/${offering.id}`, { method: 'DELETE', token: other.apiKey }), 404, 'not_found');
    const list = await call(`${OFFERINGS}?limit=200`, { token: other.apiKey });
    expect(list.json.data.map((o: { id: string }) => o.id)).not.toContain(offering.id);
    expect((await call(`${OFFERINGS}/${offering.id}`, { token: owner.apiKey })).json.name).toBe('Acme CRM');
  });

  it('cannot get an integration: it reads exactly as an offering that does not exist', async () => {
    const owner = await newTenant('Owner');
    const other = await newTenant('Other');
    const offering = await created(owner.apiKey);
    const body = { name: 'Borrowed', offering_id: offering.id, client_id: 'c', client_secret: 's' };
    const res = await call('/api/v1/integrations', { method: 'POST', token: other.apiKey, body });
    const unknown = await call('/api/v1/integrations', { method: 'POST', token: other.apiKey, body: { ...body, offering_id: 'off_does_not_exist' } });
    const error = expectError(res, 400, 'validation_failed');
    expect(error.details).toEqual([{ location: 'body', field: 'offering_id', message: `no offering with id '${offering.id}'` }]);
    expect(expectError(unknown, 400, 'validation_failed').details?.[0]?.message).toBe("no offering with id 'off_does_not_exist'");
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM integrations WHERE org_id = ?').bind(other.orgId).first<{ n: number }>();
    expect(stored!.n).toBe(0);
  });

  it("is not the operator's either: the admin routes neither list nor change it", async () => {
    const owner = await newTenant('Owner');
    const offering = await created(owner.apiKey);
    const list = await asOperator(`${OFFERINGS}?limit=200`);
    expect(list.json.data.map((o: { id: string }) => o.id)).not.toContain(offering.id);
    expectError(await asOperator(`/api/v1/admin/offerings/${offering.id}`, { method: 'PATCH', body: { enabled: false } }), 404, 'not_found');
    expectError(await asOperator(`/api/v1/admin/offerings/${offering.id}`, { method: 'DELETE' }), 404, 'not_found');
  });
});

describe("an integration on the organization's own offering", () => {
  const serverInput = [{ key: 'server', label: 'Server', pattern: '^[a-z0-9.-]+$', source: 'integration', example: 'crm.example.com' }];

  it('refuses a server address of its own that is private, naming the input, and stores nothing', async () => {
    const { apiKey, orgId } = await newTenant();
    const offering = await created(apiKey, {
      authorization_url: 'https://{server}/oauth/authorize',
      token_url: 'https://{server}/oauth/token',
      inputs: serverInput,
    });
    const spy = stubProvider(() => oauthError('invalid_grant'));
    const body = { name: 'Own server', offering_id: offering.id, client_id: 'c', client_secret: 's', inputs: { server: '10.0.0.1' } };
    const error = expectError(await call('/api/v1/integrations', { method: 'POST', token: apiKey, body }), 400, 'validation_failed');
    expect(error.details).toContainEqual({
      location: 'body',
      field: 'inputs.server',
      message: expect.stringMatching(/token_url URL must not point at a private or internal address/),
    });
    expect(spy.seen).toHaveLength(0);
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM integrations WHERE org_id = ?').bind(orgId).first<{ n: number }>();
    expect(stored!.n).toBe(0);

    const ok = await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { ...body, inputs: { server: 'crm.acme.example.com' } } });
    expect(ok.status, ok.text).toBe(201);
    expect(spy.seen[0]?.url).toBe('https://crm.acme.example.com/oauth/token');
    const moved = await call(`/api/v1/integrations/${ok.json.id}`, { method: 'PATCH', token: apiKey, body: { inputs: { server: '192.168.1.1' } } });
    expect(expectError(moved, 400, 'validation_failed').details).toContainEqual(expect.objectContaining({ field: 'inputs.server' }));
    expect((await call(`/api/v1/integrations/${ok.json.id}`, { token: apiKey })).json.inputs).toEqual({ server: 'crm.acme.example.com' });
  });
});

describe('PATCH and DELETE /api/v1/offerings/{id}', () => {
  it("change the organization's own: a new token endpoint, or switched off (and still shown to it)", async () => {
    const { apiKey } = await newTenant();
    const offering = await created(apiKey);
    const renamed = await call(`${OFFERINGS}/${offering.id}`, {
      method: 'PATCH',
      token: apiKey,
      body: { token_url: 'https://auth2.acme-crm.example.com/token' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.json.token_url).toBe('https://auth2.acme-crm.example.com/token');
    const off = await call(`${OFFERINGS}/${offering.id}`, { method: 'PATCH', token: apiKey, body: { enabled: false } });
    expect(off.json.enabled).toBe(false);
    expect((await call(`${OFFERINGS}/${offering.id}`, { token: apiKey })).json.enabled).toBe(false);
  });

  it('refuse a private address on update and keep the offering as it was', async () => {
    const { apiKey } = await newTenant();
    const offering = await created(apiKey);
    const res = await call(`${OFFERINGS}/${offering.id}`, { method: 'PATCH', token: apiKey, body: { token_url: 'https://192.168.1.10/token' } });
    expect(expectError(res, 400, 'validation_failed').details).toContainEqual(expect.objectContaining({ field: 'token_url' }));
    expect((await call(`${OFFERINGS}/${offering.id}`, { token: apiKey })).json.token_url).toBe(offering.token_url);
  });

  it('refuse a catalog offering with 409 catalog_offering_read_only, switching it included', async () => {
    const { apiKey } = await newTenant();
    expectError(await call(`${OFFERINGS}/off_salesforce`, { method: 'PATCH', token: apiKey, body: { name: 'Mine' } }), 409, 'catalog_offering_read_only');
    expectError(await call(`${OFFERINGS}/off_salesforce`, { method: 'PATCH', token: apiKey, body: { enabled: false } }), 409, 'catalog_offering_read_only');
    expectError(await call(`${OFFERINGS}/off_salesforce`, { method: 'DELETE', token: apiKey }), 409, 'catalog_offering_read_only');
    expect((await call(`${OFFERINGS}/off_salesforce`, { token: apiKey })).json.enabled).toBe(true);
  });

  it("refuse the operator's shared offering with 409 shared_offering_read_only", async () => {
    const { apiKey } = await newTenant();
    const id = `off_shared_${Date.now().toString(36)}`;
    expect((await asOperator('/api/v1/admin/offerings', { method: 'POST', body: { ...ownOffering(), id } })).status).toBe(201);
    const shared = await call(`${OFFERINGS}/${id}`, { token: apiKey });
    expect(shared.json).toMatchObject({ source: 'custom', organization_id: null });
    expectError(await call(`${OFFERINGS}/${id}`, { method: 'PATCH', token: apiKey, body: { name: 'Mine' } }), 409, 'shared_offering_read_only');
    expectError(await call(`${OFFERINGS}/${id}`, { method: 'DELETE', token: apiKey }), 409, 'shared_offering_read_only');
    expect((await call(`${OFFERINGS}/${id}`, { token: apiKey })).json.name).toBe('Acme CRM');
  });

  it('delete one without integrations, and refuse one that integrations use with 409', async () => {
    const { apiKey } = await newTenant();
    const unused = await created(apiKey);
    expect((await call(`${OFFERINGS}/${unused.id}`, { method: 'DELETE', token: apiKey })).status).toBe(204);
    expectError(await call(`${OFFERINGS}/${unused.id}`, { token: apiKey }), 404, 'not_found');

    const used = await created(apiKey);
    stubProvider(() => oauthError('invalid_grant'));
    const integration = await call('/api/v1/integrations', {
      method: 'POST',
      token: apiKey,
      body: { name: 'Acme', offering_id: used.id, client_id: 'acme-client', client_secret: 'acme-secret' },
    });
    expect(integration.json).toMatchObject({ status: 'configured', offering_id: used.id });
    expectError(await call(`${OFFERINGS}/${used.id}`, { method: 'DELETE', token: apiKey }), 409, 'conflict');
    expect((await call(`${OFFERINGS}/${used.id}`, { token: apiKey })).status).toBe(200);
  });
});
