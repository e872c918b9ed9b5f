// KPIs of the city and of each handling unit over a period, and the unit ranking
// the daily and weekly bulletins print: pure functions over tickets and their
// events. Every definition is stated here and in workflow/CLOCKS.md.
import { InvalidInput } from './errors';
import { Ticket, TicketEvent } from './types';

export interface KpiPeriod {
  /** Start, inclusive. */
  from: Date | string;
  /** End, exclusive. */
  to: Date | string;
}

export interface Kpis {
  /** Unit code, or null for the whole city. */
  unit: string | null;
  /** City: appeals accepted (ticket acceptedAt in the period). Unit: times it was made lead unit (dispatch, re-dispatch, or a supervision notice moving the ticket to it). */
  received: number;
  /** First dispatches ('dispatch' events); for a unit, those naming it lead unit. */
  dispatched: number;
  /** 'acknowledge' events (签收). */
  acknowledged: number;
  /** Of those, acknowledged by the acknowledge deadline of the dispatch they answer. */
  acknowledgedOnTime: number;
  /** acknowledgedOnTime ÷ acknowledged; null when nothing was acknowledged. */
  ackOnTimeRate: number | null;
  /** Tickets closed (closedAt in the period); a unit's are those it led at close. */
  closed: number;
  /** Of those, closed within the deadline: the reply the center accepted came by the deadline in force (extensions and supervision deadlines included); a ticket without a deadline (resolved at intake) counts as on time. */
  closedOnTime: number;
  /** 按时办结率 = closedOnTime ÷ closed; null when nothing was closed. */
  onTimeRate: number | null;
  /** Tickets closed in the period that had a return visit ÷ closed; null when nothing was closed. */
  returnVisitRate: number | null;
  /** Return-visit outcomes recorded in the period ('record_return_visit' events), by outcome. */
  returnVisits: number;
  satisfied: number;
  basicallySatisfied: number;
  unsatisfied: number;
  unreachable: number;
  /** 满意率 = (satisfied + basicallySatisfied) ÷ (satisfied + basicallySatisfied + unsatisfied); unreachable excluded; null when no citizen was reached. */
  satisfactionRate: number | null;
  /** 退单: returns to the center ('return' events), counted against the unit that returned. */
  returns: number;
  /** Returns the center overruled ('overrule_return'): the unit was wrong. */
  wrongfulReturns: number;
  /** Returns the center accepted by re-dispatching to another unit ('redispatch'). */
  justifiedReturns: number;
  /**
   * Time lost to justified returns, in hours: for each re-dispatch in the period, from when the
   * returning unit received the ticket to the re-dispatch (the new unit's clocks start afresh,
   * so this time is lost to the citizen). Counted against the unit that returned. Working hours
   * when computeKpis is given options.workingTime, else wall-clock hours.
   */
  hoursLostToReturns: number;
  /** Extensions approved ('approve_extension'). */
  extensions: number;
  /** Supervision notices (督办通知单, 'supervise' events). */
  supervisionNotices: number;
  /** Escalations to the city leaders ('escalate' events). */
  escalations: number;
}

export interface KpiReport {
  period: { from: string; to: string };
  city: Kpis;
  /** One row per unit that appears in the period (and per unit listed in options.units), by code. */
  units: Kpis[];
}

function emptyKpis(unit: string | null): Kpis {
  return {
    unit,
    received: 0,
    dispatched: 0,
    acknowledged: 0,
    acknowledgedOnTime: 0,
    ackOnTimeRate: null,
    closed: 0,
    closedOnTime: 0,
    onTimeRate: null,
    returnVisitRate: null,
    returnVisits: 0,
    satisfied: 0,
    basicallySatisfied: 0,
    unsatisfied: 0,
    unreachable: 0,
    satisfactionRate: null,
    returns: 0,
    wrongfulReturns: 0,
    justifiedReturns: 0,
    hoursLostToReturns: 0,
    extensions: 0,
    supervisionNotices: 0,
    escalations: 0,
  };
}

function instantMs(value: Date | string, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new InvalidInput(`统计区间的${field === 'from' ? '开始' : '结束'}时间无效`, [{ field, message: '不是有效的时间' }]);
  return ms;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

type Counter = Exclude<keyof Kpis, 'unit' | 'ackOnTimeRate' | 'onTimeRate' | 'returnVisitRate' | 'satisfactionRate'>;

/**
 * KPIs of the city and of each unit for [period.from, period.to). Pass the tickets
 * concerned and ALL their events (not only those of the period): who led a ticket
 * at the time of an event is read from the events before it.
 */
export interface KpiOptions {
  /** Units to list even when silent in the period. */
  units?: string[];
  /** Working time (ms) between two instants, e.g. (a, b) => calendar.workingTimeBetween(a, b); default wall clock. */
  workingTime?: (a: Date, b: Date) => number;
}

export function computeKpis(tickets: Ticket[], events: TicketEvent[], period: KpiPeriod, options: KpiOptions = {}): KpiReport {
  const elapsed = options.workingTime ?? ((a: Date, b: Date) => Math.max(0, b.getTime() - a.getTime()));
  const from = instantMs(period.from, 'from');
  const to = instantMs(period.to, 'to');
  if (to <= from) throw new InvalidInput('统计区间的结束时间须晚于开始时间', [{ field: 'to', message: '须晚于开始时间' }]);
  const inPeriod = (iso: string | null | undefined) => {
    if (!iso) return false;
    const t = Date.parse(iso);
    return t >= from && t < to;
  };

  const city = emptyKpis(null);
  const units = new Map<string, Kpis>();
  for (const u of options.units ?? []) units.set(u, emptyKpis(u));
  const rowOf = (unit: string) => {
    let r = units.get(unit);
    if (!r) units.set(unit, (r = emptyKpis(unit)));
    return r;
  };
  const count = (unit: string | null, field: Counter, n = 1) => {
    city[field] += n;
    if (unit) rowOf(unit)[field] += n;
  };

  const ticketsById = new Map(tickets.map((t) => [t.id, t]));
  const eventsByTicket = new Map<number, TicketEvent[]>();
  for (const e of events) {
    let list = eventsByTicket.get(e.ticketId);
    if (!list) eventsByTicket.set(e.ticketId, (list = []));
    list.push(e);
  }

  // Tickets: received (city), closed, closed on time, return-visit coverage.
  const closedVisited = new Map<Kpis, number>();
  const visited = new Set(events.filter((e) => e.action === 'record_return_visit').map((e) => e.ticketId));
  for (const t of tickets) {
    if (inPeriod(t.acceptedAt)) city.received++;
    if (t.status === 'closed' && inPeriod(t.closedAt)) {
      const unit = t.leadUnit;
      count(unit, 'closed');
      const doneAt = t.repliedAt ?? t.closedAt!;
      if (t.dueAt === null || Date.parse(doneAt) <= Date.parse(t.dueAt)) count(unit, 'closedOnTime');
      if (visited.has(t.id)) {
        closedVisited.set(city, (closedVisited.get(city) ?? 0) + 1);
        if (unit) closedVisited.set(rowOf(unit), (closedVisited.get(rowOf(unit)) ?? 0) + 1);
      }
    }
  }

  // Events, in order per ticket, tracking the lead unit and the acknowledge deadline in force.
  for (const [ticketId, list] of eventsByTicket) {
    const ticket = ticketsById.get(ticketId);
    list.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
    const lastDispatch = [...list].reverse().find((e) => e.action === 'dispatch' || e.action === 'redispatch');
    let lead: string | null = null;
    let heldSince: string | null = null; // when the current lead unit received the ticket
    let ackDueAt: string | null = null;
    for (const e of list) {
      const leadNow: string | null = lead ?? ticket?.leadUnit ?? null;
      const counted = inPeriod(e.createdAt);
      switch (e.action) {
        case 'dispatch':
        case 'redispatch': {
          const target: string | null = str(e.data.leadUnit);
          if (counted) {
            if (e.action === 'redispatch') {
              const previous = str(e.data.previousUnit) ?? leadNow;
              count(previous, 'justifiedReturns');
              if (heldSince) count(previous, 'hoursLostToReturns', elapsed(new Date(heldSince), new Date(e.createdAt)) / 3_600_000);
            }
            if (e.action === 'dispatch') count(target, 'dispatched');
            if (target) rowOf(target).received++;
          }
          lead = target ?? lead;
          heldSince = e.createdAt;
          ackDueAt = str(e.data.ackDueAt) ?? (e === lastDispatch ? (ticket?.ackDueAt ?? null) : null);
          break;
        }
        case 'acknowledge':
          if (counted) {
            const unit = e.actorUnit ?? leadNow;
            count(unit, 'acknowledged');
            if (ackDueAt !== null && Date.parse(e.createdAt) <= Date.parse(ackDueAt)) count(unit, 'acknowledgedOnTime');
          }
          break;
        case 'return':
          if (counted) count(e.actorUnit ?? str(e.data.unit) ?? leadNow, 'returns');
          break;
        case 'overrule_return':
          if (counted) count(str(e.data.unit) ?? leadNow, 'wrongfulReturns');
          break;
        case 'approve_extension':
          if (counted) count(leadNow, 'extensions');
          break;
        case 'supervise': {
          const target: string | null = str(e.data.leadUnit) ?? leadNow;
          if (counted) {
            count(target, 'supervisionNotices');
            if (target && target !== leadNow) rowOf(target).received++;
          }
          if (target !== leadNow) heldSince = e.createdAt;
          lead = target;
          break;
        }
        case 'escalate':
          if (counted) count(leadNow, 'escalations');
          break;
        case 'record_return_visit':
          if (counted) {
            const unit = lead ?? (ticket?.dispatchedAt ? ticket.leadUnit : null);
            count(unit, 'returnVisits');
            switch (e.data.outcome) {
              case 'satisfied':
                count(unit, 'satisfied');
                break;
              case 'basically_satisfied':
                count(unit, 'basicallySatisfied');
                break;
              case 'unsatisfied':
                count(unit, 'unsatisfied');
                break;
              case 'unreachable':
                count(unit, 'unreachable');
                break;
            }
          }
          break;
      }
    }
  }

  const finish = (k: Kpis) => {
    k.ackOnTimeRate = ratio(k.acknowledgedOnTime, k.acknowledged);
    k.onTimeRate = ratio(k.closedOnTime, k.closed);
    k.returnVisitRate = ratio(closedVisited.get(k) ?? 0, k.closed);
    k.hoursLostToReturns = Math.round(k.hoursLostToReturns * 100) / 100;
    k.satisfactionRate = ratio(k.satisfied + k.basicallySatisfied, k.satisfied + k.basicallySatisfied + k.unsatisfied);
    return k;
  };
  return {
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    city: finish(city),
    units: [...units.values()].map(finish).sort((a, b) => a.unit!.localeCompare(b.unit!)),
  };
}

// ---------------------------------------------------------------------------
// Ranking.

/** The weights of the ranking score; each applies to a rate between 0 and 1. */
export interface RankWeights {
  /** 按时办结率 */
  onTimeRate: number;
  /** 满意率 */
  satisfactionRate: number;
  /** 按时签收率 */
  ackOnTimeRate: number;
  /** 退单准确率 = 1 − wrongfulReturns ÷ received */
  returnAccuracy: number;
}

/** Satisfaction and on-time closure weigh most, as in the city's bulletins: 40 / 40 / 10 / 10. */
export const DEFAULT_RANK_WEIGHTS: RankWeights = { onTimeRate: 0.4, satisfactionRate: 0.4, ackOnTimeRate: 0.1, returnAccuracy: 0.1 };

export interface RankedUnit {
  /** 1 = best; units with equal scores share a rank. */
  rank: number;
  unit: string;
  /** 0–100, two decimals. */
  score: number;
  kpis: Kpis;
}

function returnAccuracy(k: Kpis): number | null {
  return k.received > 0 ? Math.max(0, 1 - k.wrongfulReturns / k.received) : null;
}

/**
 * The unit ranking: score = 100 × Σ wᵢ·rateᵢ ÷ Σ wᵢ over the rates that have data
 * (a rate without data — e.g. no return visit reached yet — is left out rather
 * than counted as 0). A unit with neither a closed ticket nor a reached return visit
 * in the period is not ranked. Higher is better;
 * equal scores share a rank; within a rank, by unit code.
 */
export function rankUnits(rows: Kpis[], weights: RankWeights = DEFAULT_RANK_WEIGHTS): RankedUnit[] {
  for (const [name, w] of Object.entries(weights)) {
    if (!(typeof w === 'number' && w >= 0 && Number.isFinite(w))) {
      throw new InvalidInput(`排名权重 ${name} 须为非负数`, [{ field: name, message: '须为非负数' }]);
    }
  }
  const scored: Array<{ unit: string; score: number; kpis: Kpis }> = [];
  for (const k of rows) {
    if (k.unit === null) continue;
    const parts: Array<[number, number | null]> = [
      [weights.onTimeRate, k.onTimeRate],
      [weights.satisfactionRate, k.satisfactionRate],
      [weights.ackOnTimeRate, k.ackOnTimeRate],
      [weights.returnAccuracy, returnAccuracy(k)],
    ];
    let sum = 0;
    let weight = 0;
    for (const [w, rate] of parts) {
      if (rate === null || w === 0) continue;
      sum += w * rate;
      weight += w;
    }
    // Ranked on handling and satisfaction: a unit with neither a closed ticket nor a reached citizen is not ranked.
    if (weight === 0 || (k.onTimeRate === null && k.satisfactionRate === null)) continue;
    scored.push({ unit: k.unit, score: Math.round((10000 * sum) / weight) / 100, kpis: k });
  }
  scored.sort((a, b) => b.score - a.score || a.unit.localeCompare(b.unit));
  return scored.map((s) => ({ rank: 1 + scored.filter((o) => o.score > s.score).length, ...s }));
}
