import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller, TEST_PASSWORD } from '../support/hotline';

const MONDAY_10 = Date.parse('2026-11-23T02:00:00Z');

describe('the dissatisfaction ladder through the API, with the printable supervision notice', function () {
  let h: TestHotline;
  let op: Caller;
  let cgj: Caller;
  let leader: Caller;
  before(async () => {
    h = await startTestHotline({ now: () => new Date(MONDAY_10), env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    cgj = await h.as('cgj');
    leader = await h.as('leader01');
  });
  after(async () => h.close());

  it('unsatisfied → daily review → supervision notice → second handling → still unsatisfied → escalation, each step with who decided', async () => {
    const { body } = await op('POST', '/api/tickets', {
      channel: 'hotline', kind: 'complaint', content: '楼道灯坏了 <script>alert(1)</script>', citizenPhone: '13812345678', dispatch: { leadUnit: 'cgj', coUnits: [] },
    });
    const id = body.ticket.id;
    const step = async (who: Caller, action: string, extra: object = {}) => {
      const r = await who('POST', `/api/tickets/${id}/transitions`, { action, ...extra });
      assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.body)}`);
      return r.body.ticket;
    };
    await step(cgj, 'acknowledge');
    await step(cgj, 'reply', { reason: '已更换灯泡' });
    await step(op, 'review_approve');
    assert.equal((await step(op, 'record_return_visit', { input: { outcome: 'unsatisfied' } })).status, 'under_review');
    const review = await leader('GET', '/api/tickets?status=under_review');
    assert.ok(review.body.items.some((t: any) => t.id === id), 'on the daily review list');
    await step(leader, 'supervise', { reason: '灯泡更换后仍不亮，请检查线路', input: { dueAt: '2026-11-26T09:00:00Z' } });

    const notice = await fetch(`${h.base}/api/tickets/${id}/supervision-notice`, { headers: { authorization: (await loginHeader('cgj')) } });
    assert.equal(notice.status, 200);
    const html = await notice.text();
    assert.match(html, /督办通知单/);
    assert.match(html, /灯泡更换后仍不亮，请检查线路/);
    assert.match(html, /2026-11-26 17:00/);
    assert.match(html, /市领导01/);
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);

    await step(cgj, 'reply', { reason: '已更换线路' });
    await step(op, 'review_approve');
    await step(op, 'record_return_visit', { input: { outcome: 'unsatisfied' } });
    const escalated = await step(leader, 'escalate', { reason: '二次办理仍不满意，报分管市领导', input: { dueAt: '2026-11-30T09:00:00Z' } });
    assert.deepEqual([escalated.status, escalated.escalationLevel, escalated.handlingRound], ['supervised', 1, 3]);
    const events = (await leader('GET', `/api/tickets/${id}`)).body.events.filter((e: any) => ['supervise', 'escalate'].includes(e.action));
    assert.deepEqual(events.map((e: any) => [e.action, e.actorRole]), [['supervise', 'leader'], ['escalate', 'leader']]);
  });

  it('a ticket never supervised has no notice', async () => {
    const { body } = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '噪音', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    assert.equal((await leader('GET', `/api/tickets/${body.ticket.id}/supervision-notice`)).status, 404);
  });

  async function loginHeader(username: string) {
    const r = await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: TEST_PASSWORD }) });
    return `Bearer ${(await r.json()).token}`;
  }
});
