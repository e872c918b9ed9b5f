// The event mapper fed with the recorded Asterisk 22 sessions, parsed by asterisk-manager
// itself (the real field names and framing, chunk boundaries as recorded).
import AsteriskManager from 'asterisk-manager';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AmiMessage, field } from '../../ivr/asterisk/ami';
import { AsteriskEventMapper, Mapped, originateOutcome } from '../../ivr/asterisk/events';

const TRACES = path.resolve(__dirname, '../../../shared/ami-traces');

/** Everything Asterisk sent in one recorded connection, as asterisk-manager emits it. */
async function recordedEvents(rel: string): Promise<AmiMessage[]> {
  const lines = fs.readFileSync(path.join(TRACES, rel), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { dir: string; data: string });
  const server = net.createServer((s) => {
    for (const l of lines) if (l.dir === 's2c') s.write(l.data);
    s.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const m = AsteriskManager();
  const got: AmiMessage[] = [];
  m.on('managerevent', (e: AmiMessage) => got.push(e));
  await new Promise<void>((resolve) => {
    m.on('close', () => setImmediate(resolve));
    m.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  });
  server.close();
  return got;
}

describe('Asterisk event mapper on the recorded sessions', function () {
  before(function () {
    if (!fs.existsSync(TRACES)) {
      console.log(`      (skipped: ${TRACES} is absent, the recorded AMI sessions are needed)`);
      this.skip();
    }
  });

  const at = new Date('2026-11-23T02:00:00Z');
  const mapAll = (events: AmiMessage[], mapper: AsteriskEventMapper): Mapped[] => events.map((e) => mapper.map(e));

  it('queue: the caller is queued, offered to and answered by "Agent Two", then the call ends normally', async () => {
    const mapper = new AsteriskEventMapper(() => at, { inboundContext: 'hotline-inbound', agentOf: (i) => (i === 'Local/agent2@hotline-agents/n' ? '1002' : null) });
    const out = mapAll(await recordedEvents('queue/session.jsonl'), mapper);
    const calls = out.flatMap((m) => m.events).map((e) => ({ ...e, at: undefined }));
    const caller = '1795459069.1';
    assert.deepEqual(calls.map((e) => e.type), ['call_queued', 'call_offered', 'call_answered', 'call_ended']);
    assert.deepEqual(calls[0], { type: 'call_queued', at: undefined, callId: caller, caller: '5557777', queue: 'hotline' });
    assert.equal((calls[1] as { agent: string }).agent, '1002');
    assert.deepEqual(calls[2], { type: 'call_answered', at: undefined, callId: caller, agent: '1002', queueWaitMs: 1000 });
    assert.deepEqual(calls[3], { type: 'call_ended', at: undefined, callId: caller, hangupCause: 'NORMAL_CLEARING' });
    const members = out.map((m) => m.member).filter((m) => m !== null);
    assert.deepEqual(members.map((m) => m.kind), ['added', 'added', 'pause', 'connect', 'status', 'complete', 'status', 'pause', 'removed', 'removed']);
    assert.deepEqual(members.find((m) => m.kind === 'pause'), { kind: 'pause', iface: 'Local/agent1@hotline-agents/n', status: 1, paused: true, callId: null });
  });

  it('originate-survey-dtmf: the survey IVR\'s UserEvent gives the keyed digit, the keypress is a dtmf event', async () => {
    const mapper = new AsteriskEventMapper(() => at, { inboundContext: 'hotline-inbound', agentOf: () => null });
    mapper.track('1795459037.1', '5551234');
    const out = mapAll(await recordedEvents('originate-survey-dtmf/session.jsonl'), mapper);
    const survey = out.map((m) => m.survey).filter((s) => s !== null);
    assert.deepEqual(survey, [{ kind: 'result', callId: '1795459037.1', ticketId: null, attempt: null, digit: '4', path: null }]);
    const types = out.flatMap((m) => m.events).map((e) => e.type);
    assert.deepEqual(types, ['dtmf', 'call_ended']);
  });

  it('sip-inbound-call: a call into the hotline context starts and ends as a hotline call', async () => {
    const mapper = new AsteriskEventMapper(() => at, { inboundContext: 'hotline-sip', agentOf: () => null });
    const out = mapAll(await recordedEvents('sip-inbound-call/session.jsonl'), mapper).flatMap((m) => m.events);
    assert.deepEqual(out.map((e) => e.type), ['call_started', 'dtmf', 'call_ended']);
    const started = out[0] as Extract<typeof out[0], { type: 'call_started' }>;
    assert.deepEqual([started.caller, started.callee, started.purpose], ['5553000', '100', 'hotline']);
  });

  it('originate-failures: every OriginateResponse Reason maps to the survey outcome', async () => {
    const events = await recordedEvents('originate-failures/session.jsonl');
    const got = events.filter((e) => field(e, 'event') === 'OriginateResponse').map((e) => [field(e, 'actionid'), originateOutcome(field(e, 'reason'))]);
    assert.deepEqual(got, [['orig-busy', 'busy'], ['orig-congestion', 'unreachable'], ['orig-noanswer', 'no_answer'], ['orig-nosuchexten', 'unreachable']]);
  });

  it('restart-reconnect: Shutdown is recognised', async () => {
    const mapper = new AsteriskEventMapper(() => at, { inboundContext: 'x', agentOf: () => null });
    assert.ok(mapAll(await recordedEvents('restart-reconnect/before-restart.jsonl'), mapper).some((m) => m.shutdown));
  });
});
