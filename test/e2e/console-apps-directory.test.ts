import { describe, expect, it } from 'vitest';
import { asOperator, http, newTenant, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, DESKTOP, expectAccessible, signIn, expectPath } from './helpers/console';

/** A token request as the third-party app's backend sends it. */
const tokenRequest = (clientId: string, secret: string, form: Record<string, string>) =>
  fetch(`${workerUrl()}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(`${clientId}:${secret}`)}` },
    body: new URLSearchParams(form),
  });

const pages = { terms_url: 'https://reports.example/terms', privacy_url: 'https://reports.example/privacy' };

/** An application made by an org's API key, asked public and approved through the operator API. */
async function approvedApp(apiKey: string, body: Record<string, unknown>) {
  const app = await http('/api/v1/applications', {
    method: 'POST',
    token: apiKey,
    body: { redirect_uris: ['https://reports.example/callback'], ...pages, ...body },
  });
  expect(app.status, app.text).toBe(201);
  expect((await http(`/api/v1/applications/${app.json.id}/publish`, { method: 'POST', token: apiKey })).status).toBe(200);
  const decided = await asOperator(`/api/v1/admin/applications/${app.json.id}/publish`, { method: 'POST', body: { decision: 'approve' } });
  expect(decided.json).toMatchObject({ publish_state: 'approved', visibility: 'public' });
  return app.json as { id: string; name: string };
}

describe('client credentials apps, the /apps directory and the owner’s notification (seeds 003 and 004)', () => {
  const browser = sharedBrowser();

  it('Oro: a client-credentials-only app made in the console without a redirect URL gets tokens that way and no other', async () => {
    const person = await consolePerson('owner', 'Oro machines');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'OAuth Apps' }).click();
    await page.getByRole('link', { name: 'Create App' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Application' });
    await dialog.getByLabel('Application Name').fill('Oro nightly sync');
    // Client credentials only: no person authorizes it, so it has nowhere to send a browser.
    await dialog.getByRole('checkbox', { name: /^authorization_code/ }).uncheck();
    await dialog.getByRole('checkbox', { name: /^refresh_token/ }).uncheck();
    expect(await dialog.getByRole('checkbox', { name: /^client_credentials/ }).isChecked()).toBe(true);
    expect(await dialog.getByLabel('Redirect URLs').inputValue()).toBe('');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Create' }).click();

    expect(await page.getByRole('status').textContent()).toContain('It is shown only this once');
    await page.getByRole('button', { name: 'Copy Client ID' }).click();
    const clientId = await page.evaluate(() => navigator.clipboard.readText());
    await page.getByRole('button', { name: 'Copy Client Secret' }).click();
    const clientSecret = await page.evaluate(() => navigator.clipboard.readText());
    expect(clientId).toMatch(/^elk_ci_/);

    const granted = await tokenRequest(clientId, clientSecret, { grant_type: 'client_credentials', scope: 'connections.read' });
    expect(granted.status).toBe(200);
    const { access_token } = (await granted.json()) as { access_token: string };
    expect((await http('/api/v1/connections', { token: access_token })).status).toBe(200);
    const code = await tokenRequest(clientId, clientSecret, {
      grant_type: 'authorization_code',
      code: 'whatever',
      redirect_uri: 'https://reports.example/callback',
      code_verifier: 'v'.repeat(43),
    });
    expect(code.status).toBe(400);
    expect(await code.json()).toMatchObject({ error: 'unauthorized_client' });

    // Sent to the consent page anyway, the person gets our page, not a redirect somewhere.
    const authorize = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: 'https://reports.example/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const refused = await page.goto(`${workerUrl()}/oauth/authorize?${authorize}`);
    expect(refused!.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(workerUrl());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This sign-in request is not valid');

    // The grid's Edit form shows the grant types it was saved with.
    await page.goto(`${workerUrl()}/console/settings/developer/oauth-apps`);
    const row = page.getByRole('row', { name: /Oro nightly sync/ });
    await row.getByText('More Options').click();
    await row.getByRole('link', { name: 'Edit' }).click();
    expect(await page.getByRole('checkbox', { name: /^authorization_code/ }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: /^client_credentials/ }).isChecked()).toBe(true);
    await expectAccessible(page);
    await context.close();
  });

  it('Close: /apps lists an approved app that asked to be listed, not one that did not, and works without JavaScript', async () => {
    const { apiKey } = await newTenant('Close partners');
    const suffix = Date.now().toString(36);
    const listed = await approvedApp(apiKey, { name: `Pipeline charts ${suffix}`, description: 'Charts of your pipeline.', listed: true });
    const unlisted = await approvedApp(apiKey, { name: `Back office ${suffix}`, listed: false });

    const context = await browser().newContext({ viewport: DESKTOP, javaScriptEnabled: false });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const res = await page.goto(`${workerUrl()}/apps`);
    expect(res!.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('App directory');
    const entry = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: listed.name }) });
    expect(await entry.count()).toBe(1);
    expect(await entry.textContent()).toContain('Charts of your pipeline.');
    const terms = entry.getByRole('link', { name: `Terms of Service of ${listed.name}` });
    expect(await terms.getAttribute('href')).toBe(pages.terms_url);
    expect(await terms.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(await entry.getByRole('link', { name: `Privacy Policy of ${listed.name}` }).getAttribute('href')).toBe(pages.privacy_url);
    expect(await page.getByRole('heading', { name: unlisted.name }).count()).toBe(0);
    await context.close();

    // axe needs script execution (its run waits on timers), so it checks the same page with JavaScript on.
    const jsContext = await browser().newContext({ viewport: DESKTOP });
    jsContext.setDefaultTimeout(15_000);
    const jsPage = await jsContext.newPage();
    await jsPage.goto(`${workerUrl()}/apps`);
    expect(await jsPage.getByRole('heading', { name: listed.name }).count()).toBe(1);
    await expectAccessible(jsPage);
    await jsContext.close();
  });

  it('Oro: an app made with an org API key (no owner) notifies the organization’s owner, who sees it in the console', async () => {
    const owner = await consolePerson('owner', 'Oro keys only');
    const made = await http('/api/v1/applications', {
      method: 'POST',
      token: owner.apiKey,
      body: { name: 'Key-made importer', redirect_uris: ['https://importer.example/callback'] },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.json.owner_user_id).toBeNull();

    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, owner);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Notifications' }).click();
    await expectPath(page, '/console/settings/developer/notifications');
    const row = page.getByRole('table', { name: 'Outbox' }).getByRole('row', { name: /Key-made importer/ });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('OAuth application "Key-made importer" created');
    expect(await row.textContent()).toContain(owner.email);
    await expectAccessible(page);
    await context.close();
  });
});
