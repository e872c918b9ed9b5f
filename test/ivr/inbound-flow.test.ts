// The hotline call flow, end to end: the app's IVR listener against the ESL test server.
import assert from 'node:assert/strict';
import { AFTER_HOURS, Harness, startHarness, until } from './harness';

describe('hotline call flow over the outbound socket', () => {
  let h: Harness;
  afterEach(async () => { await h?.close(); });

  it('records the whole call from the start and says so in the greeting', async () => {
    h = await startHarness({ server: { queueMaxWaitMs: 50 } });
    const call = h.fs.placeCall({ caller: '0301112233', app: h.app, script: { hangUpAt: { app: 'callcenter' } } });
    const rec = await h.waitFor('recording_started', (e) => e.callId === call.uuid);
    assert.equal(rec.path, `/var/lib/freeswitch/recordings/hotline/call_${call.uuid}.wav`);
    assert.equal(rec.kind, 'call');
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    const apps = h.fs.executed.filter((x) => x.uuid === call.uuid).map((x) => `${x.app} ${x.arg}`);
    // The step is noted on the call for the dialplan (hotline_resume.xml) once the call is answered and
    // recorded, before the menu starts: a variable set by api on the socket, not an application.
    const log0 = h.fs.commandLog;
    const stepAt = log0.indexOf(`api uuid_setvar ${call.uuid} hotline_step answered`);
    const sends = log0.flatMap((l, i) => (l === `sendmsg ${call.uuid}` ? [i] : []));
    assert.ok(stepAt > sends[1] && stepAt < sends[2], `step noted between record_session and the menu: ${stepAt} in ${sends.join(',')}`);
    assert.ok(!apps.some((x) => x.startsWith('set ')), 'no set application');
    const first = apps;
    assert.deepEqual(first.slice(0, 2).map((x) => x.split('/').pop()), ['answer ', `call_${call.uuid}.wav`]);
    // The greeting, then the menu, as one prompt that the first key interrupts.
    assert.match(first[2], /^play_and_get_digits 1 1 1 4000 # file_string:\/\/\S+\/welcome\.wav!\S+\/menu\.wav /);
    // the outbound socket: myevents, linger, PLAYBACK_*/RECORD_* subscribed explicitly, and exit at the end
    const log = h.fs.commandLog;
    assert.ok(log.includes('myevents'));
    assert.ok(log.includes('linger'));
    assert.ok(log.some((l) => /^event json RECORD_START RECORD_STOP PLAYBACK_STOP DTMF\b/.test(l)));
    await until(() => h.fs.commandLog.includes('exit'), 2000, 'exit');
  });

  it('each outbound socket is bound to its own call (myevents) before it subscribes, its set-up sent with `connect`: calls arriving together get none of each other\'s events', async () => {
    h = await startHarness();
    const calls = Array.from({ length: 8 }, (_, i) => h.fs.placeCall({ caller: `03099900${10 + i}`, app: h.app, script: { inputs: ['2'] } }));
    await until(() => calls.every((c) => c.socketConn !== null), 2000, 'sockets');
    const conns = calls.map((c) => c.socketConn!);
    for (const c of calls) await h.waitFor('call_ended', (e) => e.callId === c.uuid);
    for (const conn of conns) {
      // The whole set-up goes with `connect`, myevents first (answerConnectFirst); the one subscription has modesl's two events.
      assert.deepEqual(conn.commands.slice(0, 8), [
        'connect', 'myevents', 'linger', 'event json RECORD_START RECORD_STOP PLAYBACK_STOP DTMF BACKGROUND_JOB CHANNEL_EXECUTE_COMPLETE',
        'filter Event-Name CHANNEL_EXECUTE_COMPLETE', 'filter Event-Name DTMF', 'filter Event-Name CHANNEL_HANGUP', 'filter Event-Name CHANNEL_HANGUP_COMPLETE',
      ]);
      assert.match(conn.commands[8], /^sendmsg /);
      assert.equal(conn.commands.filter((l) => l === 'myevents').length, 1);
      assert.equal(conn.commands.filter((l) => l.startsWith('event ')).length, 1);
      assert.equal(conn.foreignEvents, 0);
    }
  });

  it('a caller who presses nothing waits in the queue and is offered to a ready operator, who answers', async () => {
    h = await startHarness();
    await h.tel.setAgentState('1001', { state: 'ready' });
    const call = h.fs.placeCall({ caller: '0309990001', app: h.app, script: { talkMs: 30 } });
    const offered = await h.waitFor('call_offered', (e) => e.callId === call.uuid);
    assert.equal(offered.caller, '0309990001');
    assert.equal(offered.agent, '1001');
    assert.equal(offered.queue, 'hotline');
    assert.equal(typeof offered.queueWaitMs, 'number');
    const answered = await h.waitFor('call_answered', (e) => e.callId === call.uuid);
    assert.equal(answered.agent, '1001');
    await until(() => h.tel.getAgentState('1001').state === 'on_call', 2000, 'agent on a call');
    const ended = await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    assert.equal(ended.hangupCause, 'NORMAL_CLEARING');
    // after the call the operator is in wrap-up, so no new call is offered before the form is done
    await until(() => h.tel.getAgentState('1001').state === 'wrap_up', 2000, 'wrap-up');
  });

  it('1 reads back the progress of an existing ticket by its number', async () => {
    h = await startHarness();
    h.services.tickets.set('202611230042', { status: 'dispatched' });
    const call = h.fs.placeCall({ caller: '0301112233', app: h.app, script: { inputs: ['1', '202611230042'] } });
    const q = await h.waitFor('ticket_status_query', (e) => e.callId === call.uuid);
    assert.equal(q.ticketNumber, '202611230042');
    assert.equal(q.found, true);
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    const played = h.fs.executed.filter((x) => x.uuid === call.uuid && x.app === 'playback').map((x) => x.arg.split('/').pop());
    assert.deepEqual(played.slice(-2), ['status_in_progress.wav', 'goodbye.wav']);
  });

  it('an unknown ticket number is said to be unknown, not read as someone else\'s', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0301112233', app: h.app, script: { inputs: ['1', '202611239999'] } });
    const q = await h.waitFor('ticket_status_query', (e) => e.callId === call.uuid);
    assert.equal(q.found, false);
  });

  it('2 leaves a message that becomes a draft ticket with the recording attached', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0305550123', app: h.app, script: { inputs: ['2'] } });
    const msg = await h.waitFor('message_left', (e) => e.callId === call.uuid);
    assert.equal(msg.path, `/var/lib/freeswitch/recordings/hotline/message_${call.uuid}.wav`);
    assert.equal(h.services.drafts.length, 1);
    assert.equal(h.services.drafts[0].reason, 'caller_choice');
    assert.equal(h.services.drafts[0].recordingPath, msg.path);
    assert.equal(h.services.drafts[0].callerPhone, '0305550123');
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
  });

  it('a caller id with a line break in it cannot add a command to the socket: the message is taken, its mod_db entry holds the id without it', async () => {
    h = await startHarness();
    const caller = '0305550123\n\napi uuid_kill all';
    const call = h.fs.placeCall({ caller, app: h.app, script: { inputs: ['2'], hangUpAt: { app: 'record' } } });
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    await until(() => h.fs.commandLog.some((l) => l.startsWith(`api db insert/hotline_message/${call.uuid}/`)), 2000, 'mod_db entry');
    const entry = h.fs.commandLog.find((l) => l.startsWith(`api db insert/hotline_message/${call.uuid}/`))!;
    assert.match(entry, /\|caller_choice\|0305550123apiuuid_killall$/);
    assert.ok(!h.fs.commandLog.some((l) => l.startsWith('api uuid_kill')), 'no command injected');
    await until(() => h.services.drafts.length === 1, 2000, 'draft ticket');
  });

  it('after hours the caller is told and leaves a message at once', async () => {
    h = await startHarness({ now: AFTER_HOURS });
    const call = h.fs.placeCall({ caller: '0305550123', app: h.app });
    await h.waitFor('message_left', (e) => e.callId === call.uuid);
    assert.equal(h.services.drafts[0].reason, 'after_hours');
    assert.ok(h.fs.executed.every((x) => x.app !== 'callcenter'));
    assert.ok(h.fs.executed.some((x) => x.app === 'playback' && x.arg.endsWith('/after_hours.wav')));
  });

  it('a caller who hangs up while leaving a message still gets a draft ticket', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0305550123', app: h.app, script: { inputs: ['2'], hangUpAt: { app: 'record' } } });
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    await until(() => h.services.drafts.length === 1, 2000, 'draft ticket');
  });

  it('a caller who hangs up during the greeting ends the flow cleanly, and the socket is closed with exit', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0304445566', app: h.app, script: { hangUpAt: { app: 'playback' } } });
    const ended = await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    assert.equal(ended.hangupCause, 'NORMAL_CLEARING');
    await until(() => h.fs.commandLog.includes('exit'), 2000, 'exit');
    assert.equal(h.tel.ivr.calls.size, 0);
  });

  it('after the configured wait the caller may ask for a call back, and goes on the call-back list', async () => {
    h = await startHarness({ server: { queueMaxWaitMs: 30 } });
    const call = h.fs.placeCall({ caller: '0309990002', app: h.app, script: { inputs: ['', '2'] } });
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    assert.deepEqual(h.services.callbacks.map((c) => [c.callerPhone, c.reason]), [['0309990002', 'requested']]);
  });

  // mod_callcenter 1.10.12 (a real switch under load, 100 callers, 32 phones): a caller offered to an operator in
  // the instant the queue's longest wait ran out left `callcenter` with TIMEOUT while the operator who answered was
  // bridged to them; the overflow menu then played into the conversation and the caller went on the call-back list too.
  for (const [race, when] of [[0, 'just before'], [100, '100 ms after']] as const) {
    it(`a caller whose offer comes ${when} the longest wait's TIMEOUT is with the operator: no overflow menu, no call-back entry`, async () => {
      h = await startHarness({ server: { queueMaxWaitMs: 50, offerAtMaxWaitMs: race } });
      await h.tel.setAgentState('1001', { state: 'ready' });
      // Were the overflow menu played, this caller would press 2 (call me back).
      const call = h.fs.placeCall({ caller: '0309990003', app: h.app, script: { inputs: ['', '2'], talkMs: 300 } });
      const answered = await h.waitFor('call_answered', (e) => e.callId === call.uuid);
      assert.equal(answered.agent, '1001');
      await h.waitFor('call_ended', (e) => e.callId === call.uuid);
      await new Promise((r) => setTimeout(r, 100));
      const afterQueue = h.fs.executed.filter((x) => x.uuid === call.uuid).map((x) => x.app);
      assert.equal(afterQueue.at(-1), 'callcenter', `nothing runs after the queue: ${afterQueue.join(' ')}`);
      assert.deepEqual(h.services.callbacks, []);
    });
  }

  it('a caller let go at the longest wait whose offer fails (the phone rejects) hears the overflow menu and is called back', async () => {
    h = await startHarness({ server: { queueMaxWaitMs: 50, offerAtMaxWaitMs: 100 } });
    h.fs.callcenter.phones.set('1001', { kind: 'reject' });
    await h.tel.setAgentState('1001', { state: 'ready' });
    const call = h.fs.placeCall({ caller: '0309990004', app: h.app, script: { inputs: ['', '2'] } });
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
    await until(() => h.services.callbacks.length === 1, 2000, 'call-back entry');
    assert.deepEqual(h.services.callbacks.map((c) => [c.callerPhone, c.reason]), [['0309990004', 'requested']]);
    assert.ok(h.fs.executed.some((x) => x.uuid === call.uuid && x.arg.includes('overflow')), 'the overflow menu was played');
  });

  it('after the configured wait the caller may leave a message instead', async () => {
    h = await startHarness({ server: { queueMaxWaitMs: 30 } });
    const call = h.fs.placeCall({ caller: '0309990002', app: h.app, script: { inputs: ['', '1'] } });
    await h.waitFor('message_left', (e) => e.callId === call.uuid);
    assert.equal(h.services.drafts[0].reason, 'overflow');
  });

  it('a caller who gives up in the queue is an abandoned call and goes on the call-back list', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0309990001', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === call.uuid);
    call.hangup('NORMAL_CLEARING');
    const ab = await h.waitFor('call_abandoned', (e) => e.callId === call.uuid);
    assert.equal(ab.caller, '0309990001');
    assert.equal(ab.queue, 'hotline');
    await until(() => h.services.callbacks.length === 1, 2000, 'call-back list');
    assert.deepEqual([h.services.callbacks[0].callerPhone, h.services.callbacks[0].reason], ['0309990001', 'abandoned']);
  });

  it('callers waiting in the queue hear their place: the first is next, the second has one caller ahead', async () => {
    h = await startHarness();
    const first = h.fs.placeCall({ caller: '0309990001', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === first.uuid);
    const second = h.fs.placeCall({ caller: '0309990002', app: h.app });
    await h.waitFor('call_queued', (e) => e.callId === second.uuid);
    await h.tel.announcePositions();
    assert.deepEqual(h.fs.broadcasts.map((b) => [b.uuid, b.path.split('/').pop(), b.leg]), [
      [first.uuid, 'queue_next.wav', 'aleg'],
      [second.uuid, 'queue_position_1.wav', 'aleg'],
    ]);
  });

  it('a wrong key at the menu is told so and the caller still reaches the queue', async () => {
    h = await startHarness();
    const call = h.fs.placeCall({ caller: '0309990004', app: h.app, script: { inputs: ['9'] } });
    await h.waitFor('call_queued', (e) => e.callId === call.uuid);
    assert.deepEqual(h.fs.invalidPlayed.map((x) => [x.uuid, x.digits]), [[call.uuid, '9']]);
    assert.ok(h.fs.executed.some((x) => x.uuid === call.uuid && x.app === 'playback' && x.arg.endsWith('/invalid.wav')), 'the caller hears that the key was wrong');
    // Waiting at the menu (the operator is its default) is no mistake: nothing is said.
    const waits = h.fs.placeCall({ caller: '0309990005', app: h.app, script: { inputs: [''] } });
    await h.waitFor('call_queued', (e) => e.callId === waits.uuid);
    assert.ok(!h.fs.executed.some((x) => x.uuid === waits.uuid && x.arg.endsWith('/invalid.wav')));
    waits.hangup('NORMAL_CLEARING');
    call.hangup('NORMAL_CLEARING');
    await h.waitFor('call_ended', (e) => e.callId === call.uuid);
  });
});
