// Asterisk AMI events (as asterisk-manager parses them: lowercased header names) →
// the switch-independent call events. Field names follow the recorded Asterisk 22
// sessions (../shared/ami-traces): Uniqueid/Linkedid, Cause, the app_queue events.
import { BoundedMap } from '../bounded-map';
import { AmiMessage, field } from './ami';
import { CallEvent, SurveyOutcome } from '../telephony';

/** The events the adapter reads; the AMI session is filtered to these. */
export const AMI_EVENTS = [
  'Newchannel', 'Hangup', 'OriginateResponse', 'UserEvent', 'DTMFEnd', 'Shutdown', 'FullyBooted',
  'QueueCallerJoin', 'QueueCallerAbandon', 'AgentCalled', 'AgentConnect', 'AgentComplete', 'AgentRingNoAnswer',
  'QueueMemberStatus', 'QueueMemberPause', 'QueueMemberAdded', 'QueueMemberRemoved',
] as const;

/** Q.850 cause codes as the FreeSWITCH side names them, so call rows read the same. */
const CAUSES: Record<string, string> = {
  '0': 'NONE', '1': 'UNALLOCATED_NUMBER', '16': 'NORMAL_CLEARING', '17': 'USER_BUSY', '18': 'NO_USER_RESPONSE',
  '19': 'NO_ANSWER', '21': 'CALL_REJECTED', '27': 'DESTINATION_OUT_OF_ORDER', '28': 'INVALID_NUMBER_FORMAT',
  '31': 'NORMAL_UNSPECIFIED', '34': 'NORMAL_CIRCUIT_CONGESTION', '38': 'NETWORK_OUT_OF_ORDER', '41': 'NORMAL_TEMPORARY_FAILURE',
};

export function hangupCauseName(cause: string): string {
  return CAUSES[cause] ?? (/^\d+$/.test(cause) ? `Q850_${cause}` : 'UNSPECIFIED');
}

/** `OriginateResponse` Reason (the last control frame) → survey outcome; 4 = answered. */
export function originateOutcome(reason: string): SurveyOutcome {
  switch (reason) {
    case '5':
      return 'busy';
    case '3':
      return 'no_answer';
    case '1':
      return 'rejected';
    default: // 0 failed / no such destination, 8 congestion
      return 'unreachable';
  }
}

const int = (s: string): number | null => (/^\d+$/.test(s) ? Number(s) : null);

export const SURVEY_OUTCOMES: Record<string, SurveyOutcome> = { '1': 'satisfied', '2': 'basically_satisfied', '3': 'unsatisfied' };

export interface SurveySignal {
  kind: 'result' | 'reason';
  callId: string;
  ticketId: number | null;
  attempt: number | null;
  digit: string | null;
  path: string | null;
}

/** A message the dialplan's fallback took while the app was away (UserEvent HotlineMessage, or AstDB hotline_message). */
export interface FallbackMessage {
  callId: string;
  caller: string;
  path: string;
  /** When the entry was written (AstDB), or null (live event). */
  at: string | null;
}

/** An AstDB entry `hotline_message/<uniqueid>` = `epoch|path|caller`. */
export function parseMessageEntry(key: string, val: string): FallbackMessage | null {
  const callId = key.split('/').pop() ?? '';
  const [epoch, path, ...caller] = val.split('|');
  if (!callId || !path || !/^\d+$/.test(epoch ?? '')) return null;
  return { callId, caller: caller.join('|'), path, at: new Date(Number(epoch) * 1000).toISOString() };
}

/** An AstDB entry `hotline_survey/<uniqueid>` = `digit|epoch|reason path` (digit '' = no key). */
export function parseSurveyEntry(key: string, val: string): (SurveySignal & { at: string }) | null {
  const callId = key.split('/').pop() ?? '';
  const [digit, epoch, path] = val.split('|');
  if (!callId || !/^\d+$/.test(epoch ?? '') || !/^[0-9*#]?$/.test(digit ?? '')) return null;
  return { kind: 'result', callId, ticketId: null, attempt: null, digit: digit || null, path: path || null, at: new Date(Number(epoch) * 1000).toISOString() };
}

export interface MemberSignal {
  kind: 'status' | 'pause' | 'added' | 'removed' | 'connect' | 'complete';
  iface: string;
  status: number | null;
  paused: boolean | null;
  callId: string | null;
}

export interface Mapped {
  events: CallEvent[];
  survey: SurveySignal | null;
  message: FallbackMessage | null;
  /** A caller the fallback could not record (UserEvent HotlineCallback, or AstDB hotline_callback): to be called back. */
  callback: { callId: string; caller: string; at: string | null } | null;
  member: MemberSignal | null;
  /** An operator's phone that was offered a caller and did not take the call, with why (a Q.850 name). */
  offerFailed: { agent: string; cause: string } | null;
  shutdown: boolean;
}

interface Tracked {
  caller: string;
  joinedAt: number | null;
  queue: string | null;
  channel: string;
}

export class AsteriskEventMapper {
  /** Calls the app follows, by Uniqueid. */
  readonly tracked = new Map<string, Tracked>();
  /** Phone legs of offers that failed, by their Uniqueid: the agent, until the leg's Hangup. */
  private ringing = new BoundedMap<string, string>(1000);

  constructor(
    private now: () => Date,
    private o: { inboundContext: string; agentOf: (iface: string) => string | null },
  ) {}

  /**
   * The last channels that hung up. AMI events and the AGI session reach the app over two
   * connections, so under load a caller's Hangup can be read before the AGI session of the
   * same call is handled: such a call is over and must not be followed again (it would wait for
   * a Hangup that already came, then be closed as LOST_WHILE_DISCONNECTED).
   */
  private recentlyEnded = new BoundedMap<string, true>(5000);

  hungUpLately(callId: string): boolean {
    return this.recentlyEnded.has(callId);
  }

  /**
   * Callers app_queue reported as abandoned, until their Hangup says they were. app_queue sends
   * `QueueCallerAbandon` for a caller who hangs up in the queue, and also for one whose wait ran
   * out (`record_abandoned` on QUEUE_TIMEOUT / LEAVEEMPTY, seen on Asterisk 22.10.1): that caller is
   * still there, offered a message or a call back, and is no abandoned call (no `abandoned` call-back
   * entry, no `abandoned_at`). The abandon is passed on at the caller's Hangup, unless the call went on
   * after the queue first (`queueLeftAlive`: the app's flow read QUEUESTATUS; the fallback's message).
   */
  private abandoned = new BoundedMap<string, Extract<CallEvent, { type: 'call_abandoned' }>>(1000);
  /** Calls whose flow went on after the queue, for an abandon event read after that (two connections). */
  private leftAlive = new BoundedMap<string, true>(1000);

  /** The caller left the queue alive (its wait ran out): an abandon reported for this queue visit is none. */
  queueLeftAlive(callId: string): void {
    this.abandoned.delete(callId);
    this.leftAlive.set(callId, true);
  }

  track(callId: string, caller: string, channel = ''): void {
    if (this.recentlyEnded.has(callId)) return;
    if (!this.tracked.has(callId)) this.tracked.set(callId, { caller, joinedAt: null, queue: null, channel });
  }

  channelOf(callId: string): string | null {
    return this.tracked.get(callId)?.channel || null;
  }

  map(e: AmiMessage): Mapped {
    const out: Mapped = { events: [], survey: null, message: null, callback: null, member: null, offerFailed: null, shutdown: false };
    const at = this.now().toISOString();
    const name = field(e, 'event');
    const uid = field(e, 'uniqueid');
    const t = uid ? this.tracked.get(uid) : undefined;
    switch (name) {
      case 'Newchannel': {
        // The first leg of a call that the dialplan sends into the hotline.
        if (field(e, 'context') === this.o.inboundContext && uid && uid === (field(e, 'linkedid') || uid) && !t) {
          const caller = field(e, 'calleridnum');
          this.tracked.set(uid, { caller, joinedAt: null, queue: null, channel: field(e, 'channel') });
          out.events.push({ type: 'call_started', at, callId: uid, direction: 'inbound', purpose: 'hotline', caller, callee: field(e, 'exten'), ticketId: null });
        } else if (t && !t.channel) t.channel = field(e, 'channel');
        break;
      }
      case 'Hangup': {
        // The phone's leg of an offer that failed (AgentRingNoAnswer came first): its cause says
        // whether the operator declined (21, 17) or let it ring out (app_queue hangs it up: 0, 16, 19).
        const ring = this.ringing.get(uid);
        if (ring) {
          this.ringing.delete(uid);
          const cause = field(e, 'cause');
          out.offerFailed = { agent: ring, cause: ['0', '16', '19', '18', ''].includes(cause) ? 'NO_ANSWER' : hangupCauseName(cause) };
        }
        const gaveUp = this.abandoned.get(uid);
        if (gaveUp) {
          this.abandoned.delete(uid);
          out.events.push(gaveUp);
        }
        this.leftAlive.delete(uid);
        if (t) {
          this.tracked.delete(uid);
          out.events.push({ type: 'call_ended', at, callId: uid, hangupCause: hangupCauseName(field(e, 'cause')) });
        }
        if (uid) this.recentlyEnded.set(uid, true);
        break;
      }
      case 'AgentRingNoAnswer': {
        // Sent for every offer that did not end in a connect (rung out, declined, busy): the phone's
        // leg hangs up right after, with the cause that tells which.
        const agent = this.o.agentOf(field(e, 'interface'));
        const leg = field(e, 'destuniqueid');
        if (agent && leg) {
          this.ringing.set(leg, agent);
        }
        break;
      }
      case 'DTMFEnd':
        if (t && field(e, 'direction') !== 'Sent' && /^[0-9*#A-D]$/.test(field(e, 'digit'))) {
          out.events.push({ type: 'dtmf', at, callId: uid, digit: field(e, 'digit') });
        }
        break;
      case 'QueueCallerJoin': {
        if (!uid) break;
        const caller = field(e, 'calleridnum');
        const tr = t ?? { caller, joinedAt: null, queue: null, channel: field(e, 'channel') };
        this.tracked.set(uid, { ...tr, joinedAt: this.now().getTime(), queue: field(e, 'queue') });
        out.events.push({ type: 'call_queued', at, callId: uid, caller: tr.caller || caller, queue: field(e, 'queue') });
        break;
      }
      case 'AgentCalled': {
        const agent = this.o.agentOf(field(e, 'interface'));
        if (!agent || !uid) break;
        const wait = t?.joinedAt != null ? this.now().getTime() - t.joinedAt : 0;
        out.events.push({ type: 'call_offered', at, callId: uid, caller: t?.caller || field(e, 'calleridnum'), agent, queue: field(e, 'queue'), queueWaitMs: Math.max(0, wait) });
        break;
      }
      case 'AgentConnect': {
        const agent = this.o.agentOf(field(e, 'interface'));
        const hold = int(field(e, 'holdtime'));
        if (agent && uid) {
          out.events.push({ type: 'call_answered', at, callId: uid, agent, queueWaitMs: hold === null ? null : hold * 1000 });
          out.member = { kind: 'connect', iface: field(e, 'interface'), status: null, paused: null, callId: uid };
        }
        break;
      }
      case 'AgentComplete':
        out.member = { kind: 'complete', iface: field(e, 'interface'), status: null, paused: null, callId: uid || null };
        break;
      case 'QueueCallerAbandon': {
        if (!uid) break;
        if (this.leftAlive.delete(uid)) break;
        const hold = int(field(e, 'holdtime')) ?? 0;
        this.abandoned.set(uid, { type: 'call_abandoned', at, callId: uid, caller: t?.caller ?? field(e, 'calleridnum'), queue: field(e, 'queue'), queueWaitMs: hold * 1000 });
        break;
      }
      case 'QueueMemberStatus':
      case 'QueueMemberPause':
      case 'QueueMemberAdded':
      case 'QueueMemberRemoved': {
        const kind = ({ QueueMemberStatus: 'status', QueueMemberPause: 'pause', QueueMemberAdded: 'added', QueueMemberRemoved: 'removed' } as const)[name];
        out.member = { kind, iface: field(e, 'interface'), status: int(field(e, 'status')), paused: field(e, 'paused') === '' ? null : field(e, 'paused') === '1', callId: null };
        break;
      }
      case 'UserEvent': {
        const u = field(e, 'userevent');
        if ((u === 'SurveyResult' || u === 'SurveyReason') && uid) {
          // Our dialplan sends Digit (empty when nothing was keyed); the traces' IVR only Result (none).
          const result = field(e, 'result');
          const digit = field(e, 'digit') || (result === 'none' ? '' : result);
          out.survey = {
            kind: u === 'SurveyResult' ? 'result' : 'reason', callId: uid, ticketId: int(field(e, 'ticketid')), attempt: int(field(e, 'attempt')),
            digit: digit === '' ? null : digit, path: field(e, 'path') || null,
          };
        }
        if (u === 'HotlineMessage' && uid && field(e, 'path')) out.message = { callId: uid, caller: field(e, 'caller'), path: field(e, 'path'), at: null };
        if (u === 'HotlineCallback' && uid) out.callback = { callId: uid, caller: field(e, 'caller'), at: null };
        // The fallback's message after a wait that ran out: the caller stayed, no abandon.
        if ((u === 'HotlineMessage' || u === 'HotlineCallback') && uid) this.abandoned.delete(uid);
        break;
      }
      case 'Shutdown':
        out.shutdown = true;
        break;
    }
    return out;
  }
}
