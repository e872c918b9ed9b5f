// The views a working day needs (issue 14), clicked through in Chromium by the role that
// uses each: ticket search and the ticket page, export, 并案 and un-merge, caller history
// from a typed number, the wallboard's drill-down, the 督办通知单 signed by the unit,
// co-handling opinions, charts, and every page reached by keyboard. One server and one
// browser for the file; one context per person, closed after each test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestHotline, TestHotline, TEST_PASSWORD, Caller } from '../support/hotline';
import { launchChromium, newDesk, signIn, shot, until } from './support/browser';

const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z'); // 10:00 in Shouguang, a working Monday

describe('desk in a real browser: the views of a working day', function () {
  this.timeout(180_000); // a timeout catches a hang, not slowness: these flows take 50–90 s on a loaded 2-core machine
  let browser: Browser;
  let h: TestHotline;
  let now = MONDAY_10;
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
      for (const [i, c] of mine.entries()) for (const p of c.pages()) await shot(p, `failed-v-${this.currentTest.title.split(':')[0]}-${i}`).catch(() => {});
    }
    for (const c of mine) await c.close().catch(() => {});
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    assert.deepEqual(errors.flat(), [], 'no page threw or logged an error');
  });

  async function login(username: string, hash = ''): Promise<Page> {
    const d = await newDesk(browser, { now });
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

  it('search: an operator finds a ticket by a phone number typed with spaces, opens its page with the whole audit trail, and exports the list', async () => {
    const cgj = await h.as('cgj');
    const t = await create({ content: '菜市场门口的窨井盖丢了，晚上有人掉下去过', citizenName: '赵先生', citizenPhone: '13905361234', address: '圣城街道菜市场东门' }, 'cgj');
    await act(cgj, t.id, 'acknowledge');
    await act(cgj, t.id, 'reply', '已补装井盖并设置警示标志。');
    await create({ content: '另一件事：公园长椅坏了', citizenPhone: '13700000001' });

    const page = await login('op02', '/search');
    await page.fill('#s-phone', '139 0536 1234');
    await page.click('#s-run');
    await page.waitForSelector('#search-total:has-text("共 1 张工单")');
    await shot(page, 'v-search');
    // The whole filtered list as Excel and as CSV, made by the server.
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
    assert.equal(fs.readFileSync((await xlsx.path())!).subarray(0, 2).toString(), 'PK');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    assert.ok(text.startsWith('\ufeff工单编号'), text.slice(0, 30));
    assert.match(text, /窨井盖/);
    assert.doesNotMatch(text, /公园长椅/);

    await page.click(`.tickets a.ticket-link:has-text("${t.number}")`);
    await page.waitForSelector('#ticket-content');
    assert.match((await page.textContent('#ticket-citizen')) ?? '', /赵先生 13905361234/);
    const steps = await page.locator('#timeline .event strong').allInnerTexts();
    assert.deepEqual(steps, ['回复办理结果', '签收', '派单', '受理']);
    assert.match((await page.textContent('#replies')) ?? '', /已补装井盖并设置警示标志/);
    assert.match((await page.textContent('#clocks')) ?? '', /签收期限[\s\S]*按时完成/);
    // The center reviews from the ticket page: only what the rules allow now is offered.
    const offered = await page.locator('#ticket-actions .row button').allInnerTexts();
    assert.ok(offered.includes('审核通过') && offered.includes('审核退回重办'), offered.join('|'));
    assert.ok(!offered.some((a) => /签收|派单/.test(a)), offered.join('|'));
    await shot(page, 'v-ticket-page');
    // The page found by its number carries the same audit trail (defect 17).
    await page.goto(`${h.base}/desk/#/tickets/${t.number}`);
    await page.waitForFunction(() => document.querySelectorAll('#timeline .event').length === 4);
    assert.equal(await page.textContent('#ticket-number'), t.number);

    // The unit searches its own tickets: no phone field, the phone masked on the page.
    const unit = await login('cgj', '/search');
    assert.equal(await unit.locator('#s-phone').count(), 0);
    await unit.fill('#s-q', '窨井盖');
    await unit.click('#s-run');
    await unit.click(`.tickets a.ticket-link:has-text("${t.number}")`);
    await unit.waitForSelector('#ticket-citizen');
    assert.match((await unit.textContent('#ticket-citizen')) ?? '', /139\*\*\*\*1234/);
    assert.equal(await unit.locator('#recordings').count(), 0);
  });

  it('keyboard: every page is reached with Tab and Enter; Alt+S finds a ticket by its number', async () => {
    const t = await h.db('tickets').where('content', 'like', '%窨井盖%').first();
    const page = await login('sup02');
    const pages = await page.locator('#nav a').allInnerTexts();
    assert.deepEqual(pages, ['监控大屏', '待派单', '人工回访', '研判与审批', '统计分析', '民情简报', '工单查询', '知识库维护']);
    // Tab from the top of the page to 工单查询 and open it with Enter.
    await page.locator('#nav a').first().focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '工单查询');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#search-form');
    await page.keyboard.press('Alt+S');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'quick-search');
    await page.keyboard.type(t.number);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tickets a.ticket-link:has-text("${t.number}")`);
  });

  it('并案: the operator merges a second call about the same burst pipe into the open ticket; a supervisor un-merges it', async () => {
    const main = await create({ content: '幸福小区3号楼门前自来水管爆裂，水漫到马路上', address: '圣城街道幸福小区3号楼', citizenPhone: '13811112222' }, 'swjt');
    const page = await login('op03');
    await page.fill('#f-address', '圣城街道幸福小区3号楼');
    await page.fill('#f-citizenPhone', '13933334444');
    await page.fill('#f-content', '幸福小区3号楼前面水管爆了，水流到马路上了');
    await page.waitForSelector(`#same-issue:has-text("${main.number}")`);
    await page.click(`#same-issue li:has-text("${main.number}") .merge-into`);
    await page.click('.confirm-merge button:has-text("受理并并案")');
    await page.waitForSelector(`.el-message:has-text("并案到工单 ${main.number}")`);
    const dup = await h.db('tickets').where({ citizen_phone: '13933334444' }).first();
    assert.equal(dup.status, 'merged');

    const s = await login('sup03', `/tickets/${main.id}`);
    await s.waitForSelector(`#duplicates a:has-text("${dup.number}")`);
    await s.click(`#duplicates a:has-text("${dup.number}")`);
    await s.waitForSelector(`#merged-into:has-text("${main.number}")`);
    await shot(s, 'v-merged');
    await s.click('#ticket-actions .open-unmerge');
    await s.click('#ticket-actions .do-unmerge');
    await s.waitForSelector('#ticket-actions .error:has-text("请填写")');
    await s.fill('#ticket-actions textarea', '核实后不是同一处水管，另行派单');
    await s.click('#ticket-actions .do-unmerge');
    await until('un-merged', async () => (await ticket(dup.id)).status === 'accepted');
    await s.waitForSelector('#ticket-status:has-text("已受理")');
  });

  it('caller history: with no switch, a typed number shows the caller\'s tickets and the repeat-caller flag', async () => {
    await create({ content: '楼上邻居装修噪音太大，周末一早就开始', citizenPhone: '13655556666', citizenName: '钱女士' }, 'cgj');
    const page = await login('op04');
    await page.waitForSelector('#no-telephony');
    await page.fill('#f-citizenPhone', '136 5555 6666');
    await page.waitForSelector('#repeat-caller');
    assert.match((await page.textContent('#repeat-caller')) ?? '', /近 30 天已有 1 张工单/);
    assert.match((await page.textContent('#caller-history')) ?? '', /装修噪音/);
    await shot(page, 'v-caller-history');
  });

  it('wallboard: every number opens the list behind it', async () => {
    const late = await create({ kind: 'help_request', content: '路口红绿灯不亮，车辆乱成一团', urgency: 'emergency' }, 'jtj');
    now += 3 * 3600_000; // 13:00: past the acknowledge deadline and the hour for feedback
    try {
      const page = await login('sup01', '/wallboard');
      await page.click('button[data-tile="emergency"]');
      await page.waitForSelector(`#drill-down a.ticket-link:has-text("${late.number}")`);
      assert.match((await page.textContent('#drill-total')) ?? '', /共 \d+ 张工单/);
      await shot(page, 'v-drill-emergencies');
      await page.keyboard.press('Escape');
      await page.click('#deadlines-by-unit a:has-text("交通运输局")');
      await page.waitForSelector(`#drill-down:has-text("交通运输局") a.ticket-link:has-text("${late.number}")`);
      await page.keyboard.press('Escape');
      await page.click('button[data-tile="intake"]');
      await page.waitForSelector('#drill-down a.ticket-link');
      await page.click(`#drill-down a.ticket-link:has-text("${late.number}")`);
      await page.waitForSelector(`#ticket-number:has-text("${late.number}")`);
    } finally {
      now = MONDAY_10;
    }
  });

  it('督办通知单: the supervisor issues it, the unit reads why and signs for it, the leaders see it signed', async () => {
    const zjj = await h.as('zjj');
    const t = await create({ content: '小区电梯一个月坏了三次，老人上下楼困难', citizenName: '孙大爷' }, 'zjj');
    await act(zjj, t.id, 'acknowledge');
    await act(zjj, t.id, 'reply', '已通知物业维修电梯。');
    await act(op, t.id, 'review_approve');
    const visit = await op('POST', `/api/return-visits/${t.id}`, { outcome: 'unsatisfied', reason: '电梯还是经常坏，物业根本不管' });
    assert.equal(visit.status, 200, JSON.stringify(visit.body));

    const leader = await login('leader01', '/queues?tab=unsatisfied');
    const card = `article[data-number="${t.number}"]`;
    // The citizen's own words and the unit's reply are on the card; no 升级 before a first 督办 (defects 3 and 9).
    await leader.waitForSelector(`${card} .visit-reason:has-text("电梯还是经常坏，物业根本不管")`);
    assert.match((await leader.textContent(`${card} .note-reply`)) ?? '', /已通知物业维修电梯/);
    assert.equal(await leader.locator(`${card} .open-escalate`).count(), 0);
    await leader.click(`${card} .open-supervise`);
    await leader.fill(`${card} .action-form textarea`, '请住建局约谈物业公司，彻底修好电梯并回复群众');
    await leader.locator(`${card} .until input`).fill('2026-11-27 17:00:00');
    await leader.keyboard.press('Enter');
    await leader.click(`${card} .do-supervise`);
    await until('supervised', async () => (await ticket(t.id)).status === 'supervised');

    const unit = await login('zjj');
    const ucard = `article[data-number="${t.number}"]`;
    await unit.waitForSelector(`${ucard} .notice-box.unsigned`);
    assert.match((await unit.textContent(`${ucard} .notice-box`)) ?? '', /督〔2026〕\d+号[\s\S]*未签收/);
    await shot(unit, 'v-notice-unsigned');
    await unit.click(`${ucard} .sign-notice`);
    await unit.waitForSelector(`${ucard} .notice-box.signed`);
    await unit.click(`${ucard} .notice-link`);
    await unit.waitForSelector('#notice-dialog .doc-reason:has-text("请住建局约谈物业公司")');
    // The receipt (回执) with its time, on the document.
    assert.match((await unit.textContent('#notice-dialog .doc-receipt')) ?? '', /已签收：.*2026-11-23 10:00/);
    await shot(unit, 'v-notice-document');
    // The printable page is the server's, under its own policy; it opens in a new tab.
    const [print] = await Promise.all([unit.context().waitForEvent('page'), unit.click('#notice-print')]);
    await print.waitForLoadState();
    assert.match((await print.textContent('body')) ?? '', /请住建局约谈物业公司/);
    await print.close();

    await leader.goto(`${h.base}/desk/#/queues?tab=supervised`);
    await leader.reload();
    await leader.waitForSelector(`${card} .notice-box.signed`);
  });

  it('协办: a co-handling unit gives its opinion; the lead unit sees it before replying', async () => {
    const t = await create({ content: '河边烧烤摊油烟大，垃圾直接倒进河里' }, 'cgj', ['sthj']);
    const co = await login('sthj');
    const card = `article[data-number="${t.number}"]`;
    await co.waitForSelector(`${card} .role-tag:has-text("协办")`);
    await co.click(`${card} .open-co_opinion`);
    await co.fill(`${card} .action-form textarea`, '已对河道水质取样，将对倾倒垃圾行为立案调查。');
    await co.click(`${card} .do-co_opinion`);
    await co.waitForSelector(`${card} .note-co_opinion:has-text("已对河道水质取样")`);

    const lead = await login('cgj');
    await lead.waitForSelector(`article[data-number="${t.number}"] .note-co_opinion:has-text("已对河道水质取样")`);
    await shot(lead, 'v-co-opinion');
  });

  it('charts: trends over 7/30/90 days with last year, distributions by category and town over a chosen range', async () => {
    const page = await login('sup02', '/stats');
    const trend = page.locator('.chart[aria-label="受理趋势"]');
    await trend.waitFor();
    assert.equal((await trend.getAttribute('data-categories'))!.split(',').length, 30);
    await page.locator('#trend-days label:has-text("近 7 天")').click();
    await page.waitForFunction(() => document.querySelector('.chart[aria-label="受理趋势"]')?.getAttribute('data-categories')?.split(',').length === 7);
    assert.equal((await trend.getAttribute('data-categories'))!.split(',').at(-1), '11-23');
    assert.match((await page.textContent('#yoy')) ?? '', /去年同期/);
    await page.waitForSelector('.chart[aria-label="按镇街"], #by-town .muted');
    await page.waitForSelector('.chart[aria-label="按诉求分类"]');
    await shot(page, 'v-stats');
  });
});
