import assert from 'node:assert/strict';
import { Words } from '../../routing/segmenter';
import { seededRandom } from '../../routing/svm';
import { keep, lookUpWords, normalize, segmenter, STOP_WORDS, tokenize, wordSegmenter, wordTable } from '../../routing/text';
import { committedRouting } from './support';

/** The words of the JavaScript segmentation of `text`, checked to be consecutive offsets covering it. */
function jsCut(text: string): string[] {
  const out = new Words();
  wordSegmenter().cut(text, out);
  const words: string[] = [];
  let at = 0;
  for (let k = 0; k < out.count; k++) {
    assert.equal(out.start[k], at, `word ${k} of ${JSON.stringify(text)} starts where the previous one ended`);
    assert.ok(out.end[k] > out.start[k]);
    at = out.end[k];
    words.push(text.slice(out.start[k], out.end[k]));
    // A word's dictionary node is its own (or -1 when the dictionary does not have it).
    const node = wordSegmenter().trie.wordNode(text, out.start[k], out.end[k]);
    if (out.end[k] - out.start[k] > 1) assert.equal(out.node[k], node, `node of ${words[k]}`);
  }
  assert.equal(at, text.length);
  return words;
}

function sameAsNative(text: string): void {
  assert.deepEqual(jsCut(text), segmenter().cut(text, true), JSON.stringify(text));
}

describe('word segmenter (jieba cut in JavaScript)', () => {
  it('cuts exactly as the native jieba on edge cases', () => {
    for (const t of [
      '',
      '，。！？',
      '路灯',
      '灯',
      '我家楼下的路灯坏了好几天了',
      '\r\n\r\n小区停水\r\n',
      ' 小区 停水 ',
      // Latin, digits and jieba's other han characters (+ # & . _ % -) inside a run; full-width punctuation between runs.
      'abc123.45%的人说wifi不好用，5g信号差＋＃＆．＿％－',
      'iphone15pro手机屏幕碎了，售后说要1,299.00元',
      'c++和c#都是编程语言',
      '3.5%的利率-2024年_第1季度&第2季度',
      // Unknown words (HMM) at the start, in the middle and at the end of a run; names.
      '张小明说李大壮把王二麻子家的狗打了',
      '羊口镇北半截河村西头的桥塌了',
      '寇家坞村',
      // CJK Extension A, compatibility ideographs, U+9FD6–U+9FFF (han for jieba, not for its HMM).
      '㐀㐁测试龥鿖鿗豈更车',
      '䶮䶯是两个字',
      // Repeated characters: equal routes (the native segmenter decides these).
      '谢谢谢谢',
      '噪音嗡嗡嗡嗡嗡',
      '等等等等等',
      // Beyond the BMP: an ideograph of Extension B (han) and an emoji (not han).
      '𠀀𠀁测试𦡦',
      '停水了😡😡三天',
    ])
      sameAsNative(t);
  });

  it('cuts exactly as the native jieba on the catalogue’s phrasings and on random texts', () => {
    const routing = committedRouting();
    const seg = wordSegmenter();
    const texts0 = seg.counts.texts;
    const native0 = seg.counts.native;
    const hmm0 = seg.counts.hmmRuns;
    const phrasings = routing.taxonomy.eventTypes.flatMap((t) => [t.name, ...t.examples]);
    for (const t of phrasings) {
      sameAsNative(t);
      sameAsNative(normalize(t));
    }
    // Random texts over characters of the phrasings plus Latin, digits, han symbols and punctuation.
    const chars = [...new Set(phrasings.join('') + 'abcxyz0123456789+#&._%-，。 \r\n')];
    const next = seededRandom(12);
    for (let n = 0; n < 1500; n++) {
      let t = '';
      const len = 1 + Math.floor(next() * 60);
      for (let i = 0; i < len; i++) t += chars[Math.floor(next() * chars.length)];
      sameAsNative(t);
    }
    // Random cuts of the phrasings joined: real words, unknown runs across their joins.
    for (let n = 0; n < 1500; n++) {
      let t = '';
      for (let k = 0; k < 4; k++) {
        const p = phrasings[Math.floor(next() * phrasings.length)];
        const a = Math.floor(next() * p.length);
        t += p.slice(a, a + 1 + Math.floor(next() * 12));
      }
      sameAsNative(t);
    }
    // The comparison is of the JavaScript path: few texts went wholly to the native segmenter, and many had unknown runs (HMM).
    const texts = seg.counts.texts - texts0;
    assert.ok(seg.counts.native - native0 < texts / 20, `${seg.counts.native - native0} of ${texts} texts cut natively`);
    assert.ok(seg.counts.hmmRuns - hmm0 > texts, `${seg.counts.hmmRuns - hmm0} unknown runs in ${texts} texts`);
  });

  it('leaves near ties of the route to the native segmenter and counts them', () => {
    const seg = wordSegmenter();
    const before = seg.counts.native;
    assert.deepEqual(jsCut('谢谢谢谢'), segmenter().cut('谢谢谢谢', true));
    assert.equal(seg.counts.native, before + 1);
    // A near tie of two HMM paths (BMEBE and BEBME, 1.7e-6 apart) goes native too: it was cut 这会文|纷份 here, 这会|文纷份 natively.
    assert.deepEqual(jsCut('这会文纷份'), ['这会', '文纷份']);
    assert.equal(seg.counts.native, before + 2);
    jsCut('小区停水三天了');
    assert.equal(seg.counts.native, before + 2);
  });

  it('tokenize keeps the same content words as before (the native cut, filtered)', () => {
    for (const t of ['我家楼下的路灯坏了好几天了', '张小明说李大壮把王二麻子家的狗打了，5g信号差', '谢谢谢谢领导'])
      assert.deepEqual(tokenize(t), segmenter().cut(t, true).filter(keep));
  });

  it('lookUpWords finds the kept words of tokenize with what the table knows of each, by dictionary node or by string', () => {
    const routing = committedRouting();
    const texts = routing.taxonomy.eventTypes.flatMap((t) => t.examples).concat(['张小明说李大壮把王二麻子家的狗打了', '谢谢谢谢领导，我们小区停水了', '5g信号差abc123']);
    // A table of some kept words, some words jieba's dictionary lacks (the HMM's), and the stop words (kept: false).
    const known = new Map<string, { w: string; kept: boolean }>();
    for (const t of texts) for (const [i, w] of tokenize(t).entries()) if (i % 2 === 0) known.set(w, { w, kept: true });
    for (const w of ['张小明', '李大壮', '王二麻子', '小区']) known.set(w, { w, kept: keep(w) });
    for (const w of STOP_WORDS) known.set(w, { w, kept: false });
    assert.ok([...known.keys()].some((w) => wordSegmenter().trie.wordNode(w, 0, w.length) < 0), 'the table has words outside the dictionary');
    const table = wordTable(known, (i) => i.kept);
    for (const t of texts) {
      const out: Array<{ w: string; kept: boolean } | undefined> = [];
      const n = lookUpWords(t, table, out);
      const words = tokenize(t);
      assert.equal(n, words.length, t);
      assert.deepEqual(out, words.map((w) => known.get(w)), t);
    }
  });
});
