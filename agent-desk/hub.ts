// The WebSocket push hub at /ws: each browser connects with its session cookie; every
// message from the bus (this server's, or another server's through the fan-out) is
// filtered per person by pushFor before it is sent.
import http from 'node:http';
import { Duplex } from 'node:stream';
import { Knex } from 'knex';
import { WebSocketServer, WebSocket } from 'ws';
import { userForSession } from '../storage/directory';
import { SESSION_COOKIE } from '../server/http/auth';
import { sameOrigin } from '../server/http/origin';
import { pushFor, PushMessage, Recipient } from './push';

export const WS_PATH = '/ws';
/** A browser that does not read its pushes is dropped past this much unsent data; it reconnects and reloads. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Client { ws: WebSocket; who: Recipient; calls: Set<string>; token: string }

/** How often open sockets are checked against their sessions (a logout or expiry closes them). */
export const SESSION_RECHECK_MS = 60_000;

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Each operator's last calls are kept: the transcript of a call arrives after it ended. */
export const RECENT_CALLS = 20;

function remember(calls: Set<string>, id: string): void {
  calls.delete(id);
  calls.add(id);
  if (calls.size > RECENT_CALLS) calls.delete(calls.values().next().value!);
}

export class PushHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Set<Client>();

  private readonly recheck: NodeJS.Timeout;

  constructor(private readonly d: { db: Knex; now: () => Date; log: (l: string) => void }) {
    this.recheck = setInterval(() => void this.dropEndedSessions().catch((e) => d.log(`[desk] 推送连接会话检查失败：${(e as Error).message}`)), SESSION_RECHECK_MS);
    this.recheck.unref();
  }

  /** Close the sockets whose session ended (logout, expiry, a disabled user). */
  async dropEndedSessions(): Promise<number> {
    const tokens = new Set([...this.clients].map((c) => c.token));
    const ended = new Set<string>();
    for (const t of tokens) if (!(await userForSession(this.d.db, t, this.d.now()))) ended.add(t);
    let closed = 0;
    for (const c of this.clients) {
      if (!ended.has(c.token)) continue;
      c.ws.close(4401, 'session ended');
      this.clients.delete(c);
      closed++;
    }
    return closed;
  }

  get size(): number {
    return this.clients.size;
  }

  attach(server: http.Server): void {
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== WS_PATH) return; // another module's upgrade
      void this.accept(req, socket, head).catch((e) => {
        this.d.log(`[desk] WebSocket 连接失败：${(e as Error).message}`);
        refuse(socket, 500, 'Internal Server Error');
      });
    });
  }

  private async accept(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A page of another site must not open a socket with this site's cookie.
    if (!sameOrigin(req.headers.origin, req.headers.host)) return refuse(socket, 403, 'Forbidden');
    const token = cookie(req.headers.cookie, SESSION_COOKIE);
    const user = token ? await userForSession(this.d.db, token, this.d.now()) : null;
    if (!user) return refuse(socket, 401, 'Unauthorized');
    // On an initial or reset password a user may only change it (server/http/auth.ts): no pushes.
    if (user.initialPassword) return refuse(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Client = { ws, who: { id: user.id, role: user.role, unit: user.unit, extension: user.extension }, calls: new Set(), token: token! };
      this.clients.add(c);
      ws.on('close', () => this.clients.delete(c));
      ws.on('error', () => this.clients.delete(c));
      // The browser only listens; anything it sends is ignored (ping frames are answered by ws).
      ws.send(JSON.stringify({ type: 'hello', user: { id: user.id, role: user.role, unit: user.unit } }));
    });
  }

  /** Send a message to everyone who may receive it, each in their own view. */
  deliver(m: PushMessage): number {
    let sent = 0;
    const offered = m.type === 'call' && m.call.type === 'call_offered' ? m.call : null;
    for (const c of this.clients) {
      if (offered && c.who.extension === offered.agent) remember(c.calls, offered.callId);
      const out = pushFor(c.who, m, c.calls);
      if (!out || c.ws.readyState !== WebSocket.OPEN) continue;
      if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.d.log(`[desk] 推送连接积压过多（用户 ${c.who.id}），已断开，浏览器会重连`);
        c.ws.terminate();
        this.clients.delete(c);
        continue;
      }
      c.ws.send(JSON.stringify(out));
      sent++;
    }
    return sent;
  }

  async close(): Promise<void> {
    clearInterval(this.recheck);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
