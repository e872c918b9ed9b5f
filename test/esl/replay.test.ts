// The ESL test server is checked against the recorded FreeSWITCH 1.10.12 sessions:
// the same client commands must get the same replies and events, in the same order.
import assert from 'node:assert/strict';
import net from 'node:net';
import { EslTestServer, SimChannel } from './server';
import { readTrace, replay, replayLoose, tracesAvailable } from './traces';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Accept one outbound-socket connection from the test server (the app side of the trace). */
function acceptOne(): Promise<{ port: number; socket: Promise<net.Socket>; close: () => void }> {
  return new Promise((resolve) => {
    let onSocket: (s: net.Socket) => void = () => undefined;
    const socket = new Promise<net.Socket>((r) => { onSocket = r; });
    const srv = net.createServer((s) => onSocket(s));
    srv.listen(0, '127.0.0.1', () => resolve({
      port: (srv.address() as net.AddressInfo).port, socket, close: () => srv.close(),
    }));
  });
}

describe('ESL test server against the recorded FreeSWITCH sessions', function () {
  before(function () {
    if (!tracesAvailable()) {
      console.log('    (skipped: ../shared/esl-traces is not present)');
      this.skip();
    }
  });

  let server: EslTestServer;
  afterEach(async () => { await server?.close(); });

  it('a wrong password gets -ERR invalid, the goodbye notice and a closed socket', async () => {
    server = new EslTestServer();
    const port = await server.listen();
    const trace = readTrace('inbound-basics/01-inbound-wrong-password.jsonl');
    const r = await replay(await connect(port), trace);
    assert.deepEqual(r.actual, r.expected);
  });

  it('the inbound session: api, bgapi, errors, formats, filters, the CUSTOM trap, noevents and exit', async () => {
    server = new EslTestServer();
    const port = await server.listen();
    const trace = readTrace('inbound-basics/02-inbound-session.jsonl');
    let call: SimChannel | null = null;
    const r = await replay(await connect(port), trace, {
      map: () => new Map(call ? [['66012ef4-c9be-4aa5-afcf-f80f790a73d3', call.uuid]] : []),
      hooks: {
        // sipp dials extension 9196 (answer, echo) right after this subscription
        'event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE': () => {
          call = server.placeDialplanCall({
            caller: 'sipp', destination: '9196',
            apps: [['set', 'outside_call=true'], ['export', 'RFC2822_DATE=Mon, 23 Nov 2026 18:31:04 +0000'], ['answer', ''], ['echo', '']],
          });
        },
        // and hangs up 9 s later
        'event json CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE': () => { call?.hangup('NORMAL_CLEARING'); },
      },
    });
    assert.deepEqual(r.actual, r.expected);
  });

  for (const [file, inputs, hangUpAt] of [
    ['01-outbound-ivr-ticket-normal-end.jsonl', ['2', '482915'], undefined],
    ['02-outbound-ivr-hangup-during-playback.jsonl', ['1'], { app: 'playback', argIncludes: 'info_long' }],
    // linger 5: two sendmsg after the hang-up get +OK and run nothing; the switch closes 5 s later
    ['03-outbound-ivr-hangup-linger5.jsonl', ['1'], { app: 'playback', argIncludes: 'info_long' }],
  ] as const) {
    it(`the outbound IVR session ${file}: connect, myevents, linger, executes and the hangup sequence`, async () => {
      server = new EslTestServer();
      await server.listen();
      const app = await acceptOne();
      const trace = readTrace(`outbound-ivr/${file}`);
      const traceUuid = /sendmsg (\S+)/.exec(trace.steps.find((s) => s.line.startsWith('sendmsg'))!.line)![1];
      const call = server.placeCall({ caller: '0301112233', app: { host: '127.0.0.1', port: app.port }, script: { inputs: [...inputs], hangUpAt } });
      const r = await replay(await app.socket, trace, { map: () => new Map([[traceUuid, call.uuid]]), stepTimeoutMs: 7000 });
      app.close();
      assert.deepEqual(r.actual, r.expected);
    });
  }

  it('the survey leg placed by originate: answered leg, survey digit, set, thanks and hangup', async () => {
    server = new EslTestServer({ callees: { '0301234567': { kind: 'answer', caller: { inputs: ['1'] } } } });
    await server.listen();
    const app = await acceptOne();
    const trace = readTrace('return-visit-originate/02-outbound-survey-satisfied.jsonl');
    server.originate(
      `{origination_caller_id_number=12345,ignore_early_media=true,return_visit_ticket=SG20261123-000001}sofia/external/0301234567@127.0.0.1:5070 '&socket(127.0.0.1:${app.port} async full)'`,
      () => undefined,
    );
    const socket = await app.socket;
    const call = [...server.channels.values()][0];
    const r = await replay(socket, trace, { map: () => new Map([['9182a1c0-a7cb-42c2-8415-c5e000734ce8', call.uuid]]) });
    app.close();
    assert.deepEqual(r.actual, r.expected);
  });

  it('the mod_callcenter set-up: queue load, agents, contacts, tiers, statuses (quoted), errors and lists', async () => {
    server = new EslTestServer();
    const port = await server.listen();
    const trace = readTrace('callcenter-queue/01-inbound-callcenter.jsonl');
    const upTo = trace.steps.findIndex((s) => s.line === 'api callcenter_config queue list members hotline') + 1;
    assert.ok(upTo > 10);
    const r = await replayLoose(await connect(port), trace, upTo);
    assert.deepEqual(r.actual.replies, r.expected.replies);
    assert.deepEqual(r.actual.events, r.expected.events);
  });

  it('the dialer\'s originates: usage error, bad profile, busy (hang-up first), no answer (job first), unreachable', async () => {
    server = new EslTestServer({ calleeSequence: [{ kind: 'busy' }, { kind: 'no_answer' }, { kind: 'unreachable' }] });
    const port = await server.listen();
    const trace = readTrace('return-visit-originate/01-inbound-originate-dialer.jsonl');
    // The two answered calls need the survey app on the socket; they are checked in the survey-leg test.
    const r = await replay(await connect(port), trace, { only: (s) => !/SG20261123-00000[12]\}/.test(s.line) });
    assert.deepEqual(r.actual, r.expected);
  });

  it('a fresh session after a restart: authenticate and subscribe again, no channels, then the first HEARTBEAT', async () => {
    server = new EslTestServer();
    const port = await server.listen();
    const trace = readTrace('reconnect/03-inbound-after-restart.jsonl');
    const r = await replay(await connect(port), trace, {
      hooks: { 'api show channels as json': () => server.heartbeat() }, // about 20 s after start
    });
    assert.deepEqual(r.actual, r.expected);
  });

  it('an IVR call during a FreeSWITCH shutdown: SYSTEM_SHUTDOWN, the linger notice at once, FILE PLAYED, then exit', async () => {
    server = new EslTestServer({ playbackMs: 300 });
    await server.listen();
    const app = await acceptOne();
    const trace = readTrace('reconnect/02-outbound-ivr-during-shutdown.jsonl');
    const traceUuid = /sendmsg (\S+)/.exec(trace.steps.find((s) => s.line.startsWith('sendmsg'))!.line)![1];
    const call = server.placeCall({ caller: '0309990002', app: { host: '127.0.0.1', port: app.port } });
    const r = await replay(await app.socket, trace, {
      map: () => new Map([[traceUuid, call.uuid]]),
      // SIGTERM while the greeting plays
      hookWhen: [{ match: (s) => s.command.includes('welcome.wav'), run: () => void server.shutdown() }],
    });
    app.close();
    assert.deepEqual(r.actual, r.expected);
  });

  it('the survey leg of a callee who presses nothing: the invalid prompt after the timeout, read_result failure, goodbye', async () => {
    server = new EslTestServer({ callees: { '0301234567': { kind: 'answer', caller: { inputs: [] } } } });
    await server.listen();
    const app = await acceptOne();
    const trace = readTrace('return-visit-originate/03-outbound-survey-no-input.jsonl');
    const traceUuid = /sendmsg (\S+)/.exec(trace.steps.find((s) => s.line.startsWith('sendmsg'))!.line)![1];
    server.originate(
      `{origination_caller_id_number=12345,ignore_early_media=true,return_visit_ticket=SG20261123-000002}sofia/external/0301234567@127.0.0.1:5070 '&socket(127.0.0.1:${app.port} async full)'`,
      () => undefined,
    );
    const socket = await app.socket;
    const call = [...server.channels.values()][0];
    const r = await replay(socket, trace, { map: () => new Map([[traceUuid, call.uuid]]) });
    app.close();
    assert.deepEqual(r.actual, r.expected);
  });
});
