import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Knex } from 'knex';
import { openDb } from '../../storage/db';
import { backupSqlite } from '../../storage/backup';

describe('SQLite backup while the hotline runs', () => {
  let dir: string;
  let db: Knex;
  const file = () => path.join(dir, 'hotline.db');
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-'));
    db = await openDb({ url: file() });
    await db('units').insert({ code: 'bk1', name: '备份测试单位', kind: 'department', active: true });
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies what is committed, including what is still only in the WAL, into a checked file', async () => {
    const r = await backupSqlite(file(), path.join(dir, 'backups'), { now: new Date('2026-11-23T18:00:00Z') });
    assert.equal(path.basename(r.file), 'hotline-20261123-180000.db');
    const copy = new Database(r.file, { readonly: true });
    try {
      assert.deepEqual(copy.prepare("select name from units where code = 'bk1'").get(), { name: '备份测试单位' });
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      copy.close();
    }
    // The server's connection goes on writing.
    await db('units').insert({ code: 'bk2', name: '备份后新增', kind: 'department', active: true });
    assert.equal((await db('units').whereIn('code', ['bk1', 'bk2'])).length, 2);
  });

  it('keeps the newest copies only', async () => {
    const out = path.join(dir, 'backups');
    for (const h of ['01', '02', '03']) await backupSqlite(file(), out, { now: new Date(`2026-11-23T${h}:00:00Z`), keep: 2 });
    assert.deepEqual(fs.readdirSync(out).sort(), ['hotline-20261123-020000.db', 'hotline-20261123-030000.db']);
  });

  it('refuses a missing database and an existing backup name, and leaves no partial file', async () => {
    await assert.rejects(backupSqlite(path.join(dir, 'nope.db'), dir), /数据库文件不存在/);
    const at = new Date('2026-11-23T05:00:00Z');
    await backupSqlite(file(), path.join(dir, 'b'), { now: at });
    await assert.rejects(backupSqlite(file(), path.join(dir, 'b'), { now: at }), /备份文件已存在/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'b')), ['hotline-20261123-050000.db']);
  });
});
