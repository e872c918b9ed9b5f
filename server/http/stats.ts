// Charts where supervisors look rather than read: the intake trend with the same days a year
// before, the distribution by category / town / kind / channel / event type / unit, the unit
// ranking, hot spots and hot words, the KPIs of any range. Days are city days; a range never
// goes past today.
import { Router } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { parseOrThrow } from '../../workflow/intake';
import { InvalidInput } from '../../workflow/errors';
import { dayNumberOf, dateOfDayNumber } from '../../workflow/calendar';
import { rangePeriod } from '../../workflow/bulletin';
import { CHANNEL_LABELS, KIND_LABELS } from '../../workflow/ticket-view';
import { requireRole } from './auth';
import { BulletinDeps, loadBulletinOf } from '../services/bulletins';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期须为 YYYY-MM-DD');
export const MAX_STATS_DAYS = 366;

/** Hour buckets ("2026-12-07T02") of intake (accepted) or closures between two instants. */
async function hourly(db: Knex, column: 'accepted_at' | 'closed_at', from: string, to: string): Promise<Array<{ h: string; n: number }>> {
  const rows = await db('tickets')
    .where(column, '>=', from).where(column, '<', to).whereNot('status', 'draft')
    .select(db.raw(`substr(${column}, 1, 13) as h`)).count({ n: '*' }).groupByRaw(`substr(${column}, 1, 13)`);
  return (rows as Array<Record<string, unknown>>).map((r) => ({ h: String(r.h), n: Number(r.n) }));
}

export function statsRoutes(d: BulletinDeps & { now: () => Date; unitName: (code: string | null) => string | null; categoryOf: (code: string) => string | null; typeName: (code: string) => string | null }): Router {
  const r = Router();
  const board = requireRole('supervisor', 'leader', 'admin');
  const cal = () => d.policy().calendar;
  const today = () => cal().localDate(d.now());
  const dayOf = (iso: string) => cal().localDate(new Date(iso));
  const startOf = (dayStr: string) => rangePeriod(dayStr, dayStr, d.timeZone).from;
  const shift = (dayStr: string, days: number) => dateOfDayNumber(dayNumberOf(dayStr)! + days);
  /** from/to (to defaults to today and is cut to today; from defaults to 29 days before to). */
  const range = (q: { from?: string; to?: string }, maxDays = MAX_STATS_DAYS) => {
    const t = today();
    const to = !q.to || q.to > t ? t : q.to;
    const from = q.from ?? shift(to, -29);
    const a = dayNumberOf(from);
    const b = dayNumberOf(to);
    if (a === null || b === null) throw new InvalidInput('日期无效', [{ field: a === null ? 'from' : 'to', message: '日期无效' }]);
    if (b < a) throw new InvalidInput('结束日期不能早于开始日期', [{ field: 'to', message: '早于开始日期' }]);
    if (b - a + 1 > maxDays) throw new InvalidInput(`一次最多统计 ${maxDays} 天`, [{ field: 'from', message: `超过 ${maxDays} 天` }]);
    return { from, to, fromIso: startOf(from), toIso: startOf(shift(to, 1)) };
  };
  const rangeQuery = z.object({ from: day.optional(), to: day.optional() }).strict();

  r.get('/stats/trend', board, async (req, res) => {
    const q = parseOrThrow(z.object({ days: z.enum(['7', '30', '90']).default('30'), to: day.optional() }).strict(), req.query, '查询条件');
    const t = today();
    const to = !q.to || q.to > t ? t : q.to;
    const { from, fromIso, toIso } = range({ from: shift(to, -(Number(q.days) - 1)), to });
    const days = Array.from({ length: Number(q.days) }, (_, i) => shift(from, i));
    const lastYear = (x: string) => `${Number(x.slice(0, 4)) - 1}${x.slice(4)}`;
    const lyFrom = startOf(lastYear(from).endsWith('02-29') ? shift(from, 1) : lastYear(from));
    const lyTo = startOf(lastYear(shift(to, 1)).endsWith('02-29') ? shift(to, 2) : lastYear(shift(to, 1)));
    const [intake, closed, ly] = await Promise.all([hourly(d.db, 'accepted_at', fromIso, toIso), hourly(d.db, 'closed_at', fromIso, toIso), hourly(d.db, 'accepted_at', lyFrom, lyTo)]);
    const perDay = (rows: Array<{ h: string; n: number }>) => {
      const m = new Map<string, number>();
      for (const x of rows) m.set(dayOf(`${x.h}:00:00.000Z`), (m.get(dayOf(`${x.h}:00:00.000Z`)) ?? 0) + x.n);
      return m;
    };
    const [a, c, l] = [perDay(intake), perDay(closed), perDay(ly)];
    const series = days.map((x) => ({ day: x, intake: a.get(x) ?? 0, closed: c.get(x) ?? 0, lastYear: l.get(lastYear(x)) ?? 0 }));
    const total = series.reduce((s, x) => s + x.intake, 0);
    const lastYearTotal = series.reduce((s, x) => s + x.lastYear, 0);
    res.json({ from, to, days: series, total, lastYearTotal, yoy: lastYearTotal > 0 ? total / lastYearTotal - 1 : null });
  });

  r.get('/stats/distribution', board, async (req, res) => {
    const q = parseOrThrow(rangeQuery.extend({ by: z.enum(['category', 'town', 'kind', 'channel', 'eventType', 'unit']) }).strict(), req.query, '查询条件');
    const { from, to, fromIso, toIso } = range(q);
    const column = { category: 'event_type', eventType: 'event_type', town: 'town', kind: 'kind', channel: 'channel', unit: 'lead_unit' }[q.by];
    const rows = (await d.db('tickets').where('accepted_at', '>=', fromIso).where('accepted_at', '<', toIso).whereNot('status', 'draft')
      .select(`${column} as k`).count({ n: '*' }).groupBy(column)) as Array<Record<string, unknown>>;
    const counts = new Map<string, number>();
    for (const row of rows) {
      const raw = row.k == null ? null : String(row.k);
      const key = q.by === 'category' ? (raw && d.categoryOf(raw)) || '未分类' : raw ?? '—';
      counts.set(key, (counts.get(key) ?? 0) + Number(row.n));
    }
    const total = [...counts.values()].reduce((s, n) => s + n, 0);
    const label = (k: string) =>
      q.by === 'kind' ? KIND_LABELS[k] ?? k : q.by === 'channel' ? CHANNEL_LABELS[k] ?? k : q.by === 'eventType' ? d.typeName(k) ?? (k === '—' ? '未分类' : k)
        : q.by === 'town' || q.by === 'unit' ? d.unitName(k === '—' ? null : k) ?? (q.by === 'town' ? '未识别' : '未派单') : k;
    const items = [...counts].sort((x, y) => y[1] - x[1]).map(([key, count]) => ({ key, label: label(key), count, share: total ? count / total : 0 }));
    res.json({ by: q.by, from, to, total, items });
  });

  const bulletinOf = async (q: { from?: string; to?: string }) => {
    const { from, to } = range(q, 92);
    return { from, to, b: await loadBulletinOf(d, rangePeriod(from, to, d.timeZone)) };
  };
  r.get('/stats/ranking', board, async (req, res) => {
    const { from, to, b } = await bulletinOf(parseOrThrow(rangeQuery, req.query, '查询条件'));
    res.json({ from, to, ranking: b.ranking.map((x) => ({ ...x, unitName: d.unitName(x.unit) })) });
  });
  r.get('/stats/hotspots', board, async (req, res) => {
    const { from, to, b } = await bulletinOf(parseOrThrow(rangeQuery, req.query, '查询条件'));
    res.json({ from, to, hotSpots: b.hotSpots.map((s) => ({ ...s, eventTypeName: d.typeName(s.eventType), townName: d.unitName(s.town) })), hotWords: b.hotWords });
  });
  r.get('/kpis', board, async (req, res) => {
    const { b } = await bulletinOf(parseOrThrow(rangeQuery, req.query, '查询条件'));
    res.json({ period: b.kpis.period, city: b.kpis.city, units: b.kpis.units.map((u) => ({ ...u, unitName: d.unitName(u.unit) })) });
  });
  return r;
}
