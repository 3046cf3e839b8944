import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { call, expectError, newTenant, cookieSet } from '../helpers/api';
import { addUser, asUser, browse, PASSWORD, postForm, sessionCookieOf, signedInUser, submitLogin, uniqueEmail, uniqueIp } from './fixtures';

async function newUser(body: Record<string, unknown> = {}) {
  const { orgId } = await newTenant();
  const email = uniqueEmail();
  const res = await addUser(orgId, { email, role: 'member', password: PASSWORD, ...body });
  if (res.status !== 201) throw new Error(res.text);
  return { orgId, email, userId: res.json.user_id as string, setPasswordUrl: res.json.set_password_url as string | null };
}

/** The page with the echoed email taken out: what must not differ between two failures. */
const withoutEmail = (text: string, email: string) => text.replaceAll(email, '{email}');

describe('GET /login', () => {
  it('shows an accessible sign-in form with labelled fields, autocomplete hints and no script', async () => {
    const res = await browse('/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toMatch(/<label for="email">Email<\/label>/);
    expect(res.text).toMatch(/<input id="email" name="email" type="email" autocomplete="username"/);
    expect(res.text).toMatch(/<label for="password">Password<\/label>/);
    expect(res.text).toMatch(/<input id="password" name="password" type="password" autocomplete="current-password"/);
    expect(res.text).toContain('<form method="post" action="/login">');
    expect(res.text).not.toContain('<script');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('carries a safe next through the form, and drops an unsafe one', async () => {
    expect((await browse('/login?next=%2Fconsole%2Flinks%3Fpage%3D2')).text).toContain('name="next" value="/console/links?page=2"');
    expect((await browse('/login?next=https%3A%2F%2Fevil.example')).text).toContain('name="next" value="/console"');
  });

  it('shows a signed-in browser who it is and a sign-out button', async () => {
    const user = await signedInUser('admin');
    const res = await browse('/login', { headers: { cookie: user.cookie } });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`Signed in as ${user.email}.`);
    expect(res.text).toContain('admin org');
    expect(res.text).toContain('<form method="post" action="/logout">');
  });

  it('sends a signed-in browser with a next straight on', async () => {
    const user = await signedInUser();
    const res = await browse('/login?next=%2Foauth%2Fauthorize%3Fclient_id%3Dabc', { headers: { cookie: user.cookie } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/oauth/authorize?client_id=abc');
  });
});

describe('POST /login', () => {
  it('signs in: sets an HttpOnly SameSite=Lax session cookie for 12 hours, stored hashed, and redirects with 303', async () => {
    const { email, userId } = await newUser();
    const res = await submitLogin({ email, password: PASSWORD, next: '/console' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const cookie = cookieSet(res.headers)!;
    // http://127.0.0.1 in tests: browsers drop Secure cookies over http, so the plain name (see the https test).
    expect(cookie).toMatch(/^elk_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    const token = sessionCookieOf(res).split('=')[1]!;
    const rows = await env.DB.prepare('SELECT token_hash, expires_at FROM sessions WHERE user_id = ?')
      .bind(userId)
      .all<{ token_hash: string; expires_at: number }>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.results[0]!.token_hash).not.toContain(token);
    expect(rows.results[0]!.expires_at - Date.now()).toBeGreaterThan(11.9 * 3600_000);
  });

  it('sets a __Host- cookie with Secure when PUBLIC_URL is https', async () => {
    const { email } = await newUser();
    const https = { ...env, PUBLIC_URL: 'https://edgelink.example' };
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request('https://edgelink.example/login', {
        method: 'POST',
        body: new URLSearchParams({ email, password: PASSWORD }),
        headers: { 'sec-fetch-site': 'same-origin', 'cf-connecting-ip': uniqueIp() },
        redirect: 'manual',
      }),
      https,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(303);
    expect(cookieSet(res.headers)).toMatch(/^__Host-elk_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/);

    const cookie = cookieSet(res.headers)!.split(';')[0]!;
    const ctx2 = createExecutionContext();
    const api = await app.fetch(new Request('https://edgelink.example/api/v1/integrations', { headers: { cookie } }), https, ctx2);
    await waitOnExecutionContext(ctx2);
    expect(api.status).toBe(200);
  });

  it('accepts the email in any case and with spaces around it', async () => {
    const { email } = await newUser();
    expect((await submitLogin({ email: `  ${email.toUpperCase()} `, password: PASSWORD })).status).toBe(303);
  });

  it('answers a wrong password and an unknown email identically, with the failure announced', async () => {
    const { email } = await newUser();
    const unknown = uniqueEmail('nobody');
    const wrong = await submitLogin({ email, password: 'not the password at all' });
    const missing = await submitLogin({ email: unknown, password: 'not the password at all' });
    expect(wrong.status).toBe(400);
    expect(missing.status).toBe(wrong.status);
    expect(withoutEmail(missing.text, unknown)).toBe(withoutEmail(wrong.text, email));
    expect([...missing.headers.keys()].sort()).toEqual([...wrong.headers.keys()].sort());
    expect(cookieSet(wrong.headers)).toBeNull();
    expect(wrong.text).toContain('role="alert"');
    expect(wrong.text).toContain('That email and password do not match an account.');
    expect(wrong.text).toContain('aria-invalid="true"');
    expect(wrong.text).not.toContain('not the password at all');
  });

  it('answers a user who has no password yet like any failed sign-in', async () => {
    const { email } = await newUser({ password: undefined });
    const unknown = uniqueEmail('nobody');
    const pending = await submitLogin({ email, password: PASSWORD });
    const missing = await submitLogin({ email: unknown, password: PASSWORD });
    expect(pending.status).toBe(400);
    expect(withoutEmail(pending.text, email)).toBe(withoutEmail(missing.text, unknown));
  });

  it('takes as long for an unknown email as for a wrong password: both run PBKDF2', async () => {
    const { email } = await newUser();
    // Warm up, then compare medians; a skipped PBKDF2 would be an order of magnitude faster.
    await submitLogin({ email, password: 'warm up the isolate' });
    const time = async (address: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await submitLogin({ email: address, password: 'not the password at all' });
        runs.push(performance.now() - started);
      }
      return runs.sort((a, b) => a - b)[1]!;
    };
    const wrong = await time(email);
    const unknown = await time(uniqueEmail('nobody'));
    expect(unknown).toBeGreaterThan(wrong * 0.5);
  });

  it('asks for both fields without counting an attempt', async () => {
    const res = await submitLogin({ email: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Enter your email and your password.');
  });

  it.each([
    ['a protocol-relative URL', '//evil.example/steal'],
    ['an absolute URL', 'https://evil.example/steal'],
    ['a backslash path', '/\\evil.example'],
    ['a tab that the URL parser would drop', '/\t/evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path without a slash', 'evil.example'],
    ['an encoded double slash at the start', '%2F%2Fevil.example'],
    ['dot segments that collapse into a double slash', '/..//evil.example'],
    ['a single dot segment before a double slash', '/.//evil.example'],
    ['encoded dot segments', '/%2e%2e//evil.example'],
    ['a climb out of a path into a double slash', '/console/..//evil.example'],
  ])('refuses an open redirect through next: %s', async (_, next) => {
    const { email } = await newUser();
    const res = await submitLogin({ email, password: PASSWORD, next });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
  });

  it('keeps the path and query of a next on this site', async () => {
    const { email } = await newUser();
    const res = await submitLogin({ email, password: PASSWORD, next: '/oauth/authorize?client_id=x&scope=a%20b' });
    expect(res.headers.get('location')).toBe('/oauth/authorize?client_id=x&scope=a%20b');
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['a foreign Origin', { 'sec-fetch-site': '', origin: 'https://evil.example' }],
    ['no sign of where it came from', { 'sec-fetch-site': '', origin: '' }],
  ])('refuses a sign-in post with %s', async (_, headers) => {
    const { email } = await newUser();
    const sent = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
    const res = await browse('/login', {
      method: 'POST',
      rawBody: new URLSearchParams({ email, password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': uniqueIp(), ...sent },
    });
    expect(res.status).toBe(403);
    expect(cookieSet(res.headers)).toBeNull();
  });

  it('accepts our own form post that says Origin: null under no-referrer when Sec-Fetch-Site is same-origin', async () => {
    const { email } = await newUser();
    const res = await submitLogin({ email, password: PASSWORD }, uniqueIp(), { origin: 'null' });
    expect(res.status).toBe(303);
  });

  it('replaces the session the browser already had', async () => {
    const user = await signedInUser();
    const again = await submitLogin({ email: user.email, password: PASSWORD }, uniqueIp(), { cookie: user.cookie });
    expect(again.status).toBe(303);
    expectError(await asUser(user.cookie, '/api/v1/integrations'), 401, 'unauthorized');
    expect((await asUser(sessionCookieOf(again), '/api/v1/integrations')).status).toBe(200);
  });
});

describe('sessions', () => {
  it('lets the cookie call the API until logout, then answers 401', async () => {
    const user = await signedInUser();
    expect((await asUser(user.cookie, '/api/v1/integrations')).status).toBe(200);
    const out = await postForm('/logout', {}, { cookie: user.cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect(cookieSet(out.headers)).toMatch(/^elk_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').bind(user.userId).first('n')).toBe(0);
    const after = await asUser(user.cookie, '/api/v1/integrations');
    expectError(after, 401, 'unauthorized');
  });

  it('refuses a logout posted from another site', async () => {
    const user = await signedInUser();
    const res = await postForm('/logout', {}, { cookie: user.cookie, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect((await asUser(user.cookie, '/api/v1/integrations')).status).toBe(200);
  });

  it('answers 401 to an expired session', async () => {
    const user = await signedInUser();
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1, user.userId)
      .run();
    expectError(await asUser(user.cookie, '/api/v1/integrations'), 401, 'unauthorized');
    expect((await browse('/login', { headers: { cookie: user.cookie } })).text).toContain('<form method="post" action="/login">');
  });

  it('answers 401 to a made-up session cookie', async () => {
    expectError(await call('/api/v1/integrations', { headers: { cookie: `elk_session=${'A'.repeat(43)}` } }), 401, 'unauthorized');
  });
});
