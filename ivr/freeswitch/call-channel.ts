// CallChannel over one FreeSWITCH outbound-socket session (modesl connection).
// Each verb is `sendmsg <uuid>` + `call-command: execute` with our own Event-UUID; it
// finishes on the CHANNEL_EXECUTE_COMPLETE that echoes it as Application-UUID, or fails
// with CallerHungUp on CHANNEL_HANGUP. Events only arrive between commands, so a
// completion can come after the reply to a later command: nothing here depends on order.
// Channel variables and mod_db entries are not applications: they go as `api` commands on the
// same socket (see `apiNow`), in order before the next command, with no completion to wait for.
import crypto from 'node:crypto';
import { CallChannel, CallStep, CallerHungUp, CollectDigits, MessageReason, QueueResult } from '../channel';
import { PromptKey, promptFile } from '../prompts';
import { EslConnection, EslEvent, headersOf, eslLog } from './modesl';

/** mod_db realms the dialplan and the app leave for a restarted app (see checkpoint). */
export const OUTBOX_MESSAGES = 'hotline_message';
export const OUTBOX_FALLBACK = 'hotline_fallback';

type Pending = { resolve: (h: Record<string, string>) => void; reject: (e: Error) => void };

export class EslCallChannel implements CallChannel {
  readonly callId: string;
  readonly caller: string;
  readonly destination: string;
  readonly variables: Readonly<Record<string, string>>;
  hungUp = false;
  private hangupCause = '';
  private pending = new Map<string, Pending>();
  private endWaiters: ((cause: string) => void)[] = [];
  /** Called for each DTMF digit (the adapter reports them as call events). */
  onDtmf: (digit: string) => void = () => undefined;
  /** Called once when the channel is gone (hang-up or socket closed). */
  onHangup: (cause: string) => void = () => undefined;
  /**
   * Whether an operator took this caller although mod_callcenter let them go at the queue's longest wait
   * (cc_cancel_reason TIMEOUT): set by the adapter, which reads the queue's offers on its event connection.
   */
  takenAtTimeout: () => Promise<boolean> = async () => false;
  /** When the last step completed (its event arrived), until the next command is sent. */
  private completedAt: number | null = null;
  /** Measures event → next command (ms); set by the benchmark. */
  onCommandLatency: ((ms: number) => void) | null = null;

  constructor(private conn: EslConnection, private promptsDir: string) {
    const info = headersOf(conn.getInfo() as EslEvent);
    this.callId = info['Unique-ID'] ?? '';
    this.caller = info['Caller-Caller-ID-Number'] ?? '';
    this.destination = info['Caller-Destination-Number'] ?? '';
    this.variables = channelVariables(info);
  }

  /** Feed every event of this connection here. */
  handleEvent(h: Record<string, string>): void {
    switch (h['Event-Name']) {
      case 'CHANNEL_EXECUTE_COMPLETE': {
        const p = this.pending.get(h['Application-UUID'] ?? '');
        if (p) {
          this.pending.delete(h['Application-UUID']);
          if (this.onCommandLatency) this.completedAt = performance.now();
          p.resolve(h);
        }
        return;
      }
      case 'DTMF':
        if (h['DTMF-Digit']) this.onDtmf(h['DTMF-Digit']);
        return;
      case 'CHANNEL_HANGUP':
      case 'CHANNEL_HANGUP_COMPLETE':
        this.markHungUp(h['Hangup-Cause'] ?? 'NORMAL_CLEARING');
        return;
    }
  }

  private frozen = false;

  /** Test support (a crashed app): nothing on this channel completes or fails any more. */
  freeze(): void {
    this.frozen = true;
    this.pending.clear();
    this.endWaiters = [];
  }

  /** The socket closed or a disconnect notice came: the call is over for us. */
  markHungUp(cause: string): void {
    if (this.hungUp || this.frozen) return;
    this.hungUp = true;
    this.hangupCause = cause;
    for (const p of this.pending.values()) p.reject(new CallerHungUp(cause));
    this.pending.clear();
    for (const w of this.endWaiters) w(cause);
    this.endWaiters = [];
    this.onHangup(cause);
  }

  private execute(app: string, arg = ''): Promise<Record<string, string>> {
    if (this.frozen) return new Promise(() => undefined);
    if (this.hungUp) return Promise.reject(new CallerHungUp(this.hangupCause));
    const eventUuid = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      this.pending.set(eventUuid, { resolve, reject });
      if (this.completedAt !== null && this.onCommandLatency) {
        this.onCommandLatency(performance.now() - this.completedAt);
        this.completedAt = null;
      }
      this.conn.sendRecv(
        `sendmsg ${this.callId}`,
        { 'call-command': 'execute', 'execute-app-name': app, 'execute-app-arg': arg, 'Event-UUID': eventUuid },
        (reply: EslEvent) => {
          const text = reply.getHeader('Reply-Text') ?? '';
          if (text.startsWith('-ERR')) {
            this.pending.delete(eventUuid);
            // The session is gone on the switch's side.
            if (text.includes('invalid session id')) {
              this.markHungUp('NORMAL_CLEARING');
              reject(new CallerHungUp(this.hangupCause));
            } else reject(new Error(`FreeSWITCH 拒绝执行 ${app}：${text}`));
          }
        },
      );
    });
  }

  /**
   * Runs an api command on this socket without waiting for its answer: FreeSWITCH reads the
   * socket's commands in order, so it is done before any command sent after it (the next step's
   * application). Used for what needs no application run on the channel (a variable, a mod_db
   * entry): each `set` or `db` as an application cost a round trip and a CHANNEL_EXECUTE_COMPLETE
   * of 4–5 kB carrying every channel variable, for the switch to write and the app to read. A
   * failure (the channel gone: "-ERR No such channel!") is logged; the hang-up comes as an event.
   */
  private apiNow(command: string): Promise<void> {
    if (this.frozen) return new Promise(() => undefined);
    if (this.hungUp) return Promise.reject(new CallerHungUp(this.hangupCause));
    // A line break would end the command and start another (a caller id is the caller's to choose).
    if (/[\r\n]/.test(command)) return Promise.reject(new Error(`命令含换行，未发送：${JSON.stringify(command.slice(0, 80))}`));
    this.conn.api(command, (reply: EslEvent) => {
      const body = (reply.getBody() ?? '').trim();
      if (body.startsWith('-ERR') && !this.hungUp) eslLog('warn', `${command.split(' ')[0]} on ${this.callId}: ${body}`);
    });
    return Promise.resolve();
  }

  private setNow(name: string, value: string): Promise<void> {
    return this.apiNow(`uuid_setvar ${this.callId} ${name} ${value}`);
  }

  private prompt(key: PromptKey): string {
    return `${this.promptsDir}/${promptFile(key)}`;
  }

  async answer(): Promise<void> {
    await this.execute('answer');
  }

  async recordSession(path: string): Promise<void> {
    await this.execute('record_session', path);
  }

  async play(prompt: PromptKey): Promise<void> {
    await this.execute('playback', this.prompt(prompt));
  }

  async collect(req: CollectDigits): Promise<string | null> {
    // The intro and the prompt as one interruptible prompt (one try: the intro is heard once).
    const intro = req.intro && req.max === 1 && req.tries === 1 ? req.intro : null;
    if (req.intro && !intro) await this.play(req.intro);
    const prompt = intro ? `file_string://${this.prompt(intro)}!${this.prompt(req.prompt)}` : this.prompt(req.prompt);
    const arg = [
      // play_and_get_digits plays its "invalid" file after every failed try, a time-out too: with one
      // try, nothing keyed is no mistake (the menu's default is the operator), so it says nothing.
      req.min, req.max, req.tries, req.timeoutMs, '#', prompt, req.tries > 1 ? this.prompt('invalid') : 'silence_stream://250',
      req.variable, req.pattern, 3000,
    ].join(' ');
    const h = await this.execute('play_and_get_digits', arg);
    const digits = h[`variable_${req.variable}`];
    if (h.variable_read_result === 'success' && digits && new RegExp(req.pattern).test(digits)) return digits;
    // A wrong key on the only try is still told so (FreeSWITCH keeps it in <variable>_invalid).
    if (req.tries === 1 && h[`variable_${req.variable}_invalid`]) await this.play('invalid');
    return null;
  }

  async recordMessage(path: string, maxSeconds: number): Promise<void> {
    await this.setNow('playback_terminators', '#');
    await this.execute('playback', 'tone_stream://%(400,0,800)');
    // record <path> <max seconds> <silence threshold> <silence seconds>
    await this.execute('record', `${path} ${maxSeconds} 200 4`);
  }

  async setVariable(name: string, value: string): Promise<void> {
    await this.setNow(name, value);
  }

  async enterQueue(queue: string): Promise<QueueResult> {
    // mod_callcenter completes the application when an agent is bridged, or when the
    // member leaves the queue without one (cc_cancel_reason, e.g. TIMEOUT).
    const h = await this.execute('callcenter', queue);
    const cancel = h.variable_cc_cancel_reason ?? null;
    // mod_callcenter 1.10.12 looks at the longest wait before it marks an offer as connecting: a caller
    // offered to an operator in that instant leaves with TIMEOUT, and the operator who answers is bridged
    // to them all the same (seen on a real switch under load: the overflow menu then played into the
    // conversation, and the caller went on the call-back list too). Such a caller is with an operator.
    if (cancel === 'TIMEOUT' && (await this.takenAtTimeout())) return { bridged: true, cancelReason: null };
    if (cancel) return { bridged: false, cancelReason: cancel };
    return { bridged: true, cancelReason: null };
  }

  /**
   * The step, on the channel (`hotline_step`): when the app goes away mid-call, the dialplan
   * (freeswitch-conf/dialplan/hotline_resume.xml) hands the call back to the app, or its
   * fallback goes on, from there. Before a message is recorded, its entry goes into mod_db
   * (`hotline_message/<call id>`): a caller who hangs up while speaking ends the call, and a
   * restarted app still files the message (the entry goes once the draft ticket exists).
   */
  async checkpoint(step: CallStep, reason?: MessageReason): Promise<void> {
    if (step === 'message') {
      const epoch = Math.floor(Date.now() / 1000);
      await this.setNow('hotline_message_reason', reason ?? 'caller_choice');
      // The caller id is the caller's to choose: only what a number or SIP user holds goes into the entry.
      const caller = this.caller.replace(/[^0-9A-Za-z+*#._@-]/g, '');
      await this.apiNow(`db insert/${OUTBOX_MESSAGES}/${this.callId}/${epoch}|${reason ?? 'caller_choice'}|${caller}`);
    }
    await this.setNow('hotline_step', step);
  }

  ended(): Promise<string> {
    if (this.hungUp) return Promise.resolve(this.hangupCause);
    return new Promise((r) => this.endWaiters.push(r));
  }

  async hangup(cause = 'NORMAL_CLEARING'): Promise<void> {
    if (this.hungUp) return;
    try {
      await this.execute('hangup', cause);
    } catch (err) {
      if (!(err instanceof CallerHungUp)) throw err;
    }
  }

  /** After the call: FreeSWITCH never closes a lingering socket by itself; say exit. */
  close(): void {
    try {
      this.conn.disconnect();
    } catch (err) {
      eslLog('warn', `closing IVR socket of ${this.callId}: ${(err as Error).message}`);
    }
  }
}

/**
 * The channel variables of the connect reply (`variable_<name>` headers) as a record, read
 * through to the reply's headers: a call's socket reads three or four of its ~100–300 variables,
 * and copying them all was ~50 µs of every call's set-up (bench:ivr's burst sets up 500 at once).
 */
export function channelVariables(info: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const names = (): string[] => Object.keys(info).filter((k) => k.startsWith('variable_')).map((k) => k.slice(9));
  const has = (name: string | symbol): name is string => typeof name === 'string' && Object.hasOwn(info, `variable_${name}`);
  return new Proxy({} as Record<string, string>, {
    get: (_t, name) => (has(name) ? info[`variable_${name}`] : typeof name === 'string' && name !== 'then' && name in Object.prototype ? (Object.prototype as Record<string, unknown>)[name] : undefined),
    has: (_t, name) => has(name),
    ownKeys: () => names(),
    getOwnPropertyDescriptor: (_t, name) => (has(name) ? { value: info[`variable_${name}`], writable: false, enumerable: true, configurable: true } : undefined),
    set: () => false,
    deleteProperty: () => false,
    defineProperty: () => false,
  });
}
