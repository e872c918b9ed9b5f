// Login rate limiting shared by every server (issue 7 left it per server): one row per
// limited key (user:NAME or ip:ADDRESS) with its recent failures and its lock.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_limits', (t) => {
    t.string('key', 120).primary();
    // JSON array of epoch milliseconds.
    t.text('failures').notNullable();
    t.bigInteger('locked_until').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['updated_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_limits');
}
