// normalize (routing/text.ts) folds in one pass where it can (foldPlain); it must give the string the
// regular expressions give, step by step, for any input.
import assert from 'node:assert/strict';
import { normalize } from '../../routing/text';

const ASR: Array<[RegExp, string]> = [
  [/(?<![天仍任依果显虽居忽突既自当竟偶安泰坦公断毅俨浑全已必骤猛悄默欣黯茫陡蓦霍愕决固纵诚本])然气(?=味|表|罐|管|灶|漏|泄|费|公司|阀|报警|热水器|卡|开户|安检|瓶|了|呢|啊|的|[ ，。,.!?！？]|$)/g, '燃气'],
  [/电提(?=[里内坏困停门年卡按间口没不又老一也还都轿井维修异突故事有上下 ]|$)/g, '电梯'],
  [/(?<!花)露水(?!珠)/g, '漏水'],
];

/** normalize as the steps are written, one regular expression after the other. */
function stepByStep(raw: string): string {
  let s = raw.length > 4000 ? raw.slice(0, 4000) : raw;
  s = s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  s = s.replace(/[A-Z]\d{0,2}(?=[市区县镇乡省])/g, ' ');
  s = s.toLowerCase().replace(/\s+/g, ' ').trim();
  for (const [re, word] of ASR) s = s.replace(re, word);
  return s;
}

describe('normalize', () => {
  it('folds every UTF-16 unit, alone and between others, as the step-by-step regular expressions do', () => {
    for (let c = 0; c < 65536; c++) {
      const u = String.fromCharCode(c);
      for (const s of [u, `A${u}b`, ` ${u}3区 `]) assert.equal(normalize(s), stepByStep(s), `U+${c.toString(16)}`);
    }
  });

  it('gives the same string on 100,000 random texts of tokens, spaces, full-width and cased letters', () => {
    const pool = [...'然气电提露水花珠天味 市区县镇乡省A3Zz9０１ａＡＢ，。\t\n\u3000\u00a0\ufeffΣσİÀàДд我们的了BCQ12'].concat(['A市', 'B3区', 'Ｃ１２县', '  ', '\ud801\udc00', '\ud83d\ude00']);
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 100000; t++) {
      let s = '';
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) s += rand() < 0.1 ? String.fromCharCode(Math.floor(rand() * 65536)) : pool[Math.floor(rand() * pool.length)];
      assert.equal(normalize(s), stepByStep(s), JSON.stringify(s));
    }
  });

  it('cuts at 4,000 characters before folding', () => {
    const s = `${'Ａ'.repeat(3999)}Ｂ１区`;
    assert.equal(normalize(s), stepByStep(s));
  });
});
