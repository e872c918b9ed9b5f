// Where a user's password came from (issue 13, demo secrets): 'demo' — the one password the
// demo seed gives everyone (HOTLINE_DEMO_PASSWORD); 'one_time' — an administrator's (or the
// production seed's) one-time password; 'chosen' — the user's own. Production refuses to
// start while an active account is on 'demo'. Rows from before this migration have null:
// the start-up verifies their hashes against the demo passwords instead.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('password_origin', 10).nullable();
  });
  await knex('users').whereNotNull('password_changed_at').update({ password_origin: 'chosen' });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('password_origin');
  });
}
