// The supervisors' wallboard as numbers: plain data in, plain data out. The desk API
// loads the rows; the page draws them and the push hub tells it when to refresh.
import { Ticket, TicketEvent } from '../workflow/types';
import type { CallKpis } from '../ivr/call-kpis';
import type { AgentStateName } from '../ivr/telephony';
import { currentDeadline } from './deadlines';

export interface WallboardInput {
  now: Date;
  /** Tickets accepted since the start of the city's day. */
  acceptedToday: Ticket[];
  /** Tickets not closed (any status but closed and draft). */
  open: Ticket[];
  /** Return-visit events recorded today. */
  visitsToday: TicketEvent[];
  /** Queue entry times of calls waiting now. */
  waitingSince: string[];
  calls: CallKpis | null;
  agents: { agent: string; state: AgentStateName }[] | null;
  hotSpots: { eventType: string; town: string | null; count: number; baseline: number }[];
  /** Drafts waiting to be completed (after-hours messages …). */
  drafts?: number;
  /** Open return visits due now or on the manual list. */
  visitsDue?: number;
}

export interface Wallboard {
  at: string;
  telephony: boolean;
  callsWaiting: number;
  longestWaitMs: number | null;
  calls: CallKpis | null;
  agentsByState: Record<string, number>;
  intakeByChannel: Record<string, number>;
  intakeByKind: Record<string, number>;
  intakeTotal: number;
  /** Per lead unit: tickets in warning and breached now. */
  deadlinesByUnit: { unit: string; warning: number; breach: number }[];
  emergenciesAwaitingFeedback: { id: number; number: string; leadUnit: string | null; feedbackDueAt: string | null }[];
  escalations: { id: number; number: string; level: number; leadUnit: string | null }[];
  returnVisitsToday: Record<string, number>;
  /** 在办 per unit: tickets with the unit now (dispatched, acknowledged, supervised). */
  inProgressByUnit: { unit: string; count: number }[];
  pending: { returned: number; extensionRequests: number; unsatisfied: number; awaitingReview: number; notDispatched: number; drafts: number; visitsDue: number };
  hotSpots: WallboardInput['hotSpots'];
}

const inc = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

export function buildWallboard(i: WallboardInput): Wallboard {
  const now = i.now.getTime();
  const byChannel: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  for (const t of i.acceptedToday) {
    if (t.status === 'draft') continue;
    inc(byChannel, t.channel);
    inc(byKind, t.kind);
  }
  const units = new Map<string, { warning: number; breach: number }>();
  for (const t of i.open) {
    const d = currentDeadline(t, i.now);
    if (!d || d.level === 'ok' || !t.leadUnit) continue;
    const u = units.get(t.leadUnit) ?? { warning: 0, breach: 0 };
    u[d.level]++;
    units.set(t.leadUnit, u);
  }
  const inProgress = new Map<string, number>();
  for (const t of i.open) {
    if (t.leadUnit && (t.status === 'dispatched' || t.status === 'acknowledged' || t.status === 'supervised')) inProgress.set(t.leadUnit, (inProgress.get(t.leadUnit) ?? 0) + 1);
  }
  const agentsByState: Record<string, number> = {};
  for (const a of i.agents ?? []) inc(agentsByState, a.state);
  const visits: Record<string, number> = {};
  for (const e of i.visitsToday) inc(visits, String(e.data.outcome ?? 'unknown'));
  const waits = i.waitingSince.map((s) => now - Date.parse(s)).filter((w) => Number.isFinite(w));
  return {
    at: i.now.toISOString(),
    telephony: i.agents !== null,
    callsWaiting: waits.length,
    longestWaitMs: waits.length ? Math.max(...waits) : null,
    calls: i.calls,
    agentsByState,
    intakeByChannel: byChannel,
    intakeByKind: byKind,
    intakeTotal: Object.values(byKind).reduce((a, b) => a + b, 0),
    deadlinesByUnit: [...units].map(([unit, c]) => ({ unit, ...c })).sort((a, b) => b.breach - a.breach || b.warning - a.warning),
    emergenciesAwaitingFeedback: i.open
      .filter((t) => t.urgency === 'emergency' && !t.feedbackAt && ['dispatched', 'acknowledged'].includes(t.status))
      .map((t) => ({ id: t.id, number: t.number, leadUnit: t.leadUnit, feedbackDueAt: t.feedbackDueAt })),
    escalations: i.open.filter((t) => t.escalationLevel > 0).map((t) => ({ id: t.id, number: t.number, level: t.escalationLevel, leadUnit: t.leadUnit })),
    returnVisitsToday: visits,
    inProgressByUnit: [...inProgress].map(([unit, count]) => ({ unit, count })).sort((a, b) => b.count - a.count || a.unit.localeCompare(b.unit)),
    pending: {
      notDispatched: i.open.filter((t) => t.status === 'accepted').length,
      drafts: i.drafts ?? 0,
      visitsDue: i.visitsDue ?? 0,
      returned: i.open.filter((t) => t.status === 'returned').length,
      extensionRequests: i.open.filter((t) => t.extensionPending).length,
      unsatisfied: i.open.filter((t) => t.status === 'under_review').length,
      awaitingReview: i.open.filter((t) => t.status === 'replied').length,
    },
    hotSpots: i.hotSpots.slice(0, 10),
  };
}
