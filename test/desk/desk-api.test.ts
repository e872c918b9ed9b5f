// The desk's API and push hub on a real server and database: roles and units enforced
// on every call and every push, the login rate limit, the recording audit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDeskBuilt } from '../../agent-desk/build';
import { startTestHotline, TestHotline, Caller, call, TEST_PASSWORD } from '../support/hotline';
import { loginCookie, openPush, nothingLike, PushClient } from './support/ws';
import type { DeskExtension } from '../../agent-desk/extension';

const appeal = {
  channel: 'hotline', kind: 'complaint', title: '路灯不亮', content: '我家楼下的路灯坏了一个星期了', citizenName: '王先生',
  citizenPhone: '13812345678', address: '圣城街道金光街与农圣街交叉口', town: 'shengcheng',
};

describe('agent desk API and pushes', function () {
  let h: TestHotline;
  let clock = Date.now();
  let op: Caller;
  let sup: Caller;
  let cgj: Caller;
  let zjj: Caller;

  before(async () => {
    h = await startTestHotline({ now: () => new Date(clock) });
    [op, sup, cgj, zjj] = await Promise.all(['op01', 'sup01', 'cgj', 'zjj'].map((u) => h.as(u)));
  });
  after(async () => h?.close());

  const dispatchTo = async (lead: string, over: Record<string, unknown> = {}) => {
    const r = await op('POST', '/api/tickets', { ...appeal, ...over, dispatch: { leadUnit: lead, coUnits: [] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.ticket;
  };

  it('the desk pages are served by the same server, and / leads to them', async function () {
    this.timeout(180_000); // builds the pages first when they are missing or stale
    ensureDeskBuilt(() => {});
    const page = await fetch(h.base + '/desk/');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /民声热线/);
    // The built script, from this server (no CDN), cached for good under its hashed name.
    const src = /<script type="module" crossorigin src="(\/desk\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(src, html);
    const js = await fetch(h.base + src);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    const root = await fetch(h.base + '/', { redirect: 'manual' });
    assert.equal(root.headers.get('location'), '/desk/');
  });

  it('a unit inbox holds only its own tickets, with the phone masked and the running deadline', async () => {
    const t = await dispatchTo('cgj');
    const mine = await cgj('GET', '/api/desk/inbox');
    const item = mine.body.items.find((i: any) => i.ticket.id === t.id);
    assert.equal(item.ticket.citizenPhone, '138****5678');
    assert.deepEqual([item.deadline.clock, item.deadline.level], ['ack', 'ok']);
    assert.ok(item.allowedActions.includes('acknowledge'));
    const other = await zjj('GET', '/api/desk/inbox');
    assert.ok(!other.body.items.some((i: any) => i.ticket.id === t.id));
  });

  it("a unit handler who tries another unit's ticket is refused and nothing changes", async () => {
    const t = await dispatchTo('cgj');
    assert.equal((await zjj('GET', `/api/tickets/${t.id}`)).status, 404);
    const r = await zjj('POST', `/api/tickets/${t.id}/transitions`, { action: 'acknowledge' });
    assert.ok([403, 404, 409].includes(r.status), `status ${r.status}`);
    assert.doesNotMatch(JSON.stringify(r.body), /13812345678|王先生/);
    assert.equal((await h.db('tickets').where({ id: t.id }).first()).status, 'dispatched');
  });

  it('the identity of the reporter of a 举报 never reaches the unit', async () => {
    const t = await dispatchTo('cgj', { kind: 'report', content: '有人在河道里偷偷倾倒建筑垃圾' });
    const item = (await cgj('GET', '/api/desk/inbox')).body.items.find((i: any) => i.ticket.id === t.id);
    assert.deepEqual([item.ticket.citizenName, item.ticket.citizenPhone], [null, null]);
  });

  it('each page is for its roles only: a unit handler gets no wallboard, an operator no unit inbox', async () => {
    assert.equal((await cgj('GET', '/api/desk/wallboard')).status, 403);
    assert.equal((await cgj('GET', '/api/desk/caller-history?phone=13812345678')).status, 403);
    assert.equal((await op('GET', '/api/desk/inbox')).status, 403);
    assert.equal((await op('GET', '/api/desk/queues')).status, 403);
    assert.equal((await call(h.base, 'GET', '/api/desk/meta')).status, 401);
  });

  it('a write with the session cookie but without the CSRF token is refused', async () => {
    const c = await loginCookie(h.base, 'op02');
    const r = await call(h.base, 'POST', '/api/tickets', appeal, { cookie: c.cookie });
    assert.equal(r.status, 403);
    const ok = await call(h.base, 'POST', '/api/tickets', appeal, { cookie: c.cookie, 'x-csrf-token': c.csrf });
    assert.equal(ok.status, 201);
  });

  it('the screen pop flags a repeat caller with their earlier tickets', async () => {
    await op('POST', '/api/tickets', { ...appeal, citizenPhone: '13900007777' });
    const r = await op('GET', '/api/desk/caller-history?phone=13900007777');
    assert.equal(r.body.repeatCaller, true);
    assert.equal(r.body.tickets[0].content, appeal.content);
    const fresh = await op('GET', '/api/desk/caller-history?phone=13900008888');
    assert.deepEqual([fresh.body.repeatCaller, fresh.body.tickets.length], [false, 0]);
    assert.equal((await op('GET', '/api/desk/caller-history?phone=<script>')).status, 400);
  });

  it('a consult answered from the knowledge base is resolved at intake', async () => {
    const kb = await op('GET', '/api/desk/knowledge?q=' + encodeURIComponent('路灯'));
    const entry = kb.body.items[0];
    assert.match(entry.answer, /城市管理局/);
    const r = await op('POST', '/api/tickets', { ...appeal, kind: 'consult', content: '路灯坏了应该找哪个部门？', eventType: entry.code, resolveAtIntake: { answer: entry.answer } });
    assert.equal(r.status, 201);
    assert.equal(r.body.ticket.status, 'resolved_at_intake');
    const mine = await op('GET', '/api/desk/my-tickets');
    assert.equal(mine.body.items[0].id, r.body.ticket.id);
  });

  it("a supervisor's knowledge-base article comes first for operators, resolves a consult under its event type, and stops showing when disabled", async () => {
    const article = { title: '社保卡丢了怎么补办', keywords: ['社保卡', '补办', '挂失'], answer: '请先拨打人社服务电话挂失，再带身份证到人力资源和社会保障局服务大厅补办。', unit: 'rsj', eventType: null };
    const refused: Array<[Caller, Record<string, unknown>, number]> = [
      [op, article, 403],
      [sup, { ...article, unit: 'nowhere' }, 400],
      [sup, { ...article, eventType: 'XX-9999' }, 400],
      [sup, { ...article, answer: '  ' }, 400],
      [sup, { ...article, author: 'me' }, 400],
    ];
    for (const [who, body, status] of refused) assert.equal((await who('POST', '/api/desk/knowledge/articles', body)).status, status, JSON.stringify(body));
    assert.equal((await sup('GET', '/api/desk/knowledge/articles')).body.articles.length, 0, 'refused articles are not stored');

    const created = await sup('POST', '/api/desk/knowledge/articles', article);
    assert.equal(created.status, 201);
    const id = created.body.article.id;
    const hits = (await op('GET', '/api/desk/knowledge?q=' + encodeURIComponent('社保卡'))).body.items;
    assert.deepEqual([hits[0].code, hits[0].source, hits[0].answer, hits[0].unit.name], [`KB-${id}`, 'article', article.answer, '人力资源和社会保障局']);
    // The answer's own words find it too.
    assert.ok((await op('GET', '/api/desk/knowledge?q=' + encodeURIComponent('服务大厅'))).body.items.some((x: { code: string }) => x.code === `KB-${id}`));

    // Filed under the event type the supervisor names.
    const typed = await sup('PATCH', `/api/desk/knowledge/articles/${id}`, { eventType: 'LD-0301' });
    assert.equal(typed.status, 200, JSON.stringify(typed.body));
    const entry = (await op('GET', '/api/desk/knowledge?q=' + encodeURIComponent('社保卡'))).body.items[0];
    assert.equal(entry.eventType, 'LD-0301');
    const r = await op('POST', '/api/tickets', { ...appeal, kind: 'consult', content: '社保卡丢了怎么办？', eventType: entry.eventType, resolveAtIntake: { answer: entry.answer } });
    assert.equal(r.status, 201);
    assert.deepEqual([r.body.ticket.status, r.body.ticket.eventType], ['resolved_at_intake', 'LD-0301']);

    assert.equal((await sup('PATCH', `/api/desk/knowledge/articles/${id}`, { active: false })).status, 200);
    assert.ok(!(await op('GET', '/api/desk/knowledge?q=' + encodeURIComponent('社保卡'))).body.items.some((x: { code: string }) => x.code === `KB-${id}`));
    assert.equal((await sup('PATCH', '/api/desk/knowledge/articles/99999', { active: false })).status, 404);
    assert.equal((await sup('PATCH', `/api/desk/knowledge/articles/${id}`, {})).status, 400);
  });

  it('without a switch the desk says 电话未接入 for agent state and calls, and the tickets still work', async () => {
    const r = await op('PUT', '/api/desk/agent', { state: 'ready' });
    assert.equal(r.status, 503);
    assert.match(r.body.error.message, /电话未接入/);
    assert.equal((await op('POST', '/api/desk/calls/abc/hangup')).status, 503);
    assert.equal((await op('PUT', '/api/desk/agent', { state: 'on_break' })).status, 400);
    const w = await sup('GET', '/api/desk/wallboard');
    assert.equal(w.body.telephony, false);
  });

  it('every listen to a recording is audited with who and when; only supervisors read the audit', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'desk-rec-')), 'call.wav');
    fs.writeFileSync(file, Buffer.from('RIFF0000WAVE'));
    const [id] = await h.db('recordings').insert({ call_id: 'rec-test', path: file, kind: 'call', started_at: new Date(clock).toISOString(), created_at: new Date(clock).toISOString() }).returning('id');
    const recId = typeof id === 'object' ? id.id : id;
    assert.equal((await cgj('GET', `/api/desk/recordings/${recId}`)).status, 403);
    const got = await op('GET', `/api/desk/recordings/${recId}`);
    assert.equal(got.status, 200);
    const audit = await sup('GET', `/api/desk/recordings/${recId}/views`);
    assert.deepEqual(audit.body.views.map((v: any) => [v.username, v.role]), [['op01', 'operator']]);
    assert.equal((await op('GET', `/api/desk/recordings/${recId}/views`)).status, 403);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  describe('pushes over WebSocket', () => {
    let opPush: PushClient;
    let cgjPush: PushClient;
    let zjjPush: PushClient;
    before(async () => {
      [opPush, cgjPush, zjjPush] = await Promise.all(['op03', 'cgj', 'zjj'].map(async (u) => openPush(h.base, (await loginCookie(h.base, u)).cookie)));
    });
    after(() => [opPush, cgjPush, zjjPush].forEach((c) => c?.close()));

    it('a ticket dispatched to a unit is pushed to that unit and the operators, never to another unit', async () => {
      const t = await dispatchTo('cgj', { content: '金光街的路灯又坏了' });
      const forUnit = await cgjPush.next((m) => m.type === 'ticket' && m.ticket.id === t.id);
      assert.equal(forUnit.ticket.citizenPhone, '138****5678');
      const forOp = await opPush.next((m) => m.type === 'ticket' && m.ticket.id === t.id);
      assert.equal(forOp.ticket.citizenPhone, '13812345678');
      assert.ok(await nothingLike(zjjPush, (m) => m.type === 'ticket' && m.ticket.id === t.id));
    });

    it('a call offered to an operator pops on that operator only (bus call event injected: screen-pop delivery, not telephony)', async () => {
      const other = await openPush(h.base, (await loginCookie(h.base, 'op04')).cookie);
      const op03 = await h.db('users').where({ username: 'op03' }).first();
      h.hotline.bus.emit('call', { type: 'call_offered', at: new Date(clock).toISOString(), callId: 'pop-1', caller: '13812345678', agent: op03.extension, queue: 'hotline', queueWaitMs: 2000 });
      const pop = await opPush.next((m) => m.type === 'call' && m.call.callId === 'pop-1');
      assert.equal(pop.call.caller, '13812345678');
      assert.ok(await nothingLike(other, (m) => m.type === 'call'));
      assert.ok(await nothingLike(cgjPush, (m) => m.type === 'call', 0));
      other.close();
    });

    it('a socket whose session ended (logout) is closed at the next session check', async () => {
      const c = await loginCookie(h.base, 'op06');
      const sock = await openPush(h.base, c.cookie);
      const closed = new Promise<number>((r) => sock.ws.once('close', (code) => r(code)));
      assert.equal((await call(h.base, 'DELETE', '/api/session', undefined, { cookie: c.cookie, 'x-csrf-token': c.csrf })).status, 204);
      const hub = (h.hotline.extensions.find((e) => e.name === 'desk') as DeskExtension).hub;
      assert.equal(await hub.dropEndedSessions(), 1);
      assert.equal(await closed, 4401);
    });

    it('a socket without a session, or opened from another site, is refused', async () => {
      await assert.rejects(openPush(h.base, null), /401/);
      const c = await loginCookie(h.base, 'op05');
      await assert.rejects(openPush(h.base, c.cookie, { origin: 'http://evil.example' }), /403/);
    });
  });

  it("the supervisors' lists: a return with its reason is re-dispatched, an extension approved, an unsatisfied case gets a supervision notice", async () => {
    const act = (who: Caller, id: number, action: string, reason?: string, input?: unknown) => who('POST', `/api/tickets/${id}/transitions`, { action, ...(reason ? { reason } : {}), ...(input ? { input } : {}) });
    const returned = await dispatchTo('cgj', { content: '小区电梯经常停运' });
    assert.equal((await act(cgj, returned.id, 'return', '电梯属特种设备，应由市场监管部门办理')).status, 200);
    const ext = await dispatchTo('cgj', { content: '背街小巷路面破损' });
    const until = new Date(clock + 10 * 86400_000).toISOString();
    assert.equal((await act(cgj, ext.id, 'request_extension', '需要协调施工队，工期较长', { until })).status, 200);

    const q = (await sup('GET', '/api/desk/queues')).body;
    const r = q.returned.find((i: any) => i.ticket.id === returned.id);
    assert.equal(r.notes.return, '电梯属特种设备，应由市场监管部门办理');
    assert.ok(r.allowedActions.includes('redispatch'));
    assert.ok(q.extensionRequests.some((i: any) => i.ticket.id === ext.id));

    assert.equal((await act(sup, returned.id, 'redispatch', '改派住建局', { leadUnit: 'zjj', coUnits: [] })).status, 200);
    assert.equal((await h.db('tickets').where({ id: returned.id }).first()).lead_unit, 'zjj');
    assert.equal((await act(sup, ext.id, 'approve_extension', '同意')).status, 200);
    assert.equal((await h.db('tickets').where({ id: ext.id }).first()).due_at, until);

    const consult = await op('POST', '/api/tickets', { ...appeal, kind: 'consult', content: '办理居住证需要什么材料？', resolveAtIntake: { answer: '请携带身份证到派出所办理' } });
    await h.hotline.visits.tick();
    assert.equal((await op('POST', `/api/return-visits/${consult.body.ticket.id}`, { outcome: 'unsatisfied', reason: '答复不清楚' })).status, 200);
    const again = (await sup('GET', '/api/desk/queues')).body;
    assert.ok(again.unsatisfied.some((i: any) => i.ticket.id === consult.body.ticket.id));
    const notice = await act(sup, consult.body.ticket.id, 'supervise', '请公安局二次办理并当面答复', { dueAt: new Date(clock + 5 * 86400_000).toISOString(), leadUnit: 'gaj' });
    assert.equal(notice.status, 200, JSON.stringify(notice.body));
    assert.equal(notice.body.ticket.status, 'supervised');
  });

  it('a supervisor sees a breached deadline by unit on the wallboard once the time has passed', async () => {
    const t = await dispatchTo('zjj', { content: '小区楼道里的消防栓漏水' });
    clock += 10 * 86400_000;
    const sup2 = await h.as('sup02');
    const w = await sup2('GET', '/api/desk/wallboard');
    const row = w.body.deadlinesByUnit.find((u: any) => u.unit === 'zjj');
    assert.ok(row && row.breach >= 1, JSON.stringify(w.body.deadlinesByUnit));
    const zjj2 = await h.as('zjj');
    const item = (await zjj2('GET', '/api/desk/inbox')).body.items.find((i: any) => i.ticket.id === t.id);
    assert.equal(item.deadline.level, 'breach');
  });

  it('five wrong passwords lock the user name: the right password is then refused with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await call(h.base, 'POST', '/api/session', { username: 'op09', password: 'wrong' })).status, 401);
    const r = await call(h.base, 'POST', '/api/session', { username: 'op09', password: TEST_PASSWORD });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.match(r.body.error.message, /登录失败次数过多/);
    assert.equal((await call(h.base, 'POST', '/api/session', { username: 'op10', password: TEST_PASSWORD })).status, 201);
  });
});
