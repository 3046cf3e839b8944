import { describe, expect, it } from 'vitest';
import { addMember, applicationRow, newApplication } from '../applications/fixtures';
import { call, newTenant } from '../helpers/api';
import { addUser, PASSWORD, sessionCookieOf, submitLogin, uniqueEmail } from '../users/fixtures';
import { consoleUser, page, platformAdmin, submit } from './fixtures';

const PATH = '/console/admin/publish-requests';
const pages = { terms_url: 'https://crm.example.com/terms', privacy_url: 'https://crm.example.com/privacy' };

/** An application of a fresh organization whose owner asked to make it public. */
async function pendingRequest(name = 'Acme CRM') {
  const tenant = await newTenant('Publishing org');
  const owner = await addMember(tenant.orgId, {
    name: 'Grace Hopper',
    email: `grace-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}@crm.example.com`,
  });
  const app = await newApplication(tenant.apiKey, { ...pages, name, owner_user_id: owner.userId, scopes: ['connections.read'] });
  const res = await call(`/api/v1/applications/${app.id}/publish`, { method: 'POST', token: tenant.apiKey });
  if (res.status !== 200) throw new Error(`requesting publish failed: ${res.status} ${res.text}`);
  return { ...tenant, app, owner };
}

const reviewNotifications = async (apiKey: string) =>
  (await call('/api/v1/notifications?kind=application.publish_reviewed', { token: apiKey })).json.data as {
    recipients: string[];
    subject: string;
    body: string;
  }[];

describe('console: publish requests', () => {
  it('lists a pending request with what the operator needs to decide', async () => {
    const admin = await platformAdmin();
    const { app, owner } = await pendingRequest('Listed CRM');
    const res = await page(admin, PATH);
    expect(res.status).toBe(200);
    for (const text of [
      'Listed CRM',
      'Publishing org',
      'Grace Hopper',
      owner.email,
      'Builds weekly reports',
      'https://app.example.com/callback',
      'connections.read',
      pages.terms_url,
      pages.privacy_url,
    ]) {
      expect(res.text).toContain(text);
    }
    expect(res.text).toContain(`action="${PATH}/${app.id}/approve"`);
    expect(res.text).toContain(`<label for="reason-${app.id}">Reason for rejecting Listed CRM</label>`);
  });

  it('approves: the application is public, the owner is notified, and it shows as decided', async () => {
    const admin = await platformAdmin();
    const { app, apiKey, owner } = await pendingRequest('Approved CRM');
    const res = await submit(admin, `${PATH}/${app.id}/approve`, []);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${PATH}?done=approved`);
    expect(await applicationRow(app.id)).toMatchObject({ publishState: 'approved', visibility: 'public' });
    const [sent] = await reviewNotifications(apiKey);
    expect(sent).toMatchObject({ recipients: [owner.email], subject: 'OAuth application "Approved CRM": publish request approved' });
    const after = await page(admin, `${PATH}?done=approved`);
    expect(after.text).toContain('The request was approved');
    expect(after.text).not.toContain(`${PATH}/${app.id}/approve`);
    expect(after.text).toMatch(/Approved CRM<\/td><td>Publishing org<\/td><td><span class="badge ok">Approved: public/);
  });

  it('rejects with a reason, which the owner receives', async () => {
    const admin = await platformAdmin();
    const { app, apiKey } = await pendingRequest('Rejected CRM');
    const res = await submit(admin, `${PATH}/${app.id}/reject`, [['reason', 'The privacy page is a placeholder.']]);
    expect(res.status).toBe(303);
    expect(await applicationRow(app.id)).toMatchObject({ publishState: 'rejected', visibility: 'private' });
    const [sent] = await reviewNotifications(apiKey);
    expect(sent!.body).toContain('was rejected');
    expect(sent!.body).toContain('Reason: The privacy page is a placeholder.');
    expect((await page(admin, PATH)).text).toMatch(/Rejected CRM<\/td><td>Publishing org<\/td><td><span class="badge bad">Rejected: private/);
  });

  it('refuses a rejection without a reason, or with one too long, next to the field; nothing changes', async () => {
    const admin = await platformAdmin();
    const { app, apiKey } = await pendingRequest();
    for (const reason of ['', '   ', 'x'.repeat(501)]) {
      const res = await submit(admin, `${PATH}/${app.id}/reject`, [['reason', reason]]);
      expect(res.status).toBe(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain(`href="#reason-${app.id}"`);
      expect(res.text).toContain(`id="reason-${app.id}-error"`);
      expect(res.text).toContain('aria-invalid="true"');
    }
    expect((await applicationRow(app.id))!.publishState).toBe('pending');
    expect(await reviewNotifications(apiKey)).toEqual([]);
  });

  it('a second decision on the same request says it was already decided', async () => {
    const admin = await platformAdmin();
    const { app } = await pendingRequest();
    await submit(admin, `${PATH}/${app.id}/approve`, []);
    const again = await submit(admin, `${PATH}/${app.id}/reject`, [['reason', 'Too late.']]);
    expect(again.status).toBe(409);
    expect(again.text).toContain('no pending publish request');
    expect((await applicationRow(app.id))!.publishState).toBe('approved');
  });

  it('an unknown or malformed application id is the console 404', async () => {
    const admin = await platformAdmin();
    expect((await submit(admin, `${PATH}/app_0000000000000000000000zz/approve`, [])).status).toBe(404);
    expect((await submit(admin, `${PATH}/nonsense/approve`, [])).status).toBe(404);
  });

  it('is not there for anyone else: an owner of the organization, or a member, gets 404 and decides nothing', async () => {
    const { app, orgId } = await pendingRequest();
    const owner = await consoleUser('owner');
    // The application's own organization owner, signed in, cannot approve their own request.
    const email = uniqueEmail('own-owner');
    await addUser(orgId, { email, role: 'owner', password: PASSWORD });
    const ownOwner = { ...owner, orgId, cookie: sessionCookieOf(await submitLogin({ email, password: PASSWORD })) };
    for (const user of [owner, ownOwner, await consoleUser('member')]) {
      expect((await page(user, PATH)).status).toBe(404);
      const res = await submit(user, `${PATH}/${app.id}/approve`, []);
      expect(res.status).toBe(404);
    }
    expect((await applicationRow(app.id))!.publishState).toBe('pending');
  });

  it('refuses a decision without the form token, or from another site', async () => {
    const admin = await platformAdmin();
    const { app } = await pendingRequest();
    expect((await submit(admin, `${PATH}/${app.id}/approve`, [], { csrf: null })).status).toBe(403);
    expect((await submit(admin, `${PATH}/${app.id}/approve`, [], { csrf: 'a'.repeat(64) })).status).toBe(403);
    const crossSite = await submit(admin, `${PATH}/${app.id}/approve`, [], { headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await applicationRow(app.id))!.publishState).toBe('pending');
  });
});
