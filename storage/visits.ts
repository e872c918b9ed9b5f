// Queries of visit_tasks, return_visits and callbacks.
import { Knex } from 'knex';

export interface VisitTask {
  ticketId: number;
  round: number;
  state: 'pending' | 'calling' | 'manual' | 'done';
  attempts: number;
  nextAt: string | null;
  leaseUntil: string | null;
  manualReason: string | null;
}

const fromRow = (r: any): VisitTask => ({
  ticketId: Number(r.ticket_id), round: Number(r.round), state: r.state, attempts: Number(r.attempts),
  nextAt: r.next_at ?? null, leaseUntil: r.lease_until ?? null, manualReason: r.manual_reason ?? null,
});

export async function getVisitTask(db: Knex | Knex.Transaction, ticketId: number, round: number): Promise<VisitTask | null> {
  const r = await db('visit_tasks').where({ ticket_id: ticketId, round }).first();
  return r ? fromRow(r) : null;
}

/** The open task of a ticket (the latest round not done). */
export async function openVisitTask(db: Knex | Knex.Transaction, ticketId: number): Promise<VisitTask | null> {
  const r = await db('visit_tasks').where({ ticket_id: ticketId }).whereNot('state', 'done').orderBy('round', 'desc').first();
  return r ? fromRow(r) : null;
}

export async function insertVisitTask(trx: Knex.Transaction, t: VisitTask, now: string): Promise<void> {
  await trx('visit_tasks')
    .insert({
      ticket_id: t.ticketId, round: t.round, state: t.state, attempts: t.attempts, next_at: t.nextAt, lease_until: t.leaseUntil,
      manual_reason: t.manualReason, created_at: now, updated_at: now,
    })
    .onConflict(['ticket_id', 'round'])
    .ignore();
}

export async function updateVisitTask(trx: Knex | Knex.Transaction, t: VisitTask, now: string): Promise<void> {
  await trx('visit_tasks').where({ ticket_id: t.ticketId, round: t.round }).update({
    state: t.state, attempts: t.attempts, next_at: t.nextAt, lease_until: t.leaseUntil, manual_reason: t.manualReason, updated_at: now,
  });
}

/** Pending tasks due now, and calls whose outcome never came (lease passed). */
export async function dueVisitTasks(db: Knex, now: string, limit: number): Promise<{ due: VisitTask[]; stale: VisitTask[] }> {
  const due = (await db('visit_tasks').where({ state: 'pending' }).where('next_at', '<=', now).orderBy('next_at').limit(limit)).map(fromRow);
  const stale = (await db('visit_tasks').where({ state: 'calling' }).where('lease_until', '<', now).limit(limit)).map(fromRow);
  return { due, stale };
}

/** Claim a pending task for a call: only one server wins (the state check is in the update). */
export async function claimVisitTask(db: Knex, t: VisitTask, leaseUntil: string, now: string): Promise<boolean> {
  const n = await db('visit_tasks')
    .where({ ticket_id: t.ticketId, round: t.round, state: 'pending', attempts: t.attempts })
    .update({ state: 'calling', attempts: t.attempts + 1, lease_until: leaseUntil, updated_at: now });
  return n === 1;
}

export async function manualVisitList(db: Knex, limit = 200): Promise<Array<VisitTask & { number: string; citizenPhone: string | null; citizenName: string | null; content: string }>> {
  const rows = await db('visit_tasks')
    .join('tickets', 'tickets.id', 'visit_tasks.ticket_id')
    .where('visit_tasks.state', 'manual')
    .orderBy('visit_tasks.updated_at')
    .limit(limit)
    .select('visit_tasks.*', 'tickets.number', 'tickets.citizen_phone', 'tickets.citizen_name', 'tickets.content');
  return rows.map((r) => ({ ...fromRow(r), number: r.number, citizenPhone: r.citizen_phone ?? null, citizenName: r.citizen_name ?? null, content: r.content }));
}

export async function insertReturnVisit(
  trx: Knex | Knex.Transaction,
  v: { ticketId: number; round: number; attempt: number; method: string; outcome: string; reason?: string | null; callId?: string | null; actorId?: number | null; at: string },
): Promise<void> {
  await trx('return_visits').insert({
    ticket_id: v.ticketId, round: v.round, attempt: v.attempt, method: v.method, outcome: v.outcome, reason: v.reason ?? null,
    call_id: v.callId ?? null, actor_id: v.actorId ?? null, attempted_at: v.at,
  });
}

export async function addCallback(db: Knex, c: { caller: string; callId: string; reason: string; at: string }): Promise<void> {
  await db('callbacks').insert({ caller: c.caller, call_id: c.callId, reason: c.reason, at: c.at }).onConflict('call_id').ignore();
}
