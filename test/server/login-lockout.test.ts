// Lockouts an attacker cannot turn against the user: guessing from elsewhere does not lock
// the user out of the browser they work in; a per-account limit with back-off and a
// per-address limit apart; an administrator unlocks without any CAPTCHA; an unknown user
// name costs the same time as a known one.
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, call, Caller, TEST_PASSWORD } from '../support/hotline';

describe('login lockout that cannot be turned against the user', function () {
  this.timeout(60_000);
  let h: TestHotline;
  let now = Date.parse('2026-11-23T02:00:00Z');
  let admin: Caller;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' }, now: () => new Date(now) });
    admin = await h.as('admin');
  });
  after(async () => h?.close());
  beforeEach(async () => {
    await h.db('login_limits').delete();
  });

  /** A login from an address (the test server trusts the loopback proxy's X-Forwarded-For), with the cookies a browser would send. */
  const login = (username: string, password: string, from: string, cookie?: string) =>
    call(h.base, 'POST', '/api/session', { username, password }, { 'x-forwarded-for': from, ...(cookie ? { cookie } : {}) });
  /** The device cookie the browser keeps (the session cookie is left out: signed out since). */
  const cookiesOf = (r: { headers: Headers }) => r.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => c.startsWith('hotline_device=')).join('; ');

  it("guesses from another address do not lock the user out of the browser they signed in with before", async () => {
    const desk = await login('op24', TEST_PASSWORD, '10.1.2.3');
    assert.equal(desk.status, 201);
    const browser = cookiesOf(desk);
    for (let i = 0; i < 20; i++) assert.match(String((await login('op24', `guess-${i}`, '203.0.113.9')).status), /^(401|429)$/);
    assert.equal((await login('op24', TEST_PASSWORD, '203.0.113.9')).status, 429, 'the account is locked for unknown browsers');
    assert.equal((await login('op24', TEST_PASSWORD, '10.1.2.3', browser)).status, 201, 'the user\'s own browser still signs in');
  });

  it('guesses in that browser lock that browser only, with its own limit', async () => {
    const desk = await login('op25', TEST_PASSWORD, '10.1.2.4');
    const browser = cookiesOf(desk);
    for (let i = 0; i < 5; i++) assert.equal((await login('op25', `guess-${i}`, '10.1.2.4', browser)).status, 401);
    assert.equal((await login('op25', TEST_PASSWORD, '10.1.2.4', browser)).status, 429);
    assert.equal((await login('op25', TEST_PASSWORD, '10.9.9.9')).status, 201, 'another browser is not locked by it');
  });

  it('the account lock backs off: each further lock within a day lasts twice as long', async () => {
    const lock = async () => {
      for (let i = 0; i < 5; i++) assert.equal((await login('op26', `guess-${i}`, '198.51.100.7')).status, 401);
      const r = await login('op26', TEST_PASSWORD, '198.51.100.8');
      assert.equal(r.status, 429);
      return Number(r.headers.get('retry-after'));
    };
    const first = await lock();
    now += first * 1000;
    const second = await lock();
    now += second * 1000;
    const third = await lock();
    assert.ok(first > 0);
    assert.equal(second, first * 2);
    assert.equal(third, first * 4);
    now += third * 1000;
    assert.equal((await login('op26', TEST_PASSWORD, '198.51.100.8')).status, 201);
  });

  it('the address limit is apart from the account limit: many names from one address lock the address, not the names', async () => {
    for (let i = 0; i < 60; i++) await login(`nobody${i}`, 'guess', '192.0.2.50');
    assert.equal((await login('op27', TEST_PASSWORD, '192.0.2.50')).status, 429, 'the address is locked');
    assert.equal((await login('op27', TEST_PASSWORD, '192.0.2.51')).status, 201, 'the names are not');
  });

  it('an administrator unlocks a locked account at once (no CAPTCHA); the unlock is audited; others may not', async () => {
    for (let i = 0; i < 5; i++) await login('op28', `guess-${i}`, '203.0.113.10');
    assert.equal((await login('op28', TEST_PASSWORD, '10.2.2.2')).status, 429);
    const user = (await admin('GET', '/api/admin/users')).body.users.find((u: { username: string }) => u.username === 'op28');
    assert.ok(user.loginLockedUntil, 'the administrator sees the lock');
    const sup = await h.as('sup02');
    assert.equal((await sup('POST', `/api/admin/users/${user.id}/unlock`)).status, 403);
    const r = await admin('POST', `/api/admin/users/${user.id}/unlock`);
    assert.equal(r.status, 200);
    assert.equal(r.body.user.loginLockedUntil, null);
    assert.equal((await login('op28', TEST_PASSWORD, '10.2.2.2')).status, 201);
    const events = (await admin('GET', `/api/admin/users/${user.id}/events`)).body.events;
    assert.equal(events.at(-1).action, 'unlocked');
  });

  it('an unknown user name takes as long to refuse as a wrong password for a real user (no enumeration by timing)', async () => {
    const time = async (username: string) => {
      await h.db('login_limits').delete();
      const t0 = performance.now();
      assert.equal((await login(username, 'Wrong-guess-1', '10.3.3.3')).status, 401);
      return performance.now() - t0;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 12; i++) {
      known.push(await time('op29'));
      unknown.push(await time(`ghost${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    // argon2 takes tens of milliseconds; a lookup that finds no user takes about one.
    assert.ok(median(unknown) > median(known) * 0.5, `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`);
  });
});
