import { describe, expect, it } from 'vitest';
import { appWithUser, authorize, authorizeQuery, basic, browser, oauthPost, pkce, REDIRECT } from './fixtures';

const json = (res: { text: string }) => JSON.parse(res.text);

describe('grant types an application did not declare (RFC 6749 §5.2 unauthorized_client)', () => {
  it('gives a client-credentials-only application its token, and refuses it codes and refresh tokens', async () => {
    const f = await appWithUser({ grant_types: ['client_credentials'], redirect_uris: [] });
    const auth = { authorization: basic(f.app.client_id, f.app.client_secret) };
    const ok = await oauthPost('/oauth/token', { grant_type: 'client_credentials', scope: 'connections.read' }, auth);
    expect(ok.status).toBe(200);
    expect(json(ok)).toMatchObject({ token_type: 'Bearer', scope: 'connections.read' });

    const code = await oauthPost('/oauth/token', { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) }, auth);
    expect(code.status).toBe(400);
    expect(code.headers.get('cache-control')).toBe('no-store');
    expect(json(code)).toEqual({ error: 'unauthorized_client', error_description: expect.stringContaining('authorization_code') });
    const refresh = await oauthPost('/oauth/token', { grant_type: 'refresh_token', refresh_token: 'elk_rt_x' }, auth);
    expect(json(refresh)).toMatchObject({ error: 'unauthorized_client' });
  });

  it('still authenticates the client first: a wrong secret is invalid_client whatever the grant', async () => {
    const f = await appWithUser({ grant_types: ['client_credentials'], redirect_uris: [] });
    const res = await oauthPost('/oauth/token', { grant_type: 'authorization_code' }, { authorization: basic(f.app.client_id, 'elk_cs_wrong') });
    expect(res.status).toBe(401);
    expect(json(res).error).toBe('invalid_client');
  });

  it('refuses client credentials to an application that did not declare them', async () => {
    const f = await appWithUser({ grant_types: ['authorization_code', 'refresh_token'] });
    const res = await oauthPost('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(f.app.client_id, f.app.client_secret) });
    expect(res.status).toBe(400);
    expect(json(res)).toMatchObject({ error: 'unauthorized_client', error_description: expect.stringContaining('client_credentials') });
  });

  it('sends the authorize error back to a registered redirect URI, with state and iss', async () => {
    // Registered redirect URI, but no authorization_code grant (it was dropped after registration).
    const f = await appWithUser({ grant_types: ['client_credentials'] });
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge)}`, { headers: { cookie: f.cookie } });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('unauthorized_client');
    expect(back.searchParams.get('state')).toBe('xyz-state');
    expect(back.searchParams.get('iss')).toBe('http://127.0.0.1:8787');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('shows a page, never a redirect, when the redirect URI is not registered', async () => {
    const f = await appWithUser({ grant_types: ['client_credentials'], redirect_uris: [] });
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge)}`, { headers: { cookie: f.cookie } });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.text).toContain('The redirect URI is not one this application registered.');
  });

  it('issues no refresh token to an application without the refresh_token grant, even with offline_access', async () => {
    const f = await appWithUser({ grant_types: ['authorization_code'] });
    const { verifier, challenge } = await pkce();
    const { redirect } = await authorize(f.app.client_id, f.cookie, challenge, { scope: 'all.full_access offline_access' });
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'authorization_code', code: redirect!.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(res.status).toBe(200);
    expect(json(res).access_token).toMatch(/^elk_at_/);
    expect(json(res)).not.toHaveProperty('refresh_token');
  });
});
