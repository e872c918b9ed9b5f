// The WebSocket push hub at /ws: each browser connects with its session cookie; every
// message from the bus (this server's, or another server's through the fan-out) is
// filtered per person by pushFor before it is sent.
import http from 'node:http';
import { Duplex } from 'node:stream';
import { Knex } from 'knex';
import { WebSocketServer, WebSocket } from 'ws';
import { userForSession } from '../storage/directory';
import { readCookie, SESSION_COOKIE } from '../server/http/auth';
import { sameOrigin } from '../server/http/origin';
import { pushFor, PushMessage, Recipient } from './push';

export const WS_PATH = '/ws';
/** A browser that does not read its pushes is dropped past this much unsent data; it reconnects and reloads. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Client {
  ws: WebSocket;
  who: Recipient;
  calls: Set<string>;
  token: string;
  /** While the user is being read again after a change to them: what arrived meanwhile, to be filtered by who they are now. */
  held: PushMessage[] | null;
  /** Which re-read is the latest (two changes in a row: the last read decides). */
  generation: number;
}

/** The most messages held for one socket while its user is read again (a read takes milliseconds). */
const MAX_HELD = 1000;

/** How often open sockets are checked against their sessions (a logout or expiry closes them). */
export const SESSION_RECHECK_MS = 60_000;

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
  /** Counts changes to users, so that a socket opened while one was being made is checked again. */
  private changes = 0;

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
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const changesBefore = this.changes;
    const user = token ? await userForSession(this.d.db, token, this.d.now()) : null;
    if (!user) return refuse(socket, 401, 'Unauthorized');
    // On an initial or reset password a user may only change it (server/http/auth.ts): no pushes.
    if (user.initialPassword) return refuse(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Client = { ws, who: { id: user.id, role: user.role, unit: user.unit, extension: user.extension }, calls: new Set(), token: token!, held: null, generation: 0 };
      this.clients.add(c);
      ws.on('close', () => this.clients.delete(c));
      ws.on('error', () => this.clients.delete(c));
      // The browser only listens; anything it sends is ignored (ping frames are answered by ws).
      ws.send(JSON.stringify({ type: 'hello', user: { id: user.id, role: user.role, unit: user.unit } }));
      // A user changed while this socket was being opened may be this one: read them again.
      if (this.changes !== changesBefore) void this.userChanged(user.id);
    });
  }

  /**
   * A user was changed (role, unit, extension, disabled, password reset or changed): their
   * sockets receive nothing until the user is read again, then are closed (4401) when the
   * session ended or the user is disabled or back on a one-time password, or else follow who
   * the user is now (what arrived meanwhile is filtered by that). Called at once on the
   * server that made the change, and by the fan-out on every other.
   */
  async userChanged(userId: number): Promise<void> {
    this.changes++;
    const mine = [...this.clients].filter((c) => c.who.id === userId);
    for (const c of mine) {
      c.held ??= [];
      c.generation++;
    }
    await Promise.all(mine.map(async (c) => {
      const generation = c.generation;
      let user: Awaited<ReturnType<typeof userForSession>>;
      try {
        user = await userForSession(this.d.db, c.token, this.d.now());
      } catch (e) {
        this.d.log(`[desk] 重新读取用户 ${userId} 失败，推送连接已断开：${(e as Error).message}`);
        user = null;
      }
      if (generation !== c.generation || !this.clients.has(c)) return; // a later change decides
      if (!user || user.initialPassword) {
        c.ws.close(4401, 'session ended');
        this.clients.delete(c);
        return;
      }
      const before = c.who;
      c.who = { id: user.id, role: user.role, unit: user.unit, extension: user.extension };
      if (before.extension !== user.extension) c.calls.clear();
      if (before.role !== user.role || before.unit !== user.unit || before.extension !== user.extension) {
        this.send(c, { type: 'user', user: { id: user.id, role: user.role, unit: user.unit, extension: user.extension } });
      }
      const held = c.held ?? [];
      c.held = null;
      for (const m of held) this.offer(c, m);
    }));
  }

  /** Send a message to everyone who may receive it, each in their own view. */
  deliver(m: PushMessage): number {
    let sent = 0;
    for (const c of this.clients) {
      if (c.held) {
        if (c.held.length < MAX_HELD) c.held.push(m);
        continue;
      }
      if (this.offer(c, m)) sent++;
    }
    return sent;
  }

  /** The message to one socket, in its user's view; whether it was sent. */
  private offer(c: Client, m: PushMessage): boolean {
    if (m.type === 'call' && m.call.type === 'call_offered' && c.who.extension === m.call.agent) remember(c.calls, m.call.callId);
    const out = pushFor(c.who, m, c.calls);
    return out ? this.send(c, out) : false;
  }

  private send(c: Client, out: unknown): boolean {
    if (c.ws.readyState !== WebSocket.OPEN) return false;
    if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.d.log(`[desk] 推送连接积压过多（用户 ${c.who.id}），已断开，浏览器会重连`);
      c.ws.terminate();
      this.clients.delete(c);
      return false;
    }
    c.ws.send(JSON.stringify(out));
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.recheck);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
