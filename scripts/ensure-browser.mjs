// Runs before `npm test`: the browser tests drive a system Chromium through playwright-core
// (never a downloaded browser). Finds one, or installs Debian's package when this is a Debian
// machine and we may; otherwise says exactly what to do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

if (findChromium()) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (isRoot && hasApt) {
  console.log("[test] Chromium not found; installing Debian's chromium package for the browser tests...");
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit' });
  if (install && install.status === 0 && existsSync('/usr/bin/chromium')) process.exit(0);
}
console.error(
  '[test] The browser tests need Chromium or Chrome. Install it (Debian/Ubuntu: `sudo apt-get install chromium`) ' +
    'or point CHROMIUM_PATH at the browser binary, then run `npm test` again.',
);
process.exit(1);
