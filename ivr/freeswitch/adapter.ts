// FreeSWITCH behind the Telephony interface: one inbound Event Socket connection for
// events, agent state (mod_callcenter via callcenter_config) and call control, plus
// the IVR app's outbound-socket listener for the call flows. What it shares with
// ivr/asterisk/adapter.ts (agents, live calls, the event bus, reconciliation) is in
// ivr/switch-core.ts.
import crypto from 'node:crypto';
import { BoundedMap } from '../bounded-map';
import { KeyedWaiters } from '../keyed-waiters';
import { AgentRecord, OfferDelays, SwitchAgentView, parseAgentList, parseMemberList } from '../agent-state';
import { IvrConfig } from '../config';
import { SwitchCore, SwitchCoreOptions } from '../switch-core';
import { SurveyCallPlaced, SurveyCallRequest, Telephony, TelephonyError } from '../telephony';
import { FreeSwitchEventMapper } from './events';
import { EslInbound } from './inbound';
import { IvrServer } from './ivr-server';
import { OUTBOX_FALLBACK, OUTBOX_MESSAGES } from './call-channel';
import { CallEvent } from '../telephony';
import { MessageReason } from '../channel';
import { eslLog } from './modesl';
import { mapOriginateResult, originateArgs } from './originate';
import { HOLD_MUSIC_FILE, PROMPTS, PromptKey, promptFile, queuePositionPrompt } from '../prompts';

/** A row of `show channels as json` (the fields read here). */
interface ChannelRow {
  uuid: string;
  direction?: string;
  dest?: string;
  context?: string;
  application?: string;
}

export interface FreeSwitchOptions extends SwitchCoreOptions {
  config: IvrConfig;
  /** SIP contact of an agent's phone; default `{call_timeout=20}user/<extension>` (the directory user, rung 20 s). */
  agentContact?: (extension: string) => string;
  backoff?: { initialMs: number; maxMs: number };
  silenceMs?: number;
  /**
   * How long a hotline call may sit in the `socket` application with no session in the app
   * (seen so at two reconciles) before it is sent through the hotline's dialplan again; default 25 s.
   */
  leftInSocketMs?: number;
  /** Measurement hooks for the benchmark. */
  instrument?: { onEventHandled?: () => void; onCommandLatency?: (ms: number) => void; onInboundEvent?: (h: Record<string, string>) => void };
}

/**
 * Seconds mod_callcenter leaves an operator alone after their phone declined, was busy or rang
 * out. Its default is 0, and longest-idle-agent then offers the same caller to the same phone
 * again at once, in a loop, while other operators wait: with a pause the next operator gets it.
 */
export const OFFER_RETRY_DELAY_S = 10;

/**
 * Seconds an operator's phone rings before the caller is offered to the next operator. On the
 * contact itself: a `user/…` contact is dialled by a nested originate with its own time-out (60 s),
 * which mod_callcenter's agent-originate-timeout does not shorten.
 */
export const AGENT_RING_S = 20;
/** How long a caller let go at the queue's longest wait waits for an offer's events to show (see takenAtTimeout). */
export const TIMEOUT_OFFER_GRACE_MS = 250;

/** mod_db's answer: an empty one (no entries, no such key) arrives as "-ERR no reply" (FreeSWITCH 1.10.12). */
const dbValue = (body: string): string => (body.trim() === '-ERR no reply' ? '' : body.trim());

/** How long an unhold waits for a hold still being set up on the phone, and how often it asks. */
const UNHOLD_SETTLE_MS = 3000;
const UNHOLD_RETRY_MS = 100;
/**
 * How long a hold waits, after an operator answered (bridge-agent-start), for mod_callcenter to have
 * the bridge up (CHANNEL_BRIDGE). A hold made in between is lost: FreeSWITCH 1.10.12 answers
 * "+OK Success" and sends the phone its re-INVITE, then the bridge's state reset puts the call back to
 * ACTIVE (seen on a real switch, the hold 20 ms after the answer), and the unhold is refused.
 */
const BRIDGE_WAIT_MS = 3000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What one look at the switch tells about one agent: its mod_callcenter view, and the calls alive. */
interface AgentView {
  sw: (SwitchAgentView & { contact?: string; delays?: OfferDelays }) | null;
  alive: Set<string>;
}

export class FreeSwitchTelephony extends SwitchCore<AgentView> implements Telephony {
  readonly kind = 'freeswitch' as const;
  private inbound: EslInbound;
  readonly ivr: IvrServer;
  private mapper: FreeSwitchEventMapper;
  private announceTimer: NodeJS.Timeout | null = null;
  ivrPort = 0;
  /** Calls an operator answered lately (bridge-agent-start), when (performance.now()). */
  private answeredAt = new BoundedMap<string, number>(5000);
  /** Calls whose bridge is up (CHANNEL_BRIDGE), lately; and holds waiting for one. */
  private bridgedLately = new BoundedMap<string, true>(5000);
  private bridgeWaiters = new KeyedWaiters<string, true>();
  /** Callers offered to an operator whose offer has no outcome yet (agent-offering → bridge-agent-start / -fail). */
  private openOffers = new BoundedMap<string, true>(5000);
  /** Flows waiting for the outcome of their caller's offer (takenAtTimeout; true: answered). */
  private offerWaiters = new KeyedWaiters<string, boolean>();

  constructor(private o: FreeSwitchOptions) {
    super(o, eslLog);
    this.mapper = new FreeSwitchEventMapper(this.now);
    const c = o.config;
    this.inbound = new EslInbound({
      host: c.esl.host, port: c.esl.port, password: c.esl.password, backoff: o.backoff, silenceMs: o.silenceMs,
    });
    this.inbound.on('up', () => {
      this.connections++;
      void this.onUp().then(() => this.checkPrompts());
    });
    this.inbound.on('down', (reason: string) => this.setConnected(false, reason));
    this.inbound.on('event', (h: Record<string, string>) => this.onSwitchEvent(h));
    this.ivr = new IvrServer({
      host: c.listen.host, port: c.listen.port, promptsDir: c.promptsDir,
      settings: { recordingsDir: c.recordingsDir, queue: c.queue, workingHours: c.workingHours, timeZone: c.timeZone, messageMaxS: 120 },
      services: o.services, now: this.now,
      report: (e) => {
        this.emit(e);
        // The message is filed (or was not recorded): its mod_db entry is done with.
        if (e.type === 'message_left' || e.type === 'recording_failed') this.outboxDone(OUTBOX_MESSAGES, e.callId);
      },
      claimSurvey: (callId, token) => this.claimSurvey(callId, token),
      onEventHandled: o.instrument?.onEventHandled,
      onCall: (ch) => {
        if (o.instrument?.onCommandLatency) ch.onCommandLatency = o.instrument.onCommandLatency;
        ch.takenAtTimeout = () => this.takenAtTimeout(ch.callId);
        this.mapper.tracked.add(ch.callId);
        this.live.set(ch.callId, performance.now());
        // Survey legs were announced when they were placed.
        if (ch.variables.return_visit_ticket_id === undefined) {
          this.emit({
            type: 'call_started', at: this.now().toISOString(), callId: ch.callId, direction: 'inbound', purpose: 'hotline',
            // A call handed back by the dialplan was transferred to step_<step>: not the number dialled.
            caller: ch.caller, callee: ch.variables.hotline_step ? '' : ch.destination, ticketId: null,
          });
        }
        // Its hang-up was read before its socket was handled (two connections): it ends now, as the switch said.
        const gone = this.mapper.hungUpLately(ch.callId);
        if (gone && this.forgetCall(ch.callId)) this.emit({ type: 'call_ended', at: gone.at, callId: ch.callId, hangupCause: gone.cause });
      },
    });
  }

  async start(): Promise<void> {
    await this.restoreAgentStates();
    this.ivrPort = await this.ivr.start();
    this.inbound.start();
    this.startReconciling();
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
    this.stopReconciling();
    if (this.announceTimer) clearInterval(this.announceTimer);
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.inbound.stop();
    await this.ivr.stop();
    await this.flushAgentStates(); // agent states being saved reach the database before the app exits
  }

  /**
   * Test support for the switch scenarios: ends this adapter as `kill -9` would. Every socket is
   * dropped without a word, no timer fires again, nothing more is emitted or written.
   */
  async crashForTests(): Promise<void> {
    this.crashed = true;
    this.stopReconciling();
    if (this.announceTimer) clearInterval(this.announceTimer);
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.inbound.crash();
    await this.ivr.crash();
  }

  private onSwitchEvent(h: Record<string, string>): void {
    this.o.instrument?.onInboundEvent?.(h);
    const m = this.mapper.map(h);
    if (m.shutdown) this.setConnected(false, 'FreeSWITCH 正在关闭');
    for (const e of m.events) {
      if (e.type === 'call_answered') this.answeredAt.set(e.callId, performance.now());
      if (e.type === 'call_offered') this.openOffers.set(e.callId, true);
      else if (e.type === 'call_answered' || e.type === 'call_ended') this.offerSettled(e.callId, e.type === 'call_answered');
      this.passOn(e);
    }
    if (h['Event-Name'] === 'CHANNEL_BRIDGE') {
      for (const id of [h['Bridge-A-Unique-ID'], h['Bridge-B-Unique-ID'], h['Unique-ID']]) {
        if (!id) continue;
        this.bridgedLately.set(id, true);
        this.bridgeWaiters.settle(id, true);
      }
    }
    for (const p of m.phones) {
      const r = this.agents.get(p.extension);
      if (!r) continue;
      r.phoneRegistered = p.registered;
      if (!p.registered) this.reconcileSoon(p.extension);
    }
    if (h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && h['Call-Direction'] === 'inbound') this.drainSoon();
    if (h['Event-Name'] === 'CUSTOM' && h['CC-Action'] === 'bridge-agent-end' && h['CC-Agent']) {
      this.wrapUpAfterCall(h['CC-Agent'].split('@')[0]);
    }
    for (const f of m.offerFailed) {
      this.offerSettled(f.callId, false);
      this.offerFailed(f.agent, f.cause);
    }
  }

  private offerSettled(callId: string, taken: boolean): void {
    this.openOffers.delete(callId);
    this.offerWaiters.settle(callId, taken);
  }

  /**
   * Whether an operator took a caller whom mod_callcenter let go at the queue's longest wait (TIMEOUT; see
   * EslCallChannel.enterQueue): answered already, or offered and then answered; false when no offer is
   * open or it fails. The queue's events come on the event connection and may trail the call's own
   * socket by a moment: a caller with no offer yet is given TIMEOUT_OFFER_GRACE_MS for one to show.
   */
  private async takenAtTimeout(callId: string): Promise<boolean> {
    if (this.answeredAt.has(callId)) return true;
    if (!this.openOffers.has(callId)) {
      const early = await this.offerWaiters.wait(callId, TIMEOUT_OFFER_GRACE_MS);
      if (early !== null) return early;
      if (this.answeredAt.has(callId)) return true;
      if (!this.openOffers.has(callId)) return false;
    }
    // The operator's phone rings at most AGENT_RING_S; the caller hears nothing meanwhile, as at any offer.
    return (await this.offerWaiters.wait(callId, (AGENT_RING_S + 5) * 1000)) === true;
  }

  protected forgetCall(callId: string): boolean {
    return this.mapper.tracked.delete(callId);
  }

  private ccName(agent: string): string {
    return `${agent}@${this.o.config.queue}`;
  }

  private async cc(args: string): Promise<string> {
    const body = await this.inbound.api(`callcenter_config ${args}`);
    if (body.startsWith("-ERR")) throw new TelephonyError(`callcenter_config ${args} 失败：${body.trim()}`, body.trim());
    return body;
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
    await this.assertCallExists(callId);
    await this.bridgeUp(callId);
    await this.callApi(`uuid_hold ${callId}`);
  }

  /** Resolves once a call an operator just answered is bridged (at most BRIDGE_WAIT_MS after the answer). */
  private async bridgeUp(callId: string): Promise<void> {
    const answered = this.answeredAt.get(callId);
    if (answered === undefined || this.bridgedLately.has(callId)) return;
    const left = answered + BRIDGE_WAIT_MS - performance.now();
    if (left <= 0) return;
    await this.bridgeWaiters.wait(callId, left);
  }

  /**
   * FreeSWITCH takes a call off hold only once it is HELD, which it becomes when the phone has
   * accepted the hold's re-INVITE; until then `uuid_hold off` answers "-ERR Operation failed"
   * (seen on a real 1.10.12 under load, the operator pressing 恢复 right after 保持). Asked again
   * for up to UNHOLD_SETTLE_MS while the call is there; then the switch's answer stands.
   */
  async unhold(callId: string): Promise<void> {
    this.checkCallId(callId);
    await this.assertCallExists(callId);
    const until = performance.now() + UNHOLD_SETTLE_MS;
    for (;;) {
      const body = await this.inbound.api(`uuid_hold off ${callId}`);
      if (body.startsWith('+OK')) return;
      if (performance.now() >= until || !body.includes('Operation failed')) throw new TelephonyError(`uuid_hold 失败：${body.trim()}`, body.trim());
      await new Promise((r) => setTimeout(r, UNHOLD_RETRY_MS));
      await this.assertCallExists(callId);
    }
  }

  /** uuid_hold answers "+OK Success" for a call that does not exist (as recorded from 1.10.12): ask first. */
  private async assertCallExists(callId: string): Promise<void> {
    if ((await this.inbound.api(`uuid_exists ${callId}`)).trim() !== 'true') {
      throw new TelephonyError('uuid_hold 失败：通话不存在或已结束', '-ERR No such channel!');
    }
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

  /** Connections made so far (the prompt check started on an earlier one does not count for this one). */
  private connections = 0;
  /** The prompt check under way, and the connection it was started on. */
  private promptCheck: { done: Promise<void>; connection: number } | null = null;

  /**
   * Asks the switch for every prompt (at start, on each reconnect, and at every reconcile while
   * they are not all there or the last check did not finish): status().prompts, surveys held
   * meanwhile. One check at a time: asked while one started on this connection runs, that one is
   * the answer; one started on an earlier connection is let finish, then a new one is made.
   */
  private checkPrompts(): Promise<void> {
    const running = this.promptCheck;
    if (running?.connection === this.connections) return running.done;
    const connection = this.connections;
    const done = (running?.done ?? Promise.resolve()).then(async () => {
      try {
        this.setPromptCheck(await this.missingPrompts(), 'file_exists');
      } catch (err) {
        this.setPromptCheck(null, (err as Error).message);
      } finally {
        if (this.promptCheck?.done === done) this.promptCheck = null;
      }
    });
    this.promptCheck = { done, connection };
    return done;
  }

  /** Every prompt file the flows and the queue play, asked of the switch (`file_exists`, one api call each). */
  private async missingPrompts(): Promise<string[]> {
    const dir = this.o.config.promptsDir;
    const files = [...Object.keys(PROMPTS).map((k) => promptFile(k as PromptKey)), HOLD_MUSIC_FILE];
    const missing: string[] = [];
    for (const f of files) {
      if ((await this.inbound.api(`file_exists ${dir}/${f}`)).trim() !== 'true') missing.push(`${dir}/${f}`);
    }
    return missing;
  }

  async placeSurveyCall(req: SurveyCallRequest): Promise<SurveyCallPlaced> {
    const c = this.o.config;
    if (!this.connected) throw new TelephonyError('FreeSWITCH 未连接，无法外呼', 'not connected');
    this.assertPromptsPlayable();
    // Our own uuid for the leg: the call has an id (and a row) even when it fails.
    const callId = crypto.randomUUID();
    const token = await this.expectSurvey(callId, req);
    const args = originateArgs(req, {
      dial: c.survey.dial, callerId: c.survey.callerId, originateTimeoutS: c.survey.originateTimeoutS,
      // listen port 0 (tests): the port the listener actually got
      socketAddress: c.listen.port === 0 ? `${c.listen.host}:${this.ivrPort}` : c.socketAddress,
    }, token);
    this.mapper.tracked.add(callId);
    this.announceSurveyLeg(callId, req, c.survey.callerId);
    let body: string;
    try {
      body = await this.inbound.bgapi('originate', args.replace('{', `{origination_uuid=${callId},`), (c.survey.originateTimeoutS + 30) * 1000);
    } finally {
      this.originating.delete(callId);
    }
    const r = mapOriginateResult(body);
    if (r.kind === 'answered') {
      this.surveyAnswered(r.callId);
      return { accepted: true, callId: r.callId, outcome: null, detail: body.trim() };
    }
    if (r.kind === 'failed') return { accepted: false, callId, outcome: r.outcome, detail: body.trim() };
    // No channel was made (bad profile, usage): end the call record here.
    this.endCall(callId, 'ORIGINATE_ERROR');
    throw new TelephonyError(`外呼失败（配置或交换机错误）：${r.detail}`, r.detail);
  }

  /**
   * Calls that ended while we were not listening are closed; agents are re-added and their
   * status pushed; agents stuck "on a call" or "ready" without a phone are corrected.
   */
  protected async reconcileAll(asked: number): Promise<void> {
    // The prompts: asked at every connect (onUp), again while they are not all there or were not all
    // asked (an operator who puts the files right sees surveys resume within a reconcile).
    if (this.prompts && !this.prompts.ok) void this.checkPrompts();
    const channels = JSON.parse(await this.inbound.api('show channels as json')) as { rows?: ChannelRow[] };
    const alive = new Set((channels.rows ?? []).map((r) => r.uuid));
    await this.rescueCallsLeftInSocket(channels.rows ?? []).catch((err: Error) => eslLog('error', `calls left in the socket application: ${err.message}`));
    await this.adoptQueueMembers(alive);
    this.closeLostCalls(alive, asked);
    await this.closeCallsEndedWhileAway(alive);
    // Never in the way of the agents' reconciliation (e.g. mod_db not loaded: said in the log, every time).
    await this.drainOutbox(alive).catch((err: Error) => eslLog('error', `fallback messages and calls left in mod_db not read: ${err.message}`));
    const list = parseAgentList(await this.cc(`queue list agents ${this.o.config.queue}`));
    this.addCallsLearntSince(alive, asked);
    for (const agent of this.agents.keys()) {
      const sw = list.get(this.ccName(agent)) ?? null;
      await this.reconcileOne(agent, { sw, alive });
    }
  }

  /**
   * `show channels` reads FreeSWITCH's core database, which its SQL thread writes a moment after a
   * channel is made: under load a call whose socket the app already handled was not on the list
   * yet (bench:freeswitch-load, 7 Dec 16:38 and 16:41 UTC: three callers 60–160 ms after they came
   * in, closed as LOST_WHILE_DISCONNECTED at a periodic reconcile while they were being greeted;
   * the switch's CDR has them talking to an operator for 43–57 s more, ended NORMAL_CLEARING).
   * `uuid_exists` looks at the switch's sessions themselves.
   */
  protected override async stillUp(callId: string): Promise<boolean> {
    if (!UUID.test(callId)) return false;
    return (await this.inbound.api(`uuid_exists ${callId}`)).trim() === 'true';
  }

  /** Hotline calls seen in the `socket` application with no session here, and when first seen (performance.now()). */
  private leftInSocket = new Map<string, number>();

  /**
   * When the app does not answer a call's socket within 25 s (its event loop stalled, say, on a
   * slow disk), FreeSWITCH 1.10.12 logs "Socket Error!" and leaves the call parked in the
   * `socket` application for good: the caller hears ringing until they give up, and nothing
   * hands the call on (seen under load in bench:freeswitch-load: 11 of 200 calls). A hotline
   * call seen so at two reconciles, at least `leftInSocketMs` apart, is sent through the
   * hotline's dialplan again (`uuid_transfer <uuid> <number> XML <context>`; a call handed back at
   * a step, `step_<step> XML hotline_resume`): its socket connects anew, or, if the app is away,
   * the dialplan's fallback takes it. A survey leg left so (answered as the app died: the
   * switch's connect was reset) is hung up instead: the callee hears nothing there, and the
   * dialer's next attempt calls again.
   */
  private async rescueCallsLeftInSocket(rows: ChannelRow[]): Promise<void> {
    const now = performance.now();
    const minMs = this.o.leftInSocketMs ?? 25000;
    const seen = new Set<string>();
    for (const r of rows) {
      if (r.application !== 'socket' || !UUID.test(r.uuid) || this.ivr.calls.has(r.uuid)) continue;
      const inbound = r.direction === 'inbound' && !!r.dest && /^(?:[0-9*#+]{1,20}|step_[a-z]{0,20})$/.test(r.dest);
      if (!inbound && r.direction !== 'outbound') continue;
      seen.add(r.uuid);
      const first = this.leftInSocket.get(r.uuid);
      if (first === undefined) {
        this.leftInSocket.set(r.uuid, now);
        continue;
      }
      if (now - first < minMs) continue;
      this.leftInSocket.delete(r.uuid);
      if (!inbound) {
        // A survey leg answered just as the app went away (its connect taken by the dying
        // process): parked in silence for good. Hung up; the dialer's next attempt calls again.
        const ticket = (await this.inbound.api(`uuid_getvar ${r.uuid} return_visit_ticket_id`)).trim();
        if (!/^\d+$/.test(ticket)) continue; // not a survey leg of ours
        eslLog('warn', `survey call ${r.uuid} (ticket ${ticket}) left in the socket application without the app: hung up`);
        await this.inbound.api(`uuid_kill ${r.uuid} NORMAL_TEMPORARY_FAILURE`);
        continue;
      }
      const context = /^[A-Za-z0-9_-]{1,40}$/.test(r.context ?? '') ? r.context : 'public';
      eslLog('warn', `call ${r.uuid} left in the socket application without the app (no connect within FreeSWITCH's 25 s): sent through the dialplan again`);
      await this.inbound.api(`uuid_transfer ${r.uuid} ${r.dest} XML ${context}`);
    }
    for (const id of [...this.leftInSocket.keys()]) if (!seen.has(id)) this.leftInSocket.delete(id);
  }

  // ——— what the dialplan (or a flow cut short) left in mod_db for the app ———

  /** Calls whose call_ended was passed on lately (an outbox entry never ends a call twice). */
  private endedLately = new BoundedMap<string, true>(5000);
  private drainTimer: NodeJS.Timeout | null = null;
  /** Outbox entries being handled, so that two drains never file one twice at once. */
  private filing = new Map<string, Promise<void>>();

  protected override beforeDelivery(e: CallEvent): void {
    if (e.type !== 'call_ended') return;
    this.endedLately.set(e.callId, true);
    this.drainSoon();
  }

  /** A call ended (any call: the fallback's calls are not all followed): look at the outbox soon. */
  private drainSoon(): void {
    if (!this.drainTimer && this.connected && !this.crashed) {
      this.drainTimer = setTimeout(() => {
        this.drainTimer = null;
        void this.exclusive(() => this.drainOutbox(null)).catch((err: Error) => eslLog('warn', `outbox: ${err.message}`));
      }, 250);
      this.drainTimer.unref();
    }
  }

  private outboxDone(realm: string, callId: string): void {
    void this.inbound.api(`db delete/${realm}/${callId}`).catch((err: Error) => eslLog('warn', `db delete/${realm}/${callId}: ${err.message}`));
  }

  private async outboxKeys(realm: string): Promise<string[]> {
    const body = dbValue(await this.inbound.api(`db list/${realm}`));
    if (body.startsWith('-ERR') || body === '!err!') throw new TelephonyError(`db list/${realm} 失败：${body}`, body);
    return body.split(',').map((k) => k.trim()).filter((k) => UUID.test(k));
  }

  /**
   * Entries left in mod_db for calls that are over (at every connect, every reconcile, and soon
   * after any call ends): a message (`hotline_message`: recorded by the dialplan's fallback while
   * the app was away, or by a flow the app did not live to finish) becomes a draft ticket with
   * its recording — or, when no file was written, a call-back entry; a call the fallback took
   * (`hotline_fallback`) gets its row and its whole-call recording. Entries of calls still up
   * wait: a message may still be spoken. No recording is left without a row or a ticket.
   */
  private async drainOutbox(known: ReadonlySet<string> | null): Promise<void> {
    let alive = known;
    for (const realm of [OUTBOX_FALLBACK, OUTBOX_MESSAGES]) {
      for (const id of await this.outboxKeys(realm)) {
        // The channels are asked for only when there is something to file (usually nothing).
        if (!alive) alive = await this.aliveChannels();
        if (alive.has(id)) continue;
        const key = `${realm}/${id}`;
        let run = this.filing.get(key);
        if (!run) {
          run = this.fileOutboxEntry(realm, id).finally(() => this.filing.delete(key));
          this.filing.set(key, run);
        }
        await run.catch((err: Error) => eslLog('error', `outbox ${key}: ${err.message}`));
      }
    }
  }

  private async fileOutboxEntry(realm: string, id: string): Promise<void> {
    const value = dbValue(await this.inbound.api(`db select/${realm}/${id}`));
    if (!value) return; // another drain was first
    const dir = this.o.config.recordingsDir;
    const fields = value.split('|');
    const epoch = Number(fields[0]);
    const at = Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000).toISOString() : this.now().toISOString();
    const exists = async (path: string) => (await this.inbound.api(`file_exists ${path}`)).trim() === 'true';
    if (realm === OUTBOX_FALLBACK) {
      // `<epoch>|<caller>`: the dialplan answered this call while the app was away.
      const caller = fields.slice(1).join('|');
      this.emit({ type: 'call_started', at, callId: id, direction: 'inbound', purpose: 'hotline', caller, callee: '', ticketId: null });
      const path = `${dir}/fallback_${id}.wav`;
      if (await exists(path)) this.emit({ type: 'recording_started', at, callId: id, path, kind: 'call' });
      if (!this.endedLately.has(id)) this.emit({ type: 'call_ended', at: this.now().toISOString(), callId: id, hangupCause: 'ENDED_WHILE_APP_AWAY' });
    } else {
      // `<epoch>|<reason>|<caller>`: a message was (being) recorded to message_<id>.wav.
      const reason = (['after_hours', 'overflow', 'caller_choice'].includes(fields[1]) ? fields[1] : 'overflow') as MessageReason;
      const caller = fields.slice(2).join('|');
      const path = `${dir}/message_${id}.wav`;
      if (await exists(path)) {
        this.emit({ type: 'recording_started', at, callId: id, path, kind: 'message' });
        const draft = await this.o.services.createDraftTicket({ reason, callerPhone: caller, callId: id, recordingPath: path, receivedAt: at });
        this.emit({ type: 'message_left', at: this.now().toISOString(), callId: id, caller, path, ticketId: draft.ticketId, ticketNumber: draft.ticketNumber });
      } else {
        // The caller hung up before anything was recorded: never a draft pointing at nothing.
        await this.o.services.addToCallbackList({ callerPhone: caller, callId: id, at, reason: 'requested' });
      }
    }
    await this.inbound.api(`db delete/${realm}/${id}`);
  }

  /**
   * The callers in our queue, from mod_callcenter itself: after an app restart (or a call the
   * dialplan fallback queued while the app was away) they are followed again with the time they
   * joined — their wait, their place in the queue and their end are known — and one that an
   * operator is talking to puts that operator on the call. Only queue members are adopted: the
   * operators' own phone legs and other channels are not hotline calls.
   */
  private async adoptQueueMembers(alive: ReadonlySet<string>): Promise<void> {
    const queue = this.o.config.queue;
    for (const m of parseMemberList(await this.cc(`queue list members ${queue}`))) {
      const id = m.session_uuid;
      // Not alive, or hung up since `show channels` answered: nothing to follow.
      if (!id || !alive.has(id) || this.mapper.hungUpLately(id)) continue;
      const joined = Number(m.joined_epoch) * 1000 || this.now().getTime();
      const unknown = !this.live.has(id);
      this.mapper.adoptMember(id, joined, m.cid_number, queue);
      this.knowCall(id);
      if (unknown) {
        // A call that ran through the dialplan fallback: its row gets its caller and times now.
        const at = new Date(joined).toISOString();
        this.emit({ type: 'call_started', at, callId: id, direction: 'inbound', purpose: 'hotline', caller: m.cid_number, callee: '', ticketId: null });
        this.emit({ type: 'call_queued', at, callId: id, caller: m.cid_number, queue });
      }
      const agent = m.serving_agent ? m.serving_agent.split('@')[0] : '';
      const bridged = Number(m.bridge_epoch) * 1000;
      if (m.state === 'Answered' && agent && bridged) {
        const s = this.agents.get(agent)?.state;
        if (!(s?.state === 'on_call' && s.callId === id)) {
          this.mapper.markAnswered(id, bridged);
          this.passOn({ type: 'call_answered', at: new Date(bridged).toISOString(), callId: id, agent, queueWaitMs: Math.max(0, bridged - joined) });
        }
      }
    }
  }

  /** The uuids of every channel on the switch now. */
  private async aliveChannels(): Promise<Set<string>> {
    const channels = JSON.parse(await this.inbound.api('show channels as json')) as { rows?: { uuid: string }[] };
    return new Set((channels.rows ?? []).map((x) => x.uuid));
  }

  protected async reconcileAgentOnSwitch(r: AgentRecord, known: AgentView | null): Promise<void> {
    const agent = r.agent;
    let view = known;
    if (!view) {
      const list = parseAgentList(await this.cc(`queue list agents ${this.o.config.queue}`));
      // Which calls are alive matters only to an operator the app has on a call (is it still
      // there?). For every other change (each wrap-up and each release after it) the list of every
      // channel on the switch is not asked for: ~1.5 kB of JSON per channel, made by the switch and
      // parsed here, twice per call answered, behind the lock every agent change waits on.
      const alive = r.state.state === 'on_call' ? await this.aliveChannels() : new Set<string>();
      view = { sw: list.get(this.ccName(agent)) ?? null, alive };
    }
    const action = this.decideAgent(r, view.sw, view.alive);
    const name = this.ccName(agent);
    const contact = this.o.agentContact?.(agent) ?? `{call_timeout=${AGENT_RING_S}}user/${agent}`;
    if (action?.addOnSwitch) {
      await this.cc(`agent add ${name} callback`);
      await this.cc(`agent set contact ${name} ${contact}`);
      await this.cc(`tier add ${this.o.config.queue} ${name} 1 1`);
    } else if (view.sw && view.sw.contact !== undefined && view.sw.contact !== contact) {
      // An agent added by an earlier version, or with another contact: the switch follows the app.
      await this.cc(`agent set contact ${name} ${contact}`);
    }
    const d = view.sw?.delays;
    if (action?.addOnSwitch || (d && [d.reject, d.busy, d.noAnswer].some((x) => x !== OFFER_RETRY_DELAY_S))) {
      for (const key of ['reject_delay_time', 'busy_delay_time', 'no_answer_delay_time']) {
        await this.cc(`agent set ${key} ${name} ${OFFER_RETRY_DELAY_S}`);
      }
    }
    if (action?.pushStatus) await this.cc(`agent set status ${name} '${action.pushStatus}'`);
  }
}
