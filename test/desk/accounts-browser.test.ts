// Accounts in the browser: the administrator creates an operator and hands over the
// one-time password; the operator signs in, sees nothing but the password form until they
// have chosen their own password, and does.
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestHotline, TestHotline, TEST_PASSWORD } from '../support/hotline';
import { launchChromium, newDesk, signIn, shot } from './support/browser';

describe('desk in a real browser: accounts', function () {
  this.timeout(180_000); // a timeout catches a hang, not slowness: these flows take 50–90 s on a loaded 2-core machine
  let browser: Browser;
  let h: TestHotline;
  const errors: string[][] = [];

  before(async function () {
    browser = await launchChromium(this);
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    assert.deepEqual(errors.flat(), []);
  });

  async function login(username: string, password: string, ready?: string): Promise<Page> {
    const d = await newDesk(browser);
    errors.push(d.errors);
    d.page.on('dialog', (x) => void x.accept());
    await signIn(d.page, h.base, username, password, ready);
    return d.page;
  }
  const row = (page: Page, username: string) => page.locator(`.users tr:has(td:first-child .cell:text-is("${username}"))`);

  it('the administrator creates an operator; the operator signs in with the one-time password, sees only the password form, and chooses their own', async () => {
    const admin = await login('admin', TEST_PASSWORD);
    // The demo runs on demo keys: the header of every page says so.
    assert.match((await admin.textContent('header#top #demo-banner')) ?? '', /演示/);
    await admin.click('#nav a[data-page=users]');
    assert.match((await admin.textContent('header#top #demo-banner')) ?? '', /演示/);
    await row(admin, 'op01').waitFor();
    // The filter keeps its focus while the list narrows.
    await admin.click('#user-filter');
    await admin.keyboard.type('op0');
    await admin.waitForFunction(() => document.querySelectorAll('.users tbody tr').length === 9);
    assert.equal(await admin.evaluate(() => (document.activeElement as HTMLInputElement | null)?.id), 'user-filter');
    await admin.fill('#user-filter', '');
    assert.doesNotMatch((await admin.textContent('main')) ?? '', /null|undefined/, 'no stray "null" where there is no notice');
    await admin.click('#new-user');
    const form = admin.locator('form.user-form');
    await form.locator('input[name=username]').fill('op40');
    await form.locator('input[name=displayName]').fill('接线员40');
    await form.locator('input[name=extension]').fill('1040');
    await form.locator('button[type=submit]').click();
    const password = (await admin.locator('.one-time code.password').textContent())!;
    assert.match(password, /^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/);
    assert.match((await row(admin, 'op40').innerText()).replace(/\s+/g, ''), /op40接线员40接线员社会治理服务中心1040启用（初始密码）/);
    // 用户管理's columns line up: each action button of a row sits on one line (defect 13).
    const ops = await row(admin, 'op40').locator('.ops button').evaluateAll((bs) => bs.map((b) => Math.round(b.getBoundingClientRect().top)));
    assert.equal(new Set(ops).size, 1, `action buttons on one line: ${ops}`);
    await shot(admin, '12-users');

    // A clash is said in words, and nothing is created.
    await admin.click('#new-user');
    await form.locator('input[name=username]').fill('op41');
    await form.locator('input[name=displayName]').fill('接线员41');
    await form.locator('input[name=extension]').fill('1040');
    await form.locator('button[type=submit]').click();
    await admin.waitForSelector('form.user-form >> text=分机号 1040 已分配给 接线员40');
    assert.equal(await row(admin, 'op41').count(), 0);
    await admin.keyboard.press('Escape');

    // On the one-time password there is only the password form: no page in the header,
    // and a page asked for by its address leads back to the form.
    const op = await login('op40', password, '#password-form');
    assert.equal(await op.locator('#push-status').count(), 0, 'no pushes on a one-time password');
    assert.match((await op.textContent('header#top #demo-banner')) ?? '', /演示/);
    assert.equal(await op.locator('#password-hint').isVisible(), true);
    assert.equal(await op.locator('#nav a').count(), 0);
    assert.equal(await op.locator('#quick-search').count(), 0);
    await op.goto(h.base + '/desk/#/intake');
    await op.waitForSelector('#password-form');
    assert.equal(await op.locator('#ticket-form').count(), 0);
    assert.match((await op.textContent('#initial-password')) ?? '', /改好之后才能使用工作台/);
    await shot(op, '13-initial-password-only');
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
    // Changed: the desk opens (the operator's first page), the hint is gone.
    await op.waitForSelector('#ticket-form');
    assert.equal(await op.locator('#password-hint').count(), 0);
    assert.ok((await op.locator('#nav a').count()) >= 4);
    await shot(op, '13-password-changed');
    await op.context().close();

    const again = await login('op40', 'Nongsheng-Jie-71');
    await again.waitForSelector('#ticket-form');
    assert.equal(await again.locator('#password-hint').count(), 0);

    // The administrator disables the account: the operator's next sign-in is refused.
    await row(admin, 'op40').locator('button.toggle').click();
    await row(admin, 'op40').locator('text=停用').first().waitFor();
    const d = await newDesk(browser);
    await d.page.goto(h.base + '/desk/');
    await d.page.locator('#login-form input[name=username]').fill('op40');
    await d.page.locator('#login-form input[name=password]').fill('Nongsheng-Jie-71');
    await d.page.click('#login-form button[type=submit]');
    await d.page.waitForSelector('#login-error:has-text("用户名或密码错误")');
    await d.ctx.close();
  });
});
