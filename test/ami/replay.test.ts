// The AMI test server against the recorded Asterisk 22 sessions: the client's actions of
// each trace are sent byte for byte, and the server must answer each ActionID as
// Asterisk did (Response, Message, the list items and their order, the OriginateResponse).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AmiBlock, BlockReader, header } from './frames';
import { AmiTestServer, GREETING, OriginateRequest, DialOutcome } from './server';

const repoRoot = path.resolve(__dirname, '../..');
const TRACES = path.resolve(repoRoot, '../shared/ami-traces');

interface TraceLine { t: number; dir: 'c2s' | 's2c'; data: string }

function readTrace(rel: string): TraceLine[] {
  return fs.readFileSync(path.join(TRACES, rel), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceLine);
}

/** The far ends of the traces' dialplans: who answers, who is busy (see each scenario's README). */
function traceDialplan(r: OriginateRequest): DialOutcome {
  if (r.channel === 'Local/busy@hotline-fail') return { kind: 'busy' };
  if (r.channel === 'Local/congestion@hotline-fail') return { kind: 'congestion' };
  if (r.channel === 'Local/noanswer@hotline-fail') return { kind: 'no_answer', afterMs: 50 };
  if (r.channel === 'Local/9999@hotline-fail') return { kind: 'no_such_extension' };
  if (r.channel === 'Local/hold@hotline-control') return { kind: 'answer', setVars: { CALL_TAG: 'initial' } };
  if (r.channel === 'Local/caller@hotline-queue-entry') return { kind: 'answer', thenQueue: 'hotline' };
  return { kind: 'answer' };
}

/** A raw TCP client that keeps every block the server sent. */
class RawClient {
  sock: net.Socket;
  blocks: AmiBlock[] = [];
  raw = '';
  closed = false;
  private reader = new BlockReader();
  private wake: (() => void)[] = [];

  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d: string) => {
      this.raw += d;
      this.blocks.push(...this.reader.push(d));
      for (const w of this.wake.splice(0)) w();
    });
    this.sock.on('close', () => {
      this.closed = true;
      for (const w of this.wake.splice(0)) w();
    });
  }

  async until<T>(get: () => T | undefined | false, what: string, ms = 3000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = get();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 20);
        this.wake.push(() => { clearTimeout(t); r(); });
      });
    }
  }
}

interface Expected {
  response: AmiBlock;
  /** Events carrying the ActionID (list items, …Complete, OriginateResponse). */
  events: AmiBlock[];
}

function expectedByActionId(lines: TraceLine[]): Map<string, Expected> {
  const reader = new BlockReader();
  const out = new Map<string, Expected>();
  for (const l of lines.filter((x) => x.dir === 's2c')) {
    for (const b of reader.push(l.data)) {
      const id = header(b, 'ActionID');
      if (id === undefined) continue;
      const e = out.get(id) ?? { response: [], events: [] };
      if (header(b, 'Event') === undefined) e.response = b;
      else e.events.push(b);
      out.set(id, e);
    }
  }
  return out;
}

const listEnd = (b: AmiBlock) => /Complete$/.test(header(b, 'Event') ?? '');

/** What the traces' dialplans did by themselves between two actions. */
const BETWEEN: Record<string, (s: AmiTestServer) => void> = {
  // queue: "Agent Two" answers the waiting caller, talks, hangs up (hotline-agents dialplan).
  'qstatus-2': (s) => {
    const [uid] = [...s.waiting.keys()];
    s.agentAnswers(uid);
    s.hangup(uid);
  },
};

async function replay(rel: string): Promise<void> {
  const lines = readTrace(rel);
  const expected = expectedByActionId(lines);
  const server = new AmiTestServer({ authFailDelayMs: 20, dial: traceDialplan });
  const port = await server.listen();
  const c = new RawClient(port);
  try {
    for (const l of lines.filter((x) => x.dir === 'c2s')) {
      const actions = new BlockReader().push(l.data);
      for (const a of actions) BETWEEN[header(a, 'ActionID') ?? '']?.(server);
      c.sock.write(l.data);
      for (const action of actions) {
        const id = header(action, 'ActionID')!;
        const name = header(action, 'Action');
        const want = expected.get(id);
        if (!want) continue;
        const mine = () => c.blocks.filter((b) => header(b, 'ActionID') === id);
        const got = await c.until(() => mine().find((b) => header(b, 'Event') === undefined), `${name} ${id}`);
        const label = `${rel} ${name} (${id})`;
        assert.equal(header(got, 'Response'), header(want.response, 'Response'), `${label}: Response`);
        if (header(want.response, 'Message') !== undefined) assert.equal(header(got, 'Message'), header(want.response, 'Message'), `${label}: Message`);
        if (name === 'Getvar' || name === 'Ping') {
          for (const k of ['Value', 'Ping']) assert.equal(header(got, k), header(want.response, k), `${label}: ${k}`);
        }
        if (header(want.response, 'EventList') === 'start') {
          await c.until(() => mine().some(listEnd), `${label}: end of list`);
          const names = (bs: AmiBlock[]) => bs.filter((b) => header(b, 'Event') !== undefined).map((b) => header(b, 'Event'));
          assert.deepEqual(names(mine()), names(want.events), `${label}: list items`);
          const end = mine().find(listEnd)!;
          assert.equal(header(end, 'ListItems'), header(want.events.find(listEnd)!, 'ListItems'), `${label}: ListItems`);
        }
        const wantOr = want.events.find((b) => header(b, 'Event') === 'OriginateResponse');
        if (wantOr) {
          const or = await c.until(() => mine().find((b) => header(b, 'Event') === 'OriginateResponse'), `${label}: OriginateResponse`);
          for (const k of ['Response', 'Reason', 'Context', 'Exten', 'CallerIDNum', 'CallerIDName']) assert.equal(header(or, k), header(wantOr, k), `${label}: OriginateResponse ${k}`);
          // A failed originate names the dial string and an unknown Uniqueid.
          if (header(wantOr, 'Response') === 'Failure') {
            assert.equal(header(or, 'Channel'), header(wantOr, 'Channel'));
            assert.equal(header(or, 'Uniqueid'), '<unknown>');
          } else {
            assert.equal(header(or, 'Channel'), header(wantOr, 'Channel'), `${label}: answered channel name`);
          }
        }
      }
    }
  } finally {
    c.sock.destroy();
    await server.close();
  }
}

describe('AMI test server (replayed against the recorded Asterisk 22 sessions)', function () {
  before(function () {
    if (!fs.existsSync(TRACES)) {
      console.log(`      (skipped: ${TRACES} is absent, the recorded AMI sessions are needed)`);
      this.skip();
    }
  });

  it('greets with the AMI banner, a single line, before any login', async () => {
    const server = new AmiTestServer();
    const c = new RawClient(await server.listen());
    try {
      await c.until(() => c.raw.length > 0, 'greeting');
      assert.equal(c.raw, GREETING);
      assert.equal(readTrace('login-and-basic-actions/failed-login.jsonl')[0].data, GREETING);
    } finally {
      c.sock.destroy();
      await server.close();
    }
  });

  it('a wrong secret is answered "Authentication failed" after a delay, with no events, and the server closes the connection', async () => {
    const trace = readTrace('login-and-basic-actions/failed-login.jsonl');
    const login = trace.find((l) => l.dir === 'c2s')!.data;
    const want = new BlockReader().push(trace.filter((l) => l.dir === 's2c').map((l) => l.data).join(''));
    const server = new AmiTestServer({ authFailDelayMs: 30 });
    const c = new RawClient(await server.listen());
    try {
      const sentAt = Date.now();
      c.sock.write(login);
      await c.until(() => c.closed, 'the server to close the connection');
      assert.ok(Date.now() - sentAt >= 25, 'the answer is not immediate');
      assert.deepEqual(c.blocks, want);
      assert.equal(server.connections, 0);
    } finally {
      await server.close();
    }
  });

  for (const rel of [
    'login-and-basic-actions/session.jsonl',
    'originate-failures/session.jsonl',
    'originate-survey-dtmf/session.jsonl',
    'channel-control/session.jsonl',
    'queue/session.jsonl',
    'restart-reconnect/after-reconnect.jsonl',
  ]) {
    it(`answers every action of ${rel} as Asterisk did`, async () => {
      await replay(rel);
    });
  }

  it('a restart sends Shutdown (Restart: True) and closes the connection, as before-restart.jsonl shows', async () => {
    const trace = readTrace('restart-reconnect/before-restart.jsonl');
    const want = new BlockReader().push(trace.filter((l) => l.dir === 's2c').map((l) => l.data).join('')).find((b) => header(b, 'Event') === 'Shutdown')!;
    const server = new AmiTestServer();
    const c = new RawClient(await server.listen());
    try {
      c.sock.write(trace.find((l) => l.dir === 'c2s')!.data);
      await c.until(() => c.blocks.some((b) => header(b, 'Response') === 'Success'), 'login');
      server.restart();
      await c.until(() => c.closed, 'close after Shutdown');
      const got = c.blocks.find((b) => header(b, 'Event') === 'Shutdown')!;
      assert.deepEqual(got, want);
    } finally {
      await server.close();
    }
  });

  it('events pass the session filter: with "Filter: Event: Hangup" only Hangup events arrive, responses still do', async () => {
    const server = new AmiTestServer({ dial: () => ({ kind: 'busy' }) });
    const c = new RawClient(await server.listen());
    try {
      c.sock.write('Action: login\r\nActionID: l\r\nSecret: hotline-secret\r\nUsername: hotline\r\n\r\n');
      await c.until(() => c.blocks.some((b) => header(b, 'ActionID') === 'l'), 'login');
      c.sock.write('Action: Filter\r\nActionID: f\r\nFilter: Event: Hangup\r\nOperation: Add\r\n\r\n');
      c.sock.write('Action: Originate\r\nActionID: o\r\nAsync: true\r\nChannel: Local/busy@x\r\nContext: c\r\nExten: s\r\n\r\n');
      await c.until(() => c.blocks.filter((b) => header(b, 'Event') === 'Hangup').length === 2, 'two Hangup events');
      await new Promise((r) => setTimeout(r, 30));
      const events = c.blocks.filter((b) => header(b, 'Event') !== undefined).map((b) => header(b, 'Event'));
      assert.deepEqual(events.slice(2), ['Hangup', 'Hangup']); // FullyBooted, SuccessfulAuth came before the filter
      assert.equal(header(c.blocks.find((b) => header(b, 'ActionID') === 'f')!, 'Message'), 'Filter Added Successfully');
    } finally {
      c.sock.destroy();
      await server.close();
    }
  });
});
