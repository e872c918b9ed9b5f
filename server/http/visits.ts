// The operators' manual return-visit list, and recording a visit made by hand.
import { Router } from 'express';
import { z } from 'zod';
import { VisitService } from '../services/visits';
import { idParam, parseOrThrow } from '../../workflow/intake';
import { actorOf, requireRole } from './auth';
import { VisitListItem } from '../../storage/visits';
import { STATUS_LABELS } from '../../workflow/lifecycle';
import { TicketStatus } from '../../workflow/types';

const manualBody = z
  .object({ outcome: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied', 'unreachable']), reason: z.string().max(2000).optional() })
  .strict();

export function visitRoutes(visits: VisitService, unitName: (code: string | null) => string | null = () => null): Router {
  const r = Router();
  const center = requireRole('operator', 'supervisor');
  const item = (v: VisitListItem) => ({
    ...v, statusLabel: STATUS_LABELS[v.status as TicketStatus] ?? v.status, unitName: unitName(v.leadUnit),
    reply: v.reply ? { ...v.reply, unitName: unitName(v.reply.unit) } : null,
  });
  r.get('/return-visits/manual', center, async (_req, res) => {
    res.json({ items: (await visits.manualList()).map(item) });
  });
  r.get('/return-visits/open', center, async (_req, res) => {
    res.json({ items: (await visits.openList()).map(item) });
  });
  r.post('/return-visits/:ticketId', center, async (req, res) => {
    const id = parseOrThrow(idParam, req.params.ticketId, '工单编号');
    const b = parseOrThrow(manualBody, req.body, '回访结果');
    const ticket = await visits.recordManual(id, actorOf(req), b.outcome, b.reason ?? null);
    res.json({ ticket });
  });
  return r;
}
