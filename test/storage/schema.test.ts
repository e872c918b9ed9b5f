import assert from 'node:assert/strict';
import { Knex } from 'knex';
import { openTestDb, closeTestDb } from '../support/db';
import { dbKind } from '../../storage/db';

describe('storage', () => {
  let db: Knex;
  before(async () => { db = await openTestDb(); });
  after(async () => { await closeTestDb(db); });

  it('creates every core table by migration', async () => {
    for (const table of ['units', 'users', 'tickets', 'ticket_events', 'calls', 'recordings', 'attachments', 'return_visits']) {
      assert.equal(await db.schema.hasTable(table), true, table);
    }
    assert.ok(['sqlite', 'postgres'].includes(dbKind(db)));
  });
});
