// Who receives which push, and what of it. Pure: the hub calls it for every connected
// person and every message, so a unit never receives another unit's ticket and a
// reporter's identity never leaves the server.
import { Ticket, TicketEvent, Role } from '../workflow/types';
import { canSee, viewFor } from '../workflow/visibility';
import { unitEventOf } from '../workflow/ticket-view';
import type { CallEvent } from '../ivr/telephony';
import type { HotlineEvents } from '../server/events';

export type PushMessage =
  | { type: 'ticket'; ticket: Ticket; events: TicketEvent[] }
  | { type: 'call'; call: CallEvent }
  | { type: 'alert'; alert: HotlineEvents['alert'] }
  | { type: 'transcript'; transcript: HotlineEvents['transcript'] };

export interface Recipient {
  id: number;
  role: Role;
  unit: string;
  /** The operator's agent name on the switch (users.extension). */
  extension: string | null;
}

const CENTER_WATCHERS: Role[] = ['supervisor', 'leader', 'admin'];

/** The call of a call event, if it names one. */
export function callIdOf(e: CallEvent): string | null {
  return 'callId' in e && typeof e.callId === 'string' ? e.callId : null;
}

/**
 * The message as this person may receive it, or null when it is not theirs.
 * `myCalls` holds the recent calls offered to this operator (an ended call, a transcript name no agent).
 */
export function pushFor(r: Recipient, m: PushMessage, myCalls: ReadonlySet<string> = new Set()): PushMessage | null {
  switch (m.type) {
    case 'ticket': {
      const actor = { id: r.id, role: r.role, unit: r.unit };
      if (!canSee(m.ticket, actor)) return null;
      if (r.role === 'unit_handler') {
        // Units get the ticket as they may see it and its new events as the ticket page shows them to a unit.
        const events = m.events.map((e) => unitEventOf(e, r.unit, m.ticket));
        return { type: 'ticket', ticket: viewFor(m.ticket, actor), events };
      }
      return m;
    }
    case 'call': {
      if (CENTER_WATCHERS.includes(r.role)) return m;
      if (r.role !== 'operator' || !r.extension) return null;
      const e = m.call;
      if ('agent' in e && e.agent === r.extension) return m;
      const id = callIdOf(e);
      if (id && myCalls.has(id)) return m;
      if (e.type === 'telephony_down' || e.type === 'telephony_up') return m;
      return null;
    }
    case 'alert':
      return r.role === 'operator' || CENTER_WATCHERS.includes(r.role) ? m : null;
    case 'transcript':
      // The caller's words: to the operator who took the call, and to supervisors.
      if (CENTER_WATCHERS.includes(r.role)) return m;
      return r.role === 'operator' && m.transcript.callId !== null && myCalls.has(m.transcript.callId) ? m : null;
  }
}
