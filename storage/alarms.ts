// Queries of ticket_alarms and tickets.next_alarm_at: the scheduler's due times.
import { Knex } from 'knex';
import { dbKind } from './db';

export async function firedAlarmKeys(trx: Knex | Knex.Transaction, ticketId: number): Promise<string[]> {
  return (await trx('ticket_alarms').where({ ticket_id: ticketId }).select('key')).map((r) => r.key);
}

export async function recordFiredAlarm(trx: Knex.Transaction, a: { ticketId: number; key: string; clock: string; level: string; firedAt: string }): Promise<void> {
  await trx('ticket_alarms').insert({ ticket_id: a.ticketId, key: a.key, clock: a.clock, level: a.level, fired_at: a.firedAt });
}

export async function setNextAlarm(trx: Knex.Transaction, ticketId: number, at: string | null): Promise<void> {
  await trx('tickets').where({ id: ticketId }).update({ next_alarm_at: at });
}

/** Tickets whose clocks need a look now, earliest first (uses the next_alarm_at index). */
export async function ticketsWithDueAlarms(db: Knex, now: Date, limit: number): Promise<number[]> {
  const rows = await db('tickets').whereNotNull('next_alarm_at').where('next_alarm_at', '<=', now.toISOString()).orderBy('next_alarm_at').limit(limit).select('id');
  return rows.map((r) => Number(r.id));
}

/**
 * Lock a ticket's row for the scheduler. On PostgreSQL a row another server is working
 * on is skipped (SKIP LOCKED) rather than waited for; SQLite has one writer at a time.
 */
export async function lockTicketForScheduler(trx: Knex.Transaction, id: number): Promise<Record<string, any> | null> {
  const q = trx('tickets').where({ id });
  const row = dbKind(trx) === 'postgres' ? await q.forUpdate().skipLocked().first() : await q.first();
  return row ?? null;
}
