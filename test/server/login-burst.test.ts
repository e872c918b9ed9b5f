// Login limits under bursts of parallel guesses: each attempt is reserved in the database
// before its password is verified, so a burst of N guesses, on one server or spread over
// two server processes, verifies at most the limit. A 401 means "verified and wrong";
// a 429 means "refused before verifying".
import assert from 'node:assert/strict';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, ChildProcess } from 'node:child_process';
import { startTestHotline, TestHotline, call, Reply, TEST_PASSWORD } from '../support/hotline';
import { handleOf, testDatabaseUrl } from '../support/db';
import { ACCOUNT_LIMITS, ADDRESS_LIMITS } from '../../server/login-rules';

const BURST = 100;
const login = (base: string, username: string, password: string) => call(base, 'POST', '/api/session', { username, password });
const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length;

describe('login limits under parallel bursts', function () {
  this.timeout(120_000);
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
  });
  after(async () => h?.close());
  beforeEach(async () => {
    await h.db('login_limits').delete();
  });

  it(`${BURST} wrong passwords for one user at once: at most the account limit are verified, the rest refused (429)`, async () => {
    const replies = await Promise.all(Array.from({ length: BURST }, (_, i) => login(h.base, 'op21', `guess-${i}`)));
    assert.equal(count(replies, 401) + count(replies, 429), BURST, JSON.stringify(replies.map((r) => r.status)));
    assert.ok(count(replies, 401) <= ACCOUNT_LIMITS.maxFailures, `${count(replies, 401)} guesses were verified`);
    assert.equal((await login(h.base, 'op21', TEST_PASSWORD)).status, 429, 'the account is locked afterwards');
  });

  it('the right password at position 40 of a burst of 100 wrong ones does not log in', async () => {
    const replies = await Promise.all(Array.from({ length: BURST }, (_, i) => login(h.base, 'op22', i === 40 ? TEST_PASSWORD : `guess-${i}`)));
    assert.ok(count(replies, 401) + count(replies, 201) <= ACCOUNT_LIMITS.maxFailures, `${count(replies, 401) + count(replies, 201)} verified`);
    assert.equal(replies[40].status, 429);
  });

  it(`${BURST} wrong passwords for ${BURST} different users from one address: at most the address limit are verified`, async () => {
    const names = Array.from({ length: BURST }, (_, i) => `nobody${i}`);
    const replies = await Promise.all(names.map((n) => login(h.base, n, 'guess')));
    assert.ok(count(replies, 401) <= ADDRESS_LIMITS.maxFailures, `${count(replies, 401)} verified`);
    assert.equal(count(replies, 401) + count(replies, 429), BURST);
  });
});

describe('login limits under a burst spread over two server processes (PostgreSQL)', function () {
  this.timeout(120_000);
  let h: TestHotline;
  let second: ChildProcess;
  let base2: string;
  before(async function () {
    if (!testDatabaseUrl()) {
      console.log('      (skipped: two server processes share one database on PostgreSQL only — set TEST_DATABASE_URL)');
      this.skip();
    }
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0' } });
    const handle = handleOf(h.db);
    second = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../desk/support/second-server.ts')], {
      cwd: path.resolve(__dirname, '../..'), env: { ...process.env, DESK_TEST_DB_URL: handle.url, DESK_TEST_SCHEMA: handle.schema ?? '' }, stdio: ['pipe', 'pipe', 'inherit'],
    });
    const first = await new Promise<string>((resolve, reject) => {
      second.once('exit', (c) => reject(new Error(`second server exited ${c}`)));
      readline.createInterface({ input: second.stdout! }).once('line', resolve);
    });
    base2 = `http://127.0.0.1:${JSON.parse(first).port}`;
  });
  after(async () => {
    if (second) {
      second.stdin?.end();
      await new Promise((r) => (second.exitCode !== null ? r(null) : second.once('exit', r)));
    }
    await h?.close();
  });

  it(`${BURST} wrong passwords for one user, half on each server: at most the account limit are verified`, async () => {
    const replies = await Promise.all(Array.from({ length: BURST }, (_, i) => login(i % 2 ? base2 : h.base, 'op23', `guess-${i}`)));
    assert.ok(count(replies, 401) <= ACCOUNT_LIMITS.maxFailures, `${count(replies, 401)} guesses were verified`);
    assert.equal(count(replies, 401) + count(replies, 429), BURST);
    for (const base of [h.base, base2]) assert.equal((await login(base, 'op23', TEST_PASSWORD)).status, 429);
  });
});
