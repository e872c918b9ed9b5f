// Asterisk behind the Telephony interface, over one AMI connection: call events from
// the AMI event stream, agents as app_queue dynamic members (QueueAdd/QueueRemove/
// QueuePause with a reason) owned and reconciled by the app, return-visit surveys as
// async Originates into the survey dialplan, live calls reconciled with CoreShowChannels
// after every reconnect. Works the same way as ivr/freeswitch/adapter.ts.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AgentRecord, reconcileAgent, switchStatusFor } from '../agent-state';
import { AgentStateStore } from '../agent-store';
import { HotlineServices } from '../services';
import {
  AgentState, CallEvent, CallEventListener, SurveyCallPlaced, SurveyCallRequest, SurveyOutcome, Telephony, TelephonyError, TelephonyStatus,
} from '../telephony';
import { AgiServer } from './agi-server';
import { AmiConnection, AmiError, AmiMessage, amiLog, field } from './ami';
import { AsteriskConfig } from './config';
import { AMI_EVENTS, AsteriskEventMapper, MemberSignal, SURVEY_OUTCOMES, SurveySignal, hangupCauseName, originateOutcome } from './events';

export interface AsteriskOptions {
  config: AsteriskConfig;
  services: HotlineServices;
  /** Agent extensions (users.extension of the operators). */
  agents: string[];
  now?: () => Date;
  reconcileEveryMs?: number;
  wrapUpMaxMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  pingEveryMs?: number;
  actionTimeoutMs?: number;
  /** How long after the originate timeout to wait for OriginateResponse (30 s). */
  originateGraceMs?: number;
  /** Where agent states survive an app restart (KnexAgentStateStore); without it they start logged out. */
  store?: AgentStateStore;
}

/** app_queue's view of one member (QueueStatus `QueueMember`). */
interface MemberView {
  paused: boolean;
  reason: string;
  /** Device state: 1 not in use, 2 in use, 4 invalid, 5 unavailable, 6 ringing … */
  status: number;
  inCall: boolean;
}

interface SurveyCall {
  req: SurveyCallRequest;
  answered: boolean;
  stored: SurveyOutcome | null;
}

/** Asterisk uniqueids (1795459069.1) and the ChannelIds the app gives its own legs (UUIDs). */
const CALL_ID = /^[A-Za-z0-9._-]{1,150}$/;
/** Device states of a phone that is not there. */
const OFFLINE = new Set([4, 5]);

export class AsteriskTelephony implements Telephony {
  readonly kind = 'asterisk' as const;
  private bus = new EventEmitter();
  readonly ami: AmiConnection;
  readonly agi: AgiServer;
  /** The FastAGI port actually listened on (0 in the config = any, for tests). */
  agiPort = 0;
  private mapper: AsteriskEventMapper;
  private now: () => Date;
  private connected = false;
  private since: string;
  private agents = new Map<string, AgentRecord>();
  private ifaces = new Map<string, string>();
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** Calls the app believes are alive (id → when it learnt of them), for reconciliation. */
  private live = new Map<string, number>();
  /** Survey legs whose OriginateResponse has not come yet: the switch may not list them. */
  private originating = new Set<string>();
  private originates = new Map<string, (e: AmiMessage) => void>();
  private surveys = new Map<string, SurveyCall>();

  constructor(private o: AsteriskOptions) {
    this.now = o.now ?? (() => new Date());
    this.since = this.now().toISOString();
    const c = o.config;
    for (const a of o.agents) {
      this.agents.set(a, { agent: a, state: { state: 'logged_out' }, since: this.since, phoneRegistered: null });
      this.ifaces.set(this.iface(a), a);
    }
    this.mapper = new AsteriskEventMapper(this.now, { inboundContext: c.inboundContext, agentOf: (i) => this.ifaces.get(i) ?? null });
    this.ami = new AmiConnection({
      host: c.ami.host, port: c.ami.port, username: c.ami.username, secret: c.ami.secret, events: AMI_EVENTS,
      backoff: o.backoff, pingEveryMs: o.pingEveryMs, actionTimeoutMs: o.actionTimeoutMs,
    });
    this.ami.on('up', () => void this.onUp());
    this.ami.on('down', (reason: string) => this.setConnected(false, reason));
    this.ami.on('event', (e: AmiMessage) => this.onAmiEvent(e));
    this.agi = new AgiServer({
      host: c.agiListen.host, port: c.agiListen.port, promptsDir: c.promptsDir, queueMaxWaitS: c.queueMaxWaitS,
      settings: { recordingsDir: c.recordingsDir, queue: c.queue, workingHours: c.workingHours, timeZone: c.timeZone, messageMaxS: 120 },
      services: o.services, now: this.now, report: (e) => this.emit(e),
      onCall: (ch) => {
        ch.onRecorded = (path) => this.emit({ type: 'recording_ended', at: this.now().toISOString(), callId: ch.callId, path });
        // Normally known from its Newchannel already; after an app restart, from here.
        this.mapper.track(ch.callId, ch.caller);
        if (!this.live.has(ch.callId)) this.live.set(ch.callId, performance.now());
      },
    });
  }

  private iface(agent: string): string {
    return this.o.config.agentInterface.replace('{ext}', agent);
  }

  async start(): Promise<void> {
    if (this.o.store) {
      for (const [agent, s] of await this.o.store.load()) {
        const r = this.agents.get(agent);
        if (r) Object.assign(r, { state: s.state, since: s.since });
      }
    }
    this.agiPort = await this.agi.start();
    this.ami.start();
    this.reconcileTimer = setInterval(() => void this.reconcile().catch((e: Error) => amiLog('warn', `reconcile: ${e.message}`)), this.o.reconcileEveryMs ?? 30000);
    this.reconcileTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.ami.stop();
    await this.agi.stop();
  }

  status(): TelephonyStatus {
    return { kind: 'asterisk', connected: this.connected, since: this.since };
  }

  onEvent(listener: CallEventListener): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }

  /** Recordings still running, by call: MixMonitor and a dialplan Record() stop when the call ends. */
  private recording = new Map<string, Set<string>>();

  private emit(e: CallEvent): void {
    if (e.type === 'recording_started') this.recording.set(e.callId, (this.recording.get(e.callId) ?? new Set()).add(e.path));
    if (e.type === 'recording_ended') this.recording.get(e.callId)?.delete(e.path);
    if (e.type === 'call_ended') {
      this.live.delete(e.callId);
      const open = this.recording.get(e.callId);
      this.recording.delete(e.callId);
      for (const path of open ?? []) this.emit({ type: 'recording_ended', at: e.at, callId: e.callId, path });
    }
    for (const l of this.bus.listeners('event') as CallEventListener[]) {
      try {
        l(e);
      } catch (err) {
        amiLog('error', `call event listener failed on ${e.type}: ${(err as Error).message}`);
      }
    }
  }

  private setConnected(up: boolean, reason = ''): void {
    if (this.connected === up) return;
    this.connected = up;
    this.since = this.now().toISOString();
    this.emit(up ? { type: 'telephony_up', at: this.since } : { type: 'telephony_down', at: this.since, reason });
  }

  private async onUp(): Promise<void> {
    this.setConnected(true);
    try {
      await this.reconcile();
    } catch (err) {
      amiLog('warn', `reconcile after connect: ${(err as Error).message}`);
    }
  }

  private onAmiEvent(e: AmiMessage): void {
    if (field(e, 'event') === 'OriginateResponse') {
      const done = this.originates.get(field(e, 'actionid'));
      if (done) {
        this.originates.delete(field(e, 'actionid'));
        done(e);
      }
      return;
    }
    const m = this.mapper.map(e);
    if (m.shutdown) this.setConnected(false, 'Asterisk 正在关闭或重启');
    for (const ev of m.events) {
      if (ev.type === 'call_started' || ev.type === 'call_queued') {
        if (!this.live.has(ev.callId)) this.live.set(ev.callId, performance.now());
      }
      if (ev.type === 'call_abandoned' && ev.caller) {
        void this.o.services
          .addToCallbackList({ callerPhone: ev.caller, callId: ev.callId, at: ev.at, reason: 'abandoned' })
          .catch((err: Error) => amiLog('error', `call-back list for ${ev.callId}: ${err.message}`));
      }
      if (ev.type === 'call_answered') {
        if (!this.live.has(ev.callId)) this.live.set(ev.callId, performance.now());
        this.applyState(ev.agent, { state: 'on_call', callId: ev.callId }, 'switch');
      }
      this.emit(ev);
      if (ev.type === 'call_ended') this.surveyEnded(ev.callId);
    }
    if (m.member) this.onMember(m.member);
    if (m.survey) void this.onSurvey(m.survey).catch((err: Error) => amiLog('error', `survey answer of ${m.survey?.callId}: ${err.message}`));
  }

  // ——— agents ———

  private onMember(s: MemberSignal): void {
    const agent = this.ifaces.get(s.iface);
    const r = agent ? this.agents.get(agent) : undefined;
    if (!agent || !r) return;
    if (s.kind === 'complete' && r.state.state === 'on_call') {
      // The app holds wrap-up itself: the member is paused meanwhile.
      void this.setAgentState(agent, { state: 'wrap_up' }).catch(() => undefined);
      return;
    }
    if (s.status !== null) {
      const registered = !OFFLINE.has(s.status);
      const changed = r.phoneRegistered !== registered;
      r.phoneRegistered = registered;
      if (changed && !registered) void this.exclusive(() => this.reconcileOne(agent, null)).catch(() => undefined);
    }
    // Someone removed, paused or unpaused the member behind the app's back: put back what the app
    // holds. The echoes of the app's own QueueAdd/QueuePause agree with it and cost nothing.
    const want = switchStatusFor(r.state);
    const disagrees = (s.kind === 'removed' && want !== 'Logged Out') || (s.kind === 'pause' && s.paused !== null && s.paused !== (want === 'On Break'));
    if (disagrees && this.connected) void this.exclusive(() => this.reconcileOne(agent, null)).catch(() => undefined);
  }

  private applyState(agent: string, state: AgentState, source: 'app' | 'switch' | 'reconcile'): void {
    const r = this.agents.get(agent);
    if (!r) return;
    r.state = state;
    r.since = this.now().toISOString();
    this.persist(agent, { state, since: r.since });
    this.emit({ type: 'agent_state_changed', at: r.since, agent, state, source });
  }

  private saving = new Map<string, Promise<void>>();
  private persist(agent: string, s: { state: AgentState; since: string }): void {
    const store = this.o.store;
    if (!store) return;
    const next = (this.saving.get(agent) ?? Promise.resolve())
      .then(() => store.save(agent, s))
      .catch((err: Error) => amiLog('error', `saving agent state of ${agent}: ${err.message}`));
    this.saving.set(agent, next);
  }

  async flushAgentStates(): Promise<void> {
    await Promise.all([...this.saving.values()]);
  }

  async setAgentState(agent: string, state: AgentState): Promise<void> {
    if (!this.agents.has(agent)) throw new TelephonyError(`未知的坐席：${agent}`, 'unknown agent');
    if (state.state === 'on_break' && !state.reason.trim()) throw new TelephonyError('小休必须填写原因', 'break without reason');
    this.applyState(agent, state, 'app');
    if (this.connected) await this.exclusive(() => this.reconcileOne(agent, null));
  }

  getAgentState(agent: string): AgentState {
    const r = this.agents.get(agent);
    if (!r) throw new TelephonyError(`未知的坐席：${agent}`, 'unknown agent');
    return r.state;
  }

  listAgents(): { agent: string; state: AgentState }[] {
    return [...this.agents.values()].map((r) => ({ agent: r.agent, state: r.state }));
  }

  // ——— call control ———

  private async channelName(callId: string): Promise<string> {
    if (!CALL_ID.test(callId)) throw new TelephonyError(`通话编号不合法：${callId}`, 'invalid call id');
    const known = this.mapper.channelOf(callId);
    if (known) return known;
    const rows = await this.amiList({ action: 'CoreShowChannels' });
    const row = rows.find((r) => field(r, 'uniqueid') === callId);
    if (!row) throw new TelephonyError(`通话不存在：${callId}`, 'No such channel');
    return field(row, 'channel');
  }

  private async amiAction(req: Record<string, unknown>, timeoutMs?: number, actionId?: string): Promise<AmiMessage> {
    try {
      return await this.ami.action(req, timeoutMs, actionId);
    } catch (err) {
      const detail = err instanceof AmiError && err.response ? field(err.response, 'message') : (err as Error).message;
      throw new TelephonyError(`${String(req.action)} 失败：${detail}`, detail);
    }
  }

  private async amiList(req: Record<string, unknown>): Promise<AmiMessage[]> {
    try {
      return await this.ami.list(req);
    } catch (err) {
      const detail = err instanceof AmiError && err.response ? field(err.response, 'message') : (err as Error).message;
      throw new TelephonyError(`${String(req.action)} 失败：${detail}`, detail);
    }
  }

  async hold(callId: string): Promise<void> {
    await this.channelName(callId);
    // AMI has no hold action for a bridged call: the operator uses the phone's hold key.
    throw new TelephonyError('Asterisk 不支持通过 AMI 保持通话，请使用话机上的保持键', 'unsupported on Asterisk');
  }

  async unhold(callId: string): Promise<void> {
    await this.channelName(callId);
    throw new TelephonyError('Asterisk 不支持通过 AMI 取消保持，请使用话机上的保持键', 'unsupported on Asterisk');
  }

  async transfer(callId: string, destination: string): Promise<void> {
    if (!/^[0-9*#]{2,20}$/.test(destination)) throw new TelephonyError(`转接号码不合法：${destination}`, 'invalid destination');
    const channel = await this.channelName(callId);
    await this.amiAction({ action: 'Redirect', channel, context: this.o.config.transferContext, exten: destination, priority: '1' });
  }

  async hangup(callId: string): Promise<void> {
    const channel = await this.channelName(callId);
    await this.amiAction({ action: 'Hangup', channel, cause: '16' });
  }

  // ——— return-visit survey ———

  async placeSurveyCall(req: SurveyCallRequest): Promise<SurveyCallPlaced> {
    const c = this.o.config;
    if (!/^\+?\d{3,20}$/.test(req.phone)) throw new TelephonyError(`电话号码不合法：${req.phone}`, 'invalid phone');
    if (!Number.isInteger(req.ticketId) || req.ticketId <= 0 || !Number.isInteger(req.attempt) || req.attempt <= 0) {
      throw new TelephonyError('回访请求不合法（工单或次数）', 'invalid survey request');
    }
    if (!this.connected) throw new TelephonyError('Asterisk 未连接，无法外呼', 'not connected');
    // Our own id for the leg (Originate ChannelId = its Uniqueid): the call has a row even when it fails.
    const callId = crypto.randomUUID();
    const actionId = `orig-${callId}`;
    this.mapper.track(callId, req.phone);
    this.live.set(callId, performance.now());
    this.originating.add(callId);
    this.surveys.set(callId, { req, answered: false, stored: null });
    this.emit({ type: 'call_started', at: this.now().toISOString(), callId, direction: 'outbound', purpose: 'survey', caller: c.survey.callerId, callee: req.phone, ticketId: req.ticketId });
    const response = new Promise<AmiMessage | null>((resolve) => {
      const timer = setTimeout(() => {
        this.originates.delete(actionId);
        resolve(null);
      }, c.survey.originateTimeoutS * 1000 + (this.o.originateGraceMs ?? 30000));
      this.originates.set(actionId, (e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
    try {
      await this.amiAction({
        action: 'Originate', channel: c.survey.dial.replace('{phone}', req.phone), context: c.surveyContext, exten: 's', priority: '1',
        timeout: String(c.survey.originateTimeoutS * 1000), callerid: `"${c.survey.callerId}" <${c.survey.callerId}>`, async: 'true', channelid: callId,
        variable: {
          RETURN_VISIT_TICKET_ID: String(req.ticketId), RETURN_VISIT_TICKET_NUMBER: req.ticketNumber, RETURN_VISIT_ATTEMPT: String(req.attempt),
          RECORDINGS_DIR: c.recordingsDir,
        },
      }, undefined, actionId);
    } catch (err) {
      // Refused before any channel existed (permissions, bad request): end the call record here.
      this.originates.delete(actionId);
      this.originating.delete(callId);
      this.surveys.delete(callId);
      if (this.mapper.tracked.delete(callId)) this.emit({ type: 'call_ended', at: this.now().toISOString(), callId, hangupCause: 'ORIGINATE_ERROR' });
      throw err;
    }
    const r = await response;
    this.originating.delete(callId);
    // The response was lost (the AMI connection dropped meanwhile): a leg still up is in the survey.
    const upAnyway = !r && this.connected && (await this.amiList({ action: 'CoreShowChannels' }).catch(() => [])).some((x) => field(x, 'uniqueid') === callId);
    if (upAnyway || (r && field(r, 'response') === 'Success')) {
      const s = this.surveys.get(callId);
      if (s) s.answered = true;
      return { accepted: true, callId, outcome: null, detail: r ? `OriginateResponse Success Reason ${field(r, 'reason')}` : 'OriginateResponse lost; the call is up' };
    }
    const reason = r ? field(r, 'reason') : '';
    const outcome = r ? originateOutcome(reason) : 'unreachable';
    const detail = r ? `OriginateResponse Failure Reason ${reason}` : 'no OriginateResponse';
    this.surveys.delete(callId);
    // The leg may have hung up before the response (a Hangup event), or never have existed.
    if (this.mapper.tracked.delete(callId)) {
      const cause = { busy: '17', no_answer: '19', rejected: '21' }[outcome as 'busy'] ?? '34';
      this.emit({ type: 'call_ended', at: this.now().toISOString(), callId, hangupCause: hangupCauseName(cause) });
    }
    return { accepted: false, callId, outcome, detail };
  }

  private async onSurvey(sig: SurveySignal): Promise<void> {
    const s = this.surveys.get(sig.callId);
    // After an app restart the ticket still travels in the channel variables.
    const ticketId = s?.req.ticketId ?? sig.ticketId;
    const attempt = s?.req.attempt ?? sig.attempt;
    if (!ticketId || !attempt) {
      amiLog('warn', `survey event on ${sig.callId} without a ticket: ignored`);
      return;
    }
    const at = this.now().toISOString();
    if (sig.kind === 'reason') {
      if (!sig.path) return;
      const outcome = s?.stored ?? 'unsatisfied';
      this.emit({ type: 'recording_started', at, callId: sig.callId, path: sig.path, kind: 'survey_reason' });
      await this.o.services.recordSurveyAnswer({ ticketId, attempt, callId: sig.callId, outcome, digit: '3', answeredAt: at, reasonRecordingPath: sig.path });
      return;
    }
    const outcome: SurveyOutcome = (sig.digit && SURVEY_OUTCOMES[sig.digit]) || 'no_input';
    const digit = outcome === 'no_input' ? null : sig.digit;
    if (s) s.stored = outcome;
    await this.o.services.recordSurveyAnswer({ ticketId, attempt, callId: sig.callId, outcome, digit, answeredAt: at });
    this.emit({ type: 'survey_result', at, callId: sig.callId, ticketId, attempt, outcome, digit });
  }

  /** An answered survey call that ended before the callee keyed an answer: "hung up". */
  private surveyEnded(callId: string): void {
    const s = this.surveys.get(callId);
    if (!s || !s.answered) return;
    this.surveys.delete(callId);
    if (s.stored) return;
    s.stored = 'hung_up';
    const at = this.now().toISOString();
    void this.o.services
      .recordSurveyAnswer({ ticketId: s.req.ticketId, attempt: s.req.attempt, callId, outcome: 'hung_up', digit: null, answeredAt: at })
      .then(() => this.emit({ type: 'survey_result', at, callId, ticketId: s.req.ticketId, attempt: s.req.attempt, outcome: 'hung_up', digit: null }))
      .catch((err: Error) => amiLog('error', `survey hang-up of ${callId}: ${err.message}`));
  }

  // ——— reconciliation ———

  /**
   * Brings the app's view and the switch's together: calls that ended while the app was
   * not listening are closed, calls it did not know are followed, every agent's queue
   * membership and pause are made what the app holds; stuck states are corrected.
   */
  reconcile(): Promise<void> {
    return this.exclusive(() => this.reconcileAll());
  }

  private serial: Promise<unknown> = Promise.resolve();
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async switchView(): Promise<{ alive: Set<string>; channels: AmiMessage[]; members: Map<string, MemberView> }> {
    const channels = await this.amiList({ action: 'CoreShowChannels' });
    const alive = new Set(channels.map((r) => field(r, 'uniqueid')).filter(Boolean));
    const members = new Map<string, MemberView>();
    for (const m of await this.amiList({ action: 'QueueStatus', queue: this.o.config.queue })) {
      if (field(m, 'event') !== 'QueueMember' || field(m, 'queue') !== this.o.config.queue) continue;
      members.set(field(m, 'location'), {
        paused: field(m, 'paused') === '1', reason: field(m, 'pausedreason'), status: Number(field(m, 'status')) || 0, inCall: field(m, 'incall') === '1',
      });
    }
    return { alive, channels, members };
  }

  private async reconcileAll(): Promise<void> {
    if (!this.connected) return;
    const asked = performance.now();
    const view = await this.switchView();
    const c = this.o.config;
    // Hotline and survey calls alive on the switch that the app did not know (it restarted
    // mid-call): follow them, so their end is still recorded.
    for (const row of view.channels) {
      const id = field(row, 'uniqueid');
      const first = id === (field(row, 'linkedid') || id);
      if (first && (field(row, 'context') === c.inboundContext || field(row, 'context') === c.surveyContext) && !this.live.has(id)) {
        this.live.set(id, performance.now());
        this.mapper.track(id, field(row, 'calleridnum'), field(row, 'channel'));
      }
    }
    for (const [id, since] of [...this.live]) {
      if (!view.alive.has(id) && since < asked && !this.originating.has(id)) {
        this.mapper.tracked.delete(id);
        this.emit({ type: 'call_ended', at: this.now().toISOString(), callId: id, hangupCause: 'LOST_WHILE_DISCONNECTED' });
        this.surveyEnded(id);
      }
    }
    for (const [id, since] of this.live) if (since >= asked) view.alive.add(id);
    for (const agent of this.agents.keys()) await this.reconcileOne(agent, view);
  }

  private async reconcileOne(agent: string, known: { alive: Set<string>; members: Map<string, MemberView> } | null): Promise<void> {
    const r = this.agents.get(agent);
    if (!r || !this.connected) return;
    const view = known ?? (await this.switchView());
    const iface = this.iface(agent);
    const m = view.members.get(iface) ?? null;
    if (m) r.phoneRegistered = !OFFLINE.has(m.status);
    const action = reconcileAgent({
      record: r, onSwitch: m ? { status: m.paused ? 'On Break' : 'Available', state: m.inCall ? 'In a queue call' : 'Waiting' } : null,
      liveCalls: view.alive, now: this.now(), wrapUpMaxMs: this.o.wrapUpMaxMs ?? 120000,
    });
    if (action?.newState) this.applyState(agent, action.newState, 'reconcile');
    const want = switchStatusFor(r.state);
    const reason = r.state.state === 'on_break' ? r.state.reason : r.state.state === 'wrap_up' ? 'wrap_up' : '';
    const q = this.o.config.queue;
    // Someone else (the CLI, a second app server) may have got there first: that is the goal reached.
    const already = (words: string) => (err: unknown) => {
      if (!(err instanceof TelephonyError && err.detail.includes(words))) throw err;
    };
    if (want === 'Logged Out') {
      if (m) await this.amiAction({ action: 'QueueRemove', queue: q, interface: iface }).catch(already('Not there'));
      return;
    }
    const paused = want === 'On Break';
    if (!m) {
      await this.amiAction({ action: 'QueueAdd', queue: q, interface: iface, membername: agent, penalty: '0', paused: String(paused) }).catch(already('Already there'));
      if (paused) await this.amiAction({ action: 'QueuePause', queue: q, interface: iface, paused: 'true', reason });
    } else if (m.paused !== paused || (paused && m.reason !== reason)) {
      await this.amiAction({ action: 'QueuePause', queue: q, interface: iface, paused: String(paused), reason: paused ? reason : undefined });
    }
  }
}
