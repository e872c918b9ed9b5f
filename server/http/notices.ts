// The supervision notice (督办通知单) as a document: list, read (the unit's first reading is
// recorded), print (A4, the center's header), and the unit's receipt (回执).
import { allowInlineScript } from './security-headers';
import { Router } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { NoticeService } from '../services/notices';
import { parseOrThrow } from '../../workflow/intake';
import { NotFound } from '../../workflow/errors';
import { formatInZone } from '../../workflow/calendar';
import { viewFor } from '../../workflow/visibility';
import { actorOf, requireRole } from './auth';

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LEVELS = ['分管市领导督办', '已升级至分管市领导', '已升级至市主要领导'];
const idParam = z.coerce.number().int().min(1).max(2 ** 31 - 1);
const listQuery = z
  .object({
    signed: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    unit: z.string().max(40).optional(),
    year: z.coerce.number().int().min(2000).max(2100).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
const signBody = z.object({ note: z.string().trim().max(500).optional() }).strict();

export function noticeRoutes(d: { db: Knex; tickets: TicketService; notices: NoticeService; timeZone: string; cityName: string }): Router {
  const r = Router();
  const readers = requireRole('leader', 'supervisor', 'admin', 'unit_handler');
  const when = (iso: string | null | undefined) => (iso ? formatInZone(new Date(iso), d.timeZone).replace('T', ' ').slice(0, 16) : '');

  r.get('/notices', readers, async (req, res) => {
    const q = parseOrThrow(listQuery, req.query, '查询条件');
    const { items, total } = await d.notices.list(actorOf(req), { unit: q.unit, signed: q.signed, year: q.year }, q.page, q.pageSize);
    res.json({ items: await Promise.all(items.map((n) => d.notices.full(n))), total, page: q.page, pageSize: q.pageSize });
  });

  r.get('/notices/:id', readers, async (req, res) => {
    const actor = actorOf(req);
    const n = await d.notices.get(parseOrThrow(idParam, req.params.id, '通知单编号'), actor);
    const t = await d.tickets.get(n.ticketId, { ...actor, role: actor.role === 'unit_handler' ? 'supervisor' : actor.role });
    res.json({ notice: await d.notices.full(n), ticket: viewFor(t, actor) });
  });

  r.post('/notices/:id/sign', requireRole('unit_handler'), async (req, res) => {
    const b = parseOrThrow(signBody, req.body, '签收');
    const n = await d.notices.sign(parseOrThrow(idParam, req.params.id, '通知单编号'), actorOf(req), b.note || null);
    res.json({ notice: await d.notices.full(n) });
  });

  r.get('/notices/:id/print', readers, async (req, res) => {
    const actor = actorOf(req);
    const n = await d.notices.full(await d.notices.get(parseOrThrow(idParam, req.params.id, '通知单编号'), actor));
    // The unit reads the notice of its own unit even if the ticket has since moved on to another unit.
    const t = viewFor(await d.tickets.get(n.ticketId, { ...actor, role: actor.role === 'unit_handler' ? 'supervisor' : actor.role }), actor);
    const unsatisfied = (await d.db('return_visits').where({ ticket_id: t.id, outcome: 'unsatisfied' }).orderBy('id')).map((v) => v.reason).filter(Boolean);
    const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>督办通知单 ${esc(n.docNumber)}</title>
<style>
@page{size:A4;margin:20mm 18mm}
body{font-family:"Noto Serif CJK SC","Source Han Serif SC","Songti SC",serif;max-width:174mm;margin:0 auto;color:#000;font-size:14pt;line-height:1.6}
.head{text-align:center;color:#c00;font-size:22pt;letter-spacing:.15em;font-weight:bold;border-bottom:2px solid #c00;padding-bottom:4mm;margin-bottom:2mm}
h1{text-align:center;letter-spacing:.4em;font-size:20pt;margin:6mm 0 2mm}
.no{text-align:center;margin:0 0 5mm}
table{width:100%;border-collapse:collapse}td,th{border:1px solid #000;padding:2mm 3mm;vertical-align:top;text-align:left;font-size:12pt}
th{width:26mm;font-weight:normal;background:#f2f2f2}
.sign{margin-top:8mm;text-align:right;line-height:2}
.receipt{margin-top:10mm;border-top:1px dashed #000;padding-top:4mm}
@media print{.noprint{display:none}body{margin:0}}
</style></head><body>
<div class="head">${esc(d.cityName)}社会治理服务中心</div>
<h1>督办通知单</h1>
<p class="no">${esc(n.docNumber)}</p>
<table>
<tr><th>承办单位</th><td>${esc(n.unitName ?? n.unit)}</td></tr>
<tr><th>工单编号</th><td>${esc(t.number)}（第 ${esc(n.round)} 轮办理，${esc(LEVELS[n.level] ?? '')}）</td></tr>
<tr><th>受理时间</th><td>${esc(when(t.acceptedAt))}</td></tr>
<tr><th>诉求内容</th><td>${esc(t.content)}</td></tr>
<tr><th>事发地点</th><td>${esc(t.address ?? '')}</td></tr>
<tr><th>回访情况</th><td>群众不满意 ${esc(unsatisfied.length || 1)} 次${unsatisfied.length && t.kind !== 'report' ? `：${unsatisfied.map(esc).join('；')}` : ''}</td></tr>
<tr><th>督办事由</th><td>${esc(n.reason)}</td></tr>
<tr><th>办结期限</th><td>${esc(when(n.dueAt))} 前办结并回复</td></tr>
</table>
<p>请承办单位接此通知后，与群众当面沟通，认真开展二次办理，在期限内将办理结果回复社会治理服务中心。</p>
<div class="sign">${esc(d.cityName)}社会治理服务中心<br>督办人：${esc(n.issuedBy?.name ?? '')}　${esc(when(n.issuedAt))}</div>
<div class="receipt"><strong>回执</strong>　${n.signedAt ? `${esc(n.unitName ?? n.unit)} ${esc(n.signedBy?.name ?? '')} 已于 ${esc(when(n.signedAt))} 签收${n.signNote ? `（${esc(n.signNote)}）` : ''}` : '承办单位尚未签收'}</div>
<p class="noprint"><button id="print">打印 / 另存为 PDF</button></p>
<script nonce="${allowInlineScript(res)}">document.getElementById('print').addEventListener('click', () => window.print());</script>
</body></html>`;
    res.type('html').send(html);
  });

  // The old link of the ticket: the latest notice's printable page.
  r.get('/tickets/:id/supervision-notice', readers, async (req, res) => {
    const actor = actorOf(req);
    const t = await d.tickets.get(parseOrThrow(idParam, req.params.id, '工单编号'), actor);
    const list = (await d.notices.byTicket([t.id])).get(t.id) ?? [];
    const mine = actor.role === 'unit_handler' ? list.filter((x) => x.unit === actor.unit) : list;
    if (!mine.length) throw new NotFound(`工单 ${t.number} 没有督办通知单`);
    res.redirect(302, mine[mine.length - 1].printUrl);
  });
  return r;
}
