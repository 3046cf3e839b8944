import { describe, expect, it } from 'vitest';
import { canUserAuthorize } from '../../src/applications/service';
import { asOperator, call, expectError, newTenant } from '../helpers/api';
import { callWithFault } from '../helpers/fault-injection';
import { TEST_ADMIN_TOKEN } from '../helpers/secrets';
import { notificationsOf } from '../notifications/fixtures';
import { addMember, applicationRow, newApplication } from './fixtures';

const pages = { terms_url: 'https://app.example.com/terms', privacy_url: 'https://app.example.com/privacy' };

const requestPublish = (apiKey: string, id: string) => call(`/api/v1/applications/${id}/publish`, { method: 'POST', token: apiKey });
const decide = (id: string, body: unknown) => asOperator(`/api/v1/admin/applications/${id}/publish`, { method: 'POST', body });
const pendingIds = async () => ((await asOperator('/api/v1/admin/applications?publish=pending&limit=200')).json.data as { id: string }[]).map((a) => a.id);

describe('publishing an application', () => {
  it("a request marks it pending and the operator sees it among every organization's pending ones", async () => {
    const a = await newTenant('A');
    const b = await newTenant('B');
    const appA = await newApplication(a.apiKey, pages);
    const appB = await newApplication(b.apiKey, pages);
    const untouched = await newApplication(a.apiKey, pages);

    const res = await requestPublish(a.apiKey, appA.id);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: appA.id, publish_state: 'pending', visibility: 'private' });
    await requestPublish(b.apiKey, appB.id);

    const pending = await pendingIds();
    expect(pending).toEqual(expect.arrayContaining([appA.id, appB.id]));
    expect(pending).not.toContain(untouched.id);
  });

  it('refuses a second request while one is pending, and after approval', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, pages);
    await requestPublish(apiKey, app.id);
    expectError(await requestPublish(apiKey, app.id), 409, 'conflict');
    await decide(app.id, { decision: 'approve' });
    expectError(await requestPublish(apiKey, app.id), 409, 'conflict');
  });

  it('needs terms and privacy pages, as a public application is shown to strangers', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, { terms_url: pages.terms_url });
    const error = expectError(await requestPublish(apiKey, app.id), 422, 'application_incomplete');
    expect(error.message).toContain('privacy_url');
    expect((await applicationRow(app.id))!.publishState).toBe('none');
  });

  it('approval makes it public: users of any organization may then authorize it', async () => {
    const { apiKey, orgId } = await newTenant();
    const app = await newApplication(apiKey, pages);
    await requestPublish(apiKey, app.id);
    expect(canUserAuthorize((await applicationRow(app.id))!, ['org_someoneelse'])).toBe(false);

    const res = await decide(app.id, { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ publish_state: 'approved', visibility: 'public' });
    expect(await pendingIds()).not.toContain(app.id);
    const row = (await applicationRow(app.id))!;
    expect(canUserAuthorize(row, ['org_someoneelse'])).toBe(true);
    expect(canUserAuthorize(row, [orgId])).toBe(true);
    expect((await call(`/api/v1/applications/${app.id}`, { token: apiKey })).json.visibility).toBe('public');
  });

  it('rejection keeps it private; the owner may ask again', async () => {
    const { apiKey, orgId } = await newTenant();
    const app = await newApplication(apiKey, pages);
    await requestPublish(apiKey, app.id);
    const res = await decide(app.id, { decision: 'reject', reason: 'The privacy page is empty.' });
    expect(res.json).toMatchObject({ publish_state: 'rejected', visibility: 'private' });
    const row = (await applicationRow(app.id))!;
    expect(canUserAuthorize(row, ['org_someoneelse'])).toBe(false);
    expect(canUserAuthorize(row, [orgId])).toBe(true);
    expect((await requestPublish(apiKey, app.id)).json.publish_state).toBe('pending');
  });

  it('a rejection needs a reason, which reaches the owner; nothing changes without one', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, pages);
    await requestPublish(apiKey, app.id);
    for (const body of [{ decision: 'reject' }, { decision: 'reject', reason: '   ' }]) {
      const error = expectError(await decide(app.id, body), 400, 'validation_failed');
      expect(error.details).toEqual([expect.objectContaining({ location: 'body', field: 'reason' })]);
    }
    expect((await applicationRow(app.id))!.publishState).toBe('pending');
    expect((await decide(app.id, { decision: 'reject', reason: 'The terms page is a placeholder.' })).status).toBe(200);
    const sent = (await call('/api/v1/notifications', { token: apiKey })).json.data as { kind: string; body: string }[];
    const reviewed = sent.find((n) => n.kind === 'application.publish_reviewed');
    expect(reviewed?.body).toContain('rejected');
    expect(reviewed?.body).toContain('Reason: The terms page is a placeholder.');
  });

  it('a decision needs a pending request', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, pages);
    expectError(await decide(app.id, { decision: 'approve' }), 409, 'conflict');
    expectError(await decide('app_0000000000000000000000', { decision: 'approve' }), 404, 'not_found');
    await requestPublish(apiKey, app.id);
    expectError(await decide(app.id, { decision: 'maybe' }), 400, 'validation_failed');
    expectError(await decide(app.id, { decision: 'reject', reason: 'x'.repeat(501) }), 400, 'validation_failed');
    expect((await applicationRow(app.id))!.publishState).toBe('pending');
  });

  it('the operator routes refuse API keys and anonymous callers', async () => {
    const { apiKey } = await newTenant();
    const app = await newApplication(apiKey, pages);
    await requestPublish(apiKey, app.id);
    expectError(await call('/api/v1/admin/applications?publish=pending', { token: apiKey }), 403, 'forbidden');
    expectError(await call(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', token: apiKey, body: { decision: 'approve' } }), 403, 'forbidden');
    expectError(await call('/api/v1/admin/applications'), 401, 'unauthorized');
    expect((await applicationRow(app.id))!).toMatchObject({ publishState: 'pending', visibility: 'private' });
  });
});

describe('who may authorize an application', () => {
  const app = { orgId: 'org_home', visibility: 'private' as const, active: true };

  it('a private one: members of its organization only', () => {
    expect(canUserAuthorize(app, ['org_home'])).toBe(true);
    expect(canUserAuthorize(app, ['org_elsewhere', 'org_home'])).toBe(true);
    expect(canUserAuthorize(app, ['org_elsewhere'])).toBe(false);
    expect(canUserAuthorize(app, [])).toBe(false);
  });

  it('a public one: anyone', () => {
    expect(canUserAuthorize({ ...app, visibility: 'public' }, ['org_elsewhere'])).toBe(true);
    expect(canUserAuthorize({ ...app, visibility: 'public' }, [])).toBe(true);
  });

  it('an inactive one: nobody', () => {
    expect(canUserAuthorize({ ...app, active: false }, ['org_home'])).toBe(false);
    expect(canUserAuthorize({ ...app, visibility: 'public', active: false }, ['org_home'])).toBe(false);
  });

  it('reads the stored application as the consent page will', async () => {
    const { apiKey, orgId } = await newTenant();
    const { userId } = await addMember(orgId);
    const created = await newApplication(apiKey, { owner_user_id: userId });
    expect(canUserAuthorize((await applicationRow(created.id))!, [orgId])).toBe(true);
  });

  it.each(['before', 'after'] as const)(
    'a decision and the owner’s notification land together or not at all, whichever D1 call fails (%s it runs)',
    async (timing) => {
      for (let failAt = 1; ; failAt++) {
        const { apiKey } = await newTenant();
        const app = await newApplication(apiKey, pages);
        await requestPublish(apiKey, app.id);
        const body = { decision: 'reject', reason: 'The privacy policy page is empty.' };
        const res = await callWithFault(`/api/v1/admin/applications/${app.id}/publish`, { failAt, timing }, { method: 'POST', token: TEST_ADMIN_TOKEN, body });
        const row = (await applicationRow(app.id))!;
        const notes = await notificationsOf(apiKey, '?kind=application.publish_reviewed');
        if (row.publishState === 'rejected') {
          expect(notes, `failAt ${failAt}`).toHaveLength(1);
        } else {
          expect(res.status, `failAt ${failAt}`).toBe(500);
          expect(row.publishState).toBe('pending');
          expect(notes, `failAt ${failAt}`).toEqual([]);
          // The operator's retry decides it, and the owner hears once.
          expect((await decide(app.id, body)).status).toBe(200);
          expect(await notificationsOf(apiKey, '?kind=application.publish_reviewed')).toHaveLength(1);
        }
        if (!res.struck) {
          expect(res.status).toBe(200);
          break;
        }
      }
    },
  );
});
