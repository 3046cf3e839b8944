import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call } from '../helpers/api';
import { oauthError, stubProvider } from '../helpers/outbound';
import { unreachableIntegration } from '../integrations/reverify-fixtures';
import { browse } from '../links/fixtures';
import { type ConsoleUser, consoleUser, csrfOf, page, submit } from './fixtures';

afterEach(() => vi.restoreAllMocks());

const SECRET = 'sandbox-consumer-secret-never-shown';

/** Salesforce's token endpoint as verification meets it: a bogus code is refused, so the client is good. */
const salesforceAnswers = () => stubProvider(() => oauthError('invalid_grant'));

const integrationCount = async (orgId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM integrations WHERE org_id = ?').bind(orgId).first<{ n: number }>())!.n;

function salesforceSandboxForm(overrides: Record<string, string | null> = {}): [string, string][] {
  const fields: Record<string, string | null> = {
    action: 'create',
    name: 'Salesforce Sandbox',
    offering_id: 'off_salesforce_sandbox',
    client_id: 'sandbox-consumer-key',
    client_secret: SECRET,
    ...overrides,
  };
  const pairs = Object.entries(fields).filter((e): e is [string, string] => e[1] !== null);
  return [...pairs, ['scopes', 'api'], ['scopes', 'refresh_token'], ['scopes', 'web']];
}

async function createSandbox(user: ConsoleUser) {
  salesforceAnswers();
  const res = await submit(user, '/console/oauth/create', salesforceSandboxForm());
  expect(res.status, res.text).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/console\/oauth\/int_[A-Za-z0-9]+\?done=created$/);
  return location.split('?')[0]!.split('/').pop()!;
}

describe('console: signing in and finding your way', () => {
  it('sends a browser without a session to sign-in, and back to the page it asked for', async () => {
    const res = await browse('/console/oauth?status=draft');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fconsole%2Foauth%3Fstatus%3Ddraft');
  });

  it('opens on Integrations, with the sidebar and the user menu', async () => {
    const user = await consoleUser();
    const start = await page(user, '/console');
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe('/console/oauth');
    const res = await page(user, '/console/oauth');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<nav class="side" aria-label="Console">');
    expect(res.text).toContain('<a href="/console/oauth" aria-current="page">Integrations</a>');
    expect(res.text).toContain('<a href="/console/links">Links</a>');
    expect(res.text).toContain('<a href="/console/oauth/create">Add Integration</a>'.replace('<a ', '<a class="button" '));
    expect(res.text).toContain('<a href="/console/my-user/oauth-applications">OAuth Applications</a>');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('answers a console path that does not exist with a console page, not JSON', async () => {
    const user = await consoleUser();
    const res = await page(user, '/console/no-such-page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('<nav class="side" aria-label="Console">');
    expect(res.text).toContain('<h1>Not found</h1>');
  });

  it('serves its stylesheet and script from its own origin, cacheable by content hash', async () => {
    const user = await consoleUser();
    const html = (await page(user, '/console/oauth')).text;
    const css = /href="(\/console\/assets\/console\.[0-9a-f]{12}\.css)"/.exec(html)?.[1];
    const js = /src="(\/console\/assets\/console\.[0-9a-f]{12}\.js)"/.exec(html)?.[1];
    expect(css && js).toBeTruthy();
    const sheet = await browse(css!);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-type')).toContain('text/css');
    expect(sheet.headers.get('cache-control')).toContain('immutable');
    expect((await browse(js!)).headers.get('content-type')).toContain('text/javascript');
  });
});

describe('console: Add Integration', () => {
  it('shows the chosen offering with its required scopes locked on and its optional ones free', async () => {
    const user = await consoleUser();
    const res = await submit(user, '/console/oauth/create', [
      ['action', 'choose_offering'],
      ['name', 'Salesforce Sandbox'],
      ['offering_id', 'off_salesforce_sandbox'],
      ['client_secret', SECRET],
    ]);
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="Salesforce Sandbox"');
    expect(res.text).toMatch(/<input type="checkbox" id="scope-0" value="api" checked="" disabled=""\/>/);
    expect(res.text).toContain('api (required)');
    expect(res.text).toMatch(/<input type="checkbox" id="scope-\d+" name="scopes" value="web"\/>/);
    expect(res.text).toContain('/api/v1/oauth/callback');
    expect(res.text).not.toContain(SECRET);
  });

  it('creates the integration with the ticked scopes and lands on its page, which never shows the secret', async () => {
    const user = await consoleUser();
    const id = await createSandbox(user);
    const api = await call(`/api/v1/integrations/${id}`, { token: user.apiKey });
    expect(api.json).toMatchObject({ name: 'Salesforce Sandbox', offering_id: 'off_salesforce_sandbox', status: 'configured', has_client_secret: true });
    expect(api.json.scopes).toEqual(['api', 'refresh_token', 'web']);
    const detail = await page(user, `/console/oauth/${id}?done=created`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('The integration was created.');
    expect(detail.text).toContain('<span class="badge ok">Configured</span>');
    expect(detail.text).not.toContain(SECRET);
    expect((await page(user, '/console/oauth')).text).toContain(`<a href="/console/oauth/${id}">Salesforce Sandbox</a>`);
  });

  it('re-renders a form with problems: a summary linked to each field, the values kept, the secret not, nothing stored', async () => {
    const user = await consoleUser();
    salesforceAnswers();
    const res = await submit(user, '/console/oauth/create', salesforceSandboxForm({ name: '', client_id: 'kept-client-id' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('<a href="#field-name">Integration Name: ');
    expect(res.text).toContain('aria-invalid="true"');
    expect(res.text).toContain('value="kept-client-id"');
    expect(res.text).not.toContain(SECRET);
    expect(await integrationCount(user.orgId)).toBe(0);
  });

  it('gives the API’s own message for a missing required scope', async () => {
    const user = await consoleUser();
    salesforceAnswers();
    const fields = salesforceSandboxForm().filter(([k, v]) => !(k === 'scopes' && v === 'refresh_token'));
    const res = await submit(user, '/console/oauth/create', fields);
    expect(res.status).toBe(400);
    expect(res.text).toContain('OAuth Scopes: scope &quot;refresh_token&quot; is required by Salesforce (sandbox)');
    expect(await integrationCount(user.orgId)).toBe(0);
  });

  it('refuses a post without the form token, or from another site, and stores nothing', async () => {
    const user = await consoleUser();
    salesforceAnswers();
    const noToken = await submit(user, '/console/oauth/create', salesforceSandboxForm(), { csrf: null });
    expect(noToken.status).toBe(403);
    const wrongToken = await submit(user, '/console/oauth/create', salesforceSandboxForm(), { csrf: 'a'.repeat(64) });
    expect(wrongToken.status).toBe(403);
    const crossSite = await submit(user, '/console/oauth/create', salesforceSandboxForm(), {
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(await integrationCount(user.orgId)).toBe(0);
  });

  it("does not accept another person's form token", async () => {
    const user = await consoleUser();
    const other = await consoleUser();
    const theirs = csrfOf((await page(other, '/console/oauth/create')).text);
    const res = await submit(user, '/console/oauth/create', salesforceSandboxForm(), { csrf: theirs });
    expect(res.status).toBe(403);
    expect(await integrationCount(user.orgId)).toBe(0);
  });
});

describe('console: an integration’s Settings tab', () => {
  it('rotates the client secret and verifies again', async () => {
    const user = await consoleUser();
    const id = await createSandbox(user);
    const seen = salesforceAnswers().seen;
    const res = await submit(user, `/console/oauth/${id}/settings`, [
      ['name', 'Salesforce Sandbox'],
      ['client_id', 'sandbox-consumer-key'],
      ['client_secret', 'the-rotated-secret'],
      ['scopes', 'api'],
      ['scopes', 'refresh_token'],
    ]);
    expect(res.status, res.text).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/oauth/${id}?done=rotated`);
    expect(seen.some((r) => r.body.includes('the-rotated-secret'))).toBe(true);
    const detail = await page(user, `/console/oauth/${id}?done=rotated`);
    expect(detail.text).toContain('The new client secret was stored, and verification ran again');
    expect(detail.text).not.toContain('the-rotated-secret');
  });

  it('says when an unreachable provider is asked again, and Verify now asks at once', async () => {
    const user = await consoleUser();
    const created = await unreachableIntegration(user.apiKey, 'Salesforce Later');
    const at = created.next_verification_at;
    const detail = await page(user, `/console/oauth/${created.id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain(`Could not reach the provider; retrying at <time datetime="${at}">${at.slice(0, 10)} ${at.slice(11, 16)} UTC</time>`);
    expect(detail.text).toContain('End users cannot connect accounts until it is configured.');
    expect(detail.text).toMatch(/<button type="submit" class="secondary">\s*Verify now\s*<\/button>/);

    salesforceAnswers();
    const res = await submit(user, `/console/oauth/${created.id}/verify`, []);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/console/oauth/${created.id}?done=verified`);
    const after = await page(user, `/console/oauth/${created.id}?done=verified`);
    expect(after.text).toContain('Verification ran again; its result is below.');
    expect(after.text).toContain('End users can connect accounts.');
    expect(after.text).not.toContain('retrying at');
  });

  it('deletes an integration without connections after the confirmation', async () => {
    const user = await consoleUser();
    const id = await createSandbox(user);
    const res = await submit(user, `/console/oauth/${id}/delete`, []);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/oauth?done=deleted');
    expect((await call(`/api/v1/integrations/${id}`, { token: user.apiKey })).status).toBe(404);
  });

  it("answers another organization's integration as not found", async () => {
    const user = await consoleUser();
    const other = await consoleUser();
    const id = await createSandbox(other);
    expect((await page(user, `/console/oauth/${id}`)).status).toBe(404);
    const res = await submit(user, `/console/oauth/${id}/delete`, []);
    expect(res.status).toBe(404);
    expect((await call(`/api/v1/integrations/${id}`, { token: other.apiKey })).status).toBe(200);
  });
});

describe('console: members look but do not change', () => {
  it('shows a member no forms and refuses their posts', async () => {
    const member = await consoleUser('member');
    const list = await page(member, '/console/oauth');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('Add Integration');
    salesforceAnswers();
    const res = await submit(member, '/console/oauth/create', salesforceSandboxForm());
    expect(res.status).toBe(403);
    expect(await integrationCount(member.orgId)).toBe(0);
  });
});
