import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE, call } from '../helpers/api';
import { callWithFault, type FaultTiming } from '../helpers/fault-injection';
import { oauthError, stubProvider } from '../helpers/outbound';
import { addUser, countRows, PASSWORD, sessionCookieOf, submitLogin, uniqueEmail } from '../users/fixtures';
import { type ConsoleUser, consoleUser, csrfOf, page, submit } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const SECRET = 'acme-client-secret-never-shown';

/** Integry's OAuth 2.0 form as a person fills it in. */
function oauthForm(overrides: Record<string, string | null> = {}): [string, string][] {
  const fields: Record<string, string | null> = {
    action: 'create',
    type: 'oauth2',
    name: 'Acme CRM',
    client_id: 'acme-client',
    client_secret: SECRET,
    authorization_uri: 'https://login.acme-crm.example.com/oauth/authorize?response_type=code&prompt=consent',
    scopes: 'contacts.read,deals.write',
    scope_separator: 'comma',
    token_endpoint: 'https://login.acme-crm.example.com/oauth/token',
    userinfo_endpoint: 'https://api.acme-crm.example.com/me',
    pkce: 'yes',
    token_auth_method: 'client_secret_basic',
    ...overrides,
  };
  return Object.entries(fields).filter((e): e is [string, string] => e[1] !== null);
}

const storedFor = async (orgId: string) => ({
  offerings: await countRows('SELECT count(*) AS n FROM offerings WHERE org_id = ?', orgId),
  integrations: await countRows('SELECT count(*) AS n FROM integrations WHERE org_id = ?', orgId),
});

/** A member (who only reads) of an existing organization, signed in. */
async function memberOf(orgId: string): Promise<ConsoleUser> {
  const email = uniqueEmail('member');
  const added = await addUser(orgId, { email, role: 'member', password: PASSWORD });
  expect(added.status).toBe(201);
  const login = await submitLogin({ email, password: PASSWORD });
  return { orgId, apiKey: '', keyId: '', email, userId: added.json.user_id, cookie: sessionCookieOf(login) };
}

async function createOAuth(user: ConsoleUser, overrides: Record<string, string | null> = {}) {
  stubProvider(() => oauthError('invalid_grant'));
  const res = await submit(user, '/console/authorizations/create', oauthForm(overrides));
  expect(res.status, res.text).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/console\/authorizations\/off_[a-z0-9_]+\?done=created$/);
  return location.split('?')[0]!.split('/').pop()!;
}

describe('console: Authorizations (Integry)', () => {
  it('starts the Add form on the API Key type, and shows the OAuth 2.0 fields once that type is chosen', async () => {
    const user = await consoleUser();
    const form = await page(user, '/console/authorizations/create');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<option value="api_key" selected="">API Key<\/option>/);
    expect(form.text).toContain('>Key label');
    expect(form.text).not.toContain('>Client ID');

    const chosen = await submit(user, '/console/authorizations/create', [
      ['action', 'choose_type'],
      ['type', 'oauth2'],
      ['name', 'Acme CRM'],
    ]);
    expect(chosen.status).toBe(200);
    for (const label of ['Client ID', 'Client Secret', 'Authorization URI', 'Scopes', 'Token Endpoint', 'User Information Endpoint']) {
      expect(chosen.text).toContain(`>${label}`);
    }
    expect(chosen.text).toContain('value="Acme CRM"');
    expect(chosen.text).toMatch(/<option value="client_secret_basic" selected="">/);
    expect(chosen.text).toMatch(/id="field-pkce" name="pkce" value="yes" checked=""/);
  });

  it('creates an OAuth 2.0 authorization and its verified integration in one step, with the defaults Integry does not ask', async () => {
    const user = await consoleUser();
    const id = await createOAuth(user);
    const offering = await call(`/api/v1/offerings/${id}`, { token: user.apiKey });
    expect(offering.json).toMatchObject({
      organization_id: user.orgId,
      auth_mode: 'oauth2',
      authorization_url: 'https://login.acme-crm.example.com/oauth/authorize',
      // response_type=code is Edgelink's own; prompt=consent stays as a fixed parameter.
      authorization_params: { prompt: 'consent' },
      scope_separator: ',',
      default_scopes: ['contacts.read', 'deals.write'],
      token_url: 'https://login.acme-crm.example.com/oauth/token',
      userinfo_url: 'https://api.acme-crm.example.com/me',
      token_auth_method: 'client_secret_basic',
      pkce: true,
      account: { id: ['sub', 'id', 'email'], email: 'email', name: 'name' },
    });
    const integrations = await call(`/api/v1/integrations?offering_id=${id}`, { token: user.apiKey });
    expect(integrations.json.data).toHaveLength(1);
    expect(integrations.json.data[0]).toMatchObject({
      name: 'Acme CRM',
      client_id: 'acme-client',
      status: 'configured',
      scopes: ['contacts.read', 'deals.write'],
    });

    const result = await page(user, `/console/authorizations/${id}?done=created`);
    expect(result.status).toBe(200);
    expect(result.text).toContain('The authorization was created, with its integration.');
    expect(result.text).toContain(`href="/console/oauth/${integrations.json.data[0].id}"`);
    expect(result.text).toContain('Configured');
    expect(result.text).not.toContain(SECRET);
    const list = await page(user, '/console/authorizations');
    expect(list.text).toContain(`href="/console/authorizations/${id}">Acme CRM</a>`);
  });

  it('creates an API Key authorization with the link page label, and its integration', async () => {
    const user = await consoleUser();
    const res = await submit(user, '/console/authorizations/create', [
      ['action', 'create'],
      ['type', 'api_key'],
      ['name', 'Acme Keys'],
      ['key_label', 'Acme API token'],
      ['key_header', 'X-Api-Key'],
      ['verify_url', 'https://api.acme.example.com/whoami'],
    ]);
    expect(res.status, res.text).toBe(303);
    const id = res.headers.get('location')!.split('?')[0]!.split('/').pop()!;
    const offering = await call(`/api/v1/offerings/${id}`, { token: user.apiKey });
    expect(offering.json).toMatchObject({
      auth_mode: 'api_key',
      credentials: [{ key: 'api_key', label: 'Acme API token', secret: true }],
      verify: { url: 'https://api.acme.example.com/whoami', auth: { type: 'header', name: 'X-Api-Key', field: 'api_key' } },
    });
    const integrations = await call(`/api/v1/integrations?offering_id=${id}`, { token: user.apiKey });
    expect(integrations.json.data[0]).toMatchObject({ status: 'configured', connectable: true });
  });

  it.each([
    ['a private Token Endpoint', { token_endpoint: 'https://10.1.2.3/oauth/token' }, 'field-token_endpoint', /private or internal/],
    [
      'the metadata address as User Information Endpoint',
      { userinfo_endpoint: 'https://169.254.169.254/me' },
      'field-userinfo_endpoint',
      /private or internal/,
    ],
    ['a missing Token Endpoint', { token_endpoint: null }, 'field-token_endpoint', /required/],
    ['an unknown separator', { scope_separator: 'other', other_separator: '|' }, 'field-scope_separator', /space, a comma or a semicolon/],
    ['no Client Secret', { client_secret: null }, 'field-client_secret', /required/],
    ['no Client ID', { client_id: '' }, 'field-client_id', /required/],
  ])('refuses %s next to the field and in the summary, storing nothing', async (_what, overrides, target, message) => {
    const user = await consoleUser();
    const spy = stubProvider(() => oauthError('invalid_grant'));
    const res = await submit(user, '/console/authorizations/create', oauthForm(overrides));
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="error-summary"');
    expect(res.text).toMatch(new RegExp(`<a href="#${target}">[^<]*${message.source}`));
    expect(res.text).toMatch(new RegExp(`id="${target}-error">[^<]*${message.source}`));
    expect(res.text).not.toContain(SECRET);
    expect(await storedFor(user.orgId)).toEqual({ offerings: 0, integrations: 0 });
    expect(spy.seen).toHaveLength(0);
  });

  it('keeps both rows out when the integration cannot be stored: they land together or not at all', async () => {
    const user = await consoleUser();
    stubProvider(() => oauthError('invalid_grant'));
    // An integration name over its limit passes the form but fails the integration's own check.
    const res = await submit(user, '/console/authorizations/create', oauthForm({ name: 'x'.repeat(101) }));
    expect(res.status).toBe(400);
    expect(await storedFor(user.orgId)).toEqual({ offerings: 0, integrations: 0 });
  });

  it('writes the authorization and its integration together or not at all, whichever D1 call fails', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    stubProvider(() => oauthError('invalid_grant'));
    const post = async (user: ConsoleUser, plan: Parameters<typeof callWithFault>[1]) => {
      const body = new URLSearchParams(oauthForm());
      body.set('_csrf', csrfOf((await page(user, '/console/authorizations/create')).text));
      return callWithFault('/console/authorizations/create', plan, {
        method: 'POST',
        rawBody: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin', cookie: user.cookie },
      });
    };
    const clean = await post(await consoleUser(), { failAt: null });
    expect(clean.status, clean.text).toBe(303);
    for (let n = 1; n <= clean.d1Calls; n++) {
      for (const timing of ['before', 'after'] satisfies FaultTiming[]) {
        const user = await consoleUser();
        const failed = await post(user, { failAt: n, timing });
        expect(failed.struck, `call ${n} ${timing}`).toBe(true);
        const stored = await storedFor(user.orgId);
        expect(stored.offerings, `call ${n} ${timing}: ${JSON.stringify(stored)}`).toBe(stored.integrations);
      }
    }
  });

  it("is private: another organization's people get the console's 404 and do not see it listed", async () => {
    const owner = await consoleUser();
    const id = await createOAuth(owner);
    const other = await consoleUser();
    expect((await page(other, `/console/authorizations/${id}`)).status).toBe(404);
    expect((await page(other, '/console/authorizations')).text).not.toContain(id);
    expect((await submit(other, `/console/authorizations/${id}`, [['name', 'Taken']])).status).toBe(404);
    expect((await submit(other, `/console/authorizations/${id}/delete`, [])).status).toBe(404);
    expect((await page(other, `/console/oauth/create?offering_id=${id}`)).text).not.toContain('Acme CRM');
  });

  it('edits its own authorization, refusing a private address without changing it', async () => {
    const user = await consoleUser();
    const id = await createOAuth(user);
    const edit = oauthForm({ name: 'Acme CRM EU', token_endpoint: 'https://eu.acme-crm.example.com/oauth/token', enabled: 'yes' }).filter(
      ([k]) => !k.startsWith('client_'),
    );
    const saved = await submit(user, `/console/authorizations/${id}`, edit);
    expect(saved.status, saved.text).toBe(303);
    expect((await call(`/api/v1/offerings/${id}`, { token: user.apiKey })).json).toMatchObject({
      name: 'Acme CRM EU',
      token_url: 'https://eu.acme-crm.example.com/oauth/token',
    });

    const refused = await submit(user, `/console/authorizations/${id}`, [
      ...edit.filter(([k]) => k !== 'token_endpoint'),
      ['token_endpoint', 'https://192.168.0.1/token'],
    ]);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('href="#field-token_endpoint"');
    expect((await call(`/api/v1/offerings/${id}`, { token: user.apiKey })).json.token_url).toBe('https://eu.acme-crm.example.com/oauth/token');
  });

  it('clears the User Information Endpoint left blank on edit, which a PATCH omitting it would keep', async () => {
    const user = await consoleUser();
    const id = await createOAuth(user);
    expect((await call(`/api/v1/offerings/${id}`, { token: user.apiKey })).json.userinfo_url).toBeDefined();
    const edit = oauthForm({ userinfo_endpoint: '', enabled: 'yes' }).filter(([k]) => !k.startsWith('client_'));
    const saved = await submit(user, `/console/authorizations/${id}`, edit);
    expect(saved.status, saved.text).toBe(303);
    expect((await call(`/api/v1/offerings/${id}`, { token: user.apiKey })).json.userinfo_url).toBeUndefined();
  });

  it('edits an API Key authorization: a new label, switched off', async () => {
    const user = await consoleUser();
    const res = await submit(user, '/console/authorizations/create', [
      ['action', 'create'],
      ['type', 'api_key'],
      ['name', 'Acme Keys'],
      ['key_label', 'API Key'],
    ]);
    const id = res.headers.get('location')!.split('?')[0]!.split('/').pop()!;
    const detail = await page(user, `/console/authorizations/${id}`);
    expect(detail.text).toContain('value="API Key"');
    const saved = await submit(user, `/console/authorizations/${id}`, [
      ['type', 'oauth2'],
      ['name', 'Acme Keys'],
      ['key_label', 'Secret token'],
    ]);
    expect(saved.status, saved.text).toBe(303);
    const offering = (await call(`/api/v1/offerings/${id}`, { token: user.apiKey })).json;
    // The type is fixed once made, whatever a crafted form says.
    expect(offering).toMatchObject({ auth_mode: 'api_key', enabled: false, credentials: [{ key: 'api_key', label: 'Secret token', secret: true }] });
  });

  it('refuses to delete an authorization its integration uses, and deletes it once the integration is gone', async () => {
    const user = await consoleUser();
    const id = await createOAuth(user);
    const refused = await submit(user, `/console/authorizations/${id}/delete`, []);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('integration(s) use this offering');
    const integrationId = (await call(`/api/v1/integrations?offering_id=${id}`, { token: user.apiKey })).json.data[0].id;
    expect((await call(`/api/v1/integrations/${integrationId}`, { method: 'DELETE', token: user.apiKey })).status).toBe(200);
    const deleted = await submit(user, `/console/authorizations/${id}/delete`, []);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/console/authorizations?done=deleted');
    expect((await page(user, `/console/authorizations/${id}`)).status).toBe(404);
  });

  it('shows members the list and the authorization read-only, and refuses their posts', async () => {
    const owner = await consoleUser();
    const id = await createOAuth(owner);
    const member = await memberOf(owner.orgId);
    const list = await page(member, '/console/authorizations');
    expect(list.text).toContain(`href="/console/authorizations/${id}">Acme CRM</a>`);
    expect(list.text).not.toContain('Add Authorization</a>');
    const detail = await page(member, `/console/authorizations/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain('Save Authorization');
    expect(detail.text).not.toContain('Delete Authorization');
    expect((await submit(member, `/console/authorizations/${id}/delete`, [])).status).toBe(403);
    const before = await storedFor(owner.orgId);
    expect((await submit(member, '/console/authorizations/create', oauthForm())).status).toBe(403);
    expect(await storedFor(owner.orgId)).toEqual(before);
  });
});
