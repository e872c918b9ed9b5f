// Faults: FreeSWITCH restarts, a lost connection, an app restart mid-call, garbage on the wire.
import assert from 'node:assert/strict';
import { EslInbound } from '../../ivr/freeswitch/inbound';
import { EslTestServer } from '../esl/server';
import { ESL_PASSWORD, Harness, logs, startHarness, until } from './harness';

describe('telephony faults', () => {
  let h: Harness;
  let second: EslTestServer | null = null;
  afterEach(async () => {
    await h?.close();
    await second?.close();
    second = null;
  });

  it('a FreeSWITCH restart shows telephony down, then up again with the subscription sent anew', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0309990001', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === call.uuid);
    const port = h.fs.port;
    await h.fs.shutdown();
    const down = await h.waitFor('telephony_down');
    assert.equal(h.tel.status().connected, false);
    assert.match(down.reason, /关闭|shut down|closed/);
    const ended = await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    assert.equal(ended.hangupCause, 'SYSTEM_SHUTDOWN');

    second = new EslTestServer({ password: ESL_PASSWORD });
    await second.listen(port);
    await until(() => h.tel.status().connected, 5000, 'reconnect');
    assert.equal(h.events.filter((e) => e.type === 'telephony_up').length, 2);
    assert.ok(second.commandLog.some((l) => l.startsWith('event json') && l.endsWith('CUSTOM callcenter::info sofia::register sofia::unregister sofia::expire')));
    const fresh = second;
    await until(() => fresh.commandLog.includes('api show channels as json'), 2000, 'live calls reconciled after the reconnect');
  });

  it('a call that ended while the connection was lost is closed by reconciliation', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0309990001', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === call.uuid);
    const port = h.fs.port;
    h.fs.vanish(call);
    await h.fs.close(); // the switch crashed: no SHUTDOWN, no hang-up events
    await h.waitFor('telephony_down');
    second = new EslTestServer({ password: ESL_PASSWORD });
    await second.listen(port);
    const ended = await h.waitFor('call_ended', (e) => e.callId === call.uuid, 5000);
    assert.equal(ended.hangupCause, 'LOST_WHILE_DISCONNECTED');
  });

  it('a call the switch kept while the app was down is adopted, and its end is recorded', async () => {
    h = await startHarness();
    // The dialplan fallback queued this caller while the app was away: the app never saw it start.
    const kept = h.fs.placeDialplanCall({ caller: '0301112233', destination: '12345', apps: [['answer', ''], ['echo', '']] });
    await h.tel.reconcile();
    kept.hangup('NORMAL_CLEARING');
    const ended = await h.waitFor('call_ended', (e) => e.callId === kept.uuid);
    assert.equal(ended.hangupCause, 'NORMAL_CLEARING');
  });

  it('malformed frames are logged and skipped, and later events still arrive', async () => {
    h = await startHarness();
    logs.length = 0;
    h.fs.injectRaw('Content-Length: 12\nContent-Type: text/event-json\n\n{not json!!}');
    h.fs.injectRaw('Content-Length: 31\nContent-Type: text/event-plain\n\nEvent-Name: %ZZbroken%\nA: %E0\n\n');
    h.fs.injectRaw('Content-Type: something/unexpected\n\n');
    const call = h.fs.placeCall({ caller: '0309990003', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === call.uuid);
    assert.ok(logs.some((l) => /malformed|Unexpected token|JSON/i.test(l)), logs.join('\n'));
    assert.equal(h.tel.status().connected, true);
  });

  it('a switch that goes silent (no HEARTBEAT, half-open TCP) is dropped and reconnected; heartbeats keep it up', async () => {
    h = await startHarness({ adapter: { silenceMs: 300 } });
    const beat = setInterval(() => h.fs.heartbeat(), 100);
    await new Promise((r) => setTimeout(r, 700));
    clearInterval(beat);
    assert.equal(h.events.filter((e) => e.type === 'telephony_down').length, 0, 'heartbeats keep the connection');
    const down = await h.waitFor('telephony_down', () => true, 2000);
    assert.equal(down.reason, 'silence');
    await until(() => h.events.filter((e) => e.type === 'telephony_up').length === 2, 3000, 'reconnected');
  });

  it('a command with a line break (forged headers) is refused before it reaches the switch', async () => {
    h = await startHarness();
    const probe = new EslInbound({ host: '127.0.0.1', port: h.fs.port, password: ESL_PASSWORD });
    probe.start();
    await new Promise<void>((r) => probe.once('up', () => r()));
    try {
      const before = h.fs.commandLog.length;
      await assert.rejects(probe.api('status\n\nsendmsg x'), /换行/);
      assert.equal(h.fs.commandLog.length, before);
      assert.match(await probe.api('status'), /^UP /);
    } finally {
      probe.stop();
    }
  });
});
