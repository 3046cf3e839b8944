import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, expectError } from '../helpers/api';
import { appWithUser, basic, oauthPost, tokensFor } from './fixtures';

const machineToken = async (f: Awaited<ReturnType<typeof appWithUser>>, scope: string) =>
  JSON.parse(
    (await oauthPost('/oauth/token', { grant_type: 'client_credentials', scope }, { authorization: basic(f.app.client_id, f.app.client_secret) })).text,
  ).access_token as string;

describe('access tokens on the management API', () => {
  it('act for the organization with all.full_access', async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f);
    const list = await call('/api/v1/integrations', { token: tokens.access_token });
    expect(list.status).toBe(200);
    const created = await call('/api/v1/links', { method: 'POST', token: tokens.access_token, body: { name: 'From app', end_user: { id: 'u1' } } });
    expect(created.status).toBe(201);
    const fromKey = await call(`/api/v1/links/${created.json.id}`, { token: f.apiKey });
    expect(fromKey.status).toBe(200);
  });

  it('are held to their finer scopes, with 403 insufficient_scope and WWW-Authenticate', async () => {
    const f = await appWithUser({ scopes: ['integrations.read', 'connections.read', 'offline_access'] });
    const token = await machineToken(f, 'integrations.read');
    expect((await call('/api/v1/integrations', { token })).status).toBe(200);
    const write = await call('/api/v1/integrations', { method: 'POST', token, body: { name: 'x', offering_id: 'off_stripe' } });
    expectError(write, 403, 'insufficient_scope');
    expect(write.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="integrations.write"');
    expectError(await call('/api/v1/connections', { token }), 403, 'insufficient_scope');
    expectError(await call('/api/v1/api_keys', { token }), 403, 'insufficient_scope');
  });

  it('never open operator routes', async () => {
    const f = await appWithUser();
    const token = await machineToken(f, 'all.full_access');
    expectError(await call('/api/v1/admin/organizations', { token }), 403, 'forbidden');
  });

  it('stop working once revoked, or when the application is deactivated', async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f);
    await oauthPost('/oauth/revoke', { token: tokens.access_token }, { authorization: basic(f.app.client_id, f.app.client_secret) });
    const revoked = await call('/api/v1/integrations', { token: tokens.access_token });
    expectError(revoked, 401, 'unauthorized');
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');

    const other = await machineToken(f, 'all.full_access');
    await call(`/api/v1/applications/${f.app.id}`, { method: 'PATCH', token: f.apiKey, body: { active: false } });
    expectError(await call('/api/v1/integrations', { token: other }), 401, 'unauthorized');
  });

  it('all die with the application when it is deleted', async () => {
    const f = await appWithUser();
    const token = await machineToken(f, 'all.full_access');
    await call(`/api/v1/applications/${f.app.id}`, { method: 'DELETE', token: f.apiKey });
    expectError(await call('/api/v1/integrations', { token }), 401, 'unauthorized');
  });

  it('refuse a made-up access token', async () => {
    expectError(await call('/api/v1/integrations', { token: 'elk_at_made_up_token' }), 401, 'unauthorized');
  });

  it("follow the granting user's current role, and die with their membership", async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f);
    const token = tokens.access_token as string;
    expect((await call('/api/v1/links', { method: 'POST', token, body: { name: 'ok', end_user: { id: 'u' } } })).status).toBe(201);

    // There is no route to demote or remove a member yet, so the test changes the row itself.
    await env.DB.prepare("UPDATE memberships SET role = 'member' WHERE org_id = ?").bind(f.orgId).run();
    expectError(await call('/api/v1/links', { method: 'POST', token, body: { name: 'no', end_user: { id: 'u' } } }), 403, 'forbidden');
    expect((await call('/api/v1/links', { token })).status).toBe(200);

    await env.DB.prepare('DELETE FROM memberships WHERE org_id = ?').bind(f.orgId).run();
    expectError(await call('/api/v1/links', { token }), 401, 'unauthorized');
  });
});
