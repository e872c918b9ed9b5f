// The one switch-independent telephony interface. The FreeSWITCH adapter
// (ivr/freeswitch/) and the Asterisk adapter (ivr/asterisk/) implement it.
// Everything here is plain data: call events are the same whichever switch produced them.

export type SwitchKind = 'freeswitch' | 'asterisk';

export interface TelephonyStatus {
  kind: SwitchKind;
  connected: boolean;
  /** ISO time of the last change of `connected`. */
  since: string;
  /** Whether the switch can play every prompt the flows use (asked at start and on every reconnect); absent until asked. */
  prompts?: PromptCheck;
  /** Whether the last hotline call's whole-call recording could be started (absent until a call was recorded or failed to be). */
  recording?: RecordingCheck;
}

/** The last whole-call recording the switch was asked for: `ok` false when it was not made (`detail` says why). */
export interface RecordingCheck {
  ok: boolean;
  detail: string;
  callId: string;
  at: string;
}

/**
 * What the switch said of the prompts: `missing` the prompt names it cannot play; `ok` null when
 * the check itself could not be made (`detail` says why). Surveys are refused while not ok.
 */
export interface PromptCheck {
  ok: boolean | null;
  missing: string[];
  detail: string;
  checkedAt: string;
}

/** Agent states owned by the application and pushed to the switch. */
export type AgentState =
  | { state: 'logged_out' }
  | { state: 'ready' }
  | { state: 'on_break'; reason: string }
  | { state: 'wrap_up' }
  | { state: 'on_call'; callId: string };

export type AgentStateName = AgentState['state'];

export type SurveyOutcome =
  | 'satisfied' // 1
  | 'basically_satisfied' // 2
  | 'unsatisfied' // 3
  | 'busy'
  | 'no_answer'
  | 'rejected'
  | 'unreachable'
  | 'hung_up'
  | 'no_input';

/** A call event: what the rest of the system hears from the phone side. */
export type CallEvent =
  | { type: 'call_started'; at: string; callId: string; direction: 'inbound' | 'outbound'; purpose: 'hotline' | 'survey' | 'transfer' | 'callback'; caller: string; callee: string; ticketId: number | null }
  | { type: 'call_offered'; at: string; callId: string; caller: string; agent: string; queue: string; queueWaitMs: number }
  | { type: 'call_queued'; at: string; callId: string; caller: string; queue: string }
  | { type: 'call_answered'; at: string; callId: string; agent: string; queueWaitMs: number | null }
  | { type: 'call_ended'; at: string; callId: string; hangupCause: string }
  | { type: 'call_abandoned'; at: string; callId: string; caller: string; queue: string; queueWaitMs: number }
  | { type: 'recording_started'; at: string; callId: string; path: string; kind: 'call' | 'message' | 'survey_reason' }
  | { type: 'recording_ended'; at: string; callId: string; path: string }
  /** A recording that never started (the switch could not record): its row goes, it is no message. */
  | { type: 'recording_failed'; at: string; callId: string; path: string; detail: string; kind?: 'call' | 'message' | 'survey_reason' }
  | { type: 'dtmf'; at: string; callId: string; digit: string }
  | { type: 'message_left'; at: string; callId: string; caller: string; path: string; ticketId: number; ticketNumber: string }
  | { type: 'ticket_status_query'; at: string; callId: string; caller: string; ticketNumber: string; found: boolean }
  | { type: 'survey_result'; at: string; callId: string | null; ticketId: number; attempt: number; outcome: SurveyOutcome; digit: string | null }
  | { type: 'telephony_down'; at: string; reason: string }
  | { type: 'telephony_up'; at: string }
  | { type: 'agent_state_changed'; at: string; agent: string; state: AgentState; source: 'app' | 'switch' | 'reconcile' };

export type CallEventListener = (e: CallEvent) => void;

export interface SurveyCallRequest {
  ticketId: number;
  ticketNumber: string;
  phone: string;
  attempt: number;
}

/** How the placement of a survey call ended when the switch could not hand it to the survey flow. */
export interface SurveyCallPlaced {
  /** The switch accepted the call and the survey flow runs; its outcome comes as a `survey_result` event. */
  accepted: boolean;
  callId: string | null;
  /** Set when the call never reached the survey flow (busy, no answer, …). */
  outcome: SurveyOutcome | null;
  /** The switch's own words, e.g. "-ERR USER_BUSY". */
  detail: string;
}

export interface Telephony {
  readonly kind: SwitchKind;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): TelephonyStatus;
  onEvent(listener: CallEventListener): () => void;

  /** Agents are named by their extension (users.extension). */
  setAgentState(agent: string, state: AgentState): Promise<void>;
  getAgentState(agent: string): AgentState;
  listAgents(): { agent: string; state: AgentState }[];
  /** An extension given to an operator while running: a logged-out agent at once, put on the switch's queue. Known agents are left as they are. */
  addAgent(agent: string): void;

  hold(callId: string): Promise<void>;
  unhold(callId: string): Promise<void>;
  /** Blind transfer of the caller's leg to an extension (e.g. another department's line). */
  transfer(callId: string, destination: string): Promise<void>;
  hangup(callId: string): Promise<void>;

  placeSurveyCall(req: SurveyCallRequest): Promise<SurveyCallPlaced>;
}

/** A telephony action that the switch refused, with the switch's reply. */
export class TelephonyError extends Error {
  constructor(message: string, readonly detail: string) {
    super(message);
    this.name = 'TelephonyError';
  }
}
