// The desk's ticket search (issue 14) and merging: the main ticket a duplicate is merged
// into, the co-handling units as rows (a unit's tickets found by index, not by scanning
// the JSON list), indexes for the search's filters and sorts, the text index (see
// storage/search-text.ts), and the audit of searches by a citizen's personal data.
import { Knex } from 'knex';
import { pgTsvector, searchDoc } from '../search-text';

export async function up(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  await knex.schema.alterTable('tickets', (t) => {
    t.integer('merged_into').nullable();
    t.index(['merged_into']);
    t.index(['status', 'accepted_at']);
    t.index(['lead_unit', 'accepted_at']);
    t.index(['town', 'accepted_at']);
    t.index(['event_type', 'accepted_at']);
    t.index(['urgency', 'accepted_at']);
    t.index(['kind', 'accepted_at']);
    t.index(['closed_at']);
    t.index(['updated_at']);
    t.index(['citizen_name']);
  });
  await knex.schema.createTable('ticket_co_units', (t) => {
    t.integer('ticket_id').notNullable().references('id').inTable('tickets');
    t.string('unit_code', 40).notNullable();
    t.primary(['ticket_id', 'unit_code']);
    t.index(['unit_code', 'ticket_id']);
  });
  await knex.schema.createTable('personal_searches', (t) => {
    t.increments('id').primary();
    t.integer('user_id').notNullable().references('id').inTable('users');
    t.string('role', 20).notNullable();
    // JSON: the personal-data filters used (phone, name, address) and the route.
    t.text('filters').notNullable();
    t.string('at', 24).notNullable();
    t.index(['user_id', 'at']);
  });
  if (pg) {
    await knex.raw('alter table tickets add column search_tsv tsvector');
    await knex.raw('create index tickets_search_tsv_gin on tickets using gin (search_tsv)');
  } else {
    await knex.raw("create virtual table ticket_text using fts5(body, addr, content='', contentless_delete=1)");
  }
  // Existing tickets: co-handling rows and text, in batches.
  let last = 0;
  for (;;) {
    const rows = await knex('tickets').where('id', '>', last).orderBy('id').limit(1000).select('id', 'title', 'content', 'address', 'co_units');
    if (!rows.length) break;
    last = Number(rows[rows.length - 1].id);
    const co = rows.flatMap((r) => (JSON.parse(r.co_units || '[]') as string[]).map((u) => ({ ticket_id: r.id, unit_code: u })));
    if (co.length) await knex('ticket_co_units').insert(co).onConflict(['ticket_id', 'unit_code']).ignore();
    for (const r of rows) {
      const doc = searchDoc({ title: r.title, content: r.content, address: r.address });
      if (pg) await knex.raw('update tickets set search_tsv = ?::tsvector where id = ?', [pgTsvector(doc), r.id]);
      else await knex.raw('insert into ticket_text (rowid, body, addr) values (?, ?, ?)', [r.id, doc.body, doc.addr]);
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  if (pg) await knex.raw('alter table tickets drop column if exists search_tsv');
  else await knex.raw('drop table if exists ticket_text');
  await knex.schema.dropTableIfExists('personal_searches');
  await knex.schema.dropTableIfExists('ticket_co_units');
  await knex.schema.alterTable('tickets', (t) => {
    t.dropIndex(['merged_into']);
    t.dropIndex(['status', 'accepted_at']);
    t.dropIndex(['lead_unit', 'accepted_at']);
    t.dropIndex(['town', 'accepted_at']);
    t.dropIndex(['event_type', 'accepted_at']);
    t.dropIndex(['urgency', 'accepted_at']);
    t.dropIndex(['kind', 'accepted_at']);
    t.dropIndex(['closed_at']);
    t.dropIndex(['updated_at']);
    t.dropIndex(['citizen_name']);
    t.dropColumn('merged_into');
  });
}
