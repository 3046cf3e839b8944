// Where the system Chromium is and how it is launched: one place for the pretest check
// (ensure-browser.mjs), the README's screenshots and the browser tests. Never a downloaded
// browser; the flags keep it off the (closed) network.
import { existsSync } from 'node:fs';

export const CHROMIUM_CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
].filter(Boolean);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The first Chromium or Chrome found on this machine, or undefined. */
export function findChromium() {
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path));
}
