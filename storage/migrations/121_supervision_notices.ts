// 督办通知单 as documents (issue 14, defect 4): one row per supervision notice or
// escalation, numbered per year without gaps or duplicates (notice_counters, incremented
// in the transaction that issues the notice), read and signed for by the unit (回执).
// Notices issued before this migration are numbered here, in the order they were issued.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notice_counters', (t) => {
    t.integer('year').primary();
    t.integer('value').notNullable();
  });
  await knex.schema.createTable('supervision_notices', (t) => {
    t.increments('id').primary();
    t.integer('year').notNullable();
    t.integer('seq').notNullable();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.integer('event_id').notNullable().unique().references('id').inTable('ticket_events');
    t.string('kind', 20).notNullable(); // supervise | escalate
    t.integer('round').notNullable();
    t.integer('level').notNullable(); // escalation level (0: supervision by the leader in charge)
    t.string('unit_code', 40).notNullable();
    t.text('reason').notNullable();
    t.string('due_at', 24).notNullable();
    t.integer('issued_by').nullable();
    t.string('issued_at', 24).notNullable();
    t.string('read_at', 24).nullable();
    t.integer('read_by').nullable();
    t.string('signed_at', 24).nullable();
    t.integer('signed_by').nullable();
    t.string('sign_note', 500).nullable();
    t.unique(['year', 'seq']);
    t.index(['ticket_id']);
    t.index(['unit_code', 'signed_at']);
  });
  const events = await knex('ticket_events').whereIn('action', ['supervise', 'escalate']).orderBy('id');
  const counters = new Map<number, number>();
  for (const e of events) {
    const data = JSON.parse(e.data || '{}');
    const ticket = await knex('tickets').where({ id: e.ticket_id }).first();
    // The city's year (Asia/Shanghai for the demo city; years turn at most a few hours apart elsewhere).
    const year = Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date(e.created_at)));
    const seq = (counters.get(year) ?? 0) + 1;
    counters.set(year, seq);
    await knex('supervision_notices').insert({
      year, seq, ticket_id: e.ticket_id, event_id: e.id, kind: e.action, round: Number(data.round ?? ticket?.handling_round ?? 2),
      level: Number(data.level ?? 0), unit_code: data.leadUnit ?? ticket?.lead_unit ?? '', reason: e.reason ?? '', due_at: data.dueAt ?? ticket?.due_at ?? e.created_at,
      issued_by: e.actor_id ?? null, issued_at: e.created_at,
    });
  }
  for (const [year, value] of counters) await knex('notice_counters').insert({ year, value });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('supervision_notices');
  await knex.schema.dropTableIfExists('notice_counters');
}
