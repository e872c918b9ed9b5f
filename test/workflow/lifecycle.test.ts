import assert from 'node:assert/strict';
import { Actor, applyTransition, allowedActions, LifecycleContext, TRANSITIONS } from '../../workflow/lifecycle';
import { newTicket, appealInput } from '../../workflow/intake';
import { TransitionRefused, InvalidInput } from '../../workflow/errors';
import { Ticket } from '../../workflow/types';
import { computeClocks, defaultClockPolicy } from '../../workflow/clocks';
import units from '../../city/demo/units.json';

const policy = defaultClockPolicy();
const unitMap = new Map(units.units.map((u) => [u.code, { code: u.code, name: u.name, kind: u.kind as 'department' }]));
// Monday 2026-11-23 10:00 Beijing time.
const MONDAY = new Date('2026-11-23T02:00:00Z');
const ctx = (now = MONDAY, returnVisitAfterIntakeResolution = true): LifecycleContext => ({
  now,
  clocks: (at, urgency) => computeClocks({ dispatchedAt: at, urgency }, policy),
  unit: (c) => unitMap.get(c),
  returnVisitAfterIntakeResolution,
});

const operator: Actor = { id: 1, role: 'operator', unit: 'center' };
const supervisor: Actor = { id: 2, role: 'supervisor', unit: 'center' };
const leader: Actor = { id: 3, role: 'leader', unit: 'leaders' };
const cgj: Actor = { id: 10, role: 'unit_handler', unit: 'cgj' };
const zjj: Actor = { id: 11, role: 'unit_handler', unit: 'zjj' };
const system: Actor = { id: null, role: 'system', unit: null };

function ticket(over: Partial<Ticket> = {}): Ticket {
  const input = appealInput.parse({ channel: 'hotline', kind: 'complaint', content: '圣城街道某小区楼下路灯坏了一个星期', citizenPhone: '13812345678' });
  return { id: 1, number: '202611230001', ...newTicket(input, 1, MONDAY), ...over };
}

function run(t: Ticket, actor: Actor, action: string, extra: { reason?: string; input?: unknown } = {}, c = ctx()) {
  return applyTransition(t, actor, { action, ...extra }, c).ticket;
}

function refused(fn: () => unknown, code?: string) {
  assert.throws(fn, (e: unknown) => e instanceof TransitionRefused && (!code || e.code === code));
}

const dispatched = () => run(ticket(), operator, 'dispatch', { input: { leadUnit: 'cgj', coUnits: ['shengcheng'] } });
const acknowledged = () => run(dispatched(), cgj, 'acknowledge');
const replied = () => run(acknowledged(), cgj, 'reply', { reason: '已更换灯泡，恢复照明' });
const reviewed = () => run(replied(), operator, 'review_approve');
const unsatisfied = () => run(reviewed(), system, 'record_return_visit', { input: { outcome: 'unsatisfied' } });

describe('ticket lifecycle', () => {
  it('every transition row names at least one role and one from-state', () => {
    for (const r of TRANSITIONS) {
      assert.ok(r.roles.length > 0 && r.from.length > 0, r.action);
    }
  });

  it('the normal path: intake → dispatched → acknowledged → replied → reviewed → return visit → closed', () => {
    const t = reviewed();
    const done = run(t, system, 'record_return_visit', { input: { outcome: 'satisfied', attempt: 1 } });
    assert.equal(done.status, 'closed');
    assert.equal(done.satisfaction, 'satisfied');
    assert.equal(done.closedAt, MONDAY.toISOString());
  });

  it('dispatch starts the clocks: a general matter dispatched Monday 10:00 is due Thursday 10:00', () => {
    const t = dispatched();
    assert.equal(t.dispatchedAt, MONDAY.toISOString());
    assert.equal(t.dueAt, '2026-11-26T02:00:00.000Z');
    assert.ok(t.ackDueAt);
    assert.equal(t.firstUnit, 'cgj');
  });

  it('the audit event records who, in which role, from and to which state', () => {
    const r = applyTransition(dispatched(), cgj, { action: 'acknowledge' }, ctx());
    assert.deepEqual(
      { action: r.event.action, from: r.event.fromStatus, to: r.event.toStatus, actor: r.event.actorId, role: r.event.actorRole, unit: r.event.actorUnit },
      { action: 'acknowledge', from: 'dispatched', to: 'acknowledged', actor: 10, role: 'unit_handler', unit: 'cgj' },
    );
  });

  it('a unit cannot reply to a ticket it does not hold', () => {
    refused(() => run(acknowledged(), zjj, 'reply', { reason: '已处理' }), 'not_lead_unit');
  });

  it('a co-handling unit cannot acknowledge or return the ticket for the lead unit', () => {
    const coHandler: Actor = { id: 12, role: 'unit_handler', unit: 'shengcheng' };
    refused(() => run(dispatched(), coHandler, 'acknowledge'), 'not_lead_unit');
    refused(() => run(dispatched(), coHandler, 'return', { reason: '不归我们管' }), 'not_lead_unit');
  });

  it('a unit must acknowledge before it replies', () => {
    refused(() => run(dispatched(), cgj, 'reply', { reason: '已处理' }), 'wrong_status');
  });

  it('a ticket cannot be closed before its return visit', () => {
    refused(() => run(reviewed(), supervisor, 'close', { reason: '已处理完毕' }), 'wrong_status');
    try {
      run(reviewed(), supervisor, 'close', { reason: '已处理完毕' });
    } catch (e) {
      assert.match((e as Error).message, /回访/);
    }
  });

  it('a unit cannot return a ticket without a reason: an input error naming the reason box', () => {
    assert.throws(
      () => run(dispatched(), cgj, 'return', { reason: '  ' }),
      (e: unknown) => e instanceof InvalidInput && e.code === 'reason_required' && /退回理由/.test(e.message) && e.issues[0].field === 'reason',
    );
  });

  it('first-responder rule: a unit cannot pass a ticket on to another unit itself', () => {
    refused(() => run(acknowledged(), cgj, 'redispatch', { reason: '应由住建局办理', input: { leadUnit: 'zjj' } }), 'role_not_allowed');
  });

  it('first-responder rule: after the center overrules a return, the unit cannot return the ticket again', () => {
    const returned = run(dispatched(), cgj, 'return', { reason: '路灯属于住建局管理' });
    assert.equal(returned.status, 'returned');
    const back = run(returned, supervisor, 'overrule_return', { reason: '城区路灯由城管局负责' });
    assert.equal(back.status, 'dispatched');
    assert.equal(back.leadUnit, 'cgj');
    assert.equal(back.dueAt, dispatched().dueAt, 'a wrongful return does not buy time');
    refused(() => run(back, cgj, 'return', { reason: '还是不归我们' }), 'rule');
  });

  it('re-dispatch after a justified return goes to another unit and restarts the clock', () => {
    const returned = run(dispatched(), cgj, 'return', { reason: '属于住建局职责' });
    const later = new Date('2026-11-24T02:00:00Z');
    const again = run(returned, operator, 'redispatch', { reason: '改派住建局', input: { leadUnit: 'zjj' } }, ctx(later));
    assert.equal(again.leadUnit, 'zjj');
    assert.equal(again.firstUnit, 'cgj', 'the first responder stays on record');
    assert.equal(again.dispatchedAt, later.toISOString());
    assert.equal(again.dueAt, '2026-11-27T02:00:00.000Z');
    refused(() => run(returned, operator, 'redispatch', { reason: 'x', input: { leadUnit: 'cgj' } }), 'rule');
  });

  it('a ticket has one lead unit: the lead cannot also be a co-handling unit', () => {
    refused(() => run(ticket(), operator, 'dispatch', { input: { leadUnit: 'cgj', coUnits: ['cgj'] } }), 'rule');
  });

  it('dispatch only to units that exist and can handle tickets', () => {
    refused(() => run(ticket(), operator, 'dispatch', { input: { leadUnit: 'nowhere' } }), 'rule');
    refused(() => run(ticket(), operator, 'dispatch', { input: { leadUnit: 'center' } }), 'rule');
  });

  it('only consults can be resolved at intake, and they still get a return visit', () => {
    refused(() => run(ticket(), operator, 'resolve_at_intake', { reason: '已解答' }), 'rule');
    const consult = run(ticket({ kind: 'consult' }), operator, 'resolve_at_intake', { reason: '已告知办理地点和材料' });
    assert.equal(consult.status, 'resolved_at_intake');
    const closed = run(consult, system, 'record_return_visit', { input: { outcome: 'basically_satisfied' } });
    assert.equal(closed.status, 'closed');
    const noVisit = run(ticket({ kind: 'consult' }), operator, 'resolve_at_intake', { reason: '已解答' }, ctx(MONDAY, false));
    assert.equal(noVisit.status, 'closed');
  });

  it('a refused review sends the ticket back to the unit', () => {
    const back = run(replied(), operator, 'send_back', { reason: '回复未说明处理结果' });
    assert.equal(back.status, 'acknowledged');
    assert.equal(back.repliedAt, null);
  });

  it('an extension needs a reason and a later date; the center approves it and the deadline moves', () => {
    const t = acknowledged();
    refused(() => run(t, cgj, 'request_extension', { reason: '需要协调供电公司', input: { until: '2026-11-25T02:00:00Z' } }), 'rule');
    const asked = run(t, cgj, 'request_extension', { reason: '需要协调供电公司', input: { until: '2026-12-01T09:00:00Z' } });
    assert.deepEqual(asked.extensionPending, { until: '2026-12-01T09:00:00.000Z', reason: '需要协调供电公司' });
    refused(() => run(asked, cgj, 'approve_extension'), 'role_not_allowed');
    const ok = run(asked, supervisor, 'approve_extension');
    assert.equal(ok.dueAt, '2026-12-01T09:00:00.000Z');
    assert.equal(ok.extensionPending, null);
    const no = run(asked, supervisor, 'refuse_extension', { reason: '可在期限内完成' });
    assert.equal(no.dueAt, t.dueAt);
    refused(() => run(t, supervisor, 'approve_extension'), 'rule');
  });

  it('the dissatisfaction ladder: daily review → supervision notice → second handling → escalation', () => {
    const u = unsatisfied();
    assert.equal(u.status, 'under_review');
    refused(() => run(u, leader, 'escalate', { reason: '仍不满意', input: { dueAt: '2026-12-01T09:00:00Z' } }), 'rule');
    const s = run(u, leader, 'supervise', { reason: '督办：路灯仍不亮', input: { dueAt: '2026-11-27T09:00:00Z' } });
    assert.deepEqual([s.status, s.handlingRound, s.dueAt, s.satisfaction], ['supervised', 2, '2026-11-27T09:00:00.000Z', null]);
    const second = run(run(run(s, cgj, 'reply', { reason: '已更换线路' }), operator, 'review_approve'), system, 'record_return_visit', { input: { outcome: 'unsatisfied' } });
    assert.equal(second.status, 'under_review');
    const e1 = run(second, leader, 'escalate', { reason: '报分管市领导', input: { dueAt: '2026-12-02T09:00:00Z' } });
    assert.deepEqual([e1.status, e1.escalationLevel, e1.handlingRound], ['supervised', 1, 3]);
    const again = run(run(run(e1, cgj, 'reply', { reason: '再次维修' }), operator, 'review_approve'), system, 'record_return_visit', { input: { outcome: 'unsatisfied' } });
    const e2 = run(again, leader, 'escalate', { reason: '报市主要领导', input: { dueAt: '2026-12-04T09:00:00Z' } });
    assert.equal(e2.escalationLevel, 2);
    const last = run(run(run(e2, cgj, 'reply', { reason: '彻底改造' }), operator, 'review_approve'), system, 'record_return_visit', { input: { outcome: 'unsatisfied' } });
    refused(() => run(last, leader, 'escalate', { reason: '再升级', input: { dueAt: '2026-12-09T09:00:00Z' } }), 'rule');
    const closed = run(last, leader, 'close', { reason: '经研判诉求已依法依规处理到位' });
    assert.equal(closed.status, 'closed');
  });

  it('operators cannot issue supervision notices', () => {
    refused(() => run(unsatisfied(), operator, 'supervise', { reason: '督办', input: { dueAt: '2026-11-27T09:00:00Z' } }), 'role_not_allowed');
  });

  it('emergency feedback only for emergencies, once, by the lead unit', () => {
    refused(() => run(dispatched(), cgj, 'give_feedback', { reason: '已到场' }), 'rule');
    const em = run(ticket({ urgency: 'emergency' }), operator, 'dispatch', { input: { leadUnit: 'zjj' } });
    assert.equal(em.feedbackDueAt, '2026-11-23T03:00:00.000Z');
    const fb = run(em, zjj, 'give_feedback', { reason: '已到场关阀，无人员受伤' });
    assert.equal(fb.feedbackAt, MONDAY.toISOString());
    refused(() => run(fb, zjj, 'give_feedback', { reason: '再次反馈' }), 'rule');
  });

  it('bad action input is an input error, not a transition', () => {
    assert.throws(() => run(ticket(), operator, 'dispatch', { input: { leadUnit: 42 } }), InvalidInput);
    assert.throws(() => run(ticket(), operator, 'no_such_action'), InvalidInput);
  });

  it('the desk offers only the actions this actor may take now', () => {
    // No 1-hour feedback for a general matter: the rules would refuse it, so it is not offered.
    assert.deepEqual(allowedActions(dispatched(), cgj).sort(), ['acknowledge', 'comment', 'request_extension', 'return'].sort());
    assert.ok(!allowedActions(dispatched(), zjj).includes('acknowledge'));
  });
});

describe('intake validation', () => {
  const base = { channel: 'hotline', kind: 'complaint', content: '噪音扰民' };
  it('accepts mobiles and landlines with area code, normalised', () => {
    assert.equal(appealInput.parse({ ...base, citizenPhone: '+86 138 1234 5678' }).citizenPhone, '13812345678');
    assert.equal(appealInput.parse({ ...base, citizenPhone: '05365221234' }).citizenPhone, '0536-5221234');
    assert.equal(appealInput.parse({ ...base, citizenPhone: '010-12345678' }).citizenPhone, '010-12345678');
  });
  it('refuses a phone number without an area code, and empty content', () => {
    assert.equal(appealInput.safeParse({ ...base, citizenPhone: '5221234' }).success, false);
    assert.equal(appealInput.safeParse({ ...base, content: '   ' }).success, false);
  });
  it('only reports (举报) may be anonymous, and an anonymous reporter leaves no name or phone', () => {
    assert.equal(appealInput.safeParse({ ...base, anonymous: true }).success, false);
    const t = newTicket(appealInput.parse({ ...base, kind: 'report', anonymous: true, citizenName: '张三', citizenPhone: '13812345678' }), null, MONDAY);
    assert.deepEqual([t.citizenName, t.citizenPhone, t.noCallback], [null, null, true]);
  });
});

describe('dispatch events', () => {
  it('record the unit and the deadlines it was given, so each unit is judged by its own', () => {
    const r = applyTransition(ticket(), operator, { action: 'dispatch', input: { leadUnit: 'cgj', coUnits: ['shengcheng'] } }, ctx());
    assert.deepEqual(r.event.data, {
      leadUnit: 'cgj', coUnits: ['shengcheng'], ackDueAt: r.ticket.ackDueAt, feedbackDueAt: null, dueAt: '2026-11-26T02:00:00.000Z',
    });
  });
});

describe('raising a ticket to emergency', () => {
  it('an emergency word on a dispatched ticket starts the 1-hour feedback clock now', () => {
    const later = new Date(MONDAY.getTime() + 2 * 3600_000);
    const t = run(dispatched(), system, 'raise_urgency', { reason: '录音中识别到"煤气泄漏"' }, ctx(later));
    assert.equal(t.urgency, 'emergency');
    assert.equal(t.feedbackDueAt, new Date(later.getTime() + 3600_000).toISOString());
    refused(() => run(t, system, 'raise_urgency', { reason: '再次' }), 'rule');
  });
  it('before dispatch only the class changes; the clocks start at dispatch', () => {
    const t = run(ticket(), system, 'raise_urgency', { reason: '着火了' });
    assert.deepEqual([t.urgency, t.feedbackDueAt], ['emergency', null]);
  });
});
