// modesl, typed for what we use, and hardened: a malformed frame from the switch
// (bad %-escape, bad JSON, garbage bytes) is logged and skipped, never a crash.
import type net from 'node:net';

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
  // Header values are url-encoded; a stray '%' would make decodeURIComponent throw
  // inside the socket's data handler, which would crash the process.
  P._parseHeaderText = function (txt: string): Record<string, string | number> {
    const headers: Record<string, string | number> = {};
    for (const line of txt.split('\n')) {
      const at = line.indexOf(': ');
      const key = at < 0 ? line : line.slice(0, at);
      const raw = at < 0 ? '' : line.slice(at + 2);
      let value = raw;
      try {
        value = decodeURIComponent(raw);
      } catch {
        eslLog('warn', `malformed header value skipped decoding: ${key}`);
      }
      headers[key] = key === 'Content-Length' ? parseInt(value, 10) || 0 : value;
    }
    return headers;
  };
  // modesl looks for the end of the headers one byte at a time in JavaScript, from the start of
  // the buffer, on every chunk; the native search gives the same index.
  P._indexOfHeaderEnd = function (this: { buffer: Buffer }): number {
    return this.buffer.indexOf('\n\n');
  };
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
  const onData = P._onData as (this: any, d: Buffer) => void;
  P._onData = function (this: any, d: Buffer) {
    try {
      onData.call(this, d);
    } catch (err) {
      eslLog('error', `malformed ESL frame dropped: ${(err as Error).message}`);
      this.buffer = Buffer.alloc(0);
      this.bodyLen = 0;
    }
  };
  const parseEvent = P._parseEvent as (this: any, h: Record<string, unknown>, b?: string) => void;
  P._parseEvent = function (this: any, h: Record<string, unknown>, b?: string) {
    try {
      parseEvent.call(this, h, b);
    } catch (err) {
      eslLog('error', `ESL event handler failed: ${(err as Error).stack ?? err}`);
    }
  };
}
harden();

export const Connection = modesl.Connection;
export const Server = modesl.Server;

/** All headers of an event as one plain object (json/plain/xml alike). */
export function headersOf(e: EslEvent): Record<string, string> {
  const o: Record<string, string> = {};
  for (const h of e.headers) o[h.name] = h.value;
  return o;
}
