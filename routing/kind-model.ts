// A learned second opinion on the appeal kind (咨询 / 投诉 / 求助 / 举报 / 建议). The cue rules of
// kind.ts were grown on the casebooks' writers' phrasing: each new blind part scored far lower on its
// first pass (kind 71.8 % on fresh10, 75.9–89.7 % on fresh5–fresh9) than the ≥ 90 % the rules reach on the
// parts they were fixed against. The model is a linear SVM per kind (svm.ts, one-vs-rest) over the
// features the suggestion has already computed: the category classifier's TF-IDF vector (jieba words and
// character 1–3-grams, model.ts vectorizeColumns) and the cue rules' per-kind scores (kind.ts). So it costs a
// dot product per kind over the classifier's vector and no walk of its own. A softmax of its scores (scale
// fitted on out-of-fold scores) gives its confidence; the rules' kind stands unless the model gives another
// kind at least `threshold` (chosen by leaving one casebook part out: routing/README.md, "The learned kind
// model"). An emergency stays a help request (kind.ts). Pure.
import { APPEAL_KINDS, type AppealKind } from '../workflow/types';
import type { KindGuess } from './kind';
import { NGRAM_PREFIX } from './features';
import type { CategoryModel, SparseVec } from './model';
import { trainSvm, seededRandom, type Csr } from './svm';

export const KIND_MODEL_FORMAT = 'hotline-kind-model/1';

/** The settings the model is trained and combined with. */
export interface KindSettings {
  /** The SVM's cost. */
  C: number;
  /** Value of the cue-rule features (0: the classifier's vector alone). */
  ruleWeight: number;
  /** The model's kind replaces the rules' when its probability is at least this (0: always the model's; > 1: never). */
  threshold: number;
  /** Each training row weighted so that every kind weighs the same in total. */
  balanced: boolean;
  /**
   * The model speaks only on texts of at most this many characters (title and body as the suggestion reads them): the
   * calls it learnt from are short (routing casebooks: median 29, 99th percentile 59, longest 124 characters); a
   * written board appeal (median 224) is not what it has seen, and there the cue rules decide alone.
   */
  maxChars: number;
  /**
   * The model may replace the rules' kind only when the rules' own cue score for it is at most this: a kind the cues
   * name firmly (举报 5, 建议 4, or several cues) stands.
   */
  maxRuleScore: number;
}

/** One appeal as the kind model sees it: the classifier's vector (names of its columns) and the rules' guess. */
export interface KindRow {
  /** Classifier feature names (vocab entries) and their TF-IDF values. */
  names: string[];
  val: number[];
  /** The cue rules' per-kind scores (APPEAL_KINDS order), their kind and whether they defaulted. */
  scores: number[];
  ruleKind: AppealKind;
  defaulted: boolean;
  /** The text's length in characters (settings.maxChars). */
  chars: number;
  /** The label (training) — absent at run time. */
  kind?: AppealKind;
}

export interface KindModelFile {
  format: string;
  trainedOn: string;
  settings: KindSettings;
  kinds: AppealKind[];
  /** Classifier feature names (vocab entries of trained-model.json) with a weight. */
  features: string[];
  /** [kind][feature] weights. */
  weights: number[][];
  /** [kind][rule feature] weights (RULE_FEATURES). */
  ruleWeights: number[][];
  bias: number[];
  /** Probabilities = softmax(scale × scores). */
  scale: number;
}

/**
 * The shipped settings, chosen by leaving one casebook part out over the parts the model trains on (fresh10 neither
 * trained on nor scored while choosing), the rules compared as they were at each blind part's first pass
 * (routing/README.md, "The learned kind model"): the classifier's vector alone (the cue rules' scores as features
 * made the model copy the rules, which were fixed against those parts), classes balanced, C 1, and the model's kind
 * taken over the rules' at a probability of 0.7 or more where the rules' cue score for their kind is at most 4.
 */
export const KIND_TRAINING: Readonly<KindSettings> = Object.freeze({ C: 1, ruleWeight: 0, threshold: 0.7, balanced: true, maxChars: 150, maxRuleScore: 4 });

/** The rule features, each × settings.ruleWeight: per kind its cue score (capped, / RULE_CAP), then one-hot of the rules' kind, then "no cue". */
export const RULE_CAP = 6;
export const RULE_FEATURES = [...APPEAL_KINDS.map((k) => `cue:${k}`), ...APPEAL_KINDS.map((k) => `rule:${k}`), 'rule:none'];

/** The rules' cue score for their own kind (0 when they defaulted). */
export function ruleScore(scores: ArrayLike<number>, kind: AppealKind): number {
  return scores[APPEAL_KINDS.indexOf(kind)] ?? 0;
}

function ruleVector(scores: ArrayLike<number>, ruleKind: AppealKind, defaulted: boolean, r: number): Float64Array {
  const K = APPEAL_KINDS.length;
  const v = new Float64Array(2 * K + 1);
  if (r === 0) return v;
  for (let k = 0; k < K; k++) v[k] = (r * Math.min(scores[k] ?? 0, RULE_CAP)) / RULE_CAP;
  if (defaulted) v[2 * K] = r;
  else v[K + APPEAL_KINDS.indexOf(ruleKind)] = r;
  return v;
}

/** The model's opinion, for the operator. */
export interface KindOpinion {
  kind: AppealKind;
  /** Its probability (softmax of the scores). */
  confidence: number;
  /** The rules' kind. */
  ruleKind: AppealKind;
  /** Whether the model's kind replaced the rules'. */
  overridden: boolean;
  /** The model was sure enough of another kind, but the rules' cues were too firm to replace (settings.maxRuleScore). */
  heldByCues: boolean;
  /** The words and character strings that weigh most towards the model's kind. */
  words: string[];
}

export class KindModel {
  /** Per classifier column: its row in `w`, or -1 when the model has no weight for it (most columns). */
  private readonly rowOf: Int32Array;
  /** Per row: K weights. */
  private readonly w: Float32Array;
  private readonly ruleW: Float64Array[];
  private readonly b: Float64Array;
  private readonly K: number;
  private readonly z: Float64Array;

  constructor(
    readonly file: KindModelFile,
    private readonly m: CategoryModel,
  ) {
    const K = (this.K = file.kinds.length);
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
    this.ruleW = file.ruleWeights.map((row) => Float64Array.from(row));
    this.b = Float64Array.from(file.bias);
    this.z = new Float64Array(K);
  }

  /** The features of the model the classifier lacks (it was retrained without them): the model should be retrained. */
  missingFeatures(): number {
    const have = new Set(this.m.vocab);
    return this.file.features.filter((f) => !have.has(f)).length;
  }

  /** Scores per kind (file.kinds order) of the classifier's vector `x` and the rules' guess. */
  scores(x: SparseVec, rule: KindGuess): Float64Array {
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
    const rw = this.file.settings.ruleWeight;
    if (rw !== 0 && rule.scores) {
      const rv = ruleVector(rule.scores, rule.kind, rule.defaulted, rw);
      for (let k = 0; k < K; k++) {
        const weights = this.ruleW[k];
        for (let f = 0; f < rv.length; f++) if (rv[f] !== 0) z[k] += weights[f] * rv[f];
      }
    }
    return z;
  }

  /**
   * The kind: the rules' guess unless the model gives another kind a probability of at least the threshold.
   * An emergency (the rules' help request without cue scores) is left as it is.
   */
  judge(x: SparseVec, rule: KindGuess, chars: number): KindGuess {
    if (!rule.scores || chars > this.file.settings.maxChars) return rule;
    const z = this.scores(x, rule);
    const K = this.K;
    let best = 0;
    for (let k = 1; k < K; k++) if (z[k] > z[best]) best = k;
    const s = this.file.scale;
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(s * (z[k] - z[best]));
    const confidence = 1 / sum;
    const kind = this.file.kinds[best];
    const sure = kind !== rule.kind && confidence >= this.file.settings.threshold;
    const heldByCues = sure && ruleScore(rule.scores, rule.kind) > this.file.settings.maxRuleScore;
    const overridden = sure && !heldByCues;
    // The words behind it only when the model decides (the operator sees the rules' cues otherwise).
    const words = overridden ? this.driving(x, best, 3) : NO_WORDS;
    const model: KindOpinion = { kind, confidence, ruleKind: rule.kind, overridden, heldByCues, words };
    return overridden
      ? { kind, cues: words, defaulted: false, scores: rule.scores, model }
      : { kind: rule.kind, cues: rule.cues, defaulted: rule.defaulted, scores: rule.scores, model };
  }

  /**
   * The words of `x` that weigh most towards kind k, as the operator reads them: jieba's words of two or more
   * characters, never character n-grams (「民楼」「里办」 weigh in the score but are no evidence to a person).
   */
  private driving(x: SparseVec, k: number, n: number): string[] {
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

const NO_WORDS: string[] = [];

// ---- training -----------------------------------------------------------------

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

interface Design {
  X: Csr;
  names: string[];
  y: Int32Array;
  weight: Float64Array;
}

/** The rows as a sparse matrix: the classifier features seen in training (in order of first appearance), then RULE_FEATURES. */
function design(rows: readonly KindRow[], s: KindSettings, columns?: Map<string, number>): Design {
  const own = !columns;
  const col = columns ?? new Map<string, number>();
  if (own) for (const r of rows) for (const n of r.names) if (!col.has(n)) col.set(n, col.size);
  const base = col.size;
  const rowPtr = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  for (const r of rows) {
    const entries: Array<[number, number]> = [];
    r.names.forEach((n, j) => {
      const c = col.get(n);
      if (c !== undefined) entries.push([c, r.val[j]]);
    });
    const rv = ruleVector(r.scores, r.ruleKind, r.defaulted, s.ruleWeight);
    rv.forEach((v, f) => v !== 0 && entries.push([base + f, v]));
    entries.sort((a, b) => a[0] - b[0]);
    for (const [c, v] of entries) (cols.push(c), vals.push(v));
    rowPtr.push(cols.length);
  }
  const y = Int32Array.from(rows, (r) => APPEAL_KINDS.indexOf(r.kind ?? 'complaint'));
  const weight = new Float64Array(rows.length).fill(1);
  if (s.balanced) {
    const count = new Float64Array(APPEAL_KINDS.length);
    for (const c of y) count[c]++;
    for (let i = 0; i < rows.length; i++) weight[i] = rows.length / (APPEAL_KINDS.length * count[y[i]]);
  }
  return {
    X: { rowPtr: Int32Array.from(rowPtr), col: Int32Array.from(cols), val: Float64Array.from(vals), dim: base + RULE_FEATURES.length },
    names: [...col.keys()],
    y,
    weight,
  };
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

/**
 * Trains the kind model on labelled rows. Deterministic: the same rows in the same order give the same file.
 * The probability scale is fitted on 5-fold out-of-fold scores of the training rows (a fixed split).
 */
export function trainKindModel(rows: readonly KindRow[], s: KindSettings, trainedOn: string): KindModelFile {
  const d = design(rows, s);
  const K = APPEAL_KINDS.length;
  const fit = (X: Csr, y: ArrayLike<number>, wt: ArrayLike<number>) => trainSvm(X, y, K, wt, { ...SVM, C: s.C });
  // Out-of-fold scores for the scale (folds by a seeded shuffle).
  const rand = seededRandom(7);
  const fold = Int32Array.from(rows, () => Math.floor(rand() * 5));
  const oof: Float64Array[] = new Array(rows.length);
  for (let f = 0; f < 5; f++) {
    const wt = Float64Array.from(d.weight, (x, i) => (fold[i] === f ? 0 : x));
    const m = fit(d.X, d.y, wt);
    const held: number[] = [];
    for (let i = 0; i < rows.length; i++) if (fold[i] === f) held.push(i);
    const z = scoreRows(m.w, m.b, sub(d.X, held));
    held.forEach((i, j) => (oof[i] = z[j]));
  }
  const scale = fitScale(oof, d.y);
  const m = fit(d.X, d.y, d.weight);
  const nf = d.names.length;
  return {
    format: KIND_MODEL_FORMAT,
    trainedOn,
    settings: { ...s },
    kinds: [...APPEAL_KINDS],
    features: d.names,
    weights: m.w.map((w) => Array.from(w.subarray(0, nf), (x) => round(x, 4))),
    ruleWeights: m.w.map((w) => Array.from(w.subarray(nf), (x) => round(x, 4))),
    bias: Array.from(m.b, (x) => round(x, 4)),
    scale,
  };
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

/** The kind a trained file gives a row (the slow path of KindModel.judge, over feature names), and its probability. */
export function predictRow(f: KindModelFile, r: KindRow): { kind: AppealKind; confidence: number; final: AppealKind } {
  const col = featureIndex(f);
  const K = f.kinds.length;
  const z = Float64Array.from(f.bias);
  r.names.forEach((n, j) => {
    const c = col.get(n);
    if (c !== undefined) for (let k = 0; k < K; k++) z[k] += f.weights[k][c] * r.val[j];
  });
  const rv = ruleVector(r.scores, r.ruleKind, r.defaulted, f.settings.ruleWeight);
  for (let k = 0; k < K; k++) for (let q = 0; q < rv.length; q++) z[k] += f.ruleWeights[k][q] * rv[q];
  let best = 0;
  for (let k = 1; k < K; k++) if (z[k] > z[best]) best = k;
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(f.scale * (z[k] - z[best]));
  const kind = f.kinds[best];
  const confidence = 1 / sum;
  const speaks = r.chars <= f.settings.maxChars && ruleScore(r.scores, r.ruleKind) <= f.settings.maxRuleScore;
  return { kind, confidence, final: speaks && kind !== r.ruleKind && confidence >= f.settings.threshold ? kind : r.ruleKind };
}
const featureIndexes = new WeakMap<KindModelFile, Map<string, number>>();
function featureIndex(f: KindModelFile): Map<string, number> {
  let m = featureIndexes.get(f);
  if (!m) featureIndexes.set(f, (m = new Map(f.features.map((n, i) => [n, i]))));
  return m;
}

/** Checks a model file's shape; every problem named. */
export function checkKindModel(raw: unknown): KindModelFile {
  const f = raw as KindModelFile;
  const problems: string[] = [];
  if (!f || f.format !== KIND_MODEL_FORMAT) problems.push(`格式应为 ${KIND_MODEL_FORMAT}`);
  else {
    if (!Array.isArray(f.kinds) || f.kinds.length !== APPEAL_KINDS.length || !f.kinds.every((k) => (APPEAL_KINDS as readonly string[]).includes(k))) problems.push('kinds 不对');
    if (!Array.isArray(f.features) || !Array.isArray(f.weights) || f.weights.length !== f.kinds?.length || !f.weights.every((w) => Array.isArray(w) && w.length === f.features.length))
      problems.push('features 与 weights 长度不一致');
    if (!Array.isArray(f.ruleWeights) || !f.ruleWeights.every((w) => Array.isArray(w) && w.length === RULE_FEATURES.length)) problems.push('ruleWeights 长度不对');
    if (!Array.isArray(f.bias) || f.bias.length !== f.kinds?.length) problems.push('bias 长度不对');
    if (typeof f.scale !== 'number' || !(f.scale > 0)) problems.push('缺少 scale');
    const s = f.settings;
    if (!s || typeof s.ruleWeight !== 'number' || typeof s.threshold !== 'number' || typeof s.maxChars !== 'number' || typeof s.maxRuleScore !== 'number') problems.push('缺少 settings');
  }
  if (problems.length) throw new Error(`诉求类型模型文件有误：${problems.join('；')}（请重新运行 routing train-kind）`);
  return f;
}

// ---- the rows of the casebooks, through suggest() ----------------------------

/** Something that sees the kind decision in suggest() (SuggestEngine.kindJudge). */
export interface KindJudge {
  /** `chars`: the length of the text the suggestion reads (title and body). */
  judge(x: SparseVec, rule: KindGuess, chars: number): KindGuess;
}

/** A judge that records what the kind model would see and leaves the rules' kind (to build training rows). */
export class KindRecorder implements KindJudge {
  last: KindRow | null = null;
  constructor(private readonly m: CategoryModel) {}
  judge(x: SparseVec, rule: KindGuess, chars: number): KindGuess {
    if (!rule.scores) {
      this.last = null;
      return rule;
    }
    const names: string[] = [];
    const val: number[] = [];
    for (let j = 0; j < x.idx.length; j++) (names.push(this.m.vocab[x.idx[j]]), val.push(x.val[j]));
    this.last = { names, val, scores: Array.from(rule.scores), ruleKind: rule.kind, defaulted: rule.defaulted, chars };
    return rule;
  }
}
