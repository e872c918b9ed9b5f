// Speech: durable transcription jobs (one per recording), the transcripts they
// produce, and the emergency words heard (kept until the alert was delivered).
// Times are ISO 8601 UTC strings, as in 001_core.
import { Knex } from 'knex';

const ts = (t: Knex.CreateTableBuilder, name: string) => t.string(name, 24);

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('speech_jobs', (t) => {
    t.increments('id').primary();
    t.integer('recording_id').notNullable().unique().references('id').inTable('recordings');
    t.string('status', 20).notNullable(); // queued | running | done | failed
    t.integer('attempts').notNullable().defaultTo(0);
    ts(t, 'next_attempt_at').notNullable();
    t.string('claimed_by', 80).nullable(); // the worker holding the job
    ts(t, 'lease_until').nullable(); // a running job whose lease passed is taken over
    t.text('last_error').nullable();
    ts(t, 'created_at').notNullable();
    ts(t, 'updated_at').notNullable();
    ts(t, 'finished_at').nullable();
    t.index(['status', 'next_attempt_at']);
  });

  await knex.schema.createTable('speech_transcripts', (t) => {
    t.increments('id').primary();
    t.integer('job_id').notNullable().unique().references('id').inTable('speech_jobs');
    t.integer('recording_id').notNullable().unique().references('id').inTable('recordings');
    t.string('call_id', 80).nullable();
    t.integer('ticket_id').nullable().references('id').inTable('tickets');
    t.string('provider', 30).notNullable();
    t.string('language', 20).notNullable();
    t.text('text').notNullable();
    t.text('caller_text').notNullable();
    t.text('segments').notNullable().defaultTo('[]'); // JSON [{start, end, text, speaker?}]
    t.integer('audio_ms').notNullable();
    ts(t, 'created_at').notNullable();
    t.index(['call_id']);
    t.index(['ticket_id']);
  });

  await knex.schema.createTable('speech_alerts', (t) => {
    t.increments('id').primary();
    t.integer('recording_id').notNullable().references('id').inTable('recordings');
    t.string('call_id', 80).nullable();
    t.integer('ticket_id').nullable().references('id').inTable('tickets');
    t.string('keyword', 60).notNullable();
    t.string('source', 10).notNullable(); // audio (keyword spotter) | text (transcript)
    t.integer('offset_ms').nullable();
    t.string('speaker', 10).nullable(); // caller | agent
    ts(t, 'created_at').notNullable();
    ts(t, 'notified_at').nullable(); // onEmergency returned; null = deliver again
    t.unique(['recording_id', 'keyword']);
    t.index(['notified_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('speech_alerts');
  await knex.schema.dropTableIfExists('speech_transcripts');
  await knex.schema.dropTableIfExists('speech_jobs');
}
