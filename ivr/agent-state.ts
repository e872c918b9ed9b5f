// Agent state: owned by the application, pushed to the switch, reconciled with it.
// Plain functions over plain data; the adapter does the I/O.
import { AgentState } from './telephony';

/** mod_callcenter's agent status for each application state. */
export function switchStatusFor(s: AgentState): 'Available' | 'On Break' | 'Logged Out' {
  switch (s.state) {
    case 'ready':
    case 'on_call': // the switch tracks the call itself ("In a queue call")
      return 'Available';
    case 'on_break':
    case 'wrap_up': // the app holds wrap-up itself, so the switch must not offer calls meanwhile
      return 'On Break';
    case 'logged_out':
      return 'Logged Out';
  }
}

export interface AgentRecord {
  agent: string;
  state: AgentState;
  /** ISO time the state was entered. */
  since: string;
  phoneRegistered: boolean | null;
}

export interface SwitchAgentView {
  status: string; // Available | On Break | Logged Out | Available (On Demand)
  state: string; // Waiting | Receiving | In a queue call | Idle
}

export interface ReconcileInput {
  record: AgentRecord;
  /** The switch's view of the agent, or null if the switch does not know it. */
  onSwitch: SwitchAgentView | null;
  /** Channel uuids that are alive on the switch right now. */
  liveCalls: ReadonlySet<string>;
  now: Date;
  wrapUpMaxMs: number;
}

export interface ReconcileAction {
  /** The state the application should now hold (if it changes). */
  newState?: AgentState;
  /** The status to push to the switch (if it differs). */
  pushStatus?: 'Available' | 'On Break' | 'Logged Out';
  /** The agent is missing on the switch and must be added. */
  addOnSwitch?: boolean;
  reason: string;
}

/**
 * One agent, one decision. The rules against stuck states:
 * - "on a call" whose call no longer exists on the switch → wrap-up (the hang-up event was lost);
 * - wrap-up longer than the limit → ready;
 * - a phone that is not registered cannot be "ready" or "on a call" → on break (phone offline);
 * - whatever the app holds is pushed when the switch's status differs.
 */
export function reconcileAgent(i: ReconcileInput): ReconcileAction | null {
  let s = i.record.state;
  let reason = '';
  if (s.state === 'on_call' && !i.liveCalls.has(s.callId)) {
    s = { state: 'wrap_up' };
    reason = 'call ended without an event';
  }
  if (s.state === 'wrap_up' && i.record.state.state === 'wrap_up') {
    const since = Date.parse(i.record.since);
    if (i.now.getTime() - since >= i.wrapUpMaxMs) {
      s = { state: 'ready' };
      reason = 'wrap-up time is over';
    }
  }
  if (i.record.phoneRegistered === false && (s.state === 'ready' || s.state === 'on_call')) {
    s = { state: 'on_break', reason: 'phone_offline' };
    reason = 'phone not registered';
  }
  const action: ReconcileAction = { reason };
  if (s !== i.record.state) action.newState = s;
  const want = switchStatusFor(s);
  if (!i.onSwitch) {
    if (want !== 'Logged Out') {
      action.addOnSwitch = true;
      action.pushStatus = want;
      action.reason ||= 'agent missing on the switch';
    }
  } else if (i.onSwitch.status !== want) {
    action.pushStatus = want;
    action.reason ||= `switch had ${i.onSwitch.status}`;
  }
  return action.newState || action.pushStatus || action.addOnSwitch ? action : null;
}

/** The rows of a `callcenter_config queue list …` table: a header row of column names, pipe-separated rows, then "+OK". */
function parseTable(body: string): Record<string, string>[] {
  const lines = body.split('\n').filter((l) => l && l !== '+OK');
  if (lines.length === 0) return [];
  const cols = lines[0].split('|');
  return lines.slice(1).map((l) => {
    const row = l.split('|');
    return Object.fromEntries(cols.map((c, i) => [c, row[i] ?? '']));
  });
}

/** mod_callcenter's own pauses after a failed offer, in seconds (absent from a list without those columns). */
export interface OfferDelays {
  reject: number;
  busy: number;
  noAnswer: number;
}

/** Parses `callcenter_config queue list agents <queue>`. */
export function parseAgentList(body: string): Map<string, SwitchAgentView & { contact: string; delays?: OfferDelays }> {
  const out = new Map<string, SwitchAgentView & { contact: string; delays?: OfferDelays }>();
  for (const r of parseTable(body)) {
    if (!r.name) continue;
    const v: SwitchAgentView & { contact: string; delays?: OfferDelays } = { status: r.status, state: r.state, contact: r.contact };
    if (r.reject_delay_time !== undefined) {
      v.delays = { reject: Number(r.reject_delay_time), busy: Number(r.busy_delay_time), noAnswer: Number(r.no_answer_delay_time) };
    }
    out.set(r.name, v);
  }
  return out;
}

export interface QueueMemberRow {
  session_uuid: string;
  cid_number: string;
  joined_epoch: string;
  bridge_epoch: string;
  serving_agent: string;
  /** Waiting | Trying | Answered | Abandoned */
  state: string;
}

/** Parses `callcenter_config queue list members <queue>` (columns as recorded from 1.10.12). */
export function parseMemberList(body: string): QueueMemberRow[] {
  return parseTable(body).map((r) => ({
    session_uuid: r.session_uuid ?? '', cid_number: r.cid_number ?? '', joined_epoch: r.joined_epoch ?? '0',
    bridge_epoch: r.bridge_epoch ?? '0', serving_agent: r.serving_agent ?? '', state: r.state ?? '',
  }));
}
