import { describe, expect, it } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';

const ADMIN = '/api/v1/admin/offerings';

/** A fresh custom offering id: storage is shared within this file. */
const freshId = () => `off_t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** An Integry-style custom offering: authorization URI with its own query params, and so on. */
function integryStyle(id = freshId()) {
  return {
    id,
    name: 'Acme CRM',
    provider: 'acme',
    auth_mode: 'oauth2',
    authorization_url: 'https://auth.acme.example/oauth/authorize?audience=api.acme.example&prompt=consent',
    token_url: 'https://auth.acme.example/oauth/token',
    userinfo_url: 'https://api.acme.example/v1/me',
    scope_separator: ',',
    default_scopes: ['contacts.read', 'deals.write'],
    token_auth_method: 'client_secret_basic',
    pkce: false,
  };
}

/** A custom offering whose token endpoint is a closed loopback port: integrations on it stay draft. */
function loopbackOffering(id = freshId()) {
  return {
    id,
    name: 'Loopback test provider',
    provider: 'loopback',
    auth_mode: 'oauth2',
    authorization_url: 'http://127.0.0.1:9/authorize',
    token_url: 'http://127.0.0.1:9/token',
  };
}

async function createOffering(body: Record<string, unknown>) {
  const res = await asOperator(ADMIN, { method: 'POST', body });
  if (res.status !== 201) throw new Error(`creating an offering failed: ${res.status} ${res.text}`);
  return res.json;
}

/** Every offering the caller may see, following next_cursor. */
async function listIds(token: string | undefined, query = ''): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const params = new URLSearchParams(query);
    params.set('limit', '200');
    if (cursor) params.set('cursor', cursor);
    const page = token ? await call(`/api/v1/offerings?${params}`, { token }) : await asOperator(`/api/v1/offerings?${params}`);
    if (page.status !== 200) throw new Error(`listing offerings failed: ${page.status} ${page.text}`);
    ids.push(...page.json.data.map((o: { id: string }) => o.id));
    cursor = page.json.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error('next_cursor never ran out');
}

const operatorGet = (id: string) => asOperator(`/api/v1/offerings/${id}`);

const createIntegration = (apiKey: string, offeringId: string) =>
  call('/api/v1/integrations', {
    method: 'POST',
    token: apiKey,
    body: { name: 'Test integration', offering_id: offeringId, client_id: 'client-123', client_secret: 'secret-456' },
  });

describe('creating custom offerings', () => {
  it('creates an Integry-style offering and returns it as given', async () => {
    const body = integryStyle();
    const res = await asOperator(ADMIN, { method: 'POST', body });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ ...body, source: 'custom', enabled: true });
  });

  it("shows a new custom offering in an organization's list and by id", async () => {
    const { apiKey } = await newTenant();
    const created = await createOffering(integryStyle());
    expect(await listIds(apiKey)).toContain(created.id);
    const got = await call(`/api/v1/offerings/${created.id}`, { token: apiKey });
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: created.id, source: 'custom', authorization_url: created.authorization_url });
  });

  it('makes up an off_ id when none is given', async () => {
    const { id: _id, ...body } = integryStyle();
    const res = await asOperator(ADMIN, { method: 'POST', body });
    expect(res.status).toBe(201);
    expect(res.json.id).toMatch(/^off_[a-z0-9_]+$/);
    expect((await operatorGet(res.json.id)).status).toBe(200);
  });

  it.each([
    ['an http URL that is not loopback', { token_url: 'http://auth.acme.example/oauth/token' }, 'token_url'],
    ['a javascript: URL', { authorization_url: 'javascript:alert(document.cookie)' }, 'authorization_url'],
    ['a URL with credentials', { token_url: 'https://user:pass@auth.acme.example/oauth/token' }, 'token_url'],
    ['a relative URL', { userinfo_url: '/v1/me' }, 'userinfo_url'],
    ['an unknown field', { client_secret: 'nope' }, 'client_secret'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name'],
    ['a scope containing a space', { default_scopes: ['contacts.read', 'deals write'] }, 'default_scopes.1'],
    ['an oauth2 offering without token_url', { token_url: undefined }, 'token_url'],
  ])('refuses %s with a detail on the field and stores nothing', async (_label, change, field) => {
    const body = { ...integryStyle(), ...change };
    const error = expectError(await asOperator(ADMIN, { method: 'POST', body }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'body', field }));
    expectError(await operatorGet(body.id), 404, 'not_found');
  });

  it('refuses a catalog id with 409 and leaves the catalog entry as it was', async () => {
    const res = await asOperator(ADMIN, { method: 'POST', body: integryStyle('off_google') });
    expectError(res, 409, 'conflict');
    const google = await operatorGet('off_google');
    expect(google.json).toMatchObject({ source: 'catalog', provider: 'google' });
  });

  it('refuses a duplicate custom id with 409 and keeps the first', async () => {
    const first = await createOffering(integryStyle());
    const res = await asOperator(ADMIN, { method: 'POST', body: { ...integryStyle(first.id), name: 'Impostor' } });
    expectError(res, 409, 'conflict');
    expect((await operatorGet(first.id)).json.name).toBe('Acme CRM');
  });
});

describe('who may manage offerings', () => {
  it.each([
    ['POST', ADMIN],
    ['PATCH', `${ADMIN}/off_google`],
    ['DELETE', `${ADMIN}/off_google`],
  ])('refuses an API key on %s with 403', async (method, path) => {
    const { apiKey } = await newTenant();
    const body = method === 'DELETE' ? undefined : method === 'POST' ? integryStyle() : { enabled: false };
    expectError(await call(path, { method, token: apiKey, body }), 403, 'forbidden');
    expect((await call('/api/v1/offerings/off_google', { token: apiKey })).json.enabled).toBe(true);
  });

  it('refuses a wrong admin token with 401 and stores nothing', async () => {
    const body = integryStyle();
    const res = await call(ADMIN, { method: 'POST', token: 'not-the-admin-token', body });
    expectError(res, 401, 'unauthorized');
    expectError(await operatorGet(body.id), 404, 'not_found');
  });

  it('refuses a caller without credentials with 401', async () => {
    expectError(await call(ADMIN, { method: 'POST', body: integryStyle() }), 401, 'unauthorized');
  });
});

describe('updating custom offerings', () => {
  it('changes only the field a PATCH names, without re-applying defaults', async () => {
    const created = await createOffering(integryStyle());
    const res = await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { name: 'Acme CRM (EU)' } });
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('Acme CRM (EU)');
    expect(res.json.scope_separator).toBe(',');
    expect(res.json.pkce).toBe(false);
    expect(res.json.token_auth_method).toBe('client_secret_basic');

    const stored = (await operatorGet(created.id)).json;
    const { name: _n, updated_at: _u, ...rest } = stored;
    const { name: _n0, updated_at: _u0, ...restBefore } = created;
    expect(stored.name).toBe('Acme CRM (EU)');
    expect(rest).toEqual(restBefore);
  });

  it.each([
    ['a non-loopback http token URL', { token_url: 'http://auth.acme.example/oauth/token' }, 'token_url'],
    ['a scope holding the stored separator', { default_scopes: ['contacts.read,deals.write'] }, 'default_scopes.0'],
    ['an auth mode the other fields do not fit', { auth_mode: 'api_key' }, 'credentials'],
  ])('refuses %s with 400 and keeps the stored offering', async (_label, patch, field) => {
    const created = await createOffering(integryStyle());
    const error = expectError(await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: patch }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ location: 'body', field }));
    expect((await operatorGet(created.id)).json).toEqual(created);
  });

  it('refuses to change the id', async () => {
    const created = await createOffering(integryStyle());
    const error = expectError(await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { id: freshId() } }), 400, 'validation_failed');
    expect(error.details).toContainEqual(expect.objectContaining({ field: 'id' }));
    expect((await operatorGet(created.id)).status).toBe(200);
  });

  it('answers 404 for a PATCH of an offering that does not exist', async () => {
    expectError(await asOperator(`${ADMIN}/${freshId()}`, { method: 'PATCH', body: { name: 'x' } }), 404, 'not_found');
  });
});

describe('disabling offerings', () => {
  it("hides a disabled custom offering from an organization's list and by id", async () => {
    const { apiKey } = await newTenant();
    const created = await createOffering(integryStyle());
    const res = await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { enabled: false } });
    expect(res.status).toBe(200);
    expect(res.json.enabled).toBe(false);
    expect(await listIds(apiKey)).not.toContain(created.id);
    expectError(await call(`/api/v1/offerings/${created.id}`, { token: apiKey }), 404, 'not_found');
  });

  it('keeps a disabled offering visible to the operator, also through ?enabled=false', async () => {
    const created = await createOffering(integryStyle());
    await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { enabled: false } });
    const got = await operatorGet(created.id);
    expect(got.status).toBe(200);
    expect(got.json.enabled).toBe(false);

    const disabled = await asOperator('/api/v1/offerings?enabled=false&limit=200');
    expect(disabled.json.data.map((o: { id: string }) => o.id)).toContain(created.id);
    expect(disabled.json.data.every((o: { enabled: boolean }) => o.enabled === false)).toBe(true);
    expect(await listIds(undefined, 'enabled=true')).not.toContain(created.id);
  });

  it('refuses a new integration on a disabled offering with 422 offering_disabled and stores none', async () => {
    const { apiKey } = await newTenant();
    const created = await createOffering(loopbackOffering());
    await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { enabled: false } });
    const error = expectError(await createIntegration(apiKey, created.id), 422, 'offering_disabled');
    expect(error.message).toContain('disabled');
    const list = await call('/api/v1/integrations', { token: apiKey });
    expect(list.status).toBe(200);
    expect(list.json.data).toEqual([]);
  });

  it('shows a re-enabled offering again and accepts integrations on it', async () => {
    const { apiKey } = await newTenant();
    const created = await createOffering(loopbackOffering());
    await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { enabled: false } });
    const res = await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { enabled: true } });
    expect(res.json.enabled).toBe(true);
    expect(await listIds(apiKey)).toContain(created.id);
    expect((await call(`/api/v1/offerings/${created.id}`, { token: apiKey })).status).toBe(200);
    expect((await createIntegration(apiKey, created.id)).status).toBe(201);
  });

  it('keeps the definition when only enabled changes', async () => {
    const created = await createOffering({ ...integryStyle(), enabled: false });
    const res = await asOperator(`${ADMIN}/${created.id}`, { method: 'PATCH', body: { enabled: true } });
    const { enabled: _e, updated_at: _u, ...after } = res.json;
    const { enabled: _e0, updated_at: _u0, ...before } = created;
    expect(after).toEqual(before);
  });
});

describe('catalog offerings', () => {
  // Catalog switches are shared by the whole file: each test restores what it changed.
  const CATALOG_ID = 'off_zoom';

  it('hides a disabled catalog offering from organizations until it is enabled again', async () => {
    const { apiKey } = await newTenant();
    try {
      const res = await asOperator(`${ADMIN}/${CATALOG_ID}`, { method: 'PATCH', body: { enabled: false } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: CATALOG_ID, source: 'catalog', enabled: false });
      expect(await listIds(apiKey)).not.toContain(CATALOG_ID);
      expectError(await call(`/api/v1/offerings/${CATALOG_ID}`, { token: apiKey }), 404, 'not_found');
      expectError(await createIntegration(apiKey, CATALOG_ID), 422, 'offering_disabled');
    } finally {
      await asOperator(`${ADMIN}/${CATALOG_ID}`, { method: 'PATCH', body: { enabled: true } });
    }
    expect(await listIds(apiKey)).toContain(CATALOG_ID);
  });

  it.each([
    ['a name', { name: 'Not Zoom' }],
    ['a token URL', { token_url: 'https://evil.example/token' }],
    ['a field together with enabled', { enabled: false, pkce: false }],
  ])('refuses to edit %s of a catalog offering with 409 and leaves it as it was', async (_label, patch) => {
    const before = (await operatorGet(CATALOG_ID)).json;
    const res = await asOperator(`${ADMIN}/${CATALOG_ID}`, { method: 'PATCH', body: patch });
    expectError(res, 409, 'catalog_offering_read_only');
    expect((await operatorGet(CATALOG_ID)).json).toEqual(before);
  });

  it('refuses to delete a catalog offering with 409', async () => {
    expectError(await asOperator(`${ADMIN}/off_google`, { method: 'DELETE' }), 409, 'catalog_offering_read_only');
    const { apiKey } = await newTenant();
    expect((await call('/api/v1/offerings/off_google', { token: apiKey })).status).toBe(200);
  });
});

describe('deleting custom offerings', () => {
  it('deletes an unused custom offering', async () => {
    const { apiKey } = await newTenant();
    const created = await createOffering(integryStyle());
    const res = await asOperator(`${ADMIN}/${created.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await operatorGet(created.id), 404, 'not_found');
    expect(await listIds(apiKey)).not.toContain(created.id);
  });

  it('answers 404 for deleting it twice', async () => {
    const created = await createOffering(integryStyle());
    await asOperator(`${ADMIN}/${created.id}`, { method: 'DELETE' });
    expectError(await asOperator(`${ADMIN}/${created.id}`, { method: 'DELETE' }), 404, 'not_found');
  });

  it('refuses to delete a custom offering an integration uses, and keeps it', async () => {
    const { apiKey } = await newTenant();
    const created = await createOffering(loopbackOffering());
    const integration = await createIntegration(apiKey, created.id);
    expect(integration.status).toBe(201);
    expect(integration.json.status).toBe('draft');

    expectError(await asOperator(`${ADMIN}/${created.id}`, { method: 'DELETE' }), 409, 'conflict');
    expect((await call(`/api/v1/offerings/${created.id}`, { token: apiKey })).status).toBe(200);
    expect((await call(`/api/v1/integrations/${integration.json.id}`, { token: apiKey })).status).toBe(200);
  });
});
