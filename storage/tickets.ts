// Queries of the tickets, ticket_events, ticket_counters and idempotency_keys tables.
// Rows in, plain domain objects out.
import { Knex } from 'knex';
import { Ticket, TicketEvent, TicketStatus } from '../workflow/types';
import { dbKind } from './db';
import { ftsMatch, pgTsquery, pgTsvector, searchDoc, SearchField } from './search-text';

type Row = Record<string, any>;

const bool = (v: unknown) => v === true || v === 1 || v === '1';
const json = <T>(v: unknown, fallback: T): T => (v == null || v === '' ? fallback : (JSON.parse(String(v)) as T));

export function ticketFromRow(r: Row): Ticket {
  return {
    id: Number(r.id),
    number: r.number,
    channel: r.channel,
    kind: r.kind,
    status: r.status,
    title: r.title ?? null,
    content: r.content,
    citizenName: r.citizen_name ?? null,
    citizenPhone: r.citizen_phone ?? null,
    anonymous: bool(r.anonymous),
    noCallback: bool(r.no_callback),
    address: r.address ?? null,
    town: r.town ?? null,
    lat: r.lat == null ? null : Number(r.lat),
    lng: r.lng == null ? null : Number(r.lng),
    eventType: r.event_type ?? null,
    urgency: r.urgency,
    leadUnit: r.lead_unit ?? null,
    coUnits: json<string[]>(r.co_units, []),
    firstUnit: r.first_unit ?? null,
    returnOverruled: bool(r.return_overruled),
    handlingRound: Number(r.handling_round),
    escalationLevel: Number(r.escalation_level),
    satisfaction: r.satisfaction ?? null,
    acceptedAt: r.accepted_at,
    dispatchedAt: r.dispatched_at ?? null,
    acknowledgedAt: r.acknowledged_at ?? null,
    ackDueAt: r.ack_due_at ?? null,
    feedbackDueAt: r.feedback_due_at ?? null,
    feedbackAt: r.feedback_at ?? null,
    dueAt: r.due_at ?? null,
    repliedAt: r.replied_at ?? null,
    closedAt: r.closed_at ?? null,
    extensionPending: json(r.extension_pending, null),
    callId: r.call_id ?? null,
    createdBy: r.created_by == null ? null : Number(r.created_by),
    updatedAt: r.updated_at,
    mergedInto: r.merged_into == null ? null : Number(r.merged_into),
  };
}

export function ticketToRow(t: Omit<Ticket, 'id'>): Row {
  return {
    number: t.number,
    channel: t.channel,
    kind: t.kind,
    status: t.status,
    title: t.title,
    content: t.content,
    citizen_name: t.citizenName,
    citizen_phone: t.citizenPhone,
    anonymous: t.anonymous,
    no_callback: t.noCallback,
    address: t.address,
    town: t.town,
    lat: t.lat,
    lng: t.lng,
    event_type: t.eventType,
    urgency: t.urgency,
    lead_unit: t.leadUnit,
    co_units: JSON.stringify(t.coUnits),
    first_unit: t.firstUnit,
    return_overruled: t.returnOverruled,
    handling_round: t.handlingRound,
    escalation_level: t.escalationLevel,
    satisfaction: t.satisfaction,
    accepted_at: t.acceptedAt,
    dispatched_at: t.dispatchedAt,
    acknowledged_at: t.acknowledgedAt,
    ack_due_at: t.ackDueAt,
    feedback_due_at: t.feedbackDueAt,
    feedback_at: t.feedbackAt,
    due_at: t.dueAt,
    replied_at: t.repliedAt,
    closed_at: t.closedAt,
    extension_pending: t.extensionPending ? JSON.stringify(t.extensionPending) : null,
    call_id: t.callId,
    created_by: t.createdBy,
    updated_at: t.updatedAt,
    merged_into: t.mergedInto,
  };
}

function eventFromRow(r: Row): TicketEvent {
  return {
    id: Number(r.id),
    ticketId: Number(r.ticket_id),
    action: r.action,
    fromStatus: r.from_status ?? null,
    toStatus: r.to_status,
    actorId: r.actor_id == null ? null : Number(r.actor_id),
    actorRole: r.actor_role,
    actorUnit: r.actor_unit ?? null,
    reason: r.reason ?? null,
    data: json(r.data, {}),
    createdAt: r.created_at,
  };
}

/** Next number of the day: YYYYMMDD + 4-digit sequence (more digits past 9,999). Unique under concurrency. */
export async function nextTicketNumber(trx: Knex.Transaction, day: string): Promise<string> {
  const res: any = await trx.raw(
    'insert into ticket_counters (day, value) values (?, 1) on conflict (day) do update set value = ticket_counters.value + 1 returning value',
    [day],
  );
  return `${day}${String(returnedRows(trx, res)[0].value).padStart(4, '0')}`;
}

/** Rows of a raw `insert … returning id` on either database. */
const returnedRows = (trx: Knex.Transaction, res: any): Row[] => (dbKind(trx) === 'postgres' ? res.rows : res);

// The intake's hot path: one prepared text per table rather than the query builder's
// work on every ticket (measured in bench:intake).
const ticketInsertSql = new Map<string, { sql: string; columns: string[] }>();

/** Insert a new ticket with its text index entry (and co-handling rows, if any). */
export async function insertTicket(trx: Knex.Transaction, t: Omit<Ticket, 'id'>): Promise<Ticket> {
  const row = ticketToRow(t);
  const kind = dbKind(trx);
  const doc = searchDoc(t);
  let prepared = ticketInsertSql.get(kind);
  if (!prepared) {
    const columns = Object.keys(row);
    // PostgreSQL keeps the text index in the row itself (search_tsv); SQLite in ticket_text.
    const values = columns.map(() => '?');
    const cols = kind === 'postgres' ? [...columns, 'search_tsv'] : columns;
    if (kind === 'postgres') values.push('?::tsvector');
    prepared = { columns, sql: `insert into tickets (${cols.join(', ')}) values (${values.join(', ')}) returning id` };
    ticketInsertSql.set(kind, prepared);
  }
  const params = prepared.columns.map((c) => row[c] ?? null);
  if (kind === 'postgres') params.push(pgTsvector(doc));
  const res = await trx.raw(prepared.sql, params);
  const id = Number(returnedRows(trx, res)[0].id);
  if (kind === 'sqlite') await trx.raw('insert into ticket_text (rowid, body, addr) values (?, ?, ?)', [id, doc.body, doc.addr]);
  if (t.coUnits.length) await trx('ticket_co_units').insert(t.coUnits.map((u) => ({ ticket_id: id, unit_code: u })));
  return { ...t, id };
}

/** Keep the text index and the co-handling rows in step with a changed ticket. */
async function updateIndexes(trx: Knex.Transaction, before: Ticket, after: Ticket): Promise<void> {
  if (before.title !== after.title || before.content !== after.content || before.address !== after.address) {
    const doc = searchDoc(after);
    if (dbKind(trx) === 'postgres') await trx.raw('update tickets set search_tsv = ?::tsvector where id = ?', [pgTsvector(doc), after.id]);
    else {
      await trx.raw('delete from ticket_text where rowid = ?', [after.id]);
      await trx.raw('insert into ticket_text (rowid, body, addr) values (?, ?, ?)', [after.id, doc.body, doc.addr]);
    }
  }
  if (JSON.stringify(before.coUnits) !== JSON.stringify(after.coUnits)) {
    await trx('ticket_co_units').where({ ticket_id: after.id }).delete();
    const units = [...new Set(after.coUnits)];
    if (units.length) await trx('ticket_co_units').insert(units.map((u) => ({ ticket_id: after.id, unit_code: u })));
  }
}

/** Write the ticket's changed state, guarded by the state it was read in. */
export async function updateTicket(trx: Knex.Transaction, before: Ticket, after: Ticket): Promise<void> {
  const row = ticketToRow(after);
  delete row.number;
  const n = await trx('tickets').where({ id: before.id, updated_at: before.updatedAt, status: before.status }).update(row);
  if (n !== 1) throw new Error(`ticket ${before.number} changed concurrently`);
  await updateIndexes(trx, before, after);
}

const EVENT_INSERT =
  'insert into ticket_events (ticket_id, action, from_status, to_status, actor_id, actor_role, actor_unit, reason, data, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id';

export async function insertEvent(trx: Knex.Transaction, e: Omit<TicketEvent, 'id'>): Promise<TicketEvent> {
  const data = e.data ?? {};
  const res = await trx.raw(EVENT_INSERT, [e.ticketId, e.action, e.fromStatus, e.toStatus, e.actorId, e.actorRole, e.actorUnit, e.reason, JSON.stringify(data), e.createdAt]);
  return { ...e, data, id: Number(returnedRows(trx, res)[0].id) };
}

/** Read a ticket inside a transaction, locking its row on PostgreSQL (SQLite serialises writers anyway). */
export async function getTicketForUpdate(trx: Knex.Transaction, id: number): Promise<Ticket | null> {
  const q = trx('tickets').where({ id });
  const row = dbKind(trx) === 'postgres' ? await q.forUpdate().first() : await q.first();
  return row ? ticketFromRow(row) : null;
}

export async function getTicket(db: Knex, id: number): Promise<Ticket | null> {
  const row = await db('tickets').where({ id }).first();
  return row ? ticketFromRow(row) : null;
}

export async function getTicketByNumber(db: Knex, number: string): Promise<Ticket | null> {
  const row = await db('tickets').where({ number }).first();
  return row ? ticketFromRow(row) : null;
}

/** Tickets merged into this one and still waiting for its outcome. */
export async function duplicateIds(db: Knex | Knex.Transaction, mainId: number): Promise<number[]> {
  return (await db('tickets').where({ merged_into: mainId, status: 'merged' }).orderBy('id').select('id')).map((r) => Number(r.id));
}

export async function listEvents(db: Knex, ticketId: number): Promise<TicketEvent[]> {
  return (await db('ticket_events').where({ ticket_id: ticketId }).orderBy('id')).map(eventFromRow);
}

export interface TicketFilter {
  status?: TicketStatus[];
  unit?: string; // lead unit
  units?: string[]; // lead units
  visibleToUnit?: string; // lead or co-handling unit (a unit handler's own tickets)
  overdue?: boolean;
  channel?: string[];
  kind?: string[];
  urgency?: string[];
  town?: string;
  towns?: string[];
  from?: string; // dateField >= (ISO)
  to?: string; // dateField < (ISO)
  dateField?: 'acceptedAt' | 'closedAt' | 'dueAt';
  phone?: string;
  /** The beginning of the citizen's name. */
  name?: string;
  number?: string;
  /** The first digits of the ticket number. */
  numberPrefix?: string;
  /** Pairs of the query in the title or content (storage/search-text.ts). */
  text?: string[];
  /** Pairs of the query in the address. */
  addressText?: string[];
  q?: string; // words in the title or content (substring scan; the search uses `text`)
  eventType?: string;
  eventTypes?: string[];
  mergedInto?: number;
  /** Leave reports out (personal-data filters outside the center, defence in depth). */
  excludeReports?: boolean;
  /** Led by this unit (a part of a unit's count). */
  leadOrNull?: string;
  /** Co-handled by this unit and not led by it (the other part). */
  coUnitOnly?: string;
  /** Primary-key bounds (the acceptance range as ids: see withIdRange). */
  idMin?: number;
  idMax?: number;
}

function textTerms(f: TicketFilter): Array<{ field: SearchField; grams: string[] }> {
  const terms: Array<{ field: SearchField; grams: string[] }> = [];
  if (f.text?.length) terms.push({ field: 'body', grams: f.text });
  if (f.addressText?.length) terms.push({ field: 'addr', grams: f.addressText });
  return terms;
}

/**
 * The FROM clause of a search. On SQLite a text search reads the text index first: CROSS JOIN
 * makes it the outer loop (the planner would otherwise walk a million tickets and probe the
 * index for each).
 */
export function ticketsFrom(db: Knex, f: TicketFilter, idsOnly = false): Knex.QueryBuilder {
  if (dbKind(db) === 'sqlite' && (f.text?.length || f.addressText?.length)) {
    // Only the ids wanted and only the lead unit or status filtered on (a unit's words): each
    // match checked in the narrow index by id (migration 123) rather than in its wide row.
    const narrow = idsOnly && onlyFilters(f, NARROW_FILTERS);
    return db.from(db.raw(`ticket_text cross join tickets${narrow ? ' indexed by tickets_id_lead_unit_status' : ''} on tickets.id = ticket_text.rowid`));
  }
  return db('tickets');
}

/** Filters answered from tickets_id_lead_unit_status (id, lead unit, status) and the co-handling rows. */
const NARROW_FILTERS = new Set(['text', 'addressText', 'visibleToUnit', 'unit', 'units', 'status', 'idMin', 'idMax']);
const TEXT_FILTERS = new Set(['text', 'addressText']);
const TEXT_AND_ID_FILTERS = new Set(['text', 'addressText', 'idMin', 'idMax']);

/** Whether `f` sets no filter outside `keys`. */
const onlyFilters = (f: TicketFilter, keys: ReadonlySet<string>): boolean => Object.entries(f).every(([k, v]) => v === undefined || keys.has(k));

/**
 * A ticket's id grows with its acceptance, so an acceptance range is also a range of ids: two
 * index probes turn it into bounds the primary key can be read between.
 */
async function withIdRange(db: Knex, f: TicketFilter): Promise<TicketFilter | null> {
  if ((f.dateField ?? 'acceptedAt') !== 'acceptedAt' || (!f.from && !f.to)) return f;
  // Two servers may commit tickets a moment out of order: the bounds are taken a minute wider
  // (the exact acceptance condition stays in the query).
  const SLACK = 60_000;
  const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
  const out = { ...f };
  if (f.from) {
    const r = await db('tickets').where('accepted_at', '>=', shift(f.from, -SLACK)).orderBy([{ column: 'accepted_at' }, { column: 'id' }]).first('id');
    if (!r) return null; // nothing accepted since
    out.idMin = Number(r.id);
  }
  if (f.to) {
    const r = await db('tickets').where('accepted_at', '<', shift(f.to, SLACK)).orderBy([{ column: 'accepted_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first('id');
    if (!r) return null; // nothing accepted before
    out.idMax = Number(r.id);
  }
  return out;
}

export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

const DATE_COLUMNS = { acceptedAt: 'accepted_at', closedAt: 'closed_at', dueAt: 'due_at' } as const;

/** Statuses in which a close deadline can be overdue (an index on status finds them; most tickets are closed). */
const OVERDUE_STATUSES: TicketStatus[] = ['dispatched', 'acknowledged', 'returned', 'replied', 'reviewed', 'under_review', 'supervised', 'resolved_at_intake'];

/**
 * The filter as SQL. `shape`: 'count' lets the database gather a unit's tickets from its two
 * indexes (lead, co-handling rows) at once; 'page' asks per ticket, so that the newest page is
 * read from the primary key's end and stops after a page (a big unit has 100,000s).
 */
export function applyTicketFilter(q: Knex.QueryBuilder, f: TicketFilter, now: Date, shape: 'count' | 'page' | 'scan' = 'count'): Knex.QueryBuilder {
  const kind = String((q as unknown as { client: { config: { client: unknown } } }).client.config.client) === 'pg' ? 'postgres' : 'sqlite';
  // 'scan' (SQLite): the broad filters are kept off their indexes ("+column"), so that a page of a
  // large result is read from the primary key's end instead of sorting every match.
  const raw = (q as unknown as { client: Knex.Client }).client;
  const c = (column: string): any => (shape === 'scan' && kind === 'sqlite' ? raw.raw('+??', [column]) : column);
  if (f.status?.length) q.whereIn(c('tickets.status'), f.status);
  if (f.unit) q.where(c('tickets.lead_unit'), f.unit);
  if (f.units?.length) q.whereIn(c('tickets.lead_unit'), f.units);
  if (f.visibleToUnit) {
    const u = f.visibleToUnit;
    if (shape === 'count') q.where((w) => w.where('tickets.lead_unit', u).orWhereIn('tickets.id', (s) => s.from('ticket_co_units').where('unit_code', u).select('ticket_id')));
    else q.where((w) => w.where(c('tickets.lead_unit'), u).orWhereExists((s) => s.from('ticket_co_units').whereRaw('ticket_co_units.ticket_id = tickets.id').where('unit_code', u).select(s.client.raw('1'))));
  }
  if (f.overdue === true) q.whereIn(c('tickets.status'), OVERDUE_STATUSES).where(c('tickets.due_at'), '<', now.toISOString());
  if (f.overdue === false) q.where((w) => w.whereNull('tickets.due_at').orWhere('tickets.due_at', '>=', now.toISOString()).orWhereNotIn('tickets.status', OVERDUE_STATUSES));
  if (f.channel?.length) q.whereIn(c('tickets.channel'), f.channel);
  if (f.kind?.length) q.whereIn(c('tickets.kind'), f.kind);
  if (f.urgency?.length) q.whereIn(c('tickets.urgency'), f.urgency);
  if (f.excludeReports) q.whereNot('tickets.kind', 'report');
  const dateColumn = `tickets.${DATE_COLUMNS[f.dateField ?? 'acceptedAt']}`;
  if (f.from) q.where(c(dateColumn), '>=', f.from);
  if (f.to) q.where(c(dateColumn), '<', f.to);
  if (f.phone) q.where('tickets.citizen_phone', f.phone);
  // Prefixes as ranges: both databases use the index (':' sorts after '9', U+FFFF after any character).
  if (f.name) q.where(c('tickets.citizen_name'), '>=', f.name).where(c('tickets.citizen_name'), '<', `${f.name}\uffff`);
  if (f.number) q.where('tickets.number', f.number);
  if (f.numberPrefix) q.where('tickets.number', '>=', f.numberPrefix).where('tickets.number', '<', `${f.numberPrefix}:`);
  if (f.eventType) q.where(c('tickets.event_type'), f.eventType);
  if (f.eventTypes?.length) q.whereIn(c('tickets.event_type'), f.eventTypes);
  if (f.town) q.where(c('tickets.town'), f.town);
  if (f.towns?.length) q.whereIn(c('tickets.town'), f.towns);
  if (f.mergedInto) q.where('tickets.merged_into', f.mergedInto);
  if (f.leadOrNull) q.where('tickets.lead_unit', f.leadOrNull);
  if (f.coUnitOnly) {
    const u = f.coUnitOnly;
    q.whereIn('tickets.id', (s) => s.from('ticket_co_units').where('unit_code', u).select('ticket_id')).where((w) => w.whereNull('tickets.lead_unit').orWhereNot('tickets.lead_unit', u));
  }
  if (f.idMin !== undefined) q.where('tickets.id', '>=', f.idMin);
  if (f.idMax !== undefined) q.where('tickets.id', '<=', f.idMax);
  const terms = textTerms(f);
  // SQLite: the bounds given to the text index too, which then reads only the matches between them.
  if (terms.length && kind === 'sqlite') {
    if (f.idMin !== undefined) q.where('ticket_text.rowid', '>=', f.idMin);
    if (f.idMax !== undefined) q.where('ticket_text.rowid', '<=', f.idMax);
  }
  if (terms.length) {
    if (kind === 'postgres') q.whereRaw('tickets.search_tsv @@ ?::tsquery', [pgTsquery(terms)]);
    // SQLite: ticket_text is in the FROM clause (see ticketsFrom), the outer loop of the join.
    else q.whereRaw('ticket_text match ?', [ftsMatch(terms)]);
  }
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.where((w) => w.whereRaw("tickets.content like ? escape '\\'", [like]).orWhereRaw("tickets.title like ? escape '\\'", [like]));
  }
  return q;
}

export const SORTS = ['-acceptedAt', 'acceptedAt', 'dueAt', '-dueAt', 'updatedAt', '-updatedAt', 'number', '-number'] as const;
export type TicketSort = (typeof SORTS)[number];
// A ticket's id grows with its acceptance (accepted_at is the time of its insert), so the
// acceptance order is the primary key's: the newest page is read from the key's end.
const SORT_COLUMNS: Record<string, string> = { acceptedAt: 'id', dueAt: 'due_at', updatedAt: 'updated_at', number: 'number' };

/**
 * At most this many matches are counted: beyond, the answer says "1000+" (50 pages of 20; a
 * person narrows the search rather than reading further). Counting costs a read of every match
 * counted, which is what a search over a million tickets spends most on (bench:search).
 */
export const COUNT_CAP = 1_000;

/** Above this many matches a page in acceptance order is read from the primary key's end (SQLite). */
const SCAN_ABOVE = 500;

function orderedQuery(db: Knex, f: TicketFilter, sort: TicketSort, now: Date, matches = Infinity): Knex.QueryBuilder {
  const desc = sort.startsWith('-');
  const column = `tickets.${SORT_COLUMNS[sort.replace(/^-/, '')]}`;
  const byKey = column === 'tickets.id' && matches > SCAN_ABOVE;
  const q = applyTicketFilter(ticketsFrom(db, f), f, now, byKey ? 'scan' : 'page').select('tickets.*');
  const textJoin = dbKind(db) === 'sqlite' && (f.text?.length || f.addressText?.length);
  // PostgreSQL, few matches: "id + 0" keeps the planner from walking the whole key for them.
  if (column === 'tickets.id' && !byKey && dbKind(db) === 'postgres') return q.orderByRaw(`tickets.id + 0 ${desc ? 'desc' : 'asc'}`);
  if (column === 'tickets.id') return q.orderBy(textJoin ? 'ticket_text.rowid' : 'tickets.id', desc ? 'desc' : 'asc');
  // Tickets without a deadline go last either way; ties in a stable order.
  if (column === 'tickets.due_at') q.orderByRaw(`tickets.due_at is null, tickets.due_at ${desc ? 'desc' : 'asc'}`);
  else q.orderBy(column, desc ? 'desc' : 'asc');
  return q.orderBy('tickets.id', desc ? 'desc' : 'asc');
}

/**
 * PostgreSQL's frequencies of the text index's pairs (the planner's own statistics), kept a
 * few minutes. The planner estimates a phrase of pairs as if each pair were independent of the
 * others (the product of their frequencies), but the pairs of one word come together: 路灯坏了
 * is as frequent as its rarest pair, not a thousandth of it. See expectedTextMatches.
 */
const pairFrequencies = new WeakMap<Knex, { at: number; freq: Map<string, number>; floor: number; tickets: number }>();

async function pairStats(db: Knex): Promise<{ freq: Map<string, number>; floor: number; tickets: number }> {
  const kept = pairFrequencies.get(db);
  if (kept && Date.now() - kept.at < 10 * 60_000) return kept;
  const res = await db.raw(
    "select most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs, (select reltuples from pg_class where oid = to_regclass('tickets')) as tickets from pg_stats where schemaname = current_schema() and tablename = 'tickets' and attname = 'search_tsv'",
  );
  const row = res.rows[0];
  const tickets = Math.max(0, Number(row?.tickets ?? 0));
  const freq = new Map<string, number>();
  const elems: string[] = row?.elems ?? [];
  const freqs: number[] = (row?.freqs ?? []).map(Number);
  elems.forEach((e, k) => freq.set(e, freqs[k]));
  // A pair not among the most common: as the planner takes it, half the least common one's.
  const floor = elems.length ? Math.min(...freqs.slice(0, elems.length)) / 2 : 1;
  const stats = { at: Date.now(), freq, floor, tickets };
  pairFrequencies.set(db, stats);
  return stats;
}

/** The planner's estimate of the matches, with each phrase counted as its rarest pair rather than the product of its pairs. */
async function expectedTextMatches(db: Knex, f: TicketFilter, planned: number): Promise<number> {
  const { freq, floor, tickets } = await pairStats(db);
  let factor = 1;
  let rarest = tickets;
  for (const t of textTerms(f)) {
    const fs = t.grams.map((g) => freq.get(g) ?? floor);
    const product = fs.reduce((a, x) => a * x, 1);
    if (product > 0) factor *= Math.min(...fs) / product;
    rarest *= Math.min(...fs);
  }
  // The planner rounds a tiny estimate up to one row: never more than the rarest pair's share of all tickets.
  return tickets > 0 ? Math.min(planned * factor, rarest) : planned;
}

const WORDS_ALONE = new Set(['text', 'addressText', 'idMin', 'idMax', 'from', 'to', 'dateField']);

/**
 * How many tickets match, counted up to COUNT_CAP + 1; with `withIds`, the matches' ids as well
 * (all of them when at most COUNT_CAP matched; `newest`: the newest ones, in order).
 */
async function countUpTo(db: Knex, f: TicketFilter, now: Date, withIds = false): Promise<{ n: number; ids: number[] | null; newest: boolean }> {
  const base = applyTicketFilter(ticketsFrom(db, f), f, now);
  // Words alone (the most common search) on SQLite: counted in the text index, without the tickets.
  const textOnly = dbKind(db) === 'sqlite' && onlyFilters(f, TEXT_FILTERS) && textTerms(f).length > 0;
  let matches = textOnly ? db('ticket_text').whereRaw('ticket_text match ?', [ftsMatch(textTerms(f))]).select('rowid as id') : base.select(withIds ? 'tickets.id' : db.raw('1'));
  let newest = false;
  if (dbKind(db) === 'postgres' && textTerms(f).length) {
    // PostgreSQL gathers every match of a frequent pair in a bitmap, and checks each again in
    // its row (the index knows neither positions nor weights), before counting the first: when
    // it expects many, walk the key from the newest instead and stop at the cap. (The plan's
    // estimate of the matches themselves: the capped count's is at most the cap.)
    const probe = matches.clone().toSQL();
    const plan = await db.raw(`explain (format json) ${probe.sql}`, probe.bindings as any);
    // Words alone (within a date range at most): the phrase counted as its rarest pair. With other
    // filters the planner's own estimate is kept: a unit's or a status's share of a word's
    // matches is not that of all tickets (拖欠工资 is never the city management's), and walking
    // the key for a match that does not come would read every ticket.
    const planned = Number(plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0);
    const wordsAlone = onlyFilters(f, WORDS_ALONE);
    const expected = wordsAlone ? await expectedTextMatches(db, f, planned) : planned;
    // Walking reads about (tickets / matches) rows per match counted, the bitmap one row per
    // match: the walk pays only for really frequent words (20,000 matches: 50 rows per match).
    if (expected > 20 * COUNT_CAP) {
      // The other filters and the key's order inside, the words outside: "offset 0" keeps the
      // planner from taking the words into the inner query (and then gathering all their matches).
      const inner = applyTicketFilter(db('tickets'), { ...f, text: undefined, addressText: undefined }, now).select('tickets.id', 'tickets.search_tsv').orderByRaw('tickets.id desc offset 0');
      matches = db.from(inner.as('tickets')).whereRaw('tickets.search_tsv @@ ?::tsquery', [pgTsquery(textTerms(f))]).select(withIds ? 'tickets.id' : db.raw('1')).orderBy('tickets.id', 'desc');
      newest = true;
    }
  }
  if (withIds) {
    const ids = (await matches.limit(COUNT_CAP + 1)).map((r: Row) => Number(r.id));
    return { n: ids.length, ids, newest };
  }
  const [{ n }] = await db.from(matches.limit(COUNT_CAP + 1).as('m')).count({ n: '*' });
  return { n: Number(n), ids: null, newest };
}

/**
 * SQLite, words in acceptance order (the usual search): the matches' ids are read once, in
 * order, up to the count's cap — the text index as the outer loop, each match checked against
 * the other filters (a unit's scope by the co-handling rows' key) — and the page is taken from
 * them. Counting and then reading the page each walked the text's matches again (three walks
 * for a unit: its led part, its co-handled part, the page), and a frequent pair has 100,000s.
 */
async function textSearchInOnePass(db: Knex, f: TicketFilter, page: number, pageSize: number, now: Date, desc: boolean): Promise<Page<Ticket> & { totalCapped: boolean }> {
  const order = desc ? 'desc' : 'asc';
  // Words alone (within an acceptance range at most): the text index alone, without the tickets.
  const wordsAlone = onlyFilters(f, TEXT_AND_ID_FILTERS);
  const q = wordsAlone
    ? db('ticket_text').whereRaw('ticket_text match ?', [ftsMatch(textTerms(f))]).modify((w) => {
        if (f.idMin !== undefined) w.where('ticket_text.rowid', '>=', f.idMin);
        if (f.idMax !== undefined) w.where('ticket_text.rowid', '<=', f.idMax);
      })
    : applyTicketFilter(ticketsFrom(db, f, true), f, now, 'page');
  const ids: number[] = (await q.orderBy('ticket_text.rowid', order).limit(COUNT_CAP + 1).select('ticket_text.rowid as id')).map((r: Row) => Number(r.id));
  return { items: await ticketsByIds(db, ids.slice((page - 1) * pageSize, page * pageSize)), total: Math.min(ids.length, COUNT_CAP), totalCapped: ids.length > COUNT_CAP, page, pageSize };
}

/** The tickets of these ids, in the ids' order. */
async function ticketsByIds(db: Knex, ids: number[]): Promise<Ticket[]> {
  if (!ids.length) return [];
  const byId = new Map((await db('tickets').whereIn('id', ids).select('*')).map((r: Row) => [Number(r.id), r]));
  return ids.map((id) => ticketFromRow(byId.get(id)!));
}

export async function searchTickets(
  db: Knex, f: TicketFilter, page: number, pageSize: number, now: Date, sort: TicketSort = '-acceptedAt',
): Promise<Page<Ticket> & { totalCapped: boolean }> {
  const ranged = await withIdRange(db, f);
  if (!ranged) return { items: [], total: 0, totalCapped: false, page, pageSize };
  f = ranged;
  if (dbKind(db) === 'sqlite' && textTerms(f).length && SORT_COLUMNS[sort.replace(/^-/, '')] === 'id' && page * pageSize <= COUNT_CAP + 1) {
    return textSearchInOnePass(db, f, page, pageSize, now, sort.startsWith('-'));
  }
  // A unit's tickets are those it leads plus those it co-handles: counted as two parts, each
  // read from its own index (lead unit with the other filters; the co-handling rows).
  const parts = f.visibleToUnit ? [{ ...f, visibleToUnit: undefined, leadOrNull: f.visibleToUnit }, { ...f, visibleToUnit: undefined, coUnitOnly: f.visibleToUnit }] : [f];
  // PostgreSQL, words or a unit's scope in acceptance order: the count's reads are those of the
  // matches themselves (text and the unit's scope are not answered from one index), so it
  // keeps their ids; when all of them were counted, the page is taken from those ids rather
  // than by finding every match once more (a unit's scope is "lead OR co-handling", which no
  // index answers, so the page query checks each match of the words in its row).
  const withIds = dbKind(db) === 'postgres' && SORT_COLUMNS[sort.replace(/^-/, '')] === 'id' && (textTerms(f).length > 0 || !!f.visibleToUnit);
  const counted: Array<{ n: number; ids: number[] | null; newest: boolean }> = [];
  for (const part of parts) counted.push(await countUpTo(db, part, now, withIds));
  const n = Math.min(COUNT_CAP + 1, counted.reduce((a, c) => a + c.n, 0));
  const total = Math.min(n, COUNT_CAP);
  const desc = sort.startsWith('-');
  if (withIds) {
    // The ids known in order: every match of the parts counted whole; of a part that was cut at
    // the cap, only its newest ones were read (walked from the newest), so the list is complete
    // down to the oldest of them.
    const cut = counted.filter((c) => c.n > COUNT_CAP);
    if (cut.every((c) => c.newest && desc)) {
      const floor = Math.max(0, ...cut.map((c) => Math.min(...c.ids!)));
      const ids = counted.flatMap((c) => c.ids!).filter((id) => id >= floor).sort((a, b) => (desc ? b - a : a - b));
      if (!cut.length || page * pageSize <= ids.length) return { items: await ticketsByIds(db, ids.slice((page - 1) * pageSize, page * pageSize)), total, totalCapped: n > COUNT_CAP, page, pageSize };
    }
  }
  const rows = await orderedQuery(db, f, sort, now, n).limit(pageSize).offset((page - 1) * pageSize);
  return { items: rows.map(ticketFromRow), total, totalCapped: n > COUNT_CAP, page, pageSize };
}

/** Matches in the list's order, up to `cap`, handed over 1,000 at a time; true when more than `cap` matched. */
export async function eachTicket(db: Knex, f: TicketFilter, sort: TicketSort, now: Date, cap: number, onChunk: (tickets: Ticket[]) => Promise<void>): Promise<boolean> {
  const CHUNK = 1000;
  for (let offset = 0; offset < cap; offset += CHUNK) {
    const q = orderedQuery(db, f, sort, now);
    const rows = await q.limit(Math.min(CHUNK, cap - offset)).offset(offset);
    if (rows.length) await onChunk(rows.map(ticketFromRow));
    if (rows.length < Math.min(CHUNK, cap - offset)) return false;
  }
  return matchesMoreThan(db, f, now, cap);
}

export async function matchesMoreThan(db: Knex, f: TicketFilter, now: Date, n: number): Promise<boolean> {
  return (await applyTicketFilter(ticketsFrom(db, f), f, now).select('tickets.id').limit(1).offset(n)).length > 0;
}

export async function findIdempotent(db: Knex, scope: string, key: string): Promise<{ ticketId: number; requestHash: string } | null> {
  const row = await db('idempotency_keys').where({ scope, key }).first();
  return row ? { ticketId: Number(row.ticket_id), requestHash: row.request_hash } : null;
}

export async function saveIdempotent(trx: Knex.Transaction, scope: string, key: string, requestHash: string, ticketId: number, at: string): Promise<void> {
  await trx('idempotency_keys').insert({ scope, key, request_hash: requestHash, ticket_id: ticketId, created_at: at });
}
