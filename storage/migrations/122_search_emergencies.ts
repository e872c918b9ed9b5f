// Emergencies waiting (the wallboard's and the search's "urgency=emergency&status=dispatched,
// acknowledged"): found by status and urgency together, not among every emergency of the years.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.index(['status', 'urgency']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex(['status', 'urgency']);
  });
}
