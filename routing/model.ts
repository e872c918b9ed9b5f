// The learned part of the routing engine at run time: a linear classifier of the
// first-level category over TF-IDF features (jieba words and character n-grams,
// see features.ts), trained by classifier.ts, and per-event-type word profiles.
// The model file holds vocabulary and weights only (never appeal texts).
import { charColumns, GramTable, gramCode, KeyIndex, ngramKeyOf, NGRAM_PREFIX, type FeatureOptions, type GramList } from './features';

export const MODEL_FORMAT = 'hotline-routing-model/2';

export interface SparseVec {
  idx: ArrayLike<number>;
  val: ArrayLike<number>;
}

/** score_c(x) = w_c·x + b_c (higher = more likely c); probabilities = softmax(scale × score). */
export interface CategoryModel {
  categories: string[];
  features: FeatureOptions;
  sublinear: boolean;
  /** Column of each word feature, and of each character n-gram (by its key). */
  wordColumn: Map<string, number>;
  gramColumn: KeyIndex;
  /** The 2- and 3-gram columns as vectorize() reads them (the same columns as gramColumn). */
  gramTable: GramTable;
  /**
   * Column of each single-character n-gram by its character code at [2 × code] (-1: not a feature); the
   * side's at [2 × code + 1] (features.ts charColumns).
   */
  charColumn: Int32Array;
  /** A second model scored in the same walk of the n-grams (attachSide), or null. */
  side: GramSide | null;
  idf: Float64Array;
  /** Feature-major weights: w[column × K + category] (single precision: half the memory to walk). */
  w: Float32Array;
  b: Float64Array;
  scale: number;
  /** Column → feature name (words as they are, n-grams with NGRAM_PREFIX). */
  vocab: string[];
}

/**
 * A second linear model over the distinct character n-grams of the same text (binary features scaled to
 * unit length: the emergency model, emergency-model.ts), scored in vectorizeColumns' walk, so that the
 * n-grams of an appeal are looked up once for both models. Its columns are in the category model's
 * GramTable and charColumn (attachSide).
 */
export interface GramSide {
  /** Weight per side column. */
  w: Float64Array;
  bias: number;
  /** Per side column: the walk that last counted it (distinct n-grams without a set). */
  stamp: Uint32Array;
  call: number;
  /** Of the last walk: the sum of its distinct n-grams' weights, and their number. */
  sum: number;
  n: number;
}

/** A new walk's stamp (the stamps restart when the counter would wrap). */
export function nextWalk(side: GramSide): number {
  if (++side.call === 0xffffffff) {
    side.stamp.fill(0);
    side.call = 1;
  }
  return side.call;
}

/** The side model's decision value of its last walk: bias + Σw / √n. */
export function sideScore(side: GramSide): number {
  return side.bias + (side.n ? side.sum / Math.sqrt(side.n) : 0);
}

/** The category model's n-gram features (keys and columns). */
function gramColumnsOf(vocab: readonly string[]): GramList {
  const keys: number[] = [];
  const cols: number[] = [];
  vocab.forEach((name, i) => {
    const key = ngramKeyOf(name);
    if (key !== undefined) (keys.push(key), cols.push(i));
  });
  return { keys, cols };
}

/**
 * Puts a side model's n-grams (`sideGrams`: keys, columns) into the category model's tables, so that
 * vectorizeColumns scores it in the same walk (its sum and count in `side` after each call).
 */
export function attachSide(m: CategoryModel, sideGrams: GramList, side: GramSide): void {
  const own = gramColumnsOf(m.vocab);
  m.gramTable = new GramTable(own, sideGrams);
  m.charColumn = charColumns(own, sideGrams);
  m.side = side;
}

const NO_WEIGHTS = new Float64Array(0);
const NO_STAMPS = new Uint32Array(0);

/**
 * The appeal's feature vector: TF-IDF (sublinear TF when the model says so),
 * L2-normalised, unknown features dropped. `words` are the title's words repeated
 * as the model's titleRepeat says, then the body's (as suggest() builds them).
 */
export function vectorize(m: CategoryModel, words: readonly string[], title: string, body: string): SparseVec {
  const cols: number[] = [];
  if (m.features.words) for (const t of words) cols.push(m.wordColumn.get(t) ?? -1);
  return vectorizeColumns(m, Int32Array.from(cols), title, body);
}

/**
 * vectorize() from the words' columns (m.wordColumn, -1 for a word that is not a
 * feature) when the caller has looked the words up already; ignored when the model
 * has no word features.
 */
export function vectorizeColumns(m: CategoryModel, wordCols: ArrayLike<number>, title: string, body: string): SparseVec {
  let walk = walkers.get(m);
  if (!walk || !walk.fits(m)) walkers.set(m, (walk = makeWalker(m)));
  return walk.run(wordCols, title, body);
}

/**
 * vectorizeColumns of one model, as a closure over the model's tables and its scratch buffers. Why a
 * closure: the walk below reads about twenty typed-array elements per character, and V8 checks an array
 * read from an object's field at each read (its map, its buffer, its length: 8–10 instructions); an array
 * held in a const of the closure's context is a constant of the optimised code when the closure is the
 * only one made from its function literal (one engine per process: the server, the benchmarks), so a
 * read costs a bounds check. With a second model the closures still work, at the old cost.
 * `fits`: whether the model still has the tables and settings the closure was made with.
 *
 * LOCAL_TABLES: each call first copies the closure's arrays (k…) into locals and reads those. Read from
 * the closure's context inside the loops, the arrays were still checked at each read (measured:
 * walkText 132 k → 94 k instructions per suggestion with the locals; the same in the other closures).
 */
interface Walker {
  fits(m: CategoryModel): boolean;
  run(wordCols: ArrayLike<number>, title: string, body: string): SparseVec;
  /** categoryScores(m, x) when x is this walker's last vector and m has its weights (null otherwise). */
  scores(m: CategoryModel, x: SparseVec): Float64Array | null;
  /** drivingWords' strongest entries of x (positions in x, at most `keep`, strongest first) when x is this walker's last vector (null otherwise). */
  driving(m: CategoryModel, x: SparseVec, c: number, keep: number): number[] | null;
}
const walkers = new WeakMap<CategoryModel, Walker>();
/** The longest text whose units the walker copies (normalize's cap, text.ts MAX_INPUT_CHARS); a longer one is read by charCodeAt. */
const UNITS = 4000;

function makeWalker(m: CategoryModel): Walker {
  const features = m.features;
  const { charMin: min, charMax: max, titleRepeat, words: useWords } = features;
  const sublinear = m.sublinear;
  const kIdf = m.idf;
  const side = m.side;
  const kChars = m.charColumn;
  const table = m.gramTable;
  // Counts are whole numbers when the title's weight is (Int32Array: half the memory of doubles to touch).
  const kCounts = Number.isInteger(titleRepeat) ? new Int32Array(kIdf.length) : new Float64Array(kIdf.length);
  const kIdx = new Int32Array(kIdf.length);
  const kVal = new Float64Array(kIdf.length);
  // The text's units, copied by one native call (Buffer's UTF-16LE write: little-endian, as a Uint16Array here
  // where the platform is) and read as a typed array, a few instructions a read where charCodeAt costs a dozen.
  const kUnits = new Uint16Array(UNITS);
  const unitBytes = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? Buffer.from(kUnits.buffer, kUnits.byteOffset, kUnits.byteLength) : null;
  const kPairs = table.pairs;
  const pairShift = table.pairShift;
  const pairMask = table.pairMask;
  const kTriples = table.triples;
  const tripleShift = table.tripleShift;
  const tripleMask = table.tripleMask;
  const stride = table.tripleStride;
  const one = min <= 1 && max >= 1;
  const two = min <= 2 && max >= 2;
  const three = max >= 3;
  const grams = max > 0 || side !== null;
  const sideTriples = stride === 4;
  const kSw = side ? side.w : NO_WEIGHTS;
  const kStamp = side ? side.stamp : NO_STAMPS;
  // The imported function read once into a local: run through tsx, an imported name is a getter on the
  // other module's exports (a slow generic property read on every use), and the walk calls it for every character.
  const codeOf = gramCode;
  const kW = m.w;
  const b = m.b;
  const K = m.categories.length;
  const kIsGram = gramFlags(m);
  /** The last vector made, its length and the number of its word entries (the first ones: words come before n-grams). */
  let last: SparseVec | null = null;
  let lastN = 0;
  let lastWords = 0;
  const fits = (x: CategoryModel): boolean =>
    x.features === features &&
    x.features.charMin === min &&
    x.features.charMax === max &&
    x.features.titleRepeat === titleRepeat &&
    x.features.words === useWords &&
    x.sublinear === sublinear &&
    x.idf === kIdf &&
    x.side === side &&
    x.charColumn === kChars &&
    x.gramTable === table &&
    (side === null || side.stamp === kStamp);
  function walkText(wordCols: ArrayLike<number>, title: string, body: string): SparseVec {
    // The arrays as locals first (see LOCAL_TABLES).
    const chars = kChars, counts = kCounts, idx = kIdx, pairs = kPairs, triples = kTriples, stamp = kStamp, sw = kSw, val = kVal, idf = kIdf, units = kUnits;
    let n = 0;
    if (useWords)
      for (let k = 0; k < wordCols.length; k++) {
        const i = wordCols[k];
        if (i >= 0 && counts[i]++ === 0) idx[n++] = i;
      }
    const words = n;
    if (grams) {
      // The n-grams of charNgramKeys, looked up as they are made: 1-grams in a table by character
      // code, 2-grams by their pair, 3-grams by their pair's prefix number and third character (GramTable).
      // The side model's (attachSide) from the same look-ups: each distinct n-gram's weight summed once,
      // in order of first appearance (title, then body; 1-, 2-, 3-gram at each position).
      const walk = side ? nextWalk(side) : 0;
      let sideSum = 0;
      let sideN = 0;
      for (let part = 0; part < 2; part++) {
        const text = part === 0 ? title : body;
        const times = part === 0 ? titleRepeat : 1;
        const copied = unitBytes !== null && text.length <= UNITS && unitBytes.write(text, 0, 'utf16le') === 2 * text.length;
        let c1 = -1;
        // The 3-gram prefix number of the pair (previous character, this one), -1 when it begins no 3-gram feature.
        let prefix = -1;
        for (let k = 0; k < text.length; k++) {
          const c = codeOf(copied ? units[k] : text.charCodeAt(k));
          if (c < 0) {
            c1 = prefix = -1;
            continue;
          }
          // 1-, 2-, then 3-grams at each position (the order of the vector's entries).
          if (one) {
            const i = chars[2 * c];
            if (i >= 0) {
              if (counts[i] === 0) idx[n++] = i;
              counts[i] += times;
            }
          }
          const j1 = chars[2 * c + 1];
          if (j1 >= 0 && stamp[j1] !== walk) {
            stamp[j1] = walk;
            sideSum += sw[j1];
            sideN++;
          }
          let next = -1;
          if (c1 >= 0) {
            // GramTable.pair(c1, c), inline.
            const key = (c1 << 16) | c;
            let s = -1;
            for (let h = Math.imul(key, 0x9e3779b1) >>> pairShift; ; h = (h + 1) & pairMask) {
              const x = pairs[4 * h];
              if (x === key) {
                s = 4 * h;
                break;
              }
              if (x === 0) break;
            }
            if (s >= 0) {
              next = pairs[s + 2];
              const i = pairs[s + 1];
              if (two && i >= 0) {
                if (counts[i] === 0) idx[n++] = i;
                counts[i] += times;
              }
              const j = pairs[s + 3];
              if (j >= 0 && stamp[j] !== walk) {
                stamp[j] = walk;
                sideSum += sw[j];
                sideN++;
              }
            }
          }
          if (prefix >= 0) {
            // GramTable.tripleSlot(prefix, c), inline.
            const key = ((prefix + 1) << 16) | c;
            let s = -1;
            for (let h = Math.imul(key, 0x9e3779b1) >>> tripleShift; ; h = (h + 1) & tripleMask) {
              const x = triples[stride * h];
              if (x === key) {
                s = stride * h;
                break;
              }
              if (x === 0) break;
            }
            if (s >= 0) {
              const i = triples[s + 1];
              if (three && i >= 0) {
                if (counts[i] === 0) idx[n++] = i;
                counts[i] += times;
              }
              if (sideTriples) {
                const j = triples[s + 2];
                if (j >= 0 && stamp[j] !== walk) {
                  stamp[j] = walk;
                  sideSum += sw[j];
                  sideN++;
                }
              }
            }
          }
          prefix = next;
          c1 = c;
        }
      }
      if (side) {
        side.sum = sideSum;
        side.n = sideN;
      }
    }
    let norm = 0;
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      const c = counts[i];
      counts[i] = 0;
      const x = (sublinear ? (c === 1 ? 1 : 1 + Math.log(c)) : c) * idf[i];
      val[k] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < n; k++) val[k] /= norm;
    // Views of the scratch buffers: valid until the next call, which is all suggest() needs.
    last = { idx: idx.subarray(0, n), val: val.subarray(0, n) };
    lastN = n;
    lastWords = words;
    return last;
  }
  /** categoryScores for seven categories over the scratch buffers (constants here): the same sums in the same order. */
  function scores(x: CategoryModel, v: SparseVec): Float64Array | null {
    if (v !== last || K !== 7 || x.w !== kW || x.b !== b) return null;
    const w = kW, idx = kIdx, val = kVal;
    const z = b.slice();
    let z0 = z[0], z1 = z[1], z2 = z[2], z3 = z[3], z4 = z[4], z5 = z[5], z6 = z[6];
    for (let k = 0; k < lastN; k++) {
      const base = idx[k] * 7;
      const f = val[k];
      z0 += w[base] * f;
      z1 += w[base + 1] * f;
      z2 += w[base + 2] * f;
      z3 += w[base + 3] * f;
      z4 += w[base + 4] * f;
      z5 += w[base + 5] * f;
      z6 += w[base + 6] * f;
    }
    z[0] = z0;
    z[1] = z1;
    z[2] = z2;
    z[3] = z3;
    z[4] = z4;
    z[5] = z5;
    z[6] = z6;
    return z;
  }
  /** drivingWords' selection over the word entries alone (every later entry is an n-gram, which it skips). */
  function driving(x: CategoryModel, v: SparseVec, c: number, keep: number): number[] | null {
    if (v !== last || x.w !== kW || x.categories.length !== K) return null;
    const w = kW, idx = kIdx, val = kVal, isGram = kIsGram;
    const best: number[] = [];
    const bestScore: number[] = [];
    for (let k = 0; k < lastWords; k++) {
      if (isGram[idx[k]] === 1) continue;
      const base = idx[k] * K;
      let others = 0;
      for (let o = 0; o < K; o++) if (o !== c) others += w[base + o];
      const d = val[k] * (w[base + c] - others / (K - 1));
      if (d <= 0 || (best.length === keep && d <= bestScore[keep - 1])) continue;
      let j = best.length < keep ? best.length : keep - 1;
      while (j > 0 && bestScore[j - 1] < d) {
        best[j] = best[j - 1];
        bestScore[j] = bestScore[j - 1];
        j--;
      }
      best[j] = k;
      bestScore[j] = d;
    }
    return best;
  }
  return { fits, run: walkText, scores, driving };
}

export function categoryScores(m: CategoryModel, x: SparseVec): Float64Array {
  const fast = walkers.get(m)?.scores(m, x);
  if (fast) return fast;
  const K = m.categories.length;
  const z = m.b.slice();
  const w = m.w;
  const { idx, val } = x;
  const n = idx.length;
  if (K === 7) {
    // The shipped model's seven categories in locals (registers): the same sums in the same order, no loop over c.
    let z0 = z[0], z1 = z[1], z2 = z[2], z3 = z[3], z4 = z[4], z5 = z[5], z6 = z[6];
    for (let k = 0; k < n; k++) {
      const base = idx[k] * 7;
      const v = val[k];
      z0 += w[base] * v;
      z1 += w[base + 1] * v;
      z2 += w[base + 2] * v;
      z3 += w[base + 3] * v;
      z4 += w[base + 4] * v;
      z5 += w[base + 5] * v;
      z6 += w[base + 6] * v;
    }
    z[0] = z0;
    z[1] = z1;
    z[2] = z2;
    z[3] = z3;
    z[4] = z4;
    z[5] = z5;
    z[6] = z6;
    return z;
  }
  for (let k = 0; k < n; k++) {
    const base = idx[k] * K;
    const v = val[k];
    for (let c = 0; c < K; c++) z[c] += w[base + c] * v;
  }
  return z;
}

export function softmax(z: ArrayLike<number>, scale = 1): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i] * scale > max) max = z[i] * scale;
  const p = new Float64Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    p[i] = Math.exp(z[i] * scale - max);
    s += p[i];
  }
  for (let i = 0; i < z.length; i++) p[i] /= s;
  return p;
}

/** The scale that minimises the negative log-likelihood of held-out scores (log-spaced grid). */
export function fitScale(z: Float64Array[], labels: number[]): number {
  let best = 1;
  let bestNll = Infinity;
  for (let e = -10; e <= 60; e++) {
    const s = 10 ** (e / 10);
    let nll = 0;
    for (let i = 0; i < z.length; i++) nll -= Math.log(softmax(z[i], s)[labels[i]] + 1e-12);
    if (nll < bestNll) {
      bestNll = nll;
      best = s;
    }
  }
  return Number(best.toPrecision(4));
}

/**
 * Features of `x` that pushed category `c` above the others, strongest first, as
 * the operator reads them: words of two or more characters (jieba's), never character n-grams.
 */
/** Per model: 1 for a column that is a character n-gram (its name starts with NGRAM_PREFIX), 0 for a word. */
const gramColumns = new WeakMap<CategoryModel, Uint8Array>();
function gramFlags(m: CategoryModel): Uint8Array {
  let f = gramColumns.get(m);
  if (!f) gramColumns.set(m, (f = Uint8Array.from(m.vocab, (name) => (name.startsWith(NGRAM_PREFIX) ? 1 : 0))));
  return f;
}

export function drivingWords(m: CategoryModel, x: SparseVec, c: number, n: number): string[] {
  const K = m.categories.length;
  const isGram = gramFlags(m);
  // The strongest few contributions by selection (no sort of all features); names only for them.
  const keep = 3 * n;
  // (Over the word entries alone, with the model's arrays as constants, when x is vectorizeColumns' last vector.)
  const fast = walkers.get(m)?.driving(m, x, c, keep);
  if (fast) return namesOf(m, x, fast, n);
  const best: number[] = [];
  const bestScore: number[] = [];
  const w = m.w;
  const { idx, val } = x;
  for (let k = 0; k < idx.length; k++) {
    // Character n-grams weigh in the score but are not shown: 「村的」「月了」 are no evidence to a person.
    if (isGram[idx[k]] === 1) continue;
    const base = idx[k] * K;
    let others = 0;
    for (let o = 0; o < K; o++) if (o !== c) others += w[base + o];
    const d = val[k] * (w[base + c] - others / (K - 1));
    if (d <= 0 || (best.length === keep && d <= bestScore[keep - 1])) continue;
    let j = best.length < keep ? best.length : keep - 1;
    while (j > 0 && bestScore[j - 1] < d) {
      best[j] = best[j - 1];
      bestScore[j] = bestScore[j - 1];
      j--;
    }
    best[j] = k;
    bestScore[j] = d;
  }
  return namesOf(m, x, best, n);
}

/** The names of the strongest entries `best` (positions in x), at most n, none inside another. */
function namesOf(m: CategoryModel, x: SparseVec, best: readonly number[], n: number): string[] {
  const out: string[] = [];
  for (const k of best) {
    if (out.length >= n) break;
    const f = m.vocab[x.idx[k]];
    const word = f;
    if (word.length < 2 || out.some((o) => o.includes(word) || word.includes(o))) continue;
    out.push(word);
  }
  return out;
}

// ---- serialisation -------------------------------------------------------

export interface EventTypeProfile {
  /** word → weight (keywords, name, examples, operator corrections). */
  words: Record<string, number>;
}

export interface ModelFile {
  format: string;
  taxonomyVersion: string;
  categories: string[];
  features: FeatureOptions;
  sublinear: boolean;
  /** Feature names, one per line (n-grams start with NGRAM_PREFIX). */
  vocab: string;
  idf: number[];
  /** Per category: int16 quantised weights, base64, with their scale. */
  weights: Array<{ q: string; scale: number }>;
  bias: number[];
  probabilityScale: number;
  /**
   * IDF of every jieba word seen in two or more labelled training appeals (one per
   * line, with its IDF): how telling a word is, for the event-type evidence.
   */
  wordIdf: { words: string; idf: number[] };
  eventTypes: Record<string, EventTypeProfile>;
  training: Record<string, unknown>;
}

export function encodeWeights(row: ArrayLike<number>): { q: string; scale: number } {
  let max = 0;
  for (let i = 0; i < row.length; i++) if (Math.abs(row[i]) > max) max = Math.abs(row[i]);
  const scale = Number((max / 32767 || 1).toPrecision(8));
  const q = new Int16Array(row.length);
  for (let i = 0; i < row.length; i++) q[i] = Math.max(-32767, Math.min(32767, Math.round(row[i] / scale)));
  return { q: Buffer.from(q.buffer).toString('base64'), scale };
}

export function decodeWeights(enc: { q: string; scale: number }, dim: number): Float64Array {
  const buf = Buffer.from(enc.q, 'base64');
  const q = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  if (q.length !== dim) throw new Error(`weights have ${q.length} entries, vocabulary ${dim}`);
  const row = new Float64Array(dim);
  for (let i = 0; i < dim; i++) row[i] = q[i] * enc.scale;
  return row;
}

/**
 * The run-time model of a model file (throws on an inconsistent file); with `side`, a second model's
 * n-grams are put into its tables as they are built (attachSide, without building them twice).
 */
export function decodeModel(f: ModelFile, side?: { grams: GramList; side: GramSide }): CategoryModel {
  const vocab = f.vocab ? f.vocab.split('\n') : [];
  const K = f.categories.length;
  if (vocab.length !== f.idf.length || f.weights.length !== K || !Array.isArray(f.bias) || f.bias.length !== K) throw new Error('词表、权重与分类数不符');
  const rows = f.weights.map((e) => decodeWeights(e, vocab.length));
  const w = new Float32Array(vocab.length * K);
  for (let c = 0; c < K; c++) for (let i = 0; i < vocab.length; i++) w[i * K + c] = rows[c][i];
  const wordColumn = new Map<string, number>();
  const grams = gramColumnsOf(vocab);
  vocab.forEach((name, i) => {
    if (ngramKeyOf(name) === undefined) wordColumn.set(name, i);
  });
  const gramColumn = new KeyIndex(Array.from(grams.keys, (key, e) => [key, grams.cols![e]] as const));
  const gramTable = new GramTable(grams, side?.grams);
  const charColumn = charColumns(grams, side?.grams);
  const scale = typeof f.probabilityScale === 'number' && f.probabilityScale > 0 ? f.probabilityScale : 1;
  return { categories: f.categories, features: f.features, sublinear: f.sublinear !== false, wordColumn, gramColumn, gramTable, charColumn, side: side?.side ?? null, idf: Float64Array.from(f.idf), w, b: Float64Array.from(f.bias), scale, vocab };
}
