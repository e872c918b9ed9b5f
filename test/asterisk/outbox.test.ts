// What the dialplan does on its own while the app is away — a survey answer, a message taken
// by the fallback, a call the fallback put through to an operator — reaches the app when it
// (re)connects: AstDB hotline_survey / hotline_message entries, and the calls still up.
import assert from 'node:assert/strict';
import { Harness, startHarness, until } from './harness';

const DIR = '/var/spool/asterisk/monitor/hotline';

describe('Asterisk adapter: what the dialplan did while the app was away', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  /** A survey call placed and answered; then the AMI connection drops, and the callee answers and hangs up meanwhile. */
  async function answeredWhileAway(entry: (callId: string) => string): Promise<{ h: Harness; callId: string }> {
    const hh = await startHarness();
    h = hh;
    const placed = await hh.tel.placeSurveyCall({ ticketId: 42, ticketNumber: '202611230042', phone: '13912345678', attempt: 2 });
    assert.equal(placed.accepted, true);
    const callId = placed.callId!;
    hh.ast.dropConnections();
    await hh.waitFor('telephony_down');
    hh.ast.astdb.set(`/hotline_survey/${callId}`, entry(callId));
    hh.ast.hangup(callId);
    return { h: hh, callId };
  }

  it('an answer given while the AMI connection was down is stored from AstDB at reconnect, with its time, not as a hang-up', async () => {
    // 2026-11-23 01:59:00 UTC: the callee keyed 2 a minute before the app heard of it again.
    const { h: hh, callId } = await answeredWhileAway(() => '2|1795399140|');
    await until(() => hh.services.answers.length > 0, 5000, 'the answer');
    const a = hh.services.answers;
    assert.deepEqual(a.map((x) => [x.ticketId, x.attempt, x.outcome, x.digit, x.callId, x.answeredAt]), [[42, 2, 'basically_satisfied', '2', callId, '2026-11-23T01:59:00.000Z']]);
    await until(() => hh.ast.astdb.size === 0, 3000, 'the entry deleted');
    assert.ok(!hh.services.answers.some((x) => x.outcome === 'hung_up'));
  });

  it('"unsatisfied" with its recorded reason is stored from AstDB, the reason with it', async () => {
    const { h: hh } = await answeredWhileAway((id) => `3|1795399140|${DIR}/survey_reason_${id}.wav`);
    await until(() => hh.services.answers.length > 0, 5000, 'the answer and its reason');
    assert.deepEqual(hh.services.answers.map((x) => [x.outcome, x.reasonRecordingPath ?? null]), [['unsatisfied', `${DIR}/survey_reason_${hh.services.answers[0].callId}.wav`]]);
  });

  it('no key at all is "no_input" from AstDB', async () => {
    const { h: hh } = await answeredWhileAway(() => '|1795399140|');
    await until(() => hh.services.answers.length > 0, 5000, 'the answer');
    assert.deepEqual(hh.services.answers.map((x) => [x.outcome, x.digit]), [['no_input', null]]);
  });

  it('the entry of a survey call still up waits: the callee may still give the reason', async () => {
    h = await startHarness();
    const c = h.ast.newChannel({ name: 'PJSIP/carrier-00000007', callerNum: '12345', context: 'hotline-survey', exten: 's', state: 'Up' });
    h.ast.astdb.set(`/hotline_survey/${c.uniqueid}`, '3|1795399140|');
    await h.tel.reconcile();
    assert.equal(h.ast.astdb.size, 1);
    assert.equal(h.services.answers.length, 0);
  });

  it('a message the fallback took becomes a draft ticket at once (live UserEvent), and again at connect from AstDB only once', async () => {
    h = await startHarness();
    const path = `${DIR}/message_1795459300.9.wav`;
    h.ast.astdb.set('/hotline_message/1795459300.9', `1795399140|${path}|13912345678`);
    h.ast.sendRaw(['Event: UserEvent', 'Privilege: user,all', 'Channel: PJSIP/carrier-00000009', 'Uniqueid: 1795459300.9', 'Linkedid: 1795459300.9',
      'UserEvent: HotlineMessage', 'Caller: 13912345678', `Path: ${path}`, '', ''].join('\r\n'));
    const left = await h.waitFor('message_left');
    assert.deepEqual([left.callId, left.caller, left.path], ['1795459300.9', '13912345678', path]);
    assert.deepEqual(h.services.drafts.map((d) => [d.reason, d.callerPhone, d.recordingPath]), [['overflow', '13912345678', path]]);
    await until(() => h!.ast.astdb.size === 0, 2000, 'the entry deleted');
    await h.tel.reconcile();
    assert.equal(h.services.drafts.length, 1);
    assert.ok(h.events.some((e) => e.type === 'recording_started' && e.path === path && e.kind === 'message'));
  });

  it('a message left while the app was down is a draft ticket when it connects', async () => {
    h = await startHarness({ waitUp: false });
    const path = `${DIR}/message_1795459300.10.wav`;
    h.ast.astdb.set('/hotline_message/1795459300.10', `1795399140|${path}|13700001111`);
    await h.tel.reconcile();
    await until(() => h!.services.drafts.length === 1, 3000, 'the draft');
    assert.equal(h.services.drafts[0].receivedAt, '2026-11-23T01:59:00.000Z');
    await until(() => h!.ast.astdb.size === 0, 2000, 'the entry deleted');
  });

  it('a call the fallback put through to an operator while the app was away: its caller, the operator on the call', async () => {
    h = await startHarness({ waitUp: false });
    const caller = h.ast.newChannel({ name: 'PJSIP/carrier-00000011', callerNum: '13600007777', context: 'hotline-fallback', exten: 'answered', state: 'Up' });
    const phone = h.ast.newChannel({ name: 'PJSIP/1001-00000012', callerNum: '1001', context: 'hotline-test-phones', exten: '1001', state: 'Up', linkedid: caller.uniqueid });
    caller.bridgeId = phone.bridgeId = 'b-1';
    await h.tel.reconcile();
    const started = await h.waitFor('call_started', (e) => e.callId === caller.uniqueid);
    assert.deepEqual([started.caller, started.purpose], ['13600007777', 'hotline']);
    const answered = await h.waitFor('call_answered', (e) => e.callId === caller.uniqueid);
    assert.equal(answered.agent, '1001');
    assert.deepEqual(h.tel.getAgentState('1001'), { state: 'on_call', callId: caller.uniqueid });
  });
});
