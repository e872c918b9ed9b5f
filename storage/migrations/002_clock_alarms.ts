// The scheduler's due times live in the database: tickets.next_alarm_at (indexed) says
// when a ticket's clocks next need a look; ticket_alarms holds each alarm fired, at most
// once per (ticket, key) — the primary key refuses a second firing even from a second server.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.string('next_alarm_at', 24).nullable();
    t.index(['next_alarm_at']);
  });
  await knex.schema.createTable('ticket_alarms', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.string('key', 120).notNullable();
    t.string('clock', 10).notNullable();
    t.string('level', 10).notNullable();
    t.string('fired_at', 24).notNullable();
    t.primary(['ticket_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('ticket_alarms');
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex(['next_alarm_at']);
    t.dropColumn('next_alarm_at');
  });
}
