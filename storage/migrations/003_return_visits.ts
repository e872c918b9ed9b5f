// Return visits as durable tasks (one per ticket and handling round): the scheduler
// places the survey call when due, retries at other times, then hands the ticket to the
// operators' manual list. Abandoned callers wait on the call-back list.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('visit_tasks', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.integer('round').notNullable();
    t.string('state', 12).notNullable(); // pending | calling | manual | done
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_at', 24).nullable();
    t.string('lease_until', 24).nullable(); // a call in flight; past it, the attempt counts as unanswered
    t.string('manual_reason', 200).nullable();
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.primary(['ticket_id', 'round']);
    t.index(['state', 'next_at']);
  });
  await knex.schema.createTable('callbacks', (t) => {
    t.increments('id').primary();
    t.string('caller', 40).notNullable();
    t.string('call_id', 80).nullable().unique();
    t.string('reason', 20).notNullable(); // abandoned | requested
    t.string('at', 24).notNullable();
    t.string('done_at', 24).nullable();
    t.integer('done_by').nullable();
    t.index(['done_at', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('callbacks');
  await knex.schema.dropTableIfExists('visit_tasks');
}
