import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where `scripts/ensure-browser.mjs` (run before `npm test`) finds or installs it. */
function systemChromium(): string {
  const paths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];
  return paths.find((path) => existsSync(path)) ?? '/usr/bin/chromium';
}

/** Debian's Chromium, never a downloaded one; flags keep it off the (closed) network. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? systemChromium(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
