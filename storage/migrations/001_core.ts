// Core schema: units, users, sessions, API clients, tickets and their audit trail,
// calls and recordings, attachments, return visits, routing corrections.
// Times are ISO 8601 UTC strings ("2026-11-23T01:02:03.000Z", 24 characters) on
// both databases: they compare and index the same way in SQLite and PostgreSQL.
// Never edit this file after it has landed: add a new numbered migration.
import { Knex } from 'knex';

const ts = (t: Knex.CreateTableBuilder, name: string) => t.string(name, 24);

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('units', (t) => {
    t.string('code', 40).primary();
    t.string('name', 100).notNullable();
    t.string('kind', 20).notNullable(); // center | leader | department | town
    t.string('parent_code', 40).nullable();
    t.text('duty').nullable();
    t.string('phone', 40).nullable();
    t.boolean('active').notNullable().defaultTo(true);
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 60).notNullable().unique();
    t.string('display_name', 100).notNullable();
    t.string('role', 20).notNullable();
    t.string('unit_code', 40).notNullable().references('code').inTable('units');
    t.string('password_hash', 200).notNullable();
    t.string('extension', 20).nullable(); // the operator's phone extension on the switch
    t.boolean('active').notNullable().defaultTo(true);
    ts(t, 'created_at').notNullable();
    t.index(['role']);
    t.index(['unit_code']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('token_hash', 64).primary();
    t.integer('user_id').notNullable().references('id').inTable('users');
    ts(t, 'created_at').notNullable();
    ts(t, 'expires_at').notNullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('api_clients', (t) => {
    t.increments('id').primary();
    t.string('name', 100).notNullable();
    t.string('key_hash', 64).notNullable().unique();
    t.string('channel', 30).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    ts(t, 'created_at').notNullable();
  });

  await knex.schema.createTable('ticket_counters', (t) => {
    t.string('day', 8).primary(); // YYYYMMDD in the city's time zone
    t.integer('value').notNullable();
  });

  await knex.schema.createTable('tickets', (t) => {
    t.increments('id').primary();
    t.string('number', 20).notNullable().unique();
    t.string('channel', 30).notNullable();
    t.string('kind', 20).notNullable();
    t.string('status', 20).notNullable();
    t.string('title', 200).nullable();
    t.text('content').notNullable();
    t.string('citizen_name', 100).nullable();
    t.string('citizen_phone', 30).nullable();
    t.boolean('anonymous').notNullable().defaultTo(false);
    t.boolean('no_callback').notNullable().defaultTo(false);
    t.string('address', 300).nullable();
    t.string('town', 40).nullable();
    t.double('lat').nullable();
    t.double('lng').nullable();
    t.string('event_type', 40).nullable();
    t.string('urgency', 20).notNullable();
    t.string('lead_unit', 40).nullable().references('code').inTable('units');
    t.text('co_units').notNullable().defaultTo('[]'); // JSON array of unit codes
    t.string('first_unit', 40).nullable();
    t.boolean('return_overruled').notNullable().defaultTo(false);
    t.integer('handling_round').notNullable().defaultTo(1);
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.string('satisfaction', 30).nullable();
    ts(t, 'accepted_at').notNullable();
    ts(t, 'dispatched_at').nullable();
    ts(t, 'acknowledged_at').nullable();
    ts(t, 'ack_due_at').nullable();
    ts(t, 'feedback_due_at').nullable();
    ts(t, 'feedback_at').nullable();
    ts(t, 'due_at').nullable();
    ts(t, 'replied_at').nullable();
    ts(t, 'closed_at').nullable();
    t.text('extension_pending').nullable(); // JSON {until, reason}
    t.string('call_id', 80).nullable();
    t.integer('created_by').nullable();
    ts(t, 'updated_at').notNullable();
    t.index(['status']);
    t.index(['lead_unit', 'status']);
    t.index(['citizen_phone']);
    t.index(['accepted_at']);
    t.index(['channel']);
    t.index(['due_at']);
    t.index(['call_id']);
  });

  await knex.schema.createTable('ticket_events', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.string('action', 40).notNullable();
    t.string('from_status', 20).nullable();
    t.string('to_status', 20).notNullable();
    t.integer('actor_id').nullable();
    t.string('actor_role', 20).notNullable();
    t.string('actor_unit', 40).nullable();
    t.text('reason').nullable();
    t.text('data').notNullable().defaultTo('{}');
    ts(t, 'created_at').notNullable();
    t.index(['ticket_id', 'id']);
    t.index(['action', 'created_at']);
  });

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('scope', 60).notNullable(); // who sent it: user id or API client
    t.string('key', 200).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    ts(t, 'created_at').notNullable();
    t.primary(['scope', 'key']);
  });

  await knex.schema.createTable('calls', (t) => {
    t.string('id', 80).primary(); // the switch's call UUID
    t.string('switch', 20).notNullable(); // freeswitch | asterisk
    t.string('direction', 10).notNullable(); // inbound | outbound
    t.string('purpose', 20).notNullable(); // hotline | survey | transfer | callback
    t.string('caller', 40).nullable();
    t.string('callee', 40).nullable();
    t.string('queue', 60).nullable();
    t.integer('agent_user_id').nullable().references('id').inTable('users');
    ts(t, 'offered_at').nullable();
    ts(t, 'queued_at').nullable();
    ts(t, 'answered_at').nullable();
    ts(t, 'abandoned_at').nullable();
    ts(t, 'ended_at').nullable();
    t.integer('queue_wait_ms').nullable();
    t.string('hangup_cause', 60).nullable();
    t.integer('ticket_id').nullable().references('id').inTable('tickets');
    ts(t, 'created_at').notNullable();
    t.index(['caller']);
    t.index(['offered_at']);
    t.index(['ticket_id']);
  });

  await knex.schema.createTable('recordings', (t) => {
    t.increments('id').primary();
    t.string('call_id', 80).nullable();
    t.string('path', 500).notNullable().unique();
    t.string('kind', 20).notNullable(); // call | message | survey_reason
    ts(t, 'started_at').notNullable();
    ts(t, 'ended_at').nullable();
    t.integer('duration_ms').nullable();
    t.integer('ticket_id').nullable().references('id').inTable('tickets');
    ts(t, 'created_at').notNullable();
    t.index(['call_id']);
    t.index(['ticket_id']);
  });

  await knex.schema.createTable('attachments', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.string('kind', 20).notNullable(); // photo | audio | document
    t.string('file_name', 200).notNullable();
    t.string('content_type', 100).notNullable();
    t.integer('size').notNullable();
    t.string('path', 500).nullable(); // stored file, or
    t.string('url', 1000).nullable(); // an external media URL (Open311 media_url)
    t.string('stage', 20).notNullable().defaultTo('intake'); // intake | before | after | reply
    t.integer('uploaded_by').nullable();
    ts(t, 'created_at').notNullable();
    t.index(['ticket_id']);
  });

  await knex.schema.createTable('return_visits', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.integer('round').notNullable(); // handling round the visit concerns
    t.integer('attempt').notNullable();
    t.string('method', 20).notNullable(); // auto_call | manual_call | sms
    t.string('outcome', 30).notNullable(); // satisfied | basically_satisfied | unsatisfied | unreachable | busy | no_answer | rejected | no_input | hung_up
    t.text('reason').nullable();
    t.string('call_id', 80).nullable();
    t.integer('actor_id').nullable();
    ts(t, 'attempted_at').notNullable();
    t.index(['ticket_id']);
  });

  await knex.schema.createTable('routing_corrections', (t) => {
    t.increments('id').primary();
    t.integer('ticket_id').nullable().references('id').inTable('tickets');
    t.string('title', 200).nullable();
    t.text('text').notNullable();
    t.string('suggested_code', 40).nullable();
    t.string('chosen_code', 40).notNullable();
    t.integer('actor_id').nullable();
    ts(t, 'created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'routing_corrections', 'return_visits', 'attachments', 'recordings', 'calls', 'idempotency_keys',
    'ticket_events', 'tickets', 'ticket_counters', 'api_clients', 'sessions', 'users', 'units',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
