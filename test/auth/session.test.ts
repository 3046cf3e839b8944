import { createExecutionContext, env } from 'cloudflare:test';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authenticate } from '../../src/app';
import { requireOrganization, requireRole } from '../../src/auth/middleware';
import { buildDeps } from '../../src/deps';
import type { AppEnv } from '../../src/env';
import { call, expectError, newTenant } from '../helpers/api';
import { addUser, asUser, PASSWORD, sessionCookieOf, signedInUser, submitLogin, uniqueEmail } from '../users/fixtures';

afterEach(() => vi.restoreAllMocks());

const stripe = { name: 'Stripe', offering_id: 'off_stripe' };
const createIntegration = (cookie: string, headers: Record<string, string> = {}) =>
  asUser(cookie, '/api/v1/integrations', { method: 'POST', body: stripe, headers });

/** A user who belongs to two organizations, signed in. */
async function userInTwoOrganizations() {
  const a = await newTenant('Alpha');
  const b = await newTenant('Beta');
  const email = uniqueEmail('two-orgs');
  await addUser(a.orgId, { email, role: 'member', password: PASSWORD });
  await addUser(b.orgId, { email, role: 'admin' });
  const cookie = sessionCookieOf(await submitLogin({ email, password: PASSWORD }));
  return { a, b, cookie };
}

describe('a session cookie on the management API', () => {
  it("reads its organization's resources", async () => {
    const user = await signedInUser('member');
    await call('/api/v1/integrations', { method: 'POST', token: user.apiKey, body: stripe });
    const other = await newTenant('Other');
    await call('/api/v1/integrations', { method: 'POST', token: other.apiKey, body: { ...stripe, name: 'Not yours' } });
    const res = await asUser(user.cookie, '/api/v1/integrations');
    expect(res.status).toBe(200);
    expect(res.json.data.map((i: any) => i.name)).toEqual(['Stripe']);
  });

  it('refuses a member any change with 403 forbidden', async () => {
    const user = await signedInUser('member');
    const err = expectError(await createIntegration(user.cookie), 403, 'forbidden');
    expect(err.message).toMatch(/your role cannot change this/i);
    const created = await call('/api/v1/integrations', { method: 'POST', token: user.apiKey, body: stripe });
    expectError(await asUser(user.cookie, `/api/v1/integrations/${created.json.id}`, { method: 'DELETE' }), 403, 'forbidden');
    expect((await call('/api/v1/integrations', { token: user.apiKey })).json.data).toHaveLength(1);
  });

  it.each(['admin', 'owner'] as const)('lets an %s make changes', async (role) => {
    const user = await signedInUser(role);
    const res = await createIntegration(user.cookie);
    expect(res.status).toBe(201);
    expect((await call('/api/v1/integrations', { token: user.apiKey })).json.data.map((i: any) => i.id)).toEqual([res.json.id]);
  });

  it('lets a non-browser client with the cookie write (no Origin, no Sec-Fetch-Site)', async () => {
    const user = await signedInUser('admin');
    const res = await call('/api/v1/integrations', { method: 'POST', body: stripe, headers: { cookie: user.cookie } });
    expect(res.status).toBe(201);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null without Sec-Fetch-Site', { origin: 'null' }],
  ])('refuses a cookie write with %s and stores nothing', async (_, headers) => {
    const user = await signedInUser('owner');
    const res = await call('/api/v1/integrations', { method: 'POST', body: stripe, headers: { cookie: user.cookie, ...headers } });
    expectError(res, 403, 'forbidden');
    expect((await call('/api/v1/integrations', { token: user.apiKey })).json.data).toHaveLength(0);
  });

  it('accepts a cookie write from our own origin', async () => {
    const user = await signedInUser('owner');
    const res = await call('/api/v1/integrations', { method: 'POST', body: stripe, headers: { cookie: user.cookie, origin: 'http://127.0.0.1:8787' } });
    expect(res.status).toBe(201);
  });

  it('refuses a cookie write that is not JSON with 415, as a form would send it', async () => {
    const user = await signedInUser('owner');
    const res = await call('/api/v1/integrations/int_0000000000000000000000aa/verify', {
      method: 'POST',
      rawBody: 'name=x',
      headers: { cookie: user.cookie, 'content-type': 'text/plain' },
    });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('still reads with a GET from another site: SameSite=Lax sends the cookie on navigations', async () => {
    const user = await signedInUser('member');
    expect((await asUser(user.cookie, '/api/v1/integrations', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });

  it('asks a user of several organizations which one, with the Edgelink-Organization header', async () => {
    const { cookie } = await userInTwoOrganizations();
    const err = expectError(await asUser(cookie, '/api/v1/integrations'), 400, 'validation_failed');
    expect(err.details).toEqual([{ location: 'header', field: 'Edgelink-Organization', message: expect.stringContaining('several organizations') }]);
  });

  it('acts in the named organization with the role held there', async () => {
    const { a, b, cookie } = await userInTwoOrganizations();
    await call('/api/v1/integrations', { method: 'POST', token: a.apiKey, body: { ...stripe, name: 'Alpha Stripe' } });
    const inA = await asUser(cookie, '/api/v1/integrations', { headers: { 'Edgelink-Organization': a.orgId } });
    expect(inA.json.data.map((i: any) => i.name)).toEqual(['Alpha Stripe']);
    // member in Alpha, admin in Beta
    expectError(await createIntegration(cookie, { 'Edgelink-Organization': a.orgId }), 403, 'forbidden');
    expect((await createIntegration(cookie, { 'Edgelink-Organization': b.orgId })).status).toBe(201);
    expect((await call('/api/v1/integrations', { token: b.apiKey })).json.data).toHaveLength(1);
  });

  it('answers 404 for an organization the user does not belong to, as for one that does not exist', async () => {
    const user = await signedInUser('owner');
    const stranger = await newTenant('Stranger');
    const notMember = await asUser(user.cookie, '/api/v1/integrations', { headers: { 'Edgelink-Organization': stranger.orgId } });
    const missing = await asUser(user.cookie, '/api/v1/integrations', { headers: { 'Edgelink-Organization': 'org_0000000000000000000000zz' } });
    expectError(notMember, 404, 'not_found');
    expectError(missing, 404, 'not_found');
    expect(notMember.json.error.message.replace(stranger.orgId, 'X')).toBe(missing.json.error.message.replace('org_0000000000000000000000zz', 'X'));
  });

  it('answers 400 to a malformed Edgelink-Organization header', async () => {
    const user = await signedInUser();
    const err = expectError(await asUser(user.cookie, '/api/v1/integrations', { headers: { 'Edgelink-Organization': 'acme' } }), 400, 'validation_failed');
    expect(err.details![0]).toMatchObject({ location: 'header', field: 'Edgelink-Organization' });
  });

  it('refuses a user who belongs to no organization', async () => {
    const user = await signedInUser();
    await env.DB.prepare('DELETE FROM memberships WHERE user_id = ?').bind(user.userId).run();
    expectError(await asUser(user.cookie, '/api/v1/integrations'), 403, 'forbidden');
  });

  it('is not the operator', async () => {
    const user = await signedInUser('owner');
    expectError(await asUser(user.cookie, '/api/v1/admin/organizations'), 403, 'forbidden');
  });

  it('lets an Authorization header win over the cookie', async () => {
    const user = await signedInUser('member');
    const res = await call('/api/v1/integrations', { method: 'POST', token: user.apiKey, body: stripe, headers: { cookie: user.cookie } });
    expect(res.status).toBe(201);
  });

  it('reads offerings and connection lists like any organization caller', async () => {
    const user = await signedInUser('member');
    expect((await asUser(user.cookie, '/api/v1/offerings')).status).toBe(200);
    expect((await asUser(user.cookie, '/api/v1/connections')).status).toBe(200);
  });

  it('logs the caller as a user of its organization, never the cookie', async () => {
    const user = await signedInUser('member');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args) => void lines.push(args.map(String).join(' ')));
    await asUser(user.cookie, '/api/v1/integrations');
    const entry = lines.map((l) => JSON.parse(l)).find((e) => e.msg === 'request');
    expect(entry).toMatchObject({ caller: 'user', org_id: user.orgId, status: 200 });
    expect(lines.join('\n')).not.toContain(user.cookie.split('=')[1]!);
  });
});

describe('requireRole', () => {
  // A route that even owners-and-admins-only reads would use; mounted on a probe app, as no route needs it yet.
  const probe = new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set('deps', await buildDeps(c.env, () => {}));
      c.set('caller', null);
      await next();
    })
    .use(authenticate)
    .use(requireOrganization)
    .get('/owner-only', requireRole('owner'), (c) => c.json({ ok: true }, 200));
  probe.onError((err, c) => c.json({ status: (err as { status?: number }).status ?? 500 }, 500));
  const statusOf = async (headers: Record<string, string>) => {
    const res = await probe.request('/owner-only', { headers }, env, createExecutionContext());
    return res.status === 200 ? 200 : ((await res.json()) as { status: number }).status;
  };

  it('lets the named roles and API keys through, and refuses other roles', async () => {
    const owner = await signedInUser('owner');
    const admin = await signedInUser('admin');
    expect(await statusOf({ cookie: owner.cookie })).toBe(200);
    expect(await statusOf({ cookie: admin.cookie })).toBe(403);
    expect(await statusOf({ authorization: `Bearer ${admin.apiKey}` })).toBe(200);
  });
});
