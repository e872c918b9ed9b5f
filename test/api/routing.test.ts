import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller } from '../support/hotline';

describe('desk API: routing suggestions', function () {
  let h: TestHotline;
  let op: Caller;
  before(async () => {
    h = await startTestHotline();
    op = await h.as('op01');
  });
  after(async () => h.close());

  it('suggests the event type, lead unit and deadline class for what the operator typed', async () => {
    const r = await op('POST', '/api/routing/suggest', { text: '我家楼下的路灯坏了一个星期了，在圣城街道金光街' });
    assert.equal(r.status, 200);
    assert.equal(r.body.eventTypes[0].name, '路灯损坏');
    assert.ok(r.body.leadUnit);
    assert.equal(r.body.deadlineClass, 'general');
    assert.equal(r.body.town, 'shengcheng');
    assert.deepEqual(r.body.sameIssue, []);
  });

  it('empty or emoji-only text gets a low-confidence answer that asks the operator, never an error', async () => {
    for (const text of ['', '😀😀😀', 'asdf qwer']) {
      const r = await op('POST', '/api/routing/suggest', { text });
      assert.equal(r.status, 200, text);
      assert.equal(r.body.needsOperatorChoice, true, text);
    }
  });

  it('points to an open ticket about the same thing at the same place (并案)', async () => {
    const content = '圣城街道金光街3号楼前自来水管爆裂，水流满地';
    const typed = (await op('POST', '/api/routing/suggest', { text: content })).body.eventTypes[0].code;
    const first = await op('POST', '/api/tickets', {
      channel: 'hotline', kind: 'complaint', content, address: '圣城街道金光街3号', town: 'shengcheng', eventType: typed,
    });
    const r = await op('POST', '/api/routing/suggest', { text: '金光街3号楼那里水管爆了，到处是水', address: '圣城街道金光街3号' });
    assert.equal(r.status, 200);
    assert.ok(r.body.sameIssue.some((m: any) => m.number === first.body.ticket.number), JSON.stringify(r.body.sameIssue));
  });

  it('stores an operator’s correction for the next training run, and refuses an unknown type', async () => {
    const elevator = (await op('POST', '/api/routing/suggest', { text: '电梯故障困人' })).body.eventTypes[0].code;
    const ok = await op('POST', '/api/routing/corrections', { text: '小区电梯经常困人', suggestedCode: 'CX-0101', chosenCode: elevator });
    assert.equal(ok.status, 201);
    const rows = await h.db('routing_corrections');
    assert.deepEqual(rows.map((r) => [r.chosen_code, r.suggested_code]), [[elevator, 'CX-0101']]);
    const bad = await op('POST', '/api/routing/corrections', { text: 'x', chosenCode: 'NOPE' });
    assert.equal(bad.status, 400);
  });

  it('units cannot call the routing engine', async () => {
    const cgj = await h.as('cgj');
    assert.equal((await cgj('POST', '/api/routing/suggest', { text: '路灯坏了' })).status, 403);
  });
  it('the routing engine is limited per user: a burst of long texts gets 429 past the limit, another operator is not held up', async () => {
    // Each suggestion reads the whole text and the open tickets of the last days: the most
    // expensive thing a desk can ask for. One operator sends a burst of long, different texts.
    const limited = await startTestHotline({ env: { DESK_SUGGEST_PER_MINUTE: '10' } });
    try {
      const a = await limited.as('op01');
      const b = await limited.as('op02');
      const text = (i: number) => `第${i}次反映：小区门口的路灯坏了好几天，晚上出门很不方便，老人差点摔倒。`.repeat(200);
      const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => a('POST', '/api/routing/suggest', { text: text(i) })));
      const statuses = burst.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 20, statuses.join(','));
      const refused = burst.find((r) => r.status === 429)!;
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.match(refused.body.error.message, /秒后再试/);
      assert.equal((await b('POST', '/api/routing/suggest', { text: '路灯坏了' })).status, 200);
    } finally {
      await limited.close();
    }
  });
});
