import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/lib/crypto';
import { accessTokenCredential } from '../../src/oauth-server/credential';
import { accessTokenJoined } from '../../src/oauth-server/joined';
import { findLiveToken } from '../../src/oauth-server/tokens';
import { asOperator, call, newTenant } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { joinedFound } from '../helpers/hot-query';
import { appWithUser, basic, clientCredentialsToken, oauthPost, tokensFor } from './fixtures';

const SCOPES = 'connections.read offline_access';

/** The caller the hot routes' SQL makes of a secret at `now`, and the one the app's verifier (findLiveToken) makes. */
async function bothCallers(secret: string, now = Date.now()) {
  const found = await joinedFound(accessTokenJoined, secret, now);
  const hot = found === undefined ? null : accessTokenJoined.caller(found);
  const app = await accessTokenCredential.verify(secret, { deps: await testDeps(), env, headers: new Headers(), now });
  return { hot, app };
}

/** A user's access and refresh tokens from the code flow, with the caller the access token acts as. */
async function userTokens() {
  const f = await appWithUser();
  const { json } = await tokensFor(f, SCOPES);
  const caller = { kind: 'oauth', orgId: f.orgId, applicationId: f.app.id, userId: f.userId, role: 'admin', scopes: SCOPES.split(' ') };
  return { f, access: json.access_token as string, refresh: json.refresh_token as string, caller };
}

const tokenRow = async (secret: string) =>
  (await env.DB.prepare('SELECT grant_id, expires_at FROM oauth_tokens WHERE token_hash = ?')
    .bind(await sha256Hex(secret))
    .first<{
      grant_id: string;
      expires_at: number;
    }>())!;

/** Only refresh tokens are marked used by the API (rotation); the rule is written for every kind. */
const markUsed = async (secret: string) =>
  env.DB.prepare('UPDATE oauth_tokens SET used_at = ? WHERE token_hash = ?')
    .bind(Date.now(), await sha256Hex(secret))
    .run();

describe('accessTokenJoined accepts and refuses the access tokens findLiveToken does', () => {
  it("accepts a live user token as the same caller: organization, application, user, the user's role, the token's scopes", async () => {
    const { access, caller } = await userTokens();
    const { hot, app } = await bothCallers(access);
    expect(app).toEqual(caller);
    expect(hot).toEqual(app);
  });

  it('follows the role the user holds now, not the one they had when they authorized', async () => {
    const { f, access, caller } = await userTokens();
    const changed = await asOperator(`/api/v1/admin/organizations/${f.orgId}/users/${f.userId}`, { method: 'PATCH', body: { role: 'member' } });
    expect(changed.status).toBe(200);
    const { hot, app } = await bothCallers(access);
    expect(app).toEqual({ ...caller, role: 'member' });
    expect(hot).toEqual(app);
  });

  it('accepts a client-credentials token, which has no user and no role', async () => {
    const f = await appWithUser();
    const token = await clientCredentialsToken(f.app, 'connections.token');
    const { hot, app } = await bothCallers(token);
    expect(app).toEqual({ kind: 'oauth', orgId: f.orgId, applicationId: f.app.id, userId: null, role: null, scopes: ['connections.token'] });
    expect(hot).toEqual(app);
  });

  it('refuses a token from the moment it expires, and not a millisecond before', async () => {
    const { access, caller } = await userTokens();
    const { expires_at } = await tokenRow(access);
    const before = await bothCallers(access, expires_at - 1);
    expect(before.app).toEqual(caller);
    expect(before.hot).toEqual(before.app);
    const at = await bothCallers(access, expires_at);
    expect(at.app).toBeNull();
    expect(at.hot).toBeNull();
  });

  it('refuses a revoked token (RFC 7009 revocation of the access token alone)', async () => {
    const { f, access } = await userTokens();
    const res = await oauthPost('/oauth/revoke', { token: access }, { authorization: basic(f.app.client_id, f.app.client_secret) });
    expect(res.status).toBe(200);
    const { hot, app } = await bothCallers(access);
    expect(app).toBeNull();
    expect(hot).toBeNull();
  });

  it('refuses a token marked used', async () => {
    const { access } = await userTokens();
    await markUsed(access);
    const { hot, app } = await bothCallers(access);
    expect(app).toBeNull();
    expect(hot).toBeNull();
  });

  it('refuses a token whose grant is revoked, though the token itself is not', async () => {
    const { access } = await userTokens();
    await env.DB.prepare('UPDATE oauth_grants SET revoked_at = ? WHERE id = ?')
      .bind(Date.now(), (await tokenRow(access)).grant_id)
      .run();
    const { hot, app } = await bothCallers(access);
    expect(app).toBeNull();
    expect(hot).toBeNull();
  });

  it('refuses a token of an application that was deactivated', async () => {
    const { f, access } = await userTokens();
    const res = await call(`/api/v1/applications/${f.app.id}`, { method: 'PATCH', token: f.apiKey, body: { active: false } });
    expect(res.status).toBe(200);
    const { hot, app } = await bothCallers(access);
    expect(app).toBeNull();
    expect(hot).toBeNull();
  });

  it('refuses a user token once the user is removed from its organization, though still a member of another', async () => {
    const { f, access } = await userTokens();
    const elsewhere = await newTenant('Elsewhere');
    const added = await asOperator(`/api/v1/admin/organizations/${elsewhere.orgId}/users`, { method: 'POST', body: { email: f.email, role: 'owner' } });
    expect(added.status).toBe(201);
    const removed = await asOperator(`/api/v1/admin/organizations/${f.orgId}/users/${f.userId}`, { method: 'DELETE' });
    expect(removed.status).toBe(204);
    const { hot, app } = await bothCallers(access);
    expect(app).toBeNull();
    expect(hot).toBeNull();
  });

  it('refuses a live refresh token presented as an access token', async () => {
    const { refresh } = await userTokens();
    // Live as what it is: only its kind keeps it out.
    expect((await findLiveToken((await testDeps()).db, refresh, Date.now()))?.kind).toBe('refresh');
    const { hot, app } = await bothCallers(refresh);
    expect(app).toBeNull();
    expect(hot).toBeNull();
  });
});
