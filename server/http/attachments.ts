// Ticket attachments: upload (raw body with its content type) and download, for those who
// may see the ticket.
import express, { Router } from 'express';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { getAttachment, listAttachments, saveAttachment } from '../../storage/attachments';
import { idParam, parseOrThrow } from '../../workflow/intake';
import { InvalidInput, NotFound } from '../../workflow/errors';
import { actorOf, requireRole } from './auth';
import { Knex } from 'knex';

const TYPES: Record<string, string> = {
  'image/jpeg': 'photo', 'image/png': 'photo', 'image/webp': 'photo', 'application/pdf': 'document', 'audio/wav': 'audio', 'audio/mpeg': 'audio',
};
export const MAX_ATTACHMENT = '10mb';

const uploadQuery = z
  .object({ name: z.string().trim().min(1).max(200), stage: z.enum(['intake', 'before', 'after', 'reply']).default('intake') })
  .strict();

export function attachmentRoutes(d: { db: Knex; tickets: TicketService; dir: string; now: () => Date }): Router {
  const r = Router();
  const anyone = requireRole('operator', 'supervisor', 'unit_handler', 'leader', 'admin');
  const id = (v: unknown, what: string) => parseOrThrow(idParam, v, what);

  r.post('/tickets/:id/attachments', anyone, express.raw({ type: Object.keys(TYPES), limit: MAX_ATTACHMENT }), async (req, res) => {
    const ticketId = id(req.params.id, '工单编号');
    const q = parseOrThrow(uploadQuery, req.query, '附件参数');
    const type = (req.get('content-type') ?? '').split(';')[0].trim();
    if (!TYPES[type]) throw new InvalidInput(`不支持的附件类型「${type || '未说明'}」，可上传：${Object.keys(TYPES).join('、')}`);
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new InvalidInput('附件内容为空');
    await d.tickets.get(ticketId, actorOf(req)); // 404 when the actor may not see the ticket
    const a = await saveAttachment(d.db, d.dir, { ticketId, kind: TYPES[type], fileName: q.name, contentType: type, stage: q.stage, uploadedBy: actorOf(req).id, body: req.body, at: d.now().toISOString() });
    res.status(201).json({ attachment: a });
  });

  r.get('/tickets/:id/attachments', anyone, async (req, res) => {
    const ticketId = id(req.params.id, '工单编号');
    await d.tickets.get(ticketId, actorOf(req));
    res.json({ items: await listAttachments(d.db, ticketId) });
  });

  r.get('/tickets/:id/attachments/:aid', anyone, async (req, res) => {
    const ticketId = id(req.params.id, '工单编号');
    await d.tickets.get(ticketId, actorOf(req));
    const a = await getAttachment(d.db, ticketId, id(req.params.aid, '附件编号'));
    if (!a) throw new NotFound('附件不存在');
    if (!a.path) {
      // A link kept from Open311's media_url: only to a web address (never javascript:, data:, file: …).
      if (!a.url || !URL.canParse(a.url) || !['http:', 'https:'].includes(new URL(a.url).protocol)) throw new NotFound('附件地址无效');
      return void res.redirect(a.url);
    }
    res.setHeader('content-type', a.contentType);
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.fileName)}`);
    res.setHeader('x-content-type-options', 'nosniff');
    res.sendFile(a.path);
  });
  return r;
}
