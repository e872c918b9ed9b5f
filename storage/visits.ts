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

export interface VisitListItem extends VisitTask {
  number: string; citizenPhone: string | null; citizenName: string | null; content: string; title: string | null; kind: string; status: string;
  leadUnit: string | null; reply: { text: string | null; at: string; unit: string | null } | null;
}

/**
 * Open return visits with what the operator needs on the phone: the citizen, the appeal and
 * the unit's reply (the one the center accepted, or the answer given at intake).
 * `states`: manual only (the manual list), or every open one (to make a visit now).
 */
export async function visitList(db: Knex, states: Array<VisitTask['state']>, limit = 200): Promise<VisitListItem[]> {
  const rows = await db('visit_tasks')
    .join('tickets', 'tickets.id', 'visit_tasks.ticket_id')
    .whereIn('visit_tasks.state', states)
    .orderByRaw("case when visit_tasks.state = 'manual' then 0 else 1 end")
    .orderBy([{ column: 'visit_tasks.next_at' }, { column: 'visit_tasks.updated_at' }])
    .limit(limit)
    .select('visit_tasks.*', 'tickets.number', 'tickets.citizen_phone', 'tickets.citizen_name', 'tickets.content', 'tickets.title', 'tickets.kind', 'tickets.status', 'tickets.lead_unit');
  const ids = rows.map((r) => Number(r.ticket_id));
  const replies = new Map<number, { text: string | null; at: string; action: string; unit: string | null }>();
  for (let i = 0; i < ids.length; i += 500) {
    const evs = await db('ticket_events').whereIn('ticket_id', ids.slice(i, i + 500)).whereIn('action', ['reply', 'resolve_at_intake', 'follow_main']).orderBy('id');
    for (const e of evs) replies.set(Number(e.ticket_id), { text: e.reason ?? null, at: e.created_at, action: e.action, unit: e.actor_unit ?? null });
  }
  return rows.map((r) => {
    const e = replies.get(Number(r.ticket_id));
    // The unit that replied (a duplicate carries its main ticket's reply: that unit); an intake answer has none.
    const reply = e ? { text: e.text, at: e.at, unit: e.action === 'reply' ? e.unit : e.action === 'follow_main' ? r.lead_unit ?? null : null } : null;
    return {
      ...fromRow(r), number: r.number, citizenPhone: r.citizen_phone ?? null, citizenName: r.citizen_name ?? null, content: r.content, title: r.title ?? null,
      kind: r.kind, status: r.status, leadUnit: r.lead_unit ?? null, reply,
    };
  });
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
