// The survey call's originate string, and what each answer of FreeSWITCH means.
import { SurveyCallRequest, SurveyOutcome, TelephonyError } from '../telephony';

export interface OriginateSettings {
  dial: string; // e.g. sofia/gateway/carrier/{phone}
  callerId: string;
  originateTimeoutS: number;
  /** host:port of the IVR app's outbound-socket listener, as the switch reaches it. */
  socketAddress: string;
}

const TOKEN = /^[0-9a-f]{32}$/;

/** Values that go into the dial string must not be able to change it. */
const PHONE = /^\+?\d{3,20}$/;
const TICKET_NUMBER = /^[A-Za-z0-9-]{1,40}$/;

/** `token`: the one-time token the survey leg carries back to the IVR listener (ivr/survey-ledger.ts). */
export function originateArgs(req: SurveyCallRequest, s: OriginateSettings, token: string): string {
  if (!TOKEN.test(token)) throw new TelephonyError('回访令牌不合法', 'invalid survey token');
  if (!PHONE.test(req.phone)) throw new TelephonyError(`回访号码不合法：${req.phone}`, 'invalid phone');
  if (!TICKET_NUMBER.test(req.ticketNumber)) throw new TelephonyError(`工单编号不合法：${req.ticketNumber}`, 'invalid ticket number');
  if (!Number.isInteger(req.ticketId) || req.ticketId <= 0 || !Number.isInteger(req.attempt) || req.attempt <= 0) {
    throw new TelephonyError('工单 id 或回访次数不合法', 'invalid ticket id or attempt');
  }
  const vars = [
    `origination_caller_id_number=${s.callerId}`,
    'ignore_early_media=true',
    `originate_timeout=${s.originateTimeoutS}`,
    `return_visit_ticket_id=${req.ticketId}`,
    `return_visit_ticket=${req.ticketNumber}`,
    `return_visit_attempt=${req.attempt}`,
    `return_visit_token=${token}`,
  ].join(',');
  // The application argument has spaces: it must be quoted, or originate takes "async" as the dialplan.
  return `{${vars}}${s.dial.replace('{phone}', req.phone)} '&socket(${s.socketAddress} async full)'`;
}

export type OriginateResult =
  | { kind: 'answered'; callId: string }
  | { kind: 'failed'; outcome: SurveyOutcome; cause: string }
  | { kind: 'error'; detail: string };

const OUTCOME_BY_CAUSE: Record<string, SurveyOutcome> = {
  USER_BUSY: 'busy',
  NO_ANSWER: 'no_answer',
  NO_USER_RESPONSE: 'no_answer',
  ALLOTTED_TIMEOUT: 'no_answer',
  CALL_REJECTED: 'rejected',
  ORIGINATOR_CANCEL: 'hung_up',
  NORMAL_CLEARING: 'hung_up', // answered and hung up before the survey app took the call
  NORMAL_TEMPORARY_FAILURE: 'unreachable',
  UNALLOCATED_NUMBER: 'unreachable',
  NO_ROUTE_DESTINATION: 'unreachable',
  SUBSCRIBER_ABSENT: 'unreachable',
  USER_NOT_REGISTERED: 'unreachable',
  NETWORK_OUT_OF_ORDER: 'unreachable',
  DESTINATION_OUT_OF_ORDER: 'unreachable',
  RECOVERY_ON_TIMER_EXPIRE: 'unreachable',
  INVALID_NUMBER_FORMAT: 'unreachable',
  MEDIA_TIMEOUT: 'unreachable',
};

/**
 * The BACKGROUND_JOB body of `bgapi originate`: "+OK <uuid>\n" on answer; "-ERR <CAUSE>\n"
 * for a call that failed; "-ERR INVALID_PROFILE", "-USAGE: …", gateway or command errors are
 * our configuration's fault, not the citizen's, and must not count as an attempt.
 */
export function mapOriginateResult(body: string): OriginateResult {
  const text = body.trim();
  const ok = /^\+OK ([0-9a-f-]{36})$/i.exec(text);
  if (ok) return { kind: 'answered', callId: ok[1] };
  const err = /^-ERR ([A-Z_]+)$/.exec(text);
  if (err && OUTCOME_BY_CAUSE[err[1]]) return { kind: 'failed', outcome: OUTCOME_BY_CAUSE[err[1]], cause: err[1] };
  return { kind: 'error', detail: text };
}
