// Issue 14, the desk's back end: a working day's views, told as the people at the desk
// meet them — find any ticket, open it whole, dispatch what waits, merge duplicates, sign
// a 督办 notice, co-handle, visit now, drill into the wallboard, export.
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startTestHotline, TestHotline, Caller } from '../support/hotline';

const appeal = (over: Record<string, unknown> = {}) => ({
  channel: 'hotline', kind: 'complaint', title: '路灯不亮', content: '我家楼下的路灯坏了一个星期了，晚上走路看不见，在圣城街道金光街口',
  citizenName: '王建国', citizenPhone: '13812345678', address: '圣城街道金光街与农圣街交叉口', town: 'shengcheng', ...over,
});

describe('desk API for a working day (issue 14)', function () {
  let h: TestHotline;
  let clock = Date.parse('2026-12-07T02:00:00.000Z'); // Monday 10:00 in the city
  let op: Caller, op2: Caller, sup: Caller, leader: Caller, cgj: Caller, zjj: Caller, shengcheng: Caller;

  before(async () => {
    h = await startTestHotline({ now: () => new Date(clock) });
    [op, op2, sup, leader, cgj, zjj, shengcheng] = await Promise.all(['op01', 'op02', 'sup01', 'leader01', 'cgj', 'zjj', 'shengcheng'].map((u) => h.as(u)));
  });
  after(async () => h?.close());

  const create = async (body: Record<string, unknown>, who = op) => {
    const r = await who('POST', '/api/tickets', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.ticket;
  };
  const act = async (who: Caller, id: number, action: string, extra: Record<string, unknown> = {}, status = 200) => {
    const r = await who('POST', `/api/tickets/${id}/transitions`, { action, ...extra });
    assert.equal(r.status, status, `${action}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  describe('search', () => {
    before(async () => {
      await create(appeal({ dispatch: { leadUnit: 'cgj', coUnits: ['shengcheng'] } }));
      await create(appeal({ kind: 'help_request', title: null, content: '天然气管道漏气，闻到很大的煤气味，请马上派人', urgency: 'emergency', citizenPhone: '0536-5221234', citizenName: '李秀英', town: 'wenjia', address: '文家街道幸福小区3号楼', dispatch: { leadUnit: 'zjj', coUnits: [] } }));
      await create(appeal({ kind: 'consult', title: null, content: '请问公积金贷款最多能贷多少？', citizenPhone: '13900001111', citizenName: '张伟', town: null, address: null }));
    });

    it('finds a ticket by two characters of its text, by number prefix and by several filters at once', async () => {
      const byText = await op('GET', '/api/tickets?q=' + encodeURIComponent('漏气'));
      assert.equal(byText.status, 200, JSON.stringify(byText.body));
      assert.deepEqual(byText.body.items.map((t: any) => t.urgency), ['emergency']);
      assert.equal(byText.body.items[0].statusLabel, '已派单');
      assert.equal(byText.body.items[0].deadline.clock, 'ack');
      // Punctuation and full-width characters do not matter; words out of order do not match.
      assert.equal((await op('GET', '/api/tickets?q=' + encodeURIComponent('路灯，坏了'))).body.total, 1);
      assert.equal((await op('GET', '/api/tickets?q=' + encodeURIComponent('坏了路灯'))).body.total, 0);
      const day = (await op('GET', '/api/tickets?number=20261207')).body;
      assert.equal(day.total, 3);
      const combined = await op('GET', '/api/tickets?' + new URLSearchParams({ status: 'dispatched', kind: 'help_request,complaint', urgency: 'emergency', town: 'wenjia', unit: 'zjj', from: '2026-12-07', to: '2026-12-07' }));
      assert.equal(combined.body.total, 1);
      assert.equal((await op('GET', '/api/tickets?category=' + encodeURIComponent('城乡建设') + '&q=' + encodeURIComponent('路灯'))).body.total, 0, 'no event type yet');
    });

    it('sorts and pages; the total says when it is capped', async () => {
      const asc = (await op('GET', '/api/tickets?sort=acceptedAt&pageSize=2')).body;
      const desc = (await op('GET', '/api/tickets?sort=-acceptedAt&pageSize=2&page=1')).body;
      assert.equal(asc.items.length, 2);
      assert.ok(asc.items[0].id < asc.items[1].id);
      assert.ok(desc.items[0].id > desc.items[1].id);
      assert.equal(asc.totalCapped, false);
      assert.equal(asc.sort, 'acceptedAt');
    });

    it('bad search input is a 400 naming the field in Chinese', async () => {
      for (const [qs, label] of [['pageSize=500', '每页条数'], ['status=open', '状态'], ['q=' + encodeURIComponent('灯'), '关键词'], ['from=yesterday', '开始时间'], ['sort=content', '排序'], ['bogus=1', '不接受的字段']] as const) {
        const r = await op('GET', `/api/tickets?${qs}`);
        assert.equal(r.status, 400, qs);
        assert.match(r.body.error.message, new RegExp(label), qs);
        assert.doesNotMatch(r.body.error.message, /pageSize|status：|dateField/);
      }
    });

    it('overdue: the close deadline has passed and the ticket is not closed; the rest with overdue=false', async () => {
      const all = (await op('GET', '/api/tickets?pageSize=100')).body.total;
      clock += 10 * 86400_000;
      try {
        const late = (await op('GET', '/api/tickets?overdue=true')).body;
        assert.equal(late.total, 2, 'the two dispatched tickets');
        assert.ok(late.items.every((t: any) => t.overdue && t.deadline.level === 'breach'));
        assert.equal((await op('GET', '/api/tickets?overdue=false')).body.total, all - 2);
      } finally {
        clock -= 10 * 86400_000;
      }
      assert.equal((await op('GET', '/api/tickets?overdue=true')).body.total, 0);
    });

    it('a unit finds only the tickets it leads or co-handles (the co-handling unit too)', async () => {
      const mine = (await shengcheng('GET', '/api/tickets')).body;
      assert.equal(mine.total, 1);
      assert.equal(mine.items[0].citizenPhone, '138****5678');
      assert.equal((await zjj('GET', '/api/tickets?q=' + encodeURIComponent('路灯'))).body.total, 0);
    });
  });

  describe('the ticket page', () => {
    it('by number carries the whole audit trail (defect 17), the clocks and the actions with what they need', async () => {
      const t = await create(appeal({ content: '小区门口垃圾桶满了三天没人清理', dispatch: { leadUnit: 'cgj', coUnits: [] } }));
      const r = await op('GET', `/api/tickets/by-number/${t.number}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.events.map((e: any) => e.action), ['intake', 'dispatch']);
      assert.equal(r.body.events[0].actorName, '接线员01');
      assert.deepEqual(r.body.clocks.map((c: any) => [c.clock, c.level]), [['ack', 'ok'], ['close', 'ok']]);
      const unit = await cgj('GET', `/api/tickets/${t.id}`);
      const ret = unit.body.actions.find((a: any) => a.action === 'return');
      assert.deepEqual([ret.reason.required, ret.reason.label, ret.path], [true, '退回理由', `/api/tickets/${t.id}/transitions`]);
      assert.ok(!unit.body.actions.some((a: any) => a.action === 'give_feedback'), 'no 1-hour feedback for a general matter');
      assert.equal(unit.body.ticket.citizenPhone, '138****5678');
      assert.equal(unit.body.events[0].actorName, null, "a unit does not see the center's people by name");
      assert.equal((await zjj('GET', `/api/tickets/by-number/${t.number}`)).status, 404);
    });

    it('a return without a reason is a 400 naming 退回理由 and changes nothing', async () => {
      const t = await create(appeal({ dispatch: { leadUnit: 'cgj', coUnits: [] } }));
      const r = await cgj('POST', `/api/tickets/${t.id}/transitions`, { action: 'return' });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'reason_required');
      assert.deepEqual(r.body.error.issues.map((i: any) => [i.field, i.label]), [['reason', '退回理由']]);
      const bad = await sup('POST', `/api/tickets/${t.id}/transitions`, { action: 'supervise', reason: 'x', input: { dueAt: 'tomorrow' } });
      assert.match(bad.body.error.message, /办结期限：/);
      assert.doesNotMatch(bad.body.error.message, /dueAt/);
    });
  });

  describe('待派单 and re-dispatch', () => {
    it('a ticket saved with 仅受理 waits in the queue and on the wallboard until someone dispatches it (defect 2)', async () => {
      const t = await create(appeal({ content: '村里的自来水三天没来了', town: 'gucheng', address: '古城街道北关村' }));
      const q = (await op('GET', '/api/desk/dispatch-queue')).body;
      assert.ok(q.accepted.some((i: any) => i.id === t.id));
      assert.ok(q.counts.accepted >= 1);
      const board = (await sup('GET', '/api/desk/wallboard')).body;
      assert.ok(board.pending.notDispatched >= 1);
      const drill = (await sup('GET', '/api/desk/wallboard/drill?metric=not_dispatched')).body;
      assert.ok(drill.items.some((i: any) => i.id === t.id));
      const sug = (await op2('GET', `/api/tickets/${t.id}/routing`)).body;
      assert.ok(sug.leadUnit, JSON.stringify(sug));
      await act(op2, t.id, 'dispatch', { input: { leadUnit: sug.leadUnit, coUnits: sug.coUnits } });
      assert.ok(!(await op('GET', '/api/desk/dispatch-queue')).body.accepted.some((i: any) => i.id === t.id));
    });

    it('a returned ticket names the unit that returned it, and re-dispatch never offers it again (defect 10)', async () => {
      const t = await create(appeal({ content: '马路上有一个井盖丢了，很危险', dispatch: { leadUnit: 'zjj', coUnits: [] } }));
      await act(zjj, t.id, 'return', { reason: '井盖属于市政设施，归城市管理局' });
      const item = (await op('GET', '/api/desk/dispatch-queue')).body.returned.find((i: any) => i.id === t.id);
      assert.deepEqual(item.excludeUnits, ['zjj']);
      assert.equal(item.returnedBy[0].reason, '井盖属于市政设施，归城市管理局');
      const page = (await op('GET', `/api/tickets/${t.id}`)).body;
      const re = page.actions.find((a: any) => a.action === 'redispatch');
      assert.deepEqual(re.input.find((i: any) => i.name === 'leadUnit').exclude, ['zjj']);
      assert.ok(!(await op('GET', `/api/tickets/${t.id}/routing`)).body.coUnits.includes('zjj'));
      await act(op, t.id, 'redispatch', { reason: '改由城管局办理', input: { leadUnit: 'zjj', coUnits: [] } }, 409);
      await act(op, t.id, 'redispatch', { reason: '改由城管局办理', input: { leadUnit: 'cgj', coUnits: [] } });
    });
  });

  describe('并案 (defect 14)', () => {
    it('two neighbours report the same broken pipe: the second is merged, follows the first, and each gets a return visit', async () => {
      const main = await create(appeal({ content: '幸福路12号门口的自来水管爆了，水流了一地', citizenPhone: '13811110001', citizenName: '刘洋', dispatch: { leadUnit: 'zjj', coUnits: [] } }));
      const dup = await create(appeal({ content: '幸福路12号水管破了在冒水', citizenPhone: '13811110002', citizenName: '陈静' }));
      const merged = await op('POST', `/api/tickets/${dup.id}/merge`, { intoNumber: main.number, reason: '同一处水管破裂' });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.deepEqual([merged.body.ticket.status, merged.body.ticket.mergedInto], ['merged', main.id]);
      const mainPage = (await op('GET', `/api/tickets/${main.id}`)).body;
      assert.deepEqual(mainPage.links.duplicates.map((d: any) => d.number), [dup.number]);
      assert.equal(mainPage.events.at(-1).action, 'attach_duplicate');
      assert.ok(!(await op('GET', '/api/desk/dispatch-queue')).body.accepted.some((i: any) => i.id === dup.id), 'a merged ticket is not dispatched');
      // Merging again, or into a merged ticket, is refused.
      assert.equal((await op('POST', `/api/tickets/${dup.id}/merge`, { into: main.id })).status, 409);
      const third = await create(appeal({ content: '幸福路水管的事' }));
      assert.equal((await op('POST', `/api/tickets/${third.id}/merge`, { into: dup.id })).body.error.code, 'main_merged');
      assert.equal((await op('POST', `/api/tickets/${third.id}/transitions`, { action: 'merge', input: { mainId: main.id, mainNumber: main.number } })).status, 400);

      await act(zjj, main.id, 'acknowledge');
      await act(zjj, main.id, 'reply', { reason: '已关阀抢修，更换了破损管段，恢复供水' });
      await act(op, main.id, 'review_approve');
      const dupPage = (await op('GET', `/api/tickets/${dup.id}`)).body;
      assert.deepEqual([dupPage.ticket.status, dupPage.ticket.leadUnit, dupPage.events.at(-1).action], ['reviewed', 'zjj', 'follow_main']);
      assert.equal(dupPage.replies.at(-1).text, '已关阀抢修，更换了破损管段，恢复供水');
      const open = (await op('GET', '/api/return-visits/open')).body.items.map((i: any) => i.number);
      assert.ok(open.includes(main.number) && open.includes(dup.number), 'each citizen gets their own visit');
      const v = await op('POST', `/api/return-visits/${dup.id}`, { outcome: 'satisfied' });
      assert.equal(v.status, 200);
      assert.equal(v.body.ticket.status, 'closed');
    });

    it('merging the same ticket twice at once: one merge, the other refused, nothing half-written', async () => {
      const a = await create(appeal({ content: '东城小区停电了' }));
      const b = await create(appeal({ content: '东城小区停电' }));
      const c = await create(appeal({ content: '东城小区没电了' }));
      const [r1, r2] = await Promise.all([op('POST', `/api/tickets/${c.id}/merge`, { into: a.id }), op2('POST', `/api/tickets/${c.id}/merge`, { into: b.id })]);
      assert.deepEqual([r1.status, r2.status].sort(), [200, 409]);
      const attached = await h.db('ticket_events').whereIn('ticket_id', [a.id, b.id]).where('action', 'attach_duplicate');
      assert.equal(attached.length, 1);
      // And two tickets merged into each other at once: one wins.
      const [x, y] = await Promise.all([op('POST', `/api/tickets/${a.id}/merge`, { into: b.id }), op2('POST', `/api/tickets/${b.id}/merge`, { into: a.id })]);
      assert.equal([x.status, y.status].filter((s) => s === 200).length, 1, JSON.stringify([x.body, y.body]));
    });

    it('the center un-merges with a reason: the ticket is back in the queue on its own', async () => {
      const main = await create(appeal({ content: '南关村路口红绿灯坏了' }));
      const dup = await create(appeal({ content: '南关村的红绿灯不亮' }));
      await op('POST', `/api/tickets/${dup.id}/merge`, { into: main.id });
      assert.equal((await op('POST', `/api/tickets/${dup.id}/unmerge`, {})).status, 400);
      assert.equal((await cgj('POST', `/api/tickets/${dup.id}/unmerge`, { reason: 'x' })).status, 403);
      const r = await sup('POST', `/api/tickets/${dup.id}/unmerge`, { reason: '不是同一个路口' });
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.ticket.status, r.body.ticket.mergedInto], ['accepted', null]);
      assert.equal((await op('GET', `/api/tickets/${main.id}`)).body.events.at(-1).action, 'detach_duplicate');
    });
  });

  describe('督办通知单, co-handling, return visits, the leaders\' review', () => {
    it('a second handling from 不满意 to a signed, numbered, printable notice (defects 3, 4, 15, 16)', async () => {
      const t = await create(appeal({ content: '门口的路灯还是不亮，上次说修了也没修好', citizenName: '赵敏', citizenPhone: '13822223333', dispatch: { leadUnit: 'cgj', coUnits: ['shengcheng'] } }));
      await act(cgj, t.id, 'acknowledge');
      // The co-handling unit gives its opinion; the lead unit replies with it.
      const co = (await shengcheng('GET', `/api/tickets/${t.id}`)).body;
      assert.ok(co.actions.some((a: any) => a.action === 'co_opinion'));
      await act(shengcheng, t.id, 'co_opinion', { reason: '街道已安排网格员现场核实，线路老化' });
      // Another unit cannot (404 or 409 until the security work makes every refusal a 404) and nothing is written.
      assert.ok([404, 409].includes((await zjj('POST', `/api/tickets/${t.id}/transitions`, { action: 'co_opinion', reason: 'x' })).status));
      assert.equal((await h.db('ticket_events').where({ ticket_id: t.id, action: 'co_opinion' })).length, 1);
      const lead = (await cgj('GET', `/api/tickets/${t.id}`)).body;
      assert.deepEqual([lead.coOpinions[0].unitName, lead.coOpinionsPending], ['圣城街道', []]);
      const reply = await act(cgj, t.id, 'reply', { reason: '已更换灯具' });
      assert.deepEqual(reply.event.data.coOpinions.map((o: any) => o.unit), ['shengcheng']);
      const inbox = (await cgj('GET', '/api/desk/inbox')).body.items.find((i: any) => i.ticket.id === t.id);
      assert.equal(inbox.lastReply.text, '已更换灯具', "the unit's card shows its own reply");
      await act(op, t.id, 'review_approve');
      // The manual list shows the unit's reply and the citizen's name; 不满意 needs the reason.
      const manual = (await op('GET', '/api/return-visits/open')).body.items.find((i: any) => i.ticketId === t.id);
      assert.deepEqual([manual.citizenName, manual.reply.text, manual.reply.unitName], ['赵敏', '已更换灯具', '城市管理局']);
      assert.equal((await op('POST', `/api/return-visits/${t.id}`, { outcome: 'unsatisfied' })).status, 400);
      assert.equal((await op('POST', `/api/return-visits/${t.id}`, { outcome: 'unsatisfied', reason: '灯换了两天又不亮了' })).status, 200);
      const review = (await leader('GET', '/api/desk/queues')).body.unsatisfied.find((i: any) => i.ticket.id === t.id);
      assert.deepEqual([review.visit.reason, review.firstReply.text], ['灯换了两天又不亮了', '已更换灯具']);
      const page = (await leader('GET', `/api/tickets/${t.id}`)).body;
      assert.ok(!page.actions.some((a: any) => a.action === 'escalate'), '升级 only after a first 督办 (defect 9)');
      // Two notices issued at once get two numbers, no gap, no duplicate.
      const other = await create(appeal({ content: '又是那盏路灯', dispatch: { leadUnit: 'cgj', coUnits: [] } }));
      await act(cgj, other.id, 'acknowledge');
      await act(cgj, other.id, 'reply', { reason: '已修' });
      await act(op, other.id, 'review_approve');
      await op('POST', `/api/return-visits/${other.id}`, { outcome: 'unsatisfied', reason: '没修好' });
      const due = new Date(clock + 3 * 86400_000).toISOString();
      const [s1, s2] = await Promise.all([
        act(leader, t.id, 'supervise', { reason: '群众反映灯具反复损坏，请彻查线路', input: { dueAt: due } }),
        act(sup, other.id, 'supervise', { reason: '请再次核实', input: { dueAt: due } }),
      ]);
      void s1; void s2;
      const notices = (await leader('GET', '/api/notices?year=2026')).body.items;
      assert.deepEqual(notices.map((n: any) => n.seq).sort(), [1, 2]);
      assert.match(notices[0].docNumber, /^寿光热线督〔2026〕[12]号$/);
      // The unit sees why it is 督办中 and the notice to sign.
      const card = (await cgj('GET', '/api/desk/inbox')).body.items.find((i: any) => i.ticket.id === t.id);
      assert.equal(card.notice.reason, '群众反映灯具反复损坏，请彻查线路');
      assert.deepEqual([card.visit.outcome, card.visit.reason], ['unsatisfied', '灯换了两天又不亮了'], 'the unit reads why the citizen was unsatisfied');
      assert.equal((await cgj('GET', '/api/desk/meta')).body.now, new Date(clock).toISOString());
      assert.equal((await zjj('GET', `/api/notices/${card.notice.id}`)).status, 404);
      const sign = (await cgj('GET', `/api/tickets/${t.id}`)).body.actions.find((a: any) => a.action === 'sign_notice');
      assert.equal(sign.path, `/api/notices/${card.notice.id}/sign`);
      const signed = await cgj('POST', sign.path, { note: '已收到，马上安排' });
      assert.equal(signed.status, 200);
      assert.ok(signed.body.notice.signedAt && signed.body.notice.readAt);
      assert.equal((await cgj('POST', sign.path, {})).status, 409);
      const print = await leader('GET', `/api/notices/${card.notice.id}/print`);
      assert.match(print.body, /督办通知单/);
      assert.match(print.body, /已于 .* 签收/);
      assert.match(print.body, /size:A4/);
      const old = await leader('GET', `/api/tickets/${t.id}/supervision-notice`, undefined, {});
      assert.equal(old.status, 200, 'the old link leads to the printable notice');
      const queue = (await leader('GET', '/api/desk/queues')).body.supervised.find((i: any) => i.ticket.id === t.id);
      assert.ok(queue.notice.signedAt);
    });
  });

  describe('caller history, wallboard, export', () => {
    it('a number typed any usual way finds the caller, flagged as repeat; not for units', async () => {
      const r = await op('GET', '/api/desk/caller-history?phone=' + encodeURIComponent('+86 138 1234 5678'));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.phone, '13812345678');
      assert.equal(r.body.repeatCaller, true);
      assert.ok(r.body.tickets[0].statusLabel);
      assert.equal((await cgj('GET', '/api/desk/caller-history?phone=13812345678')).status, 403);
      assert.equal((await leader('GET', '/api/desk/caller-history?phone=13812345678')).status, 403);
    });

    it('every number on the wallboard opens its list: 在办 per unit, emergencies waiting', async () => {
      const board = (await sup('GET', '/api/desk/wallboard')).body;
      const zjjRow = board.inProgressByUnit.find((u: any) => u.unit === 'zjj');
      const drill = (await sup('GET', '/api/desk/wallboard/drill?metric=in_progress&unit=zjj')).body;
      assert.equal(drill.total, zjjRow.count);
      const em = (await sup('GET', '/api/desk/wallboard/drill?metric=emergencies')).body;
      assert.equal(em.total, board.emergenciesAwaitingFeedback.length);
      assert.equal((await cgj('GET', '/api/desk/wallboard/drill?metric=emergencies')).status, 403);
      assert.equal((await sup('GET', '/api/desk/wallboard/drill?metric=everything')).status, 400);
    });

    it('a filtered list exports to .xlsx and CSV, masked for a unit', async () => {
      const x = await fetch(`${h.base}/api/tickets/export?format=xlsx&q=${encodeURIComponent('路灯')}`, { headers: { authorization: (await authOf('op01')) } });
      assert.equal(x.status, 200);
      assert.match(x.headers.get('content-disposition') ?? '', /filename\*=UTF-8''/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as any);
      const ws = wb.getWorksheet('工单')!;
      assert.equal(ws.getRow(1).getCell(1).value, '工单编号');
      assert.ok(ws.rowCount >= 3);
      const csv = await fetch(`${h.base}/api/tickets/export?format=csv`, { headers: { authorization: await authOf('cgj') } });
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads UTF-8');
      const text = bytes.toString('utf8');
      assert.match(text, /138\*\*\*\*5678/);
      assert.doesNotMatch(text, /13812345678/);
    });
  });

  const tokens = new Map<string, string>();
  async function authOf(user: string): Promise<string> {
    if (!tokens.has(user)) {
      const r = await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password: 'test-password-1' }) });
      tokens.set(user, `Bearer ${(await r.json()).token}`);
    }
    return tokens.get(user)!;
  }
  void clock;
});
