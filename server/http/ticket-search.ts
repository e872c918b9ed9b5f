// The ticket search's query (GET /api/tickets and its export): parsed into a storage filter,
// with the limits on how often a user may search, and the audit of searches by a
// citizen's personal data.
import { Request, Response } from 'express';
import { Knex } from 'knex';
import { z } from 'zod';
import { APPEAL_KINDS, CHANNELS, TICKET_STATUSES, Ticket, URGENCY_CLASSES } from '../../workflow/types';
import { parseOrThrow } from '../../workflow/intake';
import { normalizePhone } from '../../workflow/phone';
import { InvalidInput } from '../../workflow/errors';
import { isoInstantText } from '../../workflow/instant';
import { Actor, STATUS_LABELS } from '../../workflow/lifecycle';
import { viewFor } from '../../workflow/visibility';
import { SORTS, TicketFilter, TicketSort } from '../../storage/tickets';
import { queryGrams, MIN_QUERY_CHARS } from '../../storage/search-text';
import { currentDeadline } from '../../agent-desk/deadlines';
import { PerUserRate, refuse } from './user-rate';

const TOO_MANY_SEARCHES = { code: 'too_many_searches', message: (s: number) => `查询过于频繁，请 ${s} 秒后再试` };

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .max(2000)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).max(50));
const codes = z
  .string()
  .max(2000)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().min(1).max(40)).max(200));

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const instantOrDay = isoInstantText('须为日期 YYYY-MM-DD 或 ISO 8601 时间（1970 到 2199 年间）');

export const ticketQuery = z
  .object({
    number: z.string().trim().regex(/^\d{8,20}$/, '须为工单编号或其前 8 位以上数字').optional(),
    q: z.string().trim().max(100).optional(),
    phone: z.string().max(30).optional(),
    name: z.string().trim().min(1).max(50).optional(),
    address: z.string().trim().max(100).optional(),
    status: list(TICKET_STATUSES).optional(),
    unit: codes.optional(),
    kind: list(APPEAL_KINDS).optional(),
    channel: list(CHANNELS).optional(),
    urgency: list(URGENCY_CLASSES).optional(),
    town: codes.optional(),
    eventType: codes.optional(),
    category: z.string().max(500).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).optional(),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    from: instantOrDay.optional(),
    to: instantOrDay.optional(),
    dateField: z.enum(['acceptedAt', 'closedAt', 'dueAt']).optional(),
    sort: z.enum(SORTS).default('-acceptedAt'),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
    format: z.enum(['xlsx', 'csv']).optional(),
  })
  .strict();

export interface ParsedSearch {
  filter: TicketFilter;
  sort: TicketSort;
  page: number;
  pageSize: number;
  /** The personal-data filters used (for the audit and the stricter limit), or null. */
  personal: { phone?: string; name?: string; address?: string } | null;
  format?: 'xlsx' | 'csv';
}

export interface SearchCatalogue {
  /** The event types of a first-level category (null: no such category). */
  eventTypesOf(category: string): string[] | null;
  /** The UTC instant of 00:00 of a city day. */
  dayStart(day: string): string;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86400_000).toISOString().slice(0, 10);

/** Query string → storage filter (every value checked; 400 naming the parameter in Chinese). */
export function parseSearch(query: unknown, cat: SearchCatalogue): ParsedSearch {
  const q = parseOrThrow(ticketQuery, query, '查询条件');
  const f: TicketFilter = {};
  const personal: NonNullable<ParsedSearch['personal']> = {};
  if (q.number) {
    if (q.number.length >= 12) f.number = q.number;
    else f.numberPrefix = q.number;
  }
  if (q.q) {
    const grams = queryGrams(q.q);
    if (!grams) throw new InvalidInput(`关键词须至少 ${MIN_QUERY_CHARS} 个字（标点和空格不算）`, [{ field: 'q', message: `至少 ${MIN_QUERY_CHARS} 个字` }]);
    f.text = grams;
  }
  if (q.phone !== undefined) {
    const p = normalizePhone(q.phone);
    if (!p.ok) throw new InvalidInput(`电话号码：${p.message}`, [{ field: 'phone', message: p.message }]);
    f.phone = personal.phone = p.normalized;
  }
  if (q.name) f.name = personal.name = q.name;
  if (q.address !== undefined) {
    const grams = queryGrams(q.address);
    if (!grams) throw new InvalidInput(`地址须至少 ${MIN_QUERY_CHARS} 个字`, [{ field: 'address', message: `至少 ${MIN_QUERY_CHARS} 个字` }]);
    f.addressText = grams;
    personal.address = q.address;
  }
  if (q.status?.length) f.status = q.status;
  if (q.unit?.length) f.units = q.unit;
  if (q.kind?.length) f.kind = q.kind;
  if (q.channel?.length) f.channel = q.channel;
  if (q.urgency?.length) f.urgency = q.urgency;
  if (q.town?.length) f.towns = q.town;
  const types = new Set(q.eventType ?? []);
  if (q.category?.length) {
    const inCategories = new Set<string>();
    for (const c of q.category) {
      const codes = cat.eventTypesOf(c);
      if (!codes) throw new InvalidInput(`没有这个事项分类：${c}`, [{ field: 'category', message: '不存在的分类' }]);
      codes.forEach((x) => inCategories.add(x));
    }
    // Both given: the types of the list that are in the categories.
    const chosen = types.size ? [...types].filter((t) => inCategories.has(t)) : [...inCategories];
    f.eventTypes = chosen.length ? chosen : ['-'];
  } else if (types.size) f.eventTypes = [...types];
  if (q.overdue !== undefined) f.overdue = q.overdue;
  if (q.from) f.from = DAY.test(q.from) ? cat.dayStart(q.from) : new Date(q.from).toISOString();
  if (q.to) f.to = DAY.test(q.to) ? cat.dayStart(nextDay(q.to)) : new Date(q.to).toISOString();
  if (f.from && f.to && f.to <= f.from) throw new InvalidInput('结束时间须晚于开始时间', [{ field: 'to', message: '须晚于开始时间' }]);
  if (q.dateField) f.dateField = q.dateField;
  return { filter: f, sort: q.sort, page: q.page, pageSize: q.pageSize, personal: Object.keys(personal).length ? personal : null, format: q.format };
}

/** A ticket in a list: as the actor may see it, with its status label, running deadline and whether it is overdue. */
export function listItem(t: Ticket, actor: Actor, now: Date) {
  return {
    ...viewFor(t, actor),
    statusLabel: STATUS_LABELS[t.status],
    deadline: currentDeadline(t, now),
    overdue: !!t.dueAt && t.status !== 'closed' && t.status !== 'merged' && Date.parse(t.dueAt) < now.getTime(),
  };
}

/** Searches a user may make per minute, and those by a citizen's personal data. */
export const SEARCH_LIMITS = { perMinute: 120, personalPerMinute: 30 };

/**
 * The search limits. General searches: counted per server in memory (a person at a desk
 * makes a few a minute). Personal-data searches: every one is first written to the audit
 * (personal_searches), then counted there — so every server counts the same, a restart
 * forgets none, and a burst sent at once is counted in order (reserve, then check).
 */
export class SearchLimits {
  private readonly general: PerUserRate;

  constructor(private readonly db: Knex, private readonly now: () => Date, private readonly limits = SEARCH_LIMITS) {
    this.general = new PerUserRate(limits.perMinute, TOO_MANY_SEARCHES);
  }

  async admit(req: Request, res: Response, actor: Actor, personal: Record<string, string> | null, route: string): Promise<void> {
    const at = this.now().getTime();
    const id = actor.id ?? 0;
    this.general.admit(res, id, at);
    if (!personal) return;
    const since = new Date(at - 60_000).toISOString();
    const [row] = await this.db('personal_searches')
      .insert({ user_id: id, role: actor.role, filters: JSON.stringify({ ...personal, route, address: req.ip ?? null }), at: new Date(at).toISOString() })
      .returning('id');
    const own = Number(typeof row === 'object' ? row.id : row);
    const [{ n }] = await this.db('personal_searches').where('user_id', id).where('at', '>', since).where('id', '<=', own).count({ n: '*' });
    if (Number(n) > this.limits.personalPerMinute) {
      const oldest = await this.db('personal_searches').where('user_id', id).where('at', '>', since).orderBy('id').first();
      refuse(res, Math.ceil((Date.parse(oldest?.at ?? since) + 60_000 - at) / 1000), TOO_MANY_SEARCHES);
    }
  }
}
