// A newcomer's working day at the desk, role by role, in Chromium: what they found wrong on
// the Vue desk (issue 14's views) and now see put right. Each test failed before its fix.
// One server and one browser for the file; one context per person, closed after each test.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestHotline, TestHotline, TEST_PASSWORD, Caller } from '../support/hotline';
import { ticketToRow, ticketFromRow } from '../../storage/tickets';
import { launchChromium, newDesk, signIn, shot, until } from './support/browser';

const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z'); // 10:00 in Shouguang, a working Monday

describe('desk in a real browser: a newcomer\'s working day', function () {
  this.timeout(180_000); // a timeout catches a hang, not slowness: these flows take 50–90 s on a loaded 2-core machine
  let browser: Browser;
  let h: TestHotline;
  const now = MONDAY_10;
  let op: Caller;
  let sup: Caller;
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];
  let first = 0;

  before(async function () {
    browser = await launchChromium(this);
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    [op, sup] = await Promise.all([h.as('op01'), h.as('sup01')]);
  });
  beforeEach(() => { first = contexts.length; });
  afterEach(async function () {
    const mine = contexts.slice(first);
    if (this.currentTest?.state === 'failed') {
      for (const [i, c] of mine.entries()) for (const p of c.pages()) await shot(p, `failed-n-${this.currentTest.title.split(':')[0]}-${i}`).catch(() => {});
    }
    for (const c of mine) await c.close().catch(() => {});
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    assert.deepEqual(errors.flat(), [], 'no page threw or logged an error');
  });

  async function login(username: string, hash = '', size?: { width: number; height: number }): Promise<Page> {
    const d = await newDesk(browser, { now });
    if (size) await d.page.setViewportSize(size);
    contexts.push(d.ctx);
    errors.push(d.errors);
    await signIn(d.page, h.base, username, TEST_PASSWORD);
    if (hash) await d.page.goto(`${h.base}/desk/#${hash}`);
    return d.page;
  }
  const create = async (over: Record<string, unknown>, lead?: string, co: string[] = []) => {
    const r = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '小区门口路灯不亮', citizenPhone: '13812340000', ...over, ...(lead ? { dispatch: { leadUnit: lead, coUnits: co } } : {}) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.ticket as { id: number; number: string };
  };
  const act = async (who: Caller, id: number, action: string, reason?: string, input?: unknown) => {
    const r = await who('POST', `/api/tickets/${id}/transitions`, { action, ...(reason ? { reason } : {}), ...(input ? { input } : {}) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const ticket = (id: number) => h.db('tickets').where({ id }).first();

  it('协办: an empty opinion is asked for as 协办意见; the opinion sent shows once on the co-handling unit\'s card', async () => {
    const t = await create({ content: '我家楼道里有很大的煤气味，好像燃气管道漏气了', address: '圣城街道仓圣小区5号楼' }, 'zjj', ['rqgs']);
    const co = await login('rqgs');
    const card = `article[data-number="${t.number}"]`;
    await co.click(`${card} .open-co_opinion`);
    await co.click(`${card} .do-co_opinion`);
    assert.equal(await co.textContent(`${card} .action-form .error`), '请填写协办意见');
    assert.equal((await co.textContent(`${card} .do-co_opinion`))?.trim(), '提交协办意见');
    await co.fill(`${card} .action-form textarea`, '抢修人员已到现场，关闭了燃气总阀，立管接口已更换并复测无泄漏。');
    await co.click(`${card} .do-co_opinion`);
    await co.waitForSelector(`${card} .note-co_opinion:has-text("立管接口已更换")`);
    await co.waitForTimeout(300); // the card's history is read again after the push
    assert.equal(await co.locator(`${card} :text("立管接口已更换")`).count(), 1);
    await shot(co, 'n-co-opinion-once');
  });

  it('督办: the unit\'s card says why the citizen was not satisfied, not only 「回访：不满意」', async () => {
    const gaj = await h.as('gaj');
    const t = await create({ content: '小区里有人养大型犬不拴绳，已经咬伤了一个孩子', citizenName: '李先生' }, 'gaj');
    await act(gaj, t.id, 'acknowledge');
    await act(gaj, t.id, 'reply', '已联系社区进行劝导。');
    await act(sup, t.id, 'review_approve');
    const v = await op('POST', `/api/return-visits/${t.id}`, { outcome: 'unsatisfied', reason: '只是劝导，狗主人还是不拴绳，孩子都不敢下楼。' });
    assert.equal(v.status, 200, JSON.stringify(v.body));
    await act(sup, t.id, 'supervise', '仅劝导不足以解决问题，请依法处置并书面答复。', { dueAt: '2026-11-26T09:00:00.000Z' });

    const unit = await login('gaj');
    const card = `article[data-number="${t.number}"]`;
    await unit.waitForSelector(`${card} .notice-box`);
    assert.match((await unit.textContent(`${card} .history-visit`)) ?? '', /不满意[\s\S]*狗主人还是不拴绳/);
    await shot(unit, 'n-supervised-visit-reason');
  });

  it('待派单: a photo report of an open ticket\'s matter offers 并案 there; the main ticket then offers no 并案 of its own', async () => {
    const main = await create({ content: '农圣街和金光街路口的路灯已经一个星期不亮了，晚上走路很不安全', address: '农圣街与金光街路口', citizenPhone: '13853698765' }, 'cgj');
    const dup = await create({ channel: 'photo_report', content: '金光街和农圣街交叉口路灯不亮，晚上很黑，已经好几天了', address: '农圣街与金光街路口', citizenPhone: '18766665555' });
    const page = await login('sup02', '/dispatch');
    const card = `article[data-number="${dup.number}"]`;
    await page.waitForSelector(`${card} .same-issue:has-text("${main.number}")`);
    await shot(page, 'n-dispatch-same-issue');
    await page.click(`${card} .same-issue .merge-into`);
    await page.click('.confirm-merge button:has-text("确认并案")');
    await until('merged', async () => (await ticket(dup.id)).status === 'merged');
    await page.waitForSelector(card, { state: 'detached' });

    await page.goto(`${h.base}/desk/#/tickets/${main.id}`);
    await page.waitForSelector(`#duplicates a:has-text("${dup.number}")`);
    await page.waitForSelector('#ticket-actions .open-comment');
    assert.equal(await page.locator('#ticket-actions .open-merge').count(), 0, 'a ticket with duplicates cannot itself be merged (409 has_duplicates)');
  });

  it('ticket page: an accepted duplicate names the open ticket about the same matter, and 并案 starts from its number', async () => {
    const main = await create({ content: '幸福小区3号楼门前自来水管爆裂，水漫到马路上', address: '圣城街道幸福小区3号楼', citizenPhone: '13811112222' }, 'swjt');
    const dup = await create({ channel: 'web', content: '幸福小区3号楼前面水管爆了，水一直流到马路上', address: '圣城街道幸福小区3号楼', citizenPhone: '13933334444' });
    const page = await login('op02', `/tickets/${dup.id}`);
    await page.waitForSelector(`#ticket-actions .same-issue:has-text("${main.number}")`);
    await page.click('#ticket-actions .merge-suggested');
    assert.equal(await page.inputValue('#ticket-actions .action-form .in-intoNumber input'), main.number);
    await page.click('#ticket-actions .do-merge');
    await page.click('.el-message-box button:has-text("确认并案")');
    await until('merged', async () => (await ticket(dup.id)).status === 'merged');
    await page.waitForSelector(`#merged-into:has-text("${main.number}")`);
  });

  it('ticket page: each deadline on one line beside its countdown', async () => {
    const t = await create({ content: '文圣街东段马路中间有个大坑，已经有电动车摔倒了' }, 'jtj');
    const page = await login('op02', `/tickets/${t.id}`);
    await page.waitForSelector('#clocks tr');
    for (const h of await page.locator('#clocks tr').evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height))) assert.ok(h < 32, `a clock's row is ${h} px high`);
    await shot(page, 'n-ticket-clocks');
  });

  it('统计分析: the pies\' labels are whole, not 「求...」', async () => {
    // Mostly complaints, one of each other kind: small slices side by side, as on a real day.
    for (const kind of [...Array(10).fill('complaint'), 'consult', 'help_request', 'report', 'suggestion']) await create({ kind, content: '楼下垃圾桶满了好几天没人清运' });
    const page = await login('sup03', '/stats');
    const pie = page.locator('.chart[aria-label="按诉求类型"][data-texts]');
    await pie.waitFor();
    const texts = (await pie.getAttribute('data-texts'))!.split('|');
    for (const label of ['咨询', '求助', '举报', '建议']) assert.ok(texts.some((x) => x.startsWith(`${label} `)), texts.join('|'));
    assert.ok(!texts.some((x) => /\.\.\.|…/.test(x)), texts.join('|'));
    await shot(page, 'n-stats-pies');
  });

  it('民情周报 on a Monday: the period stops at today and the trend is the last 7 days, not one dot', async () => {
    const page = await login('sup01', '/bulletin?kind=weekly&date=2026-11-23');
    await page.waitForSelector('h1.bulletin-title:has-text("民情周报")');
    assert.match((await page.textContent('.period')) ?? '', /2026-11-23 至 2026-11-23（截至今日）/);
    const trend = page.locator('.chart[aria-label="受理趋势"]');
    await trend.waitFor();
    assert.deepEqual((await trend.getAttribute('data-categories'))!.split(','), ['11-17', '11-18', '11-19', '11-20', '11-21', '11-22', '11-23']);
    await shot(page, 'n-weekly-monday');
  });

  it('监控大屏: a highlighted figure stands in line with the others', async () => {
    await create({ content: '建议在实验中学门口增设一个红绿灯，上下学时段车多人多很危险' }); // 待派单 > 0: highlighted
    const page = await login('leader01', '/wallboard');
    await page.waitForSelector('button[data-tile="not-dispatched"].warn');
    const boxes = await page.locator('.tiles .tile').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
    const firstRow = boxes.filter((b) => Math.abs(b.top - boxes[0].top) < 20);
    for (const b of firstRow) assert.ok(Math.abs(b.top - boxes[0].top) < 1 && Math.abs(b.height - boxes[0].height) < 1, JSON.stringify(firstRow.map((x) => [x.top, x.height])));
  });

  it('用户管理: a long user name stays on one line', async () => {
    const page = await login('admin', '/users');
    const cell = page.locator('.el-table__row td:first-child .cell:text-is("shuangwangcheng")');
    await cell.waitFor();
    assert.ok((await cell.evaluate((e) => e.getBoundingClientRect().height)) < 30);
  });

  it('工单查询: Alt+S with a mobile number finds the caller\'s tickets; a deadline days overdue fits its column; over 1000 matches are said as such', async () => {
    const late = await create({ content: '菜市场门口的窨井盖丢了，晚上有人掉下去过', citizenPhone: '13905361234' }, 'cgj');
    await create({ content: '菜市场门口的窨井盖还是没有补上', citizenPhone: '13905361234' });
    // Days past its deadline to acknowledge: the longest countdown a list shows.
    await h.db('tickets').where({ id: late.id }).update({ ack_due_at: new Date(now - (3 * 24 + 5) * 3600_000 - 17 * 60_000).toISOString() });
    const page = await login('op03', '/search', { width: 1366, height: 768 });
    await page.waitForSelector('#search-form');
    await page.keyboard.press('Alt+S');
    await page.keyboard.type('13905361234');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#search-total:has-text("共 2 张工单")');
    const row = page.locator(`.el-table__row:has(a.ticket-link:has-text("${late.number}"))`);
    assert.match((await row.locator('.countdown').textContent()) ?? '', /超期 3天5小时$/);
    const fit = await row.locator('td:last-child .cell').evaluate((c) => [c.scrollWidth, c.clientWidth]);
    assert.ok(fit[0] <= fit[1], `the deadline needs ${fit[0]} px of ${fit[1]}`);
    await shot(page, 'n-search-phone');

    // More than the 1,000 a search counts.
    const row0 = await h.db('tickets').where({ id: late.id }).first();
    const base = ticketFromRow(row0);
    const rows = Array.from({ length: 1001 }, (_, i) => ({ ...ticketToRow({ ...base, number: `20250101${String(i).padStart(4, '0')}`, acceptedAt: '2025-01-01T02:00:00.000Z' }) }));
    for (let i = 0; i < rows.length; i += 200) await h.db('tickets').insert(rows.slice(i, i + 200));
    await page.click('button:has-text("清空条件")');
    await page.click('#s-run');
    await page.waitForSelector('#search-total:has-text("1000+")');
    assert.equal(await page.textContent('#search-total'), '共 1000+ 张工单（只统计前 1000 张，请缩小条件）');
    assert.equal(await page.locator('.pager .el-pagination__total').count(), 0, 'no 「共 1000 条」 beside the pages');
  });
});
