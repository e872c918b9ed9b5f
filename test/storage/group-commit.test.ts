import assert from 'node:assert/strict';
import { Knex } from 'knex';
import { openTestDb, closeTestDb } from '../support/db';
import { GroupCommit } from '../../storage/group-commit';

describe('group commit', () => {
  let db: Knex;
  before(async () => {
    db = await openTestDb();
  });
  after(async () => closeTestDb(db));

  const unit = (code: string) => ({ code, name: code, kind: 'department', active: true });

  it('concurrent writes share a transaction, and one that fails is rolled back alone', async () => {
    const gc = new GroupCommit(db);
    const results = await Promise.allSettled([
      gc.run((trx) => trx('units').insert(unit('gc_a'))),
      gc.run(async (trx) => {
        await trx('units').insert(unit('gc_b'));
        throw new Error('refused');
      }),
      gc.run((trx) => trx('units').insert(unit('gc_c'))),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    const codes = (await db('units').whereLike('code', 'gc_%').orderBy('code')).map((r) => r.code);
    assert.deepEqual(codes, ['gc_a', 'gc_c']);
  });

  it('a write alone that fails leaves nothing behind', async () => {
    const gc = new GroupCommit(db);
    await assert.rejects(
      gc.run(async (trx) => {
        await trx('units').insert(unit('gc_d'));
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.equal(await db('units').where({ code: 'gc_d' }).first(), undefined);
  });

  it('a promise settles only after its batch is committed', async () => {
    const gc = new GroupCommit(db);
    await Promise.all(Array.from({ length: 20 }, (_, i) => gc.run((trx) => trx('units').insert(unit(`gc_n${i}`)))));
    assert.equal(Number((await db('units').whereLike('code', 'gc_n%').count({ n: '*' }))[0].n), 20);
  });
});
