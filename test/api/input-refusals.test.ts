// Input that must be refused with a 400 naming the field, writing nothing: an event type not
// in the catalogue, a town that is not a town, Open311 coordinates that are not numbers, a
// media_url that is not http(s), an Idempotency-Key longer than 200 characters.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, call, Caller } from '../support/hotline';

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe('input that is refused, and changes nothing', function () {
  this.timeout(60_000);
  let h: TestHotline;
  let op: Caller;
  let sup: Caller;
  let lamp: string;
  const counts = async () => ({
    tickets: Number((await h.db('tickets').count({ n: '*' }))[0].n),
    attachments: Number((await h.db('attachments').count({ n: '*' }))[0].n),
    events: Number((await h.db('ticket_events').count({ n: '*' }))[0].n),
  });
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    sup = await h.as('sup01');
    lamp = (await call(h.base, 'GET', '/open311/v2/services.json')).body.find((s: any) => s.service_name === '路灯损坏').service_code;
  });
  after(async () => h?.close());

  const appeal = { channel: 'hotline', kind: 'complaint', content: '金光街路灯不亮', citizenPhone: '13812345678' };

  it('desk: an event type not in the catalogue, at intake or at dispatch', async () => {
    const before = await counts();
    for (const body of [
      { ...appeal, eventType: 'XX-9999' },
      { ...appeal, eventType: '<script>' },
      { ...appeal, dispatch: { leadUnit: 'cgj', coUnits: [], eventType: 'XX-9999' } },
    ]) {
      const r = await op('POST', '/api/tickets', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.ok(r.body.error.issues.some((i: any) => /eventType/.test(i.field)), JSON.stringify(r.body));
    }
    const t = await op('POST', '/api/tickets', appeal);
    const mid = await counts();
    const d = await sup('POST', `/api/tickets/${t.body.ticket.id}/transitions`, { action: 'dispatch', input: { leadUnit: 'cgj', coUnits: [], eventType: 'XX-9999' } });
    assert.equal(d.status, 400);
    assert.deepEqual(await counts(), mid);
    assert.equal(mid.tickets, before.tickets + 1);
    assert.equal((await op('POST', '/api/tickets', { ...appeal, eventType: lamp })).status, 201, 'a catalogue code is taken');
  });

  it('desk and Open311: a town that is not a town (a department, the center, nothing)', async () => {
    const before = await counts();
    for (const town of ['cgj', 'center', 'leaders', 'nowhere']) {
      const r = await op('POST', '/api/tickets', { ...appeal, town });
      assert.equal(r.status, 400, town);
      assert.ok(r.body.error.issues.some((i: any) => i.field === 'town'), JSON.stringify(r.body));
      const o = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮', 'attribute[town]': town }));
      assert.equal(o.status, 400, `open311 ${town}`);
    }
    assert.deepEqual(await counts(), before);
    assert.equal((await op('POST', '/api/tickets', { ...appeal, town: 'shengcheng' })).status, 201);
  });

  it('Open311: lat/long of null, "", [], false, true are refused (JSON and form)', async () => {
    const before = await counts();
    for (const bad of [null, '', [], false, true, 'abc', '1e999', {}]) {
      for (const field of ['lat', 'long']) {
        const body = { api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮', lat: 36.85, long: 118.79, [field]: bad };
        const r = await call(h.base, 'POST', '/open311/v2/requests.json', body);
        assert.equal(r.status, 400, `${field}=${JSON.stringify(bad)}: ${r.status}`);
        assert.match(r.body[0].description, new RegExp(field));
      }
    }
    for (const bad of ['', 'abc', 'true']) {
      const r = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮', lat: bad, long: '118.79' }));
      assert.equal(r.status, 400, `form lat=${bad}`);
    }
    assert.deepEqual(await counts(), before);
    const ok = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮', lat: '36.85', long: '118.79' }));
    assert.equal(ok.status, 201);
  });

  it('Open311: a media_url other than http(s) is refused', async () => {
    const before = await counts();
    for (const url of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'ftp://example.com/x.jpg', 'JAVASCRIPT:alert(1)']) {
      const r = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮', media_url: url }));
      assert.equal(r.status, 400, url);
      assert.match(r.body[0].description, /media_url/);
    }
    assert.deepEqual(await counts(), before);
    const ok = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮', media_url: 'https://img.example.cn/a.jpg' }));
    assert.equal(ok.status, 201);
  });

  it('an Idempotency-Key longer than 200 characters is refused (desk and Open311); 200 is taken', async () => {
    const before = await counts();
    const long = 'k'.repeat(201);
    const desk = await op('POST', '/api/tickets', appeal, { 'idempotency-key': long });
    assert.equal(desk.status, 400);
    assert.match(desk.body.error.message, /Idempotency-Key/);
    const o = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: lamp, description: '路灯不亮' }), { 'idempotency-key': long });
    assert.equal(o.status, 400);
    assert.deepEqual(await counts(), before);
    assert.equal((await op('POST', '/api/tickets', appeal, { 'idempotency-key': 'k'.repeat(200) })).status, 201);
  });

  it('an attachment stored with a media_url that is not http(s) (from before) is not redirected to', async () => {
    const t = await op('POST', '/api/tickets', appeal);
    const [row] = await h.db('attachments').insert({
      ticket_id: t.body.ticket.id, kind: 'photo', file_name: 'x', content_type: 'application/octet-stream', size: 0, url: 'javascript:alert(1)', stage: 'intake', uploaded_by: null, created_at: new Date().toISOString(),
    }).returning('id');
    const id = typeof row === 'object' ? row.id : row;
    const r = await fetch(`${h.base}/api/tickets/${t.body.ticket.id}/attachments/${id}`, { headers: { authorization: (await login()).authorization }, redirect: 'manual' });
    assert.notEqual(r.status, 302);
    assert.equal(r.headers.get('location'), null);
  });
  const login = async () => ({ authorization: `Bearer ${(await call(h.base, 'POST', '/api/session', { username: 'op02', password: 'test-password-1' })).body.token}` });
});
