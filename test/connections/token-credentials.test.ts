import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, expectError } from '../helpers/api';
import { basic, oauthPost } from '../oauth-server/fixtures';
import { oauthTenant } from './fixtures';

/** A client-credentials access token of an application the tenant registers. */
async function accessToken(tenant: Awaited<ReturnType<typeof oauthTenant>>, scope: string) {
  const app = await call('/api/v1/applications', {
    method: 'POST',
    token: tenant.apiKey,
    body: { name: 'Token reader', redirect_uris: ['https://client.example.com/callback'], scopes: ['connections.token', 'connections.read'] },
  });
  const res = await oauthPost(
    '/oauth/token',
    { grant_type: 'client_credentials', scope },
    { authorization: basic(app.json.client_id, app.json.client_secret) },
  );
  return JSON.parse(res.text).access_token as string;
}

describe('GET /connections/{id}/token with credentials other than an API key', () => {
  it('serves an access token with connections.token', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    const res = await t.getToken(id, await accessToken(t, 'connections.token'));
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBe('at-1');
  });

  it('refuses an access token without connections.token with 403 insufficient_scope', async () => {
    const t = await oauthTenant();
    const id = await t.connect();
    const res = await t.getToken(id, await accessToken(t, 'connections.read'));
    expectError(res, 403, 'insufficient_scope');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="connections.token"');
  });

  it("answers an unknown API key with 401 and another organization's connection with 404", async () => {
    const t = await oauthTenant();
    const other = await oauthTenant();
    const id = await t.connect();
    expectError(await t.getToken(id, 'elk_sk_unknown'), 401, 'unauthorized');
    expectError(await other.getToken(id), 404, 'not_found');
  });
});

describe('the credential mode is its own column', () => {
  it("serves a provider's access token even when its stored token_type names a credential mode", async () => {
    // Rows written before token types were normalised can say `api_key`; only credential_mode decides.
    const t = await oauthTenant();
    const id = await t.connect();
    await env.DB.prepare("update connections set token_type = 'api_key' where id = ?").bind(id).run();
    const res = await t.getToken(id);
    expect(res.status).toBe(200);
    expect(res.json.access_token).toBe('at-1');
    expect(res.json.credentials).toBeUndefined();
  });
});
