// The desk's JSON API for tickets: create, read, search, transitions.
import { Router } from 'express';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { idParam, parseOrThrow } from '../../workflow/intake';
import { allowedActions, ruleFor, STATUS_LABELS } from '../../workflow/lifecycle';
import { InvalidInput } from '../../workflow/errors';
import { viewFor } from '../../workflow/visibility';
import { actorOf, requireRole } from './auth';

const transitionBody = z
  .object({ action: z.string().min(1).max(40), reason: z.string().max(5000).optional().nullable(), input: z.record(z.string(), z.unknown()).optional() })
  .strict();


export function ticketRoutes(svc: TicketService): Router {
  const r = Router();
  r.use('/tickets', requireRole('operator', 'supervisor', 'unit_handler', 'leader', 'admin'));

  r.post('/tickets', requireRole('operator', 'supervisor', 'admin'), async (req, res) => {
    const actor = actorOf(req);
    const key = req.get('idempotency-key') || undefined;
    const { ticket, created } = await svc.create(req.body, actor, { idempotencyKey: key, scope: `user:${actor.id}` });
    res.status(created ? 201 : 200).location(`/api/tickets/${ticket.id}`).json({ ticket, created });
  });

  r.post('/tickets/:id/transitions', async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const body = parseOrThrow(transitionBody, req.body, '操作');
    const rule = ruleFor(body.action);
    if (rule.internal) throw new InvalidInput(`「${rule.label}」由系统随其他操作记录，不能单独执行`, [{ field: 'action', message: '不能单独执行' }]);
    if (rule.ownRoute) throw new InvalidInput(`「${rule.label}」请使用 POST /api/tickets/${id}/${rule.ownRoute}`, [{ field: 'action', message: '有专门的接口' }]);
    const { ticket, event } = await svc.transition(id, actor, body);
    res.json({ ticket: viewFor(ticket, actor), statusLabel: STATUS_LABELS[ticket.status], event, allowedActions: allowedActions(ticket, actor) });
  });
  return r;
}
