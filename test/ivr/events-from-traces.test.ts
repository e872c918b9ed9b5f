// The event mapper fed with the events real FreeSWITCH 1.10.12 sent (../shared/esl-traces):
// queue calls answered, answered and hung up by the agent, abandoned; phones that register,
// unregister and expire.
import assert from 'node:assert/strict';
import { FreeSwitchEventMapper, MappedEvents } from '../../ivr/freeswitch/events';
import { CallEvent } from '../../ivr/telephony';
import { decodeEvent } from '../esl/frames';
import { readTrace, tracesAvailable } from '../esl/traces';

/** `trackCreated`: calls the app learns of when they start (the IVR socket does that in the adapter). */
function feed(file: string, trackCreated = false): { events: CallEvent[]; mapped: MappedEvents[] } {
  const trace = readTrace(file);
  let clock = 0;
  const mapper = new FreeSwitchEventMapper(() => new Date(Date.UTC(2026, 10, 23) + clock));
  const out: CallEvent[] = [];
  const mapped: MappedEvents[] = [];
  for (const f of trace.serverFrames) {
    if (!f.headers['Content-Type']?.startsWith('text/event-')) continue;
    const h = decodeEvent(f);
    if (!h) continue;
    // the recorded time of the event (microseconds), so queue waits are the real ones
    if (h['Event-Date-Timestamp']) clock = Math.round(Number(h['Event-Date-Timestamp']) / 1000) - Date.UTC(2026, 10, 23);
    if (trackCreated && h['Event-Name'] === 'CHANNEL_CREATE') mapper.tracked.add(h['Unique-ID']);
    const m = mapper.map(h);
    mapped.push(m);
    out.push(...m.events);
  }
  return { events: out, mapped };
}

describe('FreeSWITCH events as recorded, turned into call events', function () {
  before(function () {
    if (!tracesAvailable()) {
      console.log('    (skipped: ../shared/esl-traces is not present)');
      this.skip();
    }
  });

  it('three queue callers: answered by agent1, answered by agent2, abandoned after about 5 s', () => {
    const { events } = feed('callcenter-queue/01-inbound-callcenter.jsonl');
    const queued = events.filter((e) => e.type === 'call_queued');
    assert.equal(queued.length, 3);
    const offered = events.filter((e): e is Extract<CallEvent, { type: 'call_offered' }> => e.type === 'call_offered');
    assert.deepEqual(offered.map((e) => [e.caller, e.agent]), [['0309990001', 'agent1'], ['0309990002', 'agent2']]);
    const answered = events.filter((e): e is Extract<CallEvent, { type: 'call_answered' }> => e.type === 'call_answered');
    assert.deepEqual(answered.map((e) => e.agent), ['agent1', 'agent2']);
    assert.ok(answered.every((e) => e.queueWaitMs !== null && e.queueWaitMs >= 0 && e.queueWaitMs < 2000));
    const abandoned = events.filter((e): e is Extract<CallEvent, { type: 'call_abandoned' }> => e.type === 'call_abandoned');
    assert.equal(abandoned.length, 1);
    assert.equal(abandoned[0].caller, '0309990001');
    assert.equal(abandoned[0].callId, queued[2].callId);
    assert.ok(abandoned[0].queueWaitMs > 3000 && abandoned[0].queueWaitMs < 8000, `waited ${abandoned[0].queueWaitMs} ms`);
    // every queued caller's call ends, with its cause
    const ended = events.filter((e) => e.type === 'call_ended').map((e) => e.callId);
    for (const q of queued) assert.ok(ended.includes(q.callId), `call ${q.callId} ended`);
  });

  it('phones: register, unregister (Expires: 0) and expire are told apart by the right header', () => {
    const { mapped } = feed('agent-phones/01-inbound-agent-phones.jsonl');
    const phones = mapped.flatMap((m) => m.phones).map((p) => `${p.extension}:${p.registered ? 'up' : 'down'}`);
    assert.ok(phones.includes('1001:up'));
    assert.ok(phones.includes('1001:down'), 'unregister of 1001');
    assert.ok(phones.includes('1002:down'), 'expire of 1002 (header "user")');
    assert.ok(!phones.some((p) => p.startsWith('undefined') || p.startsWith(':')));
  });

  it('a FreeSWITCH shutdown is seen from its SHUTDOWN event, before the hang-ups with SYSTEM_SHUTDOWN', () => {
    const { mapped } = feed('reconnect/01-inbound-until-shutdown.jsonl', true);
    const at = mapped.findIndex((m) => m.shutdown);
    assert.ok(at >= 0);
    const endings = mapped.slice(at + 1).flatMap((m) => m.events).filter((e) => e.type === 'call_ended');
    assert.deepEqual(endings.map((e) => (e as Extract<CallEvent, { type: 'call_ended' }>).hangupCause), ['SYSTEM_SHUTDOWN']);
  });
});
