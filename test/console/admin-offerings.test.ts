import { describe, expect, it } from 'vitest';
import { asOperator, call, newTenant } from '../helpers/api';
import { consoleUser, page, platformAdmin, submit } from './fixtures';

const ADMIN = '/console/admin/offerings';

function sharedForm(overrides: Record<string, string> = {}): [string, string][] {
  return Object.entries({
    action: 'save',
    type: 'oauth2',
    name: 'Shared CRM',
    authorization_uri: 'https://login.shared-crm.example.com/authorize?access_type=offline',
    scopes: 'read write',
    scope_separator: 'space',
    token_endpoint: 'https://login.shared-crm.example.com/token',
    userinfo_endpoint: 'https://api.shared-crm.example.com/me',
    pkce: 'yes',
    token_auth_method: 'client_secret_post',
    ...overrides,
  });
}

const idFromList = async (name: string) => {
  const list = await asOperator('/api/v1/offerings?limit=200');
  return (list.json.data as { id: string; name: string }[]).find((o) => o.name === name)!.id;
};

describe('console: the operator Offerings page', () => {
  it('is the console 404 for anyone who is not a platform admin, posts included', async () => {
    const user = await consoleUser();
    expect((await page(user, ADMIN)).status).toBe(404);
    expect((await submit(user, `${ADMIN}/off_salesforce/enabled`, [['enabled', 'no']])).status).toBe(404);
    expect((await call('/api/v1/offerings/off_salesforce', { token: user.apiKey })).json.enabled).toBe(true);
  });

  it('lists the catalog and shared offerings, but no organization’s own', async () => {
    const admin = await platformAdmin();
    const tenant = await newTenant();
    const own = await call('/api/v1/offerings', {
      method: 'POST',
      token: tenant.apiKey,
      body: { name: 'Private Thing', provider: 'private-thing', auth_mode: 'api_key', credentials: [{ key: 'api_key', label: 'Key' }] },
    });
    expect(own.status).toBe(201);
    const res = await page(admin, ADMIN);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Salesforce (sandbox)');
    expect(res.text).toContain('<td>Catalog</td>');
    expect(res.text).not.toContain(own.json.id);
  });

  it('creates a shared offering with the Authorizations form, which every organization then sees', async () => {
    const admin = await platformAdmin();
    const name = `Shared CRM ${Date.now()}`;
    const res = await submit(admin, `${ADMIN}/create`, sharedForm({ name }));
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(`${ADMIN}?done=created`);
    const id = await idFromList(name);
    const tenant = await newTenant();
    const seen = await call(`/api/v1/offerings/${id}`, { token: tenant.apiKey });
    expect(seen.json).toMatchObject({
      source: 'custom',
      organization_id: null,
      authorization_url: 'https://login.shared-crm.example.com/authorize',
      authorization_params: { access_type: 'offline' },
      default_scopes: ['read', 'write'],
      token_auth_method: 'client_secret_post',
    });
    expect((await page(admin, ADMIN)).text).toContain(`href="${ADMIN}/${id}">${name}</a>`);
  });

  it('refuses a private address in the form, next to its field, storing nothing', async () => {
    const admin = await platformAdmin();
    const name = `Private ${Date.now()}`;
    const res = await submit(admin, `${ADMIN}/create`, sharedForm({ name, token_endpoint: 'https://172.16.0.9/token' }));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/<a href="#field-token_endpoint">Token Endpoint: URL must not point at a private or internal address/);
    const list = await asOperator('/api/v1/offerings?limit=200');
    expect((list.json.data as { name: string }[]).some((o) => o.name === name)).toBe(false);
  });

  it('edits a shared offering', async () => {
    const admin = await platformAdmin();
    const name = `Editable ${Date.now()}`;
    expect((await submit(admin, `${ADMIN}/create`, sharedForm({ name }))).status).toBe(303);
    const id = await idFromList(name);
    const form = await page(admin, `${ADMIN}/${id}`);
    expect(form.text).toContain('value="https://login.shared-crm.example.com/authorize?access_type=offline"');
    const saved = await submit(admin, `${ADMIN}/${id}`, sharedForm({ name: `${name} EU`, token_endpoint: 'https://eu.shared-crm.example.com/token' }));
    expect(saved.status, saved.text).toBe(303);
    expect((await asOperator(`/api/v1/offerings/${id}`)).json).toMatchObject({ name: `${name} EU`, token_url: 'https://eu.shared-crm.example.com/token' });
  });

  it('disables and enables a catalog offering with a button; a disabled one takes no new integrations', async () => {
    const admin = await platformAdmin();
    const off = await submit(admin, `${ADMIN}/off_zendesk/enabled`, [['enabled', 'no']]);
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe(`${ADMIN}?done=disabled`);
    try {
      const tenant = await newTenant();
      const refused = await call('/api/v1/integrations', { method: 'POST', token: tenant.apiKey, body: { name: 'Z', offering_id: 'off_zendesk' } });
      expect(refused.status).toBe(422);
      expect((await page(admin, ADMIN)).text).toContain('Enable<span class="vh"> Zendesk');
    } finally {
      const on = await submit(admin, `${ADMIN}/off_zendesk/enabled`, [['enabled', 'yes']]);
      expect(on.headers.get('location')).toBe(`${ADMIN}?done=enabled`);
    }
    expect((await asOperator('/api/v1/offerings/off_zendesk')).json.enabled).toBe(true);
  });

  it('has no edit page for a catalog offering', async () => {
    const admin = await platformAdmin();
    expect((await page(admin, `${ADMIN}/off_salesforce`)).status).toBe(404);
  });
});
