// The deadline a unit works against now, and how close it is: ok, warning (75 % of the
// time used, as the scheduler's alarms) or breach. Pure; the inbox colours by it.
import { Ticket } from '../workflow/types';

export type DeadlineLevel = 'ok' | 'warning' | 'breach';

export interface DeadlineView {
  /** Which clock: acknowledge (签收), emergency feedback (反馈), or close (办结). */
  clock: 'ack' | 'feedback' | 'close';
  dueAt: string;
  level: DeadlineLevel;
}

export const WARNING_SHARE = 0.75;

const HANDLING = new Set(['dispatched', 'acknowledged', 'supervised']);

function level(startIso: string, dueIso: string, now: number): DeadlineLevel {
  const start = Date.parse(startIso);
  const due = Date.parse(dueIso);
  if (now >= due) return 'breach';
  return now >= start + WARNING_SHARE * (due - start) ? 'warning' : 'ok';
}

/** The most pressing running deadline of a ticket at a unit, or null when none runs. */
export function currentDeadline(t: Ticket, now: Date): DeadlineView | null {
  if (!HANDLING.has(t.status) || !t.dispatchedAt) return null;
  const n = now.getTime();
  const start = t.dispatchedAt;
  if (t.status === 'dispatched' && t.ackDueAt) return { clock: 'ack', dueAt: t.ackDueAt, level: level(start, t.ackDueAt, n) };
  if (t.urgency === 'emergency' && !t.feedbackAt && t.feedbackDueAt) return { clock: 'feedback', dueAt: t.feedbackDueAt, level: level(start, t.feedbackDueAt, n) };
  if (t.dueAt) return { clock: 'close', dueAt: t.dueAt, level: level(start, t.dueAt, n) };
  return null;
}
