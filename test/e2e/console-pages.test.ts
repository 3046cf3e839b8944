import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn } from './helpers/console';

/** An organization with something on every page: an integration, a link, a connection, an app, a webhook. */
async function furnishedOrganization() {
  const person = await consolePerson('owner', 'Furnished org');
  const token = person.apiKey;
  const integration = await http('/api/v1/integrations', { method: 'POST', token, body: { name: 'Stripe', offering_id: 'off_stripe' } });
  const link = await http('/api/v1/links', { method: 'POST', token, body: { name: 'Onboarding', end_user: { id: 'eu-1', display_name: 'Erin' } } });
  await http('/api/v1/connections', {
    method: 'POST',
    token,
    body: {
      integration_id: integration.json.id,
      end_user: { id: 'eu-1', display_name: 'Erin' },
      provider_account_id: 'acct-1',
      credentials: { api_key: 'sk_test_x' },
    },
  });
  const app = await http('/api/v1/applications', { method: 'POST', token, body: { name: 'Reporting', redirect_uris: ['https://reports.example/cb'] } });
  return { person, integrationId: integration.json.id as string, linkId: link.json.id as string, appId: app.json.id as string };
}

const PAGES = (ids: { integrationId: string; linkId: string; appId: string }) => [
  '/console/oauth',
  '/console/oauth/create?offering_id=off_salesforce_sandbox',
  `/console/oauth/${ids.integrationId}`,
  `/console/oauth/${ids.integrationId}/links`,
  `/console/oauth/${ids.integrationId}/connections`,
  '/console/links',
  '/console/links/new',
  `/console/links/${ids.linkId}`,
  '/console/connections',
  '/console/settings/developer/oauth-apps',
  '/console/settings/developer/oauth-apps/new',
  `/console/settings/developer/oauth-apps/${ids.appId}/edit`,
  '/console/my-user/oauth-applications',
  '/console/settings/developer/api-keys',
  '/console/settings/developer/webhooks',
  '/console/settings/developer/notifications',
  '/console/shown-once/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  '/console/oauth/int_doesnotexist',
];

describe('console: every page', () => {
  const browser = sharedBrowser();

  const visit = async (page: Page, path: string) => {
    const res = await page.goto(`${workerUrl()}${path}`);
    return res!.status();
  };

  it('passes axe-core (WCAG 2.1 A and AA) at desktop and phone widths, for an owner and a member', async () => {
    const org = await furnishedOrganization();
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, org.person);
    for (const path of PAGES(org)) {
      const status = await visit(page, path);
      expect(status, path).toBeLessThan(500);
      await expectAccessible(page);
    }
    // The user menu and a More Options menu, open.
    await visit(page, '/console/settings/developer/oauth-apps');
    await page.getByText(org.person.email, { exact: true }).click();
    await expectAccessible(page);
    await page.getByText(org.person.email, { exact: true }).click();
    await page.getByText('More Options').click();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Create App' }).click();
    await expectAccessible(page);
    await context.close();

    const member = await consolePerson('member', 'Member view org');
    const memberContext = await contextWithClipboard(browser());
    const memberPage = await memberContext.newPage();
    await signIn(memberPage, member);
    for (const path of [
      '/console/oauth',
      '/console/links',
      '/console/connections',
      '/console/settings/developer/oauth-apps',
      '/console/settings/developer/notifications',
    ]) {
      await visit(memberPage, path);
      expect(await memberPage.locator('form[method="post"] button[type="submit"]:not([disabled])').count(), path).toBeLessThanOrEqual(1);
      await expectAccessible(memberPage);
    }
    await memberContext.close();
  });

  it('creates a link and an application with JavaScript off, answered by redirects', async () => {
    const org = await furnishedOrganization();
    const context = await contextWithClipboard(browser(), { javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, org.person, '/console/links/new');
    await page.getByLabel('Link name').fill('No-script link');
    await page.getByLabel('End user ID').fill('ns-1');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    // A click returns once the form is submitted, not once its redirect has been followed.
    await page.waitForURL((url) => /^\/console\/links\/lnk_/.test(url.pathname));
    expect(await page.getByRole('status').textContent()).toContain('The link was created');

    await visit(page, '/console/settings/developer/oauth-apps');
    // Without a script the Create App link opens the form as a page of its own.
    await page.getByRole('link', { name: 'Create App' }).click();
    await page.waitForURL((url) => url.pathname === '/console/settings/developer/oauth-apps/new');
    await page.getByLabel('Application Name').fill('No-script app');
    await page.getByLabel('Redirect URLs').fill('https://ns.example/cb');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/console/shown-once/'));
    expect(await page.getByText(/^elk_cs_/).count()).toBe(1);
    await context.close();
  });
});
