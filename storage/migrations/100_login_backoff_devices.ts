// Login limits (issue 13): a key's lock count, for the back-off (each further lock within a
// day lasts twice as long), and the browsers a user signed in with (a device cookie), whose
// attempts are counted apart from the account's, so that guessing from elsewhere cannot
// lock a user out of their own desk.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('login_limits', (t) => {
    t.integer('locks').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('login_devices', (t) => {
    // sha256 of the cookie's token (the token itself is never stored).
    t.string('token_hash', 64).primary();
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('created_at', 24).notNullable();
    t.string('last_used_at', 24).notNullable();
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_devices');
  await knex.schema.alterTable('login_limits', (t) => {
    t.dropColumn('locks');
  });
}
