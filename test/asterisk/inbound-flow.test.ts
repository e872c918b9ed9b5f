// The hotline call flow on Asterisk: the dialplan hands the call to the app over
// FastAGI, and the same flow as on FreeSWITCH (ivr/flows/inbound.ts) runs on it.
import assert from 'node:assert/strict';
import net from 'node:net';
import { AgiTestCall } from '../ami/agi-client';
import { Harness, startHarness, until } from './harness';

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
      `STREAM FILE "${PROMPTS}/welcome" ""`,
      `GET DATA "${PROMPTS}/menu" 4000 1`,
      `STREAM FILE "${PROMPTS}/queue_wait" ""`,
      'SET VARIABLE hangup_after_bridge "true"',
      'EXEC Queue "hotline,,,,120"',
      'GET VARIABLE QUEUESTATUS',
      'HANGUP',
    ]);
    const rec = await h.waitFor('recording_started');
    assert.deepEqual([rec.callId, rec.kind, rec.path], ['1795459100.7', 'call', `${DIR}/call_1795459100.7.wav`]);
  });

  it('nobody answers in time: the caller keys 1 and leaves a message, which becomes a draft ticket', async () => {
    h = await startHarness();
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.8', callerid: '13700001111', keys: [null, '1'], queueStatus: 'TIMEOUT' });
    await call.closed;
    const i = call.commands.indexOf('GET VARIABLE QUEUESTATUS');
    assert.deepEqual(call.commands.slice(i + 1), [
      `GET DATA "${PROMPTS}/overflow" 5000 1`,
      'SET VARIABLE overflow_choice "1"',
      `STREAM FILE "${PROMPTS}/message_prompt" ""`,
      `RECORD FILE "${DIR}/message_1795459100.8" wav "#" 120000 BEEP s=4`,
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

  it('after hours the caller hears so and leaves a message; hanging up while speaking still makes a draft ticket', async () => {
    h = await startHarness({ adapter: { now: () => AFTER_HOURS } });
    const call = new AgiTestCall(h.tel.agiPort, { uniqueid: '1795459100.9', callerid: '13600002222', hangupOn: (c) => c.startsWith('RECORD FILE') });
    await call.closed;
    assert.equal(call.commands[2], `STREAM FILE "${PROMPTS}/after_hours" ""`);
    await until(() => h!.services.drafts.length === 1, 2000, 'the draft ticket');
    assert.equal(h.services.drafts[0].reason, 'after_hours');
    assert.ok(!call.commands.includes('HANGUP'), 'nothing is sent to a caller who is gone');
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
    assert.equal(call.commands.at(-1)?.startsWith('GET DATA'), true);
    assert.equal(h.tel.agi.calls.size, 0, 'the call is forgotten');
  });
});
