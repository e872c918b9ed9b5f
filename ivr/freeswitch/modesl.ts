// modesl, typed for what we use, and hardened: the stream is read strictly (./frame-reader.ts),
// a frame that does not parse drops the connection (never a crash, never a silent desync).
import type net from 'node:net';
import { FrameError, FrameReader, RawFrame, decodeEventBody } from './frame-reader';

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
const EslEventClass = require('modesl/lib/esl/Event') as new (a: Record<string, unknown>, b?: string) => EslEvent;

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;
let log: Logger = (level, message) => console[level === 'info' ? 'log' : level](`[ivr] ${message}`);
export function setEslLogger(l: Logger): void {
  log = l;
}
export const eslLog: Logger = (level, message) => log(level, message);

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
      this.socket?.write(`${frame}\n`);
    } catch (err) {
      this.emit('error', err as Error);
    }
  };
  // The stream is read by our strict FrameReader (./frame-reader.ts) instead of modesl's
  // parser, which copies its whole buffer on every chunk (a 50 MB frame blocked the loop for
  // seconds), takes any byte count on trust, and after a Content-Length off by one misreads
  // every later frame. A frame that does not parse ends the connection: the socket is
  // destroyed with the FrameError, which the connection reports as 'error'.
  P._onData = function (this: any, d: Buffer) {
    if (this.socket?.destroyed) return;
    this._reader ??= new FrameReader();
    let frames: RawFrame[];
    try {
      frames = this._reader.push(d);
    } catch (err) {
      eslLog('error', `unreadable ESL stream, dropping the connection: ${(err as Error).message}`);
      this.socket?.destroy(err as Error);
      return;
    }
    for (const f of frames) {
      if (this.socket?.destroyed) return;
      let event: EslEvent;
      let body: string;
      try {
        body = f.body.toString('utf8');
        event = toEvent(this, f, body);
      } catch (err) {
        eslLog('error', `unreadable ESL frame, dropping the connection: ${(err as Error).message}`);
        this.socket?.destroy(err instanceof FrameError ? err : new FrameError((err as Error).message));
        return;
      }
      try {
        this.emit('esl::event', event, f.headers, body);
      } catch (err) {
        eslLog('error', `ESL event handler failed: ${(err as Error).stack ?? err}`);
      }
    }
  };
}

/** One whole frame as a modesl Event (what modesl's _parseEvent made, from checked input). */
function toEvent(parser: any, f: RawFrame, body: string): EslEvent {
  const type = f.headers['Content-Type'];
  // Outer header values are url-encoded in the outbound connect reply; a bad escape stays as sent.
  const headers: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(f.headers)) {
    let value = v;
    try {
      value = decodeURIComponent(v);
    } catch {
      eslLog('warn', `malformed header value skipped decoding: ${k}`);
    }
    headers[k] = k === 'Content-Length' ? f.length : value;
  }
  let event: EslEvent;
  if (type === 'text/event-json' || type === 'text/event-plain') {
    event = eventOf(decodeEventBody(type, body));
  } else if (type === 'text/event-xml') {
    const data = parser._parseXmlBody(body) as Record<string, unknown> | undefined;
    if (!data || typeof data !== 'object') throw new FrameError('XML event that does not parse');
    event = new EslEventClass(data);
  } else event = new EslEventClass(headers, body);
  const reply = event.getHeader('Reply-Text');
  if (reply?.startsWith('-ERR')) (event as any).addHeader('Modesl-Reply-ERR', reply.substring(5));
  else if (reply?.startsWith('+OK')) (event as any).addHeader('Modesl-Reply-OK', reply.substring(4));
  return event;
}
harden();

export const Connection = modesl.Connection;
export const Server = modesl.Server;

/** All headers of an event as one plain object (json/plain/xml alike). */
/**
 * A modesl Event from a header record whose keys are unique (a parsed event): modesl's constructor
 * adds each header with a linear search for a duplicate, O(n²) in the 150–250 headers of a real
 * FreeSWITCH event — the app's largest cost per event in bench:ivr. The record is kept for headersOf.
 */
function eventOf(h: Record<string, string>): EslEvent {
  const e = Object.create(EslEventClass.prototype) as EslEvent & Record<string, unknown>;
  const headers: { name: string; value: string }[] = [];
  for (const k of Object.keys(h)) if (k !== '_body') headers.push({ name: k, value: h[k] });
  Object.assign(e, { headers, hPtr: null, type: h['Event-Name'], subclass: h['Event-Subclass'], body: h._body ?? '', [RECORD]: { h, n: headers.length } });
  return e;
}

const RECORD = Symbol('headers record');

export function headersOf(e: EslEvent): Record<string, string> {
  // The record the event was made from, while no header was added or removed since.
  const r = (e as unknown as Record<symbol, { h: Record<string, string>; n: number } | undefined>)[RECORD];
  if (r && r.n === e.headers.length && !('_body' in r.h)) return r.h;
  const o: Record<string, string> = {};
  for (const h of e.headers) o[h.name] = h.value;
  return o;
}
