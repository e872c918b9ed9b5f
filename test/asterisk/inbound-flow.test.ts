// The hotline call flow on Asterisk: the dialplan hands the call to the app over
// FastAGI, and the same flow as on FreeSWITCH (ivr/flows/inbound.ts) runs on it.
import assert from 'node:assert/strict';
import net from 'node:net';
import { AgiTestCall } from '../ami/agi-client';
import { Harness, logs, startHarness, until } from './harness';

const AFTER_HOURS = new Date('2026-11-22T13:00:00Z'); // Sunday 21:00 in Shouguang
const DIR = '/var/spool/asterisk/monitor/hotline';
const PROMPTS = '/var/lib/asterisk/sounds/hotline';

describe('Asterisk adapter: the hotline call flow over FastAGI', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('answer, record the whole call with MixMonitor, greeting, menu, then the queue; an agent takes the call', async () => {
    h = await startHarness();
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.7', callerid: '13912345678', keys: [null], queueStatus: '' });
    await call.closed;
    assert.deepEqual(call.commands, [
      'ANSWER',
      `EXEC MixMonitor "${DIR}/call_1795459100.7.wav"`,
      `GET FULL VARIABLE "\${STAT(e,${DIR}/call_1795459100.7.wav)}"`,
      'SET VARIABLE HOTLINE_STEP answered',
      `STREAM FILE "${PROMPTS}/welcome" "0123456789*#"`,
      `GET DATA "${PROMPTS}/menu" 4000 1`,
      `STREAM FILE "${PROMPTS}/queue_wait" ""`,
      'SET VARIABLE hangup_after_bridge "true"',
      'SET VARIABLE HOTLINE_STEP queue',
      'EXEC Queue "hotline,c,,,120"',
      'GET VARIABLE QUEUESTATUS',
      'HANGUP',
    ]);
    const rec = await h.waitFor('recording_started');
    assert.deepEqual([rec.callId, rec.kind, rec.path], ['1795459100.7', 'call', `${DIR}/call_1795459100.7.wav`]);
    assert.deepEqual(logs.filter((l) => l.startsWith('error') && l.includes('1795459100.7')), [], 'an answered call is no failed command');
    assert.equal(h.tel.status().recording?.ok, true);
  });

  for (const [what, script] of [
    ['MixMonitor is not loaded (EXEC answers -2)', { missingApps: ['MixMonitor'] }],
    ['MixMonitor cannot write its file (no file appears)', { recordingsUnwritable: true }],
  ] as const) {
    it(`${what}: no recording is filed for the call, the caller is still served, and the failure is reported`, async () => {
      h = await startHarness();
      const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.30', callerid: '13912345670', keys: [null], queueStatus: '', ...script });
      await call.closed;
      assert.ok(call.commands.includes('EXEC Queue "hotline,c,,,120"'), 'the caller reaches the queue');
      const failed = await h.waitFor('recording_failed', (e) => e.callId === '1795459100.30');
      assert.deepEqual([failed.kind, failed.path], ['call', `${DIR}/call_1795459100.30.wav`]);
      assert.ok(!h.events.some((e) => e.type === 'recording_started'), 'no recording row may point at a file never written');
      const s = h.tel.status().recording;
      assert.deepEqual([s?.ok, s?.callId], [false, '1795459100.30']);
      assert.match(s!.detail, /MixMonitor/);
      assert.ok(logs.some((l) => l.startsWith('error') && l.includes('1795459100.30') && l.includes('not recorded')));
    });
  }

  it('nobody answers in time: the caller keys 1 and leaves a message, which becomes a draft ticket', async () => {
    h = await startHarness();
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.8', callerid: '13700001111', keys: [null, '1'], queueStatus: 'TIMEOUT' });
    await call.closed;
    const i = call.commands.indexOf('GET VARIABLE QUEUESTATUS');
    assert.deepEqual(call.commands.slice(i + 1), [
      `GET DATA "${PROMPTS}/overflow" 5000 1`,
      'SET VARIABLE overflow_choice "1"',
      `STREAM FILE "${PROMPTS}/message_prompt" ""`,
      'SET VARIABLE HOTLINE_MESSAGE_REASON overflow',
      'SET VARIABLE HOTLINE_STEP message',
      `RECORD FILE "${DIR}/message_1795459100.8" wav "#" 120000 BEEP s=4`,
      'SET VARIABLE HOTLINE_STEP done',
      `STREAM FILE "${PROMPTS}/message_saved" ""`,
      `STREAM FILE "${PROMPTS}/goodbye" ""`,
      'HANGUP',
    ]);
    assert.deepEqual(h.services.drafts.map((d) => [d.reason, d.callerPhone, d.recordingPath]), [['overflow', '13700001111', `${DIR}/message_1795459100.8.wav`]]);
    const left = await h.waitFor('message_left');
    assert.equal(left.ticketNumber, h.services.drafts[0].ticketNumber);
    // The message ends when RECORD FILE returns; MixMonitor's whole-call recording when the call ends.
    await h.waitFor('recording_ended', (e) => e.path === `${DIR}/message_1795459100.8.wav`);
    assert.ok(!h.events.some((e) => e.type === 'recording_ended' && e.path.includes('call_1795459100.8')));
    h.ast.sendRaw(['Event: Newchannel', 'Channel: PJSIP/trunk-x', 'Context: hotline-inbound', 'Exten: 12345', 'CallerIDNum: 13700001111',
      'Uniqueid: 1795459100.8', 'Linkedid: 1795459100.8', '', 'Event: Hangup', 'Uniqueid: 1795459100.8', 'Cause: 16', '', ''].join('\r\n'));
    await h.waitFor('recording_ended', (e) => e.path === `${DIR}/call_1795459100.8.wav`);
    const ended = h.events.findIndex((e) => e.type === 'call_ended' && e.callId === '1795459100.8');
    const recEnded = h.events.findIndex((e) => e.type === 'recording_ended' && e.path === `${DIR}/call_1795459100.8.wav`);
    assert.ok(recEnded >= 0 && recEnded < ended, 'the recording ends before the call record closes');
  });

  // app_queue sends QueueCallerAbandon when a caller's wait runs out too (record_abandoned on
  // QUEUE_TIMEOUT, seen on Asterisk 22.10.1), the caller still on the line; the AMI event and the
  // AGI answer come over two connections, in either order.
  const raw = (...events: string[][]) => events.map((e) => [...e, '', ''].join('\r\n')).join('');
  const ami = (uid: string, caller: string) => ({
    joined: ['Event: Newchannel', 'Channel: PJSIP/carrier-1', 'Context: hotline-inbound', 'Exten: 12345', `CallerIDNum: ${caller}`, `Uniqueid: ${uid}`, `Linkedid: ${uid}`],
    join: ['Event: QueueCallerJoin', `Uniqueid: ${uid}`, 'Queue: hotline', `CallerIDNum: ${caller}`, 'Position: 1', 'Count: 1'],
    abandon: ['Event: QueueCallerAbandon', `Uniqueid: ${uid}`, 'Queue: hotline', `CallerIDNum: ${caller}`, 'Position: 1', 'OriginalPosition: 1', 'HoldTime: 20'],
    leave: ['Event: QueueCallerLeave', `Uniqueid: ${uid}`, 'Queue: hotline', 'Count: 0', 'Position: 1'],
    hangup: ['Event: Hangup', `Uniqueid: ${uid}`, 'Cause: 16'],
  });
  for (const order of ['the AMI event first', 'the AGI answer first'] as const) {
    it(`a caller whose wait runs out is not abandoned though app_queue says QueueCallerAbandon (${order}): only the call back they asked for`, async () => {
      h = await startHarness();
      const uid = order === 'the AMI event first' ? '1795459100.40' : '1795459100.41';
      const e = ami(uid, '13700004444');
      h.ast.sendRaw(raw(e.joined, e.join, ...(order === 'the AMI event first' ? [e.abandon, e.leave] : [])));
      await h.waitFor('call_queued', (x) => x.callId === uid);
      const call = new AgiTestCall(h.tel.agiPort, { uniqueid: uid, callerid: '13700004444', keys: [null, '2'], queueStatus: 'TIMEOUT' });
      await call.closed;
      h.ast.sendRaw(raw(...(order === 'the AGI answer first' ? [e.abandon, e.leave] : []), e.hangup));
      await h.waitFor('call_ended', (x) => x.callId === uid);
      assert.deepEqual(h.services.callbacks.filter((c) => c.callId === uid).map((c) => c.reason), ['requested']);
      assert.ok(!h.events.some((x) => x.type === 'call_abandoned'), 'no abandon');
    });
  }

  it('a caller who hangs up in the queue is abandoned (QueueCallerAbandon, then their Hangup): on the call-back list, the abandon before the end', async () => {
    h = await startHarness();
    const e = ami('1795459100.42', '13700005555');
    h.ast.sendRaw(raw(e.joined, e.join, e.abandon, e.leave, e.hangup));
    await h.waitFor('call_ended', (x) => x.callId === '1795459100.42');
    const types = h.events.filter((x) => 'callId' in x && x.callId === '1795459100.42').map((x) => x.type);
    assert.ok(types.indexOf('call_abandoned') >= 0 && types.indexOf('call_abandoned') < types.indexOf('call_ended'), types.join());
    await until(() => h!.services.callbacks.some((c) => c.callId === '1795459100.42' && c.reason === 'abandoned'), 2000, 'the call-back entry');
  });

  it('after hours the caller hears so and leaves a message; hanging up while speaking still makes a draft ticket', async () => {
    h = await startHarness({ adapter: { now: () => AFTER_HOURS } });
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.9', callerid: '13600002222', hangupOn: (c) => c.startsWith('RECORD FILE') });
    await call.closed;
    assert.equal(call.commands[4], `STREAM FILE "${PROMPTS}/after_hours" ""`);
    await until(() => h!.services.drafts.length === 1, 2000, 'the draft ticket');
    assert.equal(h.services.drafts[0].reason, 'after_hours');
    assert.ok(!call.commands.includes('HANGUP'), 'nothing is sent to a caller who is gone');
  });

  it('a caller who knows the menu keys 2 during the greeting: the greeting stops and the message is taken at once', async () => {
    h = await startHarness();
    const call = new AgiTestCall(h.tel.agiPort, {
      uniqueid: '1795459100.13', callerid: '13912345678',
      replyWith: (c) => (c.startsWith(`STREAM FILE "${PROMPTS}/welcome"`) ? '200 result=50 endpos=3200' : null),
    });
    await call.closed;
    assert.ok(!call.commands.some((c) => c.startsWith(`GET DATA "${PROMPTS}/menu"`)), 'the menu is not played');
    assert.ok(call.commands.includes('SET VARIABLE menu_choice "2"'));
    assert.equal(h.services.drafts[0]?.reason, 'caller_choice');
  });

  it('key 1 and a 12-digit ticket number: the ticket\'s status is read back', async () => {
    h = await startHarness();
    h.services.tickets.set('202611230042', { status: 'in_progress' });
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.10', callerid: '13912345678', keys: ['1', '202611230042'] });
    await call.closed;
    assert.ok(call.commands.includes(`GET DATA "${PROMPTS}/ticket_number" 10000 12`));
    assert.ok(call.commands.includes(`STREAM FILE "${PROMPTS}/status_in_progress" ""`));
    const q = await h.waitFor('ticket_status_query');
    assert.deepEqual([q.ticketNumber, q.found], ['202611230042', true]);
  });

  it('a FastAGI connection that is not a call (no agi_uniqueid, garbage) is closed; the next call still runs', async () => {
    h = await startHarness();
    const junk = net.connect(h.tel.agiPort, '127.0.0.1');
    junk.on('error', () => undefined);
    junk.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u00ff\n\n');
    await new Promise<void>((r) => junk.on('close', () => r()));
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.12', callerid: '13912345678', keys: [null], queueStatus: '' });
    await call.closed;
    assert.equal(call.commands[0], 'ANSWER');
  });

  it('a caller who hangs up at the menu ends the flow without an error', async () => {
    h = await startHarness();
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.11', callerid: '13912345678', hangupOn: (c) => c.startsWith('GET DATA') });
    await call.closed;
    await new Promise((r) => setTimeout(r, 50));
    // After the failed GET DATA the app asks whether the channel is still up: 511, it is gone.
    assert.deepEqual(call.commands.slice(-2).map((c) => c.split(' ').slice(0, 2).join(' ')), ['GET DATA', 'CHANNEL STATUS']);
    assert.equal(h.tel.agi.calls.size, 0, 'the call is forgotten');
  });

  describe('a step that fails while the caller is still there is not a hang-up', () => {
    const beepMissing = (c: string) => (c.startsWith('RECORD FILE') && c.includes(' BEEP') ? '200 result=-1 (randomerror) endpos=0' : null);

    it('no `beep` sound: RECORD FILE … BEEP answers result=-1 (randomerror); the message is recorded without the tone', async () => {
      h = await startHarness({ adapter: { now: () => AFTER_HOURS } });
      const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.20', callerid: '13600002222', replyWith: beepMissing });
      await call.closed;
      const records = call.commands.filter((c) => c.startsWith('RECORD FILE'));
      assert.deepEqual(records, [
        `RECORD FILE "${DIR}/message_1795459100.20" wav "#" 120000 BEEP s=4`,
        `RECORD FILE "${DIR}/message_1795459100.20" wav "#" 120000 s=4`,
      ]);
      assert.ok(call.commands.includes(`STREAM FILE "${PROMPTS}/message_saved" ""`), 'the caller hears that the message is saved');
      assert.equal(h.services.drafts.length, 1);
      assert.equal(h.services.drafts[0].recordingPath, `${DIR}/message_1795459100.20.wav`);
    });

    it('the recording cannot be written: no draft ticket and no message; after hours the caller goes on the call-back list', async () => {
      h = await startHarness({ adapter: { now: () => AFTER_HOURS } });
      const call = new AgiTestCall(h.tel.agiPort, {
        uniqueid: '1795459100.21', callerid: '13600003333',
        replyWith: (c) => (c.startsWith('RECORD FILE') ? '200 result=-1 (writefile)' : null),
      });
      await call.closed;
      assert.equal(h.services.drafts.length, 0, 'no draft ticket points at a file that does not exist');
      assert.ok(!h.events.some((e) => e.type === 'message_left'));
      const failed = await h.waitFor('recording_failed');
      assert.equal(failed.path, `${DIR}/message_1795459100.21.wav`);
      assert.ok(!h.events.some((e) => e.type === 'recording_ended' && e.path === failed.path), 'nothing to transcribe');
      assert.deepEqual(h.services.callbacks.map((c) => [c.callerPhone, c.reason]), [['13600003333', 'requested']]);
      assert.ok(call.commands.includes(`STREAM FILE "${PROMPTS}/callback_registered" ""`));
      assert.equal(call.commands.at(-1), 'HANGUP');
    });

    it('in working hours a caller who chose a message that cannot be recorded is put through to an operator', async () => {
      h = await startHarness();
      const call = new AgiTestCall(h.tel.agiPort, {
        uniqueid: '1795459100.22', callerid: '13600004444', keys: ['2'], queueStatus: '',
        replyWith: (c) => (c.startsWith('RECORD FILE') ? '200 result=-1 (writefile)' : null),
      });
      await call.closed;
      assert.equal(h.services.drafts.length, 0);
      assert.ok(call.commands.includes('EXEC Queue "hotline,c,,,120"'), 'the caller is queued');
    });

    it('the caller hangs up during the tone, before any file: no draft ticket', async () => {
      h = await startHarness({ adapter: { now: () => AFTER_HOURS } });
      // The tone's playback fails because the caller is gone; the status probe then answers 511.
      let recordSeen = false;
      const call = new AgiTestCall(h.tel.agiPort, {
        uniqueid: '1795459100.23', callerid: '13600005555',
        replyWith: (c) => {
          if (c.startsWith('RECORD FILE')) recordSeen = true;
          if (c.startsWith('RECORD FILE')) return '200 result=-1 (randomerror) endpos=0';
          return c === 'CHANNEL STATUS' && recordSeen ? '511 Command Not Permitted on a dead channel or intercepted' : null;
        },
      });
      await call.closed;
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.services.drafts.length, 0);
      assert.ok(h.events.some((e) => e.type === 'recording_failed'));
    });

    it('a prompt that cannot be played does not drop the caller: the call goes on to the queue', async () => {
      h = await startHarness();
      const call = new AgiTestCall(h.tel.agiPort, {
        uniqueid: '1795459100.24', callerid: '13912345678', queueStatus: '',
        replyWith: (c) => (c.startsWith('STREAM FILE') || c.startsWith('GET DATA') ? '200 result=-1 endpos=0' : null),
      });
      await call.closed;
      assert.ok(call.commands.includes('EXEC Queue "hotline,c,,,120"'));
      assert.equal(call.commands.at(-1), 'HANGUP');
    });
  });

  describe('a call the dialplan hands back after the app went away mid-call (AGI(…,resume)) goes on from its step', () => {
    const resume = (uniqueid: string, variables: Record<string, string>, keys: (string | null)[] = []) =>
      new AgiTestCall(h!.tel.agiPort, { uniqueid, callerid: '13812340000', args: ['resume'], variables, keys });

    it('left in the queue, whose wait ran out: no greeting again, straight to message or call back', async () => {
      h = await startHarness();
      const call = resume('1795459200.1', { HOTLINE_STEP: 'queue', QUEUESTATUS: 'TIMEOUT' }, ['2']);
      await call.closed;
      assert.ok(!call.commands.some((c) => c.includes('/welcome') || c.startsWith('EXEC Queue')), call.commands.join('\n'));
      assert.ok(call.commands.includes(`GET DATA "${PROMPTS}/overflow" 5000 1`));
      assert.deepEqual(h.services.callbacks.map((c) => [c.callerPhone, c.reason]), [['13812340000', 'requested']]);
      assert.equal(call.commands.at(-1), 'HANGUP');
    });

    it('left in the queue and then bridged to an operator: the call simply ends', async () => {
      h = await startHarness();
      const call = resume('1795459200.2', { HOTLINE_STEP: 'queue' });
      await call.closed;
      assert.deepEqual(call.commands, ['GET VARIABLE HOTLINE_STEP', 'GET VARIABLE QUEUESTATUS', 'HANGUP']);
    });

    it('left while the caller was leaving a message: the message recorded meanwhile is a draft ticket, once', async () => {
      h = await startHarness();
      const call = resume('1795459200.3', { HOTLINE_STEP: 'message', HOTLINE_MESSAGE_REASON: 'after_hours' });
      await call.closed;
      assert.deepEqual(h.services.drafts.map((d) => [d.reason, d.callerPhone, d.recordingPath]), [['after_hours', '13812340000', `${DIR}/message_1795459200.3.wav`]]);
      assert.ok(call.commands.includes('SET VARIABLE HOTLINE_STEP done'), 'handed back again, it is not filed twice');
      assert.ok(call.commands.includes(`STREAM FILE "${PROMPTS}/message_saved" ""`));
    });

    it('left after the greeting: to an operator, without the greeting', async () => {
      h = await startHarness();
      const call = resume('1795459200.4', { HOTLINE_STEP: 'answered' });
      await call.closed;
      assert.ok(call.commands.includes('EXEC Queue "hotline,c,,,120"'));
      assert.ok(!call.commands.some((c) => c.includes('/welcome')));
    });
  });
});
