// The AMI connection on asterisk-manager 0.2.0, with what the library does not do:
// - login with our own callback (a wrong secret is then an error, not a silent close);
// - events switched on with the `Events` action after login (the library's login sends
//   `Event:`, which Asterisk ignores) and a whitelist `Filter` per event the adapter uses;
// - our own ActionIDs, a time-out on every action, list actions collected up to `…Complete`;
// - reconnect with exponential backoff and a new login (the library's keepConnected()
//   only works before the first connect and retries every 10–60 s), a Ping watchdog;
// - actions in flight when the connection drops fail at once (the library drops them);
// - a malformed message or a throwing listener is logged, never a crash.
import AsteriskManager from 'asterisk-manager';
import { EventEmitter } from 'node:events';
import { Backoff, Reconnector } from '../reconnect';

export type AmiMessage = Record<string, unknown>;

export type AmiLogger = (level: 'info' | 'warn' | 'error', message: string) => void;
let log: AmiLogger = (level, message) => {
  if (level !== 'info') console.error(`[AMI] ${level}: ${message}`);
};
export function setAmiLogger(l: AmiLogger): void {
  log = l;
}
export const amiLog: AmiLogger = (level, message) => log(level, message);

/** An action the switch refused (`Response: Error`), or one that got no answer. */
export class AmiError extends Error {
  constructor(message: string, readonly response: AmiMessage | null) {
    super(message);
    this.name = 'AmiError';
  }
}

/** A header as a string: the first of repeated headers, '' when absent or not text. */
export function field(m: AmiMessage, name: string): string {
  const v = m[name.toLowerCase()];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}

export interface AmiOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Event names the session receives (one whitelist `Filter` each). */
  events: readonly string[];
  backoff?: Backoff;
  actionTimeoutMs?: number;
  /** A Ping every so often; no Pong in time = the connection is treated as lost. 0 = off. */
  pingEveryMs?: number;
}

interface ListCollector {
  items: AmiMessage[];
  done: (items: AmiMessage[]) => void;
  fail: (err: Error) => void;
}

/** Emits 'up', 'down' (reason), 'event' (message), 'login_failed' (message). */
export class AmiConnection extends EventEmitter {
  private m: ReturnType<typeof AsteriskManager> | null = null;
  private ready = false;
  private readonly reconnect: Reconnector;
  private seq = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private pending = new Map<string, (err: Error) => void>();
  private lists = new Map<string, ListCollector>();

  constructor(private o: AmiOptions) {
    super();
    this.reconnect = new Reconnector(() => this.connect(), o.backoff ?? { initialMs: 1000, maxMs: 30000 });
  }

  get connected(): boolean {
    return this.ready;
  }

  start(): void {
    this.reconnect.start();
  }

  stop(): void {
    this.reconnect.stop();
    this.lost('适配器已停止', false);
  }

  private connect(): void {
    const m = AsteriskManager(undefined, this.o.host, this.o.username, this.o.secret, true);
    this.m = m;
    m.on('managerevent', (e: AmiMessage) => {
      if (this.m === m) this.onEvent(e);
    });
    m.on('close', () => {
      if (this.m === m) this.lost('AMI 连接已关闭', true);
    });
    m.on('error', (err: Error) => log('warn', `AMI socket: ${err.message}`));
    m.connect(this.o.port, this.o.host, () => {
      if (this.m !== m) return; // given up on while connecting
      // asterisk-manager's login has no time-out: a switch that accepts the TCP connection
      // and never answers would leave us waiting for ever.
      const loginTimer = setTimeout(() => {
        if (this.m === m && !this.ready) this.lost('AMI 登录超时', true);
      }, this.o.actionTimeoutMs ?? 10000);
      loginTimer.unref();
      m.login((err) => {
        clearTimeout(loginTimer);
        if (this.m !== m) return;
        if (err) {
          // Asterisk closes the connection itself after a failed login; the close retries.
          const message = field(err, 'message') || 'Authentication failed';
          log('error', `AMI login as ${this.o.username} refused: ${message}`);
          this.emit('login_failed', message);
          return;
        }
        void this.afterLogin(m);
      });
    });
  }

  private async afterLogin(m: ReturnType<typeof AsteriskManager>): Promise<void> {
    try {
      // Only what the adapter reads: a busy switch sends dozens of events per call.
      for (const name of this.o.events) await this.send(m, { action: 'Filter', operation: 'Add', filter: `Event: ${name}` });
      await this.send(m, { action: 'Events', eventmask: 'on' });
    } catch (err) {
      log('error', `AMI session set-up failed: ${(err as Error).message}`);
      this.lost(`AMI 会话设置失败：${(err as Error).message}`, true);
      return;
    }
    if (this.m !== m) return;
    this.reconnect.succeeded();
    this.ready = true;
    this.armPing();
    this.emit('up');
  }

  private armPing(): void {
    const every = this.o.pingEveryMs ?? 20000;
    if (!every) return;
    this.pingTimer = setInterval(() => {
      this.action({ action: 'Ping' }, Math.min(every, 5000)).catch((err: Error) => {
        if (!this.ready) return;
        log('warn', `AMI ping unanswered (${err.message}): reconnecting`);
        this.lost('AMI 无响应', true);
      });
    }, every);
    this.pingTimer.unref();
  }

  /** Forget the connection; fail what was in flight; reconnect unless stopped. */
  private lost(reason: string, retry: boolean): void {
    const m = this.m;
    this.m = null;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (m) {
      m.removeAllListeners('managerevent');
      m.removeAllListeners('close');
      m.disconnect();
    }
    for (const fail of [...this.pending.values()]) fail(new AmiError(`AMI 连接已断开（${reason}）`, null));
    this.pending.clear();
    for (const l of [...this.lists.values()]) l.fail(new AmiError(`AMI 连接已断开（${reason}）`, null));
    this.lists.clear();
    const was = this.ready;
    this.ready = false;
    if (was) this.emit('down', reason);
    if (retry) this.reconnect.failed();
  }

  private onEvent(e: AmiMessage): void {
    try {
      const id = field(e, 'actionid');
      const list = id ? this.lists.get(id) : undefined;
      if (list && field(e, 'event') !== 'OriginateResponse') {
        if (field(e, 'eventlist').toLowerCase() === 'complete' || /Complete$/.test(field(e, 'event'))) {
          this.lists.delete(id);
          list.done(list.items);
        } else list.items.push(e);
        return;
      }
      this.emit('event', e);
    } catch (err) {
      log('error', `AMI event ${field(e, 'event') || '?'} skipped: ${(err as Error).message}`);
    }
  }

  override emit(name: string | symbol, ...args: unknown[]): boolean {
    // A listener that throws must not take the connection (or the process) down.
    for (const l of this.listeners(name)) {
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (err) {
        log('error', `AMI listener for ${String(name)} failed: ${(err as Error).message}`);
      }
    }
    return this.listenerCount(name) > 0;
  }

  private send(m: ReturnType<typeof AsteriskManager>, req: Record<string, unknown>, timeoutMs = this.o.actionTimeoutMs ?? 10000, actionId?: string): Promise<AmiMessage> {
    const id = actionId ?? `hl-${process.pid}-${++this.seq}`;
    return new Promise<AmiMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        m.removeAllListeners(id);
        reject(new AmiError(`AMI ${String(req.action)} 超时（${timeoutMs} ms 无响应）`, null));
      }, timeoutMs);
      this.pending.set(id, (err) => {
        clearTimeout(timer);
        reject(err);
      });
      m.action({ ...req, actionid: id }, (err, res) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        if (err) reject(new AmiError(`${String(req.action)}: ${field(err, 'message') || 'Error'}`, err));
        else resolve(res ?? {});
      });
    });
  }

  /** One action; resolves with the response, rejects with AmiError on `Response: Error`, time-out or disconnect. */
  action(req: Record<string, unknown>, timeoutMs?: number, actionId?: string): Promise<AmiMessage> {
    if (!this.ready || !this.m) return Promise.reject(new AmiError('AMI 未连接', null));
    return this.send(this.m, req, timeoutMs, actionId);
  }

  /** A list action (CoreShowChannels, QueueStatus, Status): the items up to the `…Complete` event. */
  async list(req: Record<string, unknown>, timeoutMs = this.o.actionTimeoutMs ?? 10000): Promise<AmiMessage[]> {
    if (!this.ready || !this.m) throw new AmiError('AMI 未连接', null);
    const id = `hl-${process.pid}-${++this.seq}`;
    let timer: NodeJS.Timeout | undefined;
    const items = new Promise<AmiMessage[]>((resolve, reject) => {
      this.lists.set(id, { items: [], done: resolve, fail: reject });
      timer = setTimeout(() => {
        this.lists.delete(id);
        reject(new AmiError(`AMI ${String(req.action)} 列表超时`, null));
      }, timeoutMs);
    });
    items.catch(() => undefined);
    try {
      await this.send(this.m, req, timeoutMs, id);
      return await items;
    } catch (err) {
      this.lists.delete(id);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
