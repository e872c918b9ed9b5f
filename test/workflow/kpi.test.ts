import assert from 'node:assert/strict';
import { computeKpis, Kpis, rankUnits } from '../../workflow/kpi';
import { InvalidInput } from '../../workflow/errors';
import { defaultClockPolicy } from '../../workflow/clocks';
import { Role, Ticket, TicketEvent, TicketStatus } from '../../workflow/types';

// One week of a small city, written out by hand. Times are Beijing time.
const bj = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`).toISOString();

function ticket(id: number, t: Partial<Ticket>): Ticket {
  return {
    id,
    number: `20261123${String(id).padStart(4, '0')}`,
    channel: 'hotline',
    kind: 'complaint',
    status: 'accepted',
    title: null,
    content: '（测试工单）',
    citizenName: null,
    citizenPhone: null,
    anonymous: false,
    noCallback: false,
    address: null,
    town: null,
    lat: null,
    lng: null,
    eventType: null,
    urgency: 'general',
    leadUnit: null,
    coUnits: [],
    firstUnit: null,
    returnOverruled: false,
    handlingRound: 1,
    escalationLevel: 0,
    satisfaction: null,
    acceptedAt: bj('2026-11-23 09:00'),
    dispatchedAt: null,
    acknowledgedAt: null,
    ackDueAt: null,
    feedbackDueAt: null,
    feedbackAt: null,
    dueAt: null,
    repliedAt: null,
    closedAt: null,
    extensionPending: null,
    callId: null,
    createdBy: null,
    updatedAt: bj('2026-11-29 12:00'),
    mergedInto: null,
    ...t,
  };
}

let nextEventId = 1;
function ev(ticketId: number, at: string, action: string, toStatus: TicketStatus, actor: { role: Role; unit?: string }, data: Record<string, unknown> = {}): TicketEvent {
  return {
    id: nextEventId++,
    ticketId,
    action,
    fromStatus: null,
    toStatus,
    actorId: null,
    actorRole: actor.role,
    actorUnit: actor.unit ?? null,
    reason: null,
    data,
    createdAt: bj(at),
  };
}
const center = { role: 'operator' as Role, unit: 'center' };
const leader = { role: 'leader' as Role, unit: 'leaders' };
const system = { role: 'system' as Role };
const unit = (code: string) => ({ role: 'unit_handler' as Role, unit: code });

const tickets: Ticket[] = [
  // T1 城市管理局: acknowledged and replied in time, citizen satisfied, closed Thursday.
  ticket(1, {
    status: 'closed', leadUnit: 'cgj', firstUnit: 'cgj', satisfaction: 'satisfied',
    acceptedAt: bj('2026-11-23 09:00'), dispatchedAt: bj('2026-11-23 09:05'), ackDueAt: bj('2026-11-23 11:05'), acknowledgedAt: bj('2026-11-23 10:00'),
    dueAt: bj('2026-11-26 09:05'), repliedAt: bj('2026-11-25 15:00'), closedAt: bj('2026-11-26 10:00'),
  }),
  // T2 住建局: acknowledged late, replied after the deadline, basically satisfied, closed Friday.
  ticket(2, {
    status: 'closed', leadUnit: 'zjj', firstUnit: 'zjj', satisfaction: 'basically_satisfied',
    acceptedAt: bj('2026-11-23 10:00'), dispatchedAt: bj('2026-11-23 10:10'), ackDueAt: bj('2026-11-23 13:40'), acknowledgedAt: bj('2026-11-23 15:00'),
    dueAt: bj('2026-11-26 10:10'), repliedAt: bj('2026-11-27 16:00'), closedAt: bj('2026-11-27 17:00'),
  }),
  // T3 圣城街道: returned it, the center overruled the return; acknowledged in time; extension approved; still open.
  ticket(3, {
    status: 'acknowledged', leadUnit: 'shengcheng', firstUnit: 'shengcheng', returnOverruled: true,
    acceptedAt: bj('2026-11-24 09:00'), dispatchedAt: bj('2026-11-24 09:10'), ackDueAt: bj('2026-11-24 11:10'), acknowledgedAt: bj('2026-11-24 10:40'),
    dueAt: bj('2026-12-02 17:30'),
  }),
  // T4 圣城街道 returned it rightly, re-dispatched to 城市管理局, who replied in time; citizen unsatisfied → supervision notice.
  ticket(4, {
    status: 'supervised', leadUnit: 'cgj', firstUnit: 'shengcheng', handlingRound: 2,
    acceptedAt: bj('2026-11-24 14:00'), dispatchedAt: bj('2026-11-24 15:30'), ackDueAt: bj('2026-11-24 17:30'), acknowledgedAt: bj('2026-11-24 16:00'),
    dueAt: bj('2026-12-01 17:30'),
  }),
  // T5 a consult resolved at intake; return visit unreachable; closed. No unit.
  ticket(5, {
    status: 'closed', kind: 'consult', satisfaction: 'unreachable',
    acceptedAt: bj('2026-11-25 10:00'), closedAt: bj('2026-11-25 15:00'),
  }),
  // T6 住建局, from the week before: second handling still unsatisfied → escalated this week.
  ticket(6, {
    status: 'supervised', leadUnit: 'zjj', firstUnit: 'zjj', handlingRound: 3, escalationLevel: 1,
    acceptedAt: bj('2026-11-16 09:00'), dispatchedAt: bj('2026-11-16 09:30'), ackDueAt: bj('2026-11-16 11:30'), acknowledgedAt: bj('2026-11-16 10:00'),
    dueAt: bj('2026-12-04 17:30'),
  }),
  // T7 accepted Friday evening, not dispatched yet.
  ticket(7, { acceptedAt: bj('2026-11-27 20:00') }),
  // T8 城市管理局, from the week before, closed at midnight at the end of the week: outside [from, to).
  ticket(8, {
    status: 'closed', leadUnit: 'cgj', firstUnit: 'cgj', satisfaction: 'satisfied',
    acceptedAt: bj('2026-11-20 09:00'), dispatchedAt: bj('2026-11-20 09:10'), ackDueAt: bj('2026-11-20 11:10'), acknowledgedAt: bj('2026-11-20 09:30'),
    dueAt: bj('2026-11-25 09:10'), repliedAt: bj('2026-11-24 11:00'), closedAt: bj('2026-11-30 00:00'),
  }),
];

const events: TicketEvent[] = [
  ev(1, '2026-11-23 09:00', 'intake', 'accepted', center),
  ev(1, '2026-11-23 09:05', 'dispatch', 'dispatched', center, { leadUnit: 'cgj', coUnits: [] }),
  ev(1, '2026-11-23 10:00', 'acknowledge', 'acknowledged', unit('cgj')),
  ev(1, '2026-11-25 15:00', 'reply', 'replied', unit('cgj')),
  ev(1, '2026-11-25 16:00', 'review_approve', 'reviewed', center),
  ev(1, '2026-11-26 10:00', 'record_return_visit', 'closed', system, { outcome: 'satisfied', attempt: 1 }),

  ev(2, '2026-11-23 10:00', 'intake', 'accepted', center),
  ev(2, '2026-11-23 10:10', 'dispatch', 'dispatched', center, { leadUnit: 'zjj', coUnits: [] }),
  ev(2, '2026-11-23 15:00', 'acknowledge', 'acknowledged', unit('zjj')),
  ev(2, '2026-11-27 16:00', 'reply', 'replied', unit('zjj')),
  ev(2, '2026-11-27 16:30', 'review_approve', 'reviewed', center),
  ev(2, '2026-11-27 17:00', 'record_return_visit', 'closed', system, { outcome: 'basically_satisfied', attempt: 2 }),

  ev(3, '2026-11-24 09:00', 'intake', 'accepted', center),
  ev(3, '2026-11-24 09:10', 'dispatch', 'dispatched', center, { leadUnit: 'shengcheng', coUnits: [] }),
  ev(3, '2026-11-24 10:00', 'return', 'returned', unit('shengcheng'), { unit: 'shengcheng' }),
  ev(3, '2026-11-24 10:30', 'overrule_return', 'dispatched', center, { unit: 'shengcheng' }),
  ev(3, '2026-11-24 10:40', 'acknowledge', 'acknowledged', unit('shengcheng')),
  ev(3, '2026-11-25 09:00', 'request_extension', 'acknowledged', unit('shengcheng'), { until: bj('2026-12-02 17:30'), unit: 'shengcheng' }),
  ev(3, '2026-11-25 11:00', 'approve_extension', 'acknowledged', { role: 'supervisor', unit: 'center' }, { until: bj('2026-12-02 17:30'), previousDueAt: bj('2026-11-27 09:10') }),

  ev(4, '2026-11-24 14:00', 'intake', 'accepted', center),
  ev(4, '2026-11-24 14:05', 'dispatch', 'dispatched', center, { leadUnit: 'shengcheng', coUnits: [] }),
  ev(4, '2026-11-24 15:00', 'return', 'returned', unit('shengcheng'), { unit: 'shengcheng' }),
  ev(4, '2026-11-24 15:30', 'redispatch', 'dispatched', center, { leadUnit: 'cgj', coUnits: [], previousUnit: 'shengcheng' }),
  ev(4, '2026-11-24 16:00', 'acknowledge', 'acknowledged', unit('cgj')),
  ev(4, '2026-11-26 11:00', 'reply', 'replied', unit('cgj')),
  ev(4, '2026-11-26 11:30', 'review_approve', 'reviewed', center),
  ev(4, '2026-11-26 16:00', 'record_return_visit', 'under_review', system, { outcome: 'unsatisfied', attempt: 1 }),
  ev(4, '2026-11-27 09:00', 'supervise', 'supervised', leader, { dueAt: bj('2026-12-01 17:30'), leadUnit: 'cgj', round: 2 }),

  ev(5, '2026-11-25 10:00', 'intake', 'accepted', center),
  ev(5, '2026-11-25 10:05', 'resolve_at_intake', 'resolved_at_intake', center),
  ev(5, '2026-11-25 15:00', 'record_return_visit', 'closed', system, { outcome: 'unreachable', attempt: 3 }),

  ev(6, '2026-11-16 09:00', 'intake', 'accepted', center),
  ev(6, '2026-11-16 09:30', 'dispatch', 'dispatched', center, { leadUnit: 'zjj', coUnits: [] }),
  ev(6, '2026-11-16 10:00', 'acknowledge', 'acknowledged', unit('zjj')),
  ev(6, '2026-11-18 10:00', 'reply', 'replied', unit('zjj')),
  ev(6, '2026-11-18 11:00', 'review_approve', 'reviewed', center),
  ev(6, '2026-11-19 10:00', 'record_return_visit', 'under_review', system, { outcome: 'unsatisfied', attempt: 1 }),
  ev(6, '2026-11-20 09:00', 'supervise', 'supervised', leader, { dueAt: bj('2026-11-23 17:30'), leadUnit: 'zjj', round: 2 }),
  ev(6, '2026-11-23 15:00', 'reply', 'replied', unit('zjj')),
  ev(6, '2026-11-23 16:00', 'review_approve', 'reviewed', center),
  ev(6, '2026-11-24 10:00', 'record_return_visit', 'under_review', system, { outcome: 'unsatisfied', attempt: 1 }),
  ev(6, '2026-11-25 09:00', 'escalate', 'supervised', leader, { level: 1, dueAt: bj('2026-12-04 17:30'), round: 3 }),

  ev(7, '2026-11-27 20:00', 'intake', 'accepted', center),

  ev(8, '2026-11-20 09:00', 'intake', 'accepted', center),
  ev(8, '2026-11-20 09:10', 'dispatch', 'dispatched', center, { leadUnit: 'cgj', coUnits: [] }),
  ev(8, '2026-11-20 09:30', 'acknowledge', 'acknowledged', unit('cgj')),
  ev(8, '2026-11-24 11:00', 'reply', 'replied', unit('cgj')),
  ev(8, '2026-11-24 14:00', 'review_approve', 'reviewed', center),
  ev(8, '2026-11-30 00:00', 'record_return_visit', 'closed', system, { outcome: 'satisfied', attempt: 1 }),
];

// The week Monday 23 November 00:00 – Monday 30 November 00:00 (exclusive), Beijing time.
const week = { from: bj('2026-11-23 00:00'), to: bj('2026-11-30 00:00') };

describe('KPIs and the unit ranking', () => {
  const report = computeKpis(tickets, events, week);
  const row = (code: string) => report.units.find((u) => u.unit === code)!;

  it('the city’s week, computed by hand', () => {
    const c = report.city;
    // Received: accepted in the week = T1, T2, T3, T4, T5, T7 (T6 and T8 came the week before).
    assert.equal(c.received, 6);
    // Dispatched: first dispatches in the week = T1, T2, T3, T4.
    assert.equal(c.dispatched, 4);
    // Acknowledged: T1 10:00 ≤ 11:05 on time; T2 15:00 > 13:40 late; T3 10:40 ≤ 11:10; T4 (cgj) 16:00 ≤ 17:30.
    assert.equal(c.acknowledged, 4);
    assert.equal(c.acknowledgedOnTime, 3);
    assert.equal(c.ackOnTimeRate, 3 / 4);
    // Closed in the week: T1, T2, T5 (T8 closed at 00:00 on the 30th, the end is exclusive).
    // On time: T1 replied 25th 15:00 ≤ due 26th 09:05; T2 replied 27th 16:00 > due 26th 10:10; T5 has no deadline.
    assert.equal(c.closed, 3);
    assert.equal(c.closedOnTime, 2);
    assert.equal(c.onTimeRate, 2 / 3);
    // All three closed tickets had a return visit.
    assert.equal(c.returnVisitRate, 1);
    // Return visits in the week: T1 satisfied, T2 basically satisfied, T4 unsatisfied, T5 unreachable, T6 unsatisfied.
    assert.deepEqual([c.returnVisits, c.satisfied, c.basicallySatisfied, c.unsatisfied, c.unreachable], [5, 1, 1, 2, 1]);
    // Satisfaction = (1 + 1) ÷ (1 + 1 + 2) = 0.5; the unreachable T5 is left out.
    assert.equal(c.satisfactionRate, 0.5);
    // Returns: T3 and T4 by 圣城街道; T3 overruled (wrongful), T4 re-dispatched (justified).
    assert.deepEqual([c.returns, c.wrongfulReturns, c.justifiedReturns], [2, 1, 1]);
    // T3's extension, T4's supervision notice, T6's escalation (T6's first notice was the week before).
    assert.deepEqual([c.extensions, c.supervisionNotices, c.escalations], [1, 1, 1]);
  });

  it('城市管理局 (cgj): T1 and the re-dispatched T4', () => {
    const k = row('cgj');
    assert.equal(k.received, 2); // T1 dispatched, T4 re-dispatched to it
    assert.equal(k.dispatched, 1); // T1 only was a first dispatch
    assert.deepEqual([k.acknowledged, k.acknowledgedOnTime], [2, 2]);
    assert.deepEqual([k.closed, k.closedOnTime, k.onTimeRate], [1, 1, 1]); // T1 (T8 falls outside)
    assert.equal(k.returnVisitRate, 1);
    assert.deepEqual([k.returnVisits, k.satisfied, k.unsatisfied], [2, 1, 1]); // T1 satisfied, T4 unsatisfied
    assert.equal(k.satisfactionRate, 1 / 2);
    assert.deepEqual([k.returns, k.supervisionNotices, k.extensions, k.escalations], [0, 1, 0, 0]);
  });

  it('住建局 (zjj): T2 late, and T6 escalated', () => {
    const k = row('zjj');
    assert.deepEqual([k.received, k.dispatched], [1, 1]); // T2; T6 was dispatched the week before
    assert.deepEqual([k.acknowledged, k.acknowledgedOnTime, k.ackOnTimeRate], [1, 0, 0]);
    assert.deepEqual([k.closed, k.closedOnTime, k.onTimeRate], [1, 0, 0]);
    // T2 basically satisfied, T6 unsatisfied: (0 + 1) ÷ (0 + 1 + 1) = 0.5.
    assert.deepEqual([k.returnVisits, k.basicallySatisfied, k.unsatisfied, k.satisfactionRate], [2, 1, 1, 0.5]);
    assert.equal(k.escalations, 1);
  });

  it('圣城街道 (shengcheng): two returns, one of them wrongful; nothing closed', () => {
    const k = row('shengcheng');
    assert.deepEqual([k.received, k.dispatched], [2, 2]); // T3, T4
    assert.deepEqual([k.returns, k.wrongfulReturns, k.justifiedReturns], [2, 1, 1]);
    // T4 sat with it from 14:05 to the re-dispatch at 15:30: 85 minutes lost = 1.42 h.
    assert.equal(k.hoursLostToReturns, 1.42);
    assert.deepEqual([k.acknowledged, k.acknowledgedOnTime], [1, 1]); // T3
    assert.equal(k.extensions, 1); // T3
    assert.equal(k.closed, 0);
    assert.equal(k.onTimeRate, null);
    assert.equal(k.satisfactionRate, null);
    assert.equal(k.returnVisitRate, null);
  });

  it('time lost to a justified return is counted in working hours when given the calendar', () => {
    // T9: dispatched to 文家街道 Friday 27 Nov 17:00, returned, re-dispatched Monday 30 Nov 09:00 (outside the
    // week) — take a two-week period: wall clock 64 h; working time 0.5 h Friday + 0.5 h Monday = 1 h.
    const t9 = ticket(9, { status: 'dispatched', leadUnit: 'cgj', firstUnit: 'wenjia', acceptedAt: bj('2026-11-27 16:50') });
    const e9 = [
      ev(9, '2026-11-27 17:00', 'dispatch', 'dispatched', center, { leadUnit: 'wenjia', coUnits: [] }),
      ev(9, '2026-11-27 17:20', 'return', 'returned', unit('wenjia'), { unit: 'wenjia' }),
      ev(9, '2026-11-30 09:00', 'redispatch', 'dispatched', center, { leadUnit: 'cgj', coUnits: [], previousUnit: 'wenjia' }),
    ];
    const fortnight = { from: bj('2026-11-23 00:00'), to: bj('2026-12-07 00:00') };
    const wall = computeKpis([t9], e9, fortnight);
    assert.equal(wall.units.find((u) => u.unit === 'wenjia')!.hoursLostToReturns, 64);
    const cal = defaultClockPolicy().calendar;
    const working = computeKpis([t9], e9, fortnight, { workingTime: (a, b) => cal.workingTimeBetween(a, b) });
    assert.equal(working.units.find((u) => u.unit === 'wenjia')!.hoursLostToReturns, 1);
    assert.equal(working.city.hoursLostToReturns, 1);
  });

  it('a resolved-at-intake consult counts for the city and for no unit', () => {
    assert.deepEqual(report.units.map((u) => u.unit), ['cgj', 'shengcheng', 'zjj']);
  });

  it('units asked for but silent in the period get a row of zeros', () => {
    const r = computeKpis(tickets, events, week, { units: ['slj'] });
    const k = r.units.find((u) => u.unit === 'slj')!;
    assert.equal(k.received, 0);
    assert.equal(k.onTimeRate, null);
  });

  it('the ranking: 40 % on-time closure, 40 % satisfaction, 10 % on-time acknowledgement, 10 % return accuracy', () => {
    const ranking = rankUnits(report.units);
    // cgj: 100 × (0.4 × 1 + 0.4 × 0.5 + 0.1 × 1 + 0.1 × (1 − 0/2)) ÷ 1.0 = 80.
    // zjj: 100 × (0.4 × 0 + 0.4 × 0.5 + 0.1 × 0 + 0.1 × (1 − 0/1)) ÷ 1.0 = 30.
    // shengcheng closed nothing and reached no citizen: not ranked.
    assert.deepEqual(
      ranking.map((r) => [r.rank, r.unit, r.score]),
      [
        [1, 'cgj', 80],
        [2, 'zjj', 30],
      ],
    );
  });

  it('a unit with no return visit reached is ranked on the rates it has', () => {
    const k: Kpis = { ...row('cgj'), unit: 'x', satisfied: 0, basicallySatisfied: 0, unsatisfied: 0, satisfactionRate: null };
    // 100 × (0.4 × 1 + 0.1 × 1 + 0.1 × 1) ÷ 0.6 = 100.
    assert.deepEqual(rankUnits([k]).map((r) => r.score), [100]);
  });

  it('equal scores share a rank', () => {
    const a: Kpis = { ...row('cgj'), unit: 'a' };
    const b: Kpis = { ...row('cgj'), unit: 'b' };
    const z: Kpis = row('zjj');
    assert.deepEqual(rankUnits([z, b, a]).map((r) => [r.rank, r.unit]), [[1, 'a'], [1, 'b'], [3, 'zjj']]);
  });

  it('a period that ends before it starts is refused', () => {
    assert.throws(() => computeKpis(tickets, events, { from: week.to, to: week.from }), InvalidInput);
    assert.throws(() => computeKpis(tickets, events, { from: 'last week', to: week.to }), /开始时间无效/);
  });

  it('negative ranking weights are refused', () => {
    assert.throws(() => rankUnits(report.units, { onTimeRate: -1, satisfactionRate: 1, ackOnTimeRate: 0, returnAccuracy: 0 }), /onTimeRate/);
  });
});
