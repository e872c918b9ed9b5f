// FreeSWITCH writes events only between commands: an event can reach the app after the
// reply to a later command, and the linger notice before the last events. The flows must
// not care. Here the test switch delivers every event late while its replies go out at once.
import assert from 'node:assert/strict';
import { Harness, startHarness, until } from './harness';

describe('events that arrive after later replies', () => {
  let h: Harness;
  afterEach(async () => { await h?.close(); });

  it('a message is still recorded and becomes a draft ticket', async () => {
    h = await startHarness({ server: { eventLagMs: 15 } });
    const call = h.fs.placeCall({ caller: '0305550123', app: h.app, script: { inputs: ['2'] } });
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    assert.equal(h.services.drafts.length, 1);
    assert.equal(h.services.drafts[0].callId, call.uuid);
  });

  it('a survey answer is still stored once, with the right digit', async () => {
    h = await startHarness({ server: { eventLagMs: 15, callees: { '0301234567': { kind: 'answer', caller: { inputs: ['2'] } } } } });
    const placed = await h.tel.placeSurveyCall({ ticketId: 3, ticketNumber: '202611230003', phone: '0301234567', attempt: 1 });
    await h.waitFor('call_ended', (e) => e.callId === placed.callId);
    assert.deepEqual(h.services.answers.map((a) => [a.outcome, a.digit]), [['basically_satisfied', '2']]);
  });

  it('a queued call is still offered, answered and ended, and the operator ends in wrap-up', async () => {
    h = await startHarness({ server: { eventLagMs: 15 } });
    await h.tel.setAgentState('1002', { state: 'ready' });
    const call = h.fs.placeCall({ caller: '0309990001', app: h.app, script: { talkMs: 30 } });
    await h.waitFor('call_offered', (e) => e.callId === call.uuid);
    await h.waitFor('call_answered', (e) => e.callId === call.uuid);
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    await until(() => h.tel.getAgentState('1002').state === 'wrap_up', 2000, 'wrap-up');
  });
});
