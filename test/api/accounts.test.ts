// Accounts: a user chooses their own password; an administrator creates users, changes
// them, disables them and resets forgotten passwords; every change is audited.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller, call, INITIAL_PASSWORD, TEST_PASSWORD, usersChosePasswords } from '../support/hotline';
import { oneTimePassword, passwordProblems } from '../../server/services/accounts';

describe('accounts: own password, user administration', function () {
  let h: TestHotline;
  let admin: Caller;
  const login = (username: string, password: string) => call(h.base, 'POST', '/api/session', { username, password });
  const bearer = (token: string): Caller => (method, path, body, headers = {}) => call(h.base, method, path, body, { authorization: `Bearer ${token}`, ...headers });

  before(async () => {
    // op02 stays on the seed's initial password; the others have chosen theirs.
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' }, initialPasswords: true });
    await usersChosePasswords(h.db, ['admin', 'sup01', 'op03', 'op04']);
    admin = await h.as('admin');
  });
  after(async () => h.close());

  it('the password rules: 8 characters of three kinds, without the user name', () => {
    assert.deepEqual(passwordProblems('Lu-Hua#7781', 'op01'), []);
    assert.equal(passwordProblems('Lz-7q1x', 'op01').length, 1); // too short
    assert.match(passwordProblems('abcdefgh1', 'op01').join(), /至少三种/);
    assert.match(passwordProblems('Op01-secret', 'op01').join(), /用户名/);
    for (let i = 0; i < 50; i++) assert.deepEqual(passwordProblems(oneTimePassword(), 'op01'), []);
  });

  it('a user still on the initial password is told so, chooses their own, and their other sessions end', async () => {
    const first = await login('op02', INITIAL_PASSWORD);
    const second = await login('op02', INITIAL_PASSWORD);
    assert.equal(first.body.user.initialPassword, true);
    const op = bearer(first.body.token);

    const weak = await op('PUT', '/api/me/password', { currentPassword: INITIAL_PASSWORD, newPassword: 'password' });
    assert.equal(weak.status, 400);
    assert.match(weak.body.error.message, /至少三种/);
    const wrong = await op('PUT', '/api/me/password', { currentPassword: 'not-it', newPassword: 'Jinguang-Jie-58' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error.message, /当前密码不正确/);
    assert.equal((await login('op02', INITIAL_PASSWORD)).status, 201, 'refused attempts change nothing');

    assert.equal((await op('PUT', '/api/me/password', { currentPassword: INITIAL_PASSWORD, newPassword: 'Jinguang-Jie-58' })).status, 204);
    assert.equal((await op('GET', '/api/me')).body.user.initialPassword, false, 'the session in use stays');
    assert.equal((await bearer(second.body.token)('GET', '/api/me')).status, 401, 'the other session ended');
    assert.equal((await login('op02', INITIAL_PASSWORD)).status, 401);
    assert.equal((await login('op02', 'Jinguang-Jie-58')).status, 201);
  });

  it('an administrator creates an operator with a one-time password; bad or clashing input is refused and creates nothing', async () => {
    const created = await admin('POST', '/api/admin/users', { username: 'op33', displayName: '接线员33', role: 'operator', unit: 'center', extension: '1033' });
    assert.equal(created.status, 201);
    assert.equal(created.body.user.initialPassword, true);
    const first = await login('op33', created.body.password);
    assert.equal(first.status, 201);
    assert.equal(first.body.user.role, 'operator');

    const before = (await admin('GET', '/api/admin/users')).body.users.length;
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ username: 'op33', displayName: '重名', role: 'operator', unit: 'center' }, 409, /已被使用/],
      [{ username: 'op34', displayName: '分机重复', role: 'operator', unit: 'center', extension: '1033' }, 409, /分机号 1033 已分配给 接线员33/],
      [{ username: 'op35', displayName: '单位不符', role: 'operator', unit: 'cgj' }, 400, /接线员不能属于「城市管理局」/],
      [{ username: 'cgj2', displayName: '承办人', role: 'unit_handler', unit: 'center' }, 400, /承办单位不能属于/],
      [{ username: 'x', displayName: '太短', role: 'operator', unit: 'center' }, 400, /用户名：/],
      [{ username: 'op36', displayName: '系统', role: 'system', unit: 'center' }, 400, /角色：/],
      [{ username: 'op37', displayName: '无此单位', role: 'operator', unit: 'nowhere' }, 400, /不存在/],
      [{ username: 'op38', displayName: '多余字段', role: 'operator', unit: 'center', password: 'Abc-12345' }, 400, /不接受的字段：password/],
    ];
    for (const [body, status, message] of cases) {
      const r = await admin('POST', '/api/admin/users', body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(r.body.error.message, message);
    }
    assert.equal((await admin('GET', '/api/admin/users')).body.users.length, before);
  });

  it('two administrators creating the same user name at once: one user, the other told it is taken', async () => {
    const body = { username: 'op50', displayName: '接线员50', role: 'operator', unit: 'center' };
    const replies = await Promise.all([1, 2, 3].map(() => admin('POST', '/api/admin/users', body)));
    assert.deepEqual(replies.map((r) => r.status).sort(), [201, 409, 409]);
    assert.equal((await admin('GET', '/api/admin/users')).body.users.filter((u: { username: string }) => u.username === 'op50').length, 1);
  });

  it('only an administrator manages users', async () => {
    const sup = await h.as('sup01');
    assert.equal((await sup('GET', '/api/admin/users')).status, 403);
    assert.equal((await sup('POST', '/api/admin/users', { username: 'op39', displayName: 'x', role: 'operator', unit: 'center' })).status, 403);
  });

  it('a moved or disabled user is seen at once: new role on the next call, a disabled one signed out and refused', async () => {
    const user = (await admin('GET', '/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'op03');
    const op = await h.as('op03');
    assert.equal((await op('GET', '/api/me')).body.user.role, 'operator');
    const moved = await admin('PATCH', `/api/admin/users/${user.id}`, { role: 'supervisor', displayName: '值班长04' });
    assert.equal(moved.status, 200);
    assert.equal((await op('GET', '/api/me')).body.user.role, 'supervisor');

    assert.equal((await admin('PATCH', `/api/admin/users/${user.id}`, { active: false })).body.user.active, false);
    assert.equal((await op('GET', '/api/me')).status, 401);
    assert.equal((await login('op03', TEST_PASSWORD)).status, 401);
    assert.equal((await admin('PATCH', `/api/admin/users/${user.id}`, { active: true })).status, 200);
    assert.equal((await login('op03', TEST_PASSWORD)).status, 201);

    const events = (await admin('GET', `/api/admin/users/${user.id}/events`)).body.events;
    assert.deepEqual(events.map((e: { action: string }) => e.action), ['updated', 'disabled', 'enabled']);
    assert.deepEqual(events[0].data.role, { from: 'operator', to: 'supervisor' });
    assert.equal(typeof events[0].actorId, 'number');
  });

  it('an administrator cannot lock themselves out', async () => {
    const me = (await admin('GET', '/api/me')).body.user;
    const r = await admin('PATCH', `/api/admin/users/${me.id}`, { active: false });
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /不能停用自己的账号/);
    assert.equal((await admin('PATCH', `/api/admin/users/${me.id}`, { role: 'operator' })).status, 409);
    assert.equal((await admin('PATCH', `/api/admin/users/${me.id}`, {})).status, 400);
  });

  it('a forgotten password is reset: the old one and the sessions stop working, the one-time password signs in', async () => {
    const user = (await admin('GET', '/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'op04');
    const op = await h.as('op04');
    const reset = await admin('POST', `/api/admin/users/${user.id}/password-reset`);
    assert.equal(reset.status, 200);
    assert.equal(reset.body.user.initialPassword, true);
    assert.equal((await op('GET', '/api/me')).status, 401);
    assert.equal((await login('op04', TEST_PASSWORD)).status, 401);
    const fresh = await login('op04', reset.body.password);
    assert.equal(fresh.status, 201);
    assert.equal(fresh.body.user.initialPassword, true);
    assert.equal((await admin('POST', '/api/admin/users/999999/password-reset')).status, 404);
    assert.equal((await admin('POST', '/api/admin/users/abc/password-reset')).status, 400);
  });
});
