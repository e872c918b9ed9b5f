// Small leaks an attacker can use: whether a ticket exists (another unit's answers as none
// does), a login forged from another site, a WebSocket from a sandboxed page.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, call, Caller, TEST_PASSWORD } from '../support/hotline';
import { loginCookie, openPush } from '../desk/support/ws';

describe('no existence oracle, no login CSRF, no 500 on a null Origin', function () {
  this.timeout(60_000);
  let h: TestHotline;
  let op: Caller;
  let zjj: Caller;
  let theirs: number;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    op = await h.as('op01');
    zjj = await h.as('zjj');
    const r = await op('POST', '/api/tickets', { channel: 'hotline', kind: 'complaint', content: '圣城街道金光街路灯不亮', citizenPhone: '13812345678', dispatch: { leadUnit: 'cgj', coUnits: [] } });
    assert.equal(r.status, 201);
    theirs = r.body.ticket.id;
  });
  after(async () => h?.close());

  it("another unit's ticket and a ticket that does not exist answer alike (404), on every ticket route", async () => {
    const none = theirs + 100000;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/tickets/%d'],
      ['POST', '/api/tickets/%d/transitions', { action: 'acknowledge' }],
      ['POST', '/api/tickets/%d/transitions', { action: 'return', reason: '不属于本单位职责' }],
      ['GET', '/api/tickets/%d/attachments'],
      ['GET', '/api/tickets/%d/attachments/1'],
      ['GET', '/api/tickets/%d/supervision-notice'],
    ];
    for (const [method, path, body] of routes) {
      const mine = await zjj(method, path.replace('%d', String(theirs)), body);
      const nobody = await zjj(method, path.replace('%d', String(none)), body);
      assert.equal(mine.status, 404, `${method} ${path} on another unit's ticket: ${mine.status} ${JSON.stringify(mine.body)}`);
      assert.equal(nobody.status, 404, `${method} ${path} on no ticket`);
      assert.equal(mine.body.error.code, nobody.body.error.code);
      assert.equal(mine.body.error.message.replace(String(theirs), 'N'), nobody.body.error.message.replace(String(none), 'N'));
    }
    const t = await h.db('tickets').where({ id: theirs }).first();
    assert.equal(t.status, 'dispatched', 'nothing changed');
  });

  it('a login form posted from another site is refused (JSON only, Origin checked), and logs nobody in', async () => {
    const form = await call(h.base, 'POST', '/api/session', `username=op02&password=${TEST_PASSWORD}`, { origin: 'http://evil.example' });
    assert.equal(form.status, 415, JSON.stringify(form.body));
    assert.equal(form.headers.get('set-cookie'), null);
    const plain = await call(h.base, 'POST', '/api/session', JSON.stringify({ username: 'op02', password: TEST_PASSWORD }), { 'content-type': 'text/plain', origin: 'http://evil.example' });
    assert.equal(plain.status, 415);
    const json = await call(h.base, 'POST', '/api/session', { username: 'op02', password: TEST_PASSWORD }, { origin: 'http://evil.example' });
    assert.equal(json.status, 403);
    assert.equal(json.body.error.code, 'cross_origin');
    assert.equal(json.headers.get('set-cookie'), null);
    const sandboxed = await call(h.base, 'POST', '/api/session', { username: 'op02', password: TEST_PASSWORD }, { origin: 'null' });
    assert.equal(sandboxed.status, 403);
    // The desk itself (same origin) and API clients (no Origin) sign in.
    assert.equal((await call(h.base, 'POST', '/api/session', { username: 'op02', password: TEST_PASSWORD }, { origin: h.base })).status, 201);
    assert.equal((await call(h.base, 'POST', '/api/session', { username: 'op02', password: TEST_PASSWORD })).status, 201);
  });

  it('a WebSocket from a page whose Origin is null (sandboxed, file:) is refused with 403, not 500', async () => {
    const c = await loginCookie(h.base, 'op03');
    await assert.rejects(openPush(h.base, c.cookie, { origin: 'null' }), /HTTP 403/);
    await assert.rejects(openPush(h.base, c.cookie, { origin: 'not a url' }), /HTTP 403/);
    const ok = await openPush(h.base, c.cookie, { origin: h.base });
    ok.close();
  });
});
