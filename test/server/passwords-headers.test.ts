// Passwords people guess first are refused; the desk and the API carry the security
// headers a browser needs (a Content-Security-Policy the desk works under, no framing, no
// sniffing, no referrer leaving the site).
import assert from 'node:assert/strict';
import { startTestHotline, TestHotline, Caller, call } from '../support/hotline';
import { passwordProblems } from '../../server/services/accounts';

describe('common passwords refused; security headers', function () {
  this.timeout(60_000);
  let h: TestHotline;
  before(async () => {
    h = await startTestHotline({ env: { SCHEDULER_INTERVAL_MS: '0', HOTLINE_DEMO_PASSWORD: 'Shouguang-Demo-1' } });
  });
  after(async () => h?.close());

  it('the leaked and common passwords people choose first are refused, however they are decorated', () => {
    const refused = [
      'Password1', 'P@ssw0rd', 'Qwerty123', 'Password123!', 'P@ssword2026', 'Admin@123', 'Admin123!', 'Welcome1!', 'Abcd1234!', 'Iloveyou1!',
      '1Q2w3e4r!', 'Zaq12wsx!', 'Woaini1314!', 'Qwe123456!', 'Aa123456!', 'HOTLINE-DEMO', 'Hotline-Demo1', 'hotline-DEMO!', 'Minsheng-2026', 'Hotline@12345', 'Shouguang2026!',
    ];
    const wrong = refused.filter((p) => !passwordProblems(p, 'op05').some((x) => /常见|演示|本系统/.test(x)));
    assert.deepEqual(wrong, []);
    // What Chinese users choose, which zxcvbn's English-centred list lacks.
    const chinese = [
      'Huawei@123', 'Xiaomi@2024', 'Sangfor@123', 'Aini1314!', 'Laopo520!', 'Jiayou2026!', 'Zhangwei123!', 'Liuyang123!',
      'Zhangsan1!', '7758521Aa!', '1314520Aa!', 'Aa112233!', 'Shandong@123', 'Weifang@123', 'Mima@123', 'Ceshi@123', 'Zhengfu@123',
    ];
    assert.deepEqual(chinese.filter((p) => !passwordProblems(p, 'op05').some((x) => /常见/.test(x))), []);
    // The user's own name in pinyin, whole or the given name.
    assert.match(passwordProblems('Zhangweidong-88', 'op05', undefined, '张卫东').join(), /姓名/);
    assert.match(passwordProblems('Weidong#1975', 'op05', undefined, '张卫东').join(), /姓名/);
    assert.deepEqual(passwordProblems('Weidong#1975', 'op05', undefined, '李秀兰'), []);
    for (const ok of ['Zhixian-0331', 'Lu-Hua#7781', 'k7Rm-Xa3q-9Pzt', 'Chunfeng-Bei-88', 'test-password-1']) assert.deepEqual(passwordProblems(ok, 'op05'), [], ok);
  });

  it('the demo password in use is refused in any case, at the desk', async () => {
    const op: Caller = await h.as('op05');
    for (const p of ['Shouguang-Demo-1', 'shouguang-demo-1', 'SHOUGUANG-DEMO-1']) {
      const r = await op('PUT', '/api/me/password', { currentPassword: 'test-password-1', newPassword: p });
      assert.equal(r.status, 400, p);
      assert.match(r.body.error.message, /演示密码|常见/);
    }
  });

  it('the desk and the API carry the security headers', async () => {
    for (const path of ['/desk/', '/api/me', '/open311/v2/services.json', '/healthz', '/api/nothing']) {
      const r = await fetch(h.base + path);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline script, no eval`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
    }
  });
});
