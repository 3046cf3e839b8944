import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn, expectPath } from './helpers/console';

// Seed 002 (Integry), "set up OAuth2.0 … to connect to your app", with the console's own
// labels, against the loopback OpenID provider, through to a stored connection.
describe('console: seed 002, an organization defines its own OAuth 2.0 authorization', () => {
  const browser = sharedBrowser();

  const pathOf = (page: Page) => new URL(page.url()).pathname;
  /** The field with this label; optional ones say so after it. */
  const field = (page: Page, label: string) => page.getByLabel(new RegExp(`^${label}( \\(optional\\))?$`));

  it('creates the authorization in Integry’s words, connects an account through it, and keeps it from other organizations', async () => {
    const person = await consolePerson('owner', 'Integry org');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);

    // "The authorization is created under the Authorizations tab in your app."
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Authorizations' }).click();
    await expectPath(page, '/console/authorizations');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Add Authorization' }).click();
    await expectPath(page, '/console/authorizations/create');

    // "By default, we create API-Key auth type."
    const type = field(page, 'Authorization Type');
    expect(await type.inputValue()).toBe('api_key');
    expect(await field(page, 'Key label').inputValue()).toBe('API Key');
    expect(await field(page, 'Client ID').count()).toBe(0);
    await expectAccessible(page);

    // "Once you select the authorization type, a form will appear …"
    await field(page, 'Name').fill('Acme app');
    await type.selectOption({ label: 'OAuth 2.0' });
    await page.getByRole('button', { name: "Show this type's fields" }).click();
    await expect.poll(() => field(page, 'Client ID').count()).toBe(1);
    expect(await field(page, 'Name').inputValue()).toBe('Acme app');

    const issuer = inject('oidcIssuer');
    const client = inject('oidcClient');
    await field(page, 'Client ID').fill(client.client_id);
    await field(page, 'Client Secret').fill(client.client_secret);
    // "If the URI takes any query parameters they need to be appended … response_type=code."
    await field(page, 'Authorization URI').fill(`${issuer}/auth?response_type=code&prompt=consent`);
    // "multiple permissions to be separated by a comma or space"
    await field(page, 'Scopes').fill('openid offline_access email profile');
    await page.getByRole('radio', { name: 'Space', exact: true }).check();
    await field(page, 'Token Endpoint').fill(`${issuer}/token`);
    await field(page, 'User Information Endpoint').fill(`${issuer}/me`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Copy Callback URL' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${workerUrl()}/api/v1/oauth/callback`);

    // "Click the Create Authorization button at the end."
    await page.getByRole('button', { name: 'Create Authorization' }).click();
    await page.waitForURL((url) => /^\/console\/authorizations\/off_[a-z0-9_]+$/.test(url.pathname));
    const offeringId = pathOf(page).split('/').pop()!;
    await expect(page.getByRole('status').textContent()).resolves.toContain('The authorization was created, with its integration.');
    const integrations = page.getByRole('region', { name: 'Integrations of this authorization' });
    await expect(integrations.getByText('Configured').count()).resolves.toBe(1);
    expect(await page.content()).not.toContain(client.client_secret);
    await expectAccessible(page);

    // The integration it made connects an end user's account at the provider.
    const listed = await http(`/api/v1/integrations?offering_id=${offeringId}`, { token: person.apiKey });
    expect(listed.json.data).toHaveLength(1);
    const integration = listed.json.data[0];
    expect(integration).toMatchObject({ status: 'configured', client_id: client.client_id });
    const link = await http('/api/v1/links', {
      method: 'POST',
      token: person.apiKey,
      body: { name: 'Acme onboarding', integration_ids: [integration.id], end_user: { id: 'integry-user-1', email: 'bo@example.test' } },
    });
    expect(link.status, link.text).toBe(201);
    const endUser = await browser().newPage();
    await endUser.goto(link.json.url);
    await endUser
      .getByRole('button', { name: /connect/i })
      .first()
      .click();
    await endUser.waitForURL((url) => url.origin === issuer);
    await endUser.locator('input[name="login"]').fill('alice');
    await endUser.locator('input[name="password"]').fill('any-password');
    await endUser.locator('button[type="submit"]').click();
    await endUser.locator('button[type="submit"]').click();
    await endUser.waitForURL((url) => url.pathname === '/api/v1/oauth/callback');
    await expect(endUser.locator('h1').textContent()).resolves.toMatch(/connected/i);
    await endUser.close();

    const connections = await http(`/api/v1/connections?end_user_id=integry-user-1`, { token: person.apiKey });
    expect(connections.json.data).toHaveLength(1);
    // No account fields were given: the account is named by the userinfo reply's `sub`.
    expect(connections.json.data[0]).toMatchObject({
      status: 'active',
      integration_id: integration.id,
      provider_account_id: 'alice',
      account: { email: 'alice@peer.test' },
    });
    const token = await http(`/api/v1/connections/${connections.json.data[0].id}/token`, { token: person.apiKey });
    expect(token.status, token.text).toBe(200);

    // Another organization sees nothing of it, in the console or the API.
    const stranger = await consolePerson('owner', 'Other org');
    const otherContext = await contextWithClipboard(browser());
    const otherPage = await otherContext.newPage();
    await signIn(otherPage, stranger, '/console/authorizations');
    expect(pathOf(otherPage)).toBe('/console/authorizations');
    expect(await otherPage.content()).not.toContain('Acme app');
    const missing = await otherPage.goto(`${workerUrl()}/console/authorizations/${offeringId}`);
    expect(missing?.status()).toBe(404);
    await expectAccessible(otherPage);
    expect((await http(`/api/v1/offerings/${offeringId}`, { token: stranger.apiKey })).status).toBe(404);
    await otherContext.close();
    await context.close();
    // Two browsers, a provider's sign-in and consent, and axe at two widths: longer than most tests.
  }, 120_000);

  it('shows a refused Token Endpoint next to its field and in the summary, accessibly, storing nothing', async () => {
    const person = await consolePerson('owner', 'Integry refusals');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person, '/console/authorizations/create?type=oauth2');
    await field(page, 'Name').fill('Metadata grabber');
    await field(page, 'Client ID').fill('id');
    await field(page, 'Client Secret').fill('secret');
    await field(page, 'Authorization URI').fill('https://login.example.com/authorize');
    await field(page, 'Token Endpoint').fill('https://169.254.169.254/token');
    await page.getByRole('button', { name: 'Create Authorization' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Token Endpoint: URL must not point at a private or internal address');
    expect(await field(page, 'Token Endpoint').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    const listed = await http('/api/v1/offerings?limit=200', { token: person.apiKey });
    expect((listed.json.data as { name: string }[]).some((o) => o.name === 'Metadata grabber')).toBe(false);
    await context.close();
  });
});
