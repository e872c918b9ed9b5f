// The desk's reading of tickets: search (and its export), the ticket page (by id or
// number), the routing suggestion for a ticket to dispatch, merging duplicates (并案).
import { Router } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { TicketService } from '../services/tickets';
import { NoticeService } from '../services/notices';
import { loadTicketPage, returnsOf } from '../services/ticket-page';
import { parseOrThrow } from '../../workflow/intake';
import { Forbidden } from '../../workflow/errors';
import { mayUsePersonalData } from '../../workflow/visibility';
import { Actor } from '../../workflow/lifecycle';
import { listEvents } from '../../storage/tickets';
import type { RoutingPort } from '../hotline';
import { actorOf, requireRole } from './auth';
import { listItem, parseSearch, SearchCatalogue, SearchLimits } from './ticket-search';
import { suggestRate, suggestWithSameIssue } from './routing';
import type { PerUserRate } from './user-rate';
import { exportTickets } from './ticket-export';

export interface TicketViewDeps {
  db: Knex;
  tickets: TicketService;
  notices: NoticeService;
  routing: RoutingPort;
  now: () => Date;
  catalogue: SearchCatalogue;
  unitName: (code: string | null) => string | null;
  handlingUnits: () => string[];
  limits?: SearchLimits;
  /** The routing engine's per-user limit (shared with POST /routing/suggest). */
  routingRate?: PerUserRate;
}

const idParam = z.coerce.number().int().min(1).max(2 ** 31 - 1);
const mergeBody = z
  .object({ into: z.number().int().min(1).max(2 ** 31 - 1).optional(), intoNumber: z.string().trim().regex(/^\d{12,20}$/, '须为完整的工单编号').optional(), reason: z.string().trim().max(5000).optional() })
  .strict()
  .refine((b) => (b.into === undefined) !== (b.intoNumber === undefined), { message: '须给出主工单（into 或 intoNumber，二选一）', path: ['into'] });
const unmergeBody = z.object({ reason: z.string().max(5000).optional() }).strict();

export const PERSONAL_FORBIDDEN = '承办单位和领导不能按群众的姓名、电话、地址查询工单；请按工单编号、关键词或其他条件查询';

export function ticketViewRoutes(d: TicketViewDeps): Router {
  const r = Router();
  const anyone = requireRole('operator', 'supervisor', 'unit_handler', 'leader', 'admin');
  const center = requireRole('operator', 'supervisor');
  const limits = d.limits ?? new SearchLimits(d.db, d.now);
  const routingRate = d.routingRate ?? suggestRate();

  /** Parse, refuse personal-data filters outside the center before anything is counted, then apply the limits. */
  const admitSearch = async (req: Parameters<typeof actorOf>[0], res: any, route: string) => {
    const actor = actorOf(req);
    const parsed = parseSearch(req.query, d.catalogue);
    if (parsed.personal && !mayUsePersonalData(actor)) throw new Forbidden(PERSONAL_FORBIDDEN, 'personal_filter_forbidden');
    await limits.admit(req, res, actor, parsed.personal, route);
    return { actor, parsed };
  };

  r.get('/tickets', anyone, async (req, res) => {
    const { actor, parsed } = await admitSearch(req, res, 'search');
    if (parsed.format) return void res.redirect(307, `/api/tickets/export?${new URLSearchParams(req.query as Record<string, string>)}`);
    const result = await d.tickets.search(parsed.filter, parsed.page, parsed.pageSize, actor, parsed.sort);
    const now = d.now();
    res.json({ ...result, sort: parsed.sort, items: result.items.map((t) => listItem(t, actor, now)) });
  });

  r.get('/tickets/export', anyone, async (req, res) => {
    const { actor, parsed } = await admitSearch(req, res, 'export');
    await exportTickets({ ...d, res, actor, parsed });
  });

  const page = async (actor: Actor, t: Awaited<ReturnType<TicketService['get']>>) =>
    loadTicketPage({ db: d.db, notices: d.notices, now: d.now, unitName: d.unitName, handlingUnits: d.handlingUnits }, t, actor);

  r.get('/tickets/by-number/:number', anyone, async (req, res) => {
    const actor = actorOf(req);
    const number = parseOrThrow(z.string().regex(/^\d{1,20}$/, '须为数字的工单编号'), req.params.number, '工单编号');
    res.json(await page(actor, await d.tickets.getByNumber(number, actor)));
  });

  r.get('/tickets/:id', anyone, async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    res.json(await page(actor, await d.tickets.get(id, actor)));
  });

  // The suggestion for dispatching this ticket: never the units that returned it.
  r.get('/tickets/:id/routing', center, async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const t = await d.tickets.get(id, actor);
    routingRate.admit(res, actor.id ?? 0, d.now().getTime());
    const exclude = [...new Set(returnsOf(await listEvents(d.db, t.id)).map((x) => x.unit))];
    const { suggestion, sameIssue } = await suggestWithSameIssue(d, { title: t.title ?? undefined, text: t.content, address: t.address ?? undefined, eventType: t.eventType ?? undefined }, t.id);
    let leadUnit = suggestion.leadUnit && !exclude.includes(suggestion.leadUnit) ? suggestion.leadUnit : null;
    let coUnits = suggestion.coUnits;
    let note: string | null = null;
    if (!leadUnit && suggestion.leadUnit) {
      // The lead of the next suggested event type that did not return it.
      for (const e of suggestion.eventTypes.slice(1)) {
        try {
          const dec = d.routing.decide(e.code, t.town ?? suggestion.town, t.kind);
          if (dec.leadUnit && !exclude.includes(dec.leadUnit)) {
            leadUnit = dec.leadUnit;
            coUnits = dec.coUnits;
            note = `建议的${d.unitName(suggestion.leadUnit)}已退回本工单，改按「${e.name}」建议`;
            break;
          }
        } catch {
          /* a type the table cannot decide here: try the next */
        }
      }
      note ??= `建议的${d.unitName(suggestion.leadUnit)}已退回本工单，请另选承办单位`;
    }
    res.json({ ...suggestion, sameIssue, excludeUnits: exclude, leadUnit, coUnits: coUnits.filter((u) => !exclude.includes(u) && u !== leadUnit), note });
  });

  r.post('/tickets/:id/merge', center, async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const b = parseOrThrow(mergeBody, req.body, '并案');
    const { ticket, main } = await d.tickets.merge(id, actor, { into: b.into, intoNumber: b.intoNumber }, b.reason || null);
    const now = d.now();
    res.json({ ticket: listItem(ticket, actor, now), main: listItem(main, actor, now) });
  });

  r.post('/tickets/:id/unmerge', center, async (req, res) => {
    const actor = actorOf(req);
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const b = parseOrThrow(unmergeBody, req.body, '取消并案');
    const { ticket, main } = await d.tickets.unmerge(id, actor, b.reason ?? null);
    const now = d.now();
    res.json({ ticket: listItem(ticket, actor, now), main: main ? listItem(main, actor, now) : null });
  });
  return r;
}
