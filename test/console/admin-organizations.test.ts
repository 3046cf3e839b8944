import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, newTenant } from '../helpers/api';
import { addUser, PASSWORD, uniqueEmail } from '../users/fixtures';
import { consoleUser, page, platformAdmin, submit } from './fixtures';

const PATH = '/console/admin/organizations';

const countOrgsNamed = async (name: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM organizations WHERE name = ?').bind(name).first<{ n: number }>())!.n;
const roleOf = async (orgId: string, userId: string) =>
  (await env.DB.prepare('SELECT role FROM memberships WHERE org_id = ? AND user_id = ?').bind(orgId, userId).first<{ role: string }>())?.role ?? null;
const isPlatformAdmin = async (userId: string) =>
  (await env.DB.prepare('SELECT is_platform_admin AS v FROM users WHERE id = ?').bind(userId).first<{ v: number }>())!.v === 1;
const uniqueName = (label: string) => `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function member(orgId: string, role: 'owner' | 'admin' | 'member', name?: string) {
  const res = await addUser(orgId, { email: uniqueEmail(role), role, password: PASSWORD, ...(name ? { name } : {}) });
  return res.json.user_id as string;
}

describe('console: organizations and users', () => {
  it('lists organizations with their id, creation time and member count', async () => {
    const admin = await platformAdmin();
    const name = uniqueName('Counted');
    const { orgId } = await newTenant(name);
    await member(orgId, 'owner');
    await member(orgId, 'member');
    const res = await page(admin, PATH);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<a href="${PATH}/${orgId}">${name}</a></td><td><code>${orgId}</code></td><td>`);
    expect(res.text).toMatch(new RegExp(`<code>${orgId}</code></td><td>\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC</td><td>2</td>`));
  });

  it('creates an organization and opens it', async () => {
    const admin = await platformAdmin();
    const name = uniqueName('Created');
    const res = await submit(admin, PATH, [['name', name]]);
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${PATH}/org_[a-z0-9]+\\?done=created$`));
    const opened = await page(admin, location);
    expect(opened.text).toContain(`<h1>${name}</h1>`);
    expect(opened.text).toContain('The organization was created');
    expect(await countOrgsNamed(name)).toBe(1);
  });

  it('refuses an organization without a name, next to the field, and stores nothing', async () => {
    const admin = await platformAdmin();
    for (const name of ['', '   ', 'x'.repeat(201)]) {
      const res = await submit(admin, PATH, [['name', name]]);
      expect(res.status).toBe(400);
      expect(res.text).toContain('href="#field-name"');
      expect(res.text).toContain('id="field-name-error"');
    }
    expect(await countOrgsNamed('')).toBe(0);
  });

  it("shows an organization's members with their roles", async () => {
    const admin = await platformAdmin();
    const { orgId } = await newTenant(uniqueName('Members'));
    await member(orgId, 'owner', 'Ada Owner');
    await member(orgId, 'member', 'Bob Member');
    const res = await page(admin, `${PATH}/${orgId}`);
    expect(res.text).toMatch(/Ada Owner<\/td><td>[^<]+<\/td><td>Owner<\/td>/);
    expect(res.text).toMatch(/Bob Member<\/td><td>[^<]+<\/td><td>Member<\/td>/);
  });

  it('adds a new user and shows their set-password link once', async () => {
    const admin = await platformAdmin();
    const { orgId } = await newTenant(uniqueName('Adding'));
    const email = uniqueEmail('new');
    const res = await submit(admin, `${PATH}/${orgId}/users`, [
      ['email', email],
      ['name', 'New Person'],
      ['role', 'admin'],
    ]);
    expect(res.status).toBe(303);
    const shownAt = res.headers.get('location')!;
    expect(shownAt).toMatch(/^\/console\/shown-once\/[A-Za-z0-9_-]{32}$/);
    const shown = await page(admin, shownAt);
    const link = /<code id="shown-0">([^<]+)<\/code>/.exec(shown.text)?.[1];
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:8787\/login\/set-password\/[A-Za-z0-9_-]{43}$/);
    expect(shown.text).toContain('It is shown only this once');
    const again = await page(admin, shownAt);
    expect(again.status).toBe(410);
    expect(again.text).not.toContain(link!);
    expect((await page(admin, `${PATH}/${orgId}`)).text).not.toContain(link!);
    const members = (await asOperator(`/api/v1/admin/organizations/${orgId}/users`)).json.data;
    expect(members).toEqual([expect.objectContaining({ email, name: 'New Person', role: 'admin', has_password: false })]);
  });

  it('adds someone who has an account without a link', async () => {
    const admin = await platformAdmin();
    const a = await newTenant(uniqueName('First'));
    const b = await newTenant(uniqueName('Second'));
    const email = uniqueEmail('existing');
    await addUser(a.orgId, { email, role: 'owner', password: PASSWORD });
    const res = await submit(admin, `${PATH}/${b.orgId}/users`, [
      ['email', email],
      ['role', 'member'],
    ]);
    expect(res.headers.get('location')).toBe(`${PATH}/${b.orgId}?done=added`);
    const again = await submit(admin, `${PATH}/${b.orgId}/users`, [
      ['email', email],
      ['role', 'member'],
    ]);
    expect(again.status).toBe(409);
    expect(again.text).toContain('is already a member of this organization');
    expect(again.text).toContain('href="#field-email"');
  });

  it('refuses a bad email or role next to its field and adds nobody', async () => {
    const admin = await platformAdmin();
    const { orgId } = await newTenant(uniqueName('Refusing'));
    const res = await submit(admin, `${PATH}/${orgId}/users`, [
      ['email', 'not an email'],
      ['role', 'superuser'],
    ]);
    expect(res.status).toBe(400);
    expect(res.text).toContain('There are 2 problems');
    expect(res.text).toContain('id="field-email-error"');
    expect(res.text).toContain('id="field-role-error"');
    expect(res.text).toContain('value="not an email"');
    expect((await asOperator(`/api/v1/admin/organizations/${orgId}/users`)).json.data).toEqual([]);
  });

  it("changes a member's role and removes a member, keeping the last owner", async () => {
    const admin = await platformAdmin();
    const { orgId } = await newTenant(uniqueName('Roles'));
    const owner = await member(orgId, 'owner');
    const other = await member(orgId, 'member');
    expect((await submit(admin, `${PATH}/${orgId}/users/${other}/role`, [['role', 'admin']])).headers.get('location')).toBe(`${PATH}/${orgId}?done=role`);
    expect(await roleOf(orgId, other)).toBe('admin');

    const demote = await submit(admin, `${PATH}/${orgId}/users/${owner}/role`, [['role', 'member']]);
    expect(demote.status).toBe(409);
    expect(demote.text).toContain('keeps at least one owner');
    expect(demote.text).toContain(`href="#role-${owner}"`);
    expect((await submit(admin, `${PATH}/${orgId}/users/${owner}/remove`, [])).status).toBe(409);
    expect(await roleOf(orgId, owner)).toBe('owner');

    const badRole = await submit(admin, `${PATH}/${orgId}/users/${other}/role`, [['role', 'root']]);
    expect(badRole.status).toBe(400);
    expect(await roleOf(orgId, other)).toBe('admin');

    expect((await submit(admin, `${PATH}/${orgId}/users/${other}/remove`, [])).headers.get('location')).toBe(`${PATH}/${orgId}?done=removed`);
    expect(await roleOf(orgId, other)).toBeNull();
  });

  it('makes a member a platform admin and takes it away, but not your own', async () => {
    const admin = await platformAdmin();
    const { orgId } = await newTenant(uniqueName('Admins'));
    const userId = await member(orgId, 'member');
    await submit(admin, `${PATH}/${orgId}/users/${userId}/platform-admin`, [['is_platform_admin', 'yes']]);
    expect(await isPlatformAdmin(userId)).toBe(true);
    await submit(admin, `${PATH}/${orgId}/users/${userId}/platform-admin`, [['is_platform_admin', 'no']]);
    expect(await isPlatformAdmin(userId)).toBe(false);
    expect((await submit(admin, `${PATH}/${orgId}/users/${userId}/platform-admin`, [['is_platform_admin', 'maybe']])).status).toBe(400);
    const own = await submit(admin, `${PATH}/${admin.orgId}/users/${admin.userId}/platform-admin`, [['is_platform_admin', 'no']]);
    expect(own.status).toBe(409);
    expect(await isPlatformAdmin(admin.userId)).toBe(true);
  });

  it('unknown organizations and members are the console 404', async () => {
    const admin = await platformAdmin();
    expect((await page(admin, `${PATH}/org_0000000000000000000000zz`)).status).toBe(404);
    expect((await page(admin, `${PATH}/nonsense`)).status).toBe(404);
    const { orgId } = await newTenant();
    expect((await submit(admin, `${PATH}/${orgId}/users/usr_0000000000000000000000zz/remove`, [])).status).toBe(404);
    expect(
      (
        await submit(admin, `${PATH}/org_0000000000000000000000zz/users`, [
          ['email', uniqueEmail()],
          ['role', 'member'],
        ])
      ).status,
    ).toBe(404);
  });

  it("is not there for anyone else: an organization's owner gets 404 and changes nothing", async () => {
    const owner = await consoleUser('owner');
    const name = uniqueName('Sneaky');
    for (const user of [owner, await consoleUser('member')]) {
      expect((await page(user, PATH)).status).toBe(404);
      expect((await page(user, `${PATH}/${owner.orgId}`)).status).toBe(404);
      expect((await submit(user, PATH, [['name', name]])).status).toBe(404);
      expect((await submit(user, `${PATH}/${owner.orgId}/users/${owner.userId}/platform-admin`, [['is_platform_admin', 'yes']])).status).toBe(404);
      expect(
        (
          await submit(user, `${PATH}/${owner.orgId}/users`, [
            ['email', uniqueEmail()],
            ['role', 'owner'],
          ])
        ).status,
      ).toBe(404);
    }
    expect(await countOrgsNamed(name)).toBe(0);
    expect(await isPlatformAdmin(owner.userId)).toBe(false);
  });

  it('refuses a change without the form token', async () => {
    const admin = await platformAdmin();
    const name = uniqueName('Forged');
    expect((await submit(admin, PATH, [['name', name]], { csrf: null })).status).toBe(403);
    expect((await submit(admin, PATH, [['name', name]], { csrf: 'b'.repeat(64) })).status).toBe(403);
    const { orgId } = await newTenant();
    const userId = await member(orgId, 'member');
    expect((await submit(admin, `${PATH}/${orgId}/users/${userId}/platform-admin`, [['is_platform_admin', 'yes']], { csrf: null })).status).toBe(403);
    expect(await countOrgsNamed(name)).toBe(0);
    expect(await isPlatformAdmin(userId)).toBe(false);
  });
});
