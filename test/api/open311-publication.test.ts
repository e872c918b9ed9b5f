// The public Open311 feed (GET requests) shows only what the city chose to publish, redacted:
// by default requests that came in public (web, mayor's mailbox, photo app), never phone
// calls; no name, phone, ID or house number in the text; coordinates coarsened.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, call, Caller } from '../support/hotline';
import { loadConfig } from '../../server/config';

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const PRIVATE = ['王市民', '王淑珍', '淑珍', '13953612345', '370783199203154421', '门牌8号', '88号', '36.857312', '118.791234'];

describe('Open311 publishes only what the city chooses, redacted', function () {
  this.timeout(60_000);
  let h: TestHotline;
  let op: Caller;
  let phoneTicket: string;
  let webTicket: string;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    // A phone call: the citizen talks about a neighbour, gives her number and house.
    const phone = await op('POST', '/api/tickets', {
      channel: 'hotline', kind: 'complaint', content: '物业不维修电梯，住户王市民家门牌8号，电话13953612345', citizenName: '王市民', citizenPhone: '13953612345',
      address: '圣城街道金光街88号', dispatch: { leadUnit: 'zjj', coUnits: [] },
    });
    assert.equal(phone.status, 201);
    phoneTicket = phone.body.ticket.number;
    const lamp = (await call(h.base, 'GET', '/open311/v2/services.json')).body.find((s: any) => s.service_name === '路灯损坏');
    const web = await call(h.base, 'POST', '/open311/v2/requests.json', form({
      api_key: 'demo-web-key', service_code: lamp.service_code, last_name: '王', first_name: '淑珍', phone: '13953612345',
      description: '我是王淑珍，身份证370783199203154421，金光街88号门口路灯不亮，门牌8号旁边，电话13953612345', address_string: '圣城街道金光街88号',
      lat: '36.857312', long: '118.791234',
    }));
    assert.equal(web.status, 201, JSON.stringify(web.body));
    webTicket = web.body[0].service_request_id;
  });
  after(async () => h?.close());

  it('a phone call is not published: not listed, not found by its number', async () => {
    const list = await call(h.base, 'GET', '/open311/v2/requests.json');
    assert.ok(!list.body.some((r: any) => r.service_request_id === phoneTicket));
    assert.equal((await call(h.base, 'GET', `/open311/v2/requests/${phoneTicket}.json`)).status, 404);
    assert.deepEqual((await call(h.base, 'GET', `/open311/v2/requests.json?service_request_id=${phoneTicket}`)).body, []);
    assert.equal((await call(h.base, 'GET', `/open311/v2/requests/${phoneTicket}.xml`)).status, 404);
  });

  it('a web request is published with the name, phone, ID and house numbers gone and the place coarsened', async () => {
    for (const path of [`/open311/v2/requests/${webTicket}.json`, `/open311/v2/requests.json?service_request_id=${webTicket}`, '/open311/v2/requests.json']) {
      const r = (await call(h.base, 'GET', path)).body.find((x: any) => x.service_request_id === webTicket);
      assert.ok(r, path);
      const text = JSON.stringify(r);
      for (const p of PRIVATE) assert.ok(!text.includes(p), `${path}: ${p} in ${text}`);
      assert.match(r.description, /路灯不亮/);
      assert.match(r.description, /王某/);
      assert.equal(r.address, '圣城街道金光街**号');
      assert.deepEqual([r.lat, r.long], [36.86, 118.79]);
    }
    const xml = (await call(h.base, 'GET', `/open311/v2/requests/${webTicket}.xml`)).body as string;
    for (const p of PRIVATE) assert.ok(!xml.includes(p), `xml: ${p}`);
  });

  it('the city chooses channels and statuses in configuration', async () => {
    const other = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0', OPEN311_PUBLIC_CHANNELS: 'hotline', OPEN311_PUBLIC_STATUSES: 'dispatched,closed' }, db: h.db });
    try {
      const list = (await call(other.base, 'GET', '/open311/v2/requests.json')).body;
      const phone = list.find((r: any) => r.service_request_id === phoneTicket);
      assert.ok(phone, 'the phone call is public now');
      for (const p of PRIVATE) assert.ok(!JSON.stringify(phone).includes(p), p);
      assert.ok(!list.some((r: any) => r.service_request_id === webTicket), 'the web request (accepted, not dispatched) is not');
    } finally {
      await other.close();
    }
  });

  it('numbers typed in full width (a Chinese input method) are redacted like any other', async () => {
    // What a citizen types with the input method in full-width mode: phone, ID, e-mail, plate and house numbers.
    const lamp = (await call(h.base, 'GET', '/open311/v2/services.json')).body.find((s: any) => s.service_name === '路灯损坏');
    const web = await call(h.base, 'POST', '/open311/v2/requests.json', form({
      api_key: 'demo-web-key', service_code: lamp.service_code,
      description: '小区门口路灯坏了一个月，我的电话１３９５３６１２３４５，身份证３７０７８３１９９２０３１５４４２１，邮箱ｌｉｘｍ＠１６３．ｃｏｍ，车牌鲁Ｇ８Ｍ２３５的车天天堵门，住金光街８８号３单元２０１室',
      address_string: '圣城街道金光街８８号',
    }));
    assert.equal(web.status, 201, JSON.stringify(web.body));
    const number = web.body[0].service_request_id;
    const r = (await call(h.base, 'GET', `/open311/v2/requests/${number}.json`)).body[0];
    const text = JSON.stringify(r);
    for (const p of ['１３９５３６１２３４５', '１２３４５', '３７０７８３１９９２０３１５４４２１', 'ｌｉｘｍ', '１６３．ｃｏｍ', '８Ｍ２３５', '８８号', '２０１室', '３单元', '88号', '201室', '13953612345'])
      assert.ok(!text.includes(p), `${p} in ${text}`);
    assert.match(r.description, /路灯坏了一个月/);
    assert.match(r.address, /^圣城街道金光街\*+号$/);
  });

  it('the public feed is limited per address: a burst past the limit gets 429 in the format asked for, another address is served', async () => {
    // Anyone may read the feed, without a key; each answer reads and redacts up to 1,000 requests.
    const limited = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0', OPEN311_FEED_PER_MINUTE: '5' }, db: h.db });
    try {
      const from = (ip: string) => ({ 'x-forwarded-for': ip }); // the test server trusts its loopback proxy
      const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => call(limited.base, 'GET', i % 2 ? '/open311/v2/requests.json' : `/open311/v2/requests/${webTicket}.json`, undefined, from('198.51.100.7'))));
      const statuses = burst.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 5, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 7, statuses.join(','));
      const refused = burst.find((r) => r.status === 429)!;
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal(refused.body[0].code, 429);
      const xml = await call(limited.base, 'GET', '/open311/v2/requests.xml', undefined, from('198.51.100.7'));
      assert.equal(xml.status, 429);
      assert.match(String(xml.body), /<errors><error><code>429<\/code>/);
      assert.equal((await call(limited.base, 'GET', '/open311/v2/requests.json', undefined, from('198.51.100.8'))).status, 200);
      // Submitting (with a key) and the service list are not the feed: not counted.
      assert.equal((await call(limited.base, 'GET', '/open311/v2/services.json', undefined, from('198.51.100.7'))).status, 200);
    } finally {
      await limited.close();
    }
  });

  it('list answers are computed one at a time: a burst from many addresses is told to come back, every answer given is whole', async () => {
    const busy = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0', OPEN311_FEED_PER_MINUTE: '1000', OPEN311_SUBMIT_PER_MINUTE: '1000' } });
    try {
      const lamp = (await call(busy.base, 'GET', '/open311/v2/services.json')).body.find((s: any) => s.service_name === '路灯损坏');
      // 400 published requests, as people write them on the website.
      for (let i = 0; i < 400; i += 50) {
        const posted = await Promise.all(Array.from({ length: 50 }, (_, j) => call(busy.base, 'POST', '/open311/v2/requests.json', form({
          api_key: 'demo-web-key', service_code: lamp.service_code, address_string: `圣城街道金光街${i + j}号`,
          description: `金光街${i + j}号门口的路灯坏了好几天，晚上出门黑漆漆的，老人孩子走路都不方便，我叫张桂兰，电话139${String(53600000 + i + j)}，请尽快派人来修。`,
        }))));
        assert.ok(posted.every((r) => r.status === 201));
      }
      const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => call(busy.base, 'GET', '/open311/v2/requests.json', undefined, { 'x-forwarded-for': `203.0.113.${i + 1}` })));
      const served = burst.filter((r) => r.status === 200);
      const refused = burst.filter((r) => r.status === 429);
      assert.equal(served.length + refused.length, 40, burst.map((r) => r.status).join(','));
      assert.ok(refused.length >= 1 && served.length >= 1, burst.map((r) => r.status).join(','));
      assert.equal(refused[0].headers.get('retry-after'), '5');
      assert.match(refused[0].body[0].description, /繁忙/);
      for (const r of served) assert.equal(r.body.length, 400);
    } finally {
      await busy.close();
    }
  });

  it('a configuration naming a channel or status that does not exist stops the start with a clear message', async () => {
    assert.throws(() => loadConfig({ OPEN311_PUBLIC_CHANNELS: 'web,phone' }), /OPEN311_PUBLIC_CHANNELS/);
    assert.throws(() => loadConfig({ OPEN311_PUBLIC_STATUSES: 'open' }), /OPEN311_PUBLIC_STATUSES/);
  });
});
