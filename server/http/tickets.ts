// The desk's JSON API for tickets: create, read, search, transitions.
import { Router } from 'express';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { APPEAL_KINDS, CHANNELS, TICKET_STATUSES } from '../../workflow/types';
import { parseOrThrow } from '../../workflow/intake';
import { allowedActions, STATUS_LABELS } from '../../workflow/lifecycle';
import { viewFor } from '../../workflow/visibility';
import { actorOf, requireRole } from './auth';

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)));

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), '不是有效的时间（ISO 8601）').transform((s) => new Date(s).toISOString());

export const ticketQuery = z
  .object({
    status: list(TICKET_STATUSES).optional(),
    unit: z.string().max(40).optional(),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    channel: list(CHANNELS).optional(),
    kind: list(APPEAL_KINDS).optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    phone: z.string().max(30).optional(),
    number: z.string().max(20).optional(),
    q: z.string().max(100).optional(),
    eventType: z.string().max(40).optional(),
    town: z.string().max(40).optional(),
    page: z.coerce.number().int().min(1).max(100000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const transitionBody = z
  .object({ action: z.string().min(1).max(40), reason: z.string().max(5000).optional().nullable(), input: z.record(z.string(), z.unknown()).optional() })
  .strict();

const idParam = z.coerce.number().int().min(1);

export function ticketRoutes(svc: TicketService): Router {
  const r = Router();
  r.use('/tickets', requireRole('operator', 'supervisor', 'unit_handler', 'leader', 'admin'));

  r.post('/tickets', requireRole('operator', 'supervisor', 'admin'), async (req, res) => {
    const actor = actorOf(req);
    const key = req.get('idempotency-key') || undefined;
    const { ticket, created } = await svc.create(req.body, actor, { idempotencyKey: key, scope: `user:${actor.id}` });
    res.status(created ? 201 : 200).location(`/api/tickets/${ticket.id}`).json({ ticket, created });
  });

  r.get('/tickets', async (req, res) => {
    const q = parseOrThrow(ticketQuery, req.query, '查询条件');
    const { page, pageSize, ...filter } = q;
    const actor = actorOf(req);
    const result = await svc.search(filter, page, pageSize, actor);
    res.json({ ...result, items: result.items.map((t) => viewFor(t, actor)) });
  });

  r.get('/tickets/by-number/:number', async (req, res) => {
    const actor = actorOf(req);
    const t = await svc.getByNumber(String(req.params.number), actor);
    res.json({ ticket: viewFor(t, actor), statusLabel: STATUS_LABELS[t.status], allowedActions: allowedActions(t, actor) });
  });

  r.get('/tickets/:id', async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const t = await svc.get(id, actor);
    const events = await svc.events(id, actor);
    res.json({ ticket: viewFor(t, actor), statusLabel: STATUS_LABELS[t.status], events, allowedActions: allowedActions(t, actor) });
  });

  r.post('/tickets/:id/transitions', async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const body = parseOrThrow(transitionBody, req.body, '操作');
    const { ticket, event } = await svc.transition(id, actor, body);
    res.json({ ticket: viewFor(ticket, actor), statusLabel: STATUS_LABELS[ticket.status], event, allowedActions: allowedActions(ticket, actor) });
  });
  return r;
}
