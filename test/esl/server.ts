// A scripted FreeSWITCH stand-in that speaks the Event Socket wire protocol as the
// traces in ../shared/esl-traces show it: inbound sessions (auth, api, bgapi, event
// subscriptions with the CUSTOM trap and per-connection format, filters, exit) and
// outbound sessions (FreeSWITCH connects to the app, `connect` returns CHANNEL_DATA,
// sendmsg execute runs dialplan applications against a scripted caller, linger).
import net from 'node:net';
import crypto from 'node:crypto';
import {
  EventFormat, Headers, FrameReader, PaddedHeaders, Padding, ParsedFrame, commandReply, apiResponse, eventFrame, paddedEventFrameChunks, channelDataReply,
  disconnectNotice, lingerNotice, GOODBYE, SHUTTING_DOWN,
} from './frames';

export const MYEVENTS = new Set([
  'CHANNEL_EXECUTE', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_PROGRESS_MEDIA', 'CHANNEL_ANSWER', 'CHANNEL_STATE',
  'CHANNEL_UNPARK', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'DTMF',
]);

/** What the simulated person on a call does. */
export interface CallerScript {
  /** Digits keyed at each play_and_get_digits, in order; '' = silence (timeout). Exhausted = silence. */
  inputs?: string[];
  /** Hang up when an application whose name matches starts (and whose argument includes the text). */
  hangUpAt?: { app: string; argIncludes?: string };
  /** Hang up this many ms after the call is answered by an agent (queue). Default: at once after bridge. */
  talkMs?: number;
}

export type CalleeBehaviour =
  | { kind: 'answer'; caller?: CallerScript }
  | { kind: 'busy' }
  | { kind: 'no_answer'; afterMs?: number }
  | { kind: 'unreachable' };

export interface EslTestServerOptions {
  password?: string;
  /** How long a playback lasts (ms). */
  playbackMs?: number;
  /** Callees for `originate`, by number; unknown numbers are unreachable. */
  callees?: Record<string, CalleeBehaviour>;
  /** Callees for successive originates, whatever the number (overrides `callees`). */
  calleeSequence?: CalleeBehaviour[];
  /** Extra or overriding api commands: name → (args) => response body. */
  api?: Record<string, (args: string) => string>;
  /**
   * Deliver events this much later than they happen, while replies go out at once: an
   * event then reaches the app after the reply to a later command, as FreeSWITCH (which
   * writes events only between commands) sometimes does.
   */
  eventLagMs?: number;
  /**
   * Extra channel variables on every channel event, so that events weigh what real ones do
   * (the recorded CHANNEL_EXECUTE is about 4.6 kB, CHANNEL_HANGUP_COMPLETE about 9.5 kB).
   */
  padEventsBytes?: number;
  /**
   * How long a new channel is missing from `show channels` (ms). FreeSWITCH lists channels from its
   * core database, which its SQL thread writes a moment after the channel is made (under load a
   * call whose socket the app had already handled was not listed yet); `uuid_exists` knows it at once.
   */
  channelListLagMs?: number;
  /** Max wait in the callcenter queue before the member is cancelled with TIMEOUT (ms). */
  queueMaxWaitMs?: number;
  /**
   * mod_callcenter 1.10.12's race at the longest wait (seen on a real switch under load): the member's wait
   * runs out while an operator is being offered the call, before the offer counts as connecting; the
   * `callcenter` application completes with cc_cancel_reason TIMEOUT, and the operator who answers is
   * bridged to the caller all the same (whatever the call's socket runs next then plays into the bridge).
   * With this set, a member is offered only when its wait runs out, and the offer (agent-offering, the phone
   * answering, bridge-agent-start, the bridge) comes this many ms after the TIMEOUT completion; 0: in the
   * same turn, just before it, as in the real switch's log.
   */
  offerAtMaxWaitMs?: number;
  /**
   * How long the phone takes to accept the re-INVITE of a hold (ms). FreeSWITCH's call state
   * becomes HELD only then; until then `uuid_hold off` answers "-ERR Operation failed"
   * (switch_ivr_unhold: "Call is not on hold"), as a real switch did under load. Default 0.
   */
  holdSettleMs?: number;
  /**
   * How long mod_callcenter takes from bridge-agent-start (the operator answered) to the bridge being
   * up (CHANNEL_BRIDGE) (ms). A hold made meanwhile is lost: FreeSWITCH 1.10.12 answers
   * "+OK Success", but the bridge's own state reset puts the call back to ACTIVE (seen on a real
   * switch: HELD -> ACTIVE -> UNHELD 20 ms after the hold; `uuid_hold off` then refused). Default 0.
   */
  bridgeSetupMs?: number;
  /**
   * The hotline dialplan of freeswitch-conf (public/00_hotline.xml + hotline_resume.xml) after its
   * `socket`: when the app is unreachable or goes away mid-call, the call goes on from its
   * `hotline_step` (handed back to the app, or the fallback). Without it an unreachable app ends the call.
   */
  dialplan?: { recordingsDir: string; promptsDir: string; queue: string };
  /**
   * Keep the logs tests read (commandLog, each connection's commands, executed); default true.
   * bench:ivr turns them off: FreeSWITCH keeps no such thing, and a burst's 12,000 commands and
   * 5,000 applications kept until the run ends are work for the test switch's garbage collector.
   */
  keepLogs?: boolean;
}

interface Subscription {
  format: EventFormat;
  all: boolean;
  names: Set<string>;
  custom: Set<string>;
}

const uuid = () => crypto.randomUUID();

/** The date headers of an event made now (the text made once per millisecond: a burst makes many per ms). */
let lastNow = { ms: NaN, gmt: '', timestamp: '' };
function nowHeaders(): Headers {
  return withNow({});
}

/** `h` with the date headers of an event made now added (no object of their own to spread). */
function withNow(h: Headers): Headers {
  const ms = Date.now();
  if (ms !== lastNow.ms) lastNow = { ms, gmt: new Date(ms).toUTCString(), timestamp: String(ms * 1000) };
  h['Event-Date-GMT'] = lastNow.gmt;
  h['Event-Date-Timestamp'] = lastNow.timestamp;
  return h;
}

/** A frame as written: its text, or its bytes in chunks written together (a padded event: see paddedEventFrameChunks). */
type Frame = string | Buffer | readonly (string | Buffer)[];

/**
 * Reads one header of an event, padded or not, as the merged object would have it. (A function of
 * the event and the name, not a closure per event: under tsx every named closure made is also
 * given its name with defineProperty, which was 3 % of the test switch's CPU in bench:ivr's burst.)
 */
function headerOf(h: Headers | PaddedHeaders, k: string): string | undefined {
  if (!(h.pad instanceof Padding)) return (h as Headers)[k];
  const { before, pad, after } = h as PaddedHeaders;
  return Object.hasOwn(after, k) ? after[k] : Object.hasOwn(pad.headers, k) ? pad.headers[k] : before[k];
}

export class SimChannel {
  uuid: string = uuid();
  answered = false;
  up = true;
  recording: string | null = null;
  playing: string | null = null;
  currentApp: { name: string; arg: string; appUuid: string } | null = null;
  socketConn: EslConnection | null = null;
  /** Where its `socket` application connects (the app), while the call is in it. */
  socketTo: { host: string; port: number } | null = null;
  /** The dialplan context it runs in, where not the direction's usual one (public / default). */
  context: string | null = null;
  /** Parked in `socket` with no session (placeCallLeftInSocket), until transferred. */
  parkedIn: { host: string; port: number } | null = null;
  readonly variables: Record<string, string> = {};
  private queueChain: Promise<void> = Promise.resolve();
  private inputIndex = 0;
  /** Resolves the pending wait of the current application when the caller hangs up. */
  private interrupt: (() => void) | null = null;
  createdAt = Date.now();
  /** When the last application completed (for the round-trip measurement). */
  completedAt: number | null = null;
  /** Round trips measured on this channel so far (the step a round trip ends: 0 = answer → next command). */
  roundTrips = 0;
  /** Called once when the channel is gone. */
  onGone: (() => void) | null = null;
  held = false;
  /** A hold asked for whose re-INVITE the phone has not accepted yet (call state not HELD). */
  holdPending = false;
  /** mod_callcenter is still bridging this caller to the operator who answered (see bridgeSetupMs). */
  bridging = false;
  bridgedTo: SimChannel | null = null;
  agent: string | null = null;

  constructor(
    readonly server: EslTestServer,
    readonly name: string,
    readonly direction: 'inbound' | 'outbound',
    readonly callerNumber: string,
    readonly destination: string,
    readonly script: CallerScript = {},
  ) {}

  headers(): Headers {
    const h = this.ownHeaders({});
    const pad = this.server.padding();
    return pad ? { ...h, ...pad.headers } : h;
  }

  /** What the outbound `connect` reply carries: `{ Event-Name: CHANNEL_DATA, ...headers(), Channel-State }`. */
  channelData(): Headers | PaddedHeaders {
    const before = this.ownHeaders({ 'Event-Name': 'CHANNEL_DATA' });
    const after = { 'Channel-State': 'CS_EXECUTE' };
    const pad = this.server.padding();
    return pad ? { before, pad, after } : Object.assign(before, after);
  }

  /** The channel's headers and variables, without the padding, added to `h`. */
  private ownHeaders(h: Headers): Headers {
    h['Unique-ID'] = this.uuid;
    h['Channel-Name'] = this.name;
    h['Call-Direction'] = this.direction;
    h['Caller-Caller-ID-Number'] = this.callerNumber;
    h['Caller-Destination-Number'] = this.destination;
    h['Channel-Call-State'] = this.up ? (this.answered ? 'ACTIVE' : 'RINGING') : 'HANGUP';
    h['Answer-State'] = this.answered ? 'answered' : 'ringing';
    for (const k in this.variables) h[`variable_${k}`] = this.variables[k];
    return h;
  }

  /** The event `{ Event-Name, date, ...headers(), ...extra }`; the padding is spliced in when it is written. */
  emit(name: string, extra: Headers = {}, body?: string): void {
    // Most of a call's events (CHANNEL_EXECUTE, PLAYBACK_STOP, …) go to no connection: not built.
    if (!this.server.mayBeWanted(name, this.uuid, extra)) return;
    const before = this.ownHeaders(withNow({ 'Event-Name': name }));
    const pad = this.server.padding();
    if (pad) this.server.dispatchPadded({ before, pad, after: extra }, body);
    else this.server.dispatch(Object.assign(before, extra), body);
  }

  answer(): void {
    if (this.answered || !this.up) return;
    this.answered = true;
    this.variables.answered_time = String(Date.now());
    this.emit('CHANNEL_PROGRESS_MEDIA');
    this.emit('CHANNEL_ANSWER');
  }

  /** Queue an application as `sendmsg … execute` does: one at a time, in order. */
  execute(app: string, arg: string, appUuid: string): Promise<void> {
    this.queueChain = this.queueChain.then(() => this.run(app, arg, appUuid)).catch(() => undefined);
    return this.queueChain;
  }

  /** Resolves when every application queued so far has run. */
  idle(): Promise<void> {
    return this.queueChain;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.interrupt = null; resolve(); }, ms);
      this.interrupt = () => { clearTimeout(t); this.interrupt = null; resolve(); };
    });
  }

  private async run(app: string, arg: string, appUuid: string): Promise<void> {
    if (!this.up) return; // sendmsg to a hung-up channel: +OK, nothing runs
    if (this.server.options.keepLogs !== false) this.server.executed.push({ uuid: this.uuid, app, arg });
    const appHeaders = { Application: app, 'Application-Data': arg, 'Application-UUID': appUuid };
    this.currentApp = { name: app, arg, appUuid };
    this.emit('CHANNEL_EXECUTE', appHeaders);
    const h = this.script.hangUpAt;
    if (h && h.app === app && (!h.argIncludes || arg.includes(h.argIncludes))) {
      if (app === 'playback' || app === 'play_and_get_digits') this.playing = arg.split(' ')[0];
      this.hangup('NORMAL_CLEARING', app === 'playback' ? 'PLAYBACK ERROR' : '_none_');
      return;
    }
    let response = '_none_';
    let extra: Headers = {};
    const playMs = this.server.options.playbackMs ?? 2;
    switch (app) {
      case 'answer':
        this.answer();
        break;
      case 'record_session':
        this.recording = arg;
        this.emit('RECORD_START', { 'Record-File-Path': arg });
        break;
      case 'playback':
        this.playing = arg;
        await this.wait(playMs);
        if (!this.up) return;
        this.playing = null;
        this.emit('PLAYBACK_STOP', { 'Playback-File-Path': arg, 'Playback-Status': 'done' });
        response = 'FILE PLAYED';
        break;
      case 'play_and_get_digits': {
        const [min, max, tries, , , file, invalid, variable, regex] = arg.split(' ');
        let ok = false;
        for (let i = 0; i < Number(tries) && !ok; i++) {
          await this.wait(playMs);
          if (!this.up) return;
          this.emit('PLAYBACK_STOP', { 'Playback-File-Path': file, 'Playback-Status': 'done' });
          const digits = this.script.inputs?.[this.inputIndex++] ?? '';
          for (const d of digits) this.emit('DTMF', { 'DTMF-Digit': d, 'DTMF-Duration': '2240', 'DTMF-Source': 'RTP' });
          const re = new RegExp(regex ?? '.*');
          if (digits.length >= Number(min) && digits.length <= Number(max) && re.test(digits)) {
            ok = true;
            this.variables[variable] = digits;
          } else {
            if (digits) this.variables[`${variable}_invalid`] = digits;
            this.server.invalidPlayed.push({ uuid: this.uuid, file: invalid, digits });
            this.emit('PLAYBACK_STOP', { 'Playback-File-Path': invalid, 'Playback-Status': 'done' });
          }
        }
        this.variables.read_result = ok ? 'success' : 'failure';
        break;
      }
      case 'record': {
        const [file] = arg.split(' ');
        this.emit('RECORD_START', { 'Record-File-Path': file });
        await this.wait(playMs);
        if (!this.up) return;
        this.emit('RECORD_STOP', { 'Record-File-Path': file, 'Record-Completion-Cause': 'success-silence' });
        this.variables.record_ms = '4200';
        break;
      }
      case 'export':
      case 'set': {
        const at = arg.indexOf('=');
        this.variables[arg.slice(0, at)] = arg.slice(at + 1);
        break;
      }
      case 'echo':
        await new Promise<void>((r) => { this.interrupt = () => { this.interrupt = null; r(); }; });
        return;
      case 'sleep':
        await this.wait(Number(arg));
        if (!this.up) return;
        break;
      case 'callcenter': {
        const result = await this.server.callcenter.enter(this, arg);
        if (!this.up) return;
        extra = result;
        break;
      }
      case 'hangup':
        this.hangup(arg || 'NORMAL_CLEARING', '_none_', appHeaders);
        return;
      case 'log':
        break;
      case 'db':
        this.server.runApi(`db ${arg}`);
        break;
      default:
        response = `-ERR unknown application ${app}`;
    }
    this.currentApp = null;
    this.emit('CHANNEL_EXECUTE_COMPLETE', { ...appHeaders, 'Application-Response': response, ...extra });
    if (this.server.latencies) this.completedAt = performance.now();
  }

  /** The hangup sequence of the traces (caller BYE, app hangup, uuid_kill or shutdown). */
  hangup(cause: string, pendingResponse = 'PLAYBACK ERROR', appHeaders?: Headers): void {
    if (!this.up) return;
    this.up = false;
    this.variables.hangup_cause = cause;
    const c = { 'Hangup-Cause': cause };
    this.emit('CHANNEL_HANGUP', c);
    // The linger notice comes after CHANNEL_HANGUP_COMPLETE, except at shutdown, where the
    // recorded session has it straight after CHANNEL_HANGUP.
    if (cause === 'SYSTEM_SHUTDOWN') this.socketConn?.lingerNoticeNow(this);
    if (this.playing) {
      this.emit('PLAYBACK_STOP', { 'Playback-File-Path': this.playing, 'Playback-Status': 'done', ...c });
      this.playing = null;
    }
    const cur = this.currentApp;
    const interrupted = cur && cur.name === 'playback' ? (cause === 'SYSTEM_SHUTDOWN' ? 'FILE PLAYED' : pendingResponse) : '_none_';
    const socketResponse = cur && cur.name !== 'hangup' ? interrupted : '_none_';
    if (cur) {
      this.emit('CHANNEL_EXECUTE_COMPLETE', {
        Application: cur.name, 'Application-Data': cur.arg, 'Application-UUID': cur.appUuid,
        'Application-Response': interrupted, ...c,
      });
      this.currentApp = null;
    } else if (appHeaders) {
      this.emit('CHANNEL_EXECUTE_COMPLETE', { ...appHeaders, 'Application-Response': '_none_', ...c });
    }
    this.interrupt?.();
    if (this.socketConn) {
      this.emit('CHANNEL_UNPARK', c);
      this.emit('CHANNEL_EXECUTE_COMPLETE', { Application: 'socket', 'Application-Response': socketResponse, ...c });
    }
    this.emit('CHANNEL_STATE', { ...c, 'Channel-State': 'CS_HANGUP' });
    if (this.recording) {
      this.emit('RECORD_STOP', { 'Record-File-Path': this.recording, 'Record-Completion-Cause': 'success', ...c });
    }
    this.emit('CHANNEL_STATE', { ...c, 'Channel-State': 'CS_REPORTING' });
    this.emit('CHANNEL_HANGUP_COMPLETE', c);
    this.server.channels.delete(this.uuid);
    this.server.callcenter.leave(this);
    const partner = this.bridgedTo;
    this.bridgedTo = null;
    if (partner) {
      partner.bridgedTo = null;
      this.server.callcenter.bridgeEnded(this, partner);
    }
    this.socketConn?.sessionHungUp(this);
    if (!this.socketConn) this.emit('CHANNEL_DESTROY', c);
    this.onGone?.();
  }
}

/** What an operator's phone does when mod_callcenter rings it (the default: answers at once). */
export type SimPhone =
  | { kind: 'answer'; talkMs?: number }
  | { kind: 'reject' }
  | { kind: 'no_answer'; ringMs?: number }
  | { kind: 'unregistered' };

/** A minimal mod_callcenter: agents with status/state, one queue, longest-idle agent. */
export class SimCallcenter {
  readonly agents = new Map<string, {
    status: string; state: string; contact: string; lastBridgeEnd: number; lastOffered?: number; readyAt?: number;
    /** Seconds the agent is left alone after a declined / busy / unanswered offer (0 as in mod_callcenter). */
    delays?: { reject: number; busy: number; noAnswer: number };
  }>();
  /** Operators' phones by extension (absent: answers at once, talks as the caller's script says). */
  readonly phones = new Map<string, SimPhone>();
  readonly waiting: { ch: SimChannel; queue: string; memberUuid: string; joined: number; done: (h: Headers) => void; timedOut?: boolean }[] = [];
  /** Members an agent is talking to, by caller uuid (for `queue list members`). */
  readonly bridged = new Map<string, { ch: SimChannel; queue: string; memberUuid: string; joined: number; bridged: number; agent: string }>();
  constructor(private server: EslTestServer) {}

  private info(action: string, extra: Headers): void {
    this.server.dispatch({
      'Event-Name': 'CUSTOM', 'Event-Subclass': 'callcenter::info', ...nowHeaders(), 'CC-Action': action, ...extra,
    });
  }

  /** Queues the switch has loaded (the stock support@default and the hotline's). */
  readonly queues = new Set(['support@default', 'hotline']);
  readonly tiers: { queue: string; agent: string; level: string; position: string }[] = [];

  api(args: string): string {
    const w = args.match(/'[^']*'|\S+/g)?.map((s) => s.replace(/^'|'$/g, '')) ?? [];
    const [obj, verb, ...rest] = w;
    if (obj === 'agent' && verb === 'add') {
      if (this.agents.has(rest[0])) return '-ERR Agent already exist!\n';
      this.agents.set(rest[0], { status: 'Logged Out', state: 'Waiting', contact: '', lastBridgeEnd: 0 });
      this.info('agent-add', { 'CC-Agent': rest[0], 'CC-Agent-Type': rest[1] ?? 'callback' });
      return '+OK\n';
    }
    if (obj === 'agent' && verb === 'del') return this.agents.delete(rest[0]) ? '+OK\n' : '-ERR Invalid Agent!\n';
    if (obj === 'agent' && verb === 'set') {
      const [key, name, ...v] = rest;
      const a = this.agents.get(name);
      if (!a) return '-ERR Invalid Agent!\n';
      const value = v.join(' ');
      if (key === 'status') {
        if (!['Logged Out', 'Available', 'Available (On Demand)', 'On Break'].includes(value)) return '-ERR Invalid Agent Status!\n';
        a.status = value;
        this.info('agent-status-change', { 'CC-Agent': name, 'CC-Agent-Status': value });
        if (value.startsWith('Available')) setImmediate(() => this.dispatchWaiting());
      } else if (key === 'state') {
        if (!['Waiting', 'Receiving', 'In a queue call', 'Idle'].includes(value)) return '-ERR Invalid Agent State!\n';
        a.state = value;
        this.info('agent-state-change', { 'CC-Agent': name, 'CC-Agent-State': value });
      } else if (key === 'contact') {
        a.contact = value;
        this.info('agent-contact-change', { 'CC-Agent': name, 'CC-Agent-Contact': value });
      } else if (key === 'reject_delay_time' || key === 'busy_delay_time' || key === 'no_answer_delay_time') {
        const d = (a.delays ??= { reject: 0, busy: 0, noAnswer: 0 });
        d[key === 'reject_delay_time' ? 'reject' : key === 'busy_delay_time' ? 'busy' : 'noAnswer'] = Number(value) || 0;
      }
      return '+OK\n';
    }
    if (obj === 'agent' && verb === 'get') {
      const a = this.agents.get(rest[1]);
      if (!a) return '-ERR Invalid Agent!\n';
      const value = rest[0] === 'status' ? a.status : a.state;
      if (rest[0] === 'state') this.info('agent-state-get', { 'CC-Agent': rest[1], 'CC-Agent-State': value });
      return value; // the bare text, no newline
    }
    if (obj === 'tier' && verb === 'add') {
      const [queue, agent, level = '1', position = '1'] = rest;
      if (!this.queues.has(queue)) return '-ERR Invalid Queue!\n';
      this.tiers.push({ queue, agent, level, position });
      return '+OK\n';
    }
    if (obj === 'tier' && verb === 'del') {
      const i = this.tiers.findIndex((t) => t.queue === rest[0] && t.agent === rest[1]);
      if (i >= 0) this.tiers.splice(i, 1);
      return '+OK\n';
    }
    if (obj === 'queue' && ['load', 'reload'].includes(verb)) {
      return this.queues.has(rest[0]) ? '+OK\n' : '-ERR Invalid Queue not found!\n';
    }
    if (obj === 'queue' && verb === 'unload') return '+OK\n';
    if (obj === 'queue' && verb === 'count' && rest[0] === 'members') {
      return `${this.waiting.filter((m) => m.queue === rest[1]).length}\n`;
    }
    if (obj === 'queue' && verb === 'list') {
      const table = (head: string, rows: string[]) => (rows.length ? [head, ...rows, '+OK', ''].join('\n') : '+OK\n');
      if (rest.length === 0) {
        return table('name|strategy|moh_sound', [...this.queues].map((q) => `${q}|longest-idle-agent|local_stream://moh`));
      }
      if (rest[0] === 'agents') {
        // The columns of 1.10.12 (max_no_answer … external_calls_count), as the real switch lists them.
        const sec = (ms: number | undefined) => String(Math.floor((ms ?? 0) / 1000));
        return table('name|instance_id|uuid|type|contact|status|state|max_no_answer|wrap_up_time|reject_delay_time|busy_delay_time|no_answer_delay_time|last_bridge_start|last_bridge_end|last_offered_call|last_status_change|no_answer_count|calls_answered|talk_time|ready_time|external_calls_count',
          [...this.agents].map(([n, a]) => {
            const d = a.delays ?? { reject: 0, busy: 0, noAnswer: 0 };
            return `${n}|single_box||callback|${a.contact}|${a.status}|${a.state}|0|0|${d.reject}|${d.busy}|${d.noAnswer}|0|${sec(a.lastBridgeEnd)}|${sec(a.lastOffered)}|0|0|0|0|${sec(a.readyAt)}|0`;
          }));
      }
      if (rest[0] === 'tiers') {
        return table('queue|agent|state|level|position',
          this.tiers.filter((t) => t.queue === rest[1]).map((t) => `${t.queue}|${t.agent}|Ready|${t.level}|${t.position}`));
      }
      if (rest[0] === 'members') {
        const row = (m: { queue: string; memberUuid: string; ch: SimChannel; joined: number; bridged?: number; agent?: string }, state: string) =>
          `${m.queue}|single_box|${m.memberUuid}|${m.ch.uuid}|${m.ch.callerNumber}|Citizen|${Math.floor(m.joined / 1000)}|${Math.floor(m.joined / 1000)}|0|${m.bridged ? Math.floor(m.bridged / 1000) : 0}|0|0|0|${m.agent ?? ''}|${m.agent ? 'single_box' : ''}|${state}|1`;
        return table('queue|instance_id|uuid|session_uuid|cid_number|cid_name|system_epoch|joined_epoch|rejoined_epoch|bridge_epoch|abandoned_epoch|base_score|skill_score|serving_agent|serving_system|state|score', [
          ...this.waiting.filter((m) => m.queue === rest[1]).map((m) => row(m, 'Waiting')),
          ...[...this.bridged.values()].filter((m) => m.queue === rest[1] && m.ch.up).map((m) => row(m, 'Answered')),
        ]);
      }
    }
    return '-ERR Unknown Command!\n';
  }

  enter(ch: SimChannel, queue: string): Promise<Headers> {
    return new Promise((done) => {
      const memberUuid = uuid();
      const m: SimCallcenter['waiting'][number] = { ch, queue, memberUuid, joined: Date.now(), done };
      this.waiting.push(m);
      this.info('member-queue-start', {
        'CC-Queue': queue, 'Unique-ID': ch.uuid, 'CC-Member-UUID': memberUuid, 'CC-Member-Session-UUID': ch.uuid,
        'CC-Member-CID-Number': ch.callerNumber,
      });
      this.info('members-count', { 'CC-Queue': queue, 'CC-Count': String(this.waiting.length), 'CC-Selection': 'Single-Queue' });
      const maxWait = this.server.options.queueMaxWaitMs;
      const race = this.server.options.offerAtMaxWaitMs;
      if (maxWait) {
        setTimeout(() => {
          if (!this.waiting.includes(m)) return;
          // The race (offerAtMaxWaitMs 0): the offer goes out, answered and bridged, as the wait runs out.
          if (race === 0) this.dispatchWaiting(true);
          const i = this.waiting.indexOf(m);
          if (i >= 0) this.waiting.splice(i, 1);
          m.timedOut = true;
          if (race) {
            setTimeout(() => {
              if (!m.ch.up) return;
              this.waiting.unshift(m);
              this.dispatchWaiting(true);
            }, race);
          }
          this.info('member-queue-end', {
            'CC-Queue': queue, 'Unique-ID': ch.uuid, 'CC-Cause': 'Cancel', 'CC-Cancel-Reason': 'TIMEOUT',
            'CC-Member-Session-UUID': ch.uuid, 'CC-Member-CID-Number': ch.callerNumber,
          });
          ch.variables.cc_cancel_reason = 'TIMEOUT';
          done({ variable_cc_cancel_reason: 'TIMEOUT' });
        }, maxWait);
      }
      if (race === undefined) setImmediate(() => this.dispatchWaiting());
    });
  }

  leave(ch: SimChannel): void {
    const i = this.waiting.findIndex((m) => m.ch === ch);
    if (i < 0) return;
    const [m] = this.waiting.splice(i, 1);
    this.info('member-queue-end', {
      'CC-Queue': m.queue, 'Unique-ID': ch.uuid, 'CC-Cause': 'Cancel', 'CC-Cancel-Reason': 'BREAK_OUT',
      'CC-Member-Session-UUID': ch.uuid, 'CC-Member-CID-Number': ch.callerNumber,
      'CC-Member-Joined-Time': String(Math.floor(m.joined / 1000)), 'CC-Member-Leaving-Time': String(Math.floor(Date.now() / 1000)),
    });
    this.info('members-count', { 'CC-Queue': m.queue, 'CC-Count': String(this.waiting.length), 'CC-Selection': 'Single-Queue' });
  }

  /** Offers waiting members to free agents; with offerAtMaxWaitMs only when a wait runs out (`atMaxWait`). */
  private dispatchWaiting(atMaxWait = false): void {
    if (this.server.options.offerAtMaxWaitMs !== undefined && !atMaxWait) return;
    while (this.waiting.length) {
      const now = Date.now();
      // longest-idle-agent orders by the end of the last bridge only (mod_callcenter 1.10.12), not by the
      // last offer: an agent whose phone declined is offered the next caller again unless it has a delay.
      const free = [...this.agents].filter(([, a]) => a.status.startsWith('Available') && a.state === 'Waiting' && (a.readyAt ?? 0) <= now)
        .sort((x, y) => x[1].lastBridgeEnd - y[1].lastBridgeEnd);
      if (!free.length) {
        const later = [...this.agents.values()].filter((a) => a.status.startsWith('Available') && a.state === 'Waiting' && (a.readyAt ?? 0) > now);
        if (later.length) setTimeout(() => this.dispatchWaiting(), Math.min(...later.map((a) => a.readyAt! - now)) + 5);
        return;
      }
      const m = this.waiting.shift()!;
      const [name, a] = free[0];
      a.state = 'Receiving';
      a.lastOffered = now;
      this.info('agent-state-change', { 'CC-Agent': name, 'CC-Agent-State': 'Receiving' });
      const member = {
        'CC-Queue': m.queue, 'CC-Member-UUID': m.memberUuid, 'CC-Member-Session-UUID': m.ch.uuid, 'CC-Member-CID-Number': m.ch.callerNumber,
        'CC-Member-Joined-Time': String(Math.floor(m.joined / 1000)),
      };
      this.info('agent-offering', { 'CC-Agent': name, ...member });
      const phone = this.phones.get(name.split('@')[0]);
      if (phone && phone.kind !== 'answer') {
        // The offer fails (mod_callcenter: bridge-agent-fail), the member waits for the next agent.
        const cause = { reject: 'CALL_REJECTED', no_answer: 'NO_ANSWER', unregistered: 'USER_NOT_REGISTERED' }[phone.kind];
        const fail = () => {
          a.state = 'Waiting';
          // mod_callcenter's pause after a failed offer: 5 s for an unregistered phone, else the agent's own delay.
          const d = a.delays ?? { reject: 0, busy: 0, noAnswer: 0 };
          const pauseS = phone.kind === 'unregistered' ? 5 : phone.kind === 'reject' ? d.reject : d.noAnswer;
          if (pauseS > 0) a.readyAt = Date.now() + pauseS * 1000;
          this.info('agent-state-change', { 'CC-Agent': name, 'CC-Agent-State': 'Waiting' });
          this.info('bridge-agent-fail', { 'CC-Agent': name, 'CC-Hangup-Cause': cause, ...member });
          // A member whose wait ran out (the race above) has left the queue: it does not wait again.
          if (m.ch.up && !m.timedOut && !this.waiting.includes(m)) this.waiting.unshift(m);
          this.dispatchWaiting();
        };
        if (phone.kind === 'no_answer') setTimeout(fail, phone.ringMs ?? 50);
        else setImmediate(fail);
        continue;
      }
      const leg = new SimChannel(this.server, a.contact || `sofia/internal/${name}`, 'outbound', m.ch.callerNumber, name);
      this.server.channels.set(leg.uuid, leg);
      leg.agent = name;
      leg.emit('CHANNEL_CREATE');
      leg.answer();
      m.ch.bridgedTo = leg;
      leg.bridgedTo = m.ch;
      this.bridged.set(m.ch.uuid, { ch: m.ch, queue: m.queue, memberUuid: m.memberUuid, joined: m.joined, bridged: Date.now(), agent: name });
      this.info('bridge-agent-start', { 'Unique-ID': leg.uuid, 'CC-Agent': name, 'CC-Agent-UUID': leg.uuid, ...member });
      this.info('members-count', { 'CC-Queue': m.queue, 'CC-Count': String(this.waiting.length), 'CC-Selection': 'Single-Queue' });
      const bridgeUp = () => {
        m.ch.bridging = false;
        if (m.ch.up) m.ch.emit('CHANNEL_BRIDGE', { 'Bridge-A-Unique-ID': m.ch.uuid, 'Bridge-B-Unique-ID': leg.uuid, 'Other-Leg-Unique-ID': leg.uuid });
      };
      const setup = this.server.options.bridgeSetupMs ?? 0;
      if (setup > 0) {
        m.ch.bridging = true;
        setTimeout(bridgeUp, setup).unref();
      } else bridgeUp();
      a.state = 'In a queue call';
      this.info('agent-state-change', { 'CC-Agent': name, 'CC-Agent-State': 'In a queue call' });
      const talk = m.ch.script.talkMs;
      if (talk !== undefined) setTimeout(() => m.ch.hangup('NORMAL_CLEARING'), talk);
      // The operator hangs up after their talk time.
      if (phone?.kind === 'answer' && phone.talkMs !== undefined) setTimeout(() => leg.hangup('NORMAL_CLEARING'), phone.talkMs);
    }
  }

  bridgeEnded(a: SimChannel, b: SimChannel): void {
    const leg = a.agent ? a : b;
    const caller = a.agent ? b : a;
    const name = leg.agent!;
    const agent = this.agents.get(name);
    this.bridged.delete(caller.uuid);
    this.info('bridge-agent-end', { 'Unique-ID': leg.uuid, 'CC-Agent': name, 'CC-Agent-UUID': leg.uuid, 'CC-Hangup-Cause': 'SUCCESS', 'CC-Member-Session-UUID': caller.uuid });
    this.info('member-queue-end', { 'Unique-ID': caller.uuid, 'CC-Cause': 'Terminated', 'CC-Agent': name, 'CC-Member-Session-UUID': caller.uuid, 'CC-Member-CID-Number': caller.callerNumber });
    leg.hangup('NORMAL_CLEARING');
    caller.hangup('NORMAL_CLEARING');
    if (agent) {
      agent.state = 'Waiting';
      agent.lastBridgeEnd = Date.now();
      this.info('agent-state-change', { 'CC-Agent': name, 'CC-Agent-State': 'Waiting' });
    }
  }
}

/** One TCP connection, either an inbound session (app → switch) or an outbound one (switch → app). */
export class EslConnection {
  private reader = new FrameReader();
  /** The commands this connection received, in order. */
  readonly commands: string[] = [];
  /** Events written to an outbound session that were about another channel (no `myevents` yet). */
  foreignEvents = 0;
  private sub: Subscription | null = null;
  private filters: [string, string][] = [];
  private authed: boolean;
  myeventsUuid: string | null = null;
  private linger: number | null = null;
  private closed = false;
  private format: EventFormat = 'plain';

  constructor(
    readonly server: EslTestServer,
    readonly socket: net.Socket,
    readonly mode: 'inbound' | 'outbound',
    readonly session: SimChannel | null = null,
  ) {
    this.authed = mode === 'outbound';
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => this.close());
    socket.on('close', () => { this.closed = true; this.server.removeConnection(this); });
    server.addConnection(this);
    if (mode === 'inbound') this.write('Content-Type: auth/request\n\n');
  }

  /**
   * Frames written in one run of the server's code (a hang-up's sequence of events, an `api`
   * reply and the events it caused) go out in one socket write once that run is over: the bytes
   * and their order as written, only the TCP segments differ (as a busy FreeSWITCH's do). Each
   * timer or socket callback still writes when it ends, so the app can read the first calls' events
   * while the server works on the next ones. "The run" includes the promise callbacks it set off
   * at once: a `sendmsg`'s reply and the events of the application it started (answer's
   * CHANNEL_EXECUTE_COMPLETE, run from the channel's promise queue) go out together. (Flushed from
   * process.nextTick alone, the reply went out before those promise callbacks ran, and their
   * events in a second write: 13,000 writes per bench:ivr burst, each a syscall on both sides.)
   */
  write(s: string | Buffer | Frame): void {
    if (this.closed || this.socket.destroyed) return;
    let p = this.pending;
    if (p === null) {
      p = this.pending = [];
      // After this run's process.nextTick callbacks, behind the promise callbacks queued so far.
      process.nextTick(() => queueMicrotask(this.flush));
    }
    if (typeof s !== 'object' || Buffer.isBuffer(s)) s = [s];
    for (const c of s) {
      if (typeof c === 'string' && typeof p[p.length - 1] === 'string') p[p.length - 1] += c;
      else p.push(c);
    }
  }

  private pending: (string | Buffer)[] | null = null;
  private readonly flush = (): void => {
    const p = this.pending;
    this.pending = null;
    if (p === null || this.socket.destroyed) return;
    if (p.length === 1) {
      this.socket.write(p[0]);
      return;
    }
    // Still one write (writev): the frames' bytes in order, the event frames' Buffers not copied.
    this.socket.cork();
    for (const chunk of p) this.socket.write(chunk);
    this.socket.uncork();
  };

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.socket.end();
  }

  private onData(d: Buffer): void {
    let frames: ParsedFrame[];
    try {
      frames = this.reader.push(d);
    } catch {
      return;
    }
    for (const f of frames) this.onCommand(f);
  }

  /**
   * False only when this connection cannot want an event named `name` about channel `uuid`,
   * whatever its other headers (see wants): the same rules, with a filter on any header other
   * than Event-Name taken as one that may pass.
   */
  mayWant(name: string, uuid: string): boolean {
    if (this.myeventsUuid && uuid !== this.myeventsUuid) return false;
    const s = this.sub;
    const viaMyevents = this.myeventsUuid !== null && MYEVENTS.has(name);
    const viaSub = s !== null && (s.all || name === 'CUSTOM' || s.names.has(name));
    if (!viaMyevents && !viaSub) return false;
    if (this.filters.length === 0) return true;
    for (const [k, v] of this.filters) if (k !== 'Event-Name' || v === name) return true;
    return false;
  }

  /** Does this connection want the event? Subscription, CUSTOM subclasses, myevents and filters. */
  wants(h: Headers | PaddedHeaders): boolean {
    const name = headerOf(h, 'Event-Name') ?? '';
    if (this.myeventsUuid) {
      if (headerOf(h, 'Unique-ID') !== this.myeventsUuid) return false;
      if (MYEVENTS.has(name)) return this.filterOk(h);
    }
    const s = this.sub;
    if (!s) return false;
    const subscribed = s.all || (name === 'CUSTOM' ? s.custom.has(headerOf(h, 'Event-Subclass') ?? '') : s.names.has(name));
    return subscribed && this.filterOk(h);
  }

  private filterOk(h: Headers | PaddedHeaders): boolean {
    if (this.filters.length === 0) return true;
    for (const [k, v] of this.filters) if (headerOf(h, k) === v) return true;
    return false;
  }

  get eventFormat(): EventFormat {
    return this.format;
  }

  deliver(h: Headers, body?: string): void {
    if (this.wants(h)) this.deliverFrame(eventFrame(this.format, h, body), h['Unique-ID']);
  }

  private lagged: Frame[] = [];
  /** An event frame this connection wants (`uuid`: the event's Unique-ID). */
  deliverFrame(frame: Frame, uuid: string | undefined): void {
    if (this.mode === 'outbound' && this.session && uuid !== this.session.uuid) this.foreignEvents++;
    const lag = this.server.options.eventLagMs;
    if (!lag) {
      this.write(frame);
      return;
    }
    this.lagged.push(frame); // order among events is kept; replies overtake them
    setTimeout(() => this.write(this.lagged.shift()!), lag);
  }

  private lingerNoticeSent = false;
  lingerNoticeNow(ch: SimChannel): void {
    if (this.linger === null || this.lingerNoticeSent) return;
    this.lingerNoticeSent = true;
    this.write(lingerNotice(ch.uuid, ch.name, this.linger));
  }

  sessionHungUp(ch: SimChannel): void {
    if (this.linger !== null) {
      this.lingerNoticeNow(ch);
      if (this.linger >= 0) setTimeout(() => this.finish(), this.linger * 1000);
    } else {
      this.finish();
    }
  }

  private finish(): void {
    const s = this.session;
    this.write(disconnectNotice(GOODBYE, s ? { uuid: s.uuid, disposition: 'disconnect' } : undefined));
    this.close();
  }

  private onCommand(f: ParsedFrame): void {
    const line = (f.headers._command ?? '').trim();
    if (this.server.options.keepLogs !== false) {
      this.server.commandLog.push(line);
      this.commands.push(line);
    }
    const [cmd, ...words] = line.split(' ');
    const rest = words.join(' ');
    if (!this.authed) {
      if (cmd === 'auth') {
        if (rest === this.server.password) {
          this.authed = true;
          this.write(commandReply('+OK accepted'));
        } else {
          this.write(commandReply('-ERR invalid') + disconnectNotice(GOODBYE));
          this.close();
        }
      } else {
        this.write(commandReply('-ERR command not found'));
      }
      return;
    }
    switch (cmd) {
      case 'connect':
        if (this.mode === 'outbound' && this.session) {
          this.write(channelDataReply(this.session.channelData()));
        } else this.write(commandReply('-ERR command not found'));
        return;
      case 'event': {
        const [fmt, ...names] = words;
        if (!['plain', 'json', 'xml'].includes(fmt)) {
          this.write(commandReply('-ERR invalid format'));
          return;
        }
        this.format = fmt as EventFormat;
        const s = this.sub ?? { format: this.format, all: false, names: new Set(), custom: new Set() };
        let custom = false;
        for (const n of names) {
          if (custom) s.custom.add(n); // every word after CUSTOM is a subclass
          else if (n === 'CUSTOM') custom = true;
          else if (n === 'ALL' || n === 'all') s.all = true;
          else s.names.add(n);
        }
        this.sub = s;
        this.write(commandReply(`+OK event listener enabled ${fmt}`));
        return;
      }
      case 'noevents':
        if (this.sub) {
          this.sub = null;
          this.write(commandReply('+OK no longer listening for events'));
        } else this.write(commandReply('-ERR not listening for events'));
        return;
      case 'myevents':
        if (this.session) this.myeventsUuid = this.session.uuid;
        else if (words[0]) this.myeventsUuid = words[0];
        if (this.myeventsUuid) this.server.bindToChannel(this, this.myeventsUuid);
        this.write(commandReply('+OK Events Enabled'));
        return;
      case 'linger':
        this.linger = words[0] ? Number(words[0]) : -1;
        this.write(commandReply(words[0] ? `+OK will linger ${words[0]} seconds` : '+OK will linger'));
        return;
      case 'nolinger':
        this.linger = null;
        this.write(commandReply('+OK will not linger'));
        return;
      case 'filter': {
        if (words.length === 0) {
          this.write(commandReply('-ERR command not found'));
          return;
        }
        if (words[0] === 'delete') {
          const [, h, v] = words;
          this.filters = this.filters.filter(([k, x]) => !(k === h && (v === undefined || x === v)));
          this.write(commandReply(`+OK filter deleted. [${h}][${v ?? ''}]`));
          return;
        }
        const [h, ...v] = words;
        this.filters.push([h, v.join(' ')]);
        this.write(commandReply(`+OK filter added. [${h}]=[${v.join(' ')}]`));
        return;
      }
      case 'api':
        this.write(apiResponse(this.server.runApi(rest)));
        return;
      case 'bgapi': {
        const job = f.headers['Job-UUID'] ?? uuid();
        this.write(commandReply(`+OK Job-UUID: ${job}`, { 'Job-UUID': job }));
        const [name, ...args] = rest.split(' ');
        this.server.runBgapi(name, args.join(' '), job);
        return;
      }
      case 'sendmsg': {
        const target = words[0] || this.session?.uuid || '';
        const ch = this.server.channels.get(target) ?? (this.session?.uuid === target ? this.session : undefined);
        if (!ch) {
          this.write(commandReply(`-ERR invalid session id [${target}]`));
          return;
        }
        this.write(commandReply('+OK'));
        if (this.server.latencies && ch.completedAt !== null) {
          const t = performance.now();
          this.server.latencies.push(t - ch.completedAt);
          this.server.latencySteps?.push(ch.roundTrips++);
          this.server.latencyTimes?.push(t);
          ch.completedAt = null;
        }
        if (f.headers['call-command'] === 'execute') {
          ch.execute(f.headers['execute-app-name'] ?? '', f.headers['execute-app-arg'] ?? '', f.headers['Event-UUID'] ?? uuid());
        } else if (f.headers['call-command'] === 'hangup') {
          ch.hangup(f.headers['hangup-cause'] ?? 'NORMAL_CLEARING', '_none_');
        }
        return;
      }
      case 'exit':
        this.write(commandReply('+OK bye'));
        this.finish();
        return;
      default:
        this.write(commandReply('-ERR command not found'));
    }
  }
}

export class EslTestServer {
  readonly password: string;
  readonly connections = new Set<EslConnection>();
  readonly channels = new Map<string, SimChannel>();
  readonly commandLog: string[] = [];
  /** "Invalid input" prompts played by play_and_get_digits, with what the caller keyed. */
  readonly invalidPlayed: { uuid: string; file: string; digits: string }[] = [];
  /** uuid_broadcast requests, in order. */
  readonly broadcasts: { uuid: string; path: string; leg: string }[] = [];
  readonly transfers: { uuid: string; destination: string; dialplan: string; context: string }[] = [];
  /** Every dialplan application run on a channel, in order. */
  readonly executed: { uuid: string; app: string; arg: string }[] = [];
  readonly callcenter = new SimCallcenter(this);
  readonly startedAt = Date.now();
  private server: net.Server | null = null;
  port = 0;
  sessionsSinceStart = 0;
  /** Paths (or path prefixes) `file_exists` says are not there. */
  missingFiles: string[] = [];
  /** Round trips from an EXECUTE_COMPLETE written to the next sendmsg read, when measuring. */
  latencies: number[] | null = null;
  /** With `latencies`: each round trip's step on its channel (0 = the first) and when it ended (performance.now()). */
  latencySteps: number[] | null = null;
  latencyTimes: number[] | null = null;

  constructor(readonly options: EslTestServerOptions = {}) {
    this.password = options.password ?? 'ClueCon';
  }

  async listen(port = 0): Promise<number> {
    const srv = net.createServer({ noDelay: true }, (s) => new EslConnection(this, s, 'inbound'));
    this.server = srv;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (srv.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Stop accepting connections and drop every session at once (like a crash). */
  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    this.connections.clear();
    this.unbound.clear();
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  /** A normal shutdown as in the reconnect traces: SHUTDOWN, SYSTEM_SHUTDOWN hangups, notice, FIN. */
  async shutdown(noticeDelayMs = 20): Promise<void> {
    this.dispatch({ 'Event-Name': 'SHUTDOWN', 'Event-Info': 'System Shutting Down', ...nowHeaders() });
    for (const ch of [...this.channels.values()]) ch.hangup('SYSTEM_SHUTDOWN');
    await new Promise((r) => setTimeout(r, noticeDelayMs));
    for (const c of [...this.connections]) {
      if (c.mode === 'inbound') {
        c.write(disconnectNotice(SHUTTING_DOWN));
        c.close();
      }
    }
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((r) => srv.close(() => r()));
  }

  private pad: Padding | null = null;
  /** The channel variables every channel event carries with padEventsBytes (null without), serialised once. */
  padding(): Padding | null {
    const bytes = this.options.padEventsBytes ?? 0;
    if (!bytes) return null;
    if (!this.pad) {
      const h: Headers = {};
      for (let i = 0; i * 48 < bytes; i++) h[`variable_sip_pad_${String(i).padStart(3, '0')}`] = 'x'.repeat(24);
      this.pad = new Padding(h);
    }
    return this.pad;
  }

  /** Raw bytes to every inbound session (malformed-frame tests). */
  injectRaw(bytes: string): void {
    for (const c of this.connections) if (c.mode === 'inbound') c.write(bytes);
  }

  /** A channel that vanishes without any event (a lost hang-up). */
  vanish(ch: SimChannel): void {
    ch.up = false;
    this.channels.delete(ch.uuid);
  }

  /** Connections bound to one channel by myevents: they only ever want that channel's events. */
  private bound = new Map<string, Set<EslConnection>>();
  private boundConns = new Set<EslConnection>();
  bindToChannel(c: EslConnection, uuid: string): void {
    if (!this.bound.has(uuid)) this.bound.set(uuid, new Set());
    this.bound.get(uuid)!.add(c);
    this.boundConns.add(c);
    this.unbound.delete(c);
    c.socket.once('close', () => {
      this.bound.get(uuid)?.delete(c);
      if (this.bound.get(uuid)?.size === 0) this.bound.delete(uuid);
      this.boundConns.delete(c);
    });
  }

  /** Connections not bound by myevents, in the order they came (they may want any event). */
  private unbound = new Set<EslConnection>();
  /** Called by each new connection. */
  addConnection(c: EslConnection): void {
    this.connections.add(c);
    this.unbound.add(c);
  }

  removeConnection(c: EslConnection): void {
    this.connections.delete(c);
    this.unbound.delete(c);
  }

  /**
   * Might any connection want a channel's event (SimChannel.emit)? Asked before the event is
   * built; `extra` that sets the name or the channel is taken as wanted (it is checked in full then).
   */
  mayBeWanted(name: string, uuid: string, extra: Headers): boolean {
    if (Object.hasOwn(extra, 'Event-Name') || Object.hasOwn(extra, 'Unique-ID')) return true;
    for (const c of this.unbound) if (c.mayWant(name, uuid)) return true;
    const bound = this.bound.get(uuid);
    if (bound) for (const c of bound) if (c.mayWant(name, uuid)) return true;
    return false;
  }

  /** Send an event to every connection that wants it. */
  dispatch(h: Headers, body?: string): void {
    for (const c of this.unbound) c.deliver(h, body);
    const id = h['Unique-ID'];
    if (id) for (const c of this.bound.get(id) ?? []) c.deliver(h, body);
  }

  /**
   * A channel event with the padding: built into a frame only for the connections that want it,
   * once per event format.
   */
  dispatchPadded(h: PaddedHeaders, body?: string): void {
    const id = headerOf(h, 'Unique-ID');
    const frames: Partial<Record<EventFormat, Frame>> = {};
    for (const c of this.unbound) this.sendPadded(c, h, body, id, frames);
    const bound = id ? this.bound.get(id) : undefined;
    if (bound) for (const c of bound) this.sendPadded(c, h, body, id, frames);
  }

  /** dispatchPadded's delivery to one connection (the frame built once per format, in `frames`). */
  private sendPadded(c: EslConnection, h: PaddedHeaders, body: string | undefined, id: string | undefined, frames: Partial<Record<EventFormat, Frame>>): void {
    if (!c.wants(h)) return;
    const f = c.eventFormat;
    c.deliverFrame((frames[f] ??= paddedEventFrameChunks(f, h, body)), id);
  }

  heartbeat(): void {
    this.dispatch({
      'Event-Name': 'HEARTBEAT', ...nowHeaders(), 'Up-Time': `${Math.round((Date.now() - this.startedAt) / 1000)} seconds`,
      'Session-Count': String(this.channels.size), 'Idle-CPU': '99.0',
    });
  }

  runApi(line: string): string {
    const [name, ...a] = line.split(' ');
    const args = a.join(' ');
    const custom = this.options.api?.[name];
    if (custom) return custom(args);
    switch (name) {
      case 'status':
        return `UP 0 years, 0 days, 0 hours, 0 minutes, ${Math.round((Date.now() - this.startedAt) / 1000)} seconds, 0 milliseconds, 0 microseconds\nFreeSWITCH (Version 1.10.12-release  64bit) is ready\n${this.sessionsSinceStart} session(s) since startup\n`;
      case 'show':
        if (args === 'channels as json') return this.showChannels();
        return '-ERR Invalid show\n';
      case 'uuid_getvar': {
        const [id, v] = a;
        const ch = this.channels.get(id);
        if (!ch) return '-ERR No such channel!\n';
        return ch.variables[v] ?? '_undef_';
      }
      case 'uuid_setvar': {
        const [id, v, ...val] = a;
        const ch = this.channels.get(id);
        if (!ch) return '-ERR No such channel!\n';
        ch.variables[v] = val.join(' ');
        return '+OK\n';
      }
      case 'uuid_kill': {
        const ch = this.channels.get(a[0]);
        if (!ch) return '-ERR No such channel!\n';
        setImmediate(() => ch.hangup(a[1] ?? 'NORMAL_CLEARING'));
        return '+OK\n';
      }
      case 'uuid_exists':
        return this.channels.has(a[0]) ? 'true' : 'false';
      case 'uuid_hold': {
        const off = a[0] === 'off';
        const ch = this.channels.get(off ? a[1] : a[0]);
        // The recorded switch says Success for a channel that does not exist (call-control trace L56).
        if (!ch) return '+OK Success\n';
        // switch_ivr_hold / switch_ivr_unhold refuse a call already in (or not in) the HELD state;
        // the state is HELD only once the phone accepted the re-INVITE.
        if (off ? !ch.held || ch.holdPending : ch.held && !ch.holdPending) return '-ERR Operation failed\n';
        // Held while mod_callcenter still sets up the bridge: the bridge's state reset undoes it.
        if (!off && ch.bridging) return '+OK Success\n';
        if (off) {
          ch.held = false;
          setImmediate(() => ch.emit('CHANNEL_UNHOLD'));
        } else {
          ch.held = true;
          const settle = this.options.holdSettleMs ?? 0;
          if (settle > 0) {
            ch.holdPending = true;
            setTimeout(() => { ch.holdPending = false; }, settle).unref();
          }
          setImmediate(() => ch.emit('CHANNEL_HOLD'));
        }
        return '+OK Success\n';
      }
      case 'uuid_transfer': {
        const ch = this.channels.get(a[0]);
        if (!ch) return '-ERR No such channel!\n';
        this.transfers.push({ uuid: a[0], destination: a[1] ?? '', dialplan: a[2] ?? '', context: a[3] ?? '' });
        // A call left parked in `socket` sent back to the hotline number: the dialplan runs again,
        // so the socket application connects to the app anew.
        if (ch.parkedIn && a[1] === ch.destination && (a[3] ?? 'default') === 'public') {
          const app = ch.parkedIn;
          ch.parkedIn = null;
          ch.socketTo = app;
          setImmediate(() => this.connectOutbound(ch, app.host, app.port));
        }
        return '+OK\n';
      }
      case 'uuid_broadcast': {
        const ch = this.channels.get(a[0]);
        if (!ch) return '-ERR invalid uuid\n';
        this.broadcasts.push({ uuid: a[0], path: a[1], leg: a[2] ?? 'aleg' });
        return '+OK Message sent\n';
      }
      case 'callcenter_config':
        return this.callcenter.api(args);
      case 'reloadxml':
        return '+OK [Success]\n';
      case 'file_exists':
        return this.missingFiles.some((m) => args.startsWith(m)) ? 'false' : 'true';
      case 'db': {
        // An api that writes nothing is answered "-ERR no reply" (an empty db list / select on 1.10.12).
        const out = this.modDb(args);
        return out === '' ? '-ERR no reply' : out;
      }
      case 'originate':
        return this.originateSync(args);
      default:
        return `-ERR ${name} Command not found!\n`;
    }
  }

  /** mod_db's `db` api: insert/delete/select/exists/list, as mod_db.c answers them. */
  readonly db = new Map<string, string>();
  private modDb(args: string): string {
    // switch_separate_string(…, '/', argv, 4): the fourth part keeps the rest, slashes and all.
    const parts = args.split('/');
    const [verb, realm, key] = parts;
    const value = parts.slice(3).join('/');
    switch (verb) {
      case 'insert':
        if (parts.length < 4) return '!err!';
        this.db.set(`${realm}/${key}`, value);
        return '+OK';
      case 'delete':
        this.db.delete(`${realm}/${key}`);
        return '+OK';
      case 'select':
        return this.db.get(`${realm}/${key}`) ?? '';
      case 'exists':
        return this.db.has(`${realm}/${key}`) ? 'true' : 'false';
      case 'list':
        return [...this.db.keys()].filter((k) => k.startsWith(`${realm}/`)).map((k) => k.slice(realm.length + 1)).join(',');
      default:
        return '!err!';
    }
  }

  /**
   * freeswitch-conf's hotline dialplan after `socket` returned (the app unreachable, or gone
   * mid-call): `transfer step_${hotline_step} XML hotline_resume`, and that context, action by
   * action (keep in step with dialplan/hotline_resume.xml).
   */
  private async afterSocket(ch: SimChannel, app: { host: string; port: number }): Promise<void> {
    const dp = this.options.dialplan!;
    const run = async (a: string, arg = ''): Promise<boolean> => {
      if (!ch.up) return false;
      await ch.execute(a, arg, uuid());
      return ch.up;
    };
    const prompt = (k: string) => `${dp.promptsDir}/${k}.wav`;
    const epoch = () => String(Math.floor(Date.now() / 1000));
    let dest = `step_${ch.variables.hotline_step ?? ''}`;
    for (let hops = 0; hops < 10 && ch.up; hops++) {
      const step = dest.startsWith('step_') ? dest.slice(5) : null;
      if (step === '') {
        if (!(await run('answer')) || !(await run('db', `insert/hotline_fallback/${ch.uuid}/${epoch()}|${ch.callerNumber}`))) return;
        if (!(await run('record_session', `${dp.recordingsDir}/fallback_${ch.uuid}.wav`)) || !(await run('playback', prompt('welcome')))) return;
        dest = 'fallback_answered';
      } else if (step !== null) {
        // `socket` again: the app, if back, takes the call from its step; the action returns when it lets go.
        await new Promise<void>((done) => this.connectOutbound(ch, app.host, app.port, done));
        if (!ch.up) return;
        dest = `fallback_${step}`;
      } else if (dest === 'fallback_answered') {
        if (!(await run('playback', prompt('queue_wait'))) || !(await run('set', 'hangup_after_bridge=true')) || !(await run('set', 'hotline_step=queue'))) return;
        if (!(await run('callcenter', dp.queue))) return;
        dest = 'step_queue';
      } else if (dest === 'fallback_queue') {
        if (!(await run('playback', prompt('message_prompt'))) || !(await run('set', 'hotline_message_reason=overflow'))) return;
        if (!(await run('db', `insert/hotline_message/${ch.uuid}/${epoch()}|overflow|${ch.callerNumber}`)) || !(await run('set', 'hotline_step=message'))) return;
        if (!(await run('playback', 'tone_stream://%(400,0,800)')) || !(await run('record', `${dp.recordingsDir}/message_${ch.uuid}.wav 120 200 4`))) return;
        dest = 'step_message';
      } else if (dest === 'fallback_message') {
        if (!(await run('set', 'hotline_step=done')) || !(await run('playback', prompt('message_saved'))) || !(await run('playback', prompt('goodbye')))) return;
        await run('hangup');
        return;
      } else {
        if (await run('playback', prompt('goodbye'))) await run('hangup');
        return;
      }
    }
  }

  private showChannels(): string {
    const lag = this.options.channelListLagMs ?? 0;
    const rows = [...this.channels.values()].filter((c) => Date.now() - c.createdAt >= lag).map((c) => ({
      uuid: c.uuid, direction: c.direction, created_epoch: String(Math.floor(c.createdAt / 1000)), name: c.name,
      state: c.up ? 'CS_EXECUTE' : 'CS_HANGUP', cid_num: c.callerNumber, dest: c.destination,
      callstate: c.answered ? 'ACTIVE' : 'RINGING', ...(c.agent ? { presence_id: c.agent } : {}),
      context: c.context ?? (c.direction === 'inbound' ? 'public' : 'default'),
      application: c.currentApp?.name ?? (c.socketTo ? 'socket' : ''),
      application_data: c.currentApp?.arg ?? (c.socketTo ? `${c.socketTo.host}:${c.socketTo.port} async full` : ''),
    }));
    if (rows.length === 0) return '{"row_count": 0}\n';
    return JSON.stringify({ row_count: rows.length, rows });
  }

  runBgapi(name: string, args: string, job: string): void {
    const finish = (body: string) =>
      this.dispatch({ 'Event-Name': 'BACKGROUND_JOB', ...nowHeaders(), 'Job-UUID': job, 'Job-Command': name, 'Job-Command-Arg': args }, body);
    if (name === 'originate') {
      this.originate(args, finish);
      return;
    }
    setImmediate(() => finish(this.runApi(`${name} ${args}`.trim())));
  }

  private originateSync(args: string): string {
    let result = '-ERR NORMAL_TEMPORARY_FAILURE\n';
    this.originate(args, (b) => { result = b; });
    return result;
  }

  /**
   * `originate {vars}sofia/<profile>/<number>@host '&socket(host:port async full)'`.
   * Outcomes follow the traces: busy → hangup before job; no answer → job before hangup.
   */
  originate(args: string, finish: (body: string) => void): void {
    const m = args.match(/^(?:\{([^}]*)\})?(\S+)\s+(?:'([^']*)'|(\S+))/);
    if (!m) {
      setImmediate(() => finish('-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n'));
      return;
    }
    const vars: Record<string, string> = {};
    for (const kv of (m[1] ?? '').split(',').filter(Boolean)) {
      const at = kv.indexOf('=');
      vars[kv.slice(0, at)] = kv.slice(at + 1);
    }
    const url = m[2];
    const app = m[3] ?? m[4];
    const urlM = url.match(/^sofia\/([^/]+)\/([^@]+)@?(.*)$/);
    if (!urlM || !['internal', 'external'].includes(urlM[1])) {
      setImmediate(() => finish('-ERR INVALID_PROFILE\n'));
      return;
    }
    const number = urlM[2];
    const behaviour = this.options.calleeSequence?.shift() ?? this.options.callees?.[number] ?? { kind: 'unreachable' as const };
    const ch = new SimChannel(this, url, 'outbound', vars.origination_caller_id_number ?? '', number,
      behaviour.kind === 'answer' ? behaviour.caller : {});
    Object.assign(ch.variables, vars);
    if (vars.origination_uuid) ch.uuid = vars.origination_uuid;
    this.channels.set(ch.uuid, ch);
    this.sessionsSinceStart++;
    setImmediate(() => {
      ch.emit('CHANNEL_CREATE');
      switch (behaviour.kind) {
        case 'busy':
          ch.hangup('USER_BUSY');
          finish('-ERR USER_BUSY\n');
          return;
        case 'unreachable':
          ch.hangup('NORMAL_TEMPORARY_FAILURE');
          finish('-ERR NORMAL_TEMPORARY_FAILURE\n');
          return;
        case 'no_answer':
          ch.emit('CHANNEL_PROGRESS');
          setTimeout(() => {
            finish('-ERR NO_ANSWER\n');
            ch.hangup('NO_ANSWER');
          }, behaviour.afterMs ?? 20);
          return;
        case 'answer': {
          ch.emit('CHANNEL_PROGRESS');
          ch.answered = true;
          ch.emit('CHANNEL_ANSWER');
          const sock = app.match(/^&socket\(([^:]+):(\d+)/);
          if (sock) this.connectOutbound(ch, sock[1], Number(sock[2]));
          finish(`+OK ${ch.uuid}\n`);
        }
      }
    });
  }

  /** An inbound call arrives and the dialplan runs `socket host:port async full`. */
  placeCall(opts: { caller: string; destination?: string; app: { host: string; port: number }; script?: CallerScript }): SimChannel {
    const ch = new SimChannel(this, `sofia/internal/${opts.caller}@127.0.0.1:5094`, 'inbound', opts.caller,
      opts.destination ?? '12345', opts.script);
    this.channels.set(ch.uuid, ch);
    this.sessionsSinceStart++;
    ch.emit('CHANNEL_CREATE');
    if (this.options.dialplan) {
      const app = opts.app;
      void new Promise<void>((done) => this.connectOutbound(ch, app.host, app.port, done)).then(() => this.afterSocket(ch, app));
    } else this.connectOutbound(ch, opts.app.host, opts.app.port);
    return ch;
  }

  /**
   * An inbound call whose `socket` application connected while the app did not answer: after
   * 25 s without `connect`, FreeSWITCH 1.10.12 ends the socket ("Socket Error!") and leaves the
   * channel parked in the socket application for good (ringing, never answered).
   */
  placeCallLeftInSocket(opts: { caller: string; destination?: string; context?: string; app: { host: string; port: number } }): SimChannel {
    const ch = new SimChannel(this, `sofia/external/${opts.caller}@127.0.0.1:5094`, 'inbound', opts.caller, opts.destination ?? '12345');
    ch.context = opts.context ?? null;
    this.channels.set(ch.uuid, ch);
    this.sessionsSinceStart++;
    ch.socketTo = opts.app;
    ch.parkedIn = opts.app;
    ch.emit('CHANNEL_CREATE');
    return ch;
  }

  /**
   * A survey leg (originate … '&socket(…)') answered just as the app died: the switch's TCP
   * connect was taken by the dying process and reset before `connect`, so FreeSWITCH logs
   * "Socket Error!" and parks the answered callee in the socket application (async mode) for
   * good, in silence (seen on a real 1.10.12, the app killed right after placing a survey).
   */
  placeSurveyLegLeftInSocket(opts: { phone: string; variables: Record<string, string>; app: { host: string; port: number } }): SimChannel {
    const ch = new SimChannel(this, `sofia/external/${opts.phone}@127.0.0.1:5070`, 'outbound', '', opts.phone);
    Object.assign(ch.variables, opts.variables);
    if (opts.variables.origination_uuid) ch.uuid = opts.variables.origination_uuid;
    this.channels.set(ch.uuid, ch);
    this.sessionsSinceStart++;
    ch.answered = true;
    ch.socketTo = opts.app;
    ch.parkedIn = opts.app;
    ch.emit('CHANNEL_CREATE');
    ch.emit('CHANNEL_ANSWER');
    return ch;
  }

  /** A call handled by the dialplan alone (no socket), e.g. extension 9196: answer, echo. */
  placeDialplanCall(opts: { caller: string; destination: string; apps: [string, string][] }): SimChannel {
    const ch = new SimChannel(this, `sofia/internal/${opts.caller}@127.0.0.1:5091`, 'inbound', opts.caller, opts.destination);
    this.channels.set(ch.uuid, ch);
    this.sessionsSinceStart++;
    ch.emit('CHANNEL_CREATE');
    for (const [app, arg] of opts.apps) ch.execute(app, arg, uuid());
    return ch;
  }

  /**
   * The `socket` application. With `returned` (the hotline dialplan), the application returns —
   * the app unreachable, or its socket gone and the application it was running finished — and
   * the dialplan goes on; without it, an unreachable app ends the call.
   */
  private connectOutbound(ch: SimChannel, host: string, port: number, returned?: () => void): void {
    const socket = net.connect({ port, host, noDelay: true });
    socket.on('error', () => {
      ch.socketConn = null;
      if (returned) returned();
      else ch.hangup('DESTINATION_OUT_OF_ORDER');
    });
    if (returned) {
      socket.on('close', () => {
        if (!ch.socketConn) return; // never connected: 'error' said so
        ch.socketConn = null;
        void ch.idle().then(returned);
      });
    }
    socket.on('connect', () => {
      ch.socketConn = new EslConnection(this, socket, 'outbound', ch);
    });
    // A survey leg (originate … &socket) has no dialplan after the socket: it hangs up when the app goes.
    socket.on('close', () => {
      if (ch.direction === 'outbound' && ch.up) setTimeout(() => ch.hangup('NORMAL_CLEARING'), 5);
    });
  }
}
