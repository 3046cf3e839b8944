import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn, expectPath } from './helpers/console';

// Seed 001, "Create an Integration", step by step with the console's own labels.
describe('console: seed 001, create a Salesforce sandbox integration', () => {
  const browser = sharedBrowser();

  const pathOf = (page: Page) => new URL(page.url()).pathname;

  it('goes OAuth → Integrations → Add Integration → Create Integration, copies the callback URL, rotates the secret', async () => {
    const person = await consolePerson('owner', 'Seed 001 org');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);
    await expectPath(page, '/console/oauth');
    await expectAccessible(page);

    // "Navigate to OAuth → Integrations in the sidebar, then click Add Integration."
    const sidebar = page.getByRole('navigation', { name: 'Console' });
    await sidebar.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('link', { name: 'Add Integration' }).click();
    await expectPath(page, '/console/oauth/create');
    await expectAccessible(page);

    // "Fill in the Settings form."
    await page.getByLabel('Integration Name').fill('Salesforce Sandbox');
    await page.getByLabel('Integration Offering').selectOption({ label: 'Salesforce (sandbox)' });
    // Applying the choice reloads the form for that offering, keeping the name.
    await page.getByRole('button', { name: "Show this offering's settings" }).click();
    await expect.poll(() => page.getByLabel('Client ID').count()).toBe(1);
    expect(await page.getByLabel('Integration Name').inputValue()).toBe('Salesforce Sandbox');
    await page.getByLabel('Client ID').fill('sandbox-consumer-key');
    await page.getByLabel('Client Secret').fill('sandbox-consumer-secret');
    const scopes = page.getByRole('group', { name: 'OAuth Scopes' });
    for (const required of ['api (required)', 'refresh_token (required)']) {
      const box = scopes.getByRole('checkbox', { name: required, exact: true });
      expect(await box.isChecked()).toBe(true);
      expect(await box.isDisabled()).toBe(true);
    }
    for (const optional of ['web', 'openid']) {
      const box = scopes.getByRole('checkbox', { name: optional, exact: true });
      expect(await box.isChecked()).toBe(false);
      await box.check();
    }
    await expectAccessible(page);

    // "Copy the displayed Callback URL."
    await page.getByRole('button', { name: 'Copy Callback URL' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${workerUrl()}/api/v1/oauth/callback`);

    // "Click Create Integration … redirected to the integration's detail page."
    await page.getByRole('button', { name: 'Create Integration' }).click();
    await expectPath(page, /^\/console\/oauth\/int_[A-Za-z0-9]+$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Salesforce Sandbox');
    expect(await page.getByRole('status').textContent()).toContain('The integration was created.');
    expect(await page.content()).not.toContain('sandbox-consumer-secret');
    await expectAccessible(page);

    // "To rotate a secret, open the integration's Settings tab and provide a new value."
    await page.getByRole('navigation', { name: 'Integration' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('New client secret').fill('the-rotated-secret');
    await page.getByRole('button', { name: 'Save settings' }).click();
    expect(await page.getByRole('status').textContent()).toContain('The new client secret was stored');
    expect(await page.content()).not.toContain('the-rotated-secret');

    const id = pathOf(page).split('/').pop()!;
    const api = await http(`/api/v1/integrations/${id}`, { token: person.apiKey });
    expect(api.json.scopes).toEqual(['api', 'refresh_token', 'web', 'openid']);
    expect(api.json.has_client_secret).toBe(true);
    await context.close();
  });

  it('works with JavaScript off: the offering is applied with a button, the form posts and redirects', async () => {
    const person = await consolePerson('owner', 'No-script org');
    const context = await contextWithClipboard(browser(), { javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, person, '/console/oauth/create');
    await expectPath(page, '/console/oauth/create');
    await page.getByLabel('Integration Name').fill('Sandbox without scripts');
    await page.getByLabel('Integration Offering').selectOption({ label: 'Salesforce (sandbox)' });
    await page.getByRole('button', { name: "Show this offering's settings" }).click();
    await page.getByLabel('Client ID').fill('no-script-key');
    await page.getByLabel('Client Secret').fill('no-script-secret');
    // The copy button needs a script; without one the URL is there to select.
    expect(await page.getByRole('button', { name: 'Copy Callback URL' }).count()).toBe(0);
    expect(await page.getByText(`${workerUrl()}/api/v1/oauth/callback`).count()).toBe(1);
    await page.getByRole('button', { name: 'Create Integration' }).click();
    await expectPath(page, /^\/console\/oauth\/int_/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sandbox without scripts');

    // A problem re-renders the form with a summary linking to the field, values kept.
    await page.goto(`${workerUrl()}/console/oauth/create`);
    await page.getByLabel('Integration Offering').selectOption({ label: 'Salesforce (sandbox)' });
    await page.getByRole('button', { name: "Show this offering's settings" }).click();
    await page.getByLabel('Client ID').fill('kept-key');
    await page.getByRole('button', { name: 'Create Integration' }).click();
    const summary = page.getByRole('alert');
    expect(await summary.textContent()).toContain('Integration Name');
    await summary.getByRole('link', { name: /Integration Name/ }).click();
    // page.evaluate needs scripts; locators do not.
    expect(await page.locator('#field-name:focus').count()).toBe(1);
    expect(await page.getByLabel('Client ID').inputValue()).toBe('kept-key');
    await context.close();
  });

  it('can be done with the keyboard alone', async () => {
    const person = await consolePerson('owner', 'Keyboard org');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person, '/console/oauth/create');
    const focusOn = async (id: string, limit = 40) => {
      for (let n = 0; n < limit; n++) {
        if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached #${id}`);
    };
    // The first Tab reaches the skip link, which jumps to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await focusOn('field-name');
    await page.keyboard.type('Keyboard Sandbox');
    await focusOn('field-offering_id');
    // Typing on a focused select picks the option that starts so; moving on and pressing the button applies it.
    await page.keyboard.type('Salesforce (s', { delay: 20 });
    expect(await page.getByLabel('Integration Offering').inputValue()).toBe('off_salesforce_sandbox');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('apply-offering');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Client ID').count()).toBe(1);
    expect(await page.getByLabel('Integration Name').inputValue()).toBe('Keyboard Sandbox');
    await focusOn('field-client_id');
    await page.keyboard.type('keyboard-key');
    await page.keyboard.press('Tab');
    await page.keyboard.type('keyboard-secret');
    const web = page.getByRole('checkbox', { name: 'web', exact: true });
    await focusOn((await web.getAttribute('id'))!);
    await page.keyboard.press('Space');
    expect(await web.isChecked()).toBe(true);
    await focusOn('create-integration');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => /^\/console\/oauth\/int_/.test(url.pathname));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Keyboard Sandbox');
    await context.close();
  });

  it('shows a member the integrations without the forms that change them', async () => {
    const member = await consolePerson('member', 'Member org');
    const page = await browser().newPage();
    await signIn(page, member);
    await expectPath(page, '/console/oauth');
    expect(await page.getByRole('link', { name: 'Add Integration' }).count()).toBe(0);
    expect(await page.getByText('you can look at everything here').count()).toBe(1);
    await expectAccessible(page);
    await page.close();
  });
});
