// npm run bench:search — the desk's ticket search over 1,000,000 tickets, on SQLite and on
// PostgreSQL: p50/p95/max per kind of search as the desk sends them (through HTTP, to a
// server in its own process, as in production), one client at a time and four at once.
// The tickets are generated realistically: three years of appeals (~900 a day, daytime),
// the city's 178 event types with their own words, its towns, roads and units, the
// statuses a real history has (old ones closed, recent ones in every state), repeat callers.
// BENCH_TICKETS (default 1,000,000), BENCH_REUSE=1 keeps a generated database between runs,
// BENCH_DB=sqlite|postgres|both (default both), BENCH_PG_URL.
import { spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { openDb } from '../../storage/db';
import { seedCity } from '../../storage/seed';
import { ticketToRow } from '../../storage/tickets';
import { pgTsvector, searchDoc } from '../../storage/search-text';
import { usersChosePasswords, TEST_PASSWORD } from '../support/users';
import { Ticket, TicketStatus } from '../../workflow/types';
import { writeSection } from './report';

const ROOT = path.resolve(__dirname, '../..');
const N = Number(process.env.BENCH_TICKETS ?? 1_000_000);
const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WHICH = process.env.BENCH_DB ?? 'both';
const REUSE = process.env.BENCH_REUSE === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? 40);

// ---------------------------------------------------------------------------
// Realistic tickets.

// mulberry32: 32-bit integer arithmetic throughout. (The LCG used before multiplied in doubles
// past 2^53, lost its low bits and fell into a short cycle: ~800 tickets per phone number.)
let seed = 20261207;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));

const city = JSON.parse(fs.readFileSync(path.join(ROOT, 'city/demo/units.json'), 'utf8'));
const catalogue = JSON.parse(fs.readFileSync(path.join(ROOT, 'city/demo/event-types.json'), 'utf8')).eventTypes as Array<{
  code: string; name: string; owner: string; territory: string; coUnits: string[]; keywords: string[]; examples: string[]; complexity: string;
}>;
const towns = (city.units as Array<{ code: string; name: string; kind: string }>).filter((u) => u.kind === 'town');
const ROADS = ['金光街', '农圣街', '文圣街', '商务街', '渤海路', '建新街', '幸福路', '银海路', '公园街', '圣城街', '西环路', '北海路', '菜都路', '兴安路', '东城小区', '怡园小区', '泰和花园', '南关村', '北关村', '农贸市场'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建国建华志强海燕红梅玉兰凤英';
const OPEN = ['我想反映一下，', '您好，', '我要投诉，', '麻烦你们管一管，', '', '', '请问，'];
const CLOSE = ['，希望尽快处理。', '，请相关部门核实处理。', '，已经反映过一次了还没解决。', '。', '，影响出行。', '，家里老人孩子都受影响。', '，请给个说法。'];
const BODY = [
  (p: string, k: string) => `${p}${k}好几天了`,
  (p: string, k: string) => `${p}附近${k}，一直没人管`,
  (p: string, k: string) => `我家在${p}，${k}的问题很严重`,
  (p: string, k: string) => `${p}这边${k}，问了好几个部门都说不归他们管`,
  (_p: string, k: string, ex: string) => `${ex}，${k}`,
];
const phones: string[] = [];
const phone = () => {
  if (phones.length > 1000 && rand() < 0.15) return pick(phones); // repeat callers
  const p = `1${pick(['3', '5', '8', '7', '9'])}${String(int(0, 999_999_999)).padStart(9, '0')}`;
  phones.push(p);
  if (phones.length > 200_000) phones.splice(0, 100_000);
  return p;
};

const DAY = 86400_000;
const END = Date.parse('2026-12-07T02:00:00Z');
const START = END - 3 * 365 * DAY;
const cityDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');

function* tickets(n: number): Generator<Omit<Ticket, 'id'>> {
  const step = (END - START) / n;
  const counters = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    // Daytime: shift most appeals into 08:00–20:00 city time.
    const base = START + i * step;
    const dayStart = base - ((base + 8 * 3600_000) % DAY);
    const at = rand() < 0.85 ? dayStart + (8 + rand() * 12) * 3600_000 : base;
    const accepted = Math.min(END - 60_000, Math.max(START, at));
    const day = cityDay(accepted);
    const seq = (counters.get(day) ?? 0) + 1;
    counters.set(day, seq);
    if (counters.size > 3) counters.delete(counters.keys().next().value!);
    const e = pick(catalogue);
    const town = pick(towns);
    const place = `${town.name}${pick(ROADS)}${rand() < 0.5 ? `${int(1, 200)}号` : ''}`;
    const kind = pick(['complaint', 'complaint', 'complaint', 'consult', 'consult', 'help_request', 'suggestion', 'report'] as const);
    const content = `${pick(OPEN)}${pick(BODY)(place, pick(e.keywords), e.examples[0] ?? e.name)}${pick(CLOSE)}`;
    const age = END - accepted;
    const emergency = rand() < 0.02;
    const lead = e.territory === 'town' ? town.code : e.owner;
    const co = rand() < 0.15 ? [e.territory === 'town' ? e.owner : town.code].filter((u) => u !== lead) : [];
    let status: TicketStatus;
    if (age > 30 * DAY) status = rand() < 0.97 ? 'closed' : pick(['under_review', 'supervised', 'replied'] as const);
    else status = kind === 'consult' && rand() < 0.5 ? pick(['resolved_at_intake', 'closed'] as const) : pick(['accepted', 'dispatched', 'acknowledged', 'returned', 'replied', 'reviewed', 'closed', 'closed', 'closed', 'supervised'] as const);
    const dispatched = status !== 'accepted' && status !== 'resolved_at_intake';
    const iso = (ms: number) => new Date(ms).toISOString();
    const dueAt = dispatched ? iso(accepted + (emergency ? 3600_000 : (e.complexity === 'complex' ? 7 : 4) * DAY)) : null;
    const closedAt = status === 'closed' ? iso(accepted + int(1, 6) * DAY) : null;
    const anonymous = kind === 'report' && rand() < 0.3;
    yield {
      number: `${day}${String(seq).padStart(4, '0')}`, channel: pick(['hotline', 'hotline', 'hotline', 'web', 'mayor_mailbox', 'photo_report', 'grid_report', 'urban_hotline'] as const), kind, status,
      title: rand() < 0.3 ? e.name : null, content, citizenName: anonymous ? null : `${pick([...SURNAMES])}${rand() < 0.5 ? pick(['先生', '女士']) : pick([...GIVEN]) + (rand() < 0.5 ? pick([...GIVEN]) : '')}`,
      citizenPhone: anonymous ? null : phone(), anonymous, noCallback: anonymous, address: rand() < 0.8 ? place : null, town: town.code, lat: null, lng: null, eventType: e.code,
      urgency: emergency ? 'emergency' : (e.complexity as 'general' | 'complex'), leadUnit: dispatched ? lead : null, coUnits: dispatched ? co : [], firstUnit: dispatched ? lead : null,
      returnOverruled: false, handlingRound: status === 'supervised' ? 2 : 1, escalationLevel: 0, satisfaction: status === 'closed' ? pick(['satisfied', 'satisfied', 'satisfied', 'basically_satisfied', 'unsatisfied'] as const) : null,
      acceptedAt: iso(accepted), dispatchedAt: dispatched ? iso(accepted + 600_000) : null, acknowledgedAt: dispatched && status !== 'dispatched' ? iso(accepted + 3600_000) : null,
      ackDueAt: dispatched ? iso(accepted + 2 * 3600_000) : null, feedbackDueAt: emergency && dispatched ? iso(accepted + 3600_000) : null, feedbackAt: null, dueAt,
      repliedAt: ['replied', 'reviewed', 'closed'].includes(status) && dispatched ? iso(accepted + DAY) : null, closedAt, extensionPending: null, callId: null, createdBy: null,
      updatedAt: iso(closedAt ? Date.parse(closedAt) : accepted + 3600_000), mergedInto: null,
    };
  }
}

// ---------------------------------------------------------------------------
// Loading.

async function prepareSchema(url: string, schema?: string): Promise<void> {
  const db = await openDb({ url, schema });
  await seedCity(db, { dir: path.join(ROOT, 'city/demo'), password: 'bench-initial-1' });
  await usersChosePasswords(db);
  await db.destroy();
}

async function loadSqlite(file: string): Promise<number> {
  const started = Date.now();
  await prepareSchema(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const indexes = db.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name in ('tickets', 'ticket_co_units') and sql is not null").all() as Array<{ name: string; sql: string }>;
  for (const i of indexes) db.exec(`drop index "${i.name}"`);
  const sample = ticketToRow([...tickets(1)][0] as Omit<Ticket, 'id'>);
  const cols = Object.keys(sample);
  const ins = db.prepare(`insert into tickets (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
  const text = db.prepare('insert into ticket_text (rowid, body, addr) values (?, ?, ?)');
  const co = db.prepare('insert into ticket_co_units (ticket_id, unit_code) values (?, ?)');
  const norm = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v ?? null);
  let batch: Array<Omit<Ticket, 'id'>> = [];
  const flush = db.transaction((rows: Array<Omit<Ticket, 'id'>>) => {
    for (const t of rows) {
      const row = ticketToRow(t);
      const id = Number(ins.run(...cols.map((c) => norm(row[c]))).lastInsertRowid);
      const d = searchDoc(t);
      text.run(id, d.body, d.addr);
      for (const u of t.coUnits) co.run(id, u);
    }
  });
  seed = 20261207;
  for (const t of tickets(N)) {
    batch.push(t);
    if (batch.length === 10_000) {
      flush(batch);
      batch = [];
    }
  }
  if (batch.length) flush(batch);
  for (const i of indexes) db.exec(i.sql);
  db.close();
  return (Date.now() - started) / 1000;
}

async function loadPostgres(schema: string): Promise<number> {
  const started = Date.now();
  const c = new Client({ connectionString: PG_ADMIN });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
  await prepareSchema(PG_ADMIN, schema);
  const pg = new Client({ connectionString: PG_ADMIN });
  await pg.connect();
  await pg.query(`set search_path to ${schema}`);
  const idx = (await pg.query(`select indexname, indexdef from pg_indexes where schemaname = $1 and tablename in ('tickets', 'ticket_co_units') and indexdef not like '%UNIQUE%' and indexname not like '%pkey'`, [schema])).rows;
  for (const i of idx) await pg.query(`drop index ${schema}."${i.indexname}"`);
  const cols = Object.keys(ticketToRow([...tickets(1)][0] as Omit<Ticket, 'id'>));
  const all = [...cols, 'search_tsv'];
  seed = 20261207;
  let rows: unknown[][] = [];
  let coRows: Array<[string, string]> = [];
  const flush = async () => {
    if (!rows.length) return;
    const params: unknown[] = [];
    const values = rows.map((r) => `(${r.map((v, j) => { params.push(v); return j === r.length - 1 ? `$${params.length}::tsvector` : `$${params.length}`; }).join(', ')})`);
    const res = await pg.query(`insert into tickets (${all.join(', ')}) values ${values.join(', ')} returning id, number`, params);
    const ids = new Map(res.rows.map((x: any) => [x.number, x.id]));
    if (coRows.length) {
      const p2: unknown[] = [];
      await pg.query(`insert into ticket_co_units (ticket_id, unit_code) values ${coRows.map(([n, u]) => { p2.push(ids.get(n), u); return `($${p2.length - 1}, $${p2.length})`; }).join(', ')}`, p2);
    }
    rows = [];
    coRows = [];
  };
  await pg.query('begin');
  let n = 0;
  for (const t of tickets(N)) {
    const row = ticketToRow(t);
    rows.push([...cols.map((k) => row[k] ?? null), pgTsvector(searchDoc(t))]);
    for (const u of t.coUnits) coRows.push([t.number, u]);
    if (rows.length === 1000) await flush();
    if (++n % 100_000 === 0) {
      await pg.query('commit');
      await pg.query('begin');
    }
  }
  await flush();
  await pg.query('commit');
  for (const i of idx) await pg.query(i.indexdef);
  await pg.query('analyze');
  await pg.end();
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------------------
// Measuring.

async function startServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--max-semi-space-size=32', '--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', SCHEDULER_INTERVAL_MS: '0', DESK_SEARCH_PER_MINUTE: '1000000', DESK_PERSONAL_SEARCH_PER_MINUTE: '1000000', HOTLINE_DEMO_PASSWORD: 'bench-initial-1' },
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      /* not up */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('server did not start');
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

type Search = { name: string; who: 'op01' | 'cgj'; qs: () => string };

function searches(): Search[] {
  const words = ['路灯', '噪音', '物业', '工资', '积水', '停车', '垃圾', '漏水', '供暖', '油烟', '拖欠工资', '下水道堵', '没人管'];
  const units = ['cgj', 'zjj', 'gaj', 'rsj', 'sthj', 'jtj', 'shengcheng', 'wenjia'];
  const day = () => `2026${pick(['09', '10', '11'])}${String(int(1, 28)).padStart(2, '0')}`;
  const date = (back: number) => new Date(END - back * DAY).toISOString().slice(0, 10);
  return [
    { name: '最新工单（无条件，第 1 页）', who: 'op01', qs: () => '' },
    { name: '关键词 2 字', who: 'op01', qs: () => `q=${encodeURIComponent(pick(words.filter((w) => w.length === 2)))}` },
    { name: '关键词 4 字', who: 'op01', qs: () => `q=${encodeURIComponent(pick(words.filter((w) => w.length > 2)))}` },
    { name: '关键词 + 状态 + 近 30 天', who: 'op01', qs: () => `q=${encodeURIComponent(pick(words))}&status=dispatched,acknowledged,replied&from=${date(30)}` },
    { name: '单位 + 在办状态', who: 'op01', qs: () => `unit=${pick(units)}&status=dispatched,acknowledged,supervised` },
    { name: '超期未办结', who: 'op01', qs: () => 'overdue=true' },
    { name: '镇街 + 类型 + 日期区间', who: 'op01', qs: () => `town=${pick(towns).code}&kind=complaint&from=${date(int(30, 300))}&to=${date(int(0, 29))}` },
    { name: '事项分类 + 近 90 天', who: 'op01', qs: () => `category=${encodeURIComponent(pick(['城乡建设', '劳动和社会保障', '环境保护', '政法', '农村农业']))}&from=${date(90)}` },
    { name: '紧急 + 按期限排序', who: 'op01', qs: () => 'urgency=emergency&status=dispatched,acknowledged&sort=dueAt' },
    { name: '来电号码', who: 'op01', qs: () => `phone=${pick(phones.length ? phones : ['13812345678'])}` },
    { name: '姓名开头', who: 'op01', qs: () => `name=${encodeURIComponent(pick([...SURNAMES]))}` },
    { name: '地址', who: 'op01', qs: () => `address=${encodeURIComponent(pick(ROADS))}` },
    { name: '工单编号（某一天）', who: 'op01', qs: () => `number=${day()}` },
    { name: '深翻页（第 50 页）', who: 'op01', qs: () => 'page=50' },
    { name: '承办单位：本单位全部', who: 'cgj', qs: () => '' },
    { name: '承办单位：关键词', who: 'cgj', qs: () => `q=${encodeURIComponent(pick(words))}` },
    { name: '承办单位：在办', who: 'cgj', qs: () => 'status=dispatched,acknowledged,supervised&sort=dueAt' },
  ];
}

async function measure(base: string): Promise<{ rows: string[]; all: number[]; concurrent: number[] }> {
  const tokens: Record<string, string> = {};
  for (const u of ['op01', 'cgj']) {
    const r = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: TEST_PASSWORD }) });
    if (r.status !== 201) throw new Error(`login ${u}: ${r.status} ${await r.text()}`);
    tokens[u] = (await r.json()).token;
  }
  const one = async (s: Search) => {
    const qs = s.qs();
    const t0 = performance.now();
    // A kept-alive socket the server closed at that instant: sent again (not timed twice).
    const send = () => fetch(`${base}/api/tickets?${qs}`, { headers: { authorization: `Bearer ${tokens[s.who]}` } });
    const r = await send().catch(send);
    const body = await r.json();
    if (r.status !== 200) throw new Error(`${s.name}: ${r.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t0, total: body.total as number };
  };
  const list = searches();
  for (const s of list) await one(s); // warm the caches once
  const rows: string[] = [];
  const all: number[] = [];
  for (const s of list) {
    const ms: number[] = [];
    let totals = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await one(s);
      ms.push(r.ms);
      totals += r.total;
    }
    all.push(...ms);
    rows.push(`| ${s.name} | ${Math.round(totals / RUNS)} | ${pct(ms, 50).toFixed(1)} | ${pct(ms, 95).toFixed(1)} | ${Math.max(...ms).toFixed(1)} |`);
  }
  // Four desks searching at once, the same mix.
  const concurrent: number[] = [];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = 0; i < RUNS * 2; i++) concurrent.push((await one(pick(list))).ms);
  }));
  return { rows, all, concurrent };
}

async function run(kind: 'sqlite' | 'postgres', port: number): Promise<string> {
  let load = 0;
  let env: Record<string, string>;
  if (kind === 'sqlite') {
    const dir = path.join(os.tmpdir(), 'hotline-bench-search');
    const file = path.join(dir, `tickets-${N}.db`);
    if (!REUSE || !fs.existsSync(file)) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      load = await loadSqlite(file);
    } else {
      seed = 20261207;
      for (const _ of tickets(N)) void _; // the same phone pool as the stored tickets
    }
    env = { DATABASE_URL: file };
  } else {
    const schema = `bench_search_${N}`;
    const c = new Client({ connectionString: PG_ADMIN });
    await c.connect();
    const exists = (await c.query('select 1 from information_schema.tables where table_schema = $1 and table_name = $2', [schema, 'tickets'])).rowCount;
    await c.end();
    if (!REUSE || !exists) load = await loadPostgres(schema);
    else {
      seed = 20261207;
      for (const _ of tickets(N)) void _;
    }
    env = { DATABASE_URL: `${PG_ADMIN}${PG_ADMIN.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`, PGOPTIONS: `-c search_path=${schema}` };
  }
  const server = await startServer(env, port);
  try {
    const m = await measure(`http://127.0.0.1:${port}`);
    const p95 = pct(m.all, 95);
    const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    console.log(`${label}: p95 over every search ${p95.toFixed(1)} ms; 4 at once p95 ${pct(m.concurrent, 95).toFixed(1)} ms`);
    return [
      `### ${label}${load ? ` (generated and loaded in ${Math.round(load)} s)` : ''}`,
      '',
      `Every search: p50 ${pct(m.all, 50).toFixed(1)} ms, **p95 ${p95.toFixed(1)} ms**, max ${Math.max(...m.all).toFixed(1)} ms (${m.all.length} searches, one at a time). Four desks at once: p95 ${pct(m.concurrent, 95).toFixed(1)} ms.`,
      '',
      '| search | matches (mean, counted to 1,000) | p50 ms | p95 ms | max ms |',
      '|---|---:|---:|---:|---:|',
      ...m.rows,
    ].join('\n');
  } finally {
    server.kill();
  }
}

async function main() {
  for (const [kind, port] of [['sqlite', 18731], ['postgres', 18732]] as const) {
    if (WHICH !== 'both' && WHICH !== kind) continue;
    const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
    const part = await run(kind, port);
    writeSection(
      `search-${kind}`,
      `Ticket search over ${N.toLocaleString('en')} tickets, ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (npm run bench:search)`,
      `Load average at start: ${load} (2 cores shared with other work). Searches through HTTP to a server in its own process (GET /api/tickets, 20 a page, total counted to 1,000), ${RUNS} of each kind with varying values; the operator's searches, then a unit's (its own tickets only).\n\n${part}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
