// Emergency words: the city's list in Chinese, turned into the pinyin tokens
// sherpa-onnx's keyword spotter reads ("zh áo h uǒ l e @着火了"), and matched
// against transcript text (Han characters, or tone-marked pinyin from a pinyin model).
import { pinyin } from 'pinyin-pro';
import dangers from '../../city/demo/dangers.json';

/**
 * The default list: the short spoken form of every danger of the routing engine's
 * triage rules (city/demo/dangers.json, `spoken`), each of which the triage judges an
 * emergency on its own (checked when the rules load). A spotted word is then triaged
 * like any text, so the alert names the danger.
 */
export const DEFAULT_EMERGENCY_KEYWORDS: readonly string[] = [...new Set(dangers.dangers.flatMap((d) => d.spoken))];

const INITIALS = ['zh', 'ch', 'sh', 'b', 'p', 'm', 'f', 'd', 't', 'n', 'l', 'g', 'k', 'h', 'j', 'q', 'x', 'r', 'z', 'c', 's', 'y', 'w'];

export class KeywordError extends Error {
  override name = 'KeywordError';
}

/** Split one tone-marked syllable into the model's units: initial + final ("zháo" → ["zh", "áo"]). */
export function syllableTokens(syllable: string): string[] {
  const s = syllable.normalize('NFC');
  for (const ini of INITIALS) {
    if (s.startsWith(ini) && s.length > ini.length) return [ini, s.slice(ini.length)];
  }
  return [s];
}

export interface SpotterKeyword {
  /** The phrase as the city wrote it, e.g. 着火了. */
  phrase: string;
  /** Model tokens, e.g. ["zh", "áo", "h", "uǒ", "l", "e"]. */
  tokens: string[];
  /** Tone-marked pinyin without spaces, e.g. "zháohuǒle", to match pinyin transcripts. */
  pinyin: string;
  boost?: number;
  threshold?: number;
}

const HAN = /^[\u3400-\u9fff]+$/u;

/**
 * Parse one configured keyword: a Chinese phrase ("着火了"), optionally with
 * ":boost" and "#threshold" ("救命:2.0#0.2"), or a line already in tokens
 * ("zh áo h uǒ l e @着火了").
 */
export function parseKeyword(entry: string): SpotterKeyword {
  const raw = entry.trim();
  if (!raw) throw new KeywordError('紧急词为空');
  if (raw.includes('@')) {
    const [left, phrase] = raw.split('@', 2).map((s) => s.trim());
    if (!phrase) throw new KeywordError(`紧急词「${raw}」在 @ 后缺少词语`);
    const parts = left.split(/\s+/).filter(Boolean);
    const tokens = parts.filter((p) => !p.startsWith(':') && !p.startsWith('#'));
    const boost = parts.find((p) => p.startsWith(':'));
    const threshold = parts.find((p) => p.startsWith('#'));
    if (!tokens.length) throw new KeywordError(`紧急词「${raw}」缺少拼音单元`);
    return {
      phrase, tokens, pinyin: tokens.join(''),
      boost: boost ? Number(boost.slice(1)) : undefined,
      threshold: threshold ? Number(threshold.slice(1)) : undefined,
    };
  }
  const m = /^([^:#]+)(?::([\d.]+))?(?:#([\d.]+))?$/u.exec(raw);
  const phrase = m?.[1].trim() ?? '';
  if (!m || !HAN.test(phrase)) throw new KeywordError(`紧急词「${raw}」必须是汉字词语（可加 :权重 #阈值），或写成拼音单元加 @词语`);
  const syllables = pinyin(phrase, { type: 'array', toneType: 'symbol' });
  if (syllables.length !== [...phrase].length) throw new KeywordError(`紧急词「${phrase}」无法转成拼音`);
  const boost = m[2] === undefined ? undefined : Number(m[2]);
  const threshold = m[3] === undefined ? undefined : Number(m[3]);
  for (const v of [boost, threshold]) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new KeywordError(`紧急词「${raw}」的权重或阈值不合法`);
  }
  return { phrase, tokens: syllables.flatMap(syllableTokens), pinyin: syllables.join(''), boost, threshold };
}

export function parseKeywords(entries: readonly string[]): SpotterKeyword[] {
  const out: SpotterKeyword[] = [];
  for (const e of entries) {
    const k = parseKeyword(e);
    if (!out.some((o) => o.phrase === k.phrase)) out.push(k);
  }
  if (!out.length) throw new KeywordError('紧急词列表为空');
  return out;
}

/** The keywords in the spotter's file format; every token must be one the model knows. */
export function keywordsFileText(keywords: SpotterKeyword[], modelTokens: ReadonlySet<string>): string {
  return keywords
    .map((k) => {
      const unknown = k.tokens.filter((t) => !modelTokens.has(t));
      if (unknown.length) throw new KeywordError(`紧急词「${k.phrase}」含有模型不认识的单元：${unknown.join(' ')}`);
      const extra = [k.boost !== undefined ? `:${k.boost}` : '', k.threshold !== undefined ? `#${k.threshold}` : ''].filter(Boolean);
      return [...k.tokens, ...extra, `@${k.phrase}`].join(' ');
    })
    .join('\n') + '\n';
}

/** The model's token list (first column of tokens.txt). */
export function parseTokens(tokensTxt: string): Set<string> {
  return new Set(tokensTxt.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean));
}

/**
 * Keywords that occur in a transcript, in Han characters or in pinyin (`pinyinOnly`:
 * in pinyin only, for when the characters are read by the emergency triage instead).
 */
export function keywordsInText(text: string, keywords: SpotterKeyword[], opts: { pinyinOnly?: boolean } = {}): SpotterKeyword[] {
  const compact = text.normalize('NFC').replace(/\s+/g, '');
  return keywords.filter((k) => (!opts.pinyinOnly && compact.includes(k.phrase)) || compact.includes(k.pinyin));
}
