// regex-start.ts: the characters a regex's match must begin with, read from its source (guessKind skips
// a shape whose characters the text lacks, so a wrong answer would change a kind).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KIND_SHAPES } from '../../routing/kind';
import { normalize } from '../../routing/text';
import { firstUnits } from '../../routing/regex-start';

const chars = (re: RegExp) => {
  const f = firstUnits(re);
  return f && String.fromCharCode(...f);
};

describe('regex-start: first characters of a match', () => {
  it('reads literals, classes of literals and groups of alternatives, skipping lookarounds', () => {
    assert.equal(chars(/咋(?:换|报修)/), '咋');
    assert.equal(chars(/哪些|哪几/), '哪');
    assert.equal(chars(/[ab]c/), 'ab');
    assert.equal(chars(/a{1,3}b/), 'a');
    assert.equal(chars(/(?<![俺我咱])(?:连个|啥)证/), '啥连');
    assert.equal(chars(/(?<!花)露水(?!珠)/), '露');
    assert.equal(chars(/(?:有人|有个[\u4e00-\u9fff]{0,3}厂|有辆)(?:在)?/), '有');
  });

  it('gives up (null: always run) where the start could be anything or nothing', () => {
    for (const re of [/a?b/, /a*b/, /a{0,2}b/, /(?:a|)b/, /(a)?b/, /(?:a|b)*c/, /[a-b]c/, /[^a]b/, /^a/, /\sa/, /.a/, /(?:x{0,2})y/, /(?=a)/, /a/i, /(?<n>a)b/])
      assert.equal(firstUnits(re), null, re.source);
  });

  it('every match of every kind shape on the casebooks begins with one of its characters', () => {
    const dir = path.resolve(__dirname, 'casebooks');
    const texts = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.trim()))
      .map((l) => normalize(JSON.parse(l).text));
    let matched = 0;
    for (const re of KIND_SHAPES) {
      const starts = firstUnits(re);
      if (!starts) continue;
      for (const t of texts) {
        const g = new RegExp(re.source, 'g');
        for (const m of t.matchAll(g)) {
          matched++;
          assert.ok(starts.includes(m[0].charCodeAt(0)), `${re.source} matched “${m[0]}” in “${t}”`);
        }
      }
    }
    assert.ok(matched > 100, `only ${matched} matches to check`);
  });
});
