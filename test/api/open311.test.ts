import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startTestHotline, TestHotline, call } from '../support/hotline';

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe('Open311 GeoReport v2', function () {
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline();
  });
  after(async () => h.close());

  const catalogueSize = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../city/demo/event-types.json'), 'utf8')).eventTypes as unknown[]).length;

  it('services.json lists every event type of the catalogue with its first-level group', async () => {
    const r = await call(h.base, 'GET', '/open311/v2/services.json');
    assert.equal(r.status, 200);
    assert.ok(catalogueSize >= 178);
    assert.equal(r.body.length, catalogueSize);
    const lamp = r.body.find((s: any) => s.service_name === '路灯损坏');
    assert.deepEqual(
      { group: lamp.group, type: lamp.type, metadata: lamp.metadata },
      { group: '城乡建设', type: 'realtime', metadata: true },
    );
    assert.equal(new Set(r.body.map((s: any) => s.service_code)).size, catalogueSize);
  });

  it('a service definition lists its attributes (kind, town, …) with their values', async () => {
    const code = (await call(h.base, 'GET', '/open311/v2/services.json')).body[0].service_code;
    const r = await call(h.base, 'GET', `/open311/v2/services/${code}.json`);
    assert.equal(r.status, 200);
    assert.equal(r.body.service_code, code);
    const town = r.body.attributes.find((a: any) => a.code === 'town');
    assert.ok(town.values.some((v: any) => v.key === 'shengcheng' && v.name === '圣城街道'));
    assert.equal((await call(h.base, 'GET', '/open311/v2/services/NOPE.json')).status, 404);
  });

  it('a grid worker posts form-encoded as the spec says and gets the ticket number, committed', async () => {
    const services = (await call(h.base, 'GET', '/open311/v2/services.json')).body;
    const lamp = services.find((s: any) => s.service_name === '路灯损坏');
    const r = await call(
      h.base,
      'POST',
      '/open311/v2/requests.json',
      form({
        api_key: 'demo-grid-key',
        service_code: lamp.service_code,
        lat: '36.8807',
        long: '118.7910',
        address_string: '圣城街道金光街',
        description: '金光街 3 号路灯不亮',
        phone: '13912345678',
        last_name: '李',
        first_name: '网格员',
        media_url: 'https://example.invalid/photos/lamp-before.jpg',
        'attribute[kind]': 'complaint',
        'attribute[town]': 'shengcheng',
      }),
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body[0].service_request_id;
    const row = await h.db('tickets').where({ number: id }).first();
    assert.deepEqual([row.channel, row.kind, row.town, row.event_type, row.citizen_name], ['grid_report', 'complaint', 'shengcheng', lamp.service_code, '李网格员']);
    const photos = await h.db('attachments').where({ ticket_id: row.id });
    assert.equal(photos[0].url, 'https://example.invalid/photos/lamp-before.jpg');
  });

  it('a JSON post from the mayor’s mailbox works too, and the kind is read from the text when not given', async () => {
    const services = (await call(h.base, 'GET', '/open311/v2/services.json')).body;
    const r = await call(h.base, 'POST', '/open311/v2/requests.json', {
      api_key: 'demo-mailbox-key',
      service_code: services[0].service_code,
      description: '请问孩子上小学需要准备哪些材料？在哪里报名？',
    });
    assert.equal(r.status, 201);
    const row = await h.db('tickets').where({ number: r.body[0].service_request_id }).first();
    assert.deepEqual([row.channel, row.kind], ['mayor_mailbox', 'consult']);
  });

  it('refuses a bad api_key (403), an unknown service (404) and an empty description (400), writing nothing', async () => {
    const before = Number((await h.db('tickets').count({ n: '*' }))[0].n);
    const code = (await call(h.base, 'GET', '/open311/v2/services.json')).body[0].service_code;
    const bad = await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'wrong', service_code: code, description: 'x' }));
    assert.equal(bad.status, 403);
    assert.ok(Array.isArray(bad.body) && bad.body[0].description);
    assert.equal((await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: 'NOPE', description: 'x' }))).status, 404);
    assert.equal((await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: code, description: ' ' }))).status, 400);
    assert.equal((await call(h.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: code, description: 'x', phone: '123' }))).status, 400);
    assert.equal(Number((await h.db('tickets').count({ n: '*' }))[0].n), before);
  });

  it('submissions are limited per api_key: a parallel burst past the limit gets 429 and writes nothing more; another key is served', async () => {
    // A leaked key must not bury the center in junk tickets.
    const limited = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0', OPEN311_SUBMIT_PER_MINUTE: '5' } });
    try {
      const code = (await call(limited.base, 'GET', '/open311/v2/services.json')).body[0].service_code;
      const count = async () => Number((await limited.db('tickets').count({ n: '*' }))[0].n);
      const before = await count();
      const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => call(limited.base, 'POST', '/open311/v2/requests.json', form({
        api_key: 'demo-web-key', service_code: code, description: `小区${i + 1}号楼门口的下水道又堵了，污水漫到路上，麻烦尽快处理`,
      }))));
      const statuses = burst.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 5, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 7, statuses.join(','));
      assert.equal(await count(), before + 5);
      const refused = burst.find((r) => r.status === 429)!;
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal(refused.body[0].code, 429);
      assert.match(refused.body[0].description, /提交过于频繁/);
      const xml = await call(limited.base, 'POST', '/open311/v2/requests.xml', form({ api_key: 'demo-web-key', service_code: code, description: '路灯不亮' }));
      assert.equal(xml.status, 429);
      assert.match(String(xml.body), /<errors><error><code>429<\/code>/);
      const other = await call(limited.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-mailbox-key', service_code: code, description: '路灯不亮好几天了' }));
      assert.equal(other.status, 201);
      assert.equal(await count(), before + 6);
    } finally {
      await limited.close();
    }
  });

  it('an address presenting wrong api_keys is refused after 10 (429, before any look-up); another address with a good key is served', async () => {
    const guarded = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    try {
      const code = (await call(guarded.base, 'GET', '/open311/v2/services.json')).body[0].service_code;
      const from = (ip: string) => ({ 'x-forwarded-for': ip }); // the test server trusts its loopback proxy
      const guesses = [];
      for (let i = 0; i < 10; i++) {
        guesses.push((await call(guarded.base, 'POST', '/open311/v2/requests.json', form({ api_key: `guess-${i}-abcdefgh`, service_code: code, description: '试试' }), from('198.51.100.20'))).status);
      }
      assert.deepEqual(guesses, Array(10).fill(403));
      // The eleventh, even with a good key, waits: the address is refused for the rest of the minute.
      const next = await call(guarded.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: code, description: '路灯不亮' }), from('198.51.100.20'));
      assert.equal(next.status, 429);
      assert.match(next.body[0].description, /api_key 错误次数过多/);
      const elsewhere = await call(guarded.base, 'POST', '/open311/v2/requests.json', form({ api_key: 'demo-web-key', service_code: code, description: '金光街路灯不亮' }), from('198.51.100.21'));
      assert.equal(elsewhere.status, 201);
    } finally {
      await guarded.close();
    }
  });

  it('a retried post with the same Idempotency-Key returns the same request id', async () => {
    const code = (await call(h.base, 'GET', '/open311/v2/services.json')).body[0].service_code;
    const body = form({ api_key: 'demo-web-key', service_code: code, description: '小区门口积水严重' });
    const a = await call(h.base, 'POST', '/open311/v2/requests.json', body, { 'idempotency-key': 'web-42' });
    const b = await call(h.base, 'POST', '/open311/v2/requests.json', body, { 'idempotency-key': 'web-42' });
    assert.deepEqual([a.status, b.status], [201, 200]);
    assert.equal(a.body[0].service_request_id, b.body[0].service_request_id);
  });

  it('a request shows agency_responsible and expected_datetime once dispatched, and never a report’s content', async () => {
    const op = await h.as('op01');
    const t = await op('POST', '/api/tickets', { channel: 'web', kind: 'complaint', content: '路灯不亮', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    const r = await call(h.base, 'GET', `/open311/v2/requests/${t.body.ticket.number}.json`);
    assert.equal(r.status, 200);
    assert.equal(r.body[0].agency_responsible, '城市管理局');
    assert.equal(r.body[0].expected_datetime, t.body.ticket.dueAt);
    assert.equal(r.body[0].status, 'open');
    const rep = await op('POST', '/api/tickets', { channel: 'web', kind: 'report', content: '某饭店用地沟油', anonymous: true });
    const shown = await call(h.base, 'GET', `/open311/v2/requests/${rep.body.ticket.number}.json`);
    assert.doesNotMatch(JSON.stringify(shown.body), /地沟油/);
    assert.equal((await call(h.base, 'GET', '/open311/v2/requests/000.json')).status, 404);
  });

  it('requests.json filters by status, service_code and dates, and by a list of ids', async () => {
    const all = await call(h.base, 'GET', '/open311/v2/requests.json');
    assert.equal(all.status, 200);
    assert.ok(all.body.length >= 4);
    const closed = await call(h.base, 'GET', '/open311/v2/requests.json?status=closed');
    assert.equal(closed.body.length, 0);
    const ids = all.body.slice(0, 2).map((x: any) => x.service_request_id);
    const some = await call(h.base, 'GET', `/open311/v2/requests.json?service_request_id=${ids.join(',')}`);
    assert.deepEqual(some.body.map((x: any) => x.service_request_id).sort(), [...ids].sort());
    const future = await call(h.base, 'GET', '/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z&end_date=2099-02-01T00:00:00Z');
    assert.equal(future.body.length, 0);
    assert.equal((await call(h.base, 'GET', '/open311/v2/requests.json?status=lost')).status, 400);
  });

  describe('in XML, as the spec writes it', () => {
    // Every element as an array (of its text, or of its children): nothing is guessed.
    const xml = new XMLParser({ isArray: () => true, parseTagValue: false });
    const parsed = (r: { body: unknown; headers: Headers }) => {
      assert.match(r.headers.get('content-type') ?? '', /^application\/xml; charset=utf-8/);
      assert.equal(XMLValidator.validate(r.body as string), true);
      return xml.parse(r.body as string);
    };
    const text = (node: any): string => {
      const v = node?.[0];
      return typeof v === 'string' ? v : (v?.['#text'] ?? '');
    };

    it('services.xml and a service definition carry the same fields as the JSON', async () => {
      const json = (await call(h.base, 'GET', '/open311/v2/services.json')).body;
      const doc = parsed(await call(h.base, 'GET', '/open311/v2/services.xml'));
      const services = doc.services[0].service;
      assert.equal(services.length, catalogueSize);
      assert.deepEqual(
        ['service_code', 'service_name', 'group', 'metadata', 'type'].map((k) => text(services[0][k])),
        [json[0].service_code, json[0].service_name, json[0].group, 'true', 'realtime'],
      );
      const def = parsed(await call(h.base, 'GET', `/open311/v2/services/${json[0].service_code}.xml`)).service_definition[0];
      const town = def.attributes[0].attribute.find((a: any) => text(a.code) === 'town');
      assert.ok(town.values[0].value.some((v: any) => text(v.key) === 'shengcheng' && text(v.name) === '圣城街道'));
    });

    it('a request posted to requests.xml is answered in XML with its number; read back, special characters come back as written', async () => {
      const lamp = (await call(h.base, 'GET', '/open311/v2/services.json')).body.find((s: any) => s.service_name === '路灯损坏');
      const content = '路灯 <不亮> & "闪烁" 已一周';
      const r = await call(h.base, 'POST', '/open311/v2/requests.xml', form({ api_key: 'demo-web-key', service_code: lamp.service_code, description: content, address_string: '圣城街道金光街' }));
      assert.equal(r.status, 201);
      const number = text(parsed(r).service_requests[0].request[0].service_request_id);
      assert.match(number, /^\d{12}$/);
      const back = parsed(await call(h.base, 'GET', `/open311/v2/requests/${number}.xml`)).service_requests[0].request[0];
      assert.deepEqual([text(back.description), text(back.status), text(back.agency_responsible) !== ''], [content, 'open', true]);
      assert.equal(text(back.media_url), '', 'null is an empty element');
      const list = parsed(await call(h.base, 'GET', `/open311/v2/requests.xml?service_request_id=${number}`));
      assert.equal(list.service_requests[0].request.length, 1);
    });

    it('errors come in XML too, and change nothing', async () => {
      const before = (await h.db('tickets').count({ n: '*' }))[0].n;
      const r = await call(h.base, 'POST', '/open311/v2/requests.xml', form({ api_key: 'wrong', service_code: 'CX-0101', description: '测试' }));
      assert.equal(r.status, 403);
      const err = parsed(r).errors[0].error[0];
      assert.deepEqual([text(err.code), text(err.description)], ['403', 'api_key 无效']);
      assert.equal(parsed(await call(h.base, 'GET', '/open311/v2/requests.xml?status=lost')).errors[0].error.length, 1);
      assert.equal((await h.db('tickets').count({ n: '*' }))[0].n, before);
    });
  });
});
