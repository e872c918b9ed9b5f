// Debian's Chromium driven by playwright-core, for the desk's end-to-end suites. Without
// the package (a developer machine) the suite is skipped with a note; CI installs it.
import fs from 'node:fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(suite: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`      (skipped: ${CHROMIUM} not found — install Debian's chromium package: apt-get install -y chromium)`);
    suite.skip();
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
