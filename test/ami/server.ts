// An AMI test server that behaves as the recorded Asterisk 22 sessions show
// (../shared/ami-traces): the greeting on connect, key/value blocks, the ActionID echoed
// right after `Response:`, list actions as `EventList: start` + items + `…Complete`,
// `Response: Error` with Asterisk's own messages, a failed login answered after a delay
// and followed by the server closing the connection, `Shutdown` before a restart.
// Behind it a small model of the switch: channels, async originates with their
// `OriginateResponse`, app_queue with dynamic members, and the hotline dialplan's
// survey (`UserEvent SurveyResult`), driven by the test through methods.
import net from 'node:net';
import { AmiBlock, BlockReader, formatBlock, header, headers } from './frames';

export const GREETING = 'Asterisk Call Manager/11.0.0\r\n';

/** What the far end does with an originated call (decided from the request). */
export type DialOutcome =
  | { kind: 'answer'; afterMs?: number; setVars?: Record<string, string>; thenQueue?: string; responseLost?: boolean }
  | { kind: 'busy' | 'congestion' | 'no_answer' | 'no_such_extension'; afterMs?: number }
  /** A SIP leg refused with a final response (486 → cause 17, 603 → 21): Asterisk 22 reports OriginateResponse Reason 0, the cause only in the Hangup. */
  | { kind: 'sip_refused'; cause: number; afterMs?: number };

export interface OriginateRequest {
  channel: string;
  context: string;
  exten: string;
  variables: Record<string, string>;
  timeoutMs: number;
  async: boolean;
  channelId: string | null;
  actionId: string | undefined;
  callerId: string;
}

export interface AmiTestServerOptions {
  username?: string;
  secret?: string;
  /** Asterisk answers a wrong secret after about 1 s (login-and-basic-actions/failed-login). */
  authFailDelayMs?: number;
  /** Decides each originate's fate; default: every call is answered. */
  dial?: (req: OriginateRequest) => DialOutcome;
  /** The survey's dialplan context (asterisk-conf/extensions.conf). */
  surveyContext?: string;
  /**
   * What [hotline-prompt-check] answers: the prompt files it cannot find (default none);
   * `installed: false` = the context is not there (no answer); `formatWav: false` = ModuleCheck fails.
   */
  prompts?: { missing?: string[]; installed?: boolean; formatWav?: boolean; dir?: string };
}

export interface Channel {
  name: string;
  uniqueid: string;
  linkedid: string;
  state: 'Down' | 'Ring' | 'Ringing' | 'Up';
  callerNum: string;
  callerName: string;
  context: string;
  exten: string;
  vars: Record<string, string>;
  application: string;
  /** The other half of a Local pair. */
  peer: string | null;
  /** The bridge the channel is in ('' when none), as CoreShowChannel's BridgeId. */
  bridgeId?: string;
}

export interface QueueMember {
  queue: string;
  iface: string;
  name: string;
  paused: boolean;
  reason: string;
  /** Device state: 1 not in use, 2 in use, 5 unavailable, 6 ringing. */
  status: number;
  inCall: boolean;
  callsTaken: number;
}

interface Session {
  sock: net.Socket;
  reader: BlockReader;
  authed: boolean;
  events: boolean;
  filters: { re: RegExp; exclude: boolean }[];
  received: AmiBlock[];
}

const REASON = { answer: 4, busy: 5, congestion: 8, no_answer: 3, no_such_extension: 0 } as const;
const CAUSE: Record<string, [number, string]> = {
  answer: [16, 'Normal Clearing'], busy: [17, 'User busy'], congestion: [34, 'Circuit/channel congestion'],
  no_answer: [19, 'User alerting, no answer'], no_such_extension: [0, 'Unknown'],
};

export class AmiTestServer {
  private server = net.createServer((s) => this.onConnection(s));
  private sessions = new Set<Session>();
  readonly channels = new Map<string, Channel>();
  readonly members: QueueMember[] = [];
  /** Callers waiting in a queue, in order, by uniqueid. */
  readonly waiting = new Map<string, { queue: string; joinedAt: number; ringing: QueueMember | null }>();
  private seq = 0;
  private uid = 0;
  private timers = new Set<NodeJS.Timeout>();
  /** Every action received, for assertions. */
  readonly actions: AmiBlock[] = [];
  logins = 0;
  /** Members QueueStatus leaves out (a member added between the app's look and its QueueAdd). */
  readonly hiddenFromStatus = new Set<string>();
  /** A hung switch: actions are read but never answered. */
  mute = false;

  constructor(private o: AmiTestServerOptions = {}) {}

  async listen(port = 0): Promise<number> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sessions) s.sock.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Logged-in connections. */
  get connections(): number {
    return [...this.sessions].filter((s) => s.authed).length;
  }

  /** `core restart now`: Shutdown to every session, then the connections close; channels are gone. */
  restart(): void {
    this.broadcast([['Event', 'Shutdown'], ['Privilege', 'system,all'], ['Shutdown', 'Cleanly'], ['Restart', 'True']]);
    for (const s of this.sessions) s.sock.end();
    this.channels.clear();
    this.waiting.clear();
    this.members.splice(0);
  }

  /** The network drops: connections close without a word; the switch keeps its calls. */
  dropConnections(): void {
    for (const s of this.sessions) s.sock.destroy();
  }

  /** Raw bytes to every logged-in client (malformed input tests). */
  sendRaw(data: string): void {
    for (const s of this.sessions) if (s.authed) s.sock.write(data);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onConnection(sock: net.Socket): void {
    const s: Session = { sock, reader: new BlockReader(), authed: false, events: true, filters: [], received: [] };
    this.sessions.add(s);
    sock.setEncoding('utf8');
    sock.write(GREETING);
    sock.on('data', (d: string) => {
      for (const b of s.reader.push(d)) this.onAction(s, b);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.sessions.delete(s));
  }

  private reply(s: Session, req: AmiBlock, response: 'Success' | 'Error' | 'Goodbye', rest: AmiBlock): void {
    const id = header(req, 'ActionID');
    const block: AmiBlock = [['Response', response]];
    if (id !== undefined) block.push(['ActionID', id]);
    s.sock.write(formatBlock([...block, ...rest]));
  }

  private list(s: Session, req: AmiBlock, message: string, items: AmiBlock[], complete: string): void {
    const id = header(req, 'ActionID');
    this.reply(s, req, 'Success', [['EventList', 'start'], ['Message', message]]);
    const withId = (b: AmiBlock): AmiBlock => (id === undefined ? b : [b[0], ['ActionID', id], ...b.slice(1)]);
    for (const it of items) s.sock.write(formatBlock(withId(it)));
    s.sock.write(formatBlock(withId([['Event', complete], ['EventList', 'Complete'], ['ListItems', String(items.length)]])));
  }

  private passes(s: Session, block: AmiBlock): boolean {
    if (!s.authed || !s.events) return false;
    const text = block.map(([k, v]) => `${k}: ${v}`).join('\r\n');
    const include = s.filters.filter((f) => !f.exclude);
    if (include.length && !include.some((f) => f.re.test(text))) return false;
    return !s.filters.some((f) => f.exclude && f.re.test(text));
  }

  /** Sends an event to every session whose filters let it through. */
  broadcast(block: AmiBlock): void {
    for (const s of this.sessions) if (this.passes(s, block)) s.sock.write(formatBlock(block));
  }

  /** AstDB: `/family/key` → value (what the dialplan's Set(DB(…)) writes; kept across restart()). */
  readonly astdb = new Map<string, string>();

  private onAction(s: Session, req: AmiBlock): void {
    this.actions.push(req);
    s.received.push(req);
    if (this.mute) return;
    const action = (header(req, 'Action') ?? '').toLowerCase();
    if (action === 'login') return this.login(s, req);
    if (!s.authed) {
      this.reply(s, req, 'Error', [['Message', 'Permission denied']]);
      return;
    }
    switch (action) {
      case 'ping':
        return this.reply(s, req, 'Success', [['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
      case 'logoff':
        this.reply(s, req, 'Goodbye', [['Message', 'Thanks for all the fish.']]);
        s.sock.end();
        return;
      case 'events': {
        const mask = (header(req, 'EventMask') ?? '').toLowerCase();
        s.events = mask !== 'off' && mask !== '';
        return this.reply(s, req, 'Success', [['Events', s.events ? 'On' : 'Off']]);
      }
      case 'filter': {
        const f = header(req, 'Filter') ?? '';
        if ((header(req, 'Operation') ?? 'Add').toLowerCase() !== 'add' || !f) {
          return this.reply(s, req, 'Error', [['Message', 'Unknown operation']]);
        }
        const exclude = f.startsWith('!');
        s.filters.push({ re: new RegExp(exclude ? f.slice(1) : f), exclude });
        return this.reply(s, req, 'Success', [['Message', 'Filter Added Successfully']]);
      }
      case 'coreshowchannels':
        return this.list(s, req, 'Channels will follow', [...this.channels.values()].map((c) => [
          ['Event', 'CoreShowChannel'], ['Channel', c.name], ['ChannelState', c.state === 'Up' ? '6' : '4'], ['ChannelStateDesc', c.state],
          ['CallerIDNum', c.callerNum], ['CallerIDName', c.callerName], ['Context', c.context], ['Exten', c.exten],
          ['Uniqueid', c.uniqueid], ['Linkedid', c.linkedid], ['Application', c.application], ['BridgeId', c.bridgeId ?? ''],
        ]), 'CoreShowChannelsComplete');
      case 'dbgettree': {
        // AstDB (main/db.c): keys are /family/key, items DBGetTreeResponse, written to the session itself.
        const prefix = `/${header(req, 'Family') ?? ''}${header(req, 'Key') ? `/${header(req, 'Key')}` : ''}`;
        const rows = [...this.astdb].filter(([k]) => k === prefix || k.startsWith(`${prefix}/`));
        return this.list(s, req, 'Result will follow', rows.map(([k, v]) => [['Event', 'DBGetTreeResponse'], ['Key', k], ['Val', v]]), 'DBGetTreeComplete');
      }
      case 'dbdel': {
        const key = `/${header(req, 'Family') ?? ''}/${header(req, 'Key') ?? ''}`;
        if (!this.astdb.delete(key)) return this.reply(s, req, 'Error', [['Message', 'Database entry could not be deleted']]);
        return this.reply(s, req, 'Success', [['Message', 'Key deleted successfully']]);
      }
      case 'status': {
        const name = header(req, 'Channel');
        const chans = name === undefined ? [...this.channels.values()] : [this.channels.get(name)].filter((c): c is Channel => !!c);
        if (name !== undefined && !chans.length) return this.reply(s, req, 'Error', [['Message', 'No such channel']]);
        return this.list(s, req, 'Channel status will follow', chans.map((c) => [['Event', 'Status'], ...this.channelHeaders(c), ['Application', c.application]]), 'StatusComplete');
      }
      case 'originate':
        return this.originate(s, req);
      case 'getvar': {
        const name = header(req, 'Variable') ?? '';
        const chName = header(req, 'Channel');
        if (chName !== undefined) {
          const c = this.channels.get(chName);
          if (!c) return this.reply(s, req, 'Error', [['Message', 'No such channel']]);
          const value = name === 'CHANNEL(state)' ? c.state : (c.vars[name] ?? '');
          return this.reply(s, req, 'Success', [['Variable', name], ['Value', value]]);
        }
        return this.reply(s, req, 'Success', [['Variable', name], ['Value', '']]);
      }
      case 'setvar': {
        const c = this.channels.get(header(req, 'Channel') ?? '');
        if (!c) return this.reply(s, req, 'Error', [['Message', 'No such channel']]);
        const name = header(req, 'Variable') ?? '';
        const value = header(req, 'Value') ?? '';
        c.vars[name] = value;
        this.reply(s, req, 'Success', [['Message', 'Variable Set']]);
        return this.event(c, 'VarSet', [['Variable', name], ['Value', value]]);
      }
      case 'hangup': {
        const c = this.channels.get(header(req, 'Channel') ?? '');
        if (!c) return this.reply(s, req, 'Error', [['Message', 'No such channel']]);
        this.reply(s, req, 'Success', [['Message', 'Channel Hungup']]);
        return this.hangup(c.uniqueid, Number(header(req, 'Cause') ?? 16));
      }
      case 'redirect': {
        const c = this.channels.get(header(req, 'Channel') ?? '');
        if (!c) return this.reply(s, req, 'Error', [['Message', 'No such channel']]);
        c.context = header(req, 'Context') ?? c.context;
        c.exten = header(req, 'Exten') ?? c.exten;
        this.reply(s, req, 'Success', [['Message', 'Redirect successful']]);
        return this.event(c, 'Newexten', [['Application', 'NoOp']]);
      }
      case 'muteaudio': {
        const c = this.channels.get(header(req, 'Channel') ?? '');
        if (!c) return this.reply(s, req, 'Error', [['Message', 'Failed to find channel']]);
        if (!['in', 'out', 'all'].includes(header(req, 'Direction') ?? '') || !['on', 'off'].includes(header(req, 'State') ?? '')) return this.reply(s, req, 'Error', [['Message', 'Invalid direction or state specified']]);
        c.vars.__muted = header(req, 'State') === 'on' ? header(req, 'Direction')! : '';
        return this.reply(s, req, 'Success', []);
      }
      case 'modulecheck':
        if (this.o.prompts?.formatWav === false && /format_wav/.test(header(req, 'Module') ?? '')) return this.reply(s, req, 'Error', [['Message', 'Module not loaded']]);
        return this.reply(s, req, 'Success', [['Version', '']]);
      case 'corestatus':
        return this.reply(s, req, 'Success', [['CoreStartupDate', '2026-11-23'], ['CoreStartupTime', '18:37:05'], ['CoreReloadDate', '2026-11-23'],
          ['CoreReloadTime', '18:37:05'], ['CoreCurrentCalls', String(this.channels.size)], ['CoreProcessedCalls', String(this.uid)]]);
      case 'coresettings':
        return this.reply(s, req, 'Success', [['AMIversion', '11.0.0'], ['AsteriskVersion', '22.10.1'], ['SystemName', ''], ['CoreMaxCalls', '0']]);
      case 'command': {
        const cmd = header(req, 'Command') ?? '';
        const out = cmd === 'core show uptime' ? ['System uptime: 4 seconds', 'Last reload: 4 seconds'] : [`No such command '${cmd}' (type 'core show help ${cmd}' for other possible commands)`];
        return this.reply(s, req, 'Success', [['Message', 'Command output follows'], ...out.map((l): [string, string] => ['Output', l])]);
      }
      case 'queuesummary': {
        const q = header(req, 'Queue');
        const queues = [...new Set(this.members.map((m) => m.queue).concat(q ? [q] : []))].filter((x) => !q || x === q);
        return this.list(s, req, 'Queue summary will follow', queues.map((x) => {
          const ms = this.members.filter((m) => m.queue === x);
          return [['Event', 'QueueSummary'], ['Queue', x], ['LoggedIn', String(ms.length)], ['Available', String(ms.filter((m) => !m.paused && !m.inCall).length)],
            ['Callers', String([...this.waiting.values()].filter((w) => w.queue === x).length)], ['HoldTime', '0'], ['TalkTime', '0'], ['LongestHoldTime', '0']];
        }), 'QueueSummaryComplete');
      }
      case 'queueadd':
        return this.queueAdd(s, req);
      case 'queueremove':
        return this.queueRemove(s, req);
      case 'queuepause':
        return this.queuePause(s, req);
      case 'queuestatus':
        return this.queueStatus(s, req);
      default:
        this.reply(s, req, 'Error', [['Message', `Invalid/unknown command: ${header(req, 'Action') ?? ''}. Use Action: ListCommands to show available commands.`]]);
        this.broadcast([['Event', 'RequestBadFormat'], ['Privilege', 'security,all'], ['Severity', 'Error'], ['Service', 'AMI'], ['RequestType', `Action: ${header(req, 'Action') ?? ''}`]]);
    }
  }

  private login(s: Session, req: AmiBlock): void {
    const ok = header(req, 'Username') === (this.o.username ?? 'hotline') && header(req, 'Secret') === (this.o.secret ?? 'hotline-secret');
    if (!ok) {
      // Asterisk waits about a second, answers, and closes the connection itself.
      this.later(this.o.authFailDelayMs ?? 1000, () => {
        this.reply(s, req, 'Error', [['Message', 'Authentication failed']]);
        s.sock.end();
      });
      return;
    }
    s.authed = true;
    this.logins++;
    // `Events:` is read at login (asterisk-manager sends `Event:`, which Asterisk ignores).
    const ev = header(req, 'Events');
    if (ev !== undefined) s.events = ev.toLowerCase() !== 'off';
    this.reply(s, req, 'Success', [['Message', 'Authentication accepted']]);
    for (const b of [
      [['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', '2'], ['LastReload', '2'], ['Status', 'Fully Booted']],
      [['Event', 'SuccessfulAuth'], ['Privilege', 'security,all'], ['Severity', 'Informational'], ['Service', 'AMI'], ['AccountID', header(req, 'Username') ?? '']],
    ] as AmiBlock[]) if (this.passes(s, b)) s.sock.write(formatBlock(b));
  }

  // ——— channels ———

  private channelHeaders(c: Channel): AmiBlock {
    return [
      ['Channel', c.name], ['ChannelState', c.state === 'Up' ? '6' : c.state === 'Ringing' ? '5' : c.state === 'Ring' ? '4' : '0'],
      ['ChannelStateDesc', c.state], ['CallerIDNum', c.callerNum], ['CallerIDName', c.callerName], ['Language', 'en'],
      ['Context', c.context], ['Exten', c.exten], ['Priority', '1'], ['Uniqueid', c.uniqueid], ['Linkedid', c.linkedid],
    ];
  }

  private event(c: Channel, name: string, extra: AmiBlock = [], privilege = 'call,all'): void {
    const base = this.channelHeaders(c);
    this.broadcast([['Event', name], ['Privilege', privilege], ...base, ...extra]);
  }

  /** A new channel (an inbound call from the trunk, or one leg of an originate). */
  newChannel(o: { name: string; callerNum: string; callerName?: string; context: string; exten: string; uniqueid?: string; linkedid?: string; vars?: Record<string, string>; state?: Channel['state'] }): Channel {
    const uniqueid = o.uniqueid ?? `1795459000.${this.uid++}`;
    const c: Channel = {
      name: o.name, uniqueid, linkedid: o.linkedid ?? uniqueid, state: o.state ?? 'Ring', callerNum: o.callerNum, callerName: o.callerName ?? '',
      context: o.context, exten: o.exten, vars: { ...o.vars }, application: '', peer: null,
    };
    this.channels.set(c.name, c);
    this.event(c, 'Newchannel');
    for (const [k, v] of Object.entries(c.vars)) this.event(c, 'VarSet', [['Variable', k], ['Value', v]]);
    return c;
  }

  byUniqueid(uniqueid: string): Channel | undefined {
    return [...this.channels.values()].find((c) => c.uniqueid === uniqueid);
  }

  setState(c: Channel, state: Channel['state']): void {
    c.state = state;
    this.event(c, 'Newstate');
  }

  /** The channel (and the other half of a Local pair) hangs up. */
  hangup(uniqueid: string, cause = 16): void {
    const c = this.byUniqueid(uniqueid);
    if (!c) return;
    // Queue() returns (abandon / agent complete) before the channel is destroyed.
    this.leaveQueue(c);
    const halves = [c, ...(c.peer && this.channels.get(c.peer) ? [this.channels.get(c.peer)!] : [])];
    for (const h of halves) {
      this.channels.delete(h.name);
      this.event(h, 'Hangup', [['Cause', String(cause)], ['Cause-txt', cause === 16 ? 'Normal Clearing' : 'Unknown']]);
    }
  }

  /** asterisk-conf's [hotline-prompt-check]: the dialplan looks for each prompt file and says which are missing. */
  private promptCheck(s: Session, req: AmiBlock, vars: Record<string, string>): void {
    this.reply(s, req, 'Success', [['Message', 'Originate successfully queued']]);
    if (this.o.prompts?.installed === false) return;
    const names = (vars._HOTLINE_PROMPT_LIST ?? '').split('&').filter(Boolean);
    const missing = names.filter((n) => this.o.prompts?.missing?.includes(n));
    setTimeout(() => this.broadcast([
      ['Event', 'UserEvent'], ['Privilege', 'user,all'], ['Channel', 'Local/check@hotline-prompt-check-00000001;2'], ['Uniqueid', header(req, 'OtherChannelId') ?? ''],
      ['UserEvent', 'HotlinePromptCheck'], ['Missing', missing.map((n) => `${n}&`).join('')], ['Dir', this.o.prompts?.dir ?? '/var/lib/asterisk/sounds/hotline'], ['Checked', String(names.length)],
    ]), 5);
  }

  private originate(s: Session, req: AmiBlock): void {
    const dial = header(req, 'Channel');
    if (!dial) return this.reply(s, req, 'Error', [['Message', 'Channel not specified']]);
    const vars: Record<string, string> = {};
    for (const v of headers(req, 'Variable')) {
      for (const pair of v.split(',')) {
        const at = pair.indexOf('=');
        if (at > 0) vars[pair.slice(0, at)] = pair.slice(at + 1);
      }
    }
    if (dial.startsWith('Local/check@hotline-prompt-check')) return this.promptCheck(s, req, vars);
    const cid = header(req, 'Callerid') ?? '';
    const m = /^"?([^"<]*)"?\s*<([^>]*)>/.exec(cid);
    const r: OriginateRequest = {
      channel: dial, context: header(req, 'Context') ?? '', exten: header(req, 'Exten') ?? '', variables: vars,
      timeoutMs: Number(header(req, 'Timeout') ?? 30000), async: (header(req, 'Async') ?? '').toLowerCase() === 'true',
      channelId: header(req, 'ChannelId') ?? null, actionId: header(req, 'ActionID'), callerId: cid,
    };
    const outcome = this.o.dial?.(r) ?? { kind: 'answer' };
    const n = (this.seq++).toString(16).padStart(8, '0');
    const callerNum = m ? m[2] : cid;
    const callerName = m ? m[1].trim() : '';
    const local = dial.startsWith('Local/');
    const leg = this.newChannel({
      name: local ? `${dial}-${n};1` : `${dial.split('@')[0]}-${n}`, callerNum, callerName, context: r.context, exten: r.exten,
      uniqueid: r.channelId ?? undefined, vars, state: 'Down',
    });
    if (local) {
      const other = this.newChannel({ name: `${dial}-${n};2`, callerNum, callerName, context: dial.slice(6).split('@')[1] ?? '', exten: dial.slice(6).split('@')[0], linkedid: leg.uniqueid, vars, state: 'Ring' });
      leg.peer = other.name;
      other.peer = leg.name;
    }
    if (r.async) this.reply(s, req, 'Success', [['Message', 'Originate successfully queued']]);
    const wait = outcome.kind === 'no_answer' ? Math.min(r.timeoutMs, outcome.afterMs ?? r.timeoutMs) : (outcome.afterMs ?? 1);
    this.later(wait, () => {
      if (!this.channels.has(leg.name)) return;
      const respond = (ok: boolean, reason: number, channel: string, uniqueid: string) => {
        if (!r.async) {
          if (ok) this.reply(s, req, 'Success', [['Message', 'Originate successfully queued']]);
          else this.reply(s, req, 'Error', [['Message', 'Originate failed']]);
          return;
        }
        const block: AmiBlock = [['Event', 'OriginateResponse'], ['Privilege', 'call,all']];
        if (r.actionId !== undefined) block.push(['ActionID', r.actionId]);
        block.push(['Response', ok ? 'Success' : 'Failure'], ['Channel', channel], ['Context', r.context], ['Exten', r.exten], ['Reason', String(reason)],
          ['Uniqueid', uniqueid], ['CallerIDNum', callerNum], ['CallerIDName', callerName]);
        this.broadcast(block);
      };
      if (outcome.kind === 'answer') {
        this.setState(leg, 'Up');
        if (leg.peer) this.setState(this.channels.get(leg.peer)!, 'Up');
        if (!outcome.responseLost) respond(true, REASON.answer, leg.name, leg.uniqueid);
        const far = (leg.peer && this.channels.get(leg.peer)) || leg;
        for (const [k, v] of Object.entries(outcome.setVars ?? {})) {
          far.vars[k] = v;
          this.event(far, 'VarSet', [['Variable', k], ['Value', v]]);
        }
        if (outcome.thenQueue) this.joinQueue(far, outcome.thenQueue);
        return;
      }
      if (outcome.kind === 'sip_refused') {
        this.hangup(leg.uniqueid, outcome.cause);
        respond(false, 0, dial, '<unknown>');
        return;
      }
      const [cause] = CAUSE[outcome.kind];
      this.hangup(leg.uniqueid, cause);
      respond(false, REASON[outcome.kind], dial, '<unknown>');
    });
  }

  /**
   * The callee keys a digit in the survey dialplan (asterisk-conf/extensions.conf,
   * [hotline-survey]): DTMF events, then `UserEvent SurveyResult` with the ticket from
   * the channel variables, as the traces' survey IVR raises it.
   */
  surveyDigit(uniqueid: string, digit: string | null): void {
    const c = this.byUniqueid(uniqueid);
    if (!c) throw new Error(`no channel ${uniqueid}`);
    if (digit !== null) {
      this.event(c, 'DTMFBegin', [['Digit', digit], ['Direction', 'Received']]);
      this.event(c, 'DTMFEnd', [['Digit', digit], ['DurationMs', '100'], ['Direction', 'Received']]);
      c.vars.SURVEY_DIGIT = digit;
      this.event(c, 'VarSet', [['Variable', 'SURVEY_DIGIT'], ['Value', digit]]);
    }
    // asterisk-conf's [hotline-survey] writes the answer to AstDB before the UserEvent.
    this.astdb.set(`/hotline_survey/${uniqueid}`, `${digit ?? ''}|${Math.floor(Date.now() / 1000)}|`);
    this.event(c, 'UserEvent', [
      ['UserEvent', 'SurveyResult'], ['TicketId', c.vars.RETURN_VISIT_TICKET_ID ?? ''], ['Attempt', c.vars.RETURN_VISIT_ATTEMPT ?? ''],
      ['Digit', digit ?? ''], ['Result', digit ?? 'none'],
    ], 'user,all');
  }

  /** The survey dialplan recorded the unsatisfied callee's reason. */
  surveyReason(uniqueid: string, path: string): void {
    const c = this.byUniqueid(uniqueid);
    if (!c) throw new Error(`no channel ${uniqueid}`);
    this.event(c, 'UserEvent', [
      ['UserEvent', 'SurveyReason'], ['TicketId', c.vars.RETURN_VISIT_TICKET_ID ?? ''], ['Attempt', c.vars.RETURN_VISIT_ATTEMPT ?? ''], ['Path', path],
    ], 'user,all');
  }

  // ——— app_queue ———

  private member(queue: string, iface: string): QueueMember | undefined {
    return this.members.find((m) => m.queue === queue && m.iface === iface);
  }

  private memberEvent(name: string, m: QueueMember): void {
    this.broadcast([
      ['Event', name], ['Privilege', 'agent,all'], ['Queue', m.queue], ['MemberName', m.name], ['Interface', m.iface], ['StateInterface', m.iface],
      ['Membership', 'dynamic'], ['Penalty', '0'], ['CallsTaken', String(m.callsTaken)], ['LastCall', '0'], ['LastPause', '0'], ['LoginTime', '0'],
      ['InCall', m.inCall ? '1' : '0'], ['Status', String(m.status)], ['Paused', m.paused ? '1' : '0'], ['PausedReason', m.reason], ['Ringinuse', '0'], ['Wrapuptime', '0'],
    ]);
  }

  private queueAdd(s: Session, req: AmiBlock): void {
    const queue = header(req, 'Queue') ?? '';
    const iface = header(req, 'Interface') ?? '';
    if (!queue || !iface) return this.reply(s, req, 'Error', [['Message', "'Queue' and 'Interface' not specified."]]);
    if (this.member(queue, iface)) return this.reply(s, req, 'Error', [['Message', 'Unable to add interface: Already there']]);
    const paused = (header(req, 'Paused') ?? 'false').toLowerCase() === 'true';
    const m: QueueMember = { queue, iface, name: header(req, 'MemberName') ?? iface, paused, reason: paused ? (header(req, 'Reason') ?? '') : '', status: 1, inCall: false, callsTaken: 0 };
    this.members.push(m);
    this.reply(s, req, 'Success', [['Message', 'Added interface to queue']]);
    this.memberEvent('QueueMemberAdded', m);
  }

  private queueRemove(s: Session, req: AmiBlock): void {
    const m = this.member(header(req, 'Queue') ?? '', header(req, 'Interface') ?? '');
    if (!m) return this.reply(s, req, 'Error', [['Message', 'Unable to remove interface: Not there']]);
    this.members.splice(this.members.indexOf(m), 1);
    this.reply(s, req, 'Success', [['Message', 'Removed interface from queue']]);
    this.memberEvent('QueueMemberRemoved', m);
  }

  private queuePause(s: Session, req: AmiBlock): void {
    const iface = header(req, 'Interface') ?? '';
    const queue = header(req, 'Queue');
    const paused = (header(req, 'Paused') ?? '').toLowerCase() === 'true';
    const found = this.members.filter((m) => m.iface === iface && (queue === undefined || m.queue === queue));
    if (!found.length) return this.reply(s, req, 'Error', [['Message', 'Interface not found']]);
    this.reply(s, req, 'Success', [['Message', paused ? 'Interface paused successfully' : 'Interface unpaused successfully']]);
    for (const m of found) {
      m.paused = paused;
      m.reason = paused ? (header(req, 'Reason') ?? '') : '';
      this.memberEvent('QueueMemberPause', m);
    }
  }

  private queueStatus(s: Session, req: AmiBlock): void {
    const queue = header(req, 'Queue');
    const only = header(req, 'Member');
    const queues = [...new Set(this.members.map((m) => m.queue).concat(queue ? [queue] : []))].filter((q) => !queue || q === queue);
    const items: AmiBlock[] = [];
    for (const q of queues) {
      const calls = [...this.waiting.values()].filter((w) => w.queue === q).length;
      items.push([['Event', 'QueueParams'], ['Queue', q], ['Max', '0'], ['Strategy', 'ringall'], ['Calls', String(calls)], ['Holdtime', '0'], ['TalkTime', '0'], ['Completed', '0'], ['Abandoned', '0']]);
      for (const m of this.members.filter((x) => x.queue === q && (!only || x.iface === only) && !this.hiddenFromStatus.has(x.iface))) {
        items.push([['Event', 'QueueMember'], ['Queue', q], ['Name', m.name], ['Location', m.iface], ['StateInterface', m.iface], ['Membership', 'dynamic'],
          ['Penalty', '0'], ['CallsTaken', String(m.callsTaken)], ['LastCall', '0'], ['LastPause', '0'], ['LoginTime', '0'], ['InCall', m.inCall ? '1' : '0'],
          ['Status', String(m.status)], ['Paused', m.paused ? '1' : '0'], ['PausedReason', m.reason], ['Wrapuptime', '0']]);
      }
      let pos = 1;
      for (const [uid, w] of this.waiting) {
        const c = this.byUniqueid(uid);
        if (w.queue !== q || !c) continue;
        items.push([['Event', 'QueueEntry'], ['Queue', q], ['Position', String(pos++)], ['Channel', c.name], ['Uniqueid', uid], ['CallerIDNum', c.callerNum],
          ['Wait', String(Math.round((Date.now() - w.joinedAt) / 1000))]]);
      }
    }
    this.list(s, req, 'Queue status will follow', items, 'QueueStatusComplete');
  }

  /** Someone else (the CLI, another AMI client) pauses or unpauses a member. */
  pauseMember(iface: string, paused: boolean, reason = ''): void {
    for (const m of this.members.filter((x) => x.iface === iface)) {
      m.paused = paused;
      m.reason = paused ? reason : '';
      this.memberEvent('QueueMemberPause', m);
    }
  }

  /** A member's phone changes device state (5 = unavailable: not registered). */
  setDeviceState(iface: string, status: number): void {
    for (const m of this.members.filter((x) => x.iface === iface)) {
      m.status = status;
      this.memberEvent('QueueMemberStatus', m);
    }
  }

  /**
   * An inbound call from the trunk runs the hotline dialplan into `Queue(queue)`:
   * Newchannel, QueueCallerJoin, then the first free, unpaused member is rung (AgentCalled).
   */
  callerJoins(o: { caller: string; queue: string; exten?: string }): Channel {
    const c = this.newChannel({ name: `PJSIP/trunk-${(this.seq++).toString(16).padStart(8, '0')}`, callerNum: o.caller, context: 'hotline-inbound', exten: o.exten ?? '12345', state: 'Up' });
    this.joinQueue(c, o.queue);
    return c;
  }

  private joinQueue(c: Channel, queue: string): void {
    const o = { queue };
    const count = [...this.waiting.values()].filter((w) => w.queue === o.queue).length + 1;
    this.waiting.set(c.uniqueid, { queue: o.queue, joinedAt: Date.now(), ringing: null });
    this.event(c, 'QueueCallerJoin', [['Queue', o.queue], ['Position', String(count)], ['Count', String(count)]], 'agent,all');
    this.ringNext(c.uniqueid);
  }

  private ringNext(uniqueid: string): void {
    const w = this.waiting.get(uniqueid);
    const c = this.byUniqueid(uniqueid);
    if (!w || !c) return;
    const m = this.members.find((x) => x.queue === w.queue && !x.paused && !x.inCall && x.status === 1);
    if (!m) return;
    w.ringing = m;
    this.event(c, 'AgentCalled', [['Queue', w.queue], ['Interface', m.iface], ['MemberName', m.name], ['DestChannel', `${m.iface}-agent`]], 'agent,all');
  }

  /**
   * The rung member's phone does not take the call, as app_queue reports it: AgentRingNoAnswer
   * (for a ring-out, a 603 and a 486 alike), then the phone's leg hangs up with its cause — app_queue
   * hangs up a leg that rang out itself (cause 0), a declined leg carries 21, a busy one 17. The
   * next free member is rung.
   */
  agentMisses(uniqueid: string, how: 'rings_out' | 'rejects' | 'busy'): void {
    const w = this.waiting.get(uniqueid);
    const c = this.byUniqueid(uniqueid);
    if (!w || !c || !w.ringing) throw new Error(`no ringing agent for ${uniqueid}`);
    const m = w.ringing;
    w.ringing = null;
    const leg = this.newChannel({ name: `${m.iface}-${(this.seq++).toString(16).padStart(8, '0')}`, callerNum: c.callerNum, context: 'from-internal', exten: 's', state: 'Ringing' });
    this.event(c, 'AgentRingNoAnswer', [['DestChannel', leg.name], ['DestUniqueid', leg.uniqueid], ['Queue', w.queue], ['Interface', m.iface], ['MemberName', m.name], ['RingTime', how === 'rings_out' ? '15000' : '1000']], 'agent,all');
    this.channels.delete(leg.name);
    const cause = { rings_out: 0, rejects: 21, busy: 17 }[how];
    this.event(leg, 'Hangup', [['Cause', String(cause)], ['Cause-txt', 'Unknown']]);
    const next = this.members.find((x) => x.queue === w.queue && x !== m && !x.paused && !x.inCall && x.status === 1);
    if (next) {
      w.ringing = next;
      this.event(c, 'AgentCalled', [['Queue', w.queue], ['Interface', next.iface], ['MemberName', next.name], ['DestChannel', `${next.iface}-agent`]], 'agent,all');
    }
  }

  /** The rung member answers: the caller leaves the queue and is bridged to the agent. */
  agentAnswers(uniqueid: string): QueueMember {
    const w = this.waiting.get(uniqueid);
    const c = this.byUniqueid(uniqueid);
    if (!w || !c || !w.ringing) throw new Error(`no ringing agent for ${uniqueid}`);
    const m = w.ringing;
    const hold = Math.round((Date.now() - w.joinedAt) / 1000);
    this.waiting.delete(uniqueid);
    this.event(c, 'QueueCallerLeave', [['Queue', w.queue], ['Count', '0'], ['Position', '1']], 'agent,all');
    this.event(c, 'AgentConnect', [['Queue', w.queue], ['Interface', m.iface], ['MemberName', m.name], ['HoldTime', String(hold)], ['RingTime', '1']], 'agent,all');
    m.inCall = true;
    m.status = 2;
    this.memberEvent('QueueMemberStatus', m);
    this.pairedWith.set(m.iface, uniqueid);
    return m;
  }

  /** A hang-up while waiting is an abandon; after the bridge it completes the agent's call. */
  private leaveQueue(c: Channel): void {
    const uniqueid = c.uniqueid;
    const w = this.waiting.get(uniqueid);
    if (w) {
      this.waiting.delete(uniqueid);
      const hold = String(Math.round((Date.now() - w.joinedAt) / 1000));
      this.event(c, 'QueueCallerAbandon', [['Queue', w.queue], ['Position', '1'], ['OriginalPosition', '1'], ['HoldTime', hold]], 'agent,all');
      this.event(c, 'QueueCallerLeave', [['Queue', w.queue], ['Count', '0'], ['Position', '1']], 'agent,all');
      return;
    }
    const m = this.members.find((x) => x.inCall && this.pairedWith.get(x.iface) === uniqueid);
    if (m) this.completeAgent(m, uniqueid);
  }

  /** Which caller each busy member talks to. */
  private pairedWith = new Map<string, string>();

  private completeAgent(m: QueueMember, uniqueid: string): void {
    this.pairedWith.delete(m.iface);
    m.inCall = false;
    m.status = 1;
    m.callsTaken++;
    this.broadcast([['Event', 'AgentComplete'], ['Privilege', 'agent,all'], ['Uniqueid', uniqueid], ['Queue', m.queue], ['Interface', m.iface], ['MemberName', m.name], ['HoldTime', '1'], ['TalkTime', '3'], ['Reason', 'caller']]);
    this.memberEvent('QueueMemberStatus', m);
  }
}
