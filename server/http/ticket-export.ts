// A filtered ticket list as a workbook (.xlsx, streamed with exceljs) or CSV (UTF-8 with a
// BOM, so Excel opens it), masked as the caller's role requires, up to EXPORT_CAP rows.
// exceljs: the well-kept library for writing .xlsx from Node (a streaming writer, so a large
// list never sits in memory whole); SheetJS is no longer published on npm.
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import { Ticket } from '../../workflow/types';
import { Actor, STATUS_LABELS } from '../../workflow/lifecycle';
import { viewFor } from '../../workflow/visibility';
import { CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS_ZH, URGENCY_LABELS } from '../../workflow/ticket-view';
import { formatInZone } from '../../workflow/calendar';
import type { TicketService } from '../services/tickets';
import type { RoutingPort } from '../hotline';
import type { ParsedSearch } from './ticket-search';

export const EXPORT_CAP = 50_000;

const COLUMNS: Array<{ header: string; width: number }> = [
  { header: '工单编号', width: 15 }, { header: '受理时间', width: 17 }, { header: '渠道', width: 12 }, { header: '诉求类型', width: 8 },
  { header: '事项类型', width: 16 }, { header: '镇街', width: 12 }, { header: '紧急程度', width: 8 }, { header: '状态', width: 12 },
  { header: '牵头单位', width: 18 }, { header: '协办单位', width: 24 }, { header: '办结期限', width: 17 }, { header: '是否超期', width: 8 },
  { header: '标题', width: 20 }, { header: '诉求内容', width: 60 }, { header: '群众姓名', width: 10 }, { header: '联系电话', width: 14 },
  { header: '地址', width: 30 }, { header: '回访结果', width: 10 }, { header: '办结时间', width: 17 },
];

/** A spreadsheet cell must never run as a formula (CSV injection): text that starts like one is quoted. */
export const safeCell = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

export async function exportTickets(d: {
  res: Response; actor: Actor; parsed: ParsedSearch; tickets: TicketService; routing: RoutingPort; now: () => Date;
  unitName: (code: string | null) => string | null; timeZone?: string;
}): Promise<void> {
  const tz = d.timeZone ?? 'Asia/Shanghai';
  const when = (iso: string | null) => (iso ? formatInZone(new Date(iso), tz).replace('T', ' ').slice(0, 16) : '');
  const now = d.now();
  const row = (raw: Ticket): string[] => {
    const t = viewFor(raw, d.actor);
    const overdue = !!t.dueAt && t.status !== 'closed' && t.status !== 'merged' && Date.parse(t.dueAt) < now.getTime();
    return [
      t.number, when(t.acceptedAt), CHANNEL_LABELS[t.channel] ?? t.channel, KIND_LABELS[t.kind] ?? t.kind, t.eventType ? d.routing.eventType(t.eventType)?.name ?? t.eventType : '',
      t.town ? d.unitName(t.town) ?? t.town : '', URGENCY_LABELS[t.urgency] ?? t.urgency, STATUS_LABELS[t.status], t.leadUnit ? d.unitName(t.leadUnit) ?? t.leadUnit : '',
      t.coUnits.map((u) => d.unitName(u) ?? u).join('、'), when(t.dueAt), overdue ? '是' : '否', t.title ?? '', t.content, t.citizenName ?? '', t.citizenPhone ?? '',
      t.address ?? '', t.satisfaction ? OUTCOME_LABELS_ZH[t.satisfaction] ?? t.satisfaction : '', when(t.closedAt),
    ];
  };
  const stamp = formatInZone(now, tz).replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  const format = d.parsed.format ?? 'xlsx';
  const name = `工单导出-${stamp}.${format}`;
  d.res.setHeader('Content-Disposition', `attachment; filename="tickets-${stamp}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  d.res.setHeader('Cache-Control', 'no-store');
  // Whether the list goes past the cap is known before the first byte (a header cannot follow the body).
  if (await d.tickets.matchesMoreThan(d.parsed.filter, d.actor, EXPORT_CAP)) d.res.setHeader('X-Export-Truncated', 'true');
  if (format === 'csv') {
    d.res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    d.res.write('\ufeff' + COLUMNS.map((c) => c.header).join(',') + '\r\n');
    await d.tickets.eachMatch(d.parsed.filter, d.actor, d.parsed.sort, EXPORT_CAP, async (chunk) => {
      const text = chunk.map((t) => row(t).map((v) => `"${safeCell(v).replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
      if (!d.res.write(text)) await new Promise((r) => d.res.once('drain', r));
    });
    d.res.end();
    return;
  }
  d.res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: d.res, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('工单', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  await d.tickets.eachMatch(d.parsed.filter, d.actor, d.parsed.sort, EXPORT_CAP, async (chunk) => {
    for (const t of chunk) ws.addRow(row(t)).commit();
  });
  ws.commit();
  await wb.commit();
}
