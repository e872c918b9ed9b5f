// The inbound Event Socket connection: connect, authenticate, subscribe, and when the
// connection is lost (FreeSWITCH restart, network) reconnect with backoff and subscribe
// again: nothing carries over to a new session. A switch that stops sending anything
// (no HEARTBEAT for a while) is treated as lost too.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Connection, EslConnection, EslEvent, handleFramesDirectly, headersOf, eslLog } from './modesl';
import { FrameError } from './frame-reader';
import { Backoff, Reconnector } from '../reconnect';

/**
 * Every event type the adapter needs. CUSTOM goes last: FreeSWITCH takes every word
 * after it as a subclass (anything after would silently never arrive, with +OK).
 * Sent with sendRecv, not modesl's `events()`, which would append BACKGROUND_JOB and
 * CHANNEL_EXECUTE_COMPLETE after CUSTOM. Subscriptions add up, so `noevents` first drops
 * modesl's automatic CHANNEL_EXECUTE_COMPLETE (every application of every call, twice
 * the traffic; the flows get theirs on their own sockets).
 */
export const INBOUND_SUBSCRIPTION =
  'event json CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE CHANNEL_HOLD CHANNEL_UNHOLD ' +
  'RECORD_START RECORD_STOP HEARTBEAT SHUTDOWN BACKGROUND_JOB ' +
  'CUSTOM callcenter::info sofia::register sofia::unregister sofia::expire';

export interface InboundOptions {
  host: string;
  port: number;
  password: string;
  backoff?: Backoff;
  /** Drop the connection when nothing arrived for this long (HEARTBEAT is every 20 s). */
  silenceMs?: number;
  apiTimeoutMs?: number;
  /** Event names wanted besides the adapter's own (e.g. CHANNEL_EXECUTE for a test driver). */
  extraEvents?: string[];
}

/** Emits 'up', 'down' (reason), 'event' (headers). */
export class EslInbound extends EventEmitter {
  private conn: EslConnection | null = null;
  private ready = false;
  private readonly reconnect: Reconnector;
  private silenceTimer: NodeJS.Timeout | null = null;
  private jobs = new Map<string, (body: string) => void>();
  private apis = new Set<(err: Error) => void>();

  constructor(private opts: InboundOptions) {
    super();
    this.reconnect = new Reconnector(() => this.connect(), opts.backoff ?? { initialMs: 500, maxMs: 30000 });
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.reconnect.start();
  }

  stop(): void {
    this.reconnect.stop();
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    const c = this.conn;
    this.conn = null;
    if (c?.socket) {
      try {
        c.disconnect();
      } catch {
        /* already closed */
      }
    }
    this.lost('stopped');
  }

  /** Test support: the process died. The socket is dropped without a word, nothing is emitted. */
  crash(): void {
    this.reconnect.stop();
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    const c = this.conn;
    this.conn = null;
    this.removeAllListeners();
    c?.removeAllListeners();
    c?.socket?.destroy();
  }

  private connect(): void {
    const { host, port, password } = this.opts;
    const c = new Connection(host, port, password);
    this.conn = c;
    c.on('error', (err: Error) => {
      eslLog('warn', `ESL ${host}:${port}: ${err.message}`);
      // An unreadable frame: the stream lost its framing, and every later frame would be misread.
      if (err instanceof FrameError) this.retry(c, `unreadable frame (${err.message})`);
      else if (!this.ready) this.retry(c);
    });
    // A socket destroyed (by us on a bad frame, or reset) closes without 'end'.
    c.socket?.on('close', () => {
      if (c === this.conn) this.retry(c, 'connection closed');
    });
    c.on('esl::event::auth::fail', () => {
      eslLog('error', `ESL ${host}:${port}: 密码错误 (auth rejected)`);
      this.retry(c);
    });
    c.on('esl::ready', () => {
      c.socket?.setNoDelay(true);
      c.sendRecv('noevents', null, () => undefined);
      const extra = this.opts.extraEvents?.length ? ` ${this.opts.extraEvents.join(' ')}` : '';
      c.sendRecv(INBOUND_SUBSCRIPTION.replace(' CUSTOM ', `${extra} CUSTOM `), null, (reply: EslEvent) => {
        const text = reply.getHeader('Reply-Text') ?? '';
        if (!text.startsWith('+OK')) {
          eslLog('error', `ESL subscription refused: ${text}`);
          this.retry(c);
          return;
        }
        this.reconnect.succeeded();
        this.ready = true;
        this.touch();
        this.emit('up');
      });
    });
    // Every frame (events, replies, the disconnect notice) straight to us, not through EventEmitter2's wildcard tree.
    handleFramesDirectly(c, (evt: EslEvent, headers: Record<string, string>) => {
      if (c !== this.conn) return;
      this.touch();
      const type = headers['Content-Type'] ?? '';
      if (type === 'text/disconnect-notice') {
        this.retry(c, evt.getBody().trim() || 'disconnect notice');
        return;
      }
      if (!type.startsWith('text/event-')) return;
      const h = headersOf(evt);
      if (h['Event-Name'] === 'BACKGROUND_JOB') {
        const done = this.jobs.get(h['Job-UUID']);
        if (done) {
          this.jobs.delete(h['Job-UUID']);
          done(evt.getBody());
        }
      }
      this.emit('event', h);
    });
    c.on('esl::end', () => {
      if (c === this.conn) this.retry(c, 'connection closed');
    });
  }

  private touch(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    const ms = this.opts.silenceMs ?? 65000;
    const c = this.conn;
    this.silenceTimer = setTimeout(() => {
      eslLog('warn', `ESL: nothing from FreeSWITCH for ${ms} ms, reconnecting`);
      if (c) this.retry(c, 'silence');
    }, ms);
    this.silenceTimer.unref();
  }

  private lost(reason: string): void {
    for (const done of this.jobs.values()) done(`-ERR CONNECTION_LOST ${reason}\n`);
    this.jobs.clear();
    // api replies of a lost connection never come: fail them now, not at their time-out.
    for (const fail of this.apis) fail(new Error(`FreeSWITCH 连接已断开（${reason}）`));
    this.apis.clear();
    if (this.ready) {
      this.ready = false;
      this.emit('down', reason);
    }
  }

  private retry(c: EslConnection, reason = 'connection failed'): void {
    if (c !== this.conn) return;
    this.conn = null;
    try {
      c.socket?.destroy();
    } catch {
      /* ignore */
    }
    this.lost(reason);
    this.reconnect.failed();
  }

  /** `api <command>`; rejects when not connected or when no reply comes in time. */
  api(command: string): Promise<string> {
    const c = this.conn;
    if (/[\r\n]/.test(command)) return Promise.reject(new Error('ESL 命令不能含换行'));
    if (!c || !this.ready) return Promise.reject(new Error('FreeSWITCH 未连接'));
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(t);
        this.apis.delete(fail);
        reject(err);
      };
      const t = setTimeout(() => fail(new Error(`api ${command}: 超时`)), this.opts.apiTimeoutMs ?? 5000);
      this.apis.add(fail);
      c.api(command, (e: EslEvent) => {
        clearTimeout(t);
        this.apis.delete(fail);
        resolve(e.getBody());
      });
    });
  }

  /** `bgapi <command>` with our own Job-UUID; resolves with the BACKGROUND_JOB body. */
  bgapi(command: string, args: string, timeoutMs: number): Promise<string> {
    const c = this.conn;
    if (/[\r\n]/.test(command + args)) return Promise.reject(new Error('ESL 命令不能含换行'));
    if (!c || !this.ready) return Promise.reject(new Error('FreeSWITCH 未连接'));
    const job = crypto.randomUUID();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.jobs.delete(job);
        resolve('-ERR JOB_TIMEOUT\n');
      }, timeoutMs);
      this.jobs.set(job, (body) => {
        clearTimeout(t);
        resolve(body);
      });
      c.sendRecv(`bgapi ${command} ${args}`, { 'Job-UUID': job }, (reply: EslEvent) => {
        const text = reply.getHeader('Reply-Text') ?? '';
        if (!text.startsWith('+OK')) {
          const done = this.jobs.get(job);
          this.jobs.delete(job);
          clearTimeout(t);
          done?.(`${text}\n`);
        }
      });
    });
  }
}
