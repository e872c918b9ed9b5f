// Each client mistake the security test found answering 500 with a stack trace, as a
// request: now a 4xx with the error body in the format asked for, and nothing changed.
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { startTestHotline, TestHotline, call, Caller } from '../support/hotline';
import { parseInstant } from '../../workflow/instant';

/** A raw request (fetch would fix what these requests get wrong). */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string) {
  const u = new URL(base);
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(data ? { 'content-length': String(data.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('client mistakes answer 4xx, not 500', function () {
  this.timeout(60_000);
  let h: TestHotline;
  let op: Caller;
  let token: string;
  let lamp: string;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    token = (await call(h.base, 'POST', '/api/session', { username: 'sup01', password: 'test-password-1' })).body.token;
    lamp = (await call(h.base, 'GET', '/open311/v2/services.json')).body.find((s: any) => s.service_name === '路灯损坏').service_code;
  });
  after(async () => h?.close());
  const auth = () => ({ authorization: `Bearer ${token}` });

  it('bad percent-encoding in a path parameter: 400 (JSON for the API, the format asked for on Open311)', async () => {
    for (const path of ['/api/tickets/%E0%A4%A', '/api/tickets/%zz/transitions', '/api/notices/%/print', '/api/admin/users/%C0/events']) {
      const r = await raw(h.base, 'GET', path, auth());
      assert.equal(r.status, 400, path);
      assert.equal(JSON.parse(r.text).error.code, 'bad_escape', path);
    }
    const xml = await raw(h.base, 'GET', '/open311/v2/requests/%E0%A4%A.xml');
    assert.equal(xml.status, 400);
    assert.match(xml.type, /xml/);
    assert.match(xml.text, /<errors><error><code>400<\/code>/);
    assert.equal((await raw(h.base, 'GET', '/open311/v2/services/%zz.json')).status, 400);
  });

  it('a session or device cookie that does not decode is no session: 401, not 500', async () => {
    const r = await raw(h.base, 'GET', '/api/me', { cookie: 'hotline_session=%E0%A4%A' });
    assert.equal(r.status, 401);
    const login = await raw(h.base, 'POST', '/api/session', { 'content-type': 'application/json', cookie: 'hotline_device=%zz' }, JSON.stringify({ username: 'op02', password: 'test-password-1' }));
    assert.equal(login.status, 201);
  });

  it('over-deep and over-long form bodies: 400 / 413 in the format asked for', async () => {
    const deep = `${'a'}${'[b]'.repeat(40)}=1&api_key=demo-web-key&service_code=${lamp}&description=x`;
    const r = await raw(h.base, 'POST', '/open311/v2/requests.xml', { 'content-type': 'application/x-www-form-urlencoded' }, deep);
    assert.equal(r.status, 400);
    assert.match(r.text, /嵌套过深/);
    assert.match(r.type, /xml/);
    const many = Array.from({ length: 500 }, (_, i) => `k${i}=v`).join('&');
    const m = await raw(h.base, 'POST', '/open311/v2/requests.json', { 'content-type': 'application/x-www-form-urlencoded' }, many);
    assert.equal(m.status, 413);
    assert.match(JSON.parse(m.text)[0].description, /字段过多/);
    const big = await raw(h.base, 'POST', '/api/tickets', { ...auth(), 'content-type': 'application/json' }, JSON.stringify({ content: 'x'.repeat(300_000) }));
    assert.equal(big.status, 413);
  });

  it('a Content-Encoding the body does not have: 400; one nobody knows: 415', async () => {
    const plain = JSON.stringify({ channel: 'hotline', kind: 'complaint', content: '路灯不亮' });
    for (const enc of ['gzip', 'deflate', 'br']) {
      const r = await raw(h.base, 'POST', '/api/tickets', { ...auth(), 'content-type': 'application/json', 'content-encoding': enc }, plain);
      assert.equal(r.status, 400, enc);
      assert.equal(JSON.parse(r.text).error.code, 'bad_encoding');
    }
    const cut = await raw(h.base, 'POST', '/api/tickets', { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' }, zlib.gzipSync(plain).subarray(0, 12));
    assert.equal(cut.status, 400);
    assert.equal((await raw(h.base, 'POST', '/api/tickets', { ...auth(), 'content-type': 'application/json', 'content-encoding': 'x-unknown' }, plain)).status, 415);
    // A body that really is gzip is read.
    const ok = await raw(h.base, 'POST', '/api/tickets', { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' }, zlib.gzipSync(plain));
    assert.equal(ok.status, 201);
  });

  it('dates out of range or not on the calendar: 400 on Open311, the ticket search and deadlines', async () => {
    for (const d of ['-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', '99999-01-01', '2026-02-30', '0', '2026-11-23T24:00:00Z']) {
      const e = encodeURIComponent(d);
      for (const path of [`/open311/v2/requests.json?end_date=${e}`, `/open311/v2/requests.json?start_date=${e}`, `/open311/v2/requests.xml?end_date=${e}`]) {
        const r = await raw(h.base, 'GET', path);
        assert.equal(r.status, 400, `${path}: ${r.text.slice(0, 200)}`);
      }
      assert.equal((await op('GET', `/api/tickets?from=${e}`)).status, 400, `from=${d}`);
    }
    const t = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '路灯不亮', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    const cgj = await h.as('cgj');
    await cgj('POST', `/api/tickets/${t.body.ticket.id}/transitions`, { action: 'acknowledge' });
    const ext = await cgj('POST', `/api/tickets/${t.body.ticket.id}/transitions`, { action: 'request_extension', reason: '需要协调', input: { until: '+275760-09-13T00:00:00Z' } });
    assert.equal(ext.status, 400);
    assert.equal(parseInstant('2026-11-23T10:00:00+08:00')?.toISOString(), '2026-11-23T02:00:00.000Z');
    assert.equal(parseInstant('2024-02-29')?.toISOString(), '2024-02-29T00:00:00.000Z');
    assert.equal(parseInstant('2026-02-29'), null);
  });

  it('an Open311 Idempotency-Key reused with other content: 409 like the desk API, nothing created', async () => {
    const form = (d: string) => new URLSearchParams({ api_key: 'demo-web-key', service_code: lamp, description: d }).toString();
    const first = await raw(h.base, 'POST', '/open311/v2/requests.json', { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'web-7' }, form('金光街路灯不亮'));
    assert.equal(first.status, 201);
    const before = Number((await h.db('tickets').count({ n: '*' }))[0].n);
    for (const f of ['json', 'xml']) {
      const r = await raw(h.base, 'POST', `/open311/v2/requests.${f}`, { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'web-7' }, form('农圣街井盖丢了'));
      assert.equal(r.status, 409, r.text);
      assert.match(r.text, /幂等键/);
    }
    assert.equal(Number((await h.db('tickets').count({ n: '*' }))[0].n), before);
  });
});
