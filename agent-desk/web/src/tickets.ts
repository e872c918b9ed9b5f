// Tickets as the desk shows them: the running deadline (the same rule as the unit's inbox
// on the server), emergencies first, the actions to offer.
import type { Ticket } from '../../../workflow/types';
import { currentDeadline, type DeadlineView } from '../../deadlines';
import { serverNow } from './clock';

export type { Ticket };
export type Row = Ticket & { statusLabel?: string; deadline?: DeadlineView | null };

export function deadlineOf(t: Ticket, now = serverNow()): DeadlineView | null {
  return currentDeadline(t, new Date(now));
}

/** Emergencies that are still open on top, then the given order. */
export function emergenciesFirst<T extends { urgency: string; status: string }>(items: T[]): T[] {
  const open = (t: T) => t.urgency === 'emergency' && t.status !== 'closed' && t.status !== 'resolved_at_intake';
  return [...items.filter(open), ...items.filter((t) => !open(t))];
}
