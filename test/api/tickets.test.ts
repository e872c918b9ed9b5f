import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller, call, TEST_PASSWORD } from '../support/hotline';
import { dbKind } from '../../storage/db';

const appeal = {
  channel: 'hotline',
  kind: 'complaint',
  title: '路灯不亮',
  content: '我家楼下的路灯坏了一个星期了，在圣城街道金光街口',
  citizenName: '王先生',
  citizenPhone: '13812345678',
  address: '圣城街道金光街与农圣街交叉口',
  town: 'shengcheng',
};

describe('desk API: tickets', function () {
  let h: TestHotline;
  let op: Caller;
  let sup: Caller;
  let cgj: Caller;
  let zjj: Caller;
  const count = async (table: string) => Number((await h.db(table).count({ n: '*' }))[0].n);

  before(async () => {
    h = await startTestHotline();
    op = await h.as('op01');
    sup = await h.as('sup01');
    cgj = await h.as('cgj');
    zjj = await h.as('zjj');
  });
  after(async () => h.close());

  it('/healthz reports the database kind and that telephony is not configured', async () => {
    const r = await call(h.base, 'GET', '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.database.kind, dbKind(h.db));
    assert.deepEqual([r.body.telephony.configured, r.body.telephony.connected], [false, false]);
  });

  it('refuses a wrong password and an unauthenticated call', async () => {
    assert.equal((await call(h.base, 'POST', '/api/session', { username: 'op01', password: 'nope' })).status, 401);
    const r = await call(h.base, 'GET', '/api/tickets');
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /登录/);
  });

  it('an accepted appeal is answered 201 with its number, only after it is committed with its audit row', async () => {
    const r = await op('POST', '/api/tickets', appeal);
    assert.equal(r.status, 201);
    assert.match(r.body.ticket.number, /^\d{8}\d{4}$/);
    const row = await h.db('tickets').where({ number: r.body.ticket.number }).first();
    assert.equal(row.status, 'accepted');
    const events = await h.db('ticket_events').where({ ticket_id: row.id });
    assert.deepEqual(events.map((e) => e.action), ['intake']);
  });

  it('bad input gets a 400 naming each field, and nothing is written', async () => {
    const before = [await count('tickets'), await count('ticket_events')];
    const r = await op('POST', '/api/tickets', { ...appeal, citizenPhone: '12345', kind: 'praise', content: '' });
    assert.equal(r.status, 400);
    const fields = r.body.error.issues.map((i: any) => i.field).sort();
    assert.deepEqual(fields, ['citizenPhone', 'content', 'kind']);
    assert.deepEqual([await count('tickets'), await count('ticket_events')], before);
    assert.equal((await op('POST', '/api/tickets', { ...appeal, town: 'atlantis' })).status, 400);
    assert.equal((await op('POST', '/api/tickets', { ...appeal, unknownField: 1 })).status, 400);
  });

  it('a body over the size limit gets 413, and malformed JSON a 400', async () => {
    const r = await op('POST', '/api/tickets', { ...appeal, content: '长'.repeat(200_000) });
    assert.equal(r.status, 413);
    const bad = await fetch(`${h.base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    assert.equal(bad.status, 400);
  });

  it('a retried submission with the same idempotency key does not create a second ticket', async () => {
    const before = await count('tickets');
    const [a, b] = await Promise.all([
      op('POST', '/api/tickets', appeal, { 'idempotency-key': 'desk-retry-1' }),
      op('POST', '/api/tickets', appeal, { 'idempotency-key': 'desk-retry-1' }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 201]);
    assert.equal(a.body.ticket.number, b.body.ticket.number);
    assert.equal(await count('tickets'), before + 1);
    const other = await op('POST', '/api/tickets', { ...appeal, content: '另一件事' }, { 'idempotency-key': 'desk-retry-1' });
    assert.equal(other.status, 409);
  });

  it('ticket numbers stay unique when many are accepted at once', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => op('POST', '/api/tickets', { ...appeal, content: `并发受理第 ${i} 件` })));
    assert.ok(replies.every((r) => r.status === 201));
    const numbers = replies.map((r) => r.body.ticket.number);
    assert.equal(new Set(numbers).size, numbers.length);
  });

  it('the whole way through the API: dispatch, acknowledge, reply, review, return visit, closed', async () => {
    const created = await op('POST', '/api/tickets', { ...appeal, dispatch: { leadUnit: 'cgj', coUnits: ['shengcheng'] } });
    assert.equal(created.body.ticket.status, 'dispatched');
    assert.ok(created.body.ticket.dueAt);
    const id = created.body.ticket.id;
    const step = async (who: Caller, action: string, extra: object = {}) => {
      const r = await who('POST', `/api/tickets/${id}/transitions`, { action, ...extra });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.ticket;
    };
    await step(cgj, 'acknowledge');
    await step(cgj, 'reply', { reason: '已安排维修，路灯恢复照明' });
    await step(op, 'review_approve');
    const closed = await step(op, 'record_return_visit', { input: { outcome: 'satisfied' } });
    assert.equal(closed.status, 'closed');
    const detail = await sup('GET', `/api/tickets/${id}`);
    assert.deepEqual(
      detail.body.events.map((e: any) => e.action),
      ['intake', 'dispatch', 'acknowledge', 'reply', 'review_approve', 'record_return_visit'],
    );
    assert.equal(detail.body.statusLabel, '已办结');
  });

  it("a unit replying to a ticket it does not hold is told it does not exist (404, as for no ticket) and nothing changes", async () => {
    const { body } = await op('POST', '/api/tickets', { ...appeal, dispatch: { leadUnit: 'cgj', coUnits: [] } });
    const id = body.ticket.id;
    await cgj('POST', `/api/tickets/${id}/transitions`, { action: 'acknowledge' });
    const events = await count('ticket_events');
    const r = await zjj('POST', `/api/tickets/${id}/transitions`, { action: 'reply', reason: '已处理' });
    assert.equal(r.status, 404);
    assert.match(r.body.error.message, /不存在/);
    assert.equal(await count('ticket_events'), events);
    assert.equal((await h.db('tickets').where({ id }).first()).status, 'acknowledged');
  });

  it('closing before the return visit gets a 409', async () => {
    const { body } = await op('POST', '/api/tickets', { ...appeal, kind: 'consult', resolveAtIntake: { answer: '已告知' } });
    const r = await sup('POST', `/api/tickets/${body.ticket.id}/transitions`, { action: 'close', reason: '结束' });
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /回访/);
  });

  it('a unit sees only its own tickets, with the citizen phone masked and a reporter never named', async () => {
    await op('POST', '/api/tickets', { ...appeal, dispatch: { leadUnit: 'zjj', coUnits: [] } });
    const report = await op('POST', '/api/tickets', { ...appeal, kind: 'report', content: '某工地夜间违规施工', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    const mine = await cgj('GET', '/api/tickets?pageSize=100');
    assert.equal(mine.status, 200);
    assert.ok(mine.body.items.length > 0);
    assert.ok(mine.body.items.every((t: any) => t.leadUnit === 'cgj' || t.coUnits.includes('cgj')));
    const complaint = mine.body.items.find((t: any) => t.kind === 'complaint');
    assert.equal(complaint.citizenPhone, '138****5678');
    const rep = await cgj('GET', `/api/tickets/${report.body.ticket.id}`);
    assert.deepEqual([rep.body.ticket.citizenName, rep.body.ticket.citizenPhone], [null, null]);
    const zjjTicket = (await sup('GET', '/api/tickets?unit=zjj')).body.items[0];
    assert.equal((await cgj('GET', `/api/tickets/${zjjTicket.id}`)).status, 404);
  });

  it('search filters by status, channel, kind and overdue, with pagination', async () => {
    const page1 = await sup('GET', '/api/tickets?status=accepted&channel=hotline&kind=complaint&pageSize=5&page=1');
    assert.equal(page1.status, 200);
    assert.equal(page1.body.items.length, 5);
    assert.ok(page1.body.total > 5);
    assert.ok(page1.body.items.every((t: any) => t.status === 'accepted' && t.channel === 'hotline'));
    const page2 = await sup('GET', '/api/tickets?status=accepted&pageSize=5&page=2');
    assert.notEqual(page2.body.items[0].id, page1.body.items[0].id);
    const overdue = await sup('GET', '/api/tickets?overdue=true');
    assert.equal(overdue.body.total, 0);
    const bad = await sup('GET', '/api/tickets?status=lost');
    assert.equal(bad.status, 400);
  });

  it('a cookie session must send the CSRF token with every write', async () => {
    const login = await call(h.base, 'POST', '/api/session', { username: 'op02', password: TEST_PASSWORD });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const without = await call(h.base, 'POST', '/api/tickets', appeal, { cookie });
    assert.equal(without.status, 403);
    const withToken = await call(h.base, 'POST', '/api/tickets', appeal, { cookie, 'x-csrf-token': login.body.csrfToken });
    assert.equal(withToken.status, 201);
    assert.equal((await call(h.base, 'GET', '/api/me', undefined, { cookie })).body.user.username, 'op02');
  });

  it('a logged-out session is refused at once', async () => {
    const login = await call(h.base, 'POST', '/api/session', { username: 'op03', password: TEST_PASSWORD });
    const auth = { authorization: `Bearer ${login.body.token}` };
    assert.equal((await call(h.base, 'GET', '/api/me', undefined, auth)).status, 200);
    assert.equal((await call(h.base, 'DELETE', '/api/session', undefined, auth)).status, 204);
    assert.equal((await call(h.base, 'GET', '/api/me', undefined, auth)).status, 401);
  });

  it('unit handlers cannot accept appeals', async () => {
    assert.equal((await cgj('POST', '/api/tickets', appeal)).status, 403);
  });
});
