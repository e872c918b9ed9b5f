import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller, reviewedTicket as reviewed } from '../support/hotline';
import type { SurveyCallRequest } from '../../ivr/telephony';

// Monday 2026-11-23 10:00 in Beijing.
const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z');
const HOUR = 3600_000;

describe('return visits: durable tasks, survey calls, retries, manual list', function () {
  let h: TestHotline;
  let op: Caller;
  let cgj: Caller;
  let now = MONDAY_10;
  const placed: SurveyCallRequest[] = [];
  // The dialer of the telephony side: here it only records what it was asked to place.
  const dialer = { enqueue: (req: SurveyCallRequest) => void placed.push(req) };

  before(async () => {
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    cgj = await h.as('cgj');
  });
  after(async () => h.close());

  const reviewedTicket = (extra: Record<string, unknown> = {}) => reviewed(op, cgj, 'cgj', extra);
  const task = async (id: number) => h.db('visit_tasks').where({ ticket_id: id }).first();

  it('without telephony a due visit goes to the manual list, saying why', async () => {
    now = MONDAY_10;
    const id = await reviewedTicket();
    assert.equal((await task(id)).state, 'pending');
    await h.hotline.visits.tick();
    const t = await task(id);
    assert.deepEqual([t.state, t.manual_reason], ['manual', '电话未接入，转人工回访']);
    const list = await op('GET', '/api/return-visits/manual');
    assert.ok(list.body.items.some((i: any) => i.ticketId === id));
  });

  it('a survey answer closes the ticket with the attempt log, stored the moment it arrives', async () => {
    now = MONDAY_10;
    setDialer(dialer);
    const id = await reviewedTicket();
    await h.hotline.visits.tick();
    const req = placed.find((p) => p.ticketId === id)!;
    assert.deepEqual([req.attempt, req.phone], [1, '13812345678']);
    assert.equal((await task(id)).state, 'calling');
    await h.hotline.visits.recordSurveyAnswer({ ticketId: id, attempt: 1, callId: 'survey-1', outcome: 'satisfied', digit: '1', answeredAt: new Date(now).toISOString() });
    const ticket = await h.db('tickets').where({ id }).first();
    assert.deepEqual([ticket.status, ticket.satisfaction], ['closed', 'satisfied']);
    const log = await h.db('return_visits').where({ ticket_id: id });
    assert.deepEqual(log.map((v) => [v.method, v.outcome, v.call_id]), [['auto_call', 'satisfied', 'survey-1']]);
    assert.equal((await task(id)).state, 'done');
  });

  it('busy, then no answer at other times, then the manual list after the third attempt', async () => {
    now = MONDAY_10;
    setDialer(dialer);
    const id = await reviewedTicket();
    for (const [attempt, outcome] of [[1, 'busy'], [2, 'no_answer'], [3, 'no_answer']] as const) {
      await h.hotline.visits.tick();
      assert.equal(placed.filter((p) => p.ticketId === id).length, attempt, `attempt ${attempt} placed`);
      await h.hotline.visits.recordSurveyAnswer({ ticketId: id, attempt, callId: `s-${attempt}`, outcome, digit: null, answeredAt: new Date(now).toISOString() });
      const t = await task(id);
      if (attempt < 3) {
        assert.equal(t.state, 'pending');
        assert.ok(t.next_at > new Date(now).toISOString());
        now = Date.parse(t.next_at);
      } else {
        assert.equal(t.state, 'manual');
      }
    }
    const times = (await h.db('return_visits').where({ ticket_id: id }).orderBy('id')).map((v) => v.attempted_at);
    assert.equal(new Set(times).size, 3, 'three attempts at three different times');
  });

  it('no survey call outside calling hours: a ticket reviewed at 21:00 is called the next morning at 09:00', async () => {
    now = Date.parse('2026-11-23T13:00:00Z'); // 21:00 in Beijing
    setDialer(dialer);
    const id = await reviewedTicket();
    await h.hotline.visits.tick();
    assert.equal(placed.filter((p) => p.ticketId === id).length, 0);
    assert.equal((await task(id)).next_at, '2026-11-24T01:00:00.000Z');
  });

  it('unsatisfied goes to the leaders’ daily review list', async () => {
    now = MONDAY_10;
    setDialer(dialer);
    const id = await reviewedTicket();
    await h.hotline.visits.tick();
    await h.hotline.visits.recordSurveyAnswer({ ticketId: id, attempt: 1, callId: 'u-1', outcome: 'unsatisfied', digit: '3', answeredAt: new Date(now).toISOString() });
    assert.equal((await h.db('tickets').where({ id }).first()).status, 'under_review');
  });

  it('a call whose outcome never came counts as an unanswered attempt and is tried again', async () => {
    now = MONDAY_10;
    setDialer(dialer);
    const id = await reviewedTicket();
    await h.hotline.visits.tick();
    now = MONDAY_10 + 1 * HOUR; // past the 15-minute lease, no result (the call was lost with a restart)
    await h.hotline.visits.tick();
    const t = await task(id);
    assert.equal(t.state, 'pending');
    assert.deepEqual((await h.db('return_visits').where({ ticket_id: id })).map((v) => v.outcome), ['unreachable']);
  });

  it('an anonymous report is never called; an operator records the manual visit', async () => {
    now = MONDAY_10;
    setDialer(dialer);
    const id = await reviewedTicket({ kind: 'report', anonymous: true, citizenPhone: undefined });
    const t = await task(id);
    assert.deepEqual([t.state, t.manual_reason], ['manual', '匿名举报，不电话回访']);
    await h.hotline.visits.tick();
    assert.equal(placed.filter((p) => p.ticketId === id).length, 0);
    const r = await op('POST', `/api/return-visits/${id}`, { outcome: 'unreachable', reason: '匿名，无法联系' });
    assert.equal(r.status, 200);
    assert.equal(r.body.ticket.status, 'closed');
    assert.deepEqual((await h.db('return_visits').where({ ticket_id: id })).map((v) => v.method), ['manual_call']);
  });

  function setDialer(d: typeof dialer) {
    h.hotline.setDialer(d);
  }
});

describe('return visits: the reason of an unsatisfied citizen', function () {
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline({ now: () => new Date(MONDAY_10), env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  after(async () => h.close());

  it('arrives a second time with the recording: one row for the attempt, with the recording noted', async () => {
    const op = await h.as('op01');
    const cgj = await h.as('cgj');
    const id = await reviewed(op, cgj, 'cgj', { content: '噪音扰民' });
    h.hotline.setDialer({ enqueue: () => undefined });
    await h.hotline.visits.tick();
    const answer = { ticketId: id, attempt: 1, callId: 'r-1', outcome: 'unsatisfied' as const, digit: '3', answeredAt: new Date(MONDAY_10).toISOString() };
    await h.hotline.visits.recordSurveyAnswer(answer);
    await h.hotline.visits.recordSurveyAnswer({ ...answer, reasonRecordingPath: '/rec/r-1-reason.wav' });
    const rows = await h.db('return_visits').where({ ticket_id: id });
    assert.equal(rows.length, 1);
    assert.match(rows[0].reason, /r-1-reason\.wav/);
    assert.equal((await h.db('tickets').where({ id }).first()).status, 'under_review');
  });
});

describe('return visits while the switch is down', function () {
  it('wait, without using up attempts', async () => {
    const h = await startTestHotline({ now: () => new Date(MONDAY_10), env: { SCHEDULER_INTERVAL_MS: '0' } });
    try {
      const op = await h.as('op01');
      const { body } = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'consult', content: '咨询公积金提取', citizenPhone: '13812345678', resolveAtIntake: { answer: '已告知材料' } });
      const placed: number[] = [];
      h.hotline.setDialer({ enqueue: (r) => void placed.push(r.ticketId), ready: () => false });
      await h.hotline.visits.tick();
      const t = await h.db('visit_tasks').where({ ticket_id: body.ticket.id }).first();
      assert.deepEqual([t.state, t.attempts, placed.length], ['pending', 0, 0]);
    } finally {
      await h.close();
    }
  });
});
