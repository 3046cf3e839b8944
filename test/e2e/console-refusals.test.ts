import { describe, expect, it } from 'vitest';
import { http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, signIn } from './helpers/console';

describe('console: what a browser cannot do', () => {
  const browser = sharedBrowser();

  it("refuses a form another site posts into the console, even in a signed-in person's browser", async () => {
    const person = await consolePerson('owner', 'CSRF target org');
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, person);
    // A page that is not ours, in the same browser, submits a form to the console.
    await page.setContent(
      `<form method="post" action="${workerUrl()}/console/settings/developer/api-keys"><input name="name" value="planted"><button>Go</button></form>`,
    );
    await page.getByRole('button', { name: 'Go' }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname.startsWith('/console/shown-once/')).toBe(false);
    const keys = await http('/api/v1/api_keys', { token: person.apiKey });
    expect(keys.json.data.map((k: { name: string }) => k.name)).not.toContain('planted');
    await context.close();
  });

  it("shows another organization's integration as not found", async () => {
    const owner = await consolePerson('owner', 'Owner org');
    const integration = await http('/api/v1/integrations', {
      method: 'POST',
      token: owner.apiKey,
      body: { name: 'Private Stripe', offering_id: 'off_stripe' },
    });
    const stranger = await consolePerson('owner', 'Stranger org');
    const page = await browser().newPage();
    await signIn(page, stranger);
    const res = await page.goto(`${workerUrl()}/console/oauth/${integration.json.id}`);
    expect(res!.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    expect(await page.content()).not.toContain('Private Stripe');
    await page.close();
  });
});
