// The AMI connection of the Asterisk adapter: login, events on with a filter, failed
// login, restart and reconnect with a new login, calls lost while disconnected, a hung
// switch, malformed input.
import assert from 'node:assert/strict';
import { header } from '../ami/frames';
import { AMI_EVENTS } from '../../ivr/asterisk/events';
import { Harness, logs, startHarness, until } from './harness';
import { AgiTestCall } from '../ami/agi-client';

describe('Asterisk adapter: the AMI connection', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('logs in, turns events on with the Events action and filters them to the events it reads', async () => {
    h = await startHarness();
    const login = h.ast.actions.find((a) => header(a, 'Action') === 'login')!;
    assert.equal(header(login, 'Username'), 'hotline');
    // asterisk-manager's own header, which Asterisk ignores: events are switched on afterwards.
    assert.equal(header(login, 'Event'), 'on');
    const events = h.ast.actions.find((a) => header(a, 'Action') === 'Events')!;
    assert.equal(header(events, 'Eventmask'), 'on');
    const filters = h.ast.actions.filter((a) => header(a, 'Action') === 'Filter').map((a) => header(a, 'Filter'));
    assert.deepEqual(filters, AMI_EVENTS.map((e) => `Event: ${e}`));
    assert.deepEqual(h.tel.status().connected, true);
  });

  it('a wrong secret is reported, the switch stays "not connected", and the adapter keeps trying without crashing', async () => {
    h = await startHarness({ secret: 'wrong-secret-123', waitUp: false });
    await until(() => h!.ast.actions.filter((a) => header(a, 'Action') === 'login').length >= 2, 3000, 'a second login attempt');
    assert.equal(h.tel.status().connected, false);
    assert.ok(logs.some((l) => l.includes('refused: Authentication failed')));
    assert.equal(h.events.filter((e) => e.type === 'telephony_up').length, 0);
    await assert.rejects(h.tel.placeSurveyCall({ ticketId: 1, ticketNumber: '202611230001', phone: '13800000000', attempt: 1 }), /未连接/);
  });

  it('after an Asterisk restart (Shutdown) it logs in again by itself and puts the agents back in the queue', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    assert.equal(h.ast.members.length, 1);
    h.ast.restart();
    await h.waitFor('telephony_down');
    assert.equal(h.ast.members.length, 0);
    await until(() => h!.ast.logins === 2 && h!.tel.status().connected, 3000, 'a new login');
    await until(() => h!.ast.members.length === 1, 3000, 'the agent re-added');
    assert.equal(h.ast.members[0].iface, 'PJSIP/1001');
    assert.equal(h.ast.members[0].paused, false);
    assert.equal(h.events.filter((e) => e.type === 'telephony_up').length, 2);
  });

  it('a call that ended while the connection was down is closed after the reconnect (CoreShowChannels)', async () => {
    h = await startHarness();
    const c = h.ast.callerJoins({ caller: '13912345678', queue: 'hotline' });
    await h.waitFor('call_queued');
    const kept = h.ast.callerJoins({ caller: '13700000000', queue: 'hotline' });
    await h.waitFor('call_queued', (e) => e.callId === kept.uniqueid);
    h.ast.dropConnections();
    await h.waitFor('telephony_down');
    h.ast.hangup(c.uniqueid); // nobody hears this Hangup
    const ended = await h.waitFor('call_ended', (e) => e.callId === c.uniqueid);
    assert.equal(ended.hangupCause, 'LOST_WHILE_DISCONNECTED');
    assert.ok(!h.events.some((e) => e.type === 'call_ended' && e.callId === kept.uniqueid), 'a call still alive is not ended');
    assert.ok(h.tel.status().connected);
  });

  it('calls an earlier run of the app left open (the call log\'s open rows) that Asterisk no longer has are closed at connect, once', async () => {
    // The app was killed while a caller waited; the fallback took the message and the caller hung
    // up before the app came back: nobody will ever send that call's Hangup again.
    // The call log's open rows: a row is no longer open once its end was heard.
    const open = async () => (h?.events.some((e) => e.type === 'call_ended' && e.callId === '1795459000.41') ? [] : ['1795459000.41']);
    h = await startHarness({ adapter: { openCalls: open } });
    const ended = await h.waitFor('call_ended', (e) => e.callId === '1795459000.41');
    assert.equal(ended.hangupCause, 'LOST_WHILE_DISCONNECTED');
    await h.tel.reconcile();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.events.filter((e) => e.type === 'call_ended' && e.callId === '1795459000.41').length, 1, 'closed once');
  });

  it('a caller whose Hangup is read before the call\'s AGI session is handled ends once, with Asterisk\'s cause, never later as LOST', async () => {
    h = await startHarness();
    const c = h.ast.callerJoins({ caller: '13912340007', queue: 'hotline' });
    await h.waitFor('call_queued', (e) => e.callId === c.uniqueid);
    h.ast.hangup(c.uniqueid, 16);
    const ended = await h.waitFor('call_ended', (e) => e.callId === c.uniqueid);
    assert.equal(ended.hangupCause, 'NORMAL_CLEARING');
    // AMI and AGI are two connections: the session of the same call reaches the app afterwards.
    const late = new AgiTestCall(h.tel.agiPort, { uniqueid: c.uniqueid, callerid: '13912340007', hangupOn: () => true });
    await late.closed;
    await h.tel.reconcile();
    await new Promise((r) => setTimeout(r, 100));
    const ends = h.events.filter((e) => e.type === 'call_ended' && e.callId === c.uniqueid);
    assert.deepEqual(ends.map((e) => e.type === 'call_ended' && e.hangupCause), ['NORMAL_CLEARING']);
  });

  it('a switch that stops answering is dropped by the Ping watchdog and reconnected', async () => {
    await h?.close();
    h = await startHarness({ adapter: { pingEveryMs: 100, actionTimeoutMs: 200 } });
    h.ast.mute = true;
    await h.waitFor('telephony_down', () => true, 3000);
    h.ast.mute = false;
    await until(() => h!.events.filter((e) => e.type === 'telephony_up').length === 2, 3000, 'up again');
  });

  it('a switch that accepts the connection but never answers the login is retried', async () => {
    h = await startHarness({ waitUp: false, adapter: { actionTimeoutMs: 100 } });
    h.ast.mute = true;
    await h.tel.stop();
    h.ast.actions.splice(0);
    await h.tel.start();
    await until(() => h!.ast.actions.filter((a) => header(a, 'Action') === 'login').length >= 2, 3000, 'a second login attempt');
    assert.equal(h.tel.status().connected, false);
  });

  it('an OriginateResponse lost in a reconnect: a survey leg still up counts as answered, a gone one as unreachable', async () => {
    h = await startHarness({ server: { dial: (r) => ({ kind: 'answer', responseLost: true, afterMs: r.channel.includes('13900000002') ? 5 : 50 }) }, env: { SURVEY_ORIGINATE_TIMEOUT_S: '5' }, adapter: { originateGraceMs: -4700 } });
    const placing = h.tel.placeSurveyCall({ ticketId: 3, ticketNumber: '202611230003', phone: '13900000001', attempt: 1 });
    await until(() => h!.ast.actions.some((a) => header(a, 'Action') === 'Originate' && !/hotline-prompt-check/.test(header(a, 'Channel') ?? '')), 2000, 'the originate');
    h.ast.dropConnections();
    const placed = await placing;
    assert.equal(placed.accepted, true, placed.detail);
    assert.match(placed.detail, /lost/);
    // The second leg is gone by the time the app asks.
    const second = h.tel.placeSurveyCall({ ticketId: 4, ticketNumber: '202611230004', phone: '13900000002', attempt: 1 });
    await until(() => h!.ast.channels.size === 2, 2000, 'the second leg');
    const leg = [...h.ast.channels.values()].find((c) => c.name.includes('13900000002'))!;
    setTimeout(() => h!.ast.hangup(leg.uniqueid, 16), 20);
    const p2 = await second;
    assert.deepEqual([p2.accepted, p2.outcome, p2.detail], [false, 'unreachable', 'no OriginateResponse']);
  });

  it('malformed bytes from the switch are skipped: no crash, the session still answers', async () => {
    h = await startHarness();
    h.ast.sendRaw('garbage without colon\r\nEvent\r\n: \r\n\r\nEvent: Hangup\r\nUniqueid\r\nCause: x: y\r\n\r\n\u0000\u00ff\r\n\r\n');
    h.ast.sendRaw('Event: UserEvent\r\nUserEvent: SurveyResult\r\nUniqueid: nobody\r\nTicketId: abc\r\n\r\n');
    await h.tel.setAgentState('1002', { state: 'ready' });
    assert.equal(h.ast.members.length, 1);
    assert.ok(h.tel.status().connected);
  });
});
