// POST /api/routing/suggest: the routing suggestion for what the operator has typed so
// far, with open tickets that may be the same issue (并案). POST /api/routing/corrections:
// the operator chose another event type than suggested; the next training run learns it.
import { Router } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { findSameIssue } from '../../routing';
import type { RoutingPort } from '../hotline';
import { idParam, parseOrThrow } from '../../workflow/intake';
import { InvalidInput } from '../../workflow/errors';
import { actorOf, requireRole } from './auth';
import { ticketFromRow } from '../../storage/tickets';
import { PerUserRate } from './user-rate';

const SAME_ISSUE_DAYS = 3;

/** Routing suggestions one user may ask for per minute, per server (config DESK_SUGGEST_PER_MINUTE). */
export const SUGGEST_PER_MINUTE = 120;

/** The routing engine's limit, one per server, shared by its routes (the suggestion as typed, and a ticket's at dispatch). */
export const suggestRate = (perMinute = SUGGEST_PER_MINUTE) =>
  new PerUserRate(perMinute, { code: 'too_many_suggestions', message: (s) => `路由建议请求过于频繁，请 ${s} 秒后再试` });

const suggestBody = z
  .object({
    title: z.string().max(200).optional(),
    text: z.string().max(20_000),
    address: z.string().max(300).optional(),
    eventType: z.string().max(40).optional(),
  })
  .strict();

const correctionBody = z
  .object({
    ticketId: idParam.optional(),
    title: z.string().max(200).optional(),
    text: z.string().min(1).max(20_000),
    suggestedCode: z.string().max(40).nullable().optional(),
    chosenCode: z.string().min(1).max(40),
  })
  .strict();

/** The routing suggestion for a text, with the open tickets of the last days that may be the same issue (`excludeId`: the ticket itself). */
export async function suggestWithSameIssue(
  d: { db: Knex; routing: RoutingPort; now: () => Date },
  b: { title?: string; text: string; address?: string; eventType?: string },
  excludeId?: number,
) {
  const suggestion = d.routing.suggest({ title: b.title, text: b.text, address: b.address });
  const now = d.now();
  const since = new Date(now.getTime() - SAME_ISSUE_DAYS * 86400_000).toISOString();
  const open = b.text.trim()
    ? (await d.db('tickets').whereNotIn('status', ['closed', 'draft', 'merged']).where('accepted_at', '>=', since).orderBy('id', 'desc').limit(500)).map(ticketFromRow)
    : [];
  const sameIssue = findSameIssue(
    { title: b.title, text: b.text, address: b.address ?? null, town: suggestion.town, eventType: b.eventType ?? suggestion.eventTypes[0]?.code ?? null },
    open.filter((t) => t.id !== excludeId).map((t) => ({ id: t.id, number: t.number, eventType: t.eventType, town: t.town, address: t.address, content: t.content, acceptedAt: t.acceptedAt })),
    { now: now.toISOString(), windowDays: SAME_ISSUE_DAYS },
  );
  return { suggestion, sameIssue };
}

export function routingRoutes(d: { db: Knex; routing: RoutingPort; now: () => Date; rate?: PerUserRate }): Router {
  const r = Router();
  const center = requireRole('operator', 'supervisor', 'leader', 'admin');
  const rate = d.rate ?? suggestRate();

  r.post('/routing/suggest', center, async (req, res) => {
    const b = parseOrThrow(suggestBody, req.body, '路由请求');
    rate.admit(res, actorOf(req).id ?? 0, d.now().getTime());
    const { suggestion, sameIssue } = await suggestWithSameIssue(d, b);
    res.json({ ...suggestion, sameIssue });
  });

  r.post('/routing/corrections', center, async (req, res) => {
    const b = parseOrThrow(correctionBody, req.body, '事项类型更正');
    const actor = actorOf(req);
    if (!d.routing.eventTypes().some((e) => e.code === b.chosenCode)) {
      throw new InvalidInput(`没有这个事项类型：${b.chosenCode}`, [{ field: 'chosenCode', message: '不存在的事项类型' }]);
    }
    await d.db('routing_corrections').insert({
      ticket_id: b.ticketId ?? null, title: b.title ?? null, text: b.text, suggested_code: b.suggestedCode ?? null,
      chosen_code: b.chosenCode, actor_id: actor.id, created_at: d.now().toISOString(),
    });
    res.status(201).json({ stored: true });
  });
  return r;
}
