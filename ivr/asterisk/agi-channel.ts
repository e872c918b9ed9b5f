// CallChannel over one FastAGI session: the dialplan's `AGI(agi://app:4573/hotline)`
// hands the call to the app, which runs the same flow as on FreeSWITCH (ivr/flows/).
// Commands go one at a time, each answered by one `200 result=…` line; `HANGUP` arrives
// by itself when the caller hangs up (FastAGI's SIGHUP), `511` means the channel is gone.
// `result=-1` is ambiguous on Asterisk: the caller hung up, or the command failed on a
// live channel (a sound file that does not exist, `RECORD FILE … BEEP` without a `beep`
// sound, a recording folder that cannot be written). It is told apart by asking
// `CHANNEL STATUS` (511 on a dead channel): a hang-up fails the step with CallerHungUp, a
// failed recording with RecordingFailed, a prompt that cannot be played is logged.
import net from 'node:net';
import { CallChannel, CallStep, CallerHungUp, CollectDigits, MessageReason, QueueResult, RecordingFailed } from '../channel';
import { PromptKey } from '../prompts';
import { amiLog } from './ami';

export interface AgiReply {
  code: number;
  result: string;
  /** The text after the result, e.g. "(timeout)" or "endpos=1234". */
  data: string;
}

/** Parses one reply line: `200 result=123 (timeout)`, `510 Invalid or unknown command`. */
export function parseAgiReply(line: string): AgiReply | null {
  const m = /^(\d{3})[ -](?:result=(\S*)\s*)?(.*)$/.exec(line.trim());
  if (!m) return null;
  return { code: Number(m[1]), result: m[2] ?? '', data: m[3] ?? '' };
}

/** An AGI argument: quoted, with quotes and backslashes escaped; no line breaks. */
export function agiArg(v: string): string {
  return `"${v.replace(/[\r\n]/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Queue() ended without an agent (QUEUESTATUS). */
const NOT_BRIDGED = new Set(['TIMEOUT', 'FULL', 'JOINEMPTY', 'LEAVEEMPTY', 'JOINUNAVAIL', 'LEAVEUNAVAIL', 'WITHDRAW']);

export class AgiCallChannel implements CallChannel {
  readonly callId: string;
  readonly caller: string;
  readonly destination: string;
  readonly variables: Readonly<Record<string, string>>;
  hungUp = false;
  private hangupCause = '';
  private buf = '';
  /** The reply to the last command other than the status probe. */
  private lastReply: AgiReply | null = null;
  private waiting: { resolve: (r: AgiReply) => void; reject: (e: Error) => void } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private endWaiters: ((cause: string) => void)[] = [];
  onHangup: (cause: string) => void = () => undefined;
  /** Called when a RECORD FILE ends (finished, or cut by the hang-up), with the recording's path. */
  onRecorded: (path: string) => void = () => undefined;
  /** Queue() ended with the caller still there and no agent (QUEUESTATUS TIMEOUT, LEAVEEMPTY, …). */
  onQueueLeftAlive: () => void = () => undefined;

  constructor(private sock: net.Socket, env: Record<string, string>, rest: string, private o: { promptsDir: string; queueMaxWaitS: number }) {
    this.callId = env.agi_uniqueid ?? '';
    this.caller = env.agi_callerid ?? '';
    this.destination = env.agi_extension ?? '';
    this.variables = env;
    this.buf = rest;
    sock.on('data', (d: string) => this.onData(d));
    sock.on('close', () => this.markHungUp('NORMAL_CLEARING'));
    sock.on('error', (err) => amiLog('warn', `AGI socket of ${this.callId}: ${err.message}`));
    if (rest) this.onData('');
  }

  private onData(d: string): void {
    this.buf += d;
    let at: number;
    while ((at = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, at).replace(/\r$/, '');
      this.buf = this.buf.slice(at + 1);
      if (!line) continue;
      if (line === 'HANGUP') {
        this.markHungUp('NORMAL_CLEARING');
        continue;
      }
      const r = parseAgiReply(line);
      // Usage text of a 520 reply spans several lines; only its last line ("520 End …") counts.
      if (!r || (r.code === 520 && !line.startsWith('520 '))) continue;
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(r);
    }
  }

  markHungUp(cause: string): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.hangupCause = cause;
    this.waiting?.reject(new CallerHungUp(cause));
    this.waiting = null;
    for (const w of this.endWaiters.splice(0)) w(cause);
    this.onHangup(cause);
  }

  /** Writes one command and waits for its one reply line. */
  private async send(text: string): Promise<AgiReply> {
    if (this.hungUp) throw new CallerHungUp(this.hangupCause);
    const reply = new Promise<AgiReply>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    this.sock.write(`${text}\n`);
    const r = await reply;
    if (!text.startsWith('CHANNEL STATUS')) this.lastReply = r;
    if (r.code === 511) {
      this.markHungUp('NORMAL_CLEARING');
      throw new CallerHungUp(this.hangupCause);
    }
    return r;
  }

  /**
   * Sends one command and waits for its reply; commands never overlap. A `result=-1` on a
   * channel that is still up comes back as it is (`failed`), for the step to decide.
   */
  command(text: string): Promise<AgiReply & { failed: boolean }> {
    const run = async (): Promise<AgiReply & { failed: boolean }> => {
      const r = await this.send(text);
      if (r.code !== 200) throw new Error(`Asterisk 拒绝 AGI 命令 ${text.split(' ')[0]}：${r.code} ${r.data}`);
      if (r.result !== '-1') return { ...r, failed: false };
      // Hung up, or failed on a live channel? Only the channel's status tells (511 when dead).
      if (/^\(hangup\)/.test(r.data)) {
        this.markHungUp('NORMAL_CLEARING');
        throw new CallerHungUp(this.hangupCause);
      }
      const status = await this.send('CHANNEL STATUS');
      if (status.code !== 200 || status.result === '-1') {
        this.markHungUp('NORMAL_CLEARING');
        throw new CallerHungUp(this.hangupCause);
      }
      return { ...r, failed: true };
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private prompt(key: PromptKey): string {
    // Asterisk takes sound files without the extension.
    return `${this.o.promptsDir}/${key}`;
  }

  /** A step that must not fail on a live channel. */
  private async must(text: string): Promise<AgiReply> {
    const r = await this.command(text);
    if (r.failed) throw new Error(`Asterisk AGI 命令失败：${text.split(' ').slice(0, 2).join(' ')}（${r.code} result=-1 ${r.data}）`);
    return r;
  }

  async answer(): Promise<void> {
    await this.must('ANSWER');
  }

  /**
   * Starts MixMonitor, and makes sure it records: `EXEC` of an application that is not loaded
   * answers `200 result=-2` (app_mixmonitor missing, or not loaded because func_periodic_hook is
   * missing), and MixMonitor returns before its thread opens the file, saying nothing when it
   * cannot (a folder missing or not writable: only "Cannot open" in Asterisk's log). Asterisk is
   * asked whether the file is there (`STAT()` runs where the file is written). RecordingFailed
   * when the whole call is not being recorded.
   */
  async recordSession(path: string): Promise<void> {
    const r = await this.command(`EXEC MixMonitor ${agiArg(path)}`);
    if (r.result === '-2') throw new RecordingFailed(path, 'MixMonitor is not loaded on Asterisk (app_mixmonitor, which needs func_periodic_hook)');
    if (r.failed) throw new RecordingFailed(path, `EXEC MixMonitor: ${r.code} result=-1 ${r.data}`.trim());
    for (let wait = 50; ; wait *= 2) {
      if (await this.fileExists(path)) return;
      if (wait > 800) throw new RecordingFailed(path, `MixMonitor started but wrote no file ${path} (is the folder there and writable by Asterisk?)`);
      await new Promise((res) => setTimeout(res, wait));
    }
  }

  /** Whether a file exists where Asterisk runs. */
  async fileExists(path: string): Promise<boolean> {
    const r = await this.must(`GET FULL VARIABLE ${agiArg(`\${STAT(e,${path})}`)}`);
    return r.result === '1' && r.data === '(1)';
  }

  async play(prompt: PromptKey): Promise<void> {
    const r = await this.command(`STREAM FILE ${agiArg(this.prompt(prompt))} ""`);
    // The caller is still there: go on with the call (the start-up prompt check reports missing files).
    if (r.failed) amiLog('error', `prompt ${this.prompt(prompt)} could not be played on ${this.callId}`);
  }

  async collect(req: CollectDigits): Promise<string | null> {
    const re = new RegExp(req.pattern);
    if (req.intro) {
      // STREAM FILE with escape digits: a key stops the intro and is the caller's answer (ASCII code in result).
      const escape = req.max === 1 ? '0123456789*#' : '';
      const r = await this.command(`STREAM FILE ${agiArg(this.prompt(req.intro))} "${escape}"`);
      if (r.failed) amiLog('error', `prompt ${this.prompt(req.intro)} could not be played on ${this.callId}`);
      const code = Number(r.result);
      if (!r.failed && code > 0) {
        const digit = String.fromCharCode(code);
        if (re.test(digit)) {
          await this.setVariable(req.variable, digit);
          return digit;
        }
        await this.play('invalid');
      }
    }
    for (let i = 0; i < req.tries; i++) {
      const r = await this.command(`GET DATA ${agiArg(this.prompt(req.prompt))} ${req.timeoutMs} ${req.max}`);
      // A prompt that cannot be played makes GET DATA fail at once: count it as nothing keyed.
      if (r.failed) amiLog('error', `prompt ${this.prompt(req.prompt)} could not be played on ${this.callId}`);
      const digits = r.failed ? '' : r.result;
      if (digits.length >= req.min && re.test(digits)) {
        await this.setVariable(req.variable, digits);
        return digits;
      }
      // Nothing keyed on the last try is not "invalid": the flow decides what follows.
      if (i < req.tries - 1 || digits) await this.play('invalid');
    }
    return null;
  }

  async recordMessage(path: string, maxSeconds: number): Promise<void> {
    const dot = path.lastIndexOf('.');
    const [file, format] = dot > path.lastIndexOf('/') ? [path.slice(0, dot), path.slice(dot + 1)] : [path, 'wav'];
    // RECORD FILE <file> <format> <escape digits> <timeout ms> [BEEP] s=<silence seconds>
    const record = (beep: boolean) => this.command(`RECORD FILE ${agiArg(file)} ${format} "#" ${maxSeconds * 1000}${beep ? ' BEEP' : ''} s=4`);
    let r: AgiReply & { failed: boolean };
    try {
      r = await record(true);
      // "(randomerror)": the tone could not be played (no `beep` sound on this Asterisk); record without it.
      if (r.failed && /randomerror/.test(r.data)) {
        amiLog('warn', `RECORD FILE … BEEP failed on ${this.callId} (${r.data}): recording without the tone`);
        r = await record(false);
      }
    } catch (err) {
      if (!(err instanceof CallerHungUp)) throw err;
      // Cut by the hang-up once the file was open ("(hangup)"/"(waitfor)" with endpos): what was said is kept.
      // Gone during the tone, before any file: nothing was recorded.
      if (!/^\((hangup|waitfor)\)/.test(this.lastReply?.data ?? '')) throw new RecordingFailed(path, 'the caller hung up before the recording began');
      this.onRecorded(path);
      throw err;
    }
    if (r.failed) throw new RecordingFailed(path, `RECORD FILE: ${r.code} result=-1 ${r.data}`.trim());
    this.onRecorded(path);
  }

  async setVariable(name: string, value: string): Promise<void> {
    await this.must(`SET VARIABLE ${name} ${agiArg(value)}`);
  }

  /** The step, on the channel: the dialplan hands the call back to the app (or its fallback) from there. */
  async checkpoint(step: CallStep, reason?: MessageReason): Promise<void> {
    if (reason) await this.must(`SET VARIABLE HOTLINE_MESSAGE_REASON ${reason}`);
    await this.must(`SET VARIABLE HOTLINE_STEP ${step}`);
  }

  /** A channel variable ('' when unset). */
  async getVariable(name: string): Promise<string> {
    const r = await this.must(`GET VARIABLE ${name}`);
    return r.result === '1' ? r.data.replace(/^\((.*)\)$/, '$1') : '';
  }

  /** How the last Queue() ended, from QUEUESTATUS. */
  async queueResult(): Promise<QueueResult> {
    const status = await this.getVariable('QUEUESTATUS');
    if (NOT_BRIDGED.has(status)) {
      this.onQueueLeftAlive();
      return { bridged: false, cancelReason: status };
    }
    return { bridged: true, cancelReason: null };
  }

  async enterQueue(queue: string): Promise<QueueResult> {
    // Queue(queue,options,URL,announce,timeout): returns when the caller leaves the queue. Option
    // `c`: after a bridged call the caller comes back with QUEUESTATUS=CONTINUE. Without it Asterisk's
    // bridge ends with -1 whoever hung up (features.c ast_bridge_call), Queue() answers `200 result=-1`
    // for every answered call, and a caller still there after the operator hung up looked like a
    // failed command.
    await this.must(`EXEC Queue ${agiArg(`${queue},c,,,${this.o.queueMaxWaitS}`)}`);
    const r = await this.queueResult();
    // Bridged, and the agent hung up first: end the call as hangup_after_bridge does on FreeSWITCH.
    if (r.bridged) await this.hangup();
    return r;
  }

  ended(): Promise<string> {
    if (this.hungUp) return Promise.resolve(this.hangupCause);
    return new Promise((r) => this.endWaiters.push(r));
  }

  async hangup(): Promise<void> {
    if (this.hungUp) return;
    try {
      await this.command('HANGUP');
    } catch (err) {
      if (!(err instanceof CallerHungUp)) throw err;
    }
    this.markHungUp('NORMAL_CLEARING');
  }

  close(): void {
    this.sock.end();
  }

  /** Drops the connection at once (the app stops or dies: the call stays with Asterisk). */
  destroy(): void {
    this.sock.destroy();
  }
}
