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

/** Parses `callcenter_config queue list agents <queue>`: pipe-separated rows, then "+OK". */
export function parseAgentList(body: string): Map<string, SwitchAgentView & { contact: string }> {
  const lines = body.split('\n').filter((l) => l && l !== '+OK');
  const out = new Map<string, SwitchAgentView & { contact: string }>();
  if (lines.length === 0) return out;
  const cols = lines[0].split('|');
  const at = (row: string[], name: string) => row[cols.indexOf(name)] ?? '';
  for (const l of lines.slice(1)) {
    const row = l.split('|');
    const name = at(row, 'name');
    if (name) out.set(name, { status: at(row, 'status'), state: at(row, 'state'), contact: at(row, 'contact') });
  }
  return out;
}
