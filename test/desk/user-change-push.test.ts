// The push socket follows the user as they are now, not as they were when it connected:
// moved to another unit, it gets the new unit's tickets and none of the old one's; disabled,
// reset or signed out elsewhere by a password change, it is closed — at once on the server
// where the change was made, and on every other server (two processes on PostgreSQL).
import assert from 'node:assert/strict';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, ChildProcess } from 'node:child_process';
import { startTestHotline, TestHotline, Caller, TEST_PASSWORD } from '../support/hotline';
import { handleOf, testDatabaseUrl } from '../support/db';
import { loginCookie, openPush, nothingLike, PushClient } from './support/ws';

const appeal = (leadUnit: string) => ({ channel: 'hotline', kind: 'complaint', content: '金光街路灯不亮', citizenPhone: '13812345678', dispatch: { leadUnit, coUnits: [] } });
const closedWith = (c: PushClient) => new Promise<number>((r) => (c.ws.readyState === c.ws.CLOSED ? r(-1) : c.ws.once('close', (code) => r(code))));

function suite(name: string, twoServers: boolean) {
  describe(name, function () {
    this.timeout(60_000);
    let h: TestHotline;
    let second: ChildProcess | null = null;
    let pushBase: string;
    let admin: Caller;
    let op: Caller;
    const clients: PushClient[] = [];
    const userId = async (username: string) => (await h.db('users').where({ username }).first()).id as number;

    before(async function () {
      if (twoServers && !testDatabaseUrl()) {
        console.log('      (skipped: two server processes share one database on PostgreSQL only — set TEST_DATABASE_URL)');
        this.skip();
      }
      h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
      pushBase = h.base;
      if (twoServers) {
        const handle = handleOf(h.db);
        second = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support/second-server.ts')], {
          cwd: path.resolve(__dirname, '../..'), env: { ...process.env, DESK_TEST_DB_URL: handle.url, DESK_TEST_SCHEMA: handle.schema ?? '' }, stdio: ['pipe', 'pipe', 'inherit'],
        });
        const first = await new Promise<string>((resolve, reject) => {
          second!.once('exit', (c) => reject(new Error(`second server exited ${c}`)));
          readline.createInterface({ input: second!.stdout! }).once('line', resolve);
        });
        // The sockets are on the second server; the administrator works on the first.
        pushBase = `http://127.0.0.1:${JSON.parse(first).port}`;
      }
      admin = await h.as('admin');
      op = await h.as('op01');
    });
    after(async () => {
      for (const c of clients) c.close();
      if (second) {
        second.stdin?.end();
        await new Promise((r) => (second!.exitCode !== null ? r(null) : second!.once('exit', r)));
      }
      await h?.close();
    });
    const connect = async (username: string) => {
      const c = await openPush(pushBase, (await loginCookie(pushBase, username)).cookie);
      clients.push(c);
      return c;
    };
    /** On another server the change travels over NOTIFY: give it a moment. */
    const settle = () => new Promise((r) => setTimeout(r, twoServers ? 500 : 0));

    it("a handler moved to another unit gets the new unit's tickets and none of the old one's", async () => {
      const sock = await connect('jtj');
      const before = await op('POST', '/api/tickets', appeal('jtj'));
      await sock.next((m) => m.type === 'ticket' && m.ticket.id === before.body.ticket.id);
      assert.equal((await admin('PATCH', `/api/admin/users/${await userId('jtj')}`, { unit: 'slj' })).status, 200);
      await settle();
      const old = await op('POST', '/api/tickets', appeal('jtj'));
      const moved = await op('POST', '/api/tickets', appeal('slj'));
      if (sock.ws.readyState === sock.ws.OPEN) {
        await sock.next((m) => m.type === 'ticket' && m.ticket.id === moved.body.ticket.id);
        assert.ok(await nothingLike(sock, (m) => m.type === 'ticket' && m.ticket.id === old.body.ticket.id));
      } else {
        // Or the socket was ended so that the page reconnects in its new unit: then it got nothing more either.
        assert.ok(!sock.messages.some((m) => m.type === 'ticket' && m.ticket.id === old.body.ticket.id));
      }
    });

    it('a disabled account is closed at once and gets nothing more', async () => {
      const sock = await connect('yjj');
      const closed = closedWith(sock);
      assert.equal((await admin('PATCH', `/api/admin/users/${await userId('yjj')}`, { active: false })).status, 200);
      await settle();
      const after = await op('POST', '/api/tickets', appeal('yjj'));
      assert.equal(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 1500))]), 4401);
      assert.ok(!sock.messages.some((m) => m.type === 'ticket' && m.ticket.id === after.body.ticket.id));
    });

    it("a password reset closes the user's sockets at once", async () => {
      const sock = await connect('op07');
      const closed = closedWith(sock);
      assert.equal((await admin('POST', `/api/admin/users/${await userId('op07')}/password-reset`)).status, 200);
      assert.equal(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 1500))]), 4401);
    });

    it("a user changing their password closes their other sockets, not this one's", async () => {
      const other = await connect('op08');
      const c = await loginCookie(h.base, 'op08');
      const mine = await openPush(h.base, c.cookie);
      clients.push(mine);
      const closed = closedWith(other);
      const r = await fetch(h.base + '/api/me/password', {
        method: 'PUT', headers: { 'content-type': 'application/json', cookie: c.cookie, 'x-csrf-token': c.csrf }, body: JSON.stringify({ currentPassword: TEST_PASSWORD, newPassword: 'Zhonghua-2026' }),
      });
      assert.equal(r.status, 204);
      assert.equal(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still open'), 1500))]), 4401);
      assert.equal(mine.ws.readyState, mine.ws.OPEN);
    });
  });
}

suite('pushes follow the user as they are now (one server)', false);
suite('pushes follow the user as they are now, across two server processes (PostgreSQL)', true);
