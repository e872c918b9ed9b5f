// Queries of the tickets, ticket_events, ticket_counters and idempotency_keys tables.
// Rows in, plain domain objects out.
import { Knex } from 'knex';
import { Ticket, TicketEvent, TicketStatus } from '../workflow/types';
import { dbKind } from './db';

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
let ticketInsertSql: { sql: string; columns: string[] } | null = null;

export async function insertTicket(trx: Knex.Transaction, t: Omit<Ticket, 'id'>): Promise<Ticket> {
  const row = ticketToRow(t);
  if (!ticketInsertSql) {
    const columns = Object.keys(row);
    ticketInsertSql = { columns, sql: `insert into tickets (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) returning id` };
  }
  const res = await trx.raw(ticketInsertSql.sql, ticketInsertSql.columns.map((c) => row[c] ?? null));
  return { ...t, id: Number(returnedRows(trx, res)[0].id) };
}

/** Write the ticket's changed state, guarded by the state it was read in. */
export async function updateTicket(trx: Knex.Transaction, before: Ticket, after: Ticket): Promise<void> {
  const row = ticketToRow(after);
  delete row.number;
  const n = await trx('tickets').where({ id: before.id, updated_at: before.updatedAt, status: before.status }).update(row);
  if (n !== 1) throw new Error(`ticket ${before.number} changed concurrently`);
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

export async function listEvents(db: Knex, ticketId: number): Promise<TicketEvent[]> {
  return (await db('ticket_events').where({ ticket_id: ticketId }).orderBy('id')).map(eventFromRow);
}

export interface TicketFilter {
  status?: TicketStatus[];
  unit?: string; // lead unit
  visibleToUnit?: string; // lead or co-handling unit (a unit handler's own tickets)
  overdue?: boolean;
  channel?: string[];
  kind?: string[];
  from?: string; // accepted_at >= (ISO)
  to?: string; // accepted_at < (ISO)
  phone?: string;
  number?: string;
  q?: string; // words in the title or content
  eventType?: string;
  eventTypes?: string[];
  town?: string;
}

export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

const CLOSED: TicketStatus[] = ['closed'];

export function applyTicketFilter(q: Knex.QueryBuilder, f: TicketFilter, now: Date): Knex.QueryBuilder {
  if (f.status?.length) q.whereIn('status', f.status);
  if (f.unit) q.where('lead_unit', f.unit);
  if (f.visibleToUnit) {
    const u = f.visibleToUnit;
    q.where((w) => w.where('lead_unit', u).orWhere('co_units', 'like', `%${JSON.stringify(u)}%`));
  }
  if (f.overdue) q.whereNotNull('due_at').where('due_at', '<', now.toISOString()).whereNotIn('status', CLOSED);
  if (f.channel?.length) q.whereIn('channel', f.channel);
  if (f.kind?.length) q.whereIn('kind', f.kind);
  if (f.from) q.where('accepted_at', '>=', f.from);
  if (f.to) q.where('accepted_at', '<', f.to);
  if (f.phone) q.where('citizen_phone', f.phone);
  if (f.number) q.where('number', f.number);
  if (f.eventType) q.where('event_type', f.eventType);
  if (f.eventTypes?.length) q.whereIn('event_type', f.eventTypes);
  if (f.town) q.where('town', f.town);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.where((w) => w.whereRaw("content like ? escape '\\'", [like]).orWhereRaw("title like ? escape '\\'", [like]));
  }
  return q;
}

export async function searchTickets(db: Knex, f: TicketFilter, page: number, pageSize: number, now: Date): Promise<Page<Ticket>> {
  const base = () => applyTicketFilter(db('tickets'), f, now);
  const [{ n }] = await base().count({ n: '*' });
  const rows = await base().orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize);
  return { items: rows.map(ticketFromRow), total: Number(n), page, pageSize };
}

export async function findIdempotent(db: Knex, scope: string, key: string): Promise<{ ticketId: number; requestHash: string } | null> {
  const row = await db('idempotency_keys').where({ scope, key }).first();
  return row ? { ticketId: Number(row.ticket_id), requestHash: row.request_hash } : null;
}

export async function saveIdempotent(trx: Knex.Transaction, scope: string, key: string, requestHash: string, ticketId: number, at: string): Promise<void> {
  await trx('idempotency_keys').insert({ scope, key, request_hash: requestHash, ticket_id: ticketId, created_at: at });
}
