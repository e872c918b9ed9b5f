// Failed logins: the rules (pure), and their state shared by every server through the database.
import assert from 'node:assert/strict';
import { afterFailure, NO_FAILURES, retryAfter, LimitState } from '../../server/login-rules';
import { startTestHotline, TestHotline, call, TEST_PASSWORD } from '../support/hotline';

describe('login limits', () => {
  describe('the rules', () => {
    const o = { maxFailures: 5, windowMs: 60_000, lockMs: 300_000 };
    const failAt = (s: LimitState, ...times: number[]) => times.reduce((acc, t) => afterFailure(acc, t, o), s);

    it('five failures within the window lock the key for the lock time', () => {
      const four = failAt(NO_FAILURES, 1000, 1001, 1002, 1003);
      assert.equal(retryAfter(four, 2000), 0);
      const five = afterFailure(four, 1004, o);
      assert.equal(retryAfter(five, 1004), 300_000);
      assert.equal(retryAfter(five, 301_004), 0);
    });

    it('failures spread beyond the window do not lock', () => {
      const spread = failAt(NO_FAILURES, ...[0, 1, 2, 3, 4, 5].map((i) => i * 20_000));
      assert.equal(retryAfter(spread, 120_000), 0);
      assert.deepEqual(spread.failures, [60_000, 80_000, 100_000]);
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
