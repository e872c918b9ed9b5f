// The learned part of the routing engine at run time: a linear classifier of the
// first-level category over TF-IDF features (jieba words and character n-grams,
// see features.ts), trained by classifier.ts, and per-event-type word profiles.
// The model file holds vocabulary and weights only (never appeal texts).
import { charNgramKeys, ngramKeyOf, NGRAM_PREFIX, type FeatureOptions } from './features';

export const MODEL_FORMAT = 'hotline-routing-model/2';

export interface SparseVec {
  idx: number[];
  val: number[];
}

/** score_c(x) = w_c·x + b_c (higher = more likely c); probabilities = softmax(scale × score). */
export interface CategoryModel {
  categories: string[];
  features: FeatureOptions;
  sublinear: boolean;
  /** Column of each word feature, and of each character n-gram (by its key). */
  wordColumn: Map<string, number>;
  gramColumn: Map<number, number>;
  idf: Float64Array;
  /** Feature-major weights: w[column × K + category]. */
  w: Float64Array;
  b: Float64Array;
  scale: number;
  /** Column → feature name (words as they are, n-grams with NGRAM_PREFIX). */
  vocab: string[];
}

/** Per-model scratch counts (JavaScript runs one call at a time, so one buffer serves all calls). */
const scratch = new WeakMap<CategoryModel, Float64Array>();

/**
 * The appeal's feature vector: TF-IDF (sublinear TF when the model says so),
 * L2-normalised, unknown features dropped. `words` are the title's words repeated
 * as the model's titleRepeat says, then the body's (as suggest() builds them).
 */
export function vectorize(m: CategoryModel, words: readonly string[], title: string, body: string): SparseVec {
  let tf = scratch.get(m);
  if (!tf) scratch.set(m, (tf = new Float64Array(m.idf.length)));
  const idx: number[] = [];
  const add = (i: number | undefined) => {
    if (i === undefined) return;
    if (tf[i]++ === 0) idx.push(i);
  };
  if (m.features.words) for (const t of words) add(m.wordColumn.get(t));
  if (m.features.charMax > 0) {
    const grams: number[] = [];
    for (let r = 0; r < m.features.titleRepeat; r++) charNgramKeys(title, m.features.charMin, m.features.charMax, grams);
    charNgramKeys(body, m.features.charMin, m.features.charMax, grams);
    for (const g of grams) add(m.gramColumn.get(g));
  }
  const val = new Array<number>(idx.length);
  let norm = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const c = tf[i];
    tf[i] = 0;
    const x = (m.sublinear ? (c === 1 ? 1 : 1 + Math.log(c)) : c) * m.idf[i];
    val[k] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < val.length; k++) val[k] /= norm;
  return { idx, val };
}

export function categoryScores(m: CategoryModel, x: SparseVec): Float64Array {
  const K = m.categories.length;
  const z = Float64Array.from(m.b);
  for (let k = 0; k < x.idx.length; k++) {
    const base = x.idx[k] * K;
    const v = x.val[k];
    for (let c = 0; c < K; c++) z[c] += m.w[base + c] * v;
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
 * the operator reads them: words, and character n-grams of two or more characters
 * that are not already inside a word shown.
 */
export function drivingWords(m: CategoryModel, x: SparseVec, c: number, n: number): string[] {
  const K = m.categories.length;
  const contrib: Array<[string, number]> = [];
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    let others = 0;
    for (let o = 0; o < K; o++) if (o !== c) others += m.w[i * K + o];
    const d = x.val[k] * (m.w[i * K + c] - others / (K - 1));
    if (d > 0) contrib.push([m.vocab[i], d]);
  }
  contrib.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: string[] = [];
  for (const [f] of contrib) {
    if (out.length >= n) break;
    const word = f.startsWith(NGRAM_PREFIX) ? f.slice(NGRAM_PREFIX.length) : f;
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

/** The run-time model of a model file (throws on an inconsistent file). */
export function decodeModel(f: ModelFile): CategoryModel {
  const vocab = f.vocab ? f.vocab.split('\n') : [];
  const K = f.categories.length;
  if (vocab.length !== f.idf.length || f.weights.length !== K || !Array.isArray(f.bias) || f.bias.length !== K) throw new Error('词表、权重与分类数不符');
  const rows = f.weights.map((e) => decodeWeights(e, vocab.length));
  const w = new Float64Array(vocab.length * K);
  for (let c = 0; c < K; c++) for (let i = 0; i < vocab.length; i++) w[i * K + c] = rows[c][i];
  const wordColumn = new Map<string, number>();
  const gramColumn = new Map<number, number>();
  vocab.forEach((name, i) => {
    const key = ngramKeyOf(name);
    if (key === undefined) wordColumn.set(name, i);
    else gramColumn.set(key, i);
  });
  const scale = typeof f.probabilityScale === 'number' && f.probabilityScale > 0 ? f.probabilityScale : 1;
  return { categories: f.categories, features: f.features, sublinear: f.sublinear !== false, wordColumn, gramColumn, idf: Float64Array.from(f.idf), w, b: Float64Array.from(f.bias), scale, vocab };
}
