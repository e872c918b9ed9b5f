// The bulletins' numbers (GET /api/bulletins/daily|weekly?date=, /range?from=&to=) and the same
// as a workbook (…/daily.xlsx, …/weekly.xlsx, …/range.xlsx); a range never goes past today.
import { Router, Response } from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { parseOrThrow } from '../../workflow/intake';
import { bulletinPeriod, rangePeriod } from '../../workflow/bulletin';
import { CHANNEL_LABELS, KIND_LABELS } from '../../workflow/ticket-view';
import { requireRole } from './auth';
import { BulletinDeps, FullBulletin, loadBulletinOf } from '../services/bulletins';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期须为 YYYY-MM-DD');

export function bulletinRoutes(d: BulletinDeps & { now: () => Date; unitName: (code: string | null) => string | null }): Router {
  const r = Router();
  const board = requireRole('supervisor', 'leader', 'admin');
  const today = () => d.policy().calendar.localDate(d.now());

  const periodOf = (kind: string, query: unknown) => {
    if (kind === 'range') {
      const q = parseOrThrow(z.object({ from: day, to: day.optional() }).strict(), query, '统计区间');
      const to = !q.to || q.to > today() ? today() : q.to;
      return rangePeriod(q.from, to, d.timeZone);
    }
    const q = parseOrThrow(z.object({ date: day.default(today()) }).strict(), query, '日期');
    return bulletinPeriod(kind as 'daily' | 'weekly', q.date, d.timeZone);
  };

  r.get('/bulletins/:kind', board, async (req, res) => {
    const raw = String(req.params.kind);
    const xlsx = raw.endsWith('.xlsx');
    const kind = parseOrThrow(z.enum(['daily', 'weekly', 'range']), xlsx ? raw.slice(0, -5) : raw, '简报类型');
    const b = await loadBulletinOf(d, periodOf(kind, req.query));
    if (!xlsx) return void res.json(b);
    await sendWorkbook(res, b, today(), d.unitName, (code) => d.routing.eventType(code)?.name ?? code);
  });
  return r;
}

const KIND_TITLES = { daily: '民情快报', weekly: '民情周报', range: '民情统计' } as const;

/** `today`: the city's date — a running week's period and trend stop there, as on the desk (no future days). */
async function sendWorkbook(res: Response, b: FullBulletin, today: string, unitName: (c: string | null) => string | null, typeName: (code: string) => string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
  const sheet = (name: string, header: string[], rows: Array<Array<string | number>>) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.addRow(header).font = { bold: true };
    for (const row of rows) ws.addRow(row);
    ws.columns.forEach((c, i) => (c.width = Math.max(10, ...[header[i], ...rows.map((r) => String(r[i] ?? ''))].map((s) => String(s).length * 2))));
  };
  const last = b.period.days.at(-1)!;
  const end = last > today ? today : last;
  const period = `${b.period.days[0]} 至 ${end}${end < last ? '（截至今日）' : ''}`;
  const k = b.kpis.city;
  sheet('概况', ['项目', '数值'], [
    ['统计期间', period], ['受理诉求', b.intake.total], ['紧急事项', b.emergencies], ['办结', k.closed], ['按时办结率', pct(k.onTimeRate)], ['回访', k.returnVisits],
    ['满意率', pct(k.satisfactionRate)], ['不满意', b.unsatisfied], ['退单', k.returns], ['督办', k.supervisionNotices], ['升级', b.escalations],
  ]);
  const counts = (m: Record<string, number>, label: (k: string) => string) => Object.entries(m).sort((a, c) => c[1] - a[1]).map(([key, n]) => [label(key), n]);
  sheet('渠道', ['渠道', '受理量'], counts(b.intake.byChannel, (x) => CHANNEL_LABELS[x] ?? x));
  sheet('诉求类型', ['诉求类型', '受理量'], counts(b.intake.byKind, (x) => KIND_LABELS[x] ?? x));
  sheet('分类', ['分类', '受理量'], counts(b.intake.byCategory, (x) => x));
  sheet('镇街', ['镇街', '受理量'], counts(b.intake.byTown, (x) => unitName(x) ?? x));
  sheet('趋势', ['日期', '受理量'], b.intake.trend.filter((t) => t.day <= today).map((t) => [t.day, t.count]));
  sheet('单位排名', ['名次', '单位', '得分', '按时办结率', '满意率', '按时签收率', '办结', '退单', '被驳回退单', '因退单损失工时'], b.ranking.map((x) => [
    x.rank, unitName(x.unit) ?? x.unit, x.score, pct(x.kpis.onTimeRate), pct(x.kpis.satisfactionRate), pct(x.kpis.ackOnTimeRate), x.kpis.closed, x.kpis.returns, x.kpis.wrongfulReturns, x.kpis.hoursLostToReturns,
  ]));
  sheet('热词', ['热词', '次数'], b.hotWords.map((w) => [w.word, w.count]));
  sheet('热点', ['事项类型', '镇街', '近期', '基线'], b.hotSpots.map((s) => [typeName(s.eventType), unitName(s.town) ?? '未识别', s.count, s.baseline]));
  const name = `${KIND_TITLES[b.period.kind]}-${b.period.days[0]}${b.period.days.length > 1 ? `至${b.period.days.at(-1)}` : ''}.xlsx`;
  res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.setHeader('Content-Disposition', `attachment; filename="bulletin.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
  await wb.xlsx.write(res);
  res.end();
}
