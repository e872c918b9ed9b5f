// A user on an initial or reset password can do nothing but change it: every other route
// answers 403 password_change_required (the desk shows the password form on it), on the
// server, whatever the page does.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, call, INITIAL_PASSWORD, usersChosePasswords } from '../support/hotline';
import { openPush } from '../desk/support/ws';

describe('a user on an initial or reset password may only change it', function () {
  this.timeout(60_000);
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' }, initialPasswords: true });
    await usersChosePasswords(h.db, ['admin']);
  });
  after(async () => h?.close());

  const session = async (username: string, password: string) => {
    const r = await call(h.base, 'POST', '/api/session', { username, password });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.user.initialPassword, true);
    const cookie = r.headers.get('set-cookie')!.split(';')[0];
    return {
      bearer: (method: string, path: string, body?: unknown) => call(h.base, method, path, body, { authorization: `Bearer ${r.body.token}` }),
      cookie,
      csrf: r.body.csrfToken as string,
    };
  };
  const appeal = { channel: 'hotline', kind: 'complaint', content: '小区门口路灯不亮', citizenPhone: '13812345678' };

  it('every route but me, password change and logout is refused with 403 password_change_required, and changes nothing', async () => {
    const op = await session('op01', INITIAL_PASSWORD);
    const admin = await session('sup01', INITIAL_PASSWORD);
    const tickets = Number((await h.db('tickets').count({ n: '*' }))[0].n);
    const refused: Array<[typeof op, string, string, unknown?]> = [
      [op, 'POST', '/api/tickets', appeal],
      [op, 'GET', '/api/tickets'],
      [op, 'GET', '/api/tickets/1'],
      [op, 'GET', '/api/units'],
      [op, 'GET', '/api/desk/meta'],
      [op, 'GET', '/api/desk/caller-history?phone=13812345678'],
      [op, 'POST', '/api/routing/suggest', { text: '路灯不亮' }],
      [op, 'GET', '/api/return-visits/manual'],
      [op, 'GET', '/api/desk/knowledge?q=社保'],
      [admin, 'GET', '/api/desk/wallboard'],
      [admin, 'PUT', '/api/calendar/schedules/2027', { year: 2027, holidays: [] }],
      [admin, 'GET', '/api/bulletins/daily'],
    ];
    for (const [who, method, path, body] of refused) {
      const r = await who.bearer(method, path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.status}`);
      assert.equal(r.body.error.code, 'password_change_required');
      assert.match(r.body.error.message, /修改密码/);
    }
    assert.equal(Number((await h.db('tickets').count({ n: '*' }))[0].n), tickets);
    assert.equal((await op.bearer('GET', '/api/me')).status, 200);
  });

  it('the push socket is refused too', async () => {
    const op = await session('op02', INITIAL_PASSWORD);
    await assert.rejects(openPush(h.base, op.cookie), /HTTP 403/);
  });

  it('after choosing a password everything the role allows works, in the same session', async () => {
    const op = await session('op03', INITIAL_PASSWORD);
    assert.equal((await op.bearer('PUT', '/api/me/password', { currentPassword: INITIAL_PASSWORD, newPassword: 'Zhixian-0331' })).status, 204);
    assert.equal((await op.bearer('POST', '/api/tickets', appeal)).status, 201);
    assert.equal((await op.bearer('GET', '/api/desk/meta')).status, 200);
  });

  it("an administrator's reset puts the user back behind the gate; logout still works", async () => {
    const admin = await h.as('admin');
    const user = (await admin('GET', '/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'cgj');
    const reset = await admin('POST', `/api/admin/users/${user.id}/password-reset`);
    const unit = await session('cgj', reset.body.password);
    assert.equal((await unit.bearer('GET', '/api/desk/inbox')).status, 403);
    assert.equal((await unit.bearer('DELETE', '/api/session')).status, 204);
    assert.equal((await unit.bearer('GET', '/api/me')).status, 401);
  });
});
