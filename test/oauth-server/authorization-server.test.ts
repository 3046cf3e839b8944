import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, call } from '../helpers/api';
import { appWithUser, authorize, authorizeQuery, basic, browser, oauthPost, pkce, REDIRECT, signIn, tokensFor } from './fixtures';

const json = (res: { text: string }) => JSON.parse(res.text);

describe('metadata (RFC 8414)', () => {
  it('describes the endpoints under PUBLIC_URL', async () => {
    const res = await browser('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({
      issuer: 'http://127.0.0.1:8787',
      authorization_endpoint: 'http://127.0.0.1:8787/oauth/authorize',
      token_endpoint: 'http://127.0.0.1:8787/oauth/token',
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
  });
});

describe('authorization code with PKCE', () => {
  it('issues tokens after consent, with state and iss on the redirect', async () => {
    const f = await appWithUser();
    const { verifier, challenge } = await pkce();
    const { page, redirect } = await authorize(f.app.client_id, f.cookie, challenge);
    expect(page.text).toContain('Reporting app');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(redirect!.origin + redirect!.pathname).toBe(REDIRECT);
    expect(redirect!.searchParams.get('state')).toBe('xyz-state');
    expect(redirect!.searchParams.get('iss')).toBe('http://127.0.0.1:8787');
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'authorization_code', code: redirect!.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = json(res);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'all.full_access offline_access' });
    expect(tokens.access_token).toMatch(/^elk_at_/);
    expect(tokens.refresh_token).toMatch(/^elk_rt_/);
    const stored = await env.DB.prepare('SELECT token_hash FROM oauth_tokens').all<{ token_hash: string }>();
    expect(JSON.stringify(stored.results)).not.toContain(tokens.access_token);
  });

  it('sends an unsigned-in user to the sign-in page and back', async () => {
    const f = await appWithUser();
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge)}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/login\?next=%2Foauth%2Fauthorize%3F/);
  });

  it('redirects access_denied when the user denies', async () => {
    const f = await appWithUser();
    const { challenge } = await pkce();
    const { redirect } = await authorize(f.app.client_id, f.cookie, challenge, {}, 'deny');
    expect(redirect!.searchParams.get('error')).toBe('access_denied');
    expect(redirect!.searchParams.get('state')).toBe('xyz-state');
    expect(redirect!.searchParams.has('code')).toBe(false);
  });
});

describe('authorization request errors', () => {
  it.each([
    ['a trailing slash', `${REDIRECT}/`],
    ['different case', REDIRECT.replace('client', 'CLIENT')],
    ['another port', 'https://client.example.com:8443/callback'],
    ['userinfo', 'https://evil@client.example.com/callback'],
    ['encoded characters', 'https://client.example.com/%63allback'],
    ['an extra query', `${REDIRECT}?x=1`],
  ])('shows our page, never redirects, for a redirect_uri with %s', async (_label, redirectUri) => {
    const f = await appWithUser();
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge, { redirect_uri: redirectUri })}`, {
      headers: { cookie: f.cookie },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.text).toContain('redirect URI');
  });

  it('shows our page for an unknown client', async () => {
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery('elk_ci_unknown', challenge)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it.each([
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['missing PKCE', { code_challenge: '' }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a scope the app may not ask for', { scope: 'admin.everything' }, 'invalid_scope'],
  ])('redirects %s back with an error, state and iss', async (_label, extra, error) => {
    const f = await appWithUser({ scopes: ['connections.read', 'offline_access'] });
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge, { scope: 'connections.read', ...extra })}`, {
      headers: { cookie: f.cookie },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('xyz-state');
    expect(location.searchParams.get('iss')).toBe('http://127.0.0.1:8787');
  });

  it('refuses a private application to a user of another organization', async () => {
    const owner = await appWithUser();
    const outsider = await appWithUser();
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(owner.app.client_id, challenge)}`, { headers: { cookie: outsider.cookie } });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });

  it('refuses a consent POST without or with a wrong CSRF token', async () => {
    const f = await appWithUser();
    const { challenge } = await pkce();
    const page = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge)}`, { headers: { cookie: f.cookie } });
    const requestId = /name="request_id" value="([^"]+)"/.exec(page.text)![1]!;
    for (const csrf of ['', 'wrong-token']) {
      const res = await browser('/oauth/authorize', {
        method: 'POST',
        body: new URLSearchParams({ request_id: requestId, csrf_token: csrf, decision: 'allow' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  it('stops an inactive application at the authorization endpoint', async () => {
    const f = await appWithUser();
    await call(`/api/v1/applications/${f.app.id}`, { method: 'PATCH', token: f.apiKey, body: { active: false } });
    const { challenge } = await pkce();
    const res = await browser(`/oauth/authorize?${authorizeQuery(f.app.client_id, challenge)}`, { headers: { cookie: f.cookie } });
    expect(res.status).toBe(400);
  });
});

describe('token endpoint errors', () => {
  it('refuses a wrong code_verifier', async () => {
    const f = await appWithUser();
    const { challenge } = await pkce();
    const { redirect } = await authorize(f.app.client_id, f.cookie, challenge);
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'authorization_code', code: redirect!.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_grant');
  });

  it('refuses a replayed code and revokes what it issued', async () => {
    const f = await appWithUser();
    const first = await tokensFor(f);
    expect(first.res.status).toBe(200);
    const replay = await oauthPost(
      '/oauth/token',
      { grant_type: 'authorization_code', code: first.code, redirect_uri: REDIRECT, code_verifier: first.verifier },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(json(replay).error).toBe('invalid_grant');
    const introspected = await oauthPost(
      '/oauth/introspect',
      { token: first.json.access_token },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(json(introspected)).toEqual({ active: false });
  });

  it("refuses another client's code", async () => {
    const f = await appWithUser();
    const other = await call('/api/v1/applications', { method: 'POST', token: f.apiKey, body: { name: 'Other', redirect_uris: [REDIRECT] } });
    const { verifier, challenge } = await pkce();
    const { redirect } = await authorize(f.app.client_id, f.cookie, challenge);
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'authorization_code', code: redirect!.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier },
      { authorization: basic(other.json.client_id, other.json.client_secret) },
    );
    expect(json(res).error).toBe('invalid_grant');
  });

  it('refuses a redirect_uri that differs from the authorization request', async () => {
    const f = await appWithUser({ redirect_uris: [REDIRECT, 'https://client.example.com/other'] });
    const { verifier, challenge } = await pkce();
    const { redirect } = await authorize(f.app.client_id, f.cookie, challenge);
    const res = await oauthPost(
      '/oauth/token',
      {
        grant_type: 'authorization_code',
        code: redirect!.searchParams.get('code')!,
        redirect_uri: 'https://client.example.com/other',
        code_verifier: verifier,
      },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(json(res).error).toBe('invalid_grant');
  });

  it.each([
    ['a wrong secret', (id: string) => ({ headers: { authorization: basic(id, 'elk_cs_wrong') }, form: {} })],
    ['no authentication', () => ({ headers: {}, form: {} })],
    ['only a client_id (a public client)', (id: string) => ({ headers: {}, form: { client_id: id } })],
    ['a malformed Basic header', () => ({ headers: { authorization: 'Basic !!!' }, form: {} })],
  ])('answers 401 invalid_client with WWW-Authenticate for %s', async (_label, make) => {
    const f = await appWithUser();
    const { headers, form } = make(f.app.client_id);
    const res = await oauthPost('/oauth/token', { grant_type: 'client_credentials', ...form }, headers);
    expect(res.status).toBe(401);
    expect(json(res).error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('refuses doubled client authentication', async () => {
    const f = await appWithUser();
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: f.app.client_id, client_secret: f.app.client_secret },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_request');
  });

  it('accepts client_secret_post', async () => {
    const f = await appWithUser();
    const res = await oauthPost('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: f.app.client_id,
      client_secret: f.app.client_secret,
      scope: 'all.full_access',
    });
    expect(res.status).toBe(200);
    expect(json(res).refresh_token).toBeUndefined();
  });

  it('refuses JSON and GET at the token endpoint', async () => {
    const f = await appWithUser();
    const asJson = await browser('/oauth/token', {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credentials' }),
      headers: { 'content-type': 'application/json', authorization: basic(f.app.client_id, f.app.client_secret) },
    });
    expect(asJson.status).toBe(400);
    expect(json(asJson).error).toBe('invalid_request');
    const asGet = await browser('/oauth/token');
    expect(asGet.status).toBe(405);
  });

  it('refuses an oversized body', async () => {
    const f = await appWithUser();
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'x'.repeat(20_000) },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(res.status).toBe(400);
    expect(json(res).error).toBe('invalid_request');
  });

  it('refuses an unsupported grant type and repeated parameters', async () => {
    const f = await appWithUser();
    const auth = { authorization: basic(f.app.client_id, f.app.client_secret) };
    expect(json(await oauthPost('/oauth/token', { grant_type: 'password' }, auth)).error).toBe('unsupported_grant_type');
    const repeated = await browser('/oauth/token', {
      method: 'POST',
      body: 'grant_type=client_credentials&grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
    });
    expect(json(repeated).error).toBe('invalid_request');
  });

  it('stops token grants after the application is deactivated, and its tokens fail', async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f);
    await call(`/api/v1/applications/${f.app.id}`, { method: 'PATCH', token: f.apiKey, body: { active: false } });
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(res.status).toBe(401);
    const userinfo = await browser('/oauth/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
  });

  it('refuses the old secret after rotation', async () => {
    const f = await appWithUser();
    const rotated = await call(`/api/v1/applications/${f.app.id}/secret`, { method: 'POST', token: f.apiKey });
    const old = await oauthPost('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(f.app.client_id, f.app.client_secret) });
    expect(old.status).toBe(401);
    const fresh = await oauthPost('/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(f.app.client_id, rotated.json.client_secret) });
    expect(fresh.status).toBe(200);
  });
});

describe('refresh tokens', () => {
  it('rotate, and a reused one revokes the grant', async () => {
    const f = await appWithUser();
    const { json: first } = await tokensFor(f);
    const auth = { authorization: basic(f.app.client_id, f.app.client_secret) };
    const second = await oauthPost('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token }, auth);
    expect(second.status).toBe(200);
    const rotated = json(second);
    expect(rotated.refresh_token).not.toBe(first.refresh_token);

    const reuse = await oauthPost('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token }, auth);
    expect(json(reuse).error).toBe('invalid_grant');
    const afterReuse = await oauthPost('/oauth/token', { grant_type: 'refresh_token', refresh_token: rotated.refresh_token }, auth);
    expect(json(afterReuse).error).toBe('invalid_grant');
  });

  it('cannot widen the scope', async () => {
    const f = await appWithUser({ scopes: ['connections.read', 'integrations.read', 'offline_access'] });
    const { json: tokens } = await tokensFor(f, 'connections.read offline_access');
    const res = await oauthPost(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'connections.read integrations.read offline_access' },
      { authorization: basic(f.app.client_id, f.app.client_secret) },
    );
    expect(json(res).error).toBe('invalid_scope');
  });

  it('is not issued without offline_access', async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f, 'all.full_access');
    expect(tokens.refresh_token).toBeUndefined();
  });
});

describe('revocation (RFC 7009) and introspection (RFC 7662)', () => {
  it('introspects a live token for its client only, and revokes it', async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f);
    const auth = { authorization: basic(f.app.client_id, f.app.client_secret) };
    const live = json(await oauthPost('/oauth/introspect', { token: tokens.access_token }, auth));
    expect(live).toMatchObject({ active: true, client_id: f.app.client_id, scope: 'all.full_access offline_access', organization_id: f.orgId });

    const other = await call('/api/v1/applications', { method: 'POST', token: f.apiKey, body: { name: 'Other', redirect_uris: [REDIRECT] } });
    const foreign = await oauthPost(
      '/oauth/introspect',
      { token: tokens.access_token },
      { authorization: basic(other.json.client_id, other.json.client_secret) },
    );
    expect(json(foreign)).toEqual({ active: false });

    const revoked = await oauthPost('/oauth/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token' }, auth);
    expect(revoked.status).toBe(200);
    expect(json(await oauthPost('/oauth/introspect', { token: tokens.access_token }, auth))).toEqual({ active: false });
  });

  it('answers 200 for an unknown token', async () => {
    const f = await appWithUser();
    const res = await oauthPost('/oauth/revoke', { token: 'elk_at_unknown' }, { authorization: basic(f.app.client_id, f.app.client_secret) });
    expect(res.status).toBe(200);
  });
});

describe('userinfo', () => {
  it('describes the signed-in user of an access token', async () => {
    const f = await appWithUser();
    const { json: tokens } = await tokensFor(f);
    const res = await browser('/oauth/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ email: f.email, organization_id: f.orgId });
  });
});

describe('roles', () => {
  it('does not let a member grant write scopes, but lets them grant reads', async () => {
    const f = await appWithUser({ scopes: ['all.full_access', 'connections.read', 'offline_access'] });
    const email = `member${Date.now()}@example.com`;
    await asOperator(`/api/v1/admin/organizations/${f.orgId}/users`, { method: 'POST', body: { email, password: f.password, role: 'member' } });
    const cookie = await signIn(email, f.password);
    const { challenge } = await pkce();
    const write = await authorize(f.app.client_id, cookie, challenge, { scope: 'all.full_access' });
    expect(write.redirect!.searchParams.get('error')).toBe('access_denied');
    const read = await authorize(f.app.client_id, cookie, challenge, { scope: 'connections.read' });
    expect(read.redirect!.searchParams.get('code')).toBeTruthy();
  });
});
