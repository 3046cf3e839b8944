import { describe, expect, it } from 'vitest';
import { http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn } from './helpers/console';

// Seed 000 (Poozle): an integration, then on the Links tab "+ New Link", copy the link URL,
// and an end user connects through it. The integration is Edgelink's own offering, so the end
// user's provider is this very deployment (sign-in and consent included).
describe('console: seed 000, a link an end user connects through', () => {
  const browser = sharedBrowser();

  it('creates the integration and a link, copies the URL, and the end user connects', async () => {
    const person = await consolePerson('owner', 'Seed 000 org');
    const app = await http('/api/v1/applications', {
      method: 'POST',
      token: person.apiKey,
      body: { name: 'Edgelink itself', redirect_uris: [`${workerUrl()}/api/v1/oauth/callback`] },
    });
    expect(app.status).toBe(201);

    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);

    // The integration, on the demo self-offering.
    await page.getByRole('link', { name: 'Add Integration' }).click();
    await page.getByLabel('Integration Name').fill('Edgelink');
    await page.getByLabel('Integration Offering').selectOption({ label: 'Edgelink (this deployment)' });
    await page.getByRole('button', { name: "Show this offering's settings" }).click();
    await expect.poll(() => page.getByLabel('Client ID').count()).toBe(1);
    await page.getByLabel('Client ID').fill(app.json.client_id);
    await page.getByLabel('Client Secret').fill(app.json.client_secret);
    await page.getByRole('checkbox', { name: 'offline_access', exact: true }).check();
    await page.getByRole('button', { name: 'Create Integration' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Edgelink');
    expect(await page.locator('.badge').first().textContent()).toBe('Configured');

    // "On the Links tab, click + New Link."
    await page.getByRole('navigation', { name: 'Integration' }).getByRole('link', { name: 'Links' }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: '+ New Link' }).click();
    await expectAccessible(page);
    await page.getByLabel('Link name').fill('Onboarding');
    await page.getByLabel('End user ID').fill('poozle-user');
    await page.getByLabel('Display name').fill('Poozle User');
    expect(await page.getByRole('checkbox', { name: 'Edgelink', exact: true }).isChecked()).toBe(true);
    await page.getByLabel('Maximum uses').fill('1');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    expect(await page.getByRole('status').textContent()).toContain('The link was created');
    await expectAccessible(page);

    // "Once done you can copy the link URL."
    await page.getByRole('button', { name: 'Copy Link URL' }).click();
    const url = await page.evaluate(() => navigator.clipboard.readText());
    expect(url).toMatch(new RegExp(`^${workerUrl()}/link/[A-Za-z0-9_-]{43}$`));
    await page.getByRole('button', { name: 'Copy Connect button HTML' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`<a href="${url}" target="_blank" rel="noopener">Connect</a>`);

    // "You can use the copied URL to connect accounts": the end user, in their own browser.
    const endUser = await browser().newContext();
    const endUserPage = await endUser.newPage();
    await endUserPage.goto(url);
    await endUserPage
      .getByRole('button', { name: /connect/i })
      .first()
      .click();
    await endUserPage.getByLabel('Email').fill(person.email);
    await endUserPage.getByLabel('Password').fill(person.password);
    await endUserPage.getByRole('button', { name: 'Sign in' }).click();
    await endUserPage.getByRole('button', { name: 'Allow' }).click();
    await endUserPage.waitForURL((u) => u.pathname === '/api/v1/oauth/callback');
    expect(await endUserPage.locator('h1').textContent()).toMatch(/connected/i);
    await endUser.close();

    // The connection shows in the console, and the link is used up.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Connections' }).click();
    const row = page.getByRole('row', { name: /Poozle User/ });
    expect(await row.count()).toBe(1);
    expect(await row.locator('.badge').textContent()).toBe('active');
    await expectAccessible(page);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Links' }).click();
    expect(await page.getByRole('row', { name: /Onboarding/ }).textContent()).toContain('Used up');
    await context.close();
  });
});
