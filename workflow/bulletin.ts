// The daily and weekly bulletins (民情快报 / 民情周报): what the center reports about a
// period — intake by channel, kind, category and town, the trend, the KPIs and the unit
// ranking. Pure: tickets and events in, numbers out. Hot words and hot spots come from
// routing and are added by the caller.
import { Ticket, TicketEvent } from './types';
import { computeKpis, rankUnits, KpiReport, RankedUnit } from './kpi';
import { dayNumberOf, dateOfDayNumber, fromLocal } from './calendar';
import { InvalidInput } from './errors';

export type BulletinKind = 'daily' | 'weekly' | 'range';

export interface BulletinPeriod { kind: BulletinKind; from: string; to: string; days: string[] }

/** The period of a bulletin: the city's day, or the Monday–Sunday week containing it. */
export function bulletinPeriod(kind: BulletinKind, day: string, timeZone: string): BulletinPeriod {
  const n = dayNumberOf(day);
  if (n === null) throw new InvalidInput(`日期「${day}」须为真实存在的 YYYY-MM-DD`);
  // Day number 0 (1970-01-01) was a Thursday: Monday is (n + 3) % 7 === 0.
  const first = kind === 'daily' ? n : n - ((n + 3) % 7);
  const count = kind === 'daily' ? 1 : 7;
  const days = Array.from({ length: count }, (_, i) => dateOfDayNumber(first + i));
  return {
    kind,
    from: fromLocal({ day: first, ms: 0 }, timeZone).toISOString(),
    to: fromLocal({ day: first + count, ms: 0 }, timeZone).toISOString(),
    days,
  };
}

/** Longest range a bulletin covers (its KPIs read every event of the period's tickets). */
export const MAX_RANGE_DAYS = 92;

/** The period of a range bulletin: the city days from `fromDay` to `toDay`, both included. */
export function rangePeriod(fromDay: string, toDay: string, timeZone: string): BulletinPeriod {
  const a = dayNumberOf(fromDay);
  const b = dayNumberOf(toDay);
  if (a === null) throw new InvalidInput(`开始日期「${fromDay}」须为真实存在的 YYYY-MM-DD`, [{ field: 'from', message: '日期无效' }]);
  if (b === null) throw new InvalidInput(`结束日期「${toDay}」须为真实存在的 YYYY-MM-DD`, [{ field: 'to', message: '日期无效' }]);
  if (b < a) throw new InvalidInput('结束日期不能早于开始日期', [{ field: 'to', message: '早于开始日期' }]);
  if (b - a + 1 > MAX_RANGE_DAYS) throw new InvalidInput(`一次最多统计 ${MAX_RANGE_DAYS} 天`, [{ field: 'from', message: `超过 ${MAX_RANGE_DAYS} 天` }]);
  return {
    kind: 'range',
    from: fromLocal({ day: a, ms: 0 }, timeZone).toISOString(),
    to: fromLocal({ day: b + 1, ms: 0 }, timeZone).toISOString(),
    days: Array.from({ length: b - a + 1 }, (_, i) => dateOfDayNumber(a + i)),
  };
}

export interface Bulletin {
  period: BulletinPeriod;
  intake: {
    total: number;
    byChannel: Record<string, number>;
    byKind: Record<string, number>;
    byCategory: Record<string, number>;
    byTown: Record<string, number>;
    /** Per day of the period (daily: one day), appeals accepted. */
    trend: Array<{ day: string; count: number }>;
  };
  kpis: KpiReport;
  ranking: RankedUnit[];
  unsatisfied: number;
  escalations: number;
  emergencies: number;
}

const inc = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

/**
 * Build a bulletin from the tickets concerned (accepted in the period, or with events in it)
 * and ALL their events. `categoryOf` names an event type's first-level category.
 */
export function buildBulletin(
  period: BulletinPeriod,
  tickets: Ticket[],
  events: TicketEvent[],
  o: {
    categoryOf: (eventType: string) => string | null; dayOf: (iso: string) => string; workingTime?: (a: Date, b: Date) => number; units?: string[];
    /** The city's today: days after it are not in the trend (a week in progress is not plotted with zeros ahead). */
    today?: string;
  },
): Bulletin {
  const accepted = tickets.filter((t) => t.status !== 'draft' && t.acceptedAt >= period.from && t.acceptedAt < period.to);
  const byChannel: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  const byCategory: Record<string, number> = {};
  const byTown: Record<string, number> = {};
  const perDay = new Map(period.days.filter((d) => !o.today || d <= o.today).map((d) => [d, 0]));
  for (const t of accepted) {
    inc(byChannel, t.channel);
    inc(byKind, t.kind);
    inc(byCategory, (t.eventType && o.categoryOf(t.eventType)) || '未分类');
    inc(byTown, t.town ?? '未识别');
    const d = o.dayOf(t.acceptedAt);
    if (perDay.has(d)) perDay.set(d, perDay.get(d)! + 1);
  }
  const inPeriod = events.filter((e) => e.createdAt >= period.from && e.createdAt < period.to);
  const kpis = computeKpis(tickets, events, { from: period.from, to: period.to }, { workingTime: o.workingTime, units: o.units });
  return {
    period,
    intake: { total: accepted.length, byChannel, byKind, byCategory, byTown, trend: [...perDay].map(([day, count]) => ({ day, count })) },
    kpis,
    ranking: rankUnits(kpis.units),
    unsatisfied: inPeriod.filter((e) => e.action === 'record_return_visit' && e.data.outcome === 'unsatisfied').length,
    escalations: inPeriod.filter((e) => e.action === 'escalate').length,
    emergencies: accepted.filter((t) => t.urgency === 'emergency').length,
  };
}
