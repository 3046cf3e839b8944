// `npm run screenshots`: the console pictures in the README (docs/screenshots/), taken from a
// running `npm run dev` with its demo sign-in. Start `npm run dev` in another terminal first.
//
// Drives the system Chromium through playwright-core, as the browser tests do.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE_URL = process.env.EDGELINK_URL ?? 'http://127.0.0.1:8787';
const STATE_FILE = join(ROOT, '.wrangler', 'edgelink-demo.json');
const OUT = join(ROOT, 'docs', 'screenshots');
const CHROMIUM = findChromium();

function fail(message) {
  console.error(`[screenshots] ${message}`);
  process.exit(1);
}

if (!existsSync(STATE_FILE)) fail('No demo data yet: run `npm run dev` first (and keep it running).');
const state = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
if (!state.user?.password) fail('The demo password is not known any more (it was set by an earlier run): delete .wrangler/ and run `npm run dev` again.');
if (!CHROMIUM) fail('No Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.');
if (
  !(await fetch(`${BASE_URL}/health`)
    .then((r) => r.ok)
    .catch(() => false))
)
  fail(`Nothing answers at ${BASE_URL}: start \`npm run dev\` first.`);

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: CHROMIUM_ARGS,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${BASE_URL}/console`);
  await page.getByLabel('Email').fill(state.user.email);
  await page.getByLabel('Password').fill(state.user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  const shots = [
    ['integrations', '/console/oauth'],
    ['add-integration', '/console/oauth/create?offering_id=off_salesforce_sandbox'],
    ['integration-settings', `/console/oauth/${state.self_integration?.id ?? state.integration.id}`],
    ['link', `/console/links/${state.link.id}`],
    ['connections', '/console/connections'],
    ['oauth-applications', '/console/my-user/oauth-applications'],
  ];
  for (const [name, path] of shots) {
    await page.goto(`${BASE_URL}${path}`);
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
    console.log(`[screenshots] docs/screenshots/${name}.png  ${path}`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${BASE_URL}/console/oauth`);
  await page.screenshot({ path: join(OUT, 'integrations-phone.png') });
  console.log('[screenshots] docs/screenshots/integrations-phone.png  /console/oauth at 390 px');
} finally {
  await browser.close();
}
