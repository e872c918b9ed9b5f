// The first-level category classifier, as trained: a corpus of appeals segmented
// once, then any number of fits over subsets of it (the cross-validation's folds,
// the final model). A fit chooses its vocabulary (document frequency over its own
// training rows), weighs words by TF-IDF, and trains a linear SVM, a complement
// naive Bayes, or both summed. Pure and deterministic.
import { appealParts, featureTokens, ngramName, type AppealParts, type FeatureOptions } from './features';
import { trainSvm, type Csr } from './svm';

export type CorpusSource = 'gold' | 'silver' | 'reply' | 'taxonomy' | 'unlabelled' | 'correction';

export interface CorpusDoc {
  parts: AppealParts;
  /** Category name, or null for unlabelled text. */
  label: string | null;
  source: CorpusSource;
}

export interface ClassifierParams {
  features: FeatureOptions;
  model: 'svm' | 'cnb' | 'svm+cnb';
  /** SVM cost. */
  C: number;
  /** A feature needs this many training documents. */
  minDf: number;
  /** Term frequency: 1 + ln(tf) (true) or raw counts. */
  sublinear: boolean;
  cnbAlpha: number;
  /** In 'svm+cnb': the CNB's share, in units of the SVM's score spread on the training rows. */
  cnbMix: number;
  goldWeight: number;
  silverWeight: number;
  replyWeight: number;
  taxonomyWeight: number;
  correctionWeight: number;
  /** 'gold': each category's total training weight is set to its share of the gold rows. */
  classWeight: 'none' | 'gold';
  /** Self-training: unlabelled appeals the first fit labels with a margin ≥ `margin` join a second fit at `weight`. */
  selfTrain: { weight: number; margin: number } | null;
  /** Keep only the N features with the largest weights (0 = all): keeps the model file small. */
  keepFeatures: number;
}

/** Segment every document once. */
export function corpusDoc(title: string | undefined, text: string, label: string | null, source: CorpusSource): CorpusDoc {
  return { parts: appealParts(title, text), label, source };
}

/** Documents as sorted unique global feature ids with their counts, for one feature setting. */
export interface IndexedCorpus {
  features: FeatureOptions;
  names: string[];
  ids: Int32Array[];
  counts: Float64Array[];
}

/** Index the documents (only those of `only`, when given: the others get no features). */
export function indexCorpus(docs: readonly CorpusDoc[], features: FeatureOptions, only?: ReadonlySet<number>): IndexedCorpus {
  const wordId = new Map<string, number>();
  const gramId = new Map<number, number>();
  const names: string[] = [];
  const ids: Int32Array[] = [];
  const counts: Float64Array[] = [];
  for (let di = 0; di < docs.length; di++) {
    const local = new Map<number, number>();
    if (!only || only.has(di)) {
      const f = featureTokens(docs[di].parts, features);
      for (const t of f.words) {
        let id = wordId.get(t);
        if (id === undefined) {
          id = names.length;
          wordId.set(t, id);
          names.push(t);
        }
        local.set(id, (local.get(id) ?? 0) + 1);
      }
      for (const g of f.grams) {
        let id = gramId.get(g);
        if (id === undefined) {
          id = names.length;
          gramId.set(g, id);
          names.push(ngramName(g));
        }
        local.set(id, (local.get(id) ?? 0) + 1);
      }
    }
    const sorted = [...local.keys()].sort((a, b) => a - b);
    ids.push(Int32Array.from(sorted));
    counts.push(Float64Array.from(sorted, (k) => local.get(k)!));
  }
  return { features, names, ids, counts };
}

export interface TrainingRow {
  doc: number;
  /** Index into the category list. */
  label: number;
  weight: number;
}

/** A fitted classifier over the corpus's global feature ids. */
export interface FittedClassifier {
  categories: string[];
  /** Global feature id → column, or -1. */
  column: Int32Array;
  /** Column → feature (word, or NGRAM_PREFIX + characters). */
  vocab: string[];
  idf: Float64Array;
  sublinear: boolean;
  /** [category][column] and per-category bias: score = w·x + b, higher = more likely. */
  w: Float64Array[];
  b: Float64Array;
}

interface Vectorizer {
  column: Int32Array;
  vocab: string[];
  idf: Float64Array;
  sublinear: boolean;
}

function fitVectorizer(ix: IndexedCorpus, docs: readonly number[], minDf: number, sublinear: boolean): Vectorizer {
  const df = new Int32Array(ix.names.length);
  for (const d of docs) for (const id of ix.ids[d]) df[id]++;
  const column = new Int32Array(ix.names.length).fill(-1);
  const vocab: string[] = [];
  const idfs: number[] = [];
  // Columns in the order of the global ids (first seen in corpus order): the same corpus gives the same model.
  const order = [...df.keys()].filter((id) => df[id] >= minDf);
  for (const id of order) {
    column[id] = vocab.length;
    vocab.push(ix.names[id]);
    idfs.push(Math.log((1 + docs.length) / (1 + df[id])) + 1);
  }
  return { column, vocab, idf: Float64Array.from(idfs), sublinear };
}

/** TF-IDF, L2-normalised, of one indexed document. */
export function vectorizeIndexed(v: Vectorizer, ids: Int32Array, counts: Float64Array): { idx: Int32Array; val: Float64Array } {
  const idx: number[] = [];
  const val: number[] = [];
  let norm = 0;
  for (let k = 0; k < ids.length; k++) {
    const c = v.column[ids[k]];
    if (c < 0) continue;
    const x = (v.sublinear ? 1 + Math.log(counts[k]) : counts[k]) * v.idf[c];
    idx.push(c);
    val.push(x);
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < val.length; k++) val[k] /= norm;
  return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
}

function toCsr(v: Vectorizer, ix: IndexedCorpus, docs: readonly number[]): Csr {
  const rowPtr = new Int32Array(docs.length + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  docs.forEach((d, r) => {
    const x = vectorizeIndexed(v, ix.ids[d], ix.counts[d]);
    for (let k = 0; k < x.idx.length; k++) {
      cols.push(x.idx[k]);
      vals.push(x.val[k]);
    }
    rowPtr[r + 1] = cols.length;
  });
  return { rowPtr, col: Int32Array.from(cols), val: Float64Array.from(vals), dim: v.vocab.length };
}

/** Complement NB weights as a linear model (score = -Σ x_i w_ci), rows normalised as in Rennie et al. */
function cnbWeights(X: Csr, y: ArrayLike<number>, weight: ArrayLike<number>, K: number, alpha: number): Float64Array[] {
  const V = X.dim;
  const count = Array.from({ length: K }, () => new Float64Array(V));
  const total = new Float64Array(K);
  const all = new Float64Array(V);
  let allTotal = 0;
  for (let i = 0; i < y.length; i++) {
    for (let k = X.rowPtr[i]; k < X.rowPtr[i + 1]; k++) {
      const v = X.val[k] * weight[i];
      count[y[i]][X.col[k]] += v;
      all[X.col[k]] += v;
      total[y[i]] += v;
      allTotal += v;
    }
  }
  return count.map((cc, c) => {
    const row = new Float64Array(V);
    let sum = 0;
    const denom = allTotal - total[c] + alpha * V;
    for (let i = 0; i < V; i++) {
      row[i] = Math.log((all[i] - cc[i] + alpha) / denom);
      sum += Math.abs(row[i]);
    }
    // Negated so that higher = more likely, like the SVM.
    for (let i = 0; i < V; i++) row[i] = -row[i] / (sum || 1);
    return row;
  });
}

function scoresOf(w: Float64Array[], b: Float64Array, X: Csr, r: number): Float64Array {
  const z = new Float64Array(w.length);
  for (let c = 0; c < w.length; c++) {
    let s = b[c];
    for (let k = X.rowPtr[r]; k < X.rowPtr[r + 1]; k++) s += w[c][X.col[k]] * X.val[k];
    z[c] = s;
  }
  return z;
}

function spread(w: Float64Array[], b: Float64Array, X: Csr): number {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let r = 0; r < X.rowPtr.length - 1; r++) {
    const z = scoresOf(w, b, X, r);
    const mean = z.reduce((a, x) => a + x, 0) / z.length;
    for (const x of z) {
      s += x - mean;
      s2 += (x - mean) ** 2;
      n++;
    }
  }
  return n ? Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)) : 1;
}

/** Per-row weights: the source's weight, times the class factor when classes are reweighted to the gold shares. */
function rowWeights(rows: readonly TrainingRow[], K: number, docs: readonly CorpusDoc[], p: ClassifierParams): Float64Array {
  const w = Float64Array.from(rows, (r) => r.weight);
  if (p.classWeight === 'gold') {
    const gold = new Float64Array(K);
    const all = new Float64Array(K);
    rows.forEach((r, i) => {
      all[r.label] += w[i];
      if (docs[r.doc].source === 'gold') gold[r.label] += 1;
    });
    const goldTotal = gold.reduce((a, x) => a + x, 0);
    const allTotal = all.reduce((a, x) => a + x, 0);
    if (goldTotal > 0) {
      const factor = Float64Array.from(all, (a, c) => (a > 0 && gold[c] > 0 ? (gold[c] / goldTotal) * (allTotal / a) : 1));
      rows.forEach((r, i) => (w[i] *= factor[r.label]));
    }
  }
  return w;
}

function fitOnce(ix: IndexedCorpus, docs: readonly CorpusDoc[], rows: readonly TrainingRow[], categories: string[], p: ClassifierParams, seed: number): FittedClassifier {
  const K = categories.length;
  const used = rows.filter((r) => r.weight > 0);
  const v = fitVectorizer(
    ix,
    used.map((r) => r.doc),
    p.minDf,
    p.sublinear,
  );
  const X = toCsr(
    v,
    ix,
    used.map((r) => r.doc),
  );
  const y = Int32Array.from(used, (r) => r.label);
  const weight = rowWeights(used, K, docs, p);
  let w: Float64Array[];
  let b: Float64Array;
  if (p.model === 'cnb') {
    w = cnbWeights(X, y, weight, K, p.cnbAlpha);
    b = new Float64Array(K);
  } else {
    const m = trainSvm(X, y, K, weight, { C: p.C, bias: 1, eps: 0.1, maxIter: 1000, seed });
    w = m.w;
    b = m.b;
    if (p.model === 'svm+cnb' && p.cnbMix > 0) {
      const cw = cnbWeights(X, y, weight, K, p.cnbAlpha);
      const zero = new Float64Array(K);
      const f = (p.cnbMix * spread(w, b, X)) / (spread(cw, zero, X) || 1);
      w = w.map((row, c) => Float64Array.from(row, (x, i) => x + f * cw[c][i]));
    }
  }
  let fitted: FittedClassifier = { categories, column: v.column, vocab: v.vocab, idf: v.idf, sublinear: v.sublinear, w, b };
  if (p.keepFeatures > 0 && v.vocab.length > p.keepFeatures) fitted = prune(fitted, p.keepFeatures);
  return fitted;
}

/** Keep the `n` columns with the largest weight (summed over categories, times IDF: what they can move). */
export function prune(m: FittedClassifier, n: number): FittedClassifier {
  const V = m.vocab.length;
  const strength = new Float64Array(V);
  for (const row of m.w) for (let i = 0; i < V; i++) strength[i] += Math.abs(row[i]);
  for (let i = 0; i < V; i++) strength[i] *= m.idf[i];
  const keep = [...strength.keys()].sort((a, b) => strength[b] - strength[a] || a - b).slice(0, n).sort((a, b) => a - b);
  const newCol = new Int32Array(V).fill(-1);
  keep.forEach((c, k) => (newCol[c] = k));
  const column = Int32Array.from(m.column, (c) => (c < 0 ? -1 : newCol[c]));
  return {
    ...m,
    column,
    vocab: keep.map((c) => m.vocab[c]),
    idf: Float64Array.from(keep, (c) => m.idf[c]),
    w: m.w.map((row) => Float64Array.from(keep, (c) => row[c])),
  };
}

/** Category scores of one corpus document. */
export function scoreDoc(m: FittedClassifier, ix: IndexedCorpus, doc: number): Float64Array {
  const x = vectorizeIndexed(m, ix.ids[doc], ix.counts[doc]);
  const z = new Float64Array(m.categories.length);
  for (let c = 0; c < z.length; c++) {
    let s = m.b[c];
    for (let k = 0; k < x.idx.length; k++) s += m.w[c][x.idx[k]] * x.val[k];
    z[c] = s;
  }
  return z;
}

/** The source weight of a document under the parameters. */
export function sourceWeight(source: CorpusSource, p: ClassifierParams): number {
  switch (source) {
    case 'gold':
      return p.goldWeight;
    case 'silver':
      return p.silverWeight;
    case 'reply':
      return p.replyWeight;
    case 'taxonomy':
      return p.taxonomyWeight;
    case 'correction':
      return p.correctionWeight;
    default:
      return 0;
  }
}

/**
 * Fit on the labelled rows; with self-training, label the `unlabelled` documents
 * with the first fit and fit again with the confident ones added.
 */
export function fitClassifier(
  ix: IndexedCorpus,
  docs: readonly CorpusDoc[],
  rows: readonly TrainingRow[],
  categories: string[],
  p: ClassifierParams,
  opts: { seed?: number; unlabelled?: readonly number[] } = {},
): FittedClassifier {
  const seed = opts.seed ?? 1;
  const first = fitOnce(ix, docs, rows, categories, p, seed);
  if (!p.selfTrain || !opts.unlabelled?.length) return first;
  const added: TrainingRow[] = [];
  for (const d of opts.unlabelled) {
    const z = scoreDoc(first, ix, d);
    let best = 0;
    for (let c = 1; c < z.length; c++) if (z[c] > z[best]) best = c;
    let second = -Infinity;
    for (let c = 0; c < z.length; c++) if (c !== best && z[c] > second) second = z[c];
    if (z[best] - second >= p.selfTrain.margin) added.push({ doc: d, label: best, weight: p.selfTrain.weight });
  }
  return fitOnce(ix, docs, [...rows, ...added], categories, p, seed);
}
