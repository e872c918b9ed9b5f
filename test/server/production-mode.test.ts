// Demo secrets are said out loud, and production does not start on them: `npm start` on a
// fresh database runs the demo and says so in its first lines and in every desk page's
// header (the flag in /api/me and /api/desk/meta); HOTLINE_MODE=production (or
// NODE_ENV=production) refuses to start while a demo password or a demo Open311 key is
// active, or while HOST is not loopback and no reverse proxy is declared (TRUST_PROXY).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import net from 'node:net';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Knex } from 'knex';
import { hash } from '@node-rs/argon2';
import { loadConfig } from '../../server/config';
import { createHotline } from '../../server/hotline';
import { seedCity } from '../../storage/seed';
import { openDb } from '../../storage/db';
import { AccountService } from '../../server/services/accounts';
import { openTestDb, closeTestDb } from '../support/db';
import { startTestHotline, testRouting, usersChosePasswords } from '../support/hotline';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/hotline.js');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `server/main.ts` as `npm start` does; resolves with its first output lines once it listens, or with its exit code. */
async function startProcess(env: Record<string, string>): Promise<{ lines: string[]; code: number | null; stop(): Promise<void> }> {
  const flags = /^node (.*) server\/main\.ts$/.exec(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start)![1].split(/\s+/);
  const child = spawn(process.execPath, [...flags, 'server/main.ts'], { cwd: ROOT, env: { ...process.env, NODE_ENV: '', HOTLINE_MODE: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) readline.createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    const t = setInterval(() => {
      if (lines.some((l) => l.includes('民声热线已启动'))) {
        clearInterval(t);
        resolve(null);
      }
    }, 50);
    child.once('exit', () => clearInterval(t));
  });
  return {
    lines,
    code,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

describe('demo secrets said out loud; production refuses them', function () {
  this.timeout(120_000);

  describe('npm start and the hotline CLI, as processes', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-mode-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('npm start on a fresh database runs the demo and says so in its first lines: demo passwords and demo keys, and how to go to production', async () => {
      const db = path.join(dir, 'demo.db');
      const p = await startProcess({ DATABASE_URL: db, PORT: String(await freePort()), HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '0', HOTLINE_DEMO_PASSWORD: '' });
      try {
        assert.equal(p.code, null, p.lines.join('\n'));
        const head = p.lines.slice(0, 6).join('\n');
        assert.match(head, /演示模式/);
        assert.match(head, /演示密码.*hotline-demo/);
        assert.match(head, /demo-web-key/);
        assert.match(head, /HOTLINE_MODE=production/);
      } finally {
        await p.stop();
      }
    });

    it('production refuses that database, naming each demo secret; NODE_ENV=production is production too', async () => {
      for (const env of [{ HOTLINE_MODE: 'production' }, { NODE_ENV: 'production' }] as Record<string, string>[]) {
        const p = await startProcess({ DATABASE_URL: path.join(dir, 'demo.db'), PORT: String(await freePort()), HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '0', ...env });
        await p.stop();
        assert.equal(p.code, 2, p.lines.join('\n'));
        const all = p.lines.join('\n');
        assert.match(all, /生产模式拒绝启动/);
        const users = Number((await (async () => {
          const db = await openDb({ url: path.join(dir, 'demo.db'), migrate: false });
          try { return (await db('users').count({ n: '*' }))[0].n; } finally { await db.destroy(); }
        })()));
        assert.match(all, new RegExp(`${users} 个账号仍使用演示密码`));
        assert.match(all, /demo-web-key/);
        assert.doesNotMatch(all, /民声热线已启动/);
      }
    });

    it('in production, seed gives every user a one-time password and creates no demo key; the server then starts', async () => {
      // A small city (the demo's units, three users), so that hashing one-time passwords stays quick.
      const city = path.join(dir, 'city');
      fs.cpSync(path.join(ROOT, 'city/demo'), city, { recursive: true });
      const users = JSON.parse(fs.readFileSync(path.join(city, 'users.json'), 'utf8'));
      users.templates = users.templates.filter((t: { role: string }) => t.role === 'admin' || t.role === 'operator').map((t: { count: number }) => ({ ...t, count: Math.min(t.count, 2) }));
      fs.writeFileSync(path.join(city, 'users.json'), JSON.stringify(users));
      const url = path.join(dir, 'prod.db');
      const cli = await promisify(execFile)(process.execPath, [BIN, 'seed'], { env: { ...process.env, DATABASE_URL: url, HOTLINE_MODE: 'production', CITY_DIR: city } });
      assert.match(cli.stdout, /新建用户 3 个/);
      assert.match(cli.stdout, /admin\t[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}/);
      assert.match(cli.stdout, /演示密钥未创建/);
      const p = await startProcess({ DATABASE_URL: url, PORT: String(await freePort()), HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '0', HOTLINE_MODE: 'production', CITY_DIR: city });
      try {
        assert.equal(p.code, null, p.lines.join('\n'));
        assert.doesNotMatch(p.lines.join('\n'), /演示模式/);
      } finally {
        await p.stop();
      }
    });
  });

  describe('the start-up checks', () => {
    let db: Knex;
    const start = (env: Record<string, string>) =>
      createHotline(loadConfig({ SCHEDULER_INTERVAL_MS: '0', PORT: '0', ...env }), { db, routing: testRouting(), extensions: [], log: () => {} });
    before(async () => {
      db = await openTestDb();
      await seedCity(db, { password: 'hotline-demo' });
    });
    after(async () => closeTestDb(db));

    it('production refuses demo passwords and demo keys, then a public HOST without a proxy; it starts once they are gone', async () => {
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '127.0.0.1' }), (e: Error) => /演示密码/.test(e.message) && /demo-mailbox-key/.test(e.message));
      await usersChosePasswords(db);
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '127.0.0.1' }), (e: Error) => !/演示密码/.test(e.message) && /demo-grid-key/.test(e.message));
      await db('api_clients').update({ active: false });
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '0.0.0.0' }), /TRUST_PROXY/);
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '10.0.0.5' }), /TRUST_PROXY/);
      for (const env of [{ HOST: '127.0.0.1' }, { HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.2' }] as Record<string, string>[]) {
        const h = await start({ HOTLINE_MODE: 'production', ...env });
        await h.close();
      }
    });

    it('a one-time password (an administrator reset it) is not a demo password; the demo password is, on any account', async () => {
      // The user is still on the demo seed's password; an administrator resets it: a one-time password.
      await db('users').where({ username: 'op05' }).update({ password_origin: 'demo', password_changed_at: null });
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '127.0.0.1' }), /1 个账号仍使用演示密码（op05）/);
      const op05 = (await db('users').where({ username: 'op05' }).first()).id;
      await new AccountService({ db, now: () => new Date() }).resetPassword(op05, null);
      const h = await start({ HOTLINE_MODE: 'production', HOST: '127.0.0.1' });
      await h.close();
      // Accounts from before the origin was recorded: their hash is verified against the demo passwords.
      await db('users').where({ username: 'op05' }).update({ password_hash: await hash('hotline-demo'), password_origin: null });
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '127.0.0.1' }), /1 个账号仍使用演示密码（op05）/);
      await db('users').where({ username: 'op05' }).update({ password_hash: await hash('My-own-demo-1') });
      await assert.rejects(start({ HOTLINE_MODE: 'production', HOST: '127.0.0.1', HOTLINE_DEMO_PASSWORD: 'My-own-demo-1' }), /op05/);
      await new AccountService({ db, now: () => new Date() }).resetPassword(op05, null);
    });
  });

  it('the desk reads the flag: demo true with the notice in /api/me and /api/desk/meta in demo mode', async () => {
    const h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    try {
      const op = await h.as('op01');
      for (const path of ['/api/me', '/api/desk/meta']) {
        const r = await op('GET', path);
        assert.equal(r.body.demo, true, path);
        assert.match(r.body.demoNotice, /演示/);
        assert.match(r.body.demoNotice, /Open311 演示密钥/);
      }
    } finally {
      await h.close();
    }
  });
});
