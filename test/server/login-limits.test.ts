// Failed logins: the rules (pure), and their state shared by every server through the database.
import assert from 'node:assert/strict';
import { afterFailure, IN_FLIGHT_WAIT_MS, NO_FAILURES, release, reserve, retryAfter, LimitState } from '../../server/login-rules';
import { startTestHotline, TestHotline, call, TEST_PASSWORD } from '../support/hotline';

describe('login limits', () => {
  describe('the rules', () => {
    const o = { maxFailures: 5, windowMs: 60_000, lockMs: 300_000, maxLockMs: 1_200_000, backoffMemoryMs: 86_400_000 };
    /** Attempts that each reserve, then fail. */
    const failAt = (s: LimitState, ...times: number[]) =>
      times.reduce((acc, t) => {
        const r = reserve(acc, t, o);
        assert.ok('state' in r, `the attempt at ${t} may try`);
        return afterFailure(r.state, t, o);
      }, s);

    it('five failures within the window lock the key for the lock time', () => {
      const four = failAt(NO_FAILURES, 1000, 1001, 1002, 1003);
      assert.equal(retryAfter(four, 2000, o), 0);
      const five = failAt(four, 1004);
      assert.equal(retryAfter(five, 1004, o), 300_000);
      assert.equal(retryAfter(five, 301_004, o), 0);
    });

    it('failures spread beyond the window do not lock', () => {
      const spread = failAt(NO_FAILURES, ...[0, 1, 2, 3, 4, 5].map((i) => i * 20_000));
      assert.equal(retryAfter(spread, 120_000, o), 0);
      assert.deepEqual(spread.failures, [60_000, 80_000, 100_000]);
    });

    it('an attempt is counted when it starts: with five in flight the sixth is refused before any is verified', () => {
      let s = NO_FAILURES;
      for (let i = 0; i < 5; i++) {
        const r = reserve(s, 1000, o);
        assert.ok('state' in r);
        s = r.state;
      }
      assert.deepEqual(reserve(s, 1000, o), { retryAfterMs: IN_FLIGHT_WAIT_MS });
      // One of them succeeds: its reservation is given back.
      assert.ok('state' in reserve(release(s, 1000), 1000, o));
    });

    it('each further lock within the back-off memory lasts twice as long, up to the longest lock; a quiet day forgets', () => {
      let s = failAt(NO_FAILURES, 0, 1, 2, 3, 4);
      const lengths = [s.lockedUntil - 4];
      for (let k = 0; k < 4; k++) {
        const t = s.lockedUntil;
        s = failAt(s, t, t + 1, t + 2, t + 3, t + 4);
        lengths.push(s.lockedUntil - (t + 4));
      }
      assert.deepEqual(lengths, [300_000, 600_000, 1_200_000, 1_200_000, 1_200_000]);
      const later = s.lockedUntil + o.backoffMemoryMs + 1;
      const fresh = failAt(s, later, later + 1, later + 2, later + 3, later + 4);
      assert.equal(fresh.lockedUntil - (later + 4), 300_000);
    });
  });

  describe('on the servers', function () {
    let a: TestHotline;
    let b: TestHotline;
    before(async () => {
      a = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
      b = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' }, db: a.db });
    });
    after(async () => {
      await b?.close();
      await a?.close();
    });
    const login = (h: TestHotline, username: string, password: string) => call(h.base, 'POST', '/api/session', { username, password });

    it('five wrong passwords spread over two servers lock the name on both: 429 with Retry-After, even for the right password', async () => {
      for (const h of [a, b, a, b]) assert.equal((await login(h, 'op11', 'wrong')).status, 401);
      assert.equal((await login(a, 'op11', TEST_PASSWORD)).status, 201, 'four failures do not lock');
      // The success cleared the count: five more are needed.
      for (const h of [b, a, b, a, b]) assert.equal((await login(h, 'op11', 'wrong')).status, 401);
      for (const h of [a, b]) {
        const r = await login(h, 'op11', TEST_PASSWORD);
        assert.equal(r.status, 429);
        assert.ok(Number(r.headers.get('retry-after')) > 0);
        assert.match(r.body.error.message, /登录失败次数过多/);
      }
      assert.equal((await login(b, 'op12', TEST_PASSWORD)).status, 201, 'another name is not locked');
    });

    it('failures arriving at the same moment on two servers are all counted', async () => {
      const replies = await Promise.all([a, b, a, b, a].map((h) => login(h, 'op13', 'wrong')));
      assert.deepEqual(replies.map((r) => r.status), [401, 401, 401, 401, 401]);
      assert.equal((await login(b, 'op13', TEST_PASSWORD)).status, 429);
    });

    it('an unknown user name counts too, so names cannot be probed for free', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await login(a, 'nobody', 'x')).status, 401);
      assert.equal((await login(b, 'nobody', 'x')).status, 429);
    });
  });
});
