// Issue 13 item 2: a unit handler must not be able to confirm a reporter's identity or
// unmask a masked phone through the ticket search. Personal-data filters are the center's.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller } from '../support/hotline';

describe('ticket search: personal data is searchable by the center only', function () {
  let h: TestHotline;
  let op: Caller;
  let cgj: Caller;
  let leader: Caller;
  const reporterPhone = '13766666666';

  before(async () => {
    h = await startTestHotline();
    [op, cgj, leader] = await Promise.all(['op01', 'cgj', 'leader01'].map((u) => h.as(u)));
    // A citizen reports a city-management officer taking money from street vendors.
    const r = await op('POST', '/api/tickets', {
      channel: 'hotline', kind: 'report', content: '我举报城管执法队有人向农贸市场门口的摊贩收钱，每个摊位每月收两百块', citizenName: '赵女士',
      citizenPhone: reporterPhone, address: '圣城街道农贸市场东门', town: 'shengcheng', dispatch: { leadUnit: 'cgj', coUnits: [] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // And a neighbour complains about noise: the unit sees this phone masked.
    const n = await op('POST', '/api/tickets', {
      channel: 'hotline', kind: 'complaint', content: '楼下烧烤店每天凌晨两点还在营业，噪音太大睡不着', citizenName: '钱先生',
      citizenPhone: '13812345678', town: 'shengcheng', dispatch: { leadUnit: 'cgj', coUnits: [] },
    });
    assert.equal(n.status, 201);
  });
  after(async () => h?.close());

  it("a unit handler cannot tell whether a number is a reporter's: the phone filter is refused whatever the number", async () => {
    const hit = await cgj('GET', `/api/tickets?phone=${reporterPhone}&kind=report`);
    const miss = await cgj('GET', '/api/tickets?phone=13700000000&kind=report');
    assert.equal(hit.status, 403, `a unit searched by phone: ${JSON.stringify(hit.body)}`);
    assert.deepEqual([miss.status, miss.body], [hit.status, hit.body], 'the answer must not depend on the number');
    assert.match(hit.body.error.message, /姓名、电话、地址/);
  });

  it('a unit handler cannot unmask a masked phone by trying the hidden digits', async () => {
    // The unit sees 138****5678; trying 1380000567 8 … would find the one that matches.
    const mine = await cgj('GET', '/api/tickets?q=' + encodeURIComponent('烧烤'));
    assert.equal(mine.status, 200);
    assert.equal(mine.body.items[0].citizenPhone, '138****5678');
    for (const guess of ['13800005678', '13812345678']) {
      const r = await cgj('GET', `/api/tickets?phone=${guess}`);
      assert.equal(r.status, 403);
    }
  });

  it('name and address are personal data too; leaders and administrators search without them', async () => {
    for (const who of [cgj, leader]) {
      assert.equal((await who('GET', '/api/tickets?name=' + encodeURIComponent('赵'))).status, 403);
      assert.equal((await who('GET', '/api/tickets?address=' + encodeURIComponent('农贸市场'))).status, 403);
      assert.equal((await who('GET', `/api/tickets?phone=${reporterPhone}`)).status, 403);
    }
    const ok = await leader('GET', '/api/tickets?q=' + encodeURIComponent('摊贩'));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.total, 1);
  });

  it('the center finds the caller by phone, name and address', async () => {
    const byPhone = await op('GET', `/api/tickets?phone=${encodeURIComponent('137 6666 6666')}`);
    assert.equal(byPhone.status, 200, JSON.stringify(byPhone.body));
    assert.equal(byPhone.body.total, 1);
    assert.equal((await op('GET', '/api/tickets?name=' + encodeURIComponent('钱'))).body.total, 1);
    assert.equal((await op('GET', '/api/tickets?address=' + encodeURIComponent('农贸市场'))).body.total, 1);
  });

  it('a burst of searches is limited per user (429 with Retry-After), and personal-data searches sooner', async () => {
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => op('GET', `/api/tickets?phone=1390000${String(i).padStart(4, '0')}`)));
    const limited = burst.filter((r) => r.status === 429);
    assert.ok(limited.length >= 10, `only ${limited.length} of 40 personal searches limited: ${JSON.stringify(burst.map((r) => [r.status, r.body?.error?.code]))}`);
    assert.ok(Number(limited[0].headers.get('retry-after')) > 0);
    assert.match(limited[0].body.error.message, /查询过于频繁/);
    const audit = await h.db('personal_searches').count({ n: '*' });
    assert.ok(Number(audit[0].n) >= 30, 'every personal-data search the center made is audited');
  });
});
