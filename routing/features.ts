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
 * The 2- and 3-gram columns for vectorize(), by 32-bit integer keys only. Each character
 * pair that is a 2-gram feature or the first two characters of a 3-gram feature has a
 * slot holding its 2-gram column and its number as a 3-gram prefix; a 3-gram is then
 * found by (prefix number, third character), and not looked for at all when its first
 * two characters begin no 3-gram feature (most positions). The pair looked up at one
 * position is the prefix of the 3-gram at the next.
 *
 * A table can hold the columns of a second model over the same n-grams (the "side": the
 * emergency model, emergency-model.ts), so that one walk of the text finds both models'
 * columns (model.ts vectorizeColumns); an n-gram of only one model has -1 for the other.
 */
export class GramTable {
  /**
   * Pair slot h: [4h] = (c1 << 16) | c2 (0 = empty), [4h + 1] = 2-gram column or -1, [4h + 2] = prefix
   * number or -1, [4h + 3] = the side's 2-gram column or -1.
   */
  readonly pairs: Int32Array;
  readonly pairShift: number;
  readonly pairMask: number;
  /**
   * Triple slot h, `tripleStride` entries from h × tripleStride: [0] = ((prefix + 1) << 16) | c3 (0 = empty),
   * [1] = 3-gram column or -1, and with a side (stride 4) [2] = the side's 3-gram column or -1.
   */
  readonly triples: Int32Array;
  readonly tripleShift: number;
  readonly tripleMask: number;
  readonly tripleStride: number;

  /** The model's n-grams and the side's (a second model's), each as [key, column] lists (gramList; keys of charNgramKeys, 1-grams ignored). */
  constructor(own: GramList, side: GramList = NO_GRAMS) {
    const prefixes = new Map<number, number>();
    const pairKeys = new Set<number>();
    let trigramCount = 0;
    for (const list of [own, side])
      for (let e = 0; e < list.keys.length; e++) {
        const key = list.keys[e];
        const n = key % 4;
        const rest = (key - n) / 4;
        if (n === 2) pairKeys.add(((Math.floor(rest / 65536) << 16) | rest % 65536) | 0);
        else if (n === 3) {
          const k = ((Math.floor(rest / 4294967296) << 16) | (Math.floor(rest / 65536) % 65536)) | 0;
          if (!prefixes.has(k)) prefixes.set(k, prefixes.size);
          pairKeys.add(k);
          trigramCount++;
        }
      }
    if (prefixes.size >= 65535) throw new Error('GramTable: too many 3-gram prefixes');
    let bits = 4;
    while (1 << bits < pairKeys.size * 2) bits++;
    this.pairs = new Int32Array(4 << bits);
    this.pairShift = 32 - bits;
    this.pairMask = (1 << bits) - 1;
    const pairSlot = (k: number): number => {
      if (k === 0) throw new Error('GramTable: the pair (0, 0) cannot be stored');
      let h = Math.imul(k, 0x9e3779b1) >>> this.pairShift;
      while (this.pairs[4 * h] !== 0 && this.pairs[4 * h] !== k) h = (h + 1) & this.pairMask;
      if (this.pairs[4 * h] === 0) {
        this.pairs[4 * h] = k;
        this.pairs[4 * h + 1] = -1;
        this.pairs[4 * h + 2] = -1;
        this.pairs[4 * h + 3] = -1;
      }
      return 4 * h;
    };
    for (const [k, pre] of prefixes) this.pairs[pairSlot(k) + 2] = pre;
    let stride = 2;
    for (let e = 0; e < side.keys.length && stride === 2; e++) if (side.keys[e] % 4 === 3) stride = 4;
    // Slots for every 3-gram counted, a 3-gram of both models counted twice: at most half full either way.
    bits = 4;
    while (1 << bits < trigramCount * 2) bits++;
    this.triples = new Int32Array(stride << bits);
    this.tripleShift = 32 - bits;
    this.tripleMask = (1 << bits) - 1;
    this.tripleStride = stride;
    const tripleSlot = (k: number): number => {
      let h = Math.imul(k, 0x9e3779b1) >>> this.tripleShift;
      while (this.triples[stride * h] !== 0 && this.triples[stride * h] !== k) h = (h + 1) & this.tripleMask;
      if (this.triples[stride * h] === 0) {
        this.triples[stride * h] = k;
        this.triples[stride * h + 1] = -1;
        if (stride === 4) this.triples[stride * h + 2] = -1;
      }
      return stride * h;
    };
    [own, side].forEach((list, which) => {
      for (let e = 0; e < list.keys.length; e++) {
        const key = list.keys[e];
        const col = list.cols ? list.cols[e] : e;
        const n = key % 4;
        const rest = (key - n) / 4;
        if (n === 2) this.pairs[pairSlot(((Math.floor(rest / 65536) << 16) | rest % 65536) | 0) + (which === 0 ? 1 : 3)] = col;
        else if (n === 3) {
          const pre = prefixes.get(((Math.floor(rest / 4294967296) << 16) | (Math.floor(rest / 65536) % 65536)) | 0)!;
          this.triples[tripleSlot((((pre + 1) << 16) | rest % 65536) | 0) + (which === 0 ? 1 : 2)] = col;
        }
      }
    });
  }

  /** The slot offset of the pair (c1, c2) in `pairs` (its 2-gram column at +1, its prefix number at +2, the side's column at +3), or -1. */
  pair(c1: number, c2: number): number {
    const k = (c1 << 16) | c2;
    const t = this.pairs;
    let h = Math.imul(k, 0x9e3779b1) >>> this.pairShift;
    for (;;) {
      const x = t[4 * h];
      if (x === k) return 4 * h;
      if (x === 0) return -1;
      h = (h + 1) & this.pairMask;
    }
  }

  /**
   * The slot offset in `triples` of the 3-gram whose first two characters have prefix number `prefix` and
   * whose third is c3 (its column at +1, the side's at +2), or -1.
   */
  tripleSlot(prefix: number, c3: number): number {
    const k = ((prefix + 1) << 16) | c3;
    const t = this.triples;
    const stride = this.tripleStride;
    let h = Math.imul(k, 0x9e3779b1) >>> this.tripleShift;
    for (;;) {
      const x = t[stride * h];
      if (x === k) return stride * h;
      if (x === 0) return -1;
      h = (h + 1) & this.tripleMask;
    }
  }

  /** The column of the 3-gram whose first two characters have prefix number `prefix` and whose third is c3, or -1. */
  triple(prefix: number, c3: number): number {
    const s = this.tripleSlot(prefix, c3);
    return s < 0 ? -1 : this.triples[s + 1];
  }
}

/** N-gram features as parallel lists: keys (charNgramKeys) and their columns (`cols` absent: the key's index). */
export interface GramList {
  keys: ArrayLike<number>;
  cols?: ArrayLike<number>;
}
const NO_GRAMS: GramList = { keys: [] };

/**
 * The 1-gram columns by character code, two models side by side: [2c] = the model's column of the character c,
 * [2c + 1] = the side's, -1 when not a feature (one cache line read serves both).
 */
export function charColumns(own: GramList, side: GramList = NO_GRAMS): Int32Array {
  const out = new Int32Array(2 * 65536).fill(-1);
  [own, side].forEach((list, which) => {
    for (let e = 0; e < list.keys.length; e++) {
      const key = list.keys[e];
      if (key % 4 === 1) out[2 * ((key - 1) / 4) + which] = list.cols ? list.cols[e] : e;
    }
  });
  return out;
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
