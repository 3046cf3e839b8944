import { afterEach, describe, expect, it, vi } from 'vitest';
import { callWithFault } from '../helpers/fault-injection';
import { asOperator, call, newTenant } from '../helpers/api';
import { notificationsOf } from '../notifications/fixtures';
import { appWithUser, authorize, basic, oauthPost, pkce, REDIRECT } from '../oauth-server/fixtures';
import { addMember, applicationRow, newApplication } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const pages = { terms_url: 'https://app.example.com/terms', privacy_url: 'https://app.example.com/privacy' };

/** An approved public app of one organization (made by its API key), listed in the directory. */
async function approvedListedApp(body: Record<string, unknown> = {}) {
  const tenant = await newTenant('Reports Inc');
  const owner = await addMember(tenant.orgId, { name: 'Grace Hopper' });
  const app = await newApplication(tenant.apiKey, { ...pages, listed: true, redirect_uris: [REDIRECT], owner_user_id: owner.userId, ...body });
  await call(`/api/v1/applications/${app.id}/publish`, { method: 'POST', token: tenant.apiKey });
  await asOperator(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', body: { decision: 'approve' } });
  const patch = (b: unknown) => call(`/api/v1/applications/${app.id}`, { method: 'PATCH', token: tenant.apiKey, body: b });
  return { ...tenant, owner, app, patch };
}

const directory = async () => (await call('/apps')).text;

describe('an approved application sent back to review', () => {
  it('tells its owner which reviewed fields changed', async () => {
    const { apiKey, owner, patch } = await approvedListedApp({ name: 'Weekly Reports' });
    expect((await patch({ name: 'Weekly Reports Pro', scopes: ['connections.read'] })).status).toBe(200);
    const [note] = await notificationsOf(apiKey, '?kind=application.review_requested');
    expect(note).toMatchObject({ recipients: [owner.email], subject: 'OAuth application "Weekly Reports Pro" is back in review' });
    expect(note!.body).toContain('its name and scopes changed');
  });

  it('sends nothing for edits that need no review', async () => {
    const { apiKey, patch } = await approvedListedApp();
    expect((await patch({ description: 'Other words.', terms_url: 'https://app.example.com/terms-2' })).json).toMatchObject({ publish_state: 'approved' });
    expect(await notificationsOf(apiKey, '?kind=application.review_requested')).toEqual([]);
  });

  it('leaves the directory until approved again', async () => {
    const name = `Listed ${crypto.randomUUID()}`;
    const { app, patch } = await approvedListedApp({ name });
    expect(await directory()).toContain(name);
    await patch({ redirect_uris: ['https://app.example.com/new-callback'] });
    expect(await directory()).not.toContain(name);
    await asOperator(`/api/v1/admin/applications/${app.id}/publish`, { method: 'POST', body: { decision: 'approve' } });
    expect(await directory()).toContain(name);
  });

  it('keeps working for people who already authorized it; nobody new outside its organization until approved', async () => {
    const { patch, app } = await approvedListedApp();
    // Someone of another organization authorizes the public app.
    const stranger = await appWithUser();
    const client = { authorization: basic(app.client_id, app.client_secret) };
    const { verifier, challenge } = await pkce();
    const { redirect } = await authorize(app.client_id, stranger.cookie, challenge, { scope: 'connections.read offline_access' });
    const issued = await oauthPost(
      '/oauth/token',
      { grant_type: 'authorization_code', code: redirect!.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier },
      client,
    );
    const tokens = JSON.parse(issued.text) as { access_token: string; refresh_token: string };

    expect((await patch({ name: 'Renamed app' })).json).toMatchObject({ publish_state: 'pending', visibility: 'private' });
    expect((await call('/api/v1/connections', { token: tokens.access_token })).status).toBe(200);
    const refreshed = await oauthPost('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client);
    expect(refreshed.status).toBe(200);

    const again = await authorize(app.client_id, stranger.cookie, (await pkce()).challenge, { scope: 'connections.read' });
    expect(again.page.status).toBe(302);
    expect(new URL(again.page.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });

  it.each(['before', 'after'] as const)(
    'survives a failed D1 call at every step (%s it runs): the change and its notification land together or not at all',
    async (timing) => {
      for (let failAt = 1; ; failAt++) {
        const { apiKey, app } = await approvedListedApp({ name: 'Before' });
        const res = await callWithFault(`/api/v1/applications/${app.id}`, { failAt, timing }, { method: 'PATCH', token: apiKey, body: { name: 'After' } });
        const row = (await applicationRow(app.id))!;
        const notes = await notificationsOf(apiKey, '?kind=application.review_requested');
        if (row.name === 'After') {
          expect(row).toMatchObject({ publishState: 'pending', visibility: 'private' });
          expect(notes, `failAt ${failAt}`).toHaveLength(1);
        } else {
          // Refused with the one error shape; retrying the PATCH is how the caller goes on.
          expect(res.status, `failAt ${failAt}`).toBe(500);
          expect(row).toMatchObject({ name: 'Before', publishState: 'approved', visibility: 'public' });
          expect(notes, `failAt ${failAt}`).toEqual([]);
        }
        if (!res.struck) {
          expect(res.status).toBe(200);
          expect(failAt).toBeGreaterThan(2);
          break;
        }
      }
    },
  );
});
