// Survey calls the dialer placed (ivr/survey-ledger.ts): a survey answer is accepted only on
// a call listed here, with its one-time token, and only once (issue 13 item 4).
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('survey_calls', (t) => {
    t.string('call_id', 80).primary(); // the survey leg's id (origination_uuid / channelid)
    t.integer('ticket_id').notNullable();
    t.integer('attempt').notNullable();
    t.string('token_hash', 64).notNullable(); // sha256 of the one-time token carried by the call
    t.string('placed_at', 24).notNullable();
    t.string('claimed_at', 24).nullable(); // the survey flow took the call (once)
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('survey_calls');
}
