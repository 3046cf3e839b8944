import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { asOperator, call } from '../helpers/api';
import { basic, oauthPost } from '../oauth-server/fixtures';
import { addUser, PASSWORD, submitLogin, sessionCookieOf, uniqueEmail } from '../users/fixtures';
import { type ConsoleUser, consoleUser, page, submit } from './fixtures';

const APPS = '/console/settings/developer/oauth-apps';

const appCount = async (orgId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM applications WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

const ALL_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials'];

/** The form as it arrives with these fields; the grant type boxes come ticked, as the form shows them. */
function addForm(overrides: Record<string, string> = {}, scopes = ['connections.read'], grants = ALL_GRANTS): [string, string][] {
  return [
    ...Object.entries({
      name: 'Acme CRM sync',
      description: 'Syncs contacts.',
      redirect_uris: 'https://crm.acme.example/callback\nhttp://127.0.0.1:8080/cb',
      terms_url: 'https://crm.acme.example/terms',
      privacy_url: 'https://crm.acme.example/privacy',
      active: 'yes',
      ...overrides,
    }),
    ...scopes.map((s): [string, string] => ['scopes', s]),
    ...grants.map((g): [string, string] => ['grant_types', g]),
  ];
}

/** The values a shown-once page holds, by label. */
function shownValues(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<strong>([^<]+)<\/strong><\/p><div class="copy"><code id="shown-\d+">([^<]+)<\/code>/g)) out[m[1]!] = m[2]!;
  return out;
}

async function addApplication(user: ConsoleUser, overrides: Record<string, string> = {}) {
  const res = await submit(user, `${APPS}/new`, addForm(overrides));
  expect(res.status, res.text).toBe(303);
  const shownAt = res.headers.get('location')!;
  expect(shownAt).toMatch(/^\/console\/shown-once\/[A-Za-z0-9_-]{32}$/);
  const shown = await page(user, shownAt);
  expect(shown.status).toBe(200);
  const values = shownValues(shown.text);
  const apps = await call('/api/v1/applications', { token: user.apiKey });
  const app = apps.json.data.find((a: { client_id: string }) => a.client_id === values['Client ID']);
  return { app, clientId: values['Client ID']!, clientSecret: values['Client Secret']!, shownAt, shown };
}

const clientCredentials = (clientId: string, secret: string) =>
  oauthPost('/oauth/token', { grant_type: 'client_credentials', scope: 'connections.read' }, { authorization: basic(clientId, secret) });

describe('console: OAuth Applications', () => {
  it('adds an application and shows its client id and secret once', async () => {
    const user = await consoleUser();
    const { app, clientId, clientSecret, shownAt, shown } = await addApplication(user);
    expect(shown.text).toContain('It is shown only this once');
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(clientSecret).toMatch(/^elk_cs_/);
    expect(app).toMatchObject({
      name: 'Acme CRM sync',
      description: 'Syncs contacts.',
      redirect_uris: ['https://crm.acme.example/callback', 'http://127.0.0.1:8080/cb'],
      terms_url: 'https://crm.acme.example/terms',
      active: true,
      scopes: ['connections.read'],
    });
    expect((await clientCredentials(clientId, clientSecret)).status).toBe(200);
    const again = await page(user, shownAt);
    expect(again.status).toBe(410);
    expect(again.text).not.toContain(clientSecret);
  });

  it('does not show a secret to anyone but the person it was issued to', async () => {
    const user = await consoleUser();
    const other = await consoleUser();
    const res = await submit(user, `${APPS}/new`, addForm());
    const stolen = await page(other, res.headers.get('location')!);
    expect(stolen.status).toBe(410);
    expect(stolen.text).not.toContain('elk_cs_');
  });

  it.each([
    ['an http redirect URL', { redirect_uris: 'http://crm.acme.example/callback' }, 'Redirect URLs: URL '],
    ['no redirect URL', { redirect_uris: '' }, 'Redirect URLs: must list at least one redirect URI'],
    ['a wildcard redirect URL', { redirect_uris: 'https://*.acme.example/cb' }, 'Redirect URLs: must not contain a wildcard'],
    ['an http terms URL', { terms_url: 'http://crm.acme.example/terms' }, 'Terms of Service URL: '],
    ['no name', { name: '' }, 'Application Name: '],
  ])('refuses %s with the API’s message, keeps the values, stores nothing', async (_, overrides, message) => {
    const user = await consoleUser();
    const res = await submit(user, `${APPS}/new`, addForm(overrides));
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain('Syncs contacts.');
    expect(await appCount(user.orgId)).toBe(0);
  });

  it('adds a client-credentials-only application without a redirect URL', async () => {
    const user = await consoleUser();
    const form = await page(user, `${APPS}/new`);
    for (const g of ALL_GRANTS) expect(form.text).toMatch(new RegExp(`name="grant_types" value="${g}" checked=""`));
    const res = await submit(user, `${APPS}/new`, addForm({ redirect_uris: '' }, ['connections.read'], ['client_credentials']));
    expect(res.status, res.text).toBe(303);
    const apps = (await call('/api/v1/applications', { token: user.apiKey })).json.data;
    expect(apps).toEqual([expect.objectContaining({ grant_types: ['client_credentials'], redirect_uris: [] })]);
  });

  it.each([
    ['no grant type ticked', [], 'Grant types: must list at least one grant type'],
    ['refresh token without authorization code', ['refresh_token', 'client_credentials'], 'Grant types: refresh_token needs authorization_code'],
    ['an unknown grant type', ['password'], 'Grant types: &#39;password&#39; is not a grant type'],
  ])('refuses %s next to the field and in the summary, stores nothing', async (_, grants, message) => {
    const user = await consoleUser();
    const res = await submit(user, `${APPS}/new`, addForm({}, ['connections.read'], grants));
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain('<p class="field-error">');
    expect(await appCount(user.orgId)).toBe(0);
  });

  it('changes grant types and the listing on Edit', async () => {
    const user = await consoleUser();
    const { app } = await addApplication(user);
    const saved = await submit(user, `${APPS}/${app.id}/edit`, [...addForm({ listed: 'yes' }, ['connections.read'], ['authorization_code'])]);
    expect(saved.status, saved.text).toBe(303);
    const after = (await call(`/api/v1/applications/${app.id}`, { token: user.apiKey })).json;
    expect(after).toMatchObject({ grant_types: ['authorization_code'], listed: true });
    const edit = await page(user, `${APPS}/${app.id}/edit`);
    expect(edit.text).toMatch(/name="listed" value="yes" checked=""/);
    expect(edit.text).not.toMatch(/name="grant_types" value="client_credentials" checked=""/);
    // Clearing the redirect URLs of an app that uses authorization codes is refused.
    const refused = await submit(user, `${APPS}/${app.id}/edit`, addForm({ redirect_uris: '' }, ['connections.read'], ['authorization_code']));
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Redirect URLs: must list at least one redirect URI for the authorization_code grant');
  });

  it('filters the grid by name and status', async () => {
    const user = await consoleUser();
    await addApplication(user, { name: 'Alpha importer' });
    const { app } = await addApplication(user, { name: 'Beta exporter', active: '' });
    const byName = await page(user, `${APPS}?name=alpha`);
    expect(byName.text).toContain('<td>Alpha importer</td>');
    expect(byName.text).not.toContain('<td>Beta exporter</td>');
    const inactive = await page(user, `${APPS}?status=inactive`);
    expect(inactive.text).toContain('<td>Beta exporter</td>');
    expect(inactive.text).not.toContain('<td>Alpha importer</td>');
    expect(app.active).toBe(false);
    expect((await page(user, '/console/my-user/oauth-applications?name=beta')).text).toContain('<td>Beta exporter</td>');
  });

  it('filters by organization for someone in two, and adds to the one they choose', async () => {
    const first = await consoleUser();
    const org = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: 'Second org' } });
    // The same person joins a second organization as its owner.
    const email = uniqueEmail('two-orgs');
    await addUser(first.orgId, { email, role: 'owner', password: PASSWORD });
    await addUser(org.json.id, { email, role: 'owner' });
    const cookie = sessionCookieOf(await submitLogin({ email, password: PASSWORD }));
    const person = { ...first, cookie };
    const res = await submit(person, `${APPS}/new`, addForm({ name: 'For the second', organization_id: org.json.id }));
    expect(res.status, res.text).toBe(303);
    expect(await appCount(org.json.id)).toBe(1);
    const filtered = await page(person, `${APPS}?organization_id=${org.json.id}`);
    expect(filtered.text).toContain('<td>For the second</td>');
    expect(filtered.text).toContain('<td>Second org</td>');
    expect((await page(person, `${APPS}?organization_id=${first.orgId}`)).text).not.toContain('For the second');
  });

  it('edits, deactivates, rotates and deletes through More Options', async () => {
    const user = await consoleUser();
    const { app, clientId, clientSecret } = await addApplication(user);
    const edit = await page(user, `${APPS}/${app.id}/edit`);
    expect(edit.text).toContain('Syncs contacts.');
    const saved = await submit(user, `${APPS}/${app.id}/edit`, addForm({ name: 'Acme CRM sync v2' }));
    expect(saved.headers.get('location')).toBe(`${APPS}?done=saved`);
    expect((await call(`/api/v1/applications/${app.id}`, { token: user.apiKey })).json.name).toBe('Acme CRM sync v2');

    const off = await submit(user, `${APPS}/${app.id}/active`, [['active', 'no']]);
    expect(off.headers.get('location')).toBe(`${APPS}?done=deactivated`);
    expect((await clientCredentials(clientId, clientSecret)).status).toBe(401);
    await submit(user, `${APPS}/${app.id}/active`, [['active', 'yes']]);

    const rotated = await submit(user, `${APPS}/${app.id}/rotate`, []);
    const fresh = shownValues((await page(user, rotated.headers.get('location')!)).text)['Client Secret']!;
    expect(fresh).not.toBe(clientSecret);
    expect((await clientCredentials(clientId, clientSecret)).status).toBe(401);
    expect((await clientCredentials(clientId, fresh)).status).toBe(200);

    const gone = await submit(user, `${APPS}/${app.id}/delete`, []);
    expect(gone.headers.get('location')).toBe(`${APPS}?done=deleted`);
    expect((await call(`/api/v1/applications/${app.id}`, { token: user.apiKey })).status).toBe(404);
  });

  it('makes an application public on request, and says what is missing when it cannot', async () => {
    const user = await consoleUser();
    const { app: bare } = await addApplication(user, { terms_url: '', privacy_url: '' });
    const refused = await submit(user, `${APPS}/${bare.id}/publish`, []);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('A public application needs terms_url and privacy_url');
    const { app } = await addApplication(user);
    const asked = await submit(user, `${APPS}/${app.id}/publish`, []);
    expect(asked.headers.get('location')).toBe(`${APPS}?done=publish_requested`);
    expect((await call(`/api/v1/applications/${app.id}`, { token: user.apiKey })).json.publish_state).toBe('pending');
    expect((await page(user, APPS)).text).toContain('Private, review pending');
  });

  it('shows a member the grid read-only and refuses their changes', async () => {
    const member = await consoleUser('member');
    const created = await call('/api/v1/applications', {
      method: 'POST',
      token: member.apiKey,
      body: { name: 'Owned by the org', redirect_uris: ['https://x.example/cb'] },
    });
    const grid = await page(member, APPS);
    expect(grid.text).toContain('<td>Owned by the org</td>');
    expect(grid.text).not.toContain('More Options');
    expect(grid.text).not.toContain('Add Application');
    expect((await submit(member, `${APPS}/${created.json.id}/delete`, [])).status).toBe(403);
    expect((await submit(member, `${APPS}/new`, addForm())).status).toBe(403);
    expect(await appCount(member.orgId)).toBe(1);
  });
});
