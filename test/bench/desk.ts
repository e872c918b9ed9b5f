// npm run bench:desk — 30 and 300 simulated operator connections on the push hub
// (/ws), receiving ticket and call events: fan-out latency p50/p99 (target p99 ≤ 200 ms
// at 300) and the server's memory per connection.
// The server runs in this process (SQLite test database); the connections live in a
// worker thread (their own event loop and heap, same machine clock).
// Ticket latency: from the operator's POST /api/tickets to the push at each connection
// (the commit included). Call latency: from the call event on the bus (as the switch
// adapter publishes it) to the push at the connection of the agent it was offered to.
import { Worker } from 'node:worker_threads';
import { startTestHotline, TEST_PASSWORD, call } from '../support/hotline';
import { writeSection } from './report';

const SIZES = (process.env.BENCH_DESK_SIZES ?? '30,300').split(',').map(Number);
const TICKETS = Number(process.env.BENCH_DESK_TICKETS ?? 100);
const CALLS = Number(process.env.BENCH_DESK_CALLS ?? 100);
const OPERATORS = 30;

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require(workerData.ws);
const tickets = []; const calls = []; let open = 0;
const sockets = [];
for (let i = 0; i < workerData.n; i++) {
  const ws = new WebSocket(workerData.url, { headers: { cookie: workerData.cookies[i % workerData.cookies.length] }, perMessageDeflate: false });
  sockets.push(ws);
  ws.on('message', (d) => {
    const at = Date.now();
    const m = JSON.parse(String(d));
    if (m.type === 'hello') { if (++open === workerData.n) parentPort.postMessage({ ready: true }); }
    else if (m.type === 'ticket') tickets.push([m.ticket.id, at]);
    else if (m.type === 'call') calls.push(at - Date.parse(m.call.at));
  });
  ws.on('error', (e) => parentPort.postMessage({ error: String(e) }));
}
parentPort.on('message', (m) => {
  if (m === 'report') parentPort.postMessage({ tickets, calls });
  if (m === 'close') { for (const s of sockets) s.terminate(); parentPort.postMessage({ closed: true }); }
});
`;

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const gc = () => (global as unknown as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(n: number) {
  const h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  try {
    const cookies: string[] = [];
    const exts: string[] = [];
    for (let i = 1; i <= OPERATORS; i++) {
      const u = `op${String(i).padStart(2, '0')}`;
      const r = await call(h.base, 'POST', '/api/session', { username: u, password: TEST_PASSWORD });
      cookies.push((r.headers.get('set-cookie') ?? '').split(';')[0]);
      exts.push(r.body.user.extension);
    }
    const op = await h.as('op01');
    gc(); await sleep(100); gc();
    const before = process.memoryUsage();
    const worker = new Worker(CLIENT, { eval: true, workerData: { n, url: h.base.replace('http', 'ws') + '/ws', cookies, ws: require.resolve('ws') } });
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m) => (m.ready ? resolve() : m.error ? reject(new Error(m.error)) : null));
      worker.once('error', reject);
    });
    gc(); await sleep(200); gc();
    const after = process.memoryUsage();

    const sentAt = new Map<number, number>();
    for (let i = 0; i < TICKETS; i++) {
      const t0 = Date.now();
      const r = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: `基准测试：路灯不亮 ${i}`, citizenPhone: '13800001234', dispatch: { leadUnit: 'cgj', coUnits: [] } });
      sentAt.set(r.body.ticket.id, t0);
      await sleep(10);
    }
    for (let i = 0; i < CALLS; i++) {
      h.hotline.bus.emit('call', { type: 'call_offered', at: new Date().toISOString(), callId: `bench-${i}`, caller: '13800001234', agent: exts[i % exts.length], queue: 'hotline', queueWaitMs: 0 });
      await sleep(10);
    }
    await sleep(500);
    const report = await new Promise<{ tickets: [number, number][]; calls: number[] }>((resolve) => {
      worker.on('message', (m) => m.tickets && resolve(m));
      worker.postMessage('report');
    });
    worker.postMessage('close');
    await sleep(100);
    await worker.terminate();
    const ticketLat = report.tickets.map(([id, at]) => at - sentAt.get(id)!);
    return {
      n,
      ticket: { deliveries: ticketLat.length, expected: TICKETS * n, p50: pct(ticketLat, 50), p99: pct(ticketLat, 99), max: Math.max(...ticketLat) },
      call: { deliveries: report.calls.length, expected: CALLS * (n / OPERATORS), p50: pct(report.calls, 50), p99: pct(report.calls, 99), max: Math.max(...report.calls) },
      heapPerConn: (after.heapUsed - before.heapUsed) / n,
      rssPerConn: (after.rss - before.rss) / n,
      ok: pct(ticketLat, 99) <= 200 && pct(report.calls, 99) <= 200,
    };
  } finally {
    await h.close();
  }
}

(async () => {
  const rows = [];
  for (const n of SIZES) {
    const r = await run(n);
    rows.push(r);
    console.log(`${n} 个连接：工单推送 p50 ${r.ticket.p50} ms，p99 ${r.ticket.p99} ms（${r.ticket.deliveries}/${r.ticket.expected}）；来电推送 p50 ${r.call.p50} ms，p99 ${r.call.p99} ms（${r.call.deliveries}/${r.call.expected}）；每连接堆内存 ${(r.heapPerConn / 1024).toFixed(1)} KiB`);
  }
  const kib = (b: number) => (b / 1024).toFixed(1);
  const md = [
    `${TICKETS} tickets (each pushed to every operator connection) and ${CALLS} offered calls (each pushed to the connections of the agent it was offered to), one every ~10 ms. Server and database (SQLite) in one process, the connections in a worker thread of the same process. Ticket latency: POST /api/tickets sent → push received (commit included). Call latency: call event on the bus → push received. Memory: the server thread's heap (after GC) and the process RSS, before and after the connections opened, divided by their number (RSS includes the worker's client side).`,
    '',
    '| connections | ticket pushes | ticket p50 | ticket p99 | ticket max | call pushes | call p50 | call p99 | heap / conn | RSS / conn | p99 ≤ 200 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
    ...rows.map((r) => `| ${r.n} | ${r.ticket.deliveries}/${r.ticket.expected} | ${r.ticket.p50} ms | ${r.ticket.p99} ms | ${r.ticket.max} ms | ${r.call.deliveries}/${r.call.expected} | ${r.call.p50} ms | ${r.call.p99} ms | ${kib(r.heapPerConn)} KiB | ${kib(r.rssPerConn)} KiB | ${r.ok ? 'yes' : 'NO'} |`),
  ].join('\n');
  writeSection('desk', 'bench:desk — push fan-out to operator connections', md);
  console.log('结果已写入 BENCHMARKS.md');
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
