// modesl, typed for what we use, and hardened: the stream is read strictly (./frame-reader.ts),
// a frame that does not parse drops the connection (never a crash, never a silent desync).
import crypto from 'node:crypto';
import type net from 'node:net';
import { FrameError, FrameReader, RawFrame, decodeEventBody, urlDecode } from './frame-reader';

export interface EslEvent {
  headers: { name: string; value: string }[];
  body: string;
  getHeader(name: string): string | null;
  getBody(): string;
}

export interface EslConnection {
  socket: net.Socket | null;
  api(command: string, cb: (e: EslEvent) => void): void;
  bgapi(command: string, args: string, jobId: string, cb: (e: EslEvent) => void): void;
  sendRecv(command: string, args: Record<string, string> | null, cb: (e: EslEvent) => void): void;
  events(format: 'json' | 'plain' | 'xml', events: string[], cb: (e: EslEvent) => void): void;
  getInfo(): EslEvent | null;
  disconnect(): void;
  /** EventEmitter2 (wildcards) */
  on(event: string, listener: (...args: any[]) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  removeAllListeners(event?: string): this;
  emit(event: string, ...args: unknown[]): boolean;
}

export interface EslServer {
  on(event: string, listener: (...args: any[]) => void): this;
  server: net.Server;
  close(cb?: () => void): void;
}

interface ModeslModule {
  Connection: new (...args: unknown[]) => EslConnection;
  Server: new (opts: { host?: string; port?: number; myevents?: boolean; server?: net.Server }, ready?: () => void) => EslServer;
  Parser: { prototype: Record<string, any> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const modesl = require('modesl') as ModeslModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eslModule = require('modesl/lib/esl/esl') as { _doLog(log: unknown): void };
/** modesl's own EventEmitter2 (its Connection's prototype's constructor). */
const EventEmitter2 = Object.getPrototypeOf(modesl.Connection.prototype).constructor as (this: unknown, conf: object) => void;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EslEventClass = require('modesl/lib/esl/Event') as new (a: Record<string, unknown>, b?: string) => EslEvent;

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;
let log: Logger = (level, message) => console[level === 'info' ? 'log' : level](`[ivr] ${message}`);
export function setEslLogger(l: Logger): void {
  log = l;
}
export const eslLog: Logger = (level, message) => log(level, message);

/**
 * For a connection of modesl.Server made with `myevents: false`, at 'connection::open': the
 * connection is ready as soon as `connect` is answered (modesl first subscribes to
 * BACKGROUND_JOB and CHANNEL_EXECUTE_COMPLETE and waits for that reply too), and the commands
 * that set the outbound socket up are to be sent by the caller right away, in the same turn:
 * they go out with `connect`, in one socket write, without waiting for its reply.
 *
 * FreeSWITCH reads an outbound socket's commands one at a time, in order (mod_event_socket's
 * read_packet takes one byte at a time up to a command's empty line; listener_run parses the
 * first command, `connect`, then each following one) and answers each in turn: `myevents` binds
 * the socket to its channel before a subscription takes effect (a subscription alone brings every
 * channel's events: when `myevents` came a round trip after modesl's own, bench:ivr's burst read
 * 78,000 other calls' events), and the filters are in place before the flow's first application. With 500 calls arriving at once
 * the set-up took three round trips per call, each behind the other calls' work on both sides
 * (bench:ivr's burst); now it takes one. The caller's subscription must use `events()`, which
 * adds modesl's two events, as modesl's own subscription would have. The server's
 * 'connection::ready' comes with the connect reply (the channel data); the set-up's replies
 * follow, each to its own callback.
 */
export function answerConnectFirst(conn: EslConnection): void {
  const c = conn as unknown as { cmdCallbackQueue: unknown[]; emit(e: string): boolean };
  // modesl's Connection has queued one callback, for `connect`'s reply (subscribe, then ready): ready at once instead.
  if (c.cmdCallbackQueue.length !== 1) throw new Error('answerConnectFirst: not a connection just opened');
  c.cmdCallbackQueue[0] = () => c.emit('esl::ready');
}

const DIRECT = Symbol('direct frame handler');
const PARSER_OWNER = Symbol('the connection of a parser');
/** `body`: the frame's body as text ('' for a JSON event, whose own body is event.getBody()). */
type FrameHandler = (event: EslEvent, headers: Record<string, string>, body: string) => void;
type DirectConnection = {
  [DIRECT]?: FrameHandler;
  cmdCallbackQueue: unknown[];
  apiCallbackQueue: unknown[];
};
/** The frames a direct handler gets; their replies still reach sendRecv/api callbacks. */
const FLAT_TYPES = new Set(['command/reply', 'api/response', 'text/event-json', 'text/event-plain', 'text/event-xml', 'text/disconnect-notice']);

/**
 * Every event, command reply, api response and disconnect notice of `conn` goes to `handler`
 * (before the reply's sendRecv/api callback), and no longer through EventEmitter2: listeners
 * added with `conn.on('esl::event::…')` do not hear these frames, so modesl's `execute`,
 * `bgapi` and `recvEvent` must not be used on such a connection. 'esl::ready', 'esl::end',
 * 'error' and the auth events are unchanged.
 */
export function handleFramesDirectly(conn: EslConnection, handler: FrameHandler): void {
  (conn as unknown as DirectConnection)[DIRECT] = handler;
}

const uncork = (sock: net.Socket): void => {
  if (sock.writableCorked) sock.uncork();
};

/** Frames and bytes read from FreeSWITCH on every ESL connection of this process (bench:ivr reports them). */
export const eslReadStats = { frames: 0, bytes: 0 };

let hardened = false;
function harden(): void {
  if (hardened) return;
  hardened = true;
  const P = modesl.Parser.prototype;
  // modesl writes a command's line, each header and the final empty line as separate socket
  // writes; the traces show them arriving ~40 ms apart (Nagle + delayed ACK). One write per
  // command instead; a value with a line break would forge headers, so it is refused.
  const C = modesl.Connection.prototype as unknown as Record<string, unknown>;
  C.send = function (this: { socket: net.Socket | null; emit(e: string, err: Error): void }, command: string, args?: Record<string, string>) {
    let frame = `${command}\n`;
    for (const [k, v] of Object.entries(args ?? {})) {
      if (/[\r\n]/.test(`${k}${v}`)) {
        this.emit('error', new Error(`ESL header with a line break refused: ${k}`));
        return;
      }
      frame += `${k}: ${v}\n`;
    }
    if (/[\r\n]/.test(command)) {
      this.emit('error', new Error('ESL command with a line break refused'));
      return;
    }
    try {
      const sock = this.socket;
      if (sock) {
        // Commands given in one run of the app's code (a call's set-up: linger, subscription,
        // filters) go out in one socket write: corked until the ticks queued now have run.
        if (!sock.writableCorked) {
          sock.cork();
          process.nextTick(uncork, sock);
        }
        sock.write(`${frame}\n`);
      }
    } catch (err) {
      this.emit('error', err as Error);
    }
  };
  // Frames of a connection given a direct handler (handleFramesDirectly) skip EventEmitter2:
  // with `wildcard: true` every emit splits its name and walks the listener tree, and every
  // sendRecv adds and removes a listener there; in bench:ivr's burst that was a fifth of the
  // app's CPU. Command replies and api responses go to modesl's callback queues exactly as its
  // own 'esl::event::command::reply' / 'api::response' listeners do; the connect reply
  // (CHANNEL_DATA), auth requests, log data and any other frame take modesl's path.
  const onEvent = C._onEvent as (this: unknown, e: EslEvent, h: Record<string, string>, b: string) => void;
  C._onEvent = function (this: DirectConnection, event: EslEvent, headers: Record<string, string>, body: string) {
    const direct = this[DIRECT];
    const type = headers['Content-Type'];
    if (direct && FLAT_TYPES.has(type) && !(type === 'command/reply' && headers['Event-Name'] === 'CHANNEL_DATA')) {
      direct(event, headers, body);
      const queue = type === 'command/reply' ? this.cmdCallbackQueue : type === 'api/response' ? this.apiCallbackQueue : null;
      const fn = queue?.shift();
      if (typeof fn === 'function') fn.call(this, event, headers, body);
      return;
    }
    onEvent.call(this, event, headers, body);
  };
  // modesl names each outbound connection with `new Buffer(15)` (deprecated: Node checks the
  // caller's stack on each of the first 10,000 calls) and crypto.randomBytes: ~20 µs of every
  // call's set-up. The same kind of name (unique in this server, safe as an object key) from a
  // counter and a UUID out of Node's pooled random bytes.
  const S = modesl.Server.prototype as unknown as { _generateId(this: { seq: number }): string };
  S._generateId = function (this: { seq: number }) {
    this.seq = (this.seq + 1) | 0;
    return `${this.seq.toString(36)}-${crypto.randomUUID()}`;
  };
  // modesl.Server's _onConnection, with the connection made by outboundConnection() below (no
  // wildcard listener tree); the same events on the server ('connection::open', '…::ready', '…::close').
  type ServerSelf = {
    bindEvents: boolean; connections: Record<string, EslConnection & { _id?: string }>;
    _generateId(): string; emit(e: string, ...a: unknown[]): boolean;
  };
  (S as unknown as { _onConnection(this: ServerSelf, socket: net.Socket): void })._onConnection = function (this: ServerSelf, socket: net.Socket) {
    const conn = outboundConnection(socket) as EslConnection & { _id?: string };
    const id = this._generateId();
    this.connections[id] = conn;
    conn._id = id;
    this.emit('connection::open', conn, id);
    conn.on('esl::ready', () => {
      if (this.bindEvents) conn.sendRecv('myevents', null, () => this.emit('connection::ready', this.connections[id], id));
      else this.emit('connection::ready', this.connections[id], id);
    });
    conn.on('esl::end', () => {
      this.emit('connection::close', this.connections[id], id);
      delete this.connections[id];
    });
  };
  // modesl's _onConnect, with a parser of our own: the frames are read by P._onData below (our
  // FrameReader), which hands each one to its connection directly, so the parser needs neither
  // modesl's constructor (an EventEmitter2, `new Buffer([])` with Node's deprecation check of the
  // caller's stack, listeners for its own buffer) nor events: ~35 µs of every call's set-up.
  type Connecting = { socket: net.Socket; parser: unknown; connecting: boolean; emit(e: string): void; on(e: string, f: unknown): void; auth(): void };
  C._onConnect = function (this: Connecting) {
    const parser: Record<string | symbol, unknown> = { socket: this.socket, [PARSER_OWNER]: this };
    const onData = P._onData as (this: unknown, d: Buffer) => void;
    this.socket.on('data', (d: Buffer) => onData.call(parser, d));
    this.parser = parser;
    this.emit('esl::connect');
    this.connecting = false;
    this.on('esl::event::auth::request', this.auth.bind(this));
  };
  // The stream is read by our strict FrameReader (./frame-reader.ts) instead of modesl's
  // parser, which copies its whole buffer on every chunk (a 50 MB frame blocked the loop for
  // seconds), takes any byte count on trust, and after a Content-Length off by one misreads
  // every later frame. A frame that does not parse ends the connection: the socket is
  // destroyed with the FrameError, which the connection reports as 'error'.
  P._onData = function (this: any, d: Buffer) {
    if (this.socket?.destroyed) return;
    eslReadStats.bytes += d.length;
    this._reader ??= new FrameReader();
    let frames: RawFrame[];
    try {
      frames = this._reader.push(d);
    } catch (err) {
      eslLog('error', `unreadable ESL stream, dropping the connection: ${(err as Error).message}`);
      this.socket?.destroy(err as Error);
      return;
    }
    eslReadStats.frames += frames.length;
    for (const f of frames) {
      if (this.socket?.destroyed) return;
      let event: EslEvent;
      let body: string;
      try {
        // A JSON event is read from its bytes (lazyJsonEvent): its text is never made whole.
        body = f.headers['Content-Type'] === 'text/event-json' ? '' : f.body.toString('utf8');
        event = toEvent(this, f, body);
      } catch (err) {
        eslLog('error', `unreadable ESL frame, dropping the connection: ${(err as Error).message}`);
        this.socket?.destroy(err instanceof FrameError ? err : new FrameError((err as Error).message));
        return;
      }
      try {
        // The connection that made this parser is its only 'esl::event' listener: called directly
        // (the parser is an EventEmitter2 with wildcards too, and its emit searches a tree).
        const owner = this[PARSER_OWNER] as { _onEvent(e: EslEvent, h: Record<string, string>, b: string): void } | undefined;
        if (owner) owner._onEvent(event, f.headers, body);
        else this.emit('esl::event', event, f.headers, body);
      } catch (err) {
        eslLog('error', `ESL event handler failed: ${(err as Error).stack ?? err}`);
      }
    }
  };
}

/**
 * A modesl Connection over an outbound socket (FreeSWITCH's `socket` application connected to
 * us), as modesl's constructor makes it, except that its EventEmitter2 has no wildcards: with
 * `wildcard: true` each of the ~10 listeners a call socket gets (modesl's, the server's, ours)
 * grows a tree of its name's parts and every emit searches it, ~50 µs and much garbage per call
 * set up (bench:ivr's burst sets up 500 at once). The names modesl emits are exact
 * ('esl::event::command::reply', 'esl::ready', 'esl::end'…) and so are the listeners here; a
 * wildcard pattern ('esl::event::**') would hear nothing on such a connection. (Its events,
 * replies and notices go to one handler anyway: handleFramesDirectly.)
 */
function outboundConnection(socket: net.Socket): EslConnection {
  type Self = EslConnection & Record<string, unknown> & {
    cmdCallbackQueue: unknown[]; apiCallbackQueue: unknown[]; reqEvents: string[];
    _onConnect(): void; _onError(err: Error): void; subscribe(events: string[], cb: () => void): void;
  };
  const C = modesl.Connection as unknown as { prototype: object };
  const conn = Object.create(C.prototype) as Self;
  EventEmitter2.call(conn, { wildcard: false, delimiter: '::', maxListeners: 25 });
  conn.execAsync = false;
  conn.execLock = false;
  conn.authed = false;
  conn.channelData = null;
  conn.cmdCallbackQueue = [];
  conn.apiCallbackQueue = [];
  conn.reqEvents = ['BACKGROUND_JOB', 'CHANNEL_EXECUTE_COMPLETE'];
  conn.listeningEvents = [];
  conn._inbound = false;
  conn.socket = socket;
  conn.connecting = false;
  conn._onConnect();
  // As modesl: `connect`, then its own subscription, then ready (answerConnectFirst makes it ready at the connect reply).
  conn.sendRecv('connect', null, () => conn.subscribe(conn.reqEvents, () => conn.emit('esl::ready')));
  socket.on('error', (err: Error) => conn._onError(err));
  socket.on('end', () => {
    conn.emit('esl::end');
    conn.socket = null;
  });
  conn.on('esl::event::logdata', (l: unknown) => eslModule._doLog(l));
  conn.on('esl::event::command::reply', (...args: unknown[]) => {
    const fn = conn.cmdCallbackQueue.shift();
    if (typeof fn === 'function') fn.apply(conn, args);
  });
  conn.on('esl::event::api::response', (...args: unknown[]) => {
    const fn = conn.apiCallbackQueue.shift();
    if (typeof fn === 'function') fn.apply(conn, args);
  });
  return conn;
}

/**
 * One whole frame as a modesl Event (what modesl's _parseEvent made, from checked input). `body`:
 * the frame's body as text, except for a JSON event (''), which is read from `f.body`'s bytes.
 */
function toEvent(parser: any, f: RawFrame, body: string): EslEvent {
  const type = f.headers['Content-Type'];
  let event: EslEvent;
  if (type === 'text/event-json') {
    event = eventOf(decodeEventBody(type, f.body));
  } else if (type === 'text/event-plain') {
    event = eventOf(decodeEventBody(type, body));
  } else if (type === 'text/event-xml') {
    const data = parser._parseXmlBody(body) as Record<string, unknown> | undefined;
    if (!data || typeof data !== 'object') throw new FrameError('XML event that does not parse');
    event = new EslEventClass(data);
  } else {
    // Outer header values are url-encoded in the outbound connect reply; a bad escape stays as sent.
    // (An event's outer headers are only its Content-Length and Content-Type: not made into a record.)
    // Decoded in the frame's own record, which becomes the event's (the connect reply's 100–300
    // headers are not copied into a second one; the frame's headers as the handlers get them are
    // decoded too: Content-Type and Event-Name, which they read, have nothing to decode).
    const headers: Record<string, string | number> = f.headers;
    for (const k in headers) {
      try {
        headers[k] = urlDecode(headers[k] as string);
      } catch {
        eslLog('warn', `malformed header value skipped decoding: ${k}`);
      }
    }
    if (headers['Content-Length'] !== undefined) headers['Content-Length'] = f.length;
    event = eventOf(headers as Record<string, string>, body);
  }
  // Replies carry Reply-Text; an event never does (and reading an absent header of a lazy JSON event searches it whole).
  const reply = type.startsWith('text/event-') ? null : event.getHeader('Reply-Text');
  if (reply?.startsWith('-ERR')) (event as any).addHeader('Modesl-Reply-ERR', reply.substring(5));
  else if (reply?.startsWith('+OK')) (event as any).addHeader('Modesl-Reply-OK', reply.substring(4));
  return event;
}
harden();

export const Connection = modesl.Connection;
export const Server = modesl.Server;

/**
 * A modesl Event over a header record whose keys are unique (a parsed frame), without copying it:
 * modesl's constructor adds each header with a linear search for a duplicate (O(n²) in the 100–250
 * headers of a FreeSWITCH event), and a `{ name, value }` object per header on every event was a
 * large part of the app's allocations in bench:ivr. getHeader and addHeader work on the record; the `headers` array that
 * modesl's other methods (delHeader, serialize, firstHeader/nextHeader) read is made from it on
 * first use, and from then on the array is the event's headers, as in modesl.
 * `body`: the frame's body (non-event frames); an event's own body comes as `_body` in the record.
 */
function eventOf(h: Record<string, string>, body?: string): EslEvent {
  const own = h._body;
  if (own !== undefined) delete h._body;
  const e = Object.create(LazyEvent) as EslEvent & Record<string | symbol, unknown>;
  e.hPtr = null;
  e.type = h['Event-Name'];
  e.body = body || own || '';
  e[RECORD] = h;
  return e;
}

const RECORD = Symbol('headers record');
type Lazy = { [RECORD]: Record<string, string> | null; headers: { name: string; value: string }[] };
const EventPrototype = EslEventClass.prototype as unknown as Record<string, (this: unknown, ...a: unknown[]) => unknown>;

function setHeaders(e: Lazy, headers: { name: string; value: string }[]): void {
  Object.defineProperty(e, 'headers', { value: headers, writable: true, enumerable: true, configurable: true });
  e[RECORD] = null;
}

const LazyEvent = Object.create(EslEventClass.prototype, {
  // Read when asked (only CUSTOM events have one; a lazy JSON event would be searched whole for it).
  subclass: {
    configurable: true,
    get(this: Lazy) {
      const r = this[RECORD];
      return r ? r['Event-Subclass'] : ((EventPrototype.getHeader.call(this, 'Event-Subclass') as string | null) ?? undefined);
    },
    set(this: Lazy, value: unknown) {
      Object.defineProperty(this, 'subclass', { value, writable: true, enumerable: true, configurable: true });
    },
  },
  headers: {
    configurable: true,
    get(this: Lazy) {
      const r = this[RECORD];
      const headers: { name: string; value: string }[] = [];
      if (r) for (const k of Object.keys(r)) headers.push({ name: k, value: r[k] });
      setHeaders(this, headers);
      return headers;
    },
    set(this: Lazy, headers: { name: string; value: string }[]) {
      setHeaders(this, headers);
    },
  },
  getHeader: {
    value(this: Lazy, name: string) {
      const r = this[RECORD];
      if (!r) return EventPrototype.getHeader.call(this, name);
      return Object.hasOwn(r, name) ? r[name] : null;
    },
  },
  addHeader: {
    value(this: Lazy, name: string, value: string) {
      const r = this[RECORD];
      if (!r) return EventPrototype.addHeader.call(this, name, value);
      r[name] = value; // a new name goes last, a known one keeps its place: as modesl's array
      return value;
    },
  },
});

/** All headers of an event as one plain object (json/plain/xml alike). */
export function headersOf(e: EslEvent): Record<string, string> {
  // The record the event was made from, while its headers were only read or added through it.
  const r = (e as unknown as Lazy)[RECORD];
  if (r) return r;
  const o: Record<string, string> = {};
  for (const h of e.headers) o[h.name] = h.value;
  return o;
}
