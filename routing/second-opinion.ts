// What the learned second opinions share (the appeal kind, kind-model.ts; the lead unit, lead-model.ts): a linear SVM
// per class (svm.ts, one-vs-rest) over the category classifier's own TF-IDF vector (model.ts vectorizeColumns), with
// a softmax whose scale is fitted on out-of-fold scores; its fast scoring over a suggestion's vector (a row of K
// float32 weights per feature the model has, a column → row index over the classifier's columns); the slow path over
// feature names (training, cross-validation); the words shown to the operator; the rows recorded through suggest();
// and the helpers of the cross-validations (leave one part out, stratified folds, mean ± sd). Pure.
import { NGRAM_PREFIX } from './features';
import type { CategoryModel, SparseVec } from './model';
import { seededRandom, trainSvm, type Csr } from './svm';

/** A row as a learned opinion sees it: the classifier's vector by feature names (vocab entries) and TF-IDF values. */
export interface VectorRow {
  names: string[];
  val: number[];
}

/** The linear part of a trained file: per class a weight per feature name, a bias, and the softmax's scale. */
export interface LinearFile {
  /** Classifier feature names (vocab entries of trained-model.json) with a weight. */
  features: string[];
  /** [class][feature] weights. */
  weights: number[][];
  bias: number[];
  /** Probabilities = softmax(scale × scores). */
  scale: number;
}

export const roundTo = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** The classifier's vector `x` by feature names (to record training rows). */
export function vectorRow(m: CategoryModel, x: SparseVec): VectorRow {
  const names: string[] = [];
  const val: number[] = [];
  for (let j = 0; j < x.idx.length; j++) (names.push(m.vocab[x.idx[j]]), val.push(x.val[j]));
  return { names, val };
}

export interface Design {
  X: Csr;
  /** The classifier features seen in training, in order of first appearance (the columns before the extra ones). */
  names: string[];
  y: Int32Array;
  weight: Float64Array;
}

/**
 * The rows as a sparse matrix: the classifier features seen in the rows (in order of first appearance), then `extraDim`
 * dense extra features per row (`extra(i)`, zeros left out). `balanced`: each row weighted so that every one of the K
 * classes weighs the same in total.
 */
export function design(rows: readonly VectorRow[], y: Int32Array, K: number, balanced: boolean, extraDim = 0, extra?: (i: number) => ArrayLike<number>): Design {
  const col = new Map<string, number>();
  for (const r of rows) for (const n of r.names) if (!col.has(n)) col.set(n, col.size);
  const base = col.size;
  const rowPtr = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  rows.forEach((r, i) => {
    const entries: Array<[number, number]> = [];
    r.names.forEach((n, j) => entries.push([col.get(n)!, r.val[j]]));
    if (extra) Array.from(extra(i)).forEach((v, f) => v !== 0 && entries.push([base + f, v]));
    entries.sort((a, b) => a[0] - b[0]);
    for (const [c, v] of entries) (cols.push(c), vals.push(v));
    rowPtr.push(cols.length);
  });
  const weight = new Float64Array(rows.length).fill(1);
  if (balanced) {
    const count = new Float64Array(K);
    for (const c of y) count[c]++;
    for (let i = 0; i < rows.length; i++) weight[i] = rows.length / (K * count[y[i]]);
  }
  return { X: { rowPtr: Int32Array.from(rowPtr), col: Int32Array.from(cols), val: Float64Array.from(vals), dim: base + extraDim }, names: [...col.keys()], y, weight };
}

const SVM = { bias: 1, eps: 0.1, maxIter: 1000, seed: 1 };

/** Raw scores of a trained linear model on rows of a design. */
function scoreRows(w: Float64Array[], b: Float64Array, X: Csr): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i + 1 < X.rowPtr.length; i++) {
    const z = Float64Array.from(b);
    for (let c = 0; c < w.length; c++) for (let k = X.rowPtr[i]; k < X.rowPtr[i + 1]; k++) z[c] += w[c][X.col[k]] * X.val[k];
    out.push(z);
  }
  return out;
}

/** The softmax scale that minimises the negative log-likelihood of held-out scores (log-spaced grid). */
function fitScale(z: Float64Array[], y: ArrayLike<number>): number {
  let best = 1;
  let bestNll = Infinity;
  for (let e = -10; e <= 30; e++) {
    const s = 10 ** (e / 10);
    let nll = 0;
    for (let i = 0; i < z.length; i++) {
      let max = -Infinity;
      for (const v of z[i]) max = Math.max(max, s * v);
      let sum = 0;
      for (const v of z[i]) sum += Math.exp(s * v - max);
      nll -= s * z[i][y[i]] - max - Math.log(sum);
    }
    if (nll < bestNll) (bestNll = nll), (best = s);
  }
  return Number(best.toPrecision(4));
}

/** Some rows of a CSR matrix. */
function sub(X: Csr, rows: readonly number[]): Csr {
  const rowPtr = [0];
  const col: number[] = [];
  const val: number[] = [];
  for (const i of rows) {
    for (let k = X.rowPtr[i]; k < X.rowPtr[i + 1]; k++) (col.push(X.col[k]), val.push(X.val[k]));
    rowPtr.push(col.length);
  }
  return { rowPtr: Int32Array.from(rowPtr), col: Int32Array.from(col), val: Float64Array.from(val), dim: X.dim };
}

/**
 * Trains K one-vs-rest SVMs of cost C on a design, and the softmax scale on 5-fold out-of-fold scores of the same rows
 * (folds by a seeded shuffle). Deterministic: the same design gives the same weights bit for bit.
 */
export function trainCalibrated(d: Design, K: number, C: number): { w: Float64Array[]; b: Float64Array; scale: number } {
  const n = d.y.length;
  const fit = (wt: ArrayLike<number>) => trainSvm(d.X, d.y, K, wt, { ...SVM, C });
  const rand = seededRandom(7);
  const fold = Int32Array.from({ length: n }, () => Math.floor(rand() * 5));
  const oof: Float64Array[] = new Array(n);
  for (let f = 0; f < 5; f++) {
    const m = fit(Float64Array.from(d.weight, (x, i) => (fold[i] === f ? 0 : x)));
    const held: number[] = [];
    for (let i = 0; i < n; i++) if (fold[i] === f) held.push(i);
    const z = scoreRows(m.w, m.b, sub(d.X, held));
    held.forEach((i, j) => (oof[i] = z[j]));
  }
  const scale = fitScale(oof, d.y);
  const m = fit(d.weight);
  return { w: m.w, b: m.b, scale };
}

/** The linear part of a file from a trained design: weights of the classifier features rounded to 4 decimals. */
export function linearFile(d: Design, m: { w: Float64Array[]; b: Float64Array; scale: number }): LinearFile {
  const nf = d.names.length;
  return {
    features: d.names,
    weights: m.w.map((w) => Array.from(w.subarray(0, nf), (x) => roundTo(x, 4))),
    bias: Array.from(m.b, (x) => roundTo(x, 4)),
    scale: m.scale,
  };
}

/** The class of the largest score (the first of equals) and its softmax probability at `scale`. */
export function topClass(z: ArrayLike<number>, scale: number): { best: number; confidence: number } {
  let best = 0;
  for (let k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += Math.exp(scale * (z[k] - z[best]));
  return { best, confidence: 1 / sum };
}

/** Scores of a row by feature names (the slow path, for training and cross-validation). */
export function scoreByNames(f: LinearFile, r: VectorRow): Float64Array {
  const col = featureIndex(f);
  const K = f.bias.length;
  const z = Float64Array.from(f.bias);
  r.names.forEach((n, j) => {
    const c = col.get(n);
    if (c !== undefined) for (let k = 0; k < K; k++) z[k] += f.weights[k][c] * r.val[j];
  });
  return z;
}
const featureIndexes = new WeakMap<LinearFile, Map<string, number>>();
function featureIndex(f: LinearFile): Map<string, number> {
  let m = featureIndexes.get(f);
  if (!m) featureIndexes.set(f, (m = new Map(f.features.map((n, i) => [n, i]))));
  return m;
}

/** The linear part's shape; problems pushed to `problems`. */
export function checkLinearFile(f: LinearFile, K: number, problems: string[]): void {
  if (!Array.isArray(f.features) || !Array.isArray(f.weights) || f.weights.length !== K || !f.weights.every((w) => Array.isArray(w) && w.length === f.features.length))
    problems.push('features 与 weights 长度不一致');
  if (!Array.isArray(f.bias) || f.bias.length !== K) problems.push('bias 长度不对');
  if (typeof f.scale !== 'number' || !(f.scale > 0)) problems.push('缺少 scale');
}

/**
 * A linear file over a suggestion's vector: per classifier column its row of K float32 weights (-1: none, most
 * columns), so a score costs K multiply-adds per column the model knows and nothing else.
 */
export class LinearScorer {
  /** Per classifier column: its row in `w`, or -1 when the model has no weight for it. */
  private readonly rowOf: Int32Array;
  /** Per row: K weights. */
  private readonly w: Float32Array;
  private readonly b: Float64Array;
  readonly K: number;
  private readonly z: Float64Array;

  constructor(
    readonly file: LinearFile,
    private readonly m: CategoryModel,
  ) {
    const K = (this.K = file.bias.length);
    const col = new Map(m.vocab.map((name, i) => [name, i]));
    this.rowOf = new Int32Array(m.vocab.length).fill(-1);
    const kept: number[] = [];
    file.features.forEach((name, f) => {
      const i = col.get(name);
      // A feature the classifier no longer has (the model was trained on another classifier) is left out.
      if (i !== undefined && this.rowOf[i] < 0) (this.rowOf[i] = kept.length), kept.push(f);
    });
    this.w = new Float32Array(kept.length * K);
    kept.forEach((f, r) => {
      for (let k = 0; k < K; k++) this.w[r * K + k] = file.weights[k][f];
    });
    this.b = Float64Array.from(file.bias);
    this.z = new Float64Array(K);
  }

  /** The features of the model the classifier lacks (it was retrained without them): the model should be retrained. */
  missingFeatures(): number {
    const have = new Set(this.m.vocab);
    return this.file.features.filter((f) => !have.has(f)).length;
  }

  /** Scores per class of the classifier's vector `x` (a scratch array, valid until the next call). */
  scores(x: SparseVec): Float64Array {
    const K = this.K;
    const z = this.z;
    for (let k = 0; k < K; k++) z[k] = this.b[k];
    const { idx, val } = x;
    const w = this.w;
    const rowOf = this.rowOf;
    for (let j = 0; j < idx.length; j++) {
      const r = rowOf[idx[j]];
      if (r < 0) continue;
      const base = r * K;
      const v = val[j];
      for (let k = 0; k < K; k++) z[k] += w[base + k] * v;
    }
    return z;
  }

  /**
   * The words of `x` that weigh most towards class k, as the operator reads them: jieba's words of two or more
   * characters, never character n-grams (「民楼」「里办」 weigh in the score but are no evidence to a person).
   */
  driving(x: SparseVec, k: number, n: number): string[] {
    const K = this.K;
    const best: Array<[number, number]> = [];
    for (let j = 0; j < x.idx.length; j++) {
      const r = this.rowOf[x.idx[j]];
      if (r < 0 || this.m.vocab[x.idx[j]].startsWith(NGRAM_PREFIX)) continue;
      const d = this.w[r * K + k] * x.val[j];
      if (d > 0) best.push([d, x.idx[j]]);
    }
    best.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const out: string[] = [];
    for (const [, i] of best) {
      const word = this.m.vocab[i];
      if (word.length < 2 || out.some((o) => o.includes(word) || word.includes(o))) continue;
      out.push(word);
      if (out.length === n) break;
    }
    return out;
  }
}

// ---- cross-validation helpers --------------------------------------------------

/** Mean and sample standard deviation, to one decimal. */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: Math.round(mean * 10) / 10, sd: Math.round(sd * 10) / 10 };
}

export const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : 0);

/** Stratified folds by label: per label (in sorted order) its cases shuffled by the seed, dealt round the folds. */
export function stratifiedFolds(labels: readonly string[], seed: number, folds: number): Int32Array {
  const rand = seededRandom(seed);
  const fold = new Int32Array(labels.length);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => (byLabel.get(l) ?? byLabel.set(l, []).get(l)!).push(i));
  for (const idx of [...byLabel.keys()].sort().map((k) => byLabel.get(k)!)) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((c, r) => (fold[c] = r % folds));
  }
  return fold;
}

/** Figures of one scored part or fold: percent right for the rules, the model alone, and the blend at each threshold. */
export interface PartFigures {
  part: string;
  n: number;
  rules: number;
  model: number;
  blend: number[];
}

/**
 * Leave one part out: each part of `scored` is scored (`score`) by a model trained (`train`) on the cases of `training`
 * minus that part (a scored part outside `training` by the model of all of `training`).
 */
export function leaveOnePartOut<C extends { part: string }, F>(cases: readonly C[], training: readonly string[], scored: readonly string[], train: (cs: C[], name: string) => F, score: (part: string, f: F, cs: C[]) => PartFigures): PartFigures[] {
  return scored.map((part) => {
    const f = train(cases.filter((c) => c.part !== part && training.includes(c.part)), `all but ${part}`);
    return score(part, f, cases.filter((c) => c.part === part));
  });
}

/** Repeated stratified k-fold CV over the cases (by `label`): per seed the figures summed over the folds. */
export function stratifiedCv<C, F>(cases: readonly C[], label: (c: C) => string, seeds: readonly number[], train: (cs: C[], name: string) => F, score: (part: string, f: F, cs: C[]) => PartFigures, folds = 5): PartFigures[] {
  return seeds.map((seed) => {
    const fold = stratifiedFolds(cases.map(label), seed, folds);
    const sums = { n: 0, rules: 0, model: 0, blend: [] as number[] };
    for (let f = 0; f < folds; f++) {
      const file = train(cases.filter((_, i) => fold[i] !== f), `fold ${f}`);
      const r = score(`fold ${f}`, file, cases.filter((_, i) => fold[i] === f));
      sums.n += r.n;
      sums.rules += (r.rules * r.n) / 100;
      sums.model += (r.model * r.n) / 100;
      r.blend.forEach((b, t) => (sums.blend[t] = (sums.blend[t] ?? 0) + (b * r.n) / 100));
    }
    return { part: `seed ${seed}`, n: sums.n, rules: pct(sums.rules, sums.n), model: pct(sums.model, sums.n), blend: sums.blend.map((b) => pct(b, sums.n)) };
  });
}
