// Queries of supervision_notices and notice_counters.
import { Knex } from 'knex';
import { dbKind } from './db';

export interface NoticeRow {
  id: number; year: number; seq: number; ticketId: number; eventId: number; kind: 'supervise' | 'escalate'; round: number; level: number;
  unit: string; reason: string; dueAt: string; issuedBy: number | null; issuedAt: string; readAt: string | null; readBy: number | null;
  signedAt: string | null; signedBy: number | null; signNote: string | null;
}

const fromRow = (r: any): NoticeRow => ({
  id: Number(r.id), year: Number(r.year), seq: Number(r.seq), ticketId: Number(r.ticket_id), eventId: Number(r.event_id), kind: r.kind, round: Number(r.round),
  level: Number(r.level), unit: r.unit_code, reason: r.reason, dueAt: r.due_at, issuedBy: r.issued_by == null ? null : Number(r.issued_by), issuedAt: r.issued_at,
  readAt: r.read_at ?? null, readBy: r.read_by == null ? null : Number(r.read_by), signedAt: r.signed_at ?? null, signedBy: r.signed_by == null ? null : Number(r.signed_by),
  signNote: r.sign_note ?? null,
});

/** The next number of the year, in the caller's transaction: a rolled-back notice gives its number back, two at once never share one. */
export async function nextNoticeSeq(trx: Knex.Transaction, year: number): Promise<number> {
  const res: any = await trx.raw(
    'insert into notice_counters (year, value) values (?, 1) on conflict (year) do update set value = notice_counters.value + 1 returning value',
    [year],
  );
  const rows = dbKind(trx) === 'postgres' ? res.rows : res;
  return Number(rows[0].value);
}

export async function insertNotice(trx: Knex.Transaction, n: Omit<NoticeRow, 'id' | 'readAt' | 'readBy' | 'signedAt' | 'signedBy' | 'signNote'>): Promise<NoticeRow> {
  const [row] = await trx('supervision_notices')
    .insert({
      year: n.year, seq: n.seq, ticket_id: n.ticketId, event_id: n.eventId, kind: n.kind, round: n.round, level: n.level, unit_code: n.unit,
      reason: n.reason, due_at: n.dueAt, issued_by: n.issuedBy, issued_at: n.issuedAt,
    })
    .returning('*');
  return fromRow(row);
}

export async function getNotice(db: Knex | Knex.Transaction, id: number): Promise<NoticeRow | null> {
  const r = await db('supervision_notices').where({ id }).first();
  return r ? fromRow(r) : null;
}

export async function noticesOfTickets(db: Knex, ticketIds: number[]): Promise<NoticeRow[]> {
  const out: NoticeRow[] = [];
  for (let i = 0; i < ticketIds.length; i += 500) {
    out.push(...(await db('supervision_notices').whereIn('ticket_id', ticketIds.slice(i, i + 500)).orderBy('id')).map(fromRow));
  }
  return out;
}

export async function listNotices(
  db: Knex, f: { unit?: string; signed?: boolean; year?: number }, page: number, pageSize: number,
): Promise<{ items: NoticeRow[]; total: number }> {
  const q = () => {
    const b = db('supervision_notices');
    if (f.unit) b.where('unit_code', f.unit);
    if (f.signed === true) b.whereNotNull('signed_at');
    if (f.signed === false) b.whereNull('signed_at');
    if (f.year) b.where('year', f.year);
    return b;
  };
  const [{ n }] = await q().count({ n: '*' });
  const rows = await q().orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize);
  return { items: rows.map(fromRow), total: Number(n) };
}

/** Set read_at once (the first reader of the unit). */
export async function markRead(db: Knex, id: number, userId: number, at: string): Promise<void> {
  await db('supervision_notices').where({ id }).whereNull('read_at').update({ read_at: at, read_by: userId });
}

/** Sign once: true when this call signed it. */
export async function signNotice(db: Knex, id: number, userId: number, at: string, note: string | null): Promise<boolean> {
  const n = await db('supervision_notices').where({ id }).whereNull('signed_at').update({ signed_at: at, signed_by: userId, sign_note: note, read_at: db.raw('coalesce(read_at, ?)', [at]), read_by: db.raw('coalesce(read_by, ?)', [userId]) });
  return n === 1;
}
