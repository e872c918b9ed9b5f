// FreeSWITCH behind the Telephony interface: one inbound Event Socket connection for
// events, agent state (mod_callcenter via callcenter_config) and call control, plus
// the IVR app's outbound-socket listener for the call flows.
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AgentRecord, parseAgentList, reconcileAgent } from '../agent-state';
import { AgentStateStore } from '../agent-store';
import { IvrConfig } from '../config';
import { HotlineServices } from '../services';
import {
  AgentState, CallEvent, CallEventListener, SurveyCallPlaced, SurveyCallRequest, Telephony, TelephonyError, TelephonyStatus,
} from '../telephony';
import { FreeSwitchEventMapper } from './events';
import { EslInbound } from './inbound';
import { IvrServer } from './ivr-server';
import { eslLog } from './modesl';
import { mapOriginateResult, originateArgs } from './originate';
import { promptFile, queuePositionPrompt } from '../prompts';

export interface FreeSwitchOptions {
  config: IvrConfig;
  services: HotlineServices;
  /** Agent extensions (users.extension of the operators). */
  agents: string[];
  /** SIP contact of an agent's phone, e.g. user/1001 (directory user). */
  agentContact?: (extension: string) => string;
  now?: () => Date;
  reconcileEveryMs?: number;
  wrapUpMaxMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  silenceMs?: number;
  /** Where agent states survive an app restart (KnexAgentStateStore); without it they start logged out. */
  store?: AgentStateStore;
  /** Measurement hooks for the benchmark. */
  instrument?: { onEventHandled?: () => void; onCommandLatency?: (ms: number) => void };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FreeSwitchTelephony implements Telephony {
  readonly kind = 'freeswitch' as const;
  private bus = new EventEmitter();
  private inbound: EslInbound;
  readonly ivr: IvrServer;
  private mapper: FreeSwitchEventMapper;
  private now: () => Date;
  private connected = false;
  private since: string;
  private agents = new Map<string, AgentRecord>();
  private reconcileTimer: NodeJS.Timeout | null = null;
  private announceTimer: NodeJS.Timeout | null = null;
  /** Calls the app believes are alive (id → when it learnt of them), for reconciliation. */
  private live = new Map<string, number>();
  /** Survey legs whose originate has not answered yet: the switch may not list them. */
  private originating = new Set<string>();
  ivrPort = 0;

  constructor(private o: FreeSwitchOptions) {
    this.now = o.now ?? (() => new Date());
    this.since = this.now().toISOString();
    this.mapper = new FreeSwitchEventMapper(this.now);
    const c = o.config;
    for (const a of o.agents) {
      this.agents.set(a, { agent: a, state: { state: 'logged_out' }, since: this.since, phoneRegistered: null });
    }
    this.inbound = new EslInbound({
      host: c.esl.host, port: c.esl.port, password: c.esl.password, backoff: o.backoff, silenceMs: o.silenceMs,
    });
    this.inbound.on('up', () => void this.onUp());
    this.inbound.on('down', (reason: string) => this.setConnected(false, reason));
    this.inbound.on('event', (h: Record<string, string>) => this.onSwitchEvent(h));
    this.ivr = new IvrServer({
      host: c.listen.host, port: c.listen.port, promptsDir: c.promptsDir,
      settings: { recordingsDir: c.recordingsDir, queue: c.queue, workingHours: c.workingHours, timeZone: c.timeZone, messageMaxS: 120 },
      services: o.services, now: this.now, report: (e) => this.emit(e),
      onEventHandled: o.instrument?.onEventHandled,
      onCall: (ch) => {
        if (o.instrument?.onCommandLatency) ch.onCommandLatency = o.instrument.onCommandLatency;
        this.mapper.tracked.add(ch.callId);
        this.live.set(ch.callId, performance.now());
        // Survey legs were announced when they were placed.
        if (ch.variables.return_visit_ticket_id === undefined) {
          this.emit({
            type: 'call_started', at: this.now().toISOString(), callId: ch.callId, direction: 'inbound', purpose: 'hotline',
            caller: ch.caller, callee: ch.destination, ticketId: null,
          });
        }
      },
    });
  }

  async start(): Promise<void> {
    if (this.o.store) {
      // States from before a restart: the switch is then reconciled to them, not logged out.
      for (const [agent, s] of await this.o.store.load()) {
        const r = this.agents.get(agent);
        if (r) Object.assign(r, { state: s.state, since: s.since });
      }
    }
    this.ivrPort = await this.ivr.start();
    this.inbound.start();
    const every = this.o.reconcileEveryMs ?? 30000;
    this.reconcileTimer = setInterval(() => void this.reconcile().catch((e) => eslLog('warn', `reconcile: ${e.message}`)), every);
    this.reconcileTimer.unref();
    const announce = this.o.config.queueAnnounceS;
    if (announce > 0) {
      this.announceTimer = setInterval(() => void this.announcePositions(), announce * 1000);
      this.announceTimer.unref();
    }
  }

  /**
   * Tells each waiting caller their place in the queue. mod_callcenter cannot say a position,
   * so the app plays it over the hold music with uuid_broadcast (it knows the order from
   * member-queue-start). A caller gone meanwhile just makes the command fail.
   */
  async announcePositions(): Promise<void> {
    if (!this.connected) return;
    const waiting = this.mapper.waiting(this.o.config.queue);
    for (const [ahead, callId] of waiting.entries()) {
      const file = `${this.o.config.promptsDir}/${promptFile(queuePositionPrompt(ahead))}`;
      await this.inbound.api(`uuid_broadcast ${callId} ${file} aleg`).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    if (this.announceTimer) clearInterval(this.announceTimer);
    this.inbound.stop();
    await this.ivr.stop();
    await this.flushAgentStates(); // agent states being saved reach the database before the app exits
  }

  status(): TelephonyStatus {
    return { kind: 'freeswitch', connected: this.connected, since: this.since };
  }

  onEvent(listener: CallEventListener): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }

  private emit(e: CallEvent): void {
    if (e.type === 'call_ended') this.live.delete(e.callId);
    for (const l of this.bus.listeners('event') as CallEventListener[]) {
      try {
        l(e);
      } catch (err) {
        eslLog('error', `call event listener failed on ${e.type}: ${(err as Error).message}`);
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
      eslLog('warn', `reconcile after connect: ${(err as Error).message}`);
    }
  }

  private onSwitchEvent(h: Record<string, string>): void {
    const m = this.mapper.map(h);
    if (m.shutdown) this.setConnected(false, 'FreeSWITCH 正在关闭');
    for (const e of m.events) {
      if (e.type === 'call_abandoned' && e.caller) {
        // Abandoned callers are called back (GB/T 33358 counts them against the answer rate).
        void this.o.services
          .addToCallbackList({ callerPhone: e.caller, callId: e.callId, at: e.at, reason: 'abandoned' })
          .catch((err: Error) => eslLog('error', `call-back list for ${e.callId}: ${err.message}`));
      }
      if (e.type === 'call_answered') {
        if (!this.live.has(e.callId)) this.live.set(e.callId, performance.now());
        this.applyState(e.agent, { state: 'on_call', callId: e.callId }, 'switch');
      }
      this.emit(e);
    }
    for (const p of m.phones) {
      const r = this.agents.get(p.extension);
      if (!r) continue;
      r.phoneRegistered = p.registered;
      if (!p.registered) void this.exclusive(() => this.reconcileOne(p.extension, null)).catch(() => undefined);
    }
    if (h['Event-Name'] === 'CUSTOM' && h['CC-Action'] === 'bridge-agent-end' && h['CC-Agent']) {
      const ext = h['CC-Agent'].split('@')[0];
      const r = this.agents.get(ext);
      if (r && r.state.state === 'on_call') void this.setAgentState(ext, { state: 'wrap_up' }).catch(() => undefined);
    }
  }

  private applyState(agent: string, state: AgentState, source: 'app' | 'switch' | 'reconcile'): void {
    const r = this.agents.get(agent);
    if (!r) return;
    r.state = state;
    r.since = this.now().toISOString();
    this.persist(agent, { state, since: r.since });
    this.emit({ type: 'agent_state_changed', at: r.since, agent, state, source });
  }

  /** Saves one agent's state; saves of one agent run in order. */
  private saving = new Map<string, Promise<void>>();
  private persist(agent: string, s: { state: AgentState; since: string }): void {
    const store = this.o.store;
    if (!store) return;
    const next = (this.saving.get(agent) ?? Promise.resolve())
      .then(() => store.save(agent, s))
      .catch((err: Error) => eslLog('error', `saving agent state of ${agent}: ${err.message}`));
    this.saving.set(agent, next);
  }

  /** Resolves when every agent state change so far is saved. */
  async flushAgentStates(): Promise<void> {
    await Promise.all([...this.saving.values()]);
  }

  private ccName(agent: string): string {
    return `${agent}@${this.o.config.queue}`;
  }

  private async cc(args: string): Promise<string> {
    const body = await this.inbound.api(`callcenter_config ${args}`);
    if (body.startsWith("-ERR")) throw new TelephonyError(`callcenter_config ${args} 失败：${body.trim()}`, body.trim());
    return body;
  }

  async setAgentState(agent: string, state: AgentState): Promise<void> {
    if (!this.agents.has(agent)) throw new TelephonyError(`未知的坐席：${agent}`, 'unknown agent');
    if (state.state === 'on_break' && !state.reason.trim()) throw new TelephonyError('小休必须填写原因', 'break without reason');
    // The app's state changes first; the switch follows now, or at the next reconcile if it is down.
    this.applyState(agent, state, 'app');
    // Reconciling this one agent adds it on the switch if missing and pushes its status.
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

  private checkCallId(callId: string): void {
    if (!UUID.test(callId)) throw new TelephonyError(`通话编号不合法：${callId}`, 'invalid call id');
  }

  private async callApi(command: string): Promise<void> {
    const body = await this.inbound.api(command);
    if (!body.startsWith('+OK')) throw new TelephonyError(`${command.split(' ')[0]} 失败：${body.trim()}`, body.trim());
  }

  async hold(callId: string): Promise<void> {
    this.checkCallId(callId);
    await this.callApi(`uuid_hold ${callId}`);
  }

  async unhold(callId: string): Promise<void> {
    this.checkCallId(callId);
    await this.callApi(`uuid_hold off ${callId}`);
  }

  async transfer(callId: string, destination: string): Promise<void> {
    this.checkCallId(callId);
    if (!/^[0-9*#]{2,20}$/.test(destination)) throw new TelephonyError(`转接号码不合法：${destination}`, 'invalid destination');
    await this.callApi(`uuid_transfer ${callId} ${destination} XML default`);
  }

  async hangup(callId: string): Promise<void> {
    this.checkCallId(callId);
    await this.callApi(`uuid_kill ${callId}`);
  }

  async placeSurveyCall(req: SurveyCallRequest): Promise<SurveyCallPlaced> {
    const c = this.o.config;
    const args = originateArgs(req, {
      dial: c.survey.dial, callerId: c.survey.callerId, originateTimeoutS: c.survey.originateTimeoutS,
      // listen port 0 (tests): the port the listener actually got
      socketAddress: c.listen.port === 0 ? `${c.listen.host}:${this.ivrPort}` : c.socketAddress,
    });
    if (!this.connected) throw new TelephonyError('FreeSWITCH 未连接，无法外呼', 'not connected');
    // Our own uuid for the leg: the call has an id (and a row) even when it fails.
    const callId = crypto.randomUUID();
    this.mapper.tracked.add(callId);
    this.live.set(callId, performance.now());
    this.originating.add(callId);
    this.emit({
      type: 'call_started', at: this.now().toISOString(), callId, direction: 'outbound', purpose: 'survey',
      caller: c.survey.callerId, callee: req.phone, ticketId: req.ticketId,
    });
    let body: string;
    try {
      body = await this.inbound.bgapi('originate', args.replace('{', `{origination_uuid=${callId},`), (c.survey.originateTimeoutS + 30) * 1000);
    } finally {
      this.originating.delete(callId);
    }
    const r = mapOriginateResult(body);
    if (r.kind === 'answered') return { accepted: true, callId: r.callId, outcome: null, detail: body.trim() };
    if (r.kind === 'failed') return { accepted: false, callId, outcome: r.outcome, detail: body.trim() };
    // No channel was made (bad profile, usage): end the call record here.
    if (this.mapper.tracked.delete(callId)) {
      this.emit({ type: 'call_ended', at: this.now().toISOString(), callId, hangupCause: 'ORIGINATE_ERROR' });
    }
    throw new TelephonyError(`外呼失败（配置或交换机错误）：${r.detail}`, r.detail);
  }

  /**
   * Brings the app's view and the switch's view together: calls that ended while we
   * were not listening are closed; agents are re-added and their status pushed; agents
   * stuck "on a call" or "ready" without a phone are corrected.
   */
  reconcile(): Promise<void> {
    return this.exclusive(() => this.reconcileAll());
  }

  /** Reconciliations run one at a time, so two of them never add the same agent twice. */
  private serial: Promise<unknown> = Promise.resolve();
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async reconcileAll(): Promise<void> {
    if (!this.connected) return;
    const asked = performance.now();
    const channels = JSON.parse(await this.inbound.api('show channels as json')) as { rows?: { uuid: string }[] };
    const alive = new Set((channels.rows ?? []).map((r) => r.uuid));
    // Calls that live on the switch but not in our view (the app restarted mid-call and the
    // dialplan fallback kept them): adopt them, so their end is still recorded.
    for (const id of alive) {
      if (!this.live.has(id)) {
        this.live.set(id, performance.now());
        this.mapper.tracked.add(id);
      }
    }
    for (const [id, since] of [...this.live]) {
      // Only calls we knew before asking, and not a leg still being dialled.
      if (!alive.has(id) && since < asked && !this.originating.has(id)) {
        this.mapper.tracked.delete(id);
        this.emit({ type: 'call_ended', at: this.now().toISOString(), callId: id, hangupCause: 'LOST_WHILE_DISCONNECTED' });
      }
    }
    const list = parseAgentList(await this.cc(`queue list agents ${this.o.config.queue}`));
    // Calls we learnt of after asking count as alive too.
    for (const [id, since] of this.live) if (since >= asked) alive.add(id);
    for (const agent of this.agents.keys()) {
      const sw = list.get(this.ccName(agent)) ?? null;
      await this.reconcileOne(agent, { sw, alive });
    }
  }

  private async reconcileOne(
    agent: string,
    known: { sw: { status: string; state: string } | null; alive: Set<string> } | null,
  ): Promise<void> {
    const r = this.agents.get(agent);
    if (!r || !this.connected) return;
    let view = known;
    if (!view) {
      const list = parseAgentList(await this.cc(`queue list agents ${this.o.config.queue}`));
      const channels = JSON.parse(await this.inbound.api('show channels as json')) as { rows?: { uuid: string }[] };
      view = { sw: list.get(this.ccName(agent)) ?? null, alive: new Set((channels.rows ?? []).map((x) => x.uuid)) };
    }
    const action = reconcileAgent({
      record: r, onSwitch: view.sw, liveCalls: view.alive, now: this.now(), wrapUpMaxMs: this.o.wrapUpMaxMs ?? 120000,
    });
    if (!action) return;
    if (action.newState) this.applyState(agent, action.newState, 'reconcile');
    const name = this.ccName(agent);
    if (action.addOnSwitch) {
      await this.cc(`agent add ${name} callback`);
      const contact = this.o.agentContact?.(agent) ?? `user/${agent}`;
      await this.cc(`agent set contact ${name} ${contact}`);
      await this.cc(`tier add ${this.o.config.queue} ${name} 1 1`);
    }
    if (action.pushStatus) await this.cc(`agent set status ${name} '${action.pushStatus}'`);
  }
}
