// Asterisk behind the Telephony interface, over one AMI connection: call events from
// the AMI event stream, agents as app_queue dynamic members (QueueAdd/QueueRemove/
// QueuePause with a reason) owned and reconciled by the app, return-visit surveys as
// async Originates into the survey dialplan, live calls reconciled with CoreShowChannels
// after every reconnect. What it shares with ivr/freeswitch/adapter.ts (agents, live
// calls, the event bus, reconciliation) is in ivr/switch-core.ts.
import crypto from 'node:crypto';
import { AgentRecord, switchStatusFor } from '../agent-state';
import { PROMPTS } from '../prompts';
import { SwitchCore, SwitchCoreOptions } from '../switch-core';
import { CallEvent, SurveyCallPlaced, SurveyCallRequest, SurveyOutcome, Telephony, TelephonyError } from '../telephony';
import { AgiServer } from './agi-server';
import { AmiConnection, AmiError, AmiMessage, amiLog, field } from './ami';
import { AsteriskConfig } from './config';
import {
  AMI_EVENTS, AsteriskEventMapper, FallbackMessage, MemberSignal, SURVEY_OUTCOMES, SurveySignal, hangupCauseName, originateOutcome,
  parseMessageEntry, parseSurveyEntry,
} from './events';

export interface AsteriskOptions extends SwitchCoreOptions {
  config: AsteriskConfig;
  backoff?: { initialMs: number; maxMs: number };
  pingEveryMs?: number;
  actionTimeoutMs?: number;
  /** How long after the originate timeout to wait for OriginateResponse (30 s). */
  originateGraceMs?: number;
}

/** app_queue's view of one member (QueueStatus `QueueMember`). */
interface MemberView {
  paused: boolean;
  reason: string;
  /** Device state: 1 not in use, 2 in use, 4 invalid, 5 unavailable, 6 ringing … */
  status: number;
  inCall: boolean;
}

/** What one look at the switch tells: the calls alive, and app_queue's members by interface. */
interface SwitchView {
  alive: Set<string>;
  members: Map<string, MemberView>;
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

export class AsteriskTelephony extends SwitchCore<SwitchView> implements Telephony {
  readonly kind = 'asterisk' as const;
  readonly ami: AmiConnection;
  readonly agi: AgiServer;
  /** The FastAGI port actually listened on (0 in the config = any, for tests). */
  agiPort = 0;
  private mapper: AsteriskEventMapper;
  private ifaces = new Map<string, string>();
  private originates = new Map<string, (e: AmiMessage) => void>();
  private surveys = new Map<string, SurveyCall>();
  /** Why survey legs still being placed hung up (their Hangup comes before OriginateResponse). */
  private legCauses = new Map<string, string>();

  constructor(private o: AsteriskOptions) {
    super(o, amiLog);
    const c = o.config;
    for (const a of o.agents) this.ifaces.set(this.iface(a), a);
    this.mapper = new AsteriskEventMapper(this.now, { inboundContext: c.inboundContext, agentOf: (i) => this.ifaces.get(i) ?? null });
    this.ami = new AmiConnection({
      host: c.ami.host, port: c.ami.port, username: c.ami.username, secret: c.ami.secret, events: AMI_EVENTS,
      backoff: o.backoff, pingEveryMs: o.pingEveryMs, actionTimeoutMs: o.actionTimeoutMs,
    });
    this.ami.on('up', () => {
      void this.onUp();
      void this.checkPrompts();
    });
    this.ami.on('down', (reason: string) => this.setConnected(false, reason));
    this.ami.on('event', (e: AmiMessage) => this.onAmiEvent(e));
    this.agi = new AgiServer({
      host: c.agiListen.host, port: c.agiListen.port, promptsDir: c.promptsDir, queueMaxWaitS: c.queueMaxWaitS,
      settings: { recordingsDir: c.recordingsDir, queue: c.queue, workingHours: c.workingHours, timeZone: c.timeZone, messageMaxS: 120 },
      services: o.services, now: this.now, report: (e) => this.emit(e),
      onCall: (ch) => {
        ch.onRecorded = (path) => this.emit({ type: 'recording_ended', at: this.now().toISOString(), callId: ch.callId, path });
        // app_queue reports a caller whose wait ran out as abandoned too: this one is still there.
        ch.onQueueLeftAlive = () => this.mapper.queueLeftAlive(ch.callId);
        // Its Hangup was read before this AGI session (two connections): the call is over already.
        if (this.mapper.hungUpLately(ch.callId)) return;
        // Normally known from its Newchannel already; after an app restart, from here.
        this.mapper.track(ch.callId, ch.caller);
        this.knowCall(ch.callId);
      },
    });
  }

  private iface(agent: string): string {
    return this.o.config.agentInterface.replace('{ext}', agent);
  }

  async start(): Promise<void> {
    await this.restoreAgentStates();
    this.agiPort = await this.agi.start();
    this.ami.start();
    this.startReconciling();
  }

  /** Test support: the app ends as if killed (kill -9): connections dropped, nothing said, nothing flushed. */
  async crashForTests(): Promise<void> {
    this.crashed = true;
    this.stopReconciling();
    this.ami.stop();
    await this.agi.stop();
  }

  async stop(): Promise<void> {
    this.stopReconciling();
    this.ami.stop();
    await this.agi.stop();
    await this.flushAgentStates(); // agent states being saved reach the database before the app exits
  }

  /** Recordings still running, by call: MixMonitor and a dialplan Record() stop when the call ends. */
  private recording = new Map<string, Set<string>>();

  /** A call that ends closes its recordings still open, before its end is emitted. */
  protected override beforeDelivery(e: CallEvent): void {
    if (e.type === 'recording_started') this.recording.set(e.callId, (this.recording.get(e.callId) ?? new Set()).add(e.path));
    if (e.type === 'recording_ended') this.recording.get(e.callId)?.delete(e.path);
    if (e.type === 'call_ended') {
      const open = this.recording.get(e.callId);
      this.recording.delete(e.callId);
      for (const path of open ?? []) this.emit({ type: 'recording_ended', at: e.at, callId: e.callId, path });
    }
  }

  private onAmiEvent(e: AmiMessage): void {
    if (field(e, 'event') === 'UserEvent' && field(e, 'userevent') === 'HotlinePromptCheck') {
      this.promptChecks.get(field(e, 'uniqueid'))?.(e);
      return;
    }
    // Asterisk takes AMI logins before every module is loaded (app_queue among them): what the
    // reconcile at login could not do (QueueAdd into a queue not yet loaded) is done again now.
    if (field(e, 'event') === 'FullyBooted') {
      void this.reconcile().catch((err: Error) => amiLog('warn', `reconcile after FullyBooted: ${err.message}`));
      return;
    }
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
      if (ev.type === 'call_started' || ev.type === 'call_queued') this.knowCall(ev.callId);
      if (ev.type === 'call_ended' && this.originating.has(ev.callId)) this.legCauses.set(ev.callId, ev.hangupCause);
      this.passOn(ev);
      if (ev.type === 'call_ended') this.surveyEnded(ev.callId);
    }
    if (m.member) this.onMember(m.member);
    if (m.offerFailed) this.offerFailed(m.offerFailed.agent, m.offerFailed.cause);
    if (m.survey) void this.onSurvey(m.survey).catch((err: Error) => amiLog('error', `survey answer of ${m.survey?.callId}: ${err.message}`));
    if (m.message) void this.onFallbackMessage(m.message).catch((err: Error) => amiLog('error', `fallback message of ${m.message?.callId}: ${err.message}`));
    if (m.callback) void this.onFallbackCallback(m.callback).catch((err: Error) => amiLog('error', `fallback call-back of ${m.callback?.callId}: ${err.message}`));
  }

  /** A caller the fallback could not record: on the call-back list, then the AstDB entry goes. */
  private async onFallbackCallback(c: { callId: string; caller: string; at: string | null }): Promise<void> {
    await this.o.services.addToCallbackList({ callerPhone: c.caller, callId: c.callId, at: c.at ?? this.now().toISOString(), reason: 'requested' });
    await this.amiAction({ action: 'DBDel', family: 'hotline_callback', key: c.callId }).catch(() => undefined);
  }

  // ——— prompts ———

  private promptChecks = new Map<string, (e: AmiMessage) => void>();

  /**
   * Asks Asterisk whether it can play every prompt: the wav format loaded (`ModuleCheck`), and
   * every prompt file where the dialplan plays it from, looked at by the dialplan itself
   * ([hotline-prompt-check]: `STAT()` is refused over AMI). Never throws.
   */
  async checkPrompts(timeoutMs = 10000): Promise<void> {
    const c = this.o.config;
    try {
      await this.amiAction({ action: 'ModuleCheck', module: 'format_wav' }).catch(() => {
        throw new TelephonyError('format_wav', 'format_wav is not loaded: Asterisk cannot play WAV prompts');
      });
      const id = crypto.randomUUID();
      const answer = new Promise<AmiMessage | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), timeoutMs);
        this.promptChecks.set(id, (e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
      try {
        await this.amiAction({
          action: 'Originate', channel: `Local/check@${c.promptCheckContext}/n`, application: 'Wait', data: '10', async: 'true',
          // Two unrelated ids: Asterisk refuses a ChannelId that is a prefix of another channel's.
          channelid: crypto.randomUUID(), otherchannelid: id, variable: { _HOTLINE_PROMPT_LIST: Object.keys(PROMPTS).join('&') },
        });
        const e = await answer;
        if (!e) throw new TelephonyError('no answer', `no HotlinePromptCheck from ${c.promptCheckContext} within ${timeoutMs} ms (is the context installed?)`);
        // The app's AGI plays from IVR_PROMPTS_DIR, the dialplan (survey, fallback) from its own folder: one folder.
        if (field(e, 'dir') !== c.promptsDir) {
          throw new TelephonyError('prompts dir', `IVR_PROMPTS_DIR ${c.promptsDir} is not the dialplan's prompt folder ${field(e, 'dir')}`);
        }
        const missing = field(e, 'missing').split('&').filter(Boolean);
        const checked = Number(field(e, 'checked'));
        if (checked !== Object.keys(PROMPTS).length) throw new TelephonyError('short list', `the dialplan checked ${checked} of ${Object.keys(PROMPTS).length} prompts`);
        this.setPromptCheck(missing, `${checked} prompts in ${field(e, 'dir')}`);
      } finally {
        this.promptChecks.delete(id);
      }
    } catch (err) {
      this.setPromptCheck(null, err instanceof TelephonyError ? err.detail : (err as Error).message);
    }
  }

  // ——— what the dialplan did on its own (AstDB hotline_message / hotline_survey) ———

  /** Messages being filed, so that the live event and a drain of AstDB never file one twice at once. */
  private filing = new Map<string, Promise<void>>();

  /**
   * A message the fallback took while the app was away: a draft ticket at once (the draft is
   * idempotent per call), then its AstDB entry goes.
   */
  private onFallbackMessage(msg: FallbackMessage): Promise<void> {
    const busy = this.filing.get(msg.path);
    if (busy) return busy;
    const run = (async () => {
      const at = msg.at ?? this.now().toISOString();
      this.emit({ type: 'recording_started', at, callId: msg.callId, path: msg.path, kind: 'message' });
      const draft = await this.o.services.createDraftTicket({ reason: 'overflow', callerPhone: msg.caller, callId: msg.callId, recordingPath: msg.path, receivedAt: at });
      this.emit({ type: 'message_left', at: this.now().toISOString(), callId: msg.callId, caller: msg.caller, path: msg.path, ticketId: draft.ticketId, ticketNumber: draft.ticketNumber });
      await this.amiAction({ action: 'DBDel', family: 'hotline_message', key: msg.callId }).catch(() => undefined);
    })().finally(() => this.filing.delete(msg.path));
    this.filing.set(msg.path, run);
    return run;
  }

  /**
   * Entries the dialplan left in AstDB for calls that are over: messages become draft tickets,
   * survey answers are stored (both idempotent), then the entries go. Entries of calls still up
   * wait: a message may still be spoken, an unsatisfied callee may still give the reason.
   */
  private async drainOutbox(alive: ReadonlySet<string>): Promise<void> {
    for (const row of await this.amiList({ action: 'DBGetTree', family: 'hotline_message' })) {
      const msg = parseMessageEntry(field(row, 'key'), field(row, 'val'));
      if (!msg || alive.has(msg.callId)) continue;
      await this.onFallbackMessage(msg).catch((err: Error) => amiLog('error', `fallback message of ${msg.callId}: ${err.message}`));
    }
    for (const row of await this.amiList({ action: 'DBGetTree', family: 'hotline_callback' })) {
      const callId = field(row, 'key').split('/').pop() ?? '';
      const [epoch, ...caller] = field(row, 'val').split('|');
      if (!callId || alive.has(callId) || !/^\d+$/.test(epoch ?? '')) continue;
      await this.onFallbackCallback({ callId, caller: caller.join('|'), at: new Date(Number(epoch) * 1000).toISOString() })
        .catch((err: Error) => amiLog('error', `fallback call-back of ${callId}: ${err.message}`));
    }
    for (const row of await this.amiList({ action: 'DBGetTree', family: 'hotline_survey' })) {
      const sig = parseSurveyEntry(field(row, 'key'), field(row, 'val'));
      if (!sig || alive.has(sig.callId)) continue;
      try {
        await this.onSurvey(sig, sig.at);
        await this.amiAction({ action: 'DBDel', family: 'hotline_survey', key: sig.callId });
      } catch (err) {
        amiLog('error', `survey answer of ${sig.callId} from AstDB: ${(err as Error).message}`);
      }
    }
  }

  protected forgetCall(callId: string): boolean {
    return this.mapper.tracked.delete(callId);
  }

  // ——— agents ———

  protected override agentAdded(agent: string): void {
    this.ifaces.set(this.iface(agent), agent);
  }

  private onMember(s: MemberSignal): void {
    const agent = this.ifaces.get(s.iface);
    const r = agent ? this.agents.get(agent) : undefined;
    if (!agent || !r) return;
    // The app holds wrap-up itself: the member is paused meanwhile.
    if (s.kind === 'complete' && this.wrapUpAfterCall(agent)) return;
    if (s.status !== null) {
      const registered = !OFFLINE.has(s.status);
      const changed = r.phoneRegistered !== registered;
      r.phoneRegistered = registered;
      if (changed && !registered) this.reconcileSoon(agent);
    }
    // Someone removed, paused or unpaused the member behind the app's back: put back what the app
    // holds. The echoes of the app's own QueueAdd/QueuePause agree with it and cost nothing.
    const want = switchStatusFor(r.state);
    const disagrees = (s.kind === 'removed' && want !== 'Logged Out') || (s.kind === 'pause' && s.paused !== null && s.paused !== (want === 'On Break'));
    if (disagrees && this.connected) this.reconcileSoon(agent);
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

  /**
   * Hold from the desk: AMI has no hold for a bridged call, so the caller's audio is muted both
   * ways (`MuteAudio`): the caller and the operator no longer hear each other, the call stays in
   * its bridge (and in the app's flow). The caller hears silence, not music.
   */
  async hold(callId: string): Promise<void> {
    const channel = await this.channelName(callId);
    await this.amiAction({ action: 'MuteAudio', channel, direction: 'all', state: 'on' });
  }

  async unhold(callId: string): Promise<void> {
    const channel = await this.channelName(callId);
    await this.amiAction({ action: 'MuteAudio', channel, direction: 'all', state: 'off' });
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
    this.assertPromptsPlayable();
    // Our own id for the leg (Originate ChannelId = its Uniqueid): the call has a row even when it fails.
    const callId = crypto.randomUUID();
    const actionId = `orig-${callId}`;
    // Listed before the Originate: only a call listed here may answer a survey (issue 13 item 4).
    // Its results come over the authenticated AMI session, keyed by the ChannelId we chose.
    await this.expectSurvey(callId, req);
    this.mapper.track(callId, req.phone);
    this.surveys.set(callId, { req, answered: false, stored: null });
    this.announceSurveyLeg(callId, req, c.survey.callerId);
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
      this.endCall(callId, 'ORIGINATE_ERROR');
      throw err;
    }
    const r = await response;
    this.originating.delete(callId);
    // The response was lost (the AMI connection dropped meanwhile): a leg still up is in the survey.
    const upAnyway = !r && this.connected && (await this.amiList({ action: 'CoreShowChannels' }).catch(() => [])).some((x) => field(x, 'uniqueid') === callId);
    if (upAnyway || (r && field(r, 'response') === 'Success')) {
      const s = this.surveys.get(callId);
      if (s) s.answered = true;
      // An async Originate into the dialplan answers Success once the callee picked up: the row's answer time.
      this.surveyAnswered(callId);
      return { accepted: true, callId, outcome: null, detail: r ? `OriginateResponse Success Reason ${field(r, 'reason')}` : 'OriginateResponse lost; the call is up' };
    }
    const reason = r ? field(r, 'reason') : '';
    // A SIP leg refused with a final response (486, 603, 480) hangs up with its cause and no
    // control frame: OriginateResponse then says only "0". The leg's Hangup cause tells.
    const cause = this.legCauses.get(callId) ?? '';
    this.legCauses.delete(callId);
    const byCause = ({ USER_BUSY: 'busy', NO_ANSWER: 'no_answer', NO_USER_RESPONSE: 'no_answer', CALL_REJECTED: 'rejected' } as const)[cause as 'USER_BUSY'];
    const outcome = r ? (reason === '0' && byCause ? byCause : originateOutcome(reason)) : 'unreachable';
    const detail = r ? `OriginateResponse Failure Reason ${reason}${cause ? `, leg hung up ${cause}` : ''}` : 'no OriginateResponse';
    this.surveys.delete(callId);
    // The leg may have hung up before the response (a Hangup event), or never have existed.
    this.endCall(callId, hangupCauseName({ busy: '17', no_answer: '19', rejected: '21' }[outcome as 'busy'] ?? '34'));
    return { accepted: false, callId, outcome, detail };
  }

  private async onSurvey(sig: SurveySignal, answeredAt?: string): Promise<void> {
    const s = this.surveys.get(sig.callId);
    const at = answeredAt ?? this.now().toISOString();
    if (sig.kind === 'reason') {
      // The reason belongs to an answer this app took on this call (never one named by the channel).
      if (!sig.path || s?.stored !== 'unsatisfied') return;
      const { ticketId, attempt } = s.req;
      const outcome = s.stored;
      this.emit({ type: 'recording_started', at, callId: sig.callId, path: sig.path, kind: 'survey_reason' });
      await this.o.services.recordSurveyAnswer({ ticketId, attempt, callId: sig.callId, outcome, digit: '3', answeredAt: at, reasonRecordingPath: sig.path });
      return;
    }
    // Only a call the dialer placed, once; the ticket and attempt are the ledger's (it survives an
    // app restart), never the channel variables'.
    const placed = await this.claimSurvey(sig.callId, null);
    if (!placed) return;
    const { ticketId, attempt } = placed;
    const outcome: SurveyOutcome = (sig.digit && SURVEY_OUTCOMES[sig.digit]) || 'no_input';
    const digit = outcome === 'no_input' ? null : sig.digit;
    if (s) s.stored = outcome;
    // From AstDB, an unsatisfied answer may come with its recorded reason: stored together.
    const reasonRecordingPath = outcome === 'unsatisfied' && sig.path ? sig.path : undefined;
    if (reasonRecordingPath) this.emit({ type: 'recording_started', at, callId: sig.callId, path: reasonRecordingPath, kind: 'survey_reason' });
    await this.o.services.recordSurveyAnswer({ ticketId, attempt, callId: sig.callId, outcome, digit, answeredAt: at, ...(reasonRecordingPath ? { reasonRecordingPath } : {}) });
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

  private async switchView(): Promise<SwitchView & { channels: AmiMessage[] }> {
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

  /**
   * Calls that ended while the app was not listening are closed, calls it did not know are
   * followed, every agent's queue membership and pause are made what the app holds.
   */
  protected async reconcileAll(asked: number): Promise<void> {
    const view = await this.switchView();
    const c = this.o.config;
    // Hotline and survey calls alive on the switch that the app did not know (it restarted
    // mid-call, or the fallback took the call while it was away): follow them, so their end is
    // still recorded, with the caller, and the operator already talking to them.
    for (const row of view.channels) {
      const id = field(row, 'uniqueid');
      const first = id === (field(row, 'linkedid') || id);
      const context = field(row, 'context');
      const hotline = context === c.inboundContext || context === c.fallbackContext;
      // A Hangup read since the switch answered (the view is older than it) ends the call for good.
      if (!first || !(hotline || context === c.surveyContext) || this.live.has(id) || this.mapper.hungUpLately(id)) continue;
      this.live.set(id, performance.now());
      const caller = field(row, 'calleridnum');
      this.mapper.track(id, caller, field(row, 'channel'));
      if (!hotline) continue;
      const at = this.now().toISOString();
      const callee = context === c.inboundContext && /^\d+$/.test(field(row, 'exten')) ? field(row, 'exten') : '';
      this.emit({ type: 'call_started', at, callId: id, direction: 'inbound', purpose: 'hotline', caller, callee, ticketId: null });
      // The fallback's own whole-call recording (its first extension is `s`).
      if (context === c.fallbackContext && field(row, 'exten') === 's') {
        this.emit({ type: 'recording_started', at, callId: id, path: `${c.recordingsDir}/fallback_${id}.wav`, kind: 'call' });
      }
      const bridge = field(row, 'bridgeid');
      const peer = bridge ? view.channels.find((o) => o !== row && field(o, 'bridgeid') === bridge) : undefined;
      const agent = peer ? this.agentOfChannel(field(peer, 'channel')) : null;
      if (agent) this.passOn({ type: 'call_answered', at, callId: id, agent, queueWaitMs: null });
    }
    // The prompts: asked at every connect (below, in onUp), again while they are not all there.
    if (this.prompts && !this.prompts.ok) void this.checkPrompts();
    // Answers given while the app was not listening first: a survey call that ended meanwhile is
    // then not taken for a hang-up before the answer.
    await this.drainOutbox(view.alive).catch((err: Error) => amiLog('warn', `AstDB hand-over: ${err.message}`));
    this.closeLostCalls(view.alive, asked, (id) => this.surveyEnded(id));
    // Calls an earlier run of the app left open (killed while a caller waited, who then hung up
    // in the fallback): no Hangup will come for them any more.
    await this.closeCallsEndedWhileAway(view.alive);
    this.addCallsLearntSince(view.alive, asked);
    for (const agent of this.agents.keys()) await this.reconcileOne(agent, view);
  }

  /** The agent whose phone a channel is (`PJSIP/1001-0000002a` → 1001 with the interface PJSIP/{ext}). */
  private agentOfChannel(channel: string): string | null {
    const dash = channel.lastIndexOf('-');
    return this.ifaces.get(dash > 0 ? channel.slice(0, dash) : channel) ?? null;
  }

  protected async reconcileAgentOnSwitch(r: AgentRecord, known: SwitchView | null): Promise<void> {
    const agent = r.agent;
    const view = known ?? (await this.switchView());
    const iface = this.iface(agent);
    const m = view.members.get(iface) ?? null;
    if (m) r.phoneRegistered = !OFFLINE.has(m.status);
    this.decideAgent(r, m ? { status: m.paused ? 'On Break' : 'Available', state: m.inCall ? 'In a queue call' : 'Waiting' } : null, view.alive);
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
