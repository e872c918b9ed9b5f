// User accounts (issue 2, users and roles): when a user last chose their own password
// (null: still the initial or a reset one), and the audit of account changes.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('password_changed_at', 24).nullable();
  });
  await knex.schema.createTable('user_events', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('action', 30).notNullable();
    // null: the hotline CLI on the server itself.
    t.integer('actor_id').nullable().references('id').inTable('users');
    t.text('data').notNullable();
    t.string('created_at', 24).notNullable();
    t.index(['user_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('user_events');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('password_changed_at');
  });
}
