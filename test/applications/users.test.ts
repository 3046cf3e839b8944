import { describe, expect, it } from 'vitest';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { asUser, signedInUser } from '../users/fixtures';
import { newApplication, validApplication } from './fixtures';

const ORG = 'edgelink-organization';

/** Adds the signed-in user to a second organization with `role`. */
async function joinAnother(email: string, role: 'owner' | 'admin' | 'member') {
  const other = await newTenant(`${role} elsewhere`);
  const res = await asOperator(`/api/v1/admin/organizations/${other.orgId}/users`, { method: 'POST', body: { email, role } });
  if (res.status !== 201) throw new Error(`adding a membership failed: ${res.status} ${res.text}`);
  return other;
}

describe('applications of a signed-in user', () => {
  it('are owned by the user who creates them, and the creation notification goes to them', async () => {
    const user = await signedInUser('admin');
    const res = await asUser(user.cookie, '/api/v1/applications', { method: 'POST', body: validApplication });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ organization_id: user.orgId, owner_user_id: user.userId });
    const listed = await call('/api/v1/notifications', { token: user.apiKey });
    expect(listed.json.data[0]).toMatchObject({ kind: 'application.created', recipients: [user.email] });
  });

  it('cannot be given to someone else at creation', async () => {
    const user = await signedInUser('owner');
    const res = await asUser(user.cookie, '/api/v1/applications', {
      method: 'POST',
      body: { ...validApplication, owner_user_id: 'usr_0000000000000000000000' },
    });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([
      { location: 'body', field: 'owner_user_id', message: 'is the signed-in user; leave it out' },
    ]);
  });

  it('a member reads them but cannot create, change, rotate or delete', async () => {
    const member = await signedInUser('member');
    const app = await newApplication(member.apiKey);
    expect((await asUser(member.cookie, `/api/v1/applications/${app.id}`)).status).toBe(200);
    expect((await asUser(member.cookie, '/api/v1/applications')).json.data).toHaveLength(1);
    expectError(await asUser(member.cookie, '/api/v1/applications', { method: 'POST', body: validApplication }), 403, 'forbidden');
    expectError(await asUser(member.cookie, `/api/v1/applications/${app.id}`, { method: 'PATCH', body: { active: false } }), 403, 'forbidden');
    expectError(await asUser(member.cookie, `/api/v1/applications/${app.id}/secret`, { method: 'POST' }), 403, 'forbidden');
    expectError(await asUser(member.cookie, `/api/v1/applications/${app.id}`, { method: 'DELETE' }), 403, 'forbidden');
  });

  it('a user in several organizations sees them all and filters by organization_id', async () => {
    const user = await signedInUser('owner');
    const other = await joinAnother(user.email, 'member');
    const stranger = await newTenant('Stranger');
    const home = await newApplication(user.apiKey, { name: 'Home app' });
    const away = await newApplication(other.apiKey, { name: 'Away app' });
    await newApplication(stranger.apiKey, { name: 'Not mine' });

    const list = async (query = '') =>
      ((await asUser(user.cookie, `/api/v1/applications${query}`, { headers: { [ORG]: user.orgId } })).json.data as { id: string }[]).map((a) => a.id);
    expect(new Set(await list())).toEqual(new Set([home.id, away.id]));
    expect(await list(`?organization_id=${other.orgId}`)).toEqual([away.id]);
    expect(await list(`?organization_id=${stranger.orgId}`)).toEqual([]);
    expect((await asUser(user.cookie, `/api/v1/applications/${away.id}`, { headers: { [ORG]: user.orgId } })).status).toBe(200);
  });

  it('a user creates in another of their organizations only where their role may write', async () => {
    const user = await signedInUser('owner');
    const adminOf = await joinAnother(user.email, 'admin');
    const memberOf = await joinAnother(user.email, 'member');
    const stranger = await newTenant('Stranger');
    const create = (organization_id: string) =>
      asUser(user.cookie, '/api/v1/applications', { method: 'POST', headers: { [ORG]: user.orgId }, body: { ...validApplication, organization_id } });

    const created = await create(adminOf.orgId);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ organization_id: adminOf.orgId, owner_user_id: user.userId });
    expectError(await create(memberOf.orgId), 403, 'forbidden');
    expectError(await create(stranger.orgId), 404, 'not_found');

    const away = await newApplication(memberOf.apiKey);
    const patch = await asUser(user.cookie, `/api/v1/applications/${away.id}`, { method: 'PATCH', headers: { [ORG]: user.orgId }, body: { name: 'Mine now' } });
    expectError(patch, 403, 'forbidden');
  });
});
