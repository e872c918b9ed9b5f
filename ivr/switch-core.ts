// What the FreeSWITCH and the Asterisk adapters share, whatever the wire: the agents the
// app owns (restored from the store at start, saved in order, reconciled one at a time),
// the calls it believes are alive, the call-event bus with its listeners kept apart, and
// the switch's connection status. Each adapter extends it with its own wire (ESL, or
// AMI and FastAGI), its call control, its survey placement and its view of the switch.
import { EventEmitter } from 'node:events';
import { AgentRecord, ReconcileAction, SwitchAgentView, reconcileAgent } from './agent-state';
import { AgentStateStore } from './agent-store';
import { HotlineServices } from './services';
import { MemorySurveyLedger, PlacedSurvey, SurveyLedger, newSurveyToken } from './survey-ledger';
import {
  AgentState, CallEvent, CallEventListener, PromptCheck, RecordingCheck, SurveyCallRequest, SwitchKind, TelephonyError, TelephonyStatus,
} from './telephony';

export type SwitchLogger = (level: 'info' | 'warn' | 'error', message: string) => void;

/** The options every switch adapter takes. */
export interface SwitchCoreOptions {
  services: HotlineServices;
  /** Agent extensions (users.extension of the operators). */
  agents: string[];
  now?: () => Date;
  reconcileEveryMs?: number;
  /**
   * How long an operator stays in wrap-up after a call, or after choosing it on the desk
   * (DESK_WRAP_UP_SECONDS); then they are ready again. Default 30 s.
   */
  wrapUpMs?: number;
  /** The reconciliation's own limit on wrap-up (a timer lost in a crash); default: the wrap-up time. */
  wrapUpMaxMs?: number;
  /**
   * Least gap between two operators made ready by the app itself (wrap-up over): each release
   * lets the switch dial a phone at once, and FreeSWITCH refuses new sessions over its
   * sessions-per-second limit (30 by default). Default 100 ms, 10 releases a second.
   */
  releaseGapMs?: number;
  /** Where agent states survive an app restart (KnexAgentStateStore); without it they start logged out. */
  store?: AgentStateStore;
  /** The survey calls the dialer placed (KnexSurveyLedger); in memory without it. */
  surveys?: SurveyLedger;
  /**
   * Calls the call log still holds open (no end), e.g. from before an app restart: those the switch
   * no longer has are closed at the next reconciliation. Without it, only calls this process knew.
   */
  openCalls?: () => Promise<string[]>;
  /**
   * How long a call the switch no longer lists waits for its own hang-up event before it is
   * closed as LOST_WHILE_DISCONNECTED. The switch answers the channel list at once, while a
   * hang-up that happened just before may still be on its way on the event stream (a real
   * FreeSWITCH under 100 calls: 1 of 200 calls closed as lost with the connection up). Default 2 s.
   */
  lostGraceMs?: number;
}

/**
 * The switch-independent half of a `Telephony` adapter. `View` is what the adapter learns
 * of the switch in one look, handed to the reconciliation of each agent.
 */
export abstract class SwitchCore<View> {
  abstract readonly kind: SwitchKind;
  protected readonly now: () => Date;
  protected connected = false;
  private since: string;
  protected readonly agents = new Map<string, AgentRecord>();
  /** Calls the app believes are alive (id → when it learnt of them), for reconciliation. */
  protected readonly live = new Map<string, number>();
  /** Survey legs whose placement has not been answered yet: the switch may not list them. */
  protected readonly originating = new Set<string>();
  private bus = new EventEmitter();
  private reconcileTimer: NodeJS.Timeout | null = null;
  /** Saves of one agent's state, chained so that they run in order. */
  private saving = new Map<string, Promise<void>>();
  /** Reconciliations run one at a time, so two of them never add the same agent twice. */
  private serial: Promise<unknown> = Promise.resolve();
  /** Wrap-up timers, by agent. */
  private wrapUpTimers = new Map<string, NodeJS.Timeout>();
  /** When the last paced release is due (performance.now() time). */
  private lastReleaseAt = -Infinity;
  /** When the last release was actually made. */
  private lastReleaseMadeAt = -Infinity;
  private stopped = false;
  /** Set by an adapter's crash (test support): the app is gone, nothing is emitted any more. */
  protected crashed = false;

  private readonly surveyLedger: SurveyLedger;

  protected constructor(private readonly core: SwitchCoreOptions, private readonly log: SwitchLogger) {
    this.now = core.now ?? (() => new Date());
    this.surveyLedger = core.surveys ?? new MemorySurveyLedger();
    this.since = this.now().toISOString();
    for (const a of core.agents) {
      this.agents.set(a, { agent: a, state: { state: 'logged_out' }, since: this.since, phoneRegistered: null });
    }
  }

  // ——— what each switch does its own way ———

  /** Stops following a call in the adapter's event mapper; true if it was followed. */
  protected abstract forgetCall(callId: string): boolean;

  /**
   * Looks at the switch (connected) and brings calls and agents together with it.
   * `asked` is when the look began (performance.now()).
   */
  protected abstract reconcileAll(asked: number): Promise<void>;

  /** Brings one agent on the switch to what the app holds; `known` is a look already taken, or null to take one. */
  protected abstract reconcileAgentOnSwitch(r: AgentRecord, known: View | null): Promise<void>;

  // ——— start and stop ———

  /** States from before a restart: the switch is then reconciled to them, not logged out. */
  protected async restoreAgentStates(): Promise<void> {
    if (!this.core.store) return;
    for (const [agent, s] of await this.core.store.load()) {
      const r = this.agents.get(agent);
      if (r) Object.assign(r, { state: s.state, since: s.since });
      // A wrap-up from before the restart ends when it would have.
      if (r?.state.state === 'wrap_up') this.scheduleWrapUpEnd(r);
    }
  }

  protected startReconciling(): void {
    const every = this.core.reconcileEveryMs ?? 30000;
    this.reconcileTimer = setInterval(() => void this.reconcile().catch((e: Error) => this.log('warn', `reconcile: ${e.message}`)), every);
    this.reconcileTimer.unref();
  }

  protected stopReconciling(): void {
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    for (const t of this.wrapUpTimers.values()) clearTimeout(t);
    this.wrapUpTimers.clear();
  }

  /** The configured wrap-up. */
  protected get wrapUpMs(): number {
    return this.core.wrapUpMs ?? 30000;
  }

  /** Ends `r`'s wrap-up when its time is over (counted from when it began), paced with other releases. */
  private scheduleWrapUpEnd(r: AgentRecord): void {
    clearTimeout(this.wrapUpTimers.get(r.agent));
    const since = r.since;
    const left = Math.max(0, Date.parse(since) + this.wrapUpMs - this.now().getTime());
    const t = setTimeout(() => {
      this.wrapUpTimers.delete(r.agent);
      this.release(r.agent, since);
    }, left);
    t.unref();
    this.wrapUpTimers.set(r.agent, t);
  }

  /**
   * Makes an agent ready after wrap-up, no sooner than `releaseGapMs` after the previous release,
   * unless their state changed meanwhile (the operator chose something else on the desk).
   */
  private release(agent: string, wrapUpSince: string): void {
    const gap = this.core.releaseGapMs ?? 100;
    const at = Math.max(performance.now(), this.lastReleaseAt + gap);
    this.lastReleaseAt = at;
    const fire = () => {
      // A busy event loop can run two timers late and then together: the gap counts from the
      // release actually made, not the one planned.
      const wait = this.lastReleaseMadeAt + gap - performance.now();
      if (wait > 0) {
        setTimeout(fire, wait).unref();
        return;
      }
      const r = this.agents.get(agent);
      if (this.stopped || !r || r.state.state !== 'wrap_up' || r.since !== wrapUpSince) return;
      this.lastReleaseMadeAt = performance.now();
      this.setAgentState(agent, { state: 'ready' }).catch((err: Error) => this.log('warn', `wrap-up of ${agent} over, ready failed: ${err.message}`));
    };
    setTimeout(fire, at - performance.now()).unref();
  }

  // ——— connection status and call events ———

  status(): TelephonyStatus {
    return {
      kind: this.kind, connected: this.connected, since: this.since,
      ...(this.prompts ? { prompts: this.prompts } : {}), ...(this.recordingCheck ? { recording: this.recordingCheck } : {}),
    };
  }

  // ——— whole-call recordings ———

  /** The last whole-call recording asked of the switch (null until one was). */
  protected recordingCheck: RecordingCheck | null = null;

  /** Notes whether a call's whole-call recording was made; a change is logged. */
  private noteRecording(ok: boolean, callId: string, at: string, detail: string): void {
    const before = this.recordingCheck;
    this.recordingCheck = { ok, detail, callId, at };
    if (before?.ok === ok) return;
    if (!ok) this.log('error', `the whole call ${callId} is not recorded: ${detail}`);
    else if (before) this.log('info', `whole-call recordings are made again (${callId})`);
  }

  // ——— prompts ———

  /** The switch's last word on the prompts (null until asked). */
  protected prompts: PromptCheck | null = null;

  /** Notes what the switch said of the prompts; a change is logged. */
  protected setPromptCheck(missing: string[] | null, detail: string): void {
    const ok = missing === null ? null : missing.length === 0;
    const before = this.prompts;
    this.prompts = { ok, missing: missing ?? [], detail, checkedAt: this.now().toISOString() };
    if (before?.ok === ok && before.missing.join() === this.prompts.missing.join()) return;
    if (ok) this.log('info', `prompts: all playable (${detail})`);
    else this.log('error', ok === null ? `prompts could not be checked: ${detail}` : `prompts the switch cannot play: ${this.prompts.missing.join(', ')} (${detail})`);
  }

  /** A survey call is refused while the switch cannot play its prompts: a silent survey would be stored as "no input". */
  protected assertPromptsPlayable(): void {
    const p = this.prompts;
    if (!p || p.ok) return;
    const what = p.ok === null ? `提示音检查未完成（${p.detail}）` : `交换机缺少提示音：${p.missing.join('、')}`;
    throw new TelephonyError(`${what}，暂停回访外呼`, `prompts not playable: ${p.ok === null ? p.detail : p.missing.join(',')}`);
  }

  onEvent(listener: CallEventListener): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }

  /** Emits one call event to every listener; a listener that throws is logged and the others still hear it. */
  protected emit(e: CallEvent): void {
    if (this.crashed) return;
    if (e.type === 'call_ended') this.live.delete(e.callId);
    if (e.type === 'recording_started' && e.kind === 'call') this.noteRecording(true, e.callId, e.at, e.path);
    if (e.type === 'recording_failed' && e.kind === 'call') this.noteRecording(false, e.callId, e.at, e.detail);
    this.beforeDelivery(e);
    for (const l of this.bus.listeners('event') as CallEventListener[]) {
      try {
        l(e);
      } catch (err) {
        this.log('error', `call event listener failed on ${e.type}: ${(err as Error).message}`);
      }
    }
  }

  /** The adapter's own bookkeeping of an event about to be emitted (nothing by default). */
  protected beforeDelivery(_e: CallEvent): void {}

  protected setConnected(up: boolean, reason = ''): void {
    if (this.connected === up) return;
    this.connected = up;
    this.since = this.now().toISOString();
    this.emit(up ? { type: 'telephony_up', at: this.since } : { type: 'telephony_down', at: this.since, reason });
  }

  /** The switch connection is up (again): say so, then reconcile. */
  protected async onUp(): Promise<void> {
    this.setConnected(true);
    try {
      await this.reconcile();
    } catch (err) {
      this.log('warn', `reconcile after connect: ${(err as Error).message}`);
    }
  }

  /**
   * A call event mapped from the switch's own events: an abandoned caller goes on the
   * call-back list, an answered call puts its agent on the call; then it is emitted.
   */
  protected passOn(e: CallEvent): void {
    if (e.type === 'call_abandoned' && e.caller) {
      // Abandoned callers are called back (GB/T 33358 counts them against the answer rate).
      void this.core.services
        .addToCallbackList({ callerPhone: e.caller, callId: e.callId, at: e.at, reason: 'abandoned' })
        .catch((err: Error) => this.log('error', `call-back list for ${e.callId}: ${err.message}`));
    }
    if (e.type === 'call_answered') {
      this.knowCall(e.callId);
      this.applyState(e.agent, { state: 'on_call', callId: e.callId }, 'switch');
    }
    this.emit(e);
  }

  /** Counts a call as alive from now on, unless it already was. */
  protected knowCall(callId: string): void {
    if (!this.live.has(callId)) this.live.set(callId, performance.now());
  }

  /** A survey leg about to be placed (already followed by the mapper): alive, being dialled, announced. */
  protected announceSurveyLeg(callId: string, req: SurveyCallRequest, callerId: string): void {
    this.live.set(callId, performance.now());
    this.originating.add(callId);
    this.emit({
      type: 'call_started', at: this.now().toISOString(), callId, direction: 'outbound', purpose: 'survey',
      caller: callerId, callee: req.phone, ticketId: req.ticketId,
    });
  }

  /** Lists a survey leg about to be placed; returns the one-time token the call must carry. */
  protected async expectSurvey(callId: string, req: SurveyCallRequest): Promise<string> {
    const token = newSurveyToken();
    await this.surveyLedger.expect(callId, { ticketId: req.ticketId, attempt: req.attempt }, token, this.now().toISOString());
    return token;
  }

  /**
   * A survey may run on `callId` only if the dialer placed it (and `token` matches, where the
   * call reached us over an open listener), and only once: the ticket and attempt it was placed for.
   */
  protected async claimSurvey(callId: string, token: string | null): Promise<PlacedSurvey | null> {
    const placed = await this.surveyLedger.claim(callId, token, this.now().toISOString());
    if (!placed) this.log('warn', `survey call ${callId} was not placed by the dialer (or already answered): refused`);
    return placed;
  }

  /** Ends the record of a call the mapper still follows (no hang-up event will come for it). */
  protected endCall(callId: string, hangupCause: string): void {
    if (this.forgetCall(callId)) this.emit({ type: 'call_ended', at: this.now().toISOString(), callId, hangupCause });
  }

  /**
   * Closes the calls the app knew before `asked` that the switch no longer has (they ended
   * while it was not listening), except legs still being dialled; `then` runs after each.
   */
  protected closeLostCalls(alive: ReadonlySet<string>, asked: number, then?: (callId: string) => void): void {
    const missing = [...this.live].filter(([id, since]) => !alive.has(id) && since < asked && !this.originating.has(id));
    if (!missing.length) return;
    const at = this.now().toISOString();
    const close = async () => {
      for (const [id, since] of missing) {
        // A stopped app writes nothing more; the next start closes such calls (closeCallsEndedWhileAway).
        // Its hang-up came meanwhile (the call is forgotten), or it is followed afresh: not lost.
        if (this.crashed || this.stopped || this.live.get(id) !== since) continue;
        // The list may not show a call the switch has (asked one by one; in doubt, the next reconcile decides).
        if (await this.stillUp(id).catch(() => true)) continue;
        if (this.crashed || this.stopped || this.live.get(id) !== since) continue;
        this.forgetCall(id);
        this.emit({ type: 'call_ended', at, callId: id, hangupCause: 'LOST_WHILE_DISCONNECTED' });
        then?.(id);
      }
    };
    const grace = this.core.lostGraceMs ?? 2000;
    if (grace <= 0) void close();
    else setTimeout(() => void close(), grace).unref();
  }

  /**
   * Whether the switch still has a call its channel list did not show, asked for that call alone.
   * By default the list is trusted; FreeSWITCH's is not (its `show channels` reads the core
   * database, which its SQL thread writes a moment after a channel is made).
   */
  protected async stillUp(_callId: string): Promise<boolean> {
    return false;
  }

  /** Calls left open by an earlier run of the app that the switch no longer has: closed now, once. */
  protected async closeCallsEndedWhileAway(alive: ReadonlySet<string>): Promise<void> {
    if (!this.core.openCalls) return;
    for (const id of await this.core.openCalls()) {
      if (alive.has(id) || this.live.has(id) || this.originating.has(id)) continue;
      if (await this.stillUp(id).catch(() => true)) continue;
      this.forgetCall(id);
      this.emit({ type: 'call_ended', at: this.now().toISOString(), callId: id, hangupCause: 'LOST_WHILE_DISCONNECTED' });
    }
  }

  /** A survey leg the callee answered: its row gets its answer time. */
  protected surveyAnswered(callId: string): void {
    this.emit({ type: 'call_answered', at: this.now().toISOString(), callId, agent: '', queueWaitMs: null });
  }

  /**
   * The switch could not connect an operator's phone to a caller. An operator who let it ring
   * out is away from the desk: on a break (no_answer) until they come back, so callers are not
   * offered to an empty seat. A phone that is not registered is offline. A rejected call
   * leaves the operator ready (they chose to decline that one).
   */
  protected offerFailed(agent: string, cause: string): void {
    const r = this.agents.get(agent);
    if (!r || r.state.state !== 'ready') return;
    if (['NO_ANSWER', 'NO_USER_RESPONSE', 'ALLOTTED_TIMEOUT'].includes(cause)) {
      this.setAgentState(agent, { state: 'on_break', reason: 'no_answer' }).catch(() => undefined);
    } else if (['USER_NOT_REGISTERED', 'SUBSCRIBER_ABSENT', 'NORMAL_TEMPORARY_FAILURE', 'DESTINATION_OUT_OF_ORDER', 'NETWORK_OUT_OF_ORDER', 'RECOVERY_ON_TIMER_EXPIRE'].includes(cause)) {
      // The phone cannot be reached: every offer would fail the same way, at once, in a loop.
      r.phoneRegistered = false;
      this.reconcileSoon(agent);
    }
  }

  /** Calls the app learnt of after `asked` count as alive too. */
  protected addCallsLearntSince(alive: Set<string>, asked: number): void {
    for (const [id, since] of this.live) if (since >= asked) alive.add(id);
  }

  // ——— agents ———

  protected applyState(agent: string, state: AgentState, source: 'app' | 'switch' | 'reconcile'): void {
    const r = this.agents.get(agent);
    if (!r) return;
    r.state = state;
    r.since = this.now().toISOString();
    if (state.state === 'wrap_up') this.scheduleWrapUpEnd(r);
    else {
      clearTimeout(this.wrapUpTimers.get(agent));
      this.wrapUpTimers.delete(agent);
    }
    this.persist(agent, { state, since: r.since });
    this.emit({ type: 'agent_state_changed', at: r.since, agent, state, source });
  }

  /** Saves one agent's state; saves of one agent run in order. */
  private persist(agent: string, s: { state: AgentState; since: string }): void {
    const store = this.core.store;
    if (!store || this.crashed) return;
    const next = (this.saving.get(agent) ?? Promise.resolve())
      .then(() => store.save(agent, s))
      .catch((err: Error) => this.log('error', `saving agent state of ${agent}: ${err.message}`));
    this.saving.set(agent, next);
  }

  /** Resolves when every agent state change so far is saved. */
  async flushAgentStates(): Promise<void> {
    await Promise.all([...this.saving.values()]);
  }

  async setAgentState(agent: string, state: AgentState): Promise<void> {
    if (!this.agents.has(agent)) throw new TelephonyError(`未知的坐席：${agent}`, 'unknown agent');
    if (state.state === 'on_break' && !state.reason.trim()) throw new TelephonyError('小休必须填写原因', 'break without reason');
    // The app's state changes first; the switch follows now, or at the next reconcile if it is down.
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

  addAgent(agent: string): void {
    if (this.agents.has(agent)) return;
    this.agents.set(agent, { agent, state: { state: 'logged_out' }, since: this.now().toISOString(), phoneRegistered: null });
    this.agentAdded(agent);
    this.reconcileSoon(agent);
  }

  /** For an adapter that names agents its own way on the switch (Asterisk's queue member interfaces). */
  protected agentAdded(_agent: string): void {}

  /** The switch said the agent's call is over: the agent on that call goes to wrap-up. False if it was not on a call. */
  protected wrapUpAfterCall(agent: string): boolean {
    const r = this.agents.get(agent);
    if (!r || r.state.state !== 'on_call') return false;
    void this.setAgentState(agent, { state: 'wrap_up' }).catch(() => undefined);
    return true;
  }

  /**
   * Applies the rules against stuck states (`reconcileAgent`) to one agent: a new state is
   * taken at once; the action tells the adapter what the switch needs.
   */
  protected decideAgent(r: AgentRecord, onSwitch: SwitchAgentView | null, liveCalls: ReadonlySet<string>): ReconcileAction | null {
    const action = reconcileAgent({ record: r, onSwitch, liveCalls, now: this.now(), wrapUpMaxMs: this.core.wrapUpMaxMs ?? this.wrapUpMs });
    if (action?.newState?.state === 'ready' && r.state.state === 'wrap_up') {
      // A wrap-up the reconciliation found over: released paced like every other, never all at once.
      this.release(r.agent, r.since);
      return null;
    }
    if (action?.newState) this.applyState(r.agent, action.newState, 'reconcile');
    return action;
  }

  // ——— reconciliation ———

  /**
   * Brings the app's view and the switch's view together: calls that ended while the app
   * was not listening are closed, calls it did not know are followed, every agent is made
   * on the switch what the app holds, and stuck states are corrected.
   */
  reconcile(): Promise<void> {
    return this.exclusive(async () => {
      if (!this.connected) return;
      await this.reconcileAll(performance.now());
    });
  }

  protected reconcileOne(agent: string, known: View | null): Promise<void> {
    const r = this.agents.get(agent);
    if (!r || !this.connected) return Promise.resolve();
    return this.reconcileAgentOnSwitch(r, known);
  }

  /** Reconciles one agent soon, after any reconciliation under way; a failure waits for the next. */
  protected reconcileSoon(agent: string): void {
    void this.exclusive(() => this.reconcileOne(agent, null)).catch(() => undefined);
  }

  protected exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
