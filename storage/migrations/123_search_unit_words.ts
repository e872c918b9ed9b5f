// A unit's search by words on SQLite (issue 14, bench:search 「承办单位：关键词」): the text
// index's matches are read in order and each is checked against the unit's scope. Checking
// the lead unit in the tickets table itself read a wide row per match (a frequent pair has
// 10,000s of matches); this narrow index by id holds what the check needs (lead unit and
// status), so the check reads a few small pages instead. PostgreSQL needs no such index.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') return;
  await knex.raw('create index if not exists tickets_id_lead_unit_status on tickets (id, lead_unit, status)');
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === 'pg') return;
  await knex.raw('drop index if exists tickets_id_lead_unit_status');
}
