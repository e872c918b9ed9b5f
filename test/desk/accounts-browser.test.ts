// Accounts in the browser: the administrator creates an operator and hands over the
// one-time password; the operator signs in, is asked to choose a password, and does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestHotline, TestHotline, TEST_PASSWORD } from '../support/hotline';
import { launchChromium } from './support/browser';

const SHOTS = path.resolve(__dirname, '../../test-output/desk');

describe('desk in a real browser: accounts', function () {
  this.timeout(60_000);
  let browser: Browser;
  let h: TestHotline;

  before(async function () {
    browser = await launchChromium(this);
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Signs in; `ready` is what shows the desk is up (the push connected, or the password form for a user on a one-time password). */
  async function login(username: string, password: string, ready = '#push-status.ok'): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await ctx.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(h.base + '/desk/');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(ready);
    return page;
  }

  it('the administrator creates an operator; the operator signs in with the one-time password and chooses their own', async () => {
    const admin = await login('admin', TEST_PASSWORD);
    // The demo (demo Open311 keys are active here) says so in the header of every page.
    assert.match((await admin.locator('#demo-banner').textContent()) ?? '', /演示系统.*Open311 演示密钥/);
    assert.equal(await admin.locator('#demo-banner').isVisible(), true);
    await admin.click('#nav a[data-page=users]');
    await admin.waitForSelector('table.users tr[data-username=op01]');
    // The filter keeps its focus while the list narrows.
    await admin.click('input[type=search]');
    await admin.keyboard.type('op0');
    assert.equal(await admin.locator('table.users tbody tr').count(), 9);
    assert.equal(await admin.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), 'search');
    await admin.fill('input[type=search]', '');
    assert.doesNotMatch((await admin.textContent('main')) ?? '', /null/, 'no stray "null" where there is no notice');
    await admin.click('details summary:has-text("新建用户")');
    const form = admin.locator('form.user-form').last();
    await form.locator('input[name=username]').fill('op40');
    await form.locator('input[name=displayName]').fill('接线员40');
    await form.locator('input[name=extension]').fill('1040');
    await form.locator('button[type=submit]').click();
    const password = (await admin.locator('.one-time code.password').textContent())!;
    assert.match(password, /^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/);
    assert.match((await admin.locator('table.users tr[data-username=op40]').textContent())!, /接线员40接线员社会治理服务中心1040启用（初始密码）/);
    await admin.screenshot({ path: path.join(SHOTS, '12-users.png'), fullPage: true });

    // A clash is said in words, and nothing is created.
    await admin.click('details summary:has-text("新建用户")');
    await form.locator('input[name=username]').fill('op41');
    await form.locator('input[name=displayName]').fill('接线员41');
    await form.locator('input[name=extension]').fill('1040');
    await form.locator('button[type=submit]').click();
    await admin.waitForSelector('form.user-form >> text=分机号 1040 已分配给 接线员40');
    assert.equal(await admin.locator('table.users tr[data-username=op41]').count(), 0);

    // On the one-time password the desk shows the password form and nothing else (the server allows nothing else).
    const op = await login('op40', password, '#password-form');
    assert.equal(await op.locator('#password-hint').isVisible(), true);
    assert.equal(await op.locator('#nav a').count(), 0);
    assert.equal(await op.locator('#demo-banner').isVisible(), true);
    await op.screenshot({ path: path.join(SHOTS, '13-password.png'), fullPage: true });
    await op.fill('#password-form input[name=currentPassword]', password);
    await op.fill('#password-form input[name=newPassword]', 'short');
    await op.fill('#password-form input[name=again]', 'short');
    await op.click('#password-form button[type=submit]');
    await op.waitForSelector('#password-form .error:has-text("至少 8 个字符")');
    // This system's name is a password people guess first: refused, in words.
    await op.fill('#password-form input[name=newPassword]', 'Minsheng-2026');
    await op.fill('#password-form input[name=again]', 'Minsheng-2026');
    await op.click('#password-form button[type=submit]');
    await op.waitForSelector('#password-form .error:has-text("本系统")');
    await op.fill('#password-form input[name=newPassword]', 'Nongsheng-Jie-71');
    await op.fill('#password-form input[name=again]', 'Nongsheng-Jie-71');
    await op.click('#password-form button[type=submit]');
    // The whole desk opens.
    await op.waitForSelector('#push-status.ok');
    assert.equal(await op.locator('#password-hint').isVisible(), false);
    assert.ok((await op.locator('#nav a').count()) > 0);
    await op.context().close();

    const again = await login('op40', 'Nongsheng-Jie-71');
    assert.equal(await again.locator('#password-hint').isVisible(), false);

    // The administrator disables the account: the operator's next sign-in is refused.
    await admin.locator('table.users tr[data-username=op40] button.toggle').click();
    await admin.waitForSelector('table.users tr[data-username=op40] >> text=停用');
    const ctx = await browser.newContext();
    const refused = await ctx.newPage();
    await refused.goto(h.base + '/desk/');
    await refused.fill('input[name=username]', 'op40');
    await refused.fill('input[name=password]', 'Nongsheng-Jie-71');
    await refused.click('#login-form button[type=submit]');
    await refused.waitForSelector('#login-error:has-text("用户名或密码错误")');
  });
});
