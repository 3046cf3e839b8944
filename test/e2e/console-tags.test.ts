import { describe, expect, it } from 'vitest';
import { http } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn } from './helpers/console';

// Tags, as a developer uses them in the console (plain form posts): a link made with tags shows
// them, connections carry tags, and the connection list filters by one.
describe('console: tags on links and connections', () => {
  const browser = sharedBrowser();

  it('creates a link with tags, shows them on the link, and filters connections by a tag', async () => {
    const person = await consolePerson('owner', 'Tags org');
    const stripe = await http('/api/v1/integrations', { method: 'POST', token: person.apiKey, body: { name: 'Stripe', offering_id: 'off_stripe' } });
    expect(stripe.status).toBe(201);
    for (const [endUser, tags] of [
      ['prod-customer', { env: 'prod' }],
      ['dev-customer', { env: 'dev' }],
    ] as const) {
      const res = await http('/api/v1/connections', {
        method: 'POST',
        token: person.apiKey,
        body: { integration_id: stripe.json.id, end_user: { id: endUser }, provider_account_id: endUser, credentials: { api_key: `sk_test_${endUser}` }, tags },
      });
      expect(res.status).toBe(201);
    }

    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person, '/console/links/new');
    await page.getByLabel('Link name').fill('Tagged onboarding');
    await page.getByLabel('End user ID').fill('tagged-user');
    await page.getByLabel('Tags').fill('env=prod\ncustomer=acme');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    expect(await page.getByRole('status').textContent()).toContain('The link was created');
    const tags = await page.locator('ul.tags li').allTextContents();
    expect(tags).toEqual(['env: prod', 'customer: acme']);
    await expectAccessible(page);

    // A bad tag is shown next to its field and in the summary.
    await page.goto(page.url().replace(/\/console\/links\/.*$/, '/console/links/new'));
    await page.getByLabel('Link name').fill('Bad tags');
    await page.getByLabel('End user ID').fill('bad-user');
    await page.getByLabel('Tags').fill('Env=prod');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Tags:');
    expect(await page.locator('#field-tags-error').textContent()).toContain('lowercase');
    await expectAccessible(page);

    await page.goto(page.url().replace(/\/console\/links\/.*$/, '/console/connections'));
    await page.getByLabel('Tag', { exact: true }).fill('env:prod');
    await page.getByRole('button', { name: 'Filter' }).click();
    const table = page.getByRole('region', { name: 'Connections' });
    expect(await table.textContent()).toContain('prod-customer');
    expect(await table.textContent()).not.toContain('dev-customer');
    await expectAccessible(page);

    // The connection's page: tags and metadata, edited with a plain form post.
    await page.getByRole('link', { name: 'prod-customer' }).click();
    await page.getByLabel('Metadata (JSON object)').fill('{"plan": "pro"}');
    await page.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByRole('status').textContent()).toContain('saved');
    expect(await page.locator('pre.snippet').first().textContent()).toBe('{\n  "plan": "pro"\n}');
    await expectAccessible(page);
    await context.close();
  });
});
