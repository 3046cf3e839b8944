import { describe, expect, it } from 'vitest';
import { asOperator, http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn, expectPath } from './helpers/console';

/** The client credentials grant, as the third-party app would use them. */
const clientCredentials = (clientId: string, secret: string) =>
  fetch(`${workerUrl()}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(`${clientId}:${secret}`)}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'connections.read' }),
  });

describe('console: OAuth applications (seeds 003 and 004)', () => {
  const browser = sharedBrowser();

  it('Oro: adds an application for one of two organizations, copies the credentials, filters, edits, deactivates, deletes', async () => {
    const person = await consolePerson('owner', 'Oro first org');
    const second = await asOperator('/api/v1/admin/organizations', { method: 'POST', body: { name: 'Oro second org' } });
    await asOperator(`/api/v1/admin/organizations/${second.json.id}/users`, { method: 'POST', body: { email: person.email, role: 'admin' } });
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);

    // "Click on your user name… Click My User… In the OAuth Applications section, click Add Application."
    await page.getByText(person.email, { exact: true }).click();
    await page.getByRole('link', { name: 'OAuth Applications' }).click();
    await expectPath(page, '/console/my-user/oauth-applications');
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Add Application' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Application' });
    expect(await dialog.isVisible()).toBe(true);
    await expectAccessible(page);

    // "Organization … Application Name … Active. Click Create."
    await dialog.getByLabel('Organization', { exact: true }).selectOption({ label: 'Oro second org' });
    await dialog.getByLabel('Application Name').fill('Oro storefront');
    await dialog.getByLabel('Redirect URLs').fill('https://store.oro.example/callback');
    await dialog.getByRole('checkbox', { name: /^connections\.read/ }).check();
    expect(await dialog.getByRole('checkbox', { name: 'Active' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Create' }).click();

    // "You are provided with a Client ID and a Client Secret. Click on the copy icon."
    expect(await page.getByRole('status').textContent()).toContain('It is shown only this once');
    await page.getByRole('button', { name: 'Copy Client ID' }).click();
    const clientId = await page.evaluate(() => navigator.clipboard.readText());
    await page.getByRole('button', { name: 'Copy Client Secret' }).click();
    const clientSecret = await page.evaluate(() => navigator.clipboard.readText());
    expect(clientId).toMatch(/^elk_ci_/);
    expect(clientSecret).toMatch(/^elk_cs_/);
    expect((await clientCredentials(clientId, clientSecret)).status).toBe(200);
    await expectAccessible(page);
    // Gone once the page is left.
    await page.reload();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This secret was already shown');
    expect(await page.content()).not.toContain(clientSecret);

    // "filter them by name, organization, and status"
    await page.goto(`${workerUrl()}/console/my-user/oauth-applications`);
    await page.getByRole('link', { name: 'Add Application' }).click();
    await dialog.getByLabel('Organization', { exact: true }).selectOption({ label: 'Oro first org' });
    await dialog.getByLabel('Application Name').fill('Oro back office');
    await dialog.getByLabel('Redirect URLs').fill('https://office.oro.example/callback');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'Back to OAuth Applications' }).click();
    const filters = page.getByRole('form', { name: 'Filter applications' });
    await filters.getByLabel('Name').fill('storefront');
    await filters.getByRole('button', { name: 'Filter' }).click();
    expect(await page.getByRole('row').count()).toBe(2);
    await filters.getByLabel('Name').fill('');
    await filters.getByLabel('Organization', { exact: true }).selectOption({ label: 'Oro first org' });
    await filters.getByRole('button', { name: 'Filter' }).click();
    expect(await page.getByRole('row', { name: /Oro back office/ }).count()).toBe(1);
    expect(await page.getByRole('row', { name: /Oro storefront/ }).count()).toBe(0);
    await filters.getByLabel('Organization', { exact: true }).selectOption({ label: 'All organizations' });
    await filters.getByLabel('Status').selectOption({ label: 'Active' });
    await filters.getByRole('button', { name: 'Filter' }).click();
    expect(await page.getByRole('row').count()).toBe(3);
    await expectAccessible(page);

    // "Use the More Options menu to edit, deactivate or delete an application." With the keyboard.
    const storefront = page.getByRole('row', { name: /Oro storefront/ });
    await storefront.getByText('More Options').focus();
    await page.keyboard.press('Enter');
    await storefront.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Application Name').fill('Oro storefront v2');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByRole('status').textContent()).toContain('The application was saved.');
    const renamed = page.getByRole('row', { name: /Oro storefront v2/ });
    await renamed.getByText('More Options').click();
    await renamed.getByRole('button', { name: 'Deactivate' }).click();
    expect(await page.getByRole('status').textContent()).toContain('deactivated');
    expect((await clientCredentials(clientId, clientSecret)).status).toBe(401);
    page.once('dialog', (d) => void d.accept());
    await page
      .getByRole('row', { name: /Oro storefront v2/ })
      .getByText('More Options')
      .click();
    await page
      .getByRole('row', { name: /Oro storefront v2/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    expect(await page.getByRole('status').textContent()).toContain('The application was deleted.');
    expect(await page.getByRole('row', { name: /Oro storefront/ }).count()).toBe(0);
    await context.close();
  });

  it('Close: Settings → Developer → OAuth Apps → Create App; http is refused, https accepted; then made public', async () => {
    const person = await consolePerson('owner', 'Close org');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'OAuth Apps' }).click();
    await expectPath(page, '/console/settings/developer/oauth-apps');
    await page.getByRole('link', { name: 'Create App' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Application' });
    await dialog.getByLabel('Application Name').fill('Close analytics');
    await dialog.getByLabel('App Description').fill('Charts of your pipeline.');
    await dialog.getByLabel('Redirect URL').fill('http://yourapp.example/callback/close');
    await dialog.getByLabel('Terms of Service URL').fill('https://yourapp.example/terms');
    await dialog.getByLabel('Privacy Policy URL').fill('https://yourapp.example/privacy');
    await dialog.getByRole('button', { name: 'Create' }).click();

    // The refusal comes back as a page of its own, with the values kept.
    const summary = page.getByRole('alert');
    expect(await summary.textContent()).toContain('Redirect URLs');
    expect(await page.getByLabel('App Description').inputValue()).toBe('Charts of your pipeline.');
    await expectAccessible(page);
    await page.getByLabel('Redirect URL').fill('https://yourapp.example/callback/close');
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.getByRole('status').textContent()).toContain('It is shown only this once');
    await page.getByRole('link', { name: 'Back to OAuth Applications' }).click();

    // "Making your app public": the request, and its review state in the grid.
    const row = page.getByRole('row', { name: /Close analytics/ });
    expect(await row.textContent()).toContain('Private');
    await row.getByText('More Options').click();
    await row.getByRole('button', { name: 'Make public' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Publishing was requested');
    expect(await page.getByRole('row', { name: /Close analytics/ }).textContent()).toContain('Private, review pending');
    const apps = await http('/api/v1/applications', { token: person.apiKey });
    expect(apps.json.data[0]).toMatchObject({ name: 'Close analytics', publish_state: 'pending', redirect_uris: ['https://yourapp.example/callback/close'] });
    await context.close();
  });
});
