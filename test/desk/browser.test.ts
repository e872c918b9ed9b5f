// End to end in Debian's Chromium (playwright-core): an operator takes a call from the
// ESL test server through the FreeSWITCH adapter, files a ticket from the routing
// suggestion without the mouse, the unit acknowledges and replies, the supervisor
// approves; the return-visit call closes it; the supervisor sees the deadline warning
// and the return-visit outcome on the wallboard. Also: the XSS ticket, and a unit
// handler refused another unit's ticket. Screenshots go to test-output/desk/.
// (The desk is the Vue + Element Plus app; inputs carry the ids the old pages had.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestHotline, TestHotline, call, TEST_PASSWORD } from '../support/hotline';
import { EslTestServer } from '../esl/server';
import { parseIvrConfig } from '../../ivr/config';
import { FreeSwitchTelephony } from '../../ivr/freeswitch/adapter';
import { SwitchFactory } from '../../server/telephony';
import { launchChromium, newDesk, shot, until } from './support/browser';
const PASSWORD = 'test-secret';
const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z'); // 10:00 in Shouguang, a working Monday, in calling hours
const CITIZEN = '13800001111';

function freeswitchAt(port: number): SwitchFactory {
  return ({ services, agents, now, wrapUpMs }) => {
    const config = parseIvrConfig({
      FREESWITCH_ESL: `127.0.0.1:${port}:${PASSWORD}`, IVR_LISTEN: '127.0.0.1:0', SURVEY_DIAL: 'sofia/external/{phone}@127.0.0.1:5070', SURVEY_PACING_MS: '0',
    });
    const telephony = new FreeSwitchTelephony({ config, services, agents, now, wrapUpMs, backoff: { initialMs: 20, maxMs: 100 } });
    return { telephony, survey: config.survey };
  };
}

describe('desk in a real browser (Chromium)', function () {
  this.timeout(180_000); // a timeout catches a hang, not slowness: these flows take 50–90 s on a loaded 2-core machine
  let browser: Browser;
  let esl: EslTestServer;
  let h: TestHotline;
  let now = MONDAY_10;
  const contexts: BrowserContext[] = [];
  const dialogs: string[] = [];
  const pageErrors: string[][] = [];

  before(async function () {
    browser = await launchChromium(this);
    esl = new EslTestServer({ password: PASSWORD, playbackMs: 5, callees: { [CITIZEN]: { kind: 'answer', caller: { inputs: ['1'] } } } });
    const port = await esl.listen();
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0', DESK_WRAP_UP_SECONDS: '2' }, telephony: freeswitchAt(port) });
    await until('telephony up', async () => (await call(h.base, 'GET', '/healthz')).body.telephony.connected);
  });
  after(async () => {
    // No page threw or logged an error while the suite clicked through it.
    assert.deepEqual(pageErrors.flat(), []);
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await h?.close();
    await esl?.close();
  });

  async function login(username: string): Promise<Page> {
    const { ctx, page, errors } = await newDesk(browser, { now });
    contexts.push(ctx);
    pageErrors.push(errors);
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    await page.goto(h.base + '/desk/');
    await page.waitForSelector('#login-form');
    // Before login only the login form shows: no logout button, no push status.
    assert.equal(await page.locator('header#top').count(), 0);
    await page.locator('#login-form input[name=username]').fill(username);
    await page.locator('#login-form input[name=password]').fill(TEST_PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#push-status.ok');
    return page;
  }
  /** The text an Element Plus select shows for its choice (the input carries the id). */
  const chosen = (page: Page, id: string) => page.locator(`.el-select:has(#${id}) .el-select__placeholder:not(.is-transparent)`).first().innerText();

  it('an operator takes a call from the switch, files the ticket from the suggestion by keyboard; the unit acknowledges and replies; the survey closes it', async () => {
    const op = await login('op01');
    await page_has(op, '#no-telephony', false);
    await op.click('#state-ready');
    await until('agent ready on the switch', async () => esl.callcenter.agents.get('1001@hotline')?.status === 'Available');

    const ivrPort = (h.hotline.telephony as FreeSwitchTelephony).ivrPort;
    const ch = esl.placeCall({ caller: CITIZEN, app: { host: '127.0.0.1', port: ivrPort }, script: { talkMs: 60_000 } });
    await op.waitForSelector('#caller-number', { timeout: 15_000 });
    assert.equal(await op.textContent('#caller-number'), CITIZEN);
    assert.equal(await op.inputValue('#f-citizenPhone'), CITIZEN);
    await until('operator on the call', async () => (await op.textContent('#agent-state'))?.includes('通话中'));
    await op.click('#call-panel button:has-text("保持")');
    await until('caller on hold at the switch', async () => ch.held === true);
    await op.click('#call-panel button:has-text("恢复")');
    await until('caller back from hold', async () => ch.held === false);

    await op.focus('#f-content');
    await op.keyboard.type('我家楼下的路灯坏了一个星期了，晚上走路看不见，在圣城街道金光街');
    await op.fill('#f-address', '圣城街道金光街与农圣街交叉口');
    await op.waitForFunction(() => document.querySelector('#sug-lead')?.textContent?.includes('城市管理局'));
    // A clear street-light matter: its type alone is offered, no alternative at 「置信度 0%」.
    assert.equal(await op.locator('#sug-types li').count(), 1);
    assert.match(await op.locator('#sug-types li').first().innerText(), /路灯/);
    await shot(op, '1-operator-call-and-suggestion');
    await op.keyboard.press('Alt+A');
    assert.equal(await chosen(op, 'f-leadUnit'), '城市管理局');
    await op.keyboard.press('Control+Enter');
    await op.waitForSelector('.el-message:has-text("已受理并派单")');
    const t = await until('ticket linked to the call', () => h.db('tickets').where({ citizen_phone: CITIZEN, status: 'dispatched' }).first());
    assert.equal(t.call_id, ch.uuid);
    assert.equal(t.lead_unit, 'cgj');
    await until('operator in wrap-up', async () => (await op.textContent('#agent-state'))?.includes('话后整理'));
    await until('wrap-up ended by itself: ready again', async () => h.hotline.telephony!.getAgentState('1001').state === 'ready', 5000);
    // The finished transcript of this call (published on the bus as the speech jobs do; no speech engine here) shows beside the form, as text.
    h.hotline.bus.emit('transcript', { recordingId: 1, callId: ch.uuid, ticketId: t.id, text: '坐席：您好。市民：<b>路灯</b>坏了', callerText: '<b>路灯</b>坏了', provider: 'test', suggestion: null });
    await op.waitForSelector('#transcript');
    assert.equal(await op.textContent('#transcript p.content'), '<b>路灯</b>坏了');
    assert.equal(await op.locator('#transcript b').count(), 0);

    const unit = await login('cgj');
    await unit.waitForSelector(`article[data-number="${t.number}"]`);
    await shot(unit, '2-unit-inbox');
    assert.match((await unit.textContent(`article[data-number="${t.number}"]`)) ?? '', /138\*\*\*\*1111/);
    assert.match((await unit.textContent(`article[data-number="${t.number}"] .countdown`)) ?? '', /签收期限.*剩余/);
    await unit.click(`article[data-number="${t.number}"] .open-acknowledge`);
    await unit.waitForSelector(`article[data-number="${t.number}"] .open-reply`);
    await unit.click(`article[data-number="${t.number}"] .open-reply`);
    await unit.fill(`article[data-number="${t.number}"] .action-form textarea`, '已于当日更换灯具，路灯恢复照明。');
    const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await unit.setInputFiles(`article[data-number="${t.number}"] .action-form input.files`, { name: '修复后.png', mimeType: 'image/png', buffer: PNG_1x1 });
    await unit.click(`article[data-number="${t.number}"] .do-reply`);
    await until('replied', async () => (await h.db('tickets').where({ id: t.id }).first()).status === 'replied');
    const att = await h.db('attachments').where({ ticket_id: t.id, stage: 'reply' }).first();
    assert.deepEqual([att.file_name, att.content_type], ['修复后.png', 'image/png']);

    const sup = await login('sup01');
    await sup.goto(h.base + '/desk/#/queues?tab=awaitingReview');
    await sup.waitForSelector(`article[data-number="${t.number}"] .open-review_approve`);
    // The unit's reply and its photo are on the card the supervisor approves.
    await sup.waitForSelector(`article[data-number="${t.number}"] .note-reply:has-text("已于当日更换灯具")`);
    await sup.waitForSelector(`article[data-number="${t.number}"] .attachments a:has-text("修复后.png")`);
    await shot(sup, '3-supervisor-queues');
    await sup.click(`article[data-number="${t.number}"] .open-review_approve`);
    await until('reviewed', async () => (await h.db('tickets').where({ id: t.id }).first()).status === 'reviewed');
    await h.hotline.visits.tick();
    await until('closed by the survey call', async () => (await h.db('tickets').where({ id: t.id }).first()).status === 'closed', 20_000);
  });

  it('the supervisor sees the deadline breach and the return-visit outcome on the wallboard', async () => {
    const op = await h.as('op02');
    const r = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'help_request', content: '小区楼道消防栓漏水，水流到电梯井', citizenPhone: '13900002222', urgency: 'emergency', dispatch: { leadUnit: 'zjj', coUnits: [] } });
    assert.equal(r.status, 201);
    now += 3 * 3600_000; // 13:00: past the acknowledge deadline and the one-hour emergency feedback
    const sup = await login('sup02');
    await sup.goto(h.base + '/desk/#/wallboard');
    await sup.waitForSelector('#deadlines-by-unit tr.breach');
    assert.match((await sup.textContent('#deadlines-by-unit')) ?? '', /住房和城乡建设局/);
    assert.match((await sup.textContent('#visits-today')) ?? '', /满意 1/);
    await shot(sup, '4-wallboard');
  });

  it('a second appeal about the same burst hydrant warns the operator of the open ticket', async () => {
    const first = await h.db('tickets').where('content', 'like', '%消防栓%').first();
    const op = await login('op06');
    await op.focus('#f-content');
    await op.keyboard.type('我们小区楼道的消防栓漏水了，水一直流到电梯井里');
    await op.waitForSelector('#same-issue', { timeout: 5000 });
    assert.ok(((await op.textContent('#same-issue')) ?? '').includes(first.number));
    await shot(op, '9-operator-same-issue');
  });

  it('a consult is answered from the knowledge base on the call and resolved at intake, from the keyboard', async () => {
    const op = await login('op05');
    await op.focus('#f-content');
    await op.keyboard.type('请问路灯坏了应该找哪个部门？');
    await op.keyboard.press('Alt+K');
    await op.keyboard.type('路灯');
    await op.waitForSelector('#kb-results .kb-item');
    assert.match((await op.textContent('#kb-results .kb-item')) ?? '', /城市管理局负责/);
    await shot(op, '8-operator-knowledge-base');
    await op.keyboard.press('Alt+J');
    // The answer about to be sent is shown, and asked about once; Enter confirms.
    await op.waitForSelector('#resolve-dialog #resolve-answer');
    assert.match((await op.textContent('#resolve-answer')) ?? '', /城市管理局负责/);
    await op.waitForFunction(() => document.activeElement?.id === 'confirm-resolve');
    await op.keyboard.press('Enter');
    await op.waitForSelector('.el-message:has-text("直接办结")');
    const t = await h.db('tickets').where({ content: '请问路灯坏了应该找哪个部门？' }).first();
    assert.deepEqual([t.kind, t.status], ['consult', 'resolved_at_intake']);
  });

  it("a supervisor writes the center's answer in the knowledge base; an operator finds it first and closes a consult with it", async () => {
    const sup = await login('sup02');
    await sup.click('#nav a[data-page=knowledge]');
    await sup.click('#new-article');
    await sup.waitForSelector('form.article-form');
    const form = sup.locator('form.article-form');
    await form.locator('input[name=title]').fill('居住证怎么办理');
    await form.locator('input[name=keywords]').fill('居住证 办理');
    await form.locator('textarea[name=answer]').fill('持身份证、居住证明到居住地派出所户籍窗口申请，满半年可领取。');
    // The governing unit is found by its pinyin initials (公安局: gaj).
    await form.locator('.unit-select input').click();
    await sup.keyboard.type('gaj');
    await sup.locator('.el-select-dropdown__item:visible', { hasText: '公安局' }).first().click();
    await form.locator('button[type=submit]').click();
    await sup.waitForSelector('.articles >> text=居住证怎么办理');
    await shot(sup, '14-knowledge-articles');

    const op = await login('op06');
    await op.focus('#f-content');
    await op.keyboard.type('外地人想办居住证，需要什么材料？');
    await op.keyboard.press('Alt+K');
    await op.keyboard.type('居住证');
    await op.waitForSelector('#kb-results .kb-item .kb-article');
    assert.match((await op.textContent('#kb-results .kb-item')) ?? '', /居住证怎么办理.*中心答复.*派出所户籍窗口/);
    await op.keyboard.press('Alt+J');
    await op.waitForSelector('#resolve-answer:has-text("派出所户籍窗口")');
    await op.click('#confirm-resolve');
    await op.waitForSelector('.el-message:has-text("直接办结")');
    const t = await h.db('tickets').where({ content: '外地人想办居住证，需要什么材料？' }).first();
    assert.deepEqual([t.kind, t.status], ['consult', 'resolved_at_intake']);
    const ev = await h.db('ticket_events').where({ ticket_id: t.id, action: 'resolve_at_intake' }).first();
    assert.match(ev.reason, /派出所户籍窗口/);
  });

  it('a ticket whose content is an HTML tag shows those characters, and nothing runs', async () => {
    const op = await h.as('op03');
    const xss = '<img src=x onerror=alert(1)>';
    const r = await op('POST', '/api/tickets', { channel: 'web', kind: 'complaint', content: xss, title: '<b>标题</b>', citizenPhone: '13900003333', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    const unit = await login('cgj');
    const card = `article[data-number="${r.body.ticket.number}"]`;
    await unit.waitForSelector(card);
    assert.equal(await unit.textContent(`${card} p.content`), xss);
    assert.equal(await unit.locator(`${card} img`).count(), 0);
    await shot(unit, '5-xss-as-text');
    const mine = await login('op03');
    await mine.goto(h.base + '/desk/#/mine');
    await mine.waitForSelector(`.tickets a.ticket-link:has-text("${r.body.ticket.number}")`);
    assert.ok(((await mine.textContent('.tickets')) ?? '').includes(xss));
    assert.equal(await mine.locator('.tickets img').count(), 0);
    // The ticket page shows the same text as text.
    await mine.click(`.tickets a.ticket-link:has-text("${r.body.ticket.number}")`);
    await mine.waitForSelector('#ticket-content');
    assert.equal(await mine.textContent('#ticket-content'), xss);
    assert.equal(await mine.locator('main img').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  it("a unit handler who tries another unit's ticket gets refused", async () => {
    const t = await h.db('tickets').where({ lead_unit: 'cgj' }).first();
    const zjj = await login('zjj');
    const res = await zjj.evaluate(async (id) => (await fetch(`/api/tickets/${id}`)).status, t.id);
    assert.equal(res, 404);
    assert.equal(await zjj.locator(`article[data-number="${t.number}"]`).count(), 0);
    await shot(zjj, '6-other-unit-inbox');
  });

  it('the daily bulletin draws its charts and ranking, ready to print', async () => {
    const sup = await login('sup03');
    await sup.goto(h.base + '/desk/#/bulletin?kind=daily&date=2026-11-23');
    await sup.waitForSelector('#ranking table');
    assert.ok((await sup.locator('.chart canvas').count()) >= 4);
    await shot(sup, '7-bulletin');
    const [download] = await Promise.all([sup.waitForEvent('download'), sup.click('#ranking button.csv')]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    assert.ok(csv.startsWith('\ufeff名次,单位,得分'), csv.slice(0, 40));
    assert.match(csv.split('\n')[0], /退单,退回至改派耗时（小时）/);
    assert.match(csv, /城市管理局/);
    // The whole bulletin as a workbook, made by the server.
    const [xlsx] = await Promise.all([sup.waitForEvent('download'), sup.click('#bulletin-xlsx')]);
    assert.match(xlsx.suggestedFilename(), /民情快报.*\.xlsx$/);
    assert.equal(fs.readFileSync((await xlsx.path())!).subarray(0, 2).toString(), 'PK');
    await sup.emulateMedia({ media: 'print' });
    assert.equal(await sup.locator('header#top').isVisible(), false);
    assert.equal(await sup.locator('.toolbar').isVisible(), false);
    await sup.emulateMedia({ media: 'screen' });
    await sup.click('#bulletin-kind label:has-text("民情周报")');
    await sup.waitForSelector('h1.bulletin-title:has-text("民情周报")');
    assert.match((await sup.textContent('main')) ?? '', /统计期间：2026-11-\d\d 至 2026-11-\d\d/);
    await shot(sup, '11-weekly-bulletin');
  });

  it('a voice message left after hours is heard and completed by an operator, then dispatched', async () => {
    const before = now;
    now = Date.parse('2026-11-22T13:00:00Z'); // Sunday 21:00: the IVR takes a message
    try {
      const ivrPort = (h.hotline.telephony as FreeSwitchTelephony).ivrPort;
      esl.placeCall({ caller: '13912345678', app: { host: '127.0.0.1', port: ivrPort }, script: { inputs: ['2'] } });
      await until('a draft ticket', () => h.db('tickets').where({ status: 'draft', citizen_phone: '13912345678' }).first());
    } finally {
      now = before;
    }
    const draft = await h.db('tickets').where({ status: 'draft', citizen_phone: '13912345678' }).first();
    const op = await login('op07');
    await op.goto(h.base + '/desk/#/drafts');
    const card = `article[data-number="${draft.number}"]`;
    await op.waitForSelector(`${card} audio`);
    await op.fill(`${card} textarea`, '市民留言：圣城街道金光街路灯不亮');
    await op.click(`${card} .draft-lead input`);
    await op.keyboard.type('城市管理');
    await op.locator('.el-select-dropdown__item:visible', { hasText: '城市管理局' }).first().click();
    await shot(op, '10-operator-voice-message-draft');
    await op.click(`${card} .do-complete`);
    await until('dispatched', async () => (await h.db('tickets').where({ id: draft.id }).first()).status === 'dispatched');
    assert.equal((await h.db('tickets').where({ id: draft.id }).first()).content, '市民留言：圣城街道金光街路灯不亮');
    // The ticket page plays the message back (the recording is heard through the audited route).
    await op.goto(`${h.base}/desk/#/tickets/${draft.id}`);
    await op.waitForSelector('#recordings audio');
    assert.match((await op.locator('#recordings audio').first().getAttribute('src')) ?? '', /^\/api\/desk\/recordings\/\d+$/);
    assert.match((await op.textContent('#recordings')) ?? '', /留言录音/);
  });
});

async function page_has(page: Page, selector: string, present: boolean): Promise<void> {
  assert.equal((await page.locator(selector).count()) > 0, present, `${selector} ${present ? 'missing' : 'should not be there'}`);
}
