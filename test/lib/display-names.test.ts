import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { keyIntegration, newLink } from '../links/fixtures';
import { uniqueEmail } from '../users/fixtures';

/** "Invoice" that renders as "Invoicexe.pdf"-style text: a right-to-left override inside a name. */
const RLO_NAME = 'Acme \u202Efdp.exe';
const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];

const count = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>())!.n;

function expectRefused(res: { status: number; json: any }, field: string) {
  const error = expectError(res, 400, 'validation_failed');
  expect(error.details).toContainEqual({ location: 'body', field, message: 'must not contain bidirectional control characters' });
}

const application = (name: string) => ({ name, redirect_uris: ['https://app.example.com/callback'] });

describe('names shown on pages refuse bidirectional controls', () => {
  it('organization names', async () => {
    const res = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: RLO_NAME } });
    expectRefused(res, 'name');
    expect(await count('SELECT count(*) AS n FROM organizations WHERE name = ?', RLO_NAME)).toBe(0);
  });

  it('user names', async () => {
    const { orgId } = await newTenant();
    const email = uniqueEmail();
    const res = await asOperator(`/api/v1/admin/organizations/${orgId}/users`, { method: 'POST', body: { email, name: RLO_NAME, role: 'member' } });
    expectRefused(res, 'name');
    expect(await count('SELECT count(*) AS n FROM users WHERE email = ?', email)).toBe(0);
  });

  it('application names, on create and update', async () => {
    const { apiKey, orgId } = await newTenant();
    expectRefused(await call('/api/v1/applications', { method: 'POST', token: apiKey, body: application(RLO_NAME) }), 'name');
    expect(await count('SELECT count(*) AS n FROM applications WHERE org_id = ?', orgId)).toBe(0);
    const created = await call('/api/v1/applications', { method: 'POST', token: apiKey, body: application('Reports') });
    expect(created.status).toBe(201);
    expectRefused(await call(`/api/v1/applications/${created.json.id}`, { method: 'PATCH', token: apiKey, body: { name: RLO_NAME } }), 'name');
    expect((await call(`/api/v1/applications/${created.json.id}`, { token: apiKey })).json.name).toBe('Reports');
  });

  it('integration names, on create and update', async () => {
    const { apiKey, orgId } = await newTenant();
    expectRefused(await call('/api/v1/integrations', { method: 'POST', token: apiKey, body: { name: RLO_NAME, offering_id: 'off_stripe' } }), 'name');
    expect(await count('SELECT count(*) AS n FROM integrations WHERE org_id = ?', orgId)).toBe(0);
    const integration = await keyIntegration(apiKey);
    expectRefused(await call(`/api/v1/integrations/${integration.id}`, { method: 'PATCH', token: apiKey, body: { name: RLO_NAME } }), 'name');
    expect((await call(`/api/v1/integrations/${integration.id}`, { token: apiKey })).json.name).toBe('Stripe');
  });

  it('link names and end-user display names, on create and update', async () => {
    const { apiKey, orgId } = await newTenant();
    const link = (body: Record<string, unknown>) =>
      call('/api/v1/links', { method: 'POST', token: apiKey, body: { name: 'Onboarding', end_user: { id: 'u1' }, ...body } });
    expectRefused(await link({ name: RLO_NAME }), 'name');
    expectRefused(await link({ end_user: { id: 'u1', display_name: RLO_NAME } }), 'end_user.display_name');
    expect(await count('SELECT count(*) AS n FROM links WHERE org_id = ?', orgId)).toBe(0);
    const created = await newLink(apiKey);
    expectRefused(await call(`/api/v1/links/${created.id}`, { method: 'PATCH', token: apiKey, body: { name: RLO_NAME } }), 'name');
    expect((await call(`/api/v1/links/${created.id}`, { token: apiKey })).json.name).toBe('Onboarding');
  });

  it('end-user display names on connections, on import and update', async () => {
    const { apiKey, orgId } = await newTenant();
    const integration = await keyIntegration(apiKey);
    const importing = (displayName: string) =>
      call('/api/v1/connections', {
        method: 'POST',
        token: apiKey,
        body: {
          integration_id: integration.id,
          end_user: { id: 'u', display_name: displayName },
          provider_account_id: 'acct',
          credentials: { api_key: 'sk_test_1' },
        },
      });
    expectRefused(await importing(RLO_NAME), 'end_user.display_name');
    expect(await count('SELECT count(*) AS n FROM connections WHERE org_id = ?', orgId)).toBe(0);
    const imported = await importing('Ada');
    expect(imported.status).toBe(201);
    const patch = await call(`/api/v1/connections/${imported.json.id}`, { method: 'PATCH', token: apiKey, body: { end_user: { display_name: RLO_NAME } } });
    expectRefused(patch, 'end_user.display_name');
    expect((await call(`/api/v1/connections/${imported.json.id}`, { token: apiKey })).json.end_user.display_name).toBe('Ada');
  });

  it('every bidirectional control, while ordinary right-to-left text is welcome', async () => {
    for (const mark of BIDI) {
      expectRefused(await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: `A${mark}B` } }), 'name');
    }
    expect((await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: 'שלום עולם' } })).status).toBe(201);
  });
});
