import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { addUser, PASSWORD, signedInUser, uniqueEmail } from './fixtures';

const isPlatformAdmin = async (userId: string) =>
  (await env.DB.prepare('SELECT is_platform_admin AS v FROM users WHERE id = ?').bind(userId).first<{ v: number }>())!.v === 1;
const roleOf = async (orgId: string, userId: string) =>
  (await env.DB.prepare('SELECT role FROM memberships WHERE org_id = ? AND user_id = ?').bind(orgId, userId).first<{ role: string }>())?.role ?? null;

const setAdmin = (userId: string, body: unknown) => asOperator(`/api/v1/admin/users/${userId}`, { method: 'PATCH', body });
const changeRole = (orgId: string, userId: string, body: unknown) =>
  asOperator(`/api/v1/admin/organizations/${orgId}/users/${userId}`, { method: 'PATCH', body });
const remove = (orgId: string, userId: string) => asOperator(`/api/v1/admin/organizations/${orgId}/users/${userId}`, { method: 'DELETE' });

async function member(orgId: string, role: 'owner' | 'admin' | 'member') {
  const res = await addUser(orgId, { email: uniqueEmail(role), role, password: PASSWORD });
  return res.json.user_id as string;
}

describe('PATCH /api/v1/admin/users/{id}', () => {
  it('makes a user a platform admin and takes it away again, answering with the user and no secret', async () => {
    const { orgId } = await newTenant();
    const userId = await member(orgId, 'member');
    const made = await setAdmin(userId, { is_platform_admin: true });
    expect(made.status).toBe(200);
    expect(made.json).toEqual({
      id: userId,
      email: expect.any(String),
      name: null,
      is_platform_admin: true,
      has_password: true,
      created_at: expect.any(String),
    });
    expect(made.text).not.toMatch(/pbkdf2|password_hash/);
    expect(await isPlatformAdmin(userId)).toBe(true);
    // Setting it twice is no error: scripts may rerun.
    expect((await setAdmin(userId, { is_platform_admin: true })).status).toBe(200);
    expect((await setAdmin(userId, { is_platform_admin: false })).json.is_platform_admin).toBe(false);
    expect(await isPlatformAdmin(userId)).toBe(false);
  });

  it('a platform admin made through the API reaches the operator console', async () => {
    const owner = await signedInUser('owner');
    const before = await call('/console/admin/organizations', { headers: { cookie: owner.cookie } });
    expect(before.status).toBe(404);
    await setAdmin(owner.userId, { is_platform_admin: true });
    const after = await call('/console/admin/organizations', { headers: { cookie: owner.cookie } });
    expect(after.status).toBe(200);
  });

  it('answers 404 for an unknown user', async () => {
    expectError(await setAdmin('usr_0000000000000000000000zz', { is_platform_admin: true }), 404, 'not_found');
  });

  it('refuses wrong types, unknown fields and a malformed id with 400 in the one error shape, changing nothing', async () => {
    const { orgId } = await newTenant();
    const userId = await member(orgId, 'member');
    for (const body of [{ is_platform_admin: 'true' }, { is_platform_admin: 1 }, { is_platform_admin: null }, {}]) {
      const error = expectError(await setAdmin(userId, body), 400, 'validation_failed');
      expect(error.details).toEqual([expect.objectContaining({ location: 'body', field: 'is_platform_admin' })]);
    }
    const extra = expectError(await setAdmin(userId, { is_platform_admin: true, role: 'owner' }), 400, 'validation_failed');
    expect(extra.details).toEqual([{ location: 'body', field: 'role', message: 'is not a known field' }]);
    expectError(await setAdmin('not-a-user', { is_platform_admin: true }), 400, 'validation_failed');
    expect(await isPlatformAdmin(userId)).toBe(false);
  });

  it('is for the operator only: an API key and a signed-in owner are refused', async () => {
    const owner = await signedInUser('owner');
    const path = `/api/v1/admin/users/${owner.userId}`;
    const body = { is_platform_admin: true };
    expectError(await call(path, { method: 'PATCH', token: owner.apiKey, body }), 403, 'forbidden');
    expectError(await call(path, { method: 'PATCH', body, headers: { cookie: owner.cookie, 'sec-fetch-site': 'same-origin' } }), 403, 'forbidden');
    expectError(await call(path, { method: 'PATCH', body }), 401, 'unauthorized');
    expect(await isPlatformAdmin(owner.userId)).toBe(false);
  });
});

describe('PATCH and DELETE /api/v1/admin/organizations/{id}/users/{userId}', () => {
  it("changes a member's role", async () => {
    const { orgId } = await newTenant();
    await member(orgId, 'owner');
    const userId = await member(orgId, 'member');
    const res = await changeRole(orgId, userId, { role: 'admin' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ user_id: userId, organization_id: orgId, role: 'admin' });
    expect(await roleOf(orgId, userId)).toBe('admin');
  });

  it('keeps at least one owner: the last owner can be neither demoted nor removed', async () => {
    const { orgId } = await newTenant();
    const owner = await member(orgId, 'owner');
    expectError(await changeRole(orgId, owner, { role: 'admin' }), 409, 'last_owner');
    expectError(await remove(orgId, owner), 409, 'last_owner');
    expect(await roleOf(orgId, owner)).toBe('owner');
    // With a second owner, either may go.
    const second = await member(orgId, 'owner');
    expect((await changeRole(orgId, owner, { role: 'member' })).status).toBe(200);
    expectError(await remove(orgId, second), 409, 'last_owner');
  });

  it('two owners demoting each other at once leave one owner', async () => {
    const { orgId } = await newTenant();
    const a = await member(orgId, 'owner');
    const b = await member(orgId, 'owner');
    const results = await Promise.all([changeRole(orgId, a, { role: 'member' }), changeRole(orgId, b, { role: 'member' })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect([await roleOf(orgId, a), await roleOf(orgId, b)]).toContain('owner');
  });

  it('removes a member, who keeps their account', async () => {
    const { orgId } = await newTenant();
    await member(orgId, 'owner');
    const userId = await member(orgId, 'admin');
    const res = await remove(orgId, userId);
    expect(res.status).toBe(204);
    expect(await roleOf(orgId, userId)).toBeNull();
    expect(await env.DB.prepare('SELECT id FROM users WHERE id = ?').bind(userId).first()).not.toBeNull();
    expectError(await remove(orgId, userId), 404, 'not_found');
  });

  it('answers 404 for someone who is not a member, 400 for a bad role or ids', async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const outsider = await member(b.orgId, 'member');
    expectError(await changeRole(a.orgId, outsider, { role: 'admin' }), 404, 'not_found');
    expectError(await remove(a.orgId, outsider), 404, 'not_found');
    const bad = expectError(await changeRole(b.orgId, outsider, { role: 'superuser' }), 400, 'validation_failed');
    expect(bad.details).toEqual([expect.objectContaining({ field: 'role' })]);
    expectError(await changeRole(b.orgId, outsider, {}), 400, 'validation_failed');
    expectError(await changeRole('org_x', outsider, { role: 'admin' }), 400, 'validation_failed');
    expect(await roleOf(b.orgId, outsider)).toBe('member');
  });

  it('is for the operator only', async () => {
    const owner = await signedInUser('owner');
    const path = `/api/v1/admin/organizations/${owner.orgId}/users/${owner.userId}`;
    expectError(await call(path, { method: 'DELETE', token: owner.apiKey }), 403, 'forbidden');
    expectError(await call(path, { method: 'PATCH', body: { role: 'member' } }), 401, 'unauthorized');
    expect(await roleOf(owner.orgId, owner.userId)).toBe('owner');
  });
});
