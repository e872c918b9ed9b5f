// The desk's audit of who listened to or downloaded a call recording (issue 7, security).
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('recording_views', (t) => {
    t.increments('id').primary();
    t.integer('recording_id').notNullable().references('id').inTable('recordings');
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('role', 20).notNullable();
    t.string('unit', 40).nullable();
    t.string('address', 64).nullable();
    t.string('viewed_at', 24).notNullable();
    t.index(['recording_id']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('recording_views');
}
