// The supervision notice (督办通知单): a printable page made from the ticket and its
// latest supervision or escalation event.
import { Router } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { parseOrThrow } from '../../workflow/intake';
import { NotFound } from '../../workflow/errors';
import { formatInZone } from '../../workflow/calendar';
import { actorOf, requireRole } from './auth';
import { viewFor } from '../../workflow/visibility';

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const LEVELS = ['', '（已升级至分管市领导）', '（已升级至市主要领导）'];

export function noticeRoutes(d: { db: Knex; tickets: TicketService; timeZone: string; cityName: string }): Router {
  const r = Router();
  r.get('/tickets/:id/supervision-notice', requireRole('leader', 'supervisor', 'admin', 'unit_handler'), async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(z.coerce.number().int().min(1), req.params.id, '工单编号');
    const t = viewFor(await d.tickets.get(id, actor), actor);
    const events = await d.tickets.events(id, actor);
    const notice = [...events].reverse().find((e) => e.action === 'supervise' || e.action === 'escalate');
    if (!notice) throw new NotFound(`工单 ${t.number} 没有督办记录`);
    const issuer = notice.actorId ? await d.db('users').where({ id: notice.actorId }).first() : null;
    const units = new Map((await d.db('units').select('code', 'name')).map((u) => [u.code, u.name]));
    const visits = events.filter((e) => e.action === 'record_return_visit' && e.data.outcome === 'unsatisfied').length;
    const when = (iso: unknown) => (typeof iso === 'string' ? formatInZone(new Date(iso), d.timeZone).replace('T', ' ').slice(0, 16) : '');
    const dueAt = (notice.data.dueAt as string) ?? t.dueAt;
    const html = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>督办通知单 ${esc(t.number)}</title>
<style>
body{font-family:"Noto Serif CJK SC","Songti SC",serif;max-width:720px;margin:2em auto;color:#000}
h1{text-align:center;letter-spacing:.3em;font-size:26px}
.no{text-align:right}
table{width:100%;border-collapse:collapse}td,th{border:1px solid #000;padding:8px;vertical-align:top;text-align:left}
th{width:8em;background:#f4f4f4}.sign{margin-top:3em;text-align:right;line-height:2}
@media print{button{display:none}body{margin:0}}
</style></head><body>
<h1>督办通知单</h1>
<p class="no">第 ${esc(t.handlingRound)} 轮办理${esc(LEVELS[t.escalationLevel] ?? '')}　工单号：${esc(t.number)}</p>
<table>
<tr><th>承办单位</th><td>${esc(units.get(t.leadUnit ?? '') ?? t.leadUnit)}</td></tr>
<tr><th>受理时间</th><td>${esc(when(t.acceptedAt))}</td></tr>
<tr><th>诉求内容</th><td>${esc(t.content)}</td></tr>
<tr><th>事发地点</th><td>${esc(t.address ?? '')}</td></tr>
<tr><th>回访情况</th><td>群众不满意 ${esc(visits)} 次</td></tr>
<tr><th>督办事由</th><td>${esc(notice.reason)}</td></tr>
<tr><th>办结期限</th><td>${esc(when(dueAt))} 前办结并回复</td></tr>
</table>
<p>请承办单位接此通知后，与群众当面沟通，认真开展二次办理，在期限内将办理结果回复社会治理服务中心。</p>
<div class="sign">${esc(d.cityName)}社会治理服务中心<br>督办人：${esc(issuer?.display_name ?? '')}　${esc(when(notice.createdAt))}</div>
<button onclick="window.print()">打印</button>
</body></html>`;
    res.type('html').send(html);
  });
  return r;
}
