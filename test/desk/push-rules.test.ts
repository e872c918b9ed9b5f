// Who receives which push: the rules of agent-desk/push.ts over plain data.
import assert from 'node:assert/strict';
import { pushFor, Recipient } from '../../agent-desk/push';
import { Ticket } from '../../workflow/types';

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  id: 7, number: '202611230007', channel: 'hotline', kind: 'complaint', status: 'dispatched', title: null, content: '楼下的路灯坏了一个星期了',
  citizenName: '王先生', citizenPhone: '13800001234', anonymous: false, noCallback: false, address: '圣城街道农圣街', town: 'shengcheng', lat: null, lng: null,
  eventType: 'CX-0101', urgency: 'general', leadUnit: 'cgj', coUnits: ['shengcheng'], firstUnit: 'cgj', returnOverruled: false, handlingRound: 1, escalationLevel: 0,
  satisfaction: null, acceptedAt: '2026-11-23T01:00:00.000Z', dispatchedAt: '2026-11-23T01:00:00.000Z', acknowledgedAt: null, ackDueAt: null, feedbackDueAt: null,
  feedbackAt: null, dueAt: null, repliedAt: null, closedAt: null, extensionPending: null, callId: null, createdBy: 1, updatedAt: '2026-11-23T01:00:00.000Z', mergedInto: null, ...over,
});
const who = (role: Recipient['role'], unit: string, extension: string | null = null): Recipient => ({ id: 1, role, unit, extension });
const offered = { type: 'call_offered' as const, at: '2026-11-23T01:00:00.000Z', callId: 'c1', caller: '13800001234', agent: '1001', queue: 'hotline', queueWaitMs: 3000 };

describe('desk pushes: who receives what', () => {
  it('a unit never receives a ticket it neither leads nor co-handles', () => {
    assert.equal(pushFor(who('unit_handler', 'zjj'), { type: 'ticket', ticket: ticket(), events: [] }), null);
  });

  it('the lead unit and a co-handling unit receive the ticket, with the citizen phone masked', () => {
    for (const unit of ['cgj', 'shengcheng']) {
      const m = pushFor(who('unit_handler', unit), { type: 'ticket', ticket: ticket(), events: [] });
      assert.ok(m && m.type === 'ticket');
      assert.equal(m.ticket.citizenPhone, '138****1234');
    }
  });

  it("the reporter of a 举报 never reaches the unit, not even in a push", () => {
    const m = pushFor(who('unit_handler', 'cgj'), { type: 'ticket', ticket: ticket({ kind: 'report' }), events: [] });
    assert.ok(m && m.type === 'ticket');
    assert.equal(m.ticket.citizenName, null);
    assert.equal(m.ticket.citizenPhone, null);
  });

  it('operators and supervisors receive every ticket in full', () => {
    for (const role of ['operator', 'supervisor'] as const) {
      const m = pushFor(who(role, 'center', '1001'), { type: 'ticket', ticket: ticket(), events: [] });
      assert.ok(m && m.type === 'ticket');
      assert.equal(m.ticket.citizenPhone, '13800001234');
    }
  });

  it('a call offered to one operator pops on that operator only; supervisors see every call; units none', () => {
    const m = { type: 'call' as const, call: offered };
    assert.ok(pushFor(who('operator', 'center', '1001'), m));
    assert.equal(pushFor(who('operator', 'center', '1002'), m), null);
    assert.ok(pushFor(who('supervisor', 'center'), m));
    assert.equal(pushFor(who('unit_handler', 'cgj'), m), null);
  });

  it('the end of a call reaches the operator it was offered to (the event names no agent)', () => {
    const ended = { type: 'call' as const, call: { type: 'call_ended' as const, at: offered.at, callId: 'c1', hangupCause: 'NORMAL_CLEARING' } };
    assert.ok(pushFor(who('operator', 'center', '1001'), ended, new Set(['c1'])));
    assert.equal(pushFor(who('operator', 'center', '1002'), ended, new Set()), null);
  });

  it("a call's transcript reaches the operator who took it, even after the call ended, and supervisors; not other operators or units", () => {
    const m = { type: 'transcript' as const, transcript: { recordingId: 3, callId: 'c1', ticketId: null, text: '路灯坏了', callerText: '路灯坏了', provider: 'test', suggestion: null } };
    assert.ok(pushFor(who('operator', 'center', '1001'), m, new Set(['c1'])));
    assert.equal(pushFor(who('operator', 'center', '1002'), m, new Set(['c9'])), null);
    assert.ok(pushFor(who('supervisor', 'center'), m));
    assert.equal(pushFor(who('unit_handler', 'cgj'), m, new Set(['c1'])), null);
  });

  it('emergency-word alerts go to operators and supervisors, not to units', () => {
    const m = { type: 'alert' as const, alert: { kind: 'emergency_word' as const, keyword: '着火', ticketId: null, callId: 'c1', at: offered.at } };
    assert.ok(pushFor(who('operator', 'center', '1001'), m));
    assert.ok(pushFor(who('supervisor', 'center'), m));
    assert.equal(pushFor(who('unit_handler', 'cgj'), m), null);
  });
});
