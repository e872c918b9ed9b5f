// Every route answers client mistakes with a 4xx, never a 5xx, and changes nothing: a few
// thousand malformed requests generated with a fixed seed over every route the server
// mounts (found by walking the app's router, so a new route is fuzzed without editing this
// file): bad percent-encoding in path parameters and query strings, extreme and malformed
// dates, numbers and ids, over-deep and over-long JSON and form bodies, bodies whose
// Content-Encoding or Content-Type lies, malformed cookies and tokens, over-long
// Idempotency-Keys. Each request is malformed in at least one way that must be refused.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { Knex } from 'knex';
import { dbKind } from '../../storage/db';
import { startTestHotline, TestHotline, call } from '../support/hotline';

const SEED = 20261123;
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);
const PARALLEL = 8;

/** mulberry32: a small seeded generator, so a failure is reproduced by the same seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

interface Route { method: string; path: string }

/** Every route the app mounts, with its full path (Express 5: a router layer keeps its mount path in rawPath). */
function routesOf(app: any): Route[] {
  const out: Route[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const l of stack) {
      if (l.route) {
        for (const m of Object.keys(l.route.methods)) if (m !== '_all') out.push({ method: m.toUpperCase(), path: prefix + l.route.path });
      } else if (l.handle?.stack) {
        walk(l.handle.stack, prefix + (typeof l.rawPath === 'string' && l.rawPath !== '/' ? l.rawPath : ''));
      }
    }
  };
  walk(app.router.stack, '');
  return out;
}

// Values a client can get wrong.
const BAD_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%C0%AE', '%ff%fe', 'abc', '-1', '0', '1.5', '99999999999999999999', '1e309', 'NaN', '%00', '..%2f..%2fetc%2fpasswd', 'x'.repeat(3000), '%E8%B7%AF%E7%81%AF', '%20', 'null', 'undefined', '__proto__', 'constructor'];
const BAD_DATES = ['275760-09-13T00:00:00Z', '+275760-09-14T00:00:00Z', '-271821-04-19T00:00:00Z', '9999999', '99999-01-01', '2026-13-45', '2026-02-30T25:61:00Z', '0000-00-00', '1e20', '', 'yesterday', '2026-11-23T02:00:00+99:00', '-1', '8.64e15'];
const BAD_VALUES = ['', '-1', '0', '1e309', '99999999999999999999', 'NaN', 'Infinity', 'true', '[]', '{}', 'null', '%zz', '%', 'x'.repeat(5000), '\u0000', '<script>', "' or 1=1 --", '../..', '鲁G12345', ','.repeat(500)];
const QUERY_KEYS = ['status', 'page', 'pageSize', 'from', 'to', 'q', 'phone', 'name', 'address', 'number', 'unit', 'kind', 'channel', 'overdue', 'sort', 'dateField', 'start_date', 'end_date', 'service_code', 'service_request_id', 'api_key', 'date', 'days', 'format', 'metric', 'range', 'eventType', 'town', 'urgency', 'category', 'by', 'jurisdiction_id', 'limit', 'name', 'stage'];
const DATE_KEYS = ['from', 'to', 'start_date', 'end_date', 'date', 'since', 'until'];

/** JSON nested `depth` levels deep (written as text: JSON.stringify would overflow the stack itself). */
const deepJson = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Writes whose action is all in their path: any body is ignored, so a body is never what is wrong with them. */
const BODYLESS = /\/(password-reset|unlock|done|sign|unmerge|:action)$/;

/** As written, '%' and all (a broken escape stays broken); only what HTTP cannot carry is escaped. */
const raw = (v: string) => v.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));

interface FuzzRequest { method: string; path: string; headers: Record<string, string>; body?: Buffer; what: string }

export function generate(routes: Route[], r: ReturnType<typeof prng>, auth: Record<string, string>[], ids: string[]): FuzzRequest {
  const route = r.pick(routes);
  const withBody = route.method !== 'GET' && route.method !== 'HEAD' && route.method !== 'DELETE';
  const params = route.path.match(/:[A-Za-z_]+/g) ?? [];
  // What makes this request wrong: the path, the query, the body, or the headers.
  const kinds = [...(params.length ? ['path'] : []), ...(route.method === 'GET' ? ['query'] : []), ...(withBody ? ['body', 'encoding'] : []), 'headers'];
  const kind = r.pick(kinds);
  const fill = (bad: boolean) => (bad ? r.pick(BAD_SEGMENTS) : r.pick(ids));
  const badParam = kind === 'path' ? r.int(params.length) : -1;
  let i = 0;
  let path = route.path.replace(/\{([^}]*)\}/g, '$1').replace(/:[A-Za-z_]+/g, () => fill(i++ === badParam));
  const headers: Record<string, string> = { ...r.pick(auth) };
  // Queries: mostly wrong values for real keys, repeated keys, arrays, nesting.
  const q: string[] = [];
  const nq = kind === 'query' ? 1 + r.int(4) : r.int(2);
  for (let k = 0; k < nq; k++) {
    const key = r.pick(QUERY_KEYS);
    const value = DATE_KEYS.includes(key) || r.next() < 0.2 ? r.pick(BAD_DATES) : r.pick(BAD_VALUES);
    const shape = r.int(5);
    if (shape === 0) q.push(`${key}[]=${encodeURIComponent(value)}&${key}[]=x`);
    else if (shape === 1) q.push(`${key}[a][b][c]=${encodeURIComponent(value)}`);
    else if (shape === 2) q.push(`${key}=${raw(value)}`);
    else q.push(`${key}=${encodeURIComponent(value)}`);
  }
  if (kind === 'query') q.push(r.pick(['%zz=1', 'a=%', 'status=%E0%A4%A', `pageSize=${raw(r.pick(BAD_VALUES))}`, `end_date=${encodeURIComponent(r.pick(BAD_DATES))}`, `start_date=${encodeURIComponent(r.pick(BAD_DATES))}`, `from=${encodeURIComponent(r.pick(BAD_DATES))}`, 'page=-5', 'x'.repeat(200) + '=1']));
  if (q.length) path += `?${q.join('&')}`;
  let body: Buffer | undefined;
  if (withBody) {
    const b = r.int(12);
    if (b === 0) { body = Buffer.from('{"a":'); headers['content-type'] = 'application/json'; }
    else if (b === 1) { body = Buffer.from(deepJson(2000 + r.int(3000))); headers['content-type'] = 'application/json'; }
    else if (b === 2) { body = Buffer.from(Array.from({ length: 60 }, (_, k) => `a${'[x]'.repeat(k)}=1`).join('&')); headers['content-type'] = 'application/x-www-form-urlencoded'; }
    else if (b === 3) { body = Buffer.from(Array.from({ length: 2000 }, (_, k) => `k${k}=v`).join('&')); headers['content-type'] = 'application/x-www-form-urlencoded'; }
    else if (b === 4) { body = Buffer.from(JSON.stringify({ text: 'x'.repeat(400_000) })); headers['content-type'] = 'application/json'; }
    else if (b === 5) { body = Buffer.from(`${'a[b]'.repeat(40)}=1&api_key=%zz&description=%E0%A4`); headers['content-type'] = 'application/x-www-form-urlencoded'; }
    else if (b === 6) { body = Buffer.from(r.pick(['null', '[]', '"x"', '42', 'true', '[{}]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'])); headers['content-type'] = 'application/json'; }
    else if (b === 7) { body = Buffer.from(JSON.stringify({ action: r.pick(BAD_VALUES), reason: r.pick(BAD_VALUES), input: r.pick([null, [], 'x', { leadUnit: r.pick(BAD_VALUES), until: r.pick(BAD_DATES), dueAt: r.pick(BAD_DATES) }]), state: r.pick(BAD_VALUES), username: r.pick([[], {}, 1]), password: r.pick([[], {}, 1]), year: r.pick(BAD_VALUES) })); headers['content-type'] = 'application/json'; }
    else if (b === 8) { body = Buffer.from('<xml>'); headers['content-type'] = r.pick(['application/xml', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=utf-7', 'image/png']); }
    else if (b === 9) { body = Buffer.from('\xff\xfe\x00{'); headers['content-type'] = 'application/json'; }
    else if (b === 10) { body = Buffer.from(JSON.stringify({ channel: 'hotline', kind: 'complaint', content: r.pick(BAD_VALUES) || ' ', lat: r.pick([null, '', [], true, 'x']), long: 1, town: r.pick(BAD_VALUES), eventType: r.pick(BAD_VALUES), citizenPhone: r.pick(BAD_VALUES) })); headers['content-type'] = 'application/json'; }
    else { body = zlib.gzipSync('{"a":1}').subarray(0, 7); headers['content-type'] = 'application/json'; headers['content-encoding'] = 'gzip'; }
  }
  if (kind === 'encoding' && body) {
    // The body says it is compressed and is not, or names an encoding nobody knows.
    headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip', 'identity, gzip']);
  }
  if (kind === 'body' && !body) body = Buffer.from('{');
  // Actions that take no body (a well-formed body is no mistake there): wrong by their parameter instead.
  if (BODYLESS.test(route.path) && kind !== 'path') path = path.replace(/^([^?]*\/)[^/?]+(\/[^/?]+)(\?|$)/, '$1%zz$2$3');
  if (kind === 'headers' || r.next() < 0.3) {
    const h = r.int(8);
    if (h === 0) headers.cookie = `hotline_session=%E0%A4%A; hotline_device=%zz`;
    else if (h === 1) headers.authorization = r.pick(['Bearer', 'Bearer ' + 'x'.repeat(5000), 'Basic %%%', 'Bearer %zz', 'bearer  a b']);
    else if (h === 2) headers['idempotency-key'] = 'k'.repeat(201 + r.int(5000));
    else if (h === 3) headers.origin = r.pick(['null', 'http://evil.example', 'not a url', '%zz']);
    else if (h === 4) headers['x-csrf-token'] = 'x'.repeat(r.int(3) * 100);
    else if (h === 5) headers['x-forwarded-for'] = r.pick(['%zz', '999.999.999.999', 'a'.repeat(300), '1.2.3.4, , ,']);
    else if (h === 6) headers.cookie = `hotline_session=${'a'.repeat(4000)}`;
    else headers['content-length-x'] = '1';
    // A header that makes nothing wrong by itself: make the request wrong another way.
    if (h >= 3 && !params.length && !body && route.method !== 'GET') body = Buffer.from('{'), headers['content-type'] = 'application/json';
    if (h >= 3 && params.length && kind === 'headers') path = path.replace(/\/\d+(?=\/|$|\?)/, '/%zz');
  }
  // A write with nothing wrong in it yet (no parameter, body or broken header): wrong by its body.
  if (route.method !== 'GET' && kind === 'headers' && !params.length && !body) { body = Buffer.from('{'); headers['content-type'] = 'application/json'; }
  return { method: route.method, path, headers, body, what: `${route.method} ${route.path} [${kind}]` };
}

function send(base: string, f: FuzzRequest): Promise<{ status: number; type: string; text: string }> {
  const u = new URL(base);
  if (/[^\u0021-\u00ff]/.test(f.path)) throw new Error(`the generator made an unsendable path: ${JSON.stringify(f.path)} (${f.what})`);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: f.method, path: f.path, headers: { ...f.headers, ...(f.body ? { 'content-length': String(f.body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve({ status: 0, type: '', text: e.code }) : reject(e)));
    req.end(f.body);
  });
}

/** A digest of every table's rows: equal before and after means no data changed. */
async function snapshot(db: Knex): Promise<Map<string, string>> {
  const tables: string[] =
    dbKind(db) === 'postgres'
      ? (await db.raw("select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'")).rows.map((r: any) => r.table_name)
      : (await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'ticket_text%'")).map((r: any) => r.name);
  const out = new Map<string, string>();
  for (const t of tables.sort()) {
    if (t.startsWith('knex_')) continue;
    const rows = await db(t).select('*');
    const lines = rows.map((x: any) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort();
    out.set(t, crypto.createHash('sha256').update(lines.join('\n')).digest('hex'));
  }
  return out;
}

describe('fuzz: malformed requests on every route answer 4xx and change nothing', function () {
  this.timeout(120_000);
  let h: TestHotline;
  let routes: Route[];
  const auth: Record<string, string>[] = [{}];
  const ids: string[] = [];
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    for (const who of ['admin', 'sup01', 'op01', 'cgj', 'leader01']) {
      const r = await call(h.base, 'POST', '/api/session', { username: who, password: 'test-password-1' });
      auth.push({ authorization: `Bearer ${r.body.token}` }, { cookie: `hotline_session=${encodeURIComponent(r.body.token)}`, 'x-csrf-token': r.body.csrfToken });
    }
    const op = auth[5];
    for (const leadUnit of ['cgj', 'zjj']) {
      const t = await call(h.base, 'POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '金光街路灯不亮', citizenPhone: '13812345678', dispatch: { leadUnit, coUnits: [] } }, op);
      ids.push(String(t.body.ticket.id), t.body.ticket.number);
    }
    ids.push('1', '2', 'cgj', 'daily', 'CX-0101', 'hold');
    routes = routesOf(h.hotline.app).filter((r) => !(r.method === 'DELETE' && r.path === '/api/session'));
  });
  after(async () => h?.close());

  it('a NUL character (%00, \\u0000) in a path, a filter or a body is a 400, on both databases (PostgreSQL cannot compare text holding one)', async () => {
    const op = auth[5];
    const sup = auth[3];
    const cases: [string, string, Record<string, string>, unknown?][] = [
      ['GET', '/open311/v2/requests/%00.xml', {}],
      ['GET', '/open311/v2/requests.json?service_code=%00', {}],
      ['GET', '/api/tickets/export?eventType=%00', sup],
      ['GET', '/api/tickets?q=%E8%B7%AF%00', sup],
      ['GET', '/api/tickets/by-number/%00', op],
      ['POST', '/api/tickets', op, { channel: 'hotline', kind: 'complaint', content: '路灯不亮\u0000', citizenPhone: '13812345678' }],
    ];
    for (const [method, path, headers, body] of cases) {
      const res = await call(h.base, method, path, body, headers);
      assert.equal(res.status, 400, `${method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    const xml = await fetch(h.base + '/open311/v2/requests/%00.xml');
    assert.match(await xml.text(), /<errors><error><code>400<\/code>/);
  });

  it(`${REQUESTS} requests (seed ${SEED}): no 5xx, a JSON or XML error body, the database unchanged`, async () => {
    assert.ok(routes.length > 40, `${routes.length} routes found`);
    const r = prng(SEED);
    const list = Array.from({ length: REQUESTS }, () => generate(routes, r, auth, ids));
    const t0 = Date.now();
    const before = await snapshot(h.db);
    const t1 = Date.now();
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < list.length) {
        const f = list[next++];
        const res = await send(h.base, f);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const telephonyOff = res.status === 503 && /no_telephony|电话未接入/.test(res.text);
        if (res.status >= 500 && !telephonyOff) failures.push(`${res.status} ${f.what} ${f.method} ${f.path.slice(0, 160)} ${JSON.stringify(f.headers).slice(0, 200)} body=${f.body?.subarray(0, 80).toString('latin1') ?? ''} → ${res.text.slice(0, 200)}`);
        else if (res.status >= 400 && (f.path.startsWith('/api/') || f.path.startsWith('/open311/')) && !/json|xml/.test(res.type)) failures.push(`${res.status} without a JSON/XML body: ${f.what} ${f.path.slice(0, 120)}`);
        else if (res.status > 0 && res.status < 400 && f.method !== 'GET') failures.push(`${res.status} accepted: ${f.what} ${f.path.slice(0, 120)} ${JSON.stringify(f.headers).slice(0, 160)} body=${f.body?.subarray(0, 120).toString('latin1') ?? ''}`);
      }
    }));
    const t2 = Date.now();
    const after = await snapshot(h.db);
    if (process.env.FUZZ_TIMING) console.log(`      snapshot ${t1 - t0} ms, ${REQUESTS} requests ${t2 - t1} ms, snapshot ${Date.now() - t2} ms`);
    const changed = [...before].filter(([t, d]) => after.get(t) !== d).map(([t]) => t);
    assert.deepEqual(failures.slice(0, 30), [], `${failures.length} failures; statuses ${JSON.stringify([...statuses])}`);
    assert.deepEqual(changed, [], 'tables changed');
  });
});
