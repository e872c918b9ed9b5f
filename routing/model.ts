// The learned part of the routing engine: a complement naive Bayes classifier of
// the first-level category over TF-IDF word features, and per-event-type word
// profiles. Training is deterministic; the model file holds vocabulary and
// weights only (never appeal texts).

export const MODEL_FORMAT = 'hotline-routing-model/1';

export interface TrainingDoc {
  tokens: string[];
  /** First-level category name. */
  category: string;
  weight: number;
}

export interface Vectorizer {
  vocab: Map<string, number>;
  idf: Float64Array;
}

export interface SparseVec {
  idx: number[];
  val: number[];
}

/** Complement NB: score_c(x) = -Σ x_i w_ci (higher = more likely c); probabilities = softmax(scale × score). */
export interface CategoryModel {
  categories: string[];
  vec: Vectorizer;
  /** Row-major [category][feature]: normalised log complement probabilities. */
  w: Float64Array[];
  scale: number;
}

export interface CnbOptions {
  alpha: number;
  minDf: number;
}

export function fitVectorizer(docs: string[][], minDf: number): Vectorizer {
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const words = [...df.keys()].filter((w) => df.get(w)! >= minDf).sort();
  const vocab = new Map<string, number>();
  const idf = new Float64Array(words.length);
  words.forEach((w, i) => {
    vocab.set(w, i);
    idf[i] = Math.log((1 + docs.length) / (1 + df.get(w)!)) + 1;
  });
  return { vocab, idf };
}

/** Per-vectorizer scratch counts (JavaScript runs one call at a time, so one buffer serves all calls). */
const scratch = new WeakMap<Vectorizer, Int32Array>();

/** Sublinear TF × IDF, L2-normalised, unknown words dropped; features in first-seen order. */
export function vectorize(v: Vectorizer, tokens: readonly string[]): SparseVec {
  let tf = scratch.get(v);
  if (!tf) scratch.set(v, (tf = new Int32Array(v.idf.length)));
  const idx: number[] = [];
  for (const t of tokens) {
    const i = v.vocab.get(t);
    if (i === undefined) continue;
    if (tf[i]++ === 0) idx.push(i);
  }
  const val = new Array<number>(idx.length);
  let norm = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const c = tf[i];
    tf[i] = 0;
    const x = (c === 1 ? 1 : 1 + Math.log(c)) * v.idf[i];
    val[k] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < val.length; k++) val[k] /= norm;
  return { idx, val };
}

export function trainCnb(categories: string[], vec: Vectorizer, docs: TrainingDoc[], opts: CnbOptions): CategoryModel {
  const V = vec.vocab.size;
  const K = categories.length;
  const count = categories.map(() => new Float64Array(V));
  const total = new Float64Array(K);
  const all = new Float64Array(V);
  let allTotal = 0;
  for (const d of docs) {
    const c = categories.indexOf(d.category);
    if (c < 0) continue;
    const x = vectorize(vec, d.tokens);
    for (let k = 0; k < x.idx.length; k++) {
      const v = x.val[k] * d.weight;
      count[c][x.idx[k]] += v;
      all[x.idx[k]] += v;
      total[c] += v;
      allTotal += v;
    }
  }
  const w = categories.map((_, c) => {
    const row = new Float64Array(V);
    let sum = 0;
    const denom = allTotal - total[c] + opts.alpha * V;
    for (let i = 0; i < V; i++) {
      row[i] = Math.log((all[i] - count[c][i] + opts.alpha) / denom);
      sum += Math.abs(row[i]);
    }
    for (let i = 0; i < V; i++) row[i] /= sum || 1;
    return row;
  });
  return { categories, vec, w, scale: 1 };
}

export function categoryScores(m: CategoryModel, x: SparseVec): Float64Array {
  const z = new Float64Array(m.categories.length);
  for (let c = 0; c < z.length; c++) {
    const row = m.w[c];
    let s = 0;
    for (let k = 0; k < x.idx.length; k++) s -= row[x.idx[k]] * x.val[k];
    z[c] = s;
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
  for (let e = 0; e <= 60; e++) {
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

/** Words of `x` that pushed category `c` above the others, strongest first. */
export function drivingWords(m: CategoryModel, x: SparseVec, c: number, n: number, words: string[]): string[] {
  const K = m.categories.length;
  const contrib: Array<[string, number]> = [];
  for (let k = 0; k < x.idx.length; k++) {
    const i = x.idx[k];
    let others = 0;
    for (let o = 0; o < K; o++) if (o !== c) others += m.w[o][i];
    const d = x.val[k] * (others / (K - 1) - m.w[c][i]);
    if (d > 0) contrib.push([words[i], d]);
  }
  return contrib
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([w]) => w);
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
  vocab: string;
  idf: number[];
  /** Per category: int16 quantised weights, base64, with their scale. */
  weights: Array<{ q: string; scale: number }>;
  probabilityScale: number;
  eventTypes: Record<string, EventTypeProfile>;
  training: Record<string, unknown>;
}

export function encodeWeights(row: Float64Array): { q: string; scale: number } {
  let max = 0;
  for (const v of row) if (Math.abs(v) > max) max = Math.abs(v);
  const scale = max / 32767 || 1;
  const q = new Int16Array(row.length);
  for (let i = 0; i < row.length; i++) q[i] = Math.round(row[i] / scale);
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
