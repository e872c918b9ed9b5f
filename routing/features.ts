// Features of an appeal for the category classifier: jieba content words (text.ts)
// plus character n-grams. Character n-grams catch what the segmenter cuts badly
// (公交车 / 公交 车, 住房公积金 in one or three words) and short forms of names.
// Shared by training, cross-validation and suggestion, so all three see the same
// features. Pure.
import { normalize, tokenize } from './text';

export interface FeatureOptions {
  /** jieba content words. */
  words: boolean;
  /** Shortest and longest character n-gram; charMax 0 = no character n-grams. */
  charMin: number;
  charMax: number;
  /** How many times the title counts (the citizen's own summary). */
  titleRepeat: number;
}

export const DEFAULT_FEATURES: FeatureOptions = { words: true, charMin: 1, charMax: 3, titleRepeat: 2 };

/** Prefix that keeps a character n-gram apart from a jieba word of the same characters. */
export const NGRAM_PREFIX = '#';

/** Characters n-grams are made of: CJK ideographs, Latin letters, digits (all folded to 0). Anything else ends a run. */
export function gramCode(c: number): number {
  if (c >= 0x3400 && c <= 0x9fff) return c;
  if (c >= 97 && c <= 122) return c;
  if (c >= 48 && c <= 57) return 48;
  return -1;
}

/** Longest character n-gram: an n-gram of up to 3 UTF-16 units is one exact number (ngramKey). */
export const MAX_NGRAM = 3;

/**
 * Character n-grams of normalised text, within runs of CJK/Latin/digit characters,
 * as numbers: n + 4 × (c1·65536^(n-1) + … + cn), exact in a double for n ≤ 3. No
 * string is made per n-gram, which keeps suggest() fast.
 */
export function charNgramKeys(text: string, min: number, max: number, out: number[] = []): number[] {
  if (max < 1) return out;
  if (max > MAX_NGRAM) throw new Error(`character n-grams longer than ${MAX_NGRAM} are not supported`);
  let c1 = -1;
  let c2 = -1;
  for (let i = 0; i < text.length; i++) {
    const c = gramCode(text.charCodeAt(i));
    if (c < 0) {
      c1 = c2 = -1;
      continue;
    }
    if (min <= 1) out.push(1 + 4 * c);
    if (max >= 2 && min <= 2 && c1 >= 0) out.push(2 + 4 * (c1 * 65536 + c));
    if (max >= 3 && c2 >= 0) out.push(3 + 4 * (c2 * 4294967296 + c1 * 65536 + c));
    c2 = c1;
    c1 = c;
  }
  return out;
}

/**
 * Integer keys (< 2^53) → column, by open addressing: several times faster than a Map
 * for the ~1,000 n-gram look-ups of an appeal.
 */
export class KeyIndex {
  private readonly keys: Float64Array;
  private readonly cols: Int32Array;
  private readonly shift: number;
  readonly size: number;

  constructor(entries: ReadonlyArray<readonly [number, number]>) {
    let bits = 4;
    while (1 << bits < entries.length * 2) bits++;
    this.keys = new Float64Array(1 << bits);
    this.cols = new Int32Array(1 << bits).fill(-1);
    this.shift = 32 - bits;
    this.size = entries.length;
    for (const [k, c] of entries) {
      let h = this.slot(k);
      while (this.cols[h] >= 0 && this.keys[h] !== k) h = (h + 1) & (this.cols.length - 1);
      this.keys[h] = k;
      this.cols[h] = c;
    }
  }

  private slot(k: number): number {
    const lo = k >>> 0;
    const hi = (k / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** The column of `k`, or -1. */
  get(k: number): number {
    const mask = this.cols.length - 1;
    let h = this.slot(k);
    for (;;) {
      const c = this.cols[h];
      if (c < 0 || this.keys[h] === k) return c;
      h = (h + 1) & mask;
    }
  }
}

/**
 * Character pairs (two UTF-16 units, as the integer (c1 << 16) | c2) → column, by open
 * addressing over 32-bit integers: the 2-gram look-up of vectorize() without the
 * floating-point key arithmetic of KeyIndex.
 */
export class PairIndex {
  /** Slot h: table[2h] = key ((c1 << 16) | c2, 0 = empty: no pair of n-gram characters is 0), table[2h + 1] = column. One cache line per probe. */
  private readonly table: Int32Array;
  private readonly shift: number;
  private readonly mask: number;

  /** `entries`: [c1, c2, column]. */
  constructor(entries: ReadonlyArray<readonly [number, number, number]>) {
    let bits = 4;
    while (1 << bits < entries.length * 2) bits++;
    this.table = new Int32Array(2 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    for (const [c1, c2, c] of entries) {
      const k = (c1 << 16) | c2;
      if (k === 0) throw new Error('PairIndex: the pair (0, 0) cannot be stored');
      let h = Math.imul(k, 0x9e3779b1) >>> this.shift;
      while (this.table[2 * h] !== 0 && this.table[2 * h] !== k) h = (h + 1) & this.mask;
      this.table[2 * h] = k;
      this.table[2 * h + 1] = c;
    }
  }

  /** The column of the pair (c1, c2), or -1. */
  get(c1: number, c2: number): number {
    const k = (c1 << 16) | c2;
    const t = this.table;
    let h = Math.imul(k, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const x = t[2 * h];
      if (x === k) return t[2 * h + 1];
      if (x === 0) return -1;
      h = (h + 1) & this.mask;
    }
  }
}

/** The feature name of an n-gram key: NGRAM_PREFIX + its characters. */
export function ngramName(key: number): string {
  const n = key % 4;
  let rest = (key - n) / 4;
  const chars: number[] = [];
  for (let k = 0; k < n; k++) {
    chars.unshift(rest % 65536);
    rest = Math.floor(rest / 65536);
  }
  return NGRAM_PREFIX + String.fromCharCode(...chars);
}

/** The key of a feature name made by ngramName (undefined for a word). */
export function ngramKeyOf(name: string): number | undefined {
  if (!name.startsWith(NGRAM_PREFIX) || name.length < 2 || name.length > MAX_NGRAM + 1) return undefined;
  let key = 0;
  for (let i = 1; i < name.length; i++) key = key * 65536 + name.charCodeAt(i);
  return name.length - 1 + 4 * key;
}

/** The parts of an appeal from which every feature set is built (segmented once). */
export interface AppealParts {
  titleWords: string[];
  bodyWords: string[];
  title: string;
  body: string;
}

export function appealParts(title: string | undefined, text: string): AppealParts {
  const t = normalize(title ?? '');
  const b = normalize(text);
  return { titleWords: tokenize(t), bodyWords: tokenize(b), title: t, body: b };
}

/** The classifier's features of an appeal: words, and character n-gram keys, title repeated. */
export function featureTokens(p: AppealParts, o: FeatureOptions): { words: string[]; grams: number[] } {
  const words: string[] = [];
  const grams: number[] = [];
  for (let r = 0; r < o.titleRepeat; r++) {
    if (o.words) words.push(...p.titleWords);
    charNgramKeys(p.title, o.charMin, o.charMax, grams);
  }
  if (o.words) words.push(...p.bodyWords);
  charNgramKeys(p.body, o.charMin, o.charMax, grams);
  return { words, grams };
}
