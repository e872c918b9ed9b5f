import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { KeywordError, keywordsFileText, keywordsInText, parseKeyword, parseKeywords, parseTokens, DEFAULT_EMERGENCY_KEYWORDS } from '../../ivr/speech/keywords';
import { KWS_MODEL_DIR, requireModel, testKeywordLines } from './support';

describe('emergency words: the city writes Chinese, the spotter reads pinyin units', () => {
  it('着火了 becomes the units the model spells it with', () => {
    const k = parseKeyword('着火了');
    assert.deepEqual(k.tokens, ['zh', 'áo', 'h', 'uǒ', 'l', 'e']);
    assert.equal(k.pinyin, 'zháohuǒle');
  });

  it('a keyword may carry its own boost and threshold', () => {
    const k = parseKeyword('救命:2#0.15');
    assert.equal(k.phrase, '救命');
    assert.equal(k.boost, 2);
    assert.equal(k.threshold, 0.15);
  });

  it('a keyword that is not Chinese, or empty, is refused with a clear message', () => {
    assert.throws(() => parseKeyword('fire!'), KeywordError);
    assert.throws(() => parseKeywords(['', ' ']), /为空/);
  });

  it('the same phrase listed twice is spotted once', () => {
    assert.equal(parseKeywords(['救命', '救命', '着火了']).length, 2);
  });

  it('an emergency word is found in a transcript in characters or in the pinyin a pinyin model writes', () => {
    const kws = parseKeywords(['着火了', '煤气泄漏']);
    assert.deepEqual(keywordsInText('喂，我们楼下着火了，快来', kws).map((k) => k.phrase), ['着火了']);
    assert.deepEqual(keywordsInText('wǒ jiā méi qì xiè lòu le', kws).map((k) => k.phrase), ['煤气泄漏']);
    assert.deepEqual(keywordsInText('我想咨询一下社保', kws), []);
  });

  describe('against the shared model', () => {
    before(function () { requireModel(this); });

    it("our conversion spells the model's own test keywords exactly as its authors did", () => {
      for (const line of testKeywordLines()) {
        const [tokens, phrase] = line.split('@').map((s) => s.trim());
        assert.deepEqual(parseKeyword(phrase).tokens.join(' '), tokens, phrase);
      }
    });

    it('every default emergency word uses only units the model knows', () => {
      const known = parseTokens(fs.readFileSync(path.join(KWS_MODEL_DIR, 'tokens.txt'), 'utf8'));
      const text = keywordsFileText(parseKeywords([...DEFAULT_EMERGENCY_KEYWORDS]), known);
      assert.match(text, /^zh áo h uǒ l e @着火了$/m);
      assert.throws(() => keywordsFileText([{ phrase: '测试', tokens: ['zz', 'q'], pinyin: '' }], known), /不认识的单元：zz/);
    });
  });
});
