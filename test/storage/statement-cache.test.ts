import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cachePreparedStatements } from '../../storage/statement-cache';
import { openDb } from '../../storage/db';

describe('prepared statement cache (SQLite)', () => {
  let dir: string;
  let conn: Database.Database;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stmt-cache-'));
    conn = new Database(path.join(dir, 'c.db'));
    conn.exec('create table t (id integer primary key, v text)');
  });
  afterEach(() => {
    conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands back the statement it prepared for the same text, and runs it with new bindings', () => {
    cachePreparedStatements(conn);
    const a = conn.prepare('insert into t (v) values (?)');
    assert.equal(conn.prepare('insert into t (v) values (?)'), a);
    a.run('一');
    conn.prepare('insert into t (v) values (?)').run('二');
    assert.deepEqual(conn.prepare('select v from t order by id').all(), [{ v: '一' }, { v: '二' }]);
  });

  it('keeps at most the given number, dropping the least recently used', () => {
    cachePreparedStatements(conn, 2);
    const one = conn.prepare('select 1');
    const two = conn.prepare('select 2');
    assert.equal(conn.prepare('select 1'), one); // now "select 2" is the stalest
    conn.prepare('select 3');
    assert.equal(conn.prepare('select 1'), one);
    assert.notEqual(conn.prepare('select 2'), two);
  });

  it('a cached statement sees a schema change made after it was prepared', () => {
    cachePreparedStatements(conn);
    conn.prepare('insert into t (v) values (?)').run('a');
    assert.deepEqual(conn.prepare('select * from t').all(), [{ id: 1, v: 'a' }]);
    conn.exec("alter table t add column w text default 'x'");
    assert.deepEqual(conn.prepare('select * from t').all(), [{ id: 1, v: 'a', w: 'x' }]);
  });

  it('a bad statement is refused as before and not kept', () => {
    cachePreparedStatements(conn);
    assert.throws(() => conn.prepare('select * from missing'), /no such table/);
    conn.exec('create table missing (x)');
    assert.deepEqual(conn.prepare('select * from missing').all(), []);
  });

  it('is what the SQLite databases opened by openDb use', async () => {
    const db = await openDb({ url: path.join(dir, 'k.db') });
    try {
      const raw = (await db.client.acquireConnection()) as Database.Database;
      try {
        assert.equal(raw.prepare('select 1'), raw.prepare('select 1'));
      } finally {
        await db.client.releaseConnection(raw);
      }
    } finally {
      await db.destroy();
    }
  });
});
