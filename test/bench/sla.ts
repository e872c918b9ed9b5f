// npm run bench:sla — with 1,000,000 open tickets in the database: the time to find
// everything due in the next minute (through the next_alarm_at index), deadline
// computations per second, and a restart catching up 10,000 overdue alarms.
// SQLite always; PostgreSQL too when it is reachable (BENCH_PG_URL).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Knex } from 'knex';
import { Client } from 'pg';
import { openDb, dbKind } from '../../storage/db';
import { ticketsWithDueAlarms } from '../../storage/alarms';
import { computeClocks, defaultClockPolicy, clockStateOfTicket, nextAlarmAt } from '../../workflow/clocks';
import { loadConfig } from '../../server/config';
import { createHotline } from '../../server/hotline';
import { loadRoutingForServer } from '../../server/routing-port';
import { writeSection } from './report';

const OPEN = Number(process.env.BENCH_SLA_TICKETS ?? 1_000_000);
const OVERDUE = 10_000;
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NOW = new Date('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
const policy = defaultClockPolicy();

function ticketRow(i: number, dispatchedAt: Date, nextAlarm: string | null) {
  const c = computeClocks({ dispatchedAt, urgency: 'general' }, policy);
  const at = dispatchedAt.toISOString();
  return {
    number: `B${String(i).padStart(9, '0')}`, channel: 'hotline', kind: 'complaint', status: 'dispatched', content: '基准测试工单', urgency: 'general',
    lead_unit: 'cgj', co_units: '[]', first_unit: 'cgj', accepted_at: at, dispatched_at: at, ack_due_at: c.ackDueAt, due_at: c.dueAt,
    updated_at: at, next_alarm_at: nextAlarm, anonymous: false, no_callback: false, return_overruled: false, handling_round: 1, escalation_level: 0,
  };
}

async function fill(db: Knex, log: (l: string) => void): Promise<number> {
  await db('units').insert({ code: 'cgj', name: '城市管理局', kind: 'department', active: true }).onConflict('code').ignore();
  const t0 = performance.now();
  // The open tickets' next alarms spread over the next 30 days (one every ~2.6 s).
  const spread = 30 * 86400_000;
  const chunk = dbKind(db) === 'postgres' ? 2000 : 500;
  // Dispatch times from a small set, so the clock arithmetic is not what this measures.
  const templates = Array.from({ length: 64 }, (_, k) => new Date(NOW.getTime() - k * 3600_000));
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < OPEN; i++) {
    const next = new Date(NOW.getTime() + Math.floor((i / OPEN) * spread) + 1000).toISOString();
    rows.push(ticketRow(i, templates[i % templates.length], next));
    if (rows.length === chunk * 10 || i === OPEN - 1) {
      await db.transaction(async (trx) => {
        for (let j = 0; j < rows.length; j += chunk) await trx('tickets').insert(rows.slice(j, j + chunk));
      });
      rows.length = 0;
      if (i % 200_000 < chunk * 10) log(`  ${i + 1} tickets`);
    }
  }
  return (performance.now() - t0) / 1000;
}

async function benchDb(label: string, db: Knex, log: (l: string) => void): Promise<string[]> {
  const fillS = await fill(db, log);
  // As autovacuum would after a bulk load: the planner needs statistics to choose the index.
  if (dbKind(db) === 'postgres') await db.raw('analyze tickets');
  const minuteAhead = new Date(NOW.getTime() + 60_000);
  const times: number[] = [];
  let found = 0;
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    found = (await ticketsWithDueAlarms(db, minuteAhead, 100_000)).length;
    times.push(performance.now() - t0);
  }
  const plan =
    dbKind(db) === 'postgres'
      ? (await db.raw(`explain select id from tickets where next_alarm_at is not null and next_alarm_at <= ? order by next_alarm_at limit 100000`, [minuteAhead.toISOString()])).rows.map((r: any) => r['QUERY PLAN']).join(' / ')
      : (await db.raw(`explain query plan select id from tickets where next_alarm_at is not null and next_alarm_at <= ? order by next_alarm_at limit 100000`, [minuteAhead.toISOString()])).map((r: any) => r.detail).join(' / ');

  // Catch-up after a restart: 10,000 tickets whose acknowledge deadline passed while the server was down.
  const overdueAt = new Date(NOW.getTime() - 3 * 86400_000);
  const overdueRows = Array.from({ length: OVERDUE }, (_, i) => {
    const r = ticketRow(OPEN + i, overdueAt, null);
    const state = clockStateOfTicket({ status: 'dispatched', urgency: 'general', dispatchedAt: r.dispatched_at, ackDueAt: r.ack_due_at, feedbackDueAt: null, dueAt: r.due_at, acknowledgedAt: null, feedbackAt: null, repliedAt: null, closedAt: null, updatedAt: r.updated_at }, policy)!;
    return { ...r, next_alarm_at: nextAlarmAt(state, [], NOW) };
  });
  for (let j = 0; j < overdueRows.length; j += 500) await db('tickets').insert(overdueRows.slice(j, j + 500));
  const h = await createHotline(loadConfig({ SCHEDULER_INTERVAL_MS: '0', HOTLINE_DEMO_PASSWORD: 'bench-password' }), {
    db, routing: loadRoutingForServer(), extensions: [], now: () => NOW, log: () => {},
  });
  const t0 = performance.now();
  let events = 0;
  for (;;) {
    const fired = await h.tickets.fireDueAlarms(500);
    if (!fired.length) break;
    events += fired.length;
  }
  const catchUpS = (performance.now() - t0) / 1000;
  const left = Number((await db('tickets').where('next_alarm_at', '<=', NOW.toISOString()).count({ n: '*' }))[0].n);
  await h.close();
  times.sort((a, b) => a - b);
  log(`${label}: due-in-a-minute query ${times[2].toFixed(1)} ms (${found} found); catch-up ${events} alarms in ${catchUpS.toFixed(1)} s`);
  return [
    `| ${label} | ${OPEN.toLocaleString('en')} open tickets inserted | ${fillS.toFixed(0)} s | |`,
    `| ${label} | find everything due in the next minute (median of 5) | ${times[2].toFixed(1)} ms | ${found} tickets; plan: ${plan.replace(/\|/g, '/')} |`,
    `| ${label} | restart catch-up: ${OVERDUE.toLocaleString('en')} overdue tickets | ${catchUpS.toFixed(1)} s | ${events} alarm events (${(events / catchUpS).toFixed(0)}/s), ${left} left due |`,
  ];
}

async function main() {
  const log = (l: string) => console.log(l);
  const rows: string[] = [];
  // Deadline computations per second (pure).
  const n = 200_000;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) computeClocks({ dispatchedAt: new Date(NOW.getTime() + i * 97_000), urgency: i % 3 ? 'general' : 'complex' }, policy);
  const rate = n / ((performance.now() - t0) / 1000);
  rows.push(`| (pure) | deadline computations (computeClocks, general/complex, spread over 7 months) | ${Math.round(rate).toLocaleString('en')}/s | |`);
  log(`computeClocks: ${rate.toFixed(0)}/s`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-sla-'));
  const sqlite = await openDb({ url: path.join(dir, 'hotline.db') });
  await sqlite.raw('pragma synchronous = NORMAL'); // bulk fill only; the server runs FULL
  rows.push(...(await benchDb('SQLite', sqlite, log)));
  await sqlite.destroy();
  fs.rmSync(dir, { recursive: true, force: true });

  let pgNote = '';
  try {
    const admin = new Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query('drop database if exists hotline_bench_sla');
    await admin.query('create database hotline_bench_sla');
    await admin.end();
    const pg = await openDb({ url: PG_ADMIN.replace(/\/[^/]*$/, '/hotline_bench_sla') });
    rows.push(...(await benchDb('PostgreSQL', pg, log)));
    await pg.destroy();
  } catch (e) {
    pgNote = `\nPostgreSQL not measured: ${(e as Error).message}\n`;
    log(pgNote);
  }
  writeSection(
    'sla',
    'Deadlines: finding due work among a million open tickets, and catching up after a restart',
    `The scheduler keeps each ticket's next alarm time in \`tickets.next_alarm_at\` (indexed); it asks for the tickets whose time has come, then fires each alarm at most once (the fired key is stored with the event). Targets: the due-in-the-next-minute query ≤ 1 s with ${OPEN.toLocaleString('en')} open tickets, through the index.

| database | what | result | notes |
|---|---|---|---|
${rows.join('\n')}
${pgNote}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
