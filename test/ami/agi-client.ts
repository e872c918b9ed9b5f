// Asterisk's side of a FastAGI session, for tests: connects to the app as the dialplan's
// AGI(agi://…) does, sends the agi_* environment and answers each command the way
// Asterisk 22 does (`200 result=…`, `HANGUP` when the caller hangs up, then the close).
import net from 'node:net';

export interface AgiCallScript {
  uniqueid: string;
  callerid: string;
  extension?: string;
  /** What the caller keys at each GET DATA, in order; null = nothing (timeout). */
  keys?: (string | null)[];
  /** QUEUESTATUS after Queue() returns; '' = unset (an agent took the call). */
  queueStatus?: string;
  /** Channel variables already set (e.g. HOTLINE_STEP of a call the dialplan hands back). */
  variables?: Record<string, string>;
  /** Arguments of the AGI() call (agi_arg_1 …), e.g. ['resume']. */
  args?: string[];
  /** The caller hangs up when this command arrives (instead of its reply). */
  hangupOn?: (command: string) => boolean;
  /** Asterisk's reply to a command instead of the usual one (e.g. `200 result=-1 (randomerror) endpos=0`, a key during a prompt), or null. */
  replyWith?: (command: string) => string | null;
  /** Applications not loaded on this Asterisk: `EXEC` answers `200 result=-2` (e.g. ['MixMonitor']). */
  missingApps?: readonly string[];
  /** MixMonitor cannot open its file (folder missing or not writable): it returns 0, and no file appears. */
  recordingsUnwritable?: boolean;
}

export class AgiTestCall {
  readonly commands: string[] = [];
  closed: Promise<void>;
  private sock: net.Socket;
  private buf = '';
  private gone = false;
  /** The caller hung up: Asterisk answers 511 to what follows. */
  private dead = false;
  /** The channel's variables, as SET VARIABLE left them. */
  readonly variables: Map<string, string>;
  /** Files on the Asterisk host that this call's recordings wrote. */
  readonly files = new Set<string>();

  constructor(port: number, private s: AgiCallScript) {
    this.variables = new Map(Object.entries(s.variables ?? {}));
    if (s.queueStatus) this.variables.set('QUEUESTATUS', s.queueStatus);
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setEncoding('utf8');
    this.closed = new Promise((r) => this.sock.on('close', () => r()));
    this.sock.on('error', () => undefined);
    this.sock.on('connect', () => {
      const env: [string, string][] = [
        ['agi_network', 'yes'], ['agi_network_script', 'hotline'], ['agi_request', 'agi://127.0.0.1:4573/hotline'],
        ['agi_channel', `PJSIP/trunk-${s.uniqueid}`], ['agi_language', 'zh'], ['agi_type', 'PJSIP'], ['agi_uniqueid', s.uniqueid],
        ['agi_version', '22.10.1'], ['agi_callerid', s.callerid], ['agi_calleridname', 'unknown'], ['agi_context', 'hotline-inbound'],
        ['agi_extension', s.extension ?? '12345'], ['agi_priority', '2'], ['agi_enhanced', '0.0'], ['agi_threadid', '140000000000'],
      ];
      (s.args ?? []).forEach((a, i) => env.push([`agi_arg_${i + 1}`, a]));
      this.sock.write(env.map(([k, v]) => `${k}: ${v}\n`).join('') + '\n');
    });
    this.sock.on('data', (d: string) => this.onData(d));
  }

  private onData(d: string): void {
    this.buf += d;
    let at: number;
    while ((at = this.buf.indexOf('\n')) >= 0) {
      const cmd = this.buf.slice(0, at).trim();
      this.buf = this.buf.slice(at + 1);
      if (!cmd || this.gone) continue;
      this.commands.push(cmd);
      if (this.dead) {
        this.sock.write('511 Command Not Permitted on a dead channel or intercepted\n');
        continue;
      }
      if (this.s.hangupOn?.(cmd)) {
        this.callerHangsUp(cmd);
        continue;
      }
      this.sock.write(`${this.reply(cmd)}\n`);
      if (cmd === 'HANGUP') this.end();
    }
  }

  /**
   * The caller hangs up: as Asterisk 22 does, the running command fails first (`result=-1`),
   * then the script is told (`HANGUP`); commands after that get 511 until the script ends.
   */
  callerHangsUp(running?: string): void {
    if (this.gone) return;
    if (running) this.sock.write(running.startsWith('RECORD FILE') ? '200 result=-1 (hangup) endpos=8000\n' : '200 result=-1\n');
    this.sock.write('HANGUP\n');
    this.dead = true;
    setTimeout(() => this.end(), 50);
  }

  private end(): void {
    this.gone = true;
    this.sock.end();
  }

  private reply(cmd: string): string {
    const verb = cmd.split(' ').slice(0, 2).join(' ');
    const failed = this.s.replyWith?.(cmd);
    if (failed) return failed;
    if (cmd === 'CHANNEL STATUS') return '200 result=6';
    if (cmd === 'ANSWER') return '200 result=0';
    if (verb === 'STREAM FILE') return '200 result=0 endpos=8000';
    if (verb === 'GET DATA') {
      const k = (this.s.keys ?? []).shift() ?? null;
      return k === null ? '200 result= (timeout)' : `200 result=${k}`;
    }
    if (verb === 'SET VARIABLE') {
      const m = /^SET VARIABLE (\S+) "?(.*?)"?$/.exec(cmd);
      if (m) this.variables.set(m[1], m[2]);
      return '200 result=1';
    }
    if (verb === 'GET VARIABLE') {
      const v = this.variables.get(cmd.slice('GET VARIABLE '.length));
      return v === undefined ? '200 result=0' : `200 result=1 (${v})`;
    }
    if (verb === 'RECORD FILE') return '200 result=35 (dtmf) endpos=16000';
    if (verb === 'GET FULL') {
      const stat = /^GET FULL VARIABLE "\$\{STAT\(e,(.*)\)\}"$/.exec(cmd);
      if (stat) return `200 result=1 (${this.files.has(stat[1]) ? 1 : 0})`;
    }
    if (cmd.startsWith('EXEC ') && this.s.missingApps?.includes(cmd.split(' ')[1])) return '200 result=-2';
    if (verb === 'EXEC MixMonitor') {
      if (!this.s.recordingsUnwritable) this.files.add(/^EXEC MixMonitor "([^"]*)"/.exec(cmd)?.[1] ?? '');
      return '200 result=0';
    }
    if (verb === 'EXEC Queue' && !this.variables.has('QUEUESTATUS')) {
      // An operator took the call and hung up first: as Asterisk 22 does, Queue() ends the bridge
      // with -1 (the caller still there) unless its option `c` was given; with it, 0 and
      // QUEUESTATUS=CONTINUE.
      const options = /^EXEC Queue "?[^,"]*,([^,"]*)/.exec(cmd)?.[1] ?? '';
      if (!options.includes('c')) return '200 result=-1';
      this.variables.set('QUEUESTATUS', 'CONTINUE');
      return '200 result=0';
    }
    if (cmd.startsWith('EXEC ')) return '200 result=0';
    if (cmd === 'HANGUP') return '200 result=1';
    return '510 Invalid or unknown command';
  }
}
