// Official year schedules (国务院节假日安排) loaded by an admin, shared by every server:
// they override the package's data and the city's shipped files for their year.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_schedules', (t) => {
    t.integer('year').primary();
    t.text('body').notNullable(); // the validated schedule, JSON
    t.integer('loaded_by').nullable();
    t.string('loaded_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('calendar_schedules');
}
