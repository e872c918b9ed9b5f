import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestHotline, TestHotline, Caller } from '../support/hotline';
import { openTestDb, closeTestDb, handleOf } from '../support/db';

const run = promisify(execFile);
// Monday 2026-11-23 10:00 in Beijing.
const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z');
const HOUR = 3600_000;

describe('scheduler: warnings and breaches', function () {
  let h: TestHotline;
  let op: Caller;
  let cgj: Caller;
  let now = MONDAY_10;
  const alarmsOf = async (id: number) =>
    (await h.db('ticket_events').where({ ticket_id: id, action: 'alarm' }).orderBy('id')).map((e) => {
      const d = JSON.parse(e.data);
      return `${d.clock}:${d.level}`;
    });

  before(async () => {
    h = await startTestHotline({ now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    cgj = await h.as('cgj');
  });
  after(async () => h.close());

  it('warns at 75 % of the acknowledge time, breaches at due, each once, and pushes the alarm', async () => {
    now = MONDAY_10;
    const { body } = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '路灯不亮', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    const id = body.ticket.id;
    const pushed: string[] = [];
    const off = h.hotline.bus.on('ticket', (p) => p.events.forEach((e) => e.action === 'alarm' && pushed.push(`${e.data.clock}:${e.data.level}`)));
    // Ack due 12:00 (2 working hours); warning at 75 % = 11:30.
    now = MONDAY_10 + 1.4 * HOUR;
    assert.equal((await h.hotline.tickets.fireDueAlarms()).length, 0);
    now = MONDAY_10 + 1.5 * HOUR;
    await h.hotline.tickets.fireDueAlarms();
    assert.deepEqual(await alarmsOf(id), ['ack:warning']);
    await h.hotline.tickets.fireDueAlarms();
    assert.deepEqual(await alarmsOf(id), ['ack:warning'], 'nothing fires twice');
    now = MONDAY_10 + 2 * HOUR;
    await h.hotline.tickets.fireDueAlarms();
    assert.deepEqual(await alarmsOf(id), ['ack:warning', 'ack:breach']);
    const e = (await h.db('ticket_events').where({ ticket_id: id, action: 'alarm' }).orderBy('id', 'desc').first());
    assert.equal(JSON.parse(e.data).unit, 'cgj');
    assert.deepEqual(pushed, ['ack:warning', 'ack:breach']);
    off();
  });

  it('a unit that acknowledges in time gets no acknowledge alarm, and its close clock still warns', async () => {
    now = MONDAY_10;
    const { body } = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '井盖缺失', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    await cgj('POST', `/api/tickets/${body.ticket.id}/transitions`, { action: 'acknowledge' });
    now = Date.parse('2026-11-26T01:00:00Z'); // Thursday 09:00, past 75 % of 3 working days
    await h.hotline.tickets.fireDueAlarms();
    assert.deepEqual(await alarmsOf(body.ticket.id), ['close:warning']);
  });

  it('after a restart overdue work fires at once: the breach alone, not the stale warning', async () => {
    now = MONDAY_10;
    const db = await openTestDb();
    const first = await startTestHotline({ db, now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    const t = await (await first.as('op01'))('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '下水道堵塞', dispatch: { leadUnit: 'zjj', coUnits: [] } });
    await first.close();
    now = MONDAY_10 + 30 * HOUR; // the server was down through the acknowledge deadline
    const second = await startTestHotline({ db, now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '50' } });
    for (let i = 0; i < 100 && !(await db('ticket_events').where({ ticket_id: t.body.ticket.id, action: 'alarm' }).first()); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const alarms = (await db('ticket_events').where({ ticket_id: t.body.ticket.id, action: 'alarm' })).map((e) => JSON.parse(e.data));
    assert.deepEqual(alarms.map((a) => `${a.clock}:${a.level}`), ['ack:breach']);
    await second.close();
    await closeTestDb(db);
  });
});

describe('scheduler: two server processes', function () {
  this.timeout(60_000);

  it('never fire the same alarm twice', async () => {
    const now = MONDAY_10;
    const db = await openTestDb();
    const h = await startTestHotline({ db, now: () => new Date(now), env: { SCHEDULER_INTERVAL_MS: '0' } });
    const op = await h.as('op01');
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) => op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: `第 ${i} 件`, dispatch: { leadUnit: i % 2 ? 'cgj' : 'zjj', coUnits: [] } })),
    );
    await h.close();
    const handle = handleOf(db);
    const later = new Date(MONDAY_10 + 1.6 * HOUR).toISOString(); // every ack warning is due
    const worker = path.join(__dirname, 'fire-worker.ts');
    const results = await Promise.all(
      [1, 2].map(() => run(process.execPath, ['--import', 'tsx', worker, handle.url, handle.schema ?? '', later], { cwd: path.resolve(__dirname, '../..') })),
    );
    const written = results.map((r) => JSON.parse(r.stdout.trim()).events as number);
    const events = await db('ticket_events').where({ action: 'alarm' });
    const fired = await db('ticket_alarms');
    assert.equal(events.length, n, `each of the ${n} warnings once (workers wrote ${written.join(' + ')})`);
    assert.equal(written[0] + written[1], n);
    assert.equal(fired.length, n);
    assert.equal(new Set(events.map((e) => e.ticket_id)).size, n);
    await closeTestDb(db);
  });
});
