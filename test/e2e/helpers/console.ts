import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, describeViolations } from './axe';
import { asOperator, newTenant, workerUrl } from './api';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

let counter = 0;

/** A person with a password in a fresh organization (or the ones given), as an operator adds them. */
export async function consolePerson(role: 'owner' | 'admin' | 'member' = 'owner', orgName = 'Console org') {
  const tenant = await newTenant(orgName);
  const email = `console-${Date.now().toString(36)}-${++counter}@example.test`;
  const password = 'a long console password';
  const res = await asOperator(`/api/v1/admin/organizations/${tenant.orgId}/users`, { method: 'POST', body: { email, password, role } });
  if (res.status !== 201) throw new Error(`adding the user failed: ${res.status} ${res.text}`);
  return { ...tenant, email, password };
}

/** Signs in through /login as a person does, and lands wherever sign-in sends them. */
export async function signIn(page: Page, person: { email: string; password: string }, path = '/console') {
  await page.goto(`${workerUrl()}${path}`);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Sign-in answers with a redirect; the next step must not race it.
  await page.waitForURL((url) => url.pathname !== '/login');
  await page.waitForLoadState('load');
}

/**
 * The page is at `expected` (a path, or a pattern of one), waiting for it: a click returns once
 * the browser acted, not once the redirect it caused has been followed.
 */
export async function expectPath(page: Page, expected: string | RegExp) {
  const matches = (url: URL) => (typeof expected === 'string' ? url.pathname === expected : expected.test(url.pathname));
  await page.waitForURL(matches, { timeout: 10_000 }).catch(() => undefined);
  const path = new URL(page.url()).pathname;
  if (typeof expected === 'string') expect(path).toBe(expected);
  else expect(path).toMatch(expected);
}

/** axe finds nothing on the page, at a desktop and a phone width. */
export async function expectAccessible(page: Page) {
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    const violations = await axeViolations(page);
    expect(violations, `${page.url()} at ${size.width}px:\n${describeViolations(violations)}`).toEqual([]);
  }
  await page.setViewportSize(DESKTOP);
}

/** A browser context that may use the clipboard, as a person clicking "Copy" would. */
export async function contextWithClipboard(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: options.javaScriptEnabled ?? true });
  // A step that cannot happen fails with its locator, well before the test's own timeout.
  context.setDefaultTimeout(15_000);
  if (options.javaScriptEnabled !== false) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: workerUrl() });
  return context;
}
