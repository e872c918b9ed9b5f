// The `hotline` command as an administrator runs it (a real process on a real SQLite file).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { verify } from '@node-rs/argon2';
import { openDb } from '../../storage/db';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/hotline.js');

describe('hotline CLI', function () {
  this.timeout(60_000);
  let dir: string;
  const hotline = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: path.join(dir, 'h.db'), HOTLINE_DEMO_PASSWORD: 'cli-password' } });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e: any) {
      return { code: e.code as number, out: e.stdout as string, err: e.stderr as string };
    }
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('seed loads the demo city once; running it again creates nothing', async () => {
    assert.match((await hotline('seed')).out, /47 个单位，新建用户 83 个/);
    assert.match((await hotline('seed')).out, /新建用户 0 个/);
  });

  it('sla due prints the due time with the city’s offset on its last line (the eve of National Day falls on the make-up Saturday)', async () => {
    const r = await hotline('sla', 'due', '--from', '2026-09-30T17:29:00+08:00', '--class', 'general');
    assert.equal(r.code, 0);
    assert.equal(r.out.trim().split('\n').at(-1), '2026-10-10T17:29:00+08:00');
  });

  it('calendar import stores a valid year for every server and refuses a malformed one', async () => {
    const good = path.join(dir, '2027.json');
    fs.writeFileSync(good, JSON.stringify({ year: 2027, title: '测试用', holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }] }));
    assert.match((await hotline('calendar', 'import', good)).out, /已载入 2027 年/);
    const r = await hotline('sla', 'due', '--from', '2026-12-30T10:00:00+08:00', '--class', 'general');
    assert.equal(r.out.trim().split('\n').at(-1), '2027-01-05T10:00:00+08:00');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"year":2028,"holidays":"none"}');
    const refused = await hotline('calendar', 'import', bad);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /holidays/);
  });

  it('user add / reset-password / disable: one-time passwords that sign in, refusals that change nothing', async () => {
    const added = await hotline('user', 'add', '--username', 'op33', '--name', '接线员33', '--role', 'operator', '--unit', 'center', '--extension', '1033');
    assert.equal(added.code, 0, added.err);
    const first = added.out.trim().split('\n').at(-1)!;
    const db = await openDb({ url: path.join(dir, 'h.db') });
    try {
      const hashOf = async () => (await db('users').where({ username: 'op33' }).first()).password_hash;
      assert.ok(await verify(await hashOf(), first));
      assert.match((await hotline('user', 'list')).out, /op33\t接线员33\toperator\tcenter\t1033\t启用\t初始密码/);
      const clash = await hotline('user', 'add', '--username', 'op34', '--name', '接线员34', '--role', 'operator', '--unit', 'center', '--extension', '1033');
      assert.equal(clash.code, 2);
      assert.match(clash.err, /分机号 1033 已分配给 接线员33/);
      assert.equal(await db('users').where({ username: 'op34' }).first(), undefined);
      const reset = await hotline('user', 'reset-password', 'op33');
      const second = reset.out.trim().split('\n').at(-1)!;
      assert.notEqual(second, first);
      assert.ok(await verify(await hashOf(), second));
      assert.match((await hotline('user', 'disable', 'op33')).out, /已停用/);
      assert.equal((await db('users').where({ username: 'op33' }).first()).active, 0);
      assert.equal((await hotline('user', 'disable', 'nobody')).code, 2);
    } finally {
      await db.destroy();
    }
  });

  it('backup writes a checked copy beside the database; on PostgreSQL it points to pg_dump', async () => {
    const r = await hotline('backup', '--keep', '3');
    assert.equal(r.code, 0, r.err);
    const copy = /已备份并校验：(\S+\.db)/.exec(r.out)![1];
    assert.equal(path.dirname(copy), path.join(dir, 'backups'));
    assert.ok(fs.statSync(copy).size > 0);
    assert.equal((await hotline('backup', '--keep', '0')).code, 2);
    const pg = await run(process.execPath, [BIN, 'backup'], { env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' } }).catch((e) => e);
    assert.equal(pg.code, 2);
    assert.match(pg.stderr, /pg_dump/);
  });

  it('prints the daily bulletin and the transcription backlog; an unknown command exits 2 with the list', async () => {
    const b = await hotline('bulletin', 'daily', '--date', '2026-11-23');
    assert.equal(b.code, 0);
    assert.match(b.out, /^民情快报 2026-11-23/);
    assert.match((await hotline('speech', 'backlog')).out, /语音转写：排队 0/);
    const unknown = await hotline('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.out, /bulletin/);
  });
});
