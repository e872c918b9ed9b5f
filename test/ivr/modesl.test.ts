// The hardened modesl (ivr/freeswitch/modesl.ts): frames read by our FrameReader become modesl Events
// that keep their header record (no header array until one is asked for), and behave as modesl's own.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Connection, EslConnection, EslEvent, Server, answerConnectFirst, handleFramesDirectly, headersOf, setEslLogger } from '../../ivr/freeswitch/modesl';
import { channelVariables } from '../../ivr/freeswitch/call-channel';
import { FrameError } from '../../ivr/freeswitch/frame-reader';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const modesl = require('modesl') as { Parser: new (socket: unknown) => EventEmitter & { _onData(d: Buffer): void } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ModeslEvent = require('modesl/lib/esl/Event') as new (a: Record<string, unknown>, b?: string) => EslEvent & Record<string, any>;

/** A socket stand-in: the parser reads 'data'; a frame that does not parse destroys it with the error. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  error: Error | null = null;
  destroy(err?: Error): void {
    this.destroyed = true;
    this.error = err ?? null;
  }
}

function parse(...chunks: string[]): { events: { event: EslEvent & Record<string, any>; headers: Record<string, string>; body: string }[]; socket: FakeSocket } {
  const socket = new FakeSocket();
  const parser = new modesl.Parser(socket);
  const events: { event: EslEvent & Record<string, any>; headers: Record<string, string>; body: string }[] = [];
  parser.on('esl::event', (event: EslEvent & Record<string, any>, headers: Record<string, string>, body: string) => events.push({ event, headers, body }));
  for (const c of chunks) socket.emit('data', Buffer.from(c));
  return { events, socket };
}

const frame = (type: string, body: string) => `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: ${type}\n\n${body}`;

describe('modesl events over the strict frame reader', () => {
  const logged: string[] = [];
  before(() => setEslLogger((_level, message) => logged.push(message)));
  const record = { 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': 'u-1', 'Application-UUID': 'a-1', variable_x: 'a b', 'Event-Subclass': 'sub' };

  it('a JSON event reads like modesl\'s own Event: headers, type, subclass, body, and null for what is not there', () => {
    const { events } = parse(frame('text/event-json', JSON.stringify(record)));
    assert.equal(events.length, 1);
    const e = events[0].event;
    const reference = new ModeslEvent({ ...record });
    for (const name of [...Object.keys(record), 'Job-UUID', 'Reply-Text', '_body', 'toString', 'constructor', '__proto__']) {
      assert.equal(e.getHeader(name), reference.getHeader(name), name);
    }
    assert.equal(e.type, 'CHANNEL_EXECUTE_COMPLETE');
    assert.equal(e.subclass, 'sub');
    assert.equal(e.getBody(), '');
    assert.deepEqual(headersOf(e), record);
    assert.deepEqual(e.headers, reference.headers);
    assert.equal(e.serialize('plain'), reference.serialize('plain'));
  });

  it('an event\'s own body (_body) is its body, not a header; headersOf leaves it out', () => {
    const job = { 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j-1', 'Content-Length': '9', _body: '+OK done\n' };
    const e = parse(frame('text/event-json', JSON.stringify(job))).events[0].event;
    assert.equal(e.getBody(), '+OK done\n');
    assert.equal(e.getHeader('_body'), null);
    assert.deepEqual(headersOf(e), { 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'j-1', 'Content-Length': '9' });
    assert.deepEqual(e.headers.map((h: { name: string }) => h.name), ['Event-Name', 'Job-UUID', 'Content-Length']);
  });

  it('added headers go last (a known one keeps its place), as in modesl; deleting one is seen by headersOf', () => {
    const e = parse(frame('text/event-json', JSON.stringify(record))).events[0].event;
    const reference = new ModeslEvent({ ...record });
    for (const ev of [e, reference]) {
      ev.addHeader('Added', '1');
      ev.addHeader('Unique-ID', 'u-2');
    }
    assert.deepEqual(headersOf(e), headersOf(reference));
    assert.deepEqual(Object.keys(headersOf(e)), [...Object.keys(record), 'Added']);
    assert.equal(e.getHeader('Unique-ID'), 'u-2');
    e.delHeader('Added');
    reference.delHeader('Added');
    assert.deepEqual(e.headers, reference.headers);
    assert.deepEqual(headersOf(e), headersOf(reference));
    assert.equal(e.getHeader('Added'), null);
    e.addHeader('Later', 'x');
    assert.equal(e.getHeader('Later'), 'x');
    assert.equal(headersOf(e).Later, 'x');
  });

  it('a plain event is url-decoded; a command reply gets modesl\'s Modesl-Reply-OK; the outbound connect reply is decoded', () => {
    const plain = 'Event-Name: DTMF\nUnique-ID: u-1\nDTMF-Digit: %23\nCaller-Caller-ID-Name: a%20b\n\n';
    const reply = 'Content-Type: command/reply\nReply-Text: +OK accepted\n\n';
    const connect = 'Event-Name: CHANNEL_DATA\nUnique-ID: u-1\nvariable_sip_from_uri: 0301%40127.0.0.1\nContent-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\n\n';
    const { events } = parse(frame('text/event-plain', plain), reply, connect);
    assert.equal(events.length, 3);
    assert.deepEqual(headersOf(events[0].event), { 'Event-Name': 'DTMF', 'Unique-ID': 'u-1', 'DTMF-Digit': '#', 'Caller-Caller-ID-Name': 'a b' });
    assert.equal(events[1].event.getHeader('Reply-Text'), '+OK accepted');
    assert.equal(events[1].event.getHeader('Modesl-Reply-OK'), 'accepted');
    const info = headersOf(events[2].event);
    assert.equal(info.variable_sip_from_uri, '0301@127.0.0.1');
    assert.equal(info['Reply-Text'], '+OK\n');
    assert.equal(events[2].event.type, 'CHANNEL_DATA');
  });

  it('frames split anywhere arrive whole, and several in one chunk arrive in order', () => {
    const a = frame('text/event-json', JSON.stringify({ ...record, 'Application-UUID': 'a-1' }));
    const b = frame('text/event-json', JSON.stringify({ ...record, 'Application-UUID': 'a-2' }));
    const all = a + b + a;
    for (const cut of [1, 17, a.length - 1, a.length, a.length + 5]) {
      const { events } = parse(all.slice(0, cut), all.slice(cut));
      assert.deepEqual(events.map((x) => x.event.getHeader('Application-UUID')), ['a-1', 'a-2', 'a-1'], `cut at ${cut}`);
    }
  });

  it('a body that is not JSON, or a Content-Length off by one, still drops the connection with a FrameError', () => {
    for (const bad of [
      'Content-Length: 12\nContent-Type: text/event-json\n\n{not json!!}',
      'Content-Length: 39\nContent-Type: text/event-json\n\n{"Event-Name":"HEARTBEAT","Up-Time":"1"}',
      'Content-Type: something/unexpected\n\n',
    ]) {
      const { events, socket } = parse(bad);
      assert.equal(events.length, 0, bad);
      assert.ok(socket.destroyed && socket.error instanceof FrameError, bad);
    }
    assert.equal(logged.filter((l) => /^unreadable ESL/.test(l)).length, 3, logged.join('\n'));
  });
});

describe('a connection whose frames go straight to one handler (handleFramesDirectly)', () => {
  it('the handler gets events, command replies, api responses and the disconnect notice in order; sendRecv and api callbacks each get their own reply; wildcard listeners hear none of them', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const switchSide = new Promise<net.Socket>((r) => srv.once('connection', r));
    const sock = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const fsw = await switchSide;
    const written: string[] = [];
    fsw.on('data', (d) => written.push(d.toString()));
    try {
      // An outbound connection as FreeSWITCH's `socket` application makes it: the app says `connect`.
      const conn = new (Connection as unknown as new (s: net.Socket) => EslConnection)(sock);
      const ready = new Promise<void>((r) => conn.once('esl::ready', () => r()));
      await new Promise((r) => setTimeout(r, 20));
      assert.match(written.join(''), /^connect\n\n/);
      const info = { 'Event-Name': 'CHANNEL_DATA', 'Unique-ID': 'u-1', 'Reply-Text': '+OK' };
      fsw.write(`Content-Type: command/reply\n${Object.entries(info).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n`);
      fsw.write('Content-Type: command/reply\nReply-Text: +OK events\n\n'); // modesl's own subscription
      await ready;
      assert.equal(conn.getInfo()?.getHeader('Unique-ID'), 'u-1');

      const seen: string[] = [];
      const wildcard: string[] = [];
      conn.on('esl::event::**', (e: EslEvent) => wildcard.push(e.getHeader('Event-Name') ?? e.getHeader('Reply-Text') ?? '?'));
      handleFramesDirectly(conn, (e, headers) => seen.push(`${headers['Content-Type']} ${e.getHeader('Event-Name') ?? e.getHeader('Reply-Text') ?? e.getBody().trim()}`));
      const replies: string[] = [];
      conn.sendRecv('linger', null, (r: EslEvent) => replies.push(`linger ${r.getHeader('Reply-Text')}`));
      conn.api('uuid_setvar u-1 x 1', (r: EslEvent) => replies.push(`api ${r.getBody().trim()}`));
      conn.sendRecv('sendmsg u-1', { 'call-command': 'execute' }, (r: EslEvent) => replies.push(`sendmsg ${r.getHeader('Reply-Text')}`));
      const done = JSON.stringify({ 'Event-Name': 'CHANNEL_EXECUTE_COMPLETE', 'Unique-ID': 'u-1', 'Application-UUID': 'a-1' });
      fsw.write('Content-Type: command/reply\nReply-Text: +OK will linger\n\n');
      fsw.write(`${frame('api/response', '+OK')}`);
      fsw.write(`${frame('text/event-json', done)}Content-Type: command/reply\nReply-Text: +OK\n\n`);
      fsw.write(frame('text/disconnect-notice', 'Disconnected, goodbye.\n'));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(seen, [
        'command/reply +OK will linger',
        'api/response +OK',
        'text/event-json CHANNEL_EXECUTE_COMPLETE',
        'command/reply +OK',
        'text/disconnect-notice Disconnected, goodbye.',
      ]);
      assert.deepEqual(replies, ['linger +OK will linger', 'api +OK', 'sendmsg +OK']);
      assert.deepEqual(wildcard, []);
      conn.disconnect();
    } finally {
      sock.destroy();
      fsw.destroy();
      await new Promise((r) => srv.close(r));
    }
  });
});

describe('an outbound socket accepted by modesl.Server', () => {
  it('is a modesl Connection without wildcards: `connect` and the set-up in one write, ready at the connect reply, replies to their callbacks, open / ready / close on the server', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const esl = new Server({ server: srv, myevents: false });
    const seen: string[] = [];
    const replies: string[] = [];
    let opened = null as EslConnection | null;
    esl.on('connection::open', (conn: EslConnection) => {
      opened = conn;
      seen.push('open');
      answerConnectFirst(conn);
      conn.sendRecv('myevents', null, (r: EslEvent) => replies.push(`myevents ${r.getHeader('Reply-Text')}`));
      conn.sendRecv('linger', null, (r: EslEvent) => replies.push(`linger ${r.getHeader('Reply-Text')}`));
    });
    esl.on('connection::ready', (conn: EslConnection) => seen.push(`ready ${conn.getInfo()?.getHeader('Unique-ID')} ${replies.length}`));
    esl.on('connection::close', () => seen.push('close'));
    // FreeSWITCH's side: the `socket` application connects.
    const fsw = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
    const written: Buffer[] = [];
    fsw.on('data', (d) => written.push(d));
    try {
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(written.length, 1, 'one write');
      assert.equal(written[0].toString(), 'connect\n\nmyevents\n\nlinger\n\n');
      assert.ok(opened);
      assert.equal((opened as unknown as { wildcard?: boolean }).wildcard ?? false, false);
      fsw.write('Event-Name: CHANNEL_DATA\nUnique-ID: u-1\nvariable_x: a%20b\nContent-Type: command/reply\nReply-Text: %2BOK%0A\n\n');
      fsw.write('Content-Type: command/reply\nReply-Text: +OK Events Enabled\n\nContent-Type: command/reply\nReply-Text: +OK will linger\n\n');
      await new Promise((r) => setTimeout(r, 30));
      assert.deepEqual(seen, ['open', 'ready u-1 0']);
      assert.deepEqual(replies, ['myevents +OK Events Enabled', 'linger +OK will linger']);
      assert.equal(opened!.getInfo()?.getHeader('variable_x'), 'a b');
      fsw.end();
      await new Promise((r) => setTimeout(r, 30));
      assert.deepEqual(seen, ['open', 'ready u-1 0', 'close']);
    } finally {
      fsw.destroy();
      esl.close();
      await new Promise((r) => setTimeout(r, 10));
    }
  });
});

describe('a call socket\'s channel variables (channelVariables)', () => {
  it('read through to the connect reply\'s variable_ headers: values, absent names, `in`, keys and spread', () => {
    const info = { 'Unique-ID': 'u-1', variable_hotline_step: 'queue', variable_cc_cancel_reason: 'TIMEOUT', 'Caller-Caller-ID-Number': '0301', variable_empty: '' };
    const v = channelVariables(info);
    assert.equal(v.hotline_step, 'queue');
    assert.equal(v.empty, '');
    assert.equal(v.return_visit_ticket_id, undefined);
    assert.equal(v['Unique-ID'], undefined);
    assert.equal('cc_cancel_reason' in v, true);
    assert.equal('then' in v, false);
    assert.deepEqual(Object.keys(v), ['hotline_step', 'cc_cancel_reason', 'empty']);
    assert.deepEqual({ ...v }, { hotline_step: 'queue', cc_cancel_reason: 'TIMEOUT', empty: '' });
    assert.equal(`${v}`, '[object Object]');
  });
});
