// Two real server processes on one PostgreSQL: what happens on one is pushed to the
// browsers connected to the other (LISTEN/NOTIFY), still filtered per role and unit.
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn, ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { startTestHotline, TestHotline, call, TEST_PASSWORD } from '../support/hotline';
import { handleOf, testDatabaseUrl } from '../support/db';
import { loginCookie, openPush, nothingLike, PushClient } from './support/ws';

const repoRoot = path.resolve(__dirname, '../..');

describe('desk pushes across two server processes (PostgreSQL LISTEN/NOTIFY)', function () {
  this.timeout(60_000);
  let h: TestHotline;
  let second: ChildProcess;
  let base2: string;
  const clients: PushClient[] = [];
  const byUser = new Map<string, PushClient>();

  before(async function () {
    if (!testDatabaseUrl()) {
      console.log('      (skipped: the fan-out between servers needs PostgreSQL — set TEST_DATABASE_URL; on SQLite one server needs none)');
      this.skip();
    }
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    const handle = handleOf(h.db);
    second = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support/second-server.ts')], {
      cwd: repoRoot, env: { ...process.env, DESK_TEST_DB_URL: handle.url, DESK_TEST_SCHEMA: handle.schema ?? '' }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      second.once('exit', (c) => reject(new Error(`second server exited ${c}`)));
      readline.createInterface({ input: second.stdout! }).once('line', resolve);
    });
    base2 = `http://127.0.0.1:${JSON.parse(first).port}`;
  });
  after(async () => {
    for (const c of clients) c.close();
    if (second) {
      second.stdin?.end();
      await new Promise((r) => (second.exitCode !== null ? r(null) : second.once('exit', r)));
    }
    await h?.close();
  });

  const connect = async (username: string) => {
    const c = await openPush(h.base, (await loginCookie(h.base, username)).cookie);
    clients.push(c);
    byUser.set(username, c);
    return c;
  };

  it('a ticket created on the other server reaches the operators and the lead unit here, and not another unit', async () => {
    const [op, cgj, zjj] = await Promise.all([connect('op01'), connect('cgj'), connect('zjj')]);
    const login = await call(base2, 'POST', '/api/session', { username: 'op02', password: TEST_PASSWORD });
    const r = await call(base2, 'POST', '/api/tickets', {
      channel: 'hotline', kind: 'complaint', content: '金光街路灯不亮', citizenPhone: '13812345678', dispatch: { leadUnit: 'cgj', coUnits: [] },
    }, { authorization: `Bearer ${login.body.token}` });
    assert.equal(r.status, 201);
    const id = r.body.ticket.id;
    const forOp = await op.next((m) => m.type === 'ticket' && m.ticket.id === id);
    assert.equal(forOp.ticket.citizenPhone, '13812345678');
    const forUnit = await cgj.next((m) => m.type === 'ticket' && m.ticket.id === id);
    assert.equal(forUnit.ticket.citizenPhone, '138****5678');
    assert.ok(await nothingLike(zjj, (m) => m.type === 'ticket' && m.ticket.id === id));
  });

  it('a call offered on the other server pops on its operator here (call event published on that server\'s bus)', async () => {
    const op = byUser.get('op01')!;
    const ext = (await h.db('users').where({ username: 'op01' }).first()).extension;
    second.stdin!.write(JSON.stringify({ type: 'call_offered', at: new Date().toISOString(), callId: 'x-1', caller: '13900001111', agent: ext, queue: 'hotline', queueWaitMs: 1200 }) + '\n');
    const pop = await op.next((m) => m.type === 'call' && m.call.callId === 'x-1');
    assert.equal(pop.call.caller, '13900001111');
    assert.ok(await nothingLike(byUser.get('cgj')!, (m) => m.type === 'call'));
  });

  it('an acknowledgement made here reaches a supervisor connected to the other server', async () => {
    const sup = await openPush(base2, (await loginCookie(base2, 'sup01')).cookie);
    clients.push(sup);
    const t = await h.db('tickets').where({ lead_unit: 'cgj', status: 'dispatched' }).first();
    const cgj = await h.as('cgj');
    assert.equal((await cgj('POST', `/api/tickets/${t.id}/transitions`, { action: 'acknowledge' })).status, 200);
    const m = await sup.next((x) => x.type === 'ticket' && x.ticket.id === t.id && x.ticket.status === 'acknowledged');
    assert.equal(m.events[0].action, 'acknowledge');
  });
});
