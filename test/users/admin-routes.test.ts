import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { addUser, countRows, PASSWORD, signedInUser, uniqueEmail } from './fixtures';

const usersWith = (email: string) => countRows('SELECT count(*) AS n FROM users WHERE email = ?', email);
const membersOf = (orgId: string) => countRows('SELECT count(*) AS n FROM memberships WHERE org_id = ?', orgId);

describe('POST /api/v1/admin/organizations/{id}/users', () => {
  it('creates a user with a password and answers with the membership, never the password or its hash', async () => {
    const { orgId } = await newTenant();
    const email = uniqueEmail();
    const res = await addUser(orgId, { email, name: 'Ada Lovelace', role: 'admin', password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      user_id: expect.stringMatching(/^usr_[0-9a-z]{24}$/),
      organization_id: orgId,
      email,
      name: 'Ada Lovelace',
      role: 'admin',
      has_password: true,
      is_platform_admin: false,
      created_at: expect.any(String),
      set_password_url: null,
      set_password_expires_at: null,
    });
    expect(res.text).not.toContain(PASSWORD);
    expect(res.text).not.toContain('pbkdf2');
  });

  it('stores the password as PBKDF2-SHA256 with 100,000 iterations and a 16-byte salt', async () => {
    const { orgId } = await newTenant();
    const email = uniqueEmail();
    await addUser(orgId, { email, role: 'member', password: PASSWORD });
    const row = await env.DB.prepare('SELECT password_hash FROM users WHERE email = ?').bind(email).first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  it('gives a user without a password a one-time set-password link, stored only as a hash', async () => {
    const { orgId } = await newTenant();
    const res = await addUser(orgId, { email: uniqueEmail(), role: 'member' });
    expect(res.status).toBe(201);
    expect(res.json.has_password).toBe(false);
    expect(res.json.set_password_url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/login\/set-password\/[A-Za-z0-9_-]{43}$/);
    const expiresIn = Date.parse(res.json.set_password_expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(23.9 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3600_000);
    const token = res.json.set_password_url.split('/').pop();
    const stored = await env.DB.prepare('SELECT token_hash FROM password_setup_tokens WHERE user_id = ?').bind(res.json.user_id).all<{ token_hash: string }>();
    expect(stored.results).toHaveLength(1);
    expect(stored.results[0]!.token_hash).not.toContain(token);
    expect(stored.results[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lower-cases the email, so another spelling is the same user', async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const email = uniqueEmail('Mixed.Case');
    const first = await addUser(a.orgId, { email: `  ${email.toUpperCase()} `, role: 'owner', password: PASSWORD });
    expect(first.json.email).toBe(email.toLowerCase());
    const second = await addUser(b.orgId, { email: email.toLowerCase(), role: 'member' });
    expect(second.status).toBe(201);
    expect(second.json.user_id).toBe(first.json.user_id);
    expect(await usersWith(email.toLowerCase())).toBe(1);
  });

  it('adds an existing user to a second organization with a role of its own, without a new link', async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const email = uniqueEmail();
    const first = await addUser(a.orgId, { email, role: 'owner', password: PASSWORD });
    const second = await addUser(b.orgId, { email, role: 'member' });
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({ user_id: first.json.user_id, organization_id: b.orgId, role: 'member', has_password: true, set_password_url: null });
  });

  it('answers 409 for a membership that already exists and changes nothing', async () => {
    const { orgId } = await newTenant();
    const email = uniqueEmail();
    await addUser(orgId, { email, role: 'member', password: PASSWORD });
    const again = await addUser(orgId, { email, role: 'owner' });
    expectError(again, 409, 'conflict');
    const row = await env.DB.prepare('SELECT role FROM memberships WHERE org_id = ?').bind(orgId).first<{ role: string }>();
    expect(row!.role).toBe('member');
  });

  it('answers 409 to a password for an existing user and leaves their password and memberships alone', async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const email = uniqueEmail();
    await addUser(a.orgId, { email, role: 'member', password: PASSWORD });
    const before = await env.DB.prepare('SELECT password_hash FROM users WHERE email = ?').bind(email).first<{ password_hash: string }>();
    expectError(await addUser(b.orgId, { email, role: 'admin', password: 'another long password' }), 409, 'conflict');
    const after = await env.DB.prepare('SELECT password_hash FROM users WHERE email = ?').bind(email).first<{ password_hash: string }>();
    expect(after!.password_hash).toBe(before!.password_hash);
    expect(await membersOf(b.orgId)).toBe(0);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email', role: 'member' }, 'email'],
    ['a password of 11 characters', { role: 'member', password: 'elevenchars' }, 'password'],
    ['a password over 256 characters', { role: 'member', password: 'x'.repeat(257) }, 'password'],
    ['an unknown role', { role: 'superuser' }, 'role'],
    ['a missing role', {}, 'role'],
    ['an unknown field', { role: 'member', is_platform_admin: true }, 'is_platform_admin'],
  ])('refuses %s with 400 and stores nothing', async (_, body, field) => {
    const { orgId } = await newTenant();
    const email = uniqueEmail();
    const err = expectError(await addUser(orgId, { email, ...body }), 400, 'validation_failed');
    expect(err.details!.map((d) => d.field)).toContain(field);
    expect(await usersWith(email)).toBe(0);
    expect(await membersOf(orgId)).toBe(0);
  });

  it('answers 404 for an organization that does not exist and stores nothing', async () => {
    const email = uniqueEmail();
    const res = await addUser('org_0000000000000000000000zz', { email, role: 'owner', password: PASSWORD });
    expectError(res, 404, 'not_found');
    expect(await usersWith(email)).toBe(0);
    expect(await countRows("SELECT count(*) AS n FROM memberships WHERE org_id = 'org_0000000000000000000000zz'")).toBe(0);
  });

  it('is for the operator only: an API key and a signed-in owner are refused', async () => {
    const owner = await signedInUser('owner');
    const body = { email: uniqueEmail(), role: 'member', password: PASSWORD };
    const path = `/api/v1/admin/organizations/${owner.orgId}/users`;
    expectError(await call(path, { method: 'POST', token: owner.apiKey, body }), 403, 'forbidden');
    expectError(await call(path, { method: 'POST', body, headers: { cookie: owner.cookie, 'sec-fetch-site': 'same-origin' } }), 403, 'forbidden');
    expectError(await call(path, { method: 'POST', body }), 401, 'unauthorized');
    expect(await usersWith(body.email)).toBe(0);
  });
});

describe('GET /api/v1/admin/organizations/{id}/users', () => {
  it('lists the members of one organization, newest first, without any password or hash', async () => {
    const { orgId } = await newTenant();
    const other = await newTenant('Other');
    const first = await addUser(orgId, { email: uniqueEmail('first'), role: 'owner', password: PASSWORD });
    const second = await addUser(orgId, { email: uniqueEmail('second'), role: 'member' });
    await addUser(other.orgId, { email: uniqueEmail('elsewhere'), role: 'owner' });
    const res = await asOperator(`/api/v1/admin/organizations/${orgId}/users`);
    expect(res.status).toBe(200);
    expect(res.json.data.map((m: any) => m.user_id)).toEqual([second.json.user_id, first.json.user_id]);
    expect(res.json.data[1]).toEqual({
      user_id: first.json.user_id,
      organization_id: orgId,
      email: first.json.email,
      name: null,
      role: 'owner',
      has_password: true,
      is_platform_admin: false,
      created_at: expect.any(String),
    });
    expect(res.json.next_cursor).toBeNull();
    expect(res.text).not.toMatch(/password_hash|pbkdf2|set_password_url/);
  });

  it('pages with limit and cursor', async () => {
    const { orgId } = await newTenant();
    for (const role of ['owner', 'admin', 'member'] as const) await addUser(orgId, { email: uniqueEmail(role), role });
    const page1 = await asOperator(`/api/v1/admin/organizations/${orgId}/users?limit=2`);
    expect(page1.json.data).toHaveLength(2);
    const page2 = await asOperator(`/api/v1/admin/organizations/${orgId}/users?limit=2&cursor=${page1.json.next_cursor}`);
    expect(page2.json.data).toHaveLength(1);
    expect(page2.json.next_cursor).toBeNull();
    expect(new Set([...page1.json.data, ...page2.json.data].map((m: any) => m.role))).toEqual(new Set(['owner', 'admin', 'member']));
  });

  it('answers 404 for an organization that does not exist', async () => {
    expectError(await asOperator('/api/v1/admin/organizations/org_0000000000000000000000zz/users'), 404, 'not_found');
  });
});
