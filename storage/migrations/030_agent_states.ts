// Agent states owned by the application (ivr/agent-store.ts): they survive an app
// restart, so a restart does not log every operator out on the switch.
import { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_states', (t) => {
    t.string('agent', 20).primary(); // the operator's extension (users.extension)
    t.string('state', 20).notNullable(); // logged_out | ready | on_break | wrap_up | on_call
    t.string('reason', 100).nullable(); // on_break
    t.string('call_id', 80).nullable(); // on_call
    t.string('since', 24).notNullable();
    t.string('updated_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('agent_states');
}
