// Debian's Chromium driven by playwright-core, for the desk's end-to-end suites. Without
// the package (a developer machine) the suite is skipped with a note; CI installs it.
// The desk's pages are built first when the build is missing or older than its sources.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureDeskBuilt } from '../../../agent-desk/build';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.resolve(__dirname, '../../../test-output/desk');

export async function launchChromium(suite: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`      (skipped: ${CHROMIUM} not found — install Debian's chromium package: apt-get install -y chromium)`);
    suite.skip();
  }
  suite.timeout(180_000); // a first build of the pages takes a while on a busy machine
  ensureDeskBuilt((l) => console.log(`      ${l}`));
  fs.mkdirSync(SHOTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  // launch() gives every browser a fresh temporary profile (user-data-dir).
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A new person at the desk: their own context (cookies), the desk's screen size and locale.
 * `now`: the test server's clock, which the browser's clock then shows too (as a real desk's
 * and server's clocks agree); timers keep running.
 */
export async function newDesk(browser: Browser, opts: { now?: number } = {}): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  if (opts.now !== undefined) await ctx.clock.setFixedTime(opts.now);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // The desk's own errors (not those of a server page shown in a frame, like the printable notice).
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text()) && m.location().url.includes('/desk/')) errors.push(`console: ${m.text()}`); });
  return { ctx, page, errors };
}

/**
 * Signs in through the login form; waits until the desk is up: the pushes connected, or
 * `ready` (e.g. '#password-form' for a user on a one-time password, who gets no pushes).
 */
export async function signIn(page: Page, base: string, username: string, password: string, ready = '#push-status.ok'): Promise<void> {
  await page.goto(base + '/desk/');
  await page.locator('#login-form input[name=username]').fill(username);
  await page.locator('#login-form input[name=password]').fill(password);
  await page.locator('#login-form button[type=submit]').click();
  await page.waitForSelector(ready);
  // The first page is loaded (its code comes in its own chunk) and listening for keys.
  await page.waitForSelector('main#view > *');
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

export { until } from '../../support/until';
