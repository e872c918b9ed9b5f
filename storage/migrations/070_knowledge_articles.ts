// The center's own answers to common consults (issue 7: operators answer consults directly):
// written and kept up to date by supervisors, searched by operators beside the catalogue.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('knowledge_articles', (t) => {
    t.increments('id').primary();
    t.string('title', 100).notNullable();
    // JSON array of search words.
    t.text('keywords').notNullable();
    t.text('answer').notNullable();
    t.string('unit_code', 40).nullable().references('code').inTable('units');
    t.string('event_type', 20).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.string('created_at', 24).notNullable();
    t.string('updated_at', 24).notNullable();
    t.integer('updated_by').notNullable().references('id').inTable('users');
    t.index(['active']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('knowledge_articles');
}
