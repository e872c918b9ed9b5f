// The return-visit survey over AMI: an async Originate into the survey dialplan with the
// ticket in channel variables; the placement's fate from OriginateResponse (Reason), the
// answer from the dialplan's UserEvent SurveyResult.
import assert from 'node:assert/strict';
import { header, headers } from '../ami/frames';
import { DialOutcome } from '../ami/server';
import { Harness, startHarness, until } from './harness';

/** The survey Originates (not the prompt check's, which the adapter places at every connect). */
const surveyOriginates = (h: Harness) => h.ast.actions.filter((a) => header(a, 'Action') === 'Originate' && !/hotline-prompt-check/.test(header(a, 'Channel') ?? ''));

const REQ = { ticketId: 42, ticketNumber: '202611230042', phone: '13912345678', attempt: 2 };

describe('Asterisk adapter: the return-visit survey over Originate', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  async function withDial(outcome: DialOutcome): Promise<Harness> {
    h = await startHarness({ server: { dial: () => outcome } });
    return h;
  }

  it('places an async Originate into the survey context with the ticket in channel variables', async () => {
    h = await withDial({ kind: 'answer' });
    const placed = await h.tel.placeSurveyCall(REQ);
    assert.equal(placed.accepted, true);
    const o = surveyOriginates(h)[0];
    assert.equal(header(o, 'Async'), 'true');
    assert.equal(header(o, 'Channel'), 'PJSIP/13912345678@carrier');
    assert.equal(header(o, 'Context'), 'hotline-survey');
    assert.equal(header(o, 'Channelid'), placed.callId);
    const vars = headers(o, 'Variable');
    assert.ok(vars.includes('RETURN_VISIT_TICKET_ID=42'));
    assert.ok(vars.includes('RETURN_VISIT_ATTEMPT=2'));
    assert.ok(vars.includes('RETURN_VISIT_TICKET_NUMBER=202611230042'));
    const started = await h.waitFor('call_started');
    assert.equal(started.purpose, 'survey');
    assert.equal(started.ticketId, 42);
    // The callee answered (OriginateResponse Success): the call row gets its answer time.
    const answered = await h.waitFor('call_answered', (e) => e.callId === placed.callId);
    assert.deepEqual([answered.agent, answered.queueWaitMs], ['', null]);
  });

  for (const [digit, outcome] of [['1', 'satisfied'], ['2', 'basically_satisfied'], ['3', 'unsatisfied']] as const) {
    it(`a callee who keys ${digit} is stored as "${outcome}" the moment the digit arrives`, async () => {
      h = await withDial({ kind: 'answer' });
      const placed = await h.tel.placeSurveyCall(REQ);
      h.ast.surveyDigit(placed.callId!, digit);
      const r = await h.waitFor('survey_result');
      assert.deepEqual({ t: r.ticketId, a: r.attempt, o: r.outcome, d: r.digit, c: r.callId }, { t: 42, a: 2, o: outcome, d: digit, c: placed.callId });
      assert.equal(h.services.answers[0].outcome, outcome);
      h.ast.hangup(placed.callId!);
      await h.waitFor('call_ended', (e) => e.callId === placed.callId);
      assert.equal(h.services.answers.length, 1, 'the hang-up after the answer does not store a second outcome');
    });
  }

  it('a survey answer is taken once per placed call, for the ticket it was placed for, whatever the channel says later (issue 13 item 4)', async () => {
    h = await withDial({ kind: 'answer' });
    const placed = await h.tel.placeSurveyCall(REQ);
    h.ast.surveyDigit(placed.callId!, '3');
    await h.waitFor('survey_result');
    // A second result on the same call (a replayed UserEvent, a forged variable naming another ticket).
    h.ast.byUniqueid(placed.callId!)!.vars.RETURN_VISIT_TICKET_ID = '99';
    h.ast.surveyDigit(placed.callId!, '1');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(h.services.answers.map((a) => [a.ticketId, a.outcome]), [[42, 'unsatisfied']]);
  });

  it('an unsatisfied callee\'s recorded reason is attached to the same answer', async () => {
    h = await withDial({ kind: 'answer' });
    const placed = await h.tel.placeSurveyCall(REQ);
    h.ast.surveyDigit(placed.callId!, '3');
    await h.waitFor('survey_result');
    h.ast.surveyReason(placed.callId!, `/var/spool/asterisk/monitor/hotline/survey_reason_${placed.callId}.wav`);
    await until(() => h!.services.answers.length === 2, 2000, 'the reason stored');
    assert.equal(h.services.answers[1].reasonRecordingPath, `/var/spool/asterisk/monitor/hotline/survey_reason_${placed.callId}.wav`);
    assert.equal(h.services.answers[1].outcome, 'unsatisfied');
    await h.waitFor('recording_started', (e) => e.kind === 'survey_reason');
  });

  it('no key within the tries is "no_input"', async () => {
    h = await withDial({ kind: 'answer' });
    const placed = await h.tel.placeSurveyCall(REQ);
    h.ast.surveyDigit(placed.callId!, null);
    const r = await h.waitFor('survey_result');
    assert.equal(r.outcome, 'no_input');
    assert.equal(r.digit, null);
  });

  it('a callee who hangs up before keying is "hung_up"', async () => {
    h = await withDial({ kind: 'answer' });
    const placed = await h.tel.placeSurveyCall(REQ);
    h.ast.hangup(placed.callId!);
    const r = await h.waitFor('survey_result');
    assert.equal(r.outcome, 'hung_up');
    assert.equal(h.services.answers[0].outcome, 'hung_up');
  });

  for (const [kind, outcome, cause] of [
    ['busy', 'busy', 'USER_BUSY'],
    ['no_answer', 'no_answer', 'NO_ANSWER'],
    ['congestion', 'unreachable', 'NORMAL_CIRCUIT_CONGESTION'],
    ['no_such_extension', 'unreachable', 'NONE'],
  ] as const) {
    it(`OriginateResponse Failure for a ${kind} callee is "${outcome}", and the call ends once`, async () => {
      h = await withDial({ kind, afterMs: 20 });
      const placed = await h.tel.placeSurveyCall(REQ);
      assert.equal(placed.accepted, false);
      assert.equal(placed.outcome, outcome);
      assert.match(placed.detail, /OriginateResponse Failure Reason \d/);
      const ended = await h.waitFor('call_ended', (e) => e.callId === placed.callId);
      assert.equal(ended.hangupCause, cause);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.events.filter((e) => e.type === 'call_ended').length, 1);
      assert.equal(h.services.answers.length, 0, 'the dialer, not the adapter, records a failed placement');
      assert.ok(!h.events.some((e) => e.type === 'call_answered'), 'a call never answered has no answer time');
    });
  }

  it('a bad phone number is refused before anything reaches the switch', async () => {
    h = await withDial({ kind: 'answer' });
    await assert.rejects(h.tel.placeSurveyCall({ ...REQ, phone: '139;Hangup' }), /电话号码不合法/);
    assert.equal(surveyOriginates(h).length, 0);
  });

  for (const [cause, outcome] of [[17, 'busy'], [21, 'rejected'], [19, 'no_answer']] as const) {
    it(`a SIP callee that refuses with cause ${cause} (OriginateResponse says only Reason 0): "${outcome}" from the leg's Hangup`, async () => {
      h = await withDial({ kind: 'sip_refused', cause });
      const placed = await h.tel.placeSurveyCall(REQ);
      assert.deepEqual([placed.accepted, placed.outcome], [false, outcome]);
      assert.match(placed.detail, /Reason 0, leg hung up/);
    });
  }
});
