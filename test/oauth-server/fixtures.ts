import { exports } from 'cloudflare:workers';
import { base64urlEncode, randomToken, sha256Bytes } from '../../src/lib/crypto';
import { asOperator, BASE, call, newTenant } from '../helpers/api';

export const REDIRECT = 'https://client.example.com/callback';

let counter = 0;

/** A tenant with a signed-in member, and an OAuth application registered by its API key. */
export async function appWithUser(appBody: Record<string, unknown> = {}) {
  return appWithUserIn(await newTenant('App org'), appBody);
}

/** appWithUser in a tenant made elsewhere (one with an integration and connections, say). */
export async function appWithUserIn<T extends { orgId: string; apiKey: string }>(tenant: T, appBody: Record<string, unknown> = {}) {
  const email = `user${Date.now().toString(36)}${counter++}@example.com`;
  const password = 'correct horse battery staple';
  const user = await asOperator(`/api/v1/admin/organizations/${tenant.orgId}/users`, {
    method: 'POST',
    body: { email, password, role: 'admin' },
  });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${user.text}`);
  const app = await call('/api/v1/applications', {
    method: 'POST',
    token: tenant.apiKey,
    body: { name: 'Reporting app', description: 'Builds reports.', redirect_uris: [REDIRECT], ...appBody },
  });
  if (app.status !== 201) throw new Error(`application: ${app.status} ${app.text}`);
  const cookie = await signIn(email, password);
  return { ...tenant, email, password, userId: user.json.user_id as string, cookie, app: app.json as { id: string; client_id: string; client_secret: string } };
}

/** An access token by client credentials (no user) for the application, with these scopes. */
export async function clientCredentialsToken(app: { client_id: string; client_secret: string }, scope: string): Promise<string> {
  const res = await oauthPost('/oauth/token', { grant_type: 'client_credentials', scope }, { authorization: basic(app.client_id, app.client_secret) });
  if (res.status !== 200) throw new Error(`client credentials: ${res.status} ${res.text}`);
  return JSON.parse(res.text).access_token as string;
}

/** Signs in through the login form, returning the session cookie. */
export async function signIn(email: string, password: string): Promise<string> {
  const res = await browser('/login', {
    method: 'POST',
    body: new URLSearchParams({ email, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: BASE, 'sec-fetch-site': 'same-origin' },
  });
  const setCookie = res.headers.get('set-cookie');
  if (!setCookie) throw new Error(`sign-in failed: ${res.status}`);
  return setCookie.split(';')[0]!;
}

/** A request as a browser sends it; redirects are returned, not followed. */
export async function browser(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const res = await exports.default.fetch(
    new Request(path.startsWith('http') ? path : BASE + path, { method: init.method ?? 'GET', body: init.body, headers: init.headers, redirect: 'manual' }),
  );
  return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function pkce() {
  const verifier = randomToken(32);
  return { verifier, challenge: base64urlEncode(await sha256Bytes(verifier)) };
}

export function authorizeQuery(clientId: string, challenge: string, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'all.full_access offline_access',
    state: 'xyz-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

/** GET /oauth/authorize, then Allow on the consent page; returns the redirect back to the client. */
export async function authorize(clientId: string, cookie: string, challenge: string, extra: Record<string, string> = {}, decision = 'allow') {
  const page = await browser(`/oauth/authorize?${authorizeQuery(clientId, challenge, extra)}`, { headers: { cookie } });
  if (page.status !== 200) return { page, redirect: null as URL | null };
  const requestId = /name="request_id" value="([^"]+)"/.exec(page.text)![1]!;
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)![1]!;
  const orgId = /name="organization_id" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const post = await browser('/oauth/authorize', {
    method: 'POST',
    body: new URLSearchParams({ request_id: requestId, csrf_token: csrf, decision, organization_id: orgId }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: BASE, 'sec-fetch-site': 'same-origin' },
  });
  return { page, post, redirect: post.headers.get('location') ? new URL(post.headers.get('location')!) : null };
}

/** POST to an OAuth endpoint as a client does. */
export function oauthPost(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return browser(path, {
    method: 'POST',
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

export const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

/** The full code flow up to tokens. */
export async function tokensFor(fixture: Awaited<ReturnType<typeof appWithUser>>, scope = 'all.full_access offline_access') {
  const { verifier, challenge } = await pkce();
  const { redirect } = await authorize(fixture.app.client_id, fixture.cookie, challenge, { scope });
  const code = redirect!.searchParams.get('code')!;
  const res = await oauthPost(
    '/oauth/token',
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
    { authorization: basic(fixture.app.client_id, fixture.app.client_secret) },
  );
  return { res, json: JSON.parse(res.text), code, verifier };
}
