import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { asOperator, http, workerUrl } from './helpers/api';
import { sharedBrowser } from './helpers/browser';
import { consolePerson, contextWithClipboard, expectAccessible, signIn, expectPath } from './helpers/console';

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Tabs forward until the element `matches` names has focus: proof it is reachable by keyboard. */
async function tabTo(page: Page, text: string, limit = 120) {
  for (let n = 0; n < limit; n++) {
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.id ? `#${el.id} ` : ''}${el.textContent?.trim() ?? ''}` : '';
    });
    if (focused === text || focused.startsWith(`${text} `)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${text}`);
}

/** A person made platform admin through the operator API, as the README tells an operator to. */
async function operatorPerson() {
  const person = await consolePerson('owner', 'Operator home org');
  const members = await asOperator(`/api/v1/admin/organizations/${person.orgId}/users`);
  const userId = members.json.data[0].user_id as string;
  const made = await asOperator(`/api/v1/admin/users/${userId}`, { method: 'PATCH', body: { is_platform_admin: true } });
  expect(made.status).toBe(200);
  return person;
}

/** An application the organization's backend made with its API key, with a publish request. */
async function requestedApplication(apiKey: string, name: string) {
  const created = await http('/api/v1/applications', {
    method: 'POST',
    token: apiKey,
    body: {
      name,
      description: 'Syncs leads both ways.',
      redirect_uris: ['https://crm.example.com/callback/edgelink'],
      terms_url: 'https://crm.example.com/terms',
      privacy_url: 'https://crm.example.com/privacy',
    },
  });
  expect(created.status).toBe(201);
  const requested = await http(`/api/v1/applications/${created.json.id}/publish`, { method: 'POST', token: apiKey });
  expect(requested.json.publish_state).toBe('pending');
  return created.json.id as string;
}

describe('console: the operator (issue 11)', () => {
  const browser = sharedBrowser();

  it('Close: approves one publish request and rejects another with a reason; the owner sees both decisions', async () => {
    const applicant = await consolePerson('owner', `Applicant ${unique()}`);
    const approvedName = `Close CRM ${unique()}`;
    const rejectedName = `Draft CRM ${unique()}`;
    const approvedId = await requestedApplication(applicant.apiKey, approvedName);
    const rejectedId = await requestedApplication(applicant.apiKey, rejectedName);
    const operator = await operatorPerson();

    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, operator);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Publish requests' }).click();
    await expectPath(page, '/console/admin/publish-requests');
    const approving = page.getByRole('region', { name: approvedName });
    expect(await approving.textContent()).toContain('https://crm.example.com/callback/edgelink');
    await expectAccessible(page);

    // Approve with the keyboard: Tab reaches the button, Enter presses it.
    await tabTo(page, `Approve ${approvedName}`);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.search === '?done=approved');
    expect(await page.getByRole('status').textContent()).toContain('The request was approved');
    expect(await page.getByRole('region', { name: approvedName }).count()).toBe(0);
    expect(await page.getByRole('row', { name: new RegExp(approvedName) }).textContent()).toContain('Approved: public');

    // A rejection without a reason is refused next to the field; then with one.
    const rejecting = page.getByRole('region', { name: rejectedName });
    await rejecting.getByRole('button', { name: `Reject ${rejectedName}` }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Reason for rejecting');
    await expectAccessible(page);
    await page.getByRole('alert').getByRole('link').click();
    await page.keyboard.type('The terms page is still a placeholder.');
    await page
      .getByRole('region', { name: rejectedName })
      .getByRole('button', { name: `Reject ${rejectedName}` })
      .click();
    await page.waitForURL((url) => url.search === '?done=rejected');
    expect(await page.getByRole('row', { name: new RegExp(rejectedName) }).textContent()).toContain('Rejected: private');
    await expectAccessible(page);

    expect((await http(`/api/v1/applications/${approvedId}`, { token: applicant.apiKey })).json.visibility).toBe('public');
    expect((await http(`/api/v1/applications/${rejectedId}`, { token: applicant.apiKey })).json.visibility).toBe('private');

    // Made with an API key, so the organization's owner is told: on their Notifications page.
    const ownerContext = await contextWithClipboard(browser());
    const ownerPage = await ownerContext.newPage();
    await signIn(ownerPage, applicant, '/console/settings/developer/notifications');
    const outbox = await ownerPage.locator('main').textContent();
    expect(outbox).toContain(`OAuth application "${approvedName}": publish request approved`);
    expect(outbox).toContain(`OAuth application "${rejectedName}": publish request rejected`);
    const sent = await http('/api/v1/notifications?kind=application.publish_reviewed', { token: applicant.apiKey });
    const rejection = sent.json.data.find((n: { subject: string }) => n.subject.includes(rejectedName));
    expect(rejection.recipients).toEqual([applicant.email]);
    expect(rejection.body).toContain('Reason: The terms page is still a placeholder.');
    await ownerContext.close();
    await context.close();
  });

  it('creates an organization and adds a user whose set-password link is shown once and works', async () => {
    const operator = await operatorPerson();
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, operator);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Organizations and users' }).click();
    await expectPath(page, '/console/admin/organizations');
    await expectAccessible(page);

    const orgName = `Initech ${unique()}`;
    await tabTo(page, '#field-name');
    await page.keyboard.type(orgName);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.search === '?done=created');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(orgName);
    await expectAccessible(page);

    const email = `peter-${unique()}@initech.example`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Name').fill('Peter Gibbons');
    await page.getByLabel('Role').selectOption({ label: 'Owner' });
    await tabTo(page, 'Add user');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname.startsWith('/console/shown-once/'));
    expect(await page.getByRole('status').textContent()).toContain('It is shown only this once');
    await page.getByRole('button', { name: /^Copy Set-password link/ }).click();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(/\/login\/set-password\/[A-Za-z0-9_-]{43}$/);
    await expectAccessible(page);
    await page.reload();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This secret was already shown');
    expect(await page.content()).not.toContain(link);

    await page.goto(`${workerUrl()}/console/admin/organizations`);
    const row = page.getByRole('row', { name: new RegExp(orgName) });
    expect(await row.getByRole('cell').last().textContent()).toBe('1');
    await row.getByRole('link', { name: orgName }).click();
    expect(await page.getByRole('row', { name: /Peter Gibbons/ }).textContent()).toContain('Not chosen yet');

    // The new user follows the link and signs in to their organization.
    const newcomer = await browser().newContext();
    const newPage = await newcomer.newPage();
    await newPage.goto(link);
    const password = 'a long newcomer password';
    await newPage.getByLabel('New password').fill(password);
    await newPage.getByLabel('Repeat the password').fill(password);
    await newPage.getByRole('button', { name: 'Set password' }).click();
    expect(await newPage.getByRole('heading', { level: 1 }).textContent()).toBe('Your password is set');
    await signIn(newPage, { email, password });
    expect(await newPage.locator('header').textContent()).toContain(orgName);
    await newcomer.close();
    await context.close();
  });

  it('seed 001: adds a shared offering with the Authorizations form, disables and enables it with buttons', async () => {
    const operator = await operatorPerson();
    const name = `Shared CRM ${unique()}`;
    const context = await contextWithClipboard(browser());
    const page = await context.newPage();
    await signIn(page, operator);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Offerings' }).click();
    await expectPath(page, '/console/admin/offerings');
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Add Shared Offering' }).click();
    await expectPath(page, '/console/admin/offerings/create');
    const field = (label: string) => page.getByLabel(new RegExp(`^${label}( \\(optional\\))?$`));
    await field('Name').fill(name);
    await field('Authorization Type').selectOption({ label: 'OAuth 2.0' });
    await page.getByRole('button', { name: "Show this type's fields" }).click();
    await expect.poll(() => field('Token Endpoint').count()).toBe(1);
    await field('Authorization URI').fill('https://login.shared-crm.example.com/authorize');
    await field('Scopes').fill('read write');
    await page.getByRole('radio', { name: 'Space', exact: true }).check();
    await field('Token Endpoint').fill('https://login.shared-crm.example.com/token');
    await field('User Information Endpoint').fill('https://api.shared-crm.example.com/me');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Create Offering' }).click();
    await expectPath(page, '/console/admin/offerings');
    const row = () => page.getByRole('row').filter({ hasText: name });
    expect(await row().textContent()).toContain('Enabled');

    // Every organization now sees it in the catalog; disabled, none does.
    const tenant = await consolePerson('owner', `Tenant ${unique()}`);
    const listed = async () =>
      ((await http('/api/v1/offerings?limit=200', { token: tenant.apiKey })).json.data as { name: string }[]).some((o) => o.name === name);
    expect(await listed()).toBe(true);
    await row()
      .getByRole('button', { name: `Disable ${name}` })
      .click();
    await expect.poll(async () => (await row().textContent()) ?? '').toContain('Disabled');
    expect(await listed()).toBe(false);
    await expectAccessible(page);
    await row()
      .getByRole('button', { name: `Enable ${name}` })
      .click();
    await expect.poll(async () => (await row().textContent()) ?? '').toContain('Enabled');
    expect(await listed()).toBe(true);
    await context.close();
  });

  it('is not there for an organization owner who is not a platform admin', async () => {
    const owner = await consolePerson('owner', 'Plain owner org');
    const context = await browser().newContext();
    const page = await context.newPage();
    await signIn(page, owner);
    expect(await page.getByRole('link', { name: 'Publish requests' }).count()).toBe(0);
    const res = await page.goto(`${workerUrl()}/console/admin/publish-requests`);
    expect(res?.status()).toBe(404);
    await context.close();
  });
});
