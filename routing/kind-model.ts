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
import type { CategoryModel, SparseVec } from './model';
import { checkLinearFile, design, LinearScorer, linearFile, roundTo, scoreByNames, topClass, trainCalibrated, vectorRow, type VectorRow } from './second-opinion';

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
export interface KindRow extends VectorRow {
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
  private readonly lin: LinearScorer;
  private readonly ruleW: Float64Array[];
  private readonly K: number;

  constructor(
    readonly file: KindModelFile,
    m: CategoryModel,
  ) {
    this.lin = new LinearScorer(file, m);
    this.K = file.kinds.length;
    this.ruleW = file.ruleWeights.map((row) => Float64Array.from(row));
  }

  /** The features of the model the classifier lacks (it was retrained without them): the model should be retrained. */
  missingFeatures(): number {
    return this.lin.missingFeatures();
  }

  /** Scores per kind (file.kinds order) of the classifier's vector `x` and the rules' guess. */
  scores(x: SparseVec, rule: KindGuess): Float64Array {
    const K = this.K;
    const z = this.lin.scores(x);
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
    const { best, confidence } = topClass(this.scores(x, rule), this.file.scale);
    const kind = this.file.kinds[best];
    const sure = kind !== rule.kind && confidence >= this.file.settings.threshold;
    const heldByCues = sure && ruleScore(rule.scores, rule.kind) > this.file.settings.maxRuleScore;
    const overridden = sure && !heldByCues;
    // The words behind it only when the model decides (the operator sees the rules' cues otherwise).
    const words = overridden ? this.lin.driving(x, best, 3) : NO_WORDS;
    const model: KindOpinion = { kind, confidence, ruleKind: rule.kind, overridden, heldByCues, words };
    return overridden
      ? { kind, cues: words, defaulted: false, scores: rule.scores, model }
      : { kind: rule.kind, cues: rule.cues, defaulted: rule.defaulted, scores: rule.scores, model };
  }
}

const NO_WORDS: string[] = [];

// ---- training -----------------------------------------------------------------

/**
 * Trains the kind model on labelled rows (second-opinion.ts: the classifier features seen, then RULE_FEATURES).
 * Deterministic: the same rows in the same order give the same file. The probability scale is fitted on 5-fold
 * out-of-fold scores of the training rows (a fixed split).
 */
export function trainKindModel(rows: readonly KindRow[], s: KindSettings, trainedOn: string): KindModelFile {
  const K = APPEAL_KINDS.length;
  const y = Int32Array.from(rows, (r) => APPEAL_KINDS.indexOf(r.kind ?? 'complaint'));
  const d = design(rows, y, K, s.balanced, RULE_FEATURES.length, (i) => ruleVector(rows[i].scores, rows[i].ruleKind, rows[i].defaulted, s.ruleWeight));
  const m = trainCalibrated(d, K, s.C);
  const lin = linearFile(d, m);
  const nf = d.names.length;
  return {
    format: KIND_MODEL_FORMAT,
    trainedOn,
    settings: { ...s },
    kinds: [...APPEAL_KINDS],
    features: lin.features,
    weights: lin.weights,
    ruleWeights: m.w.map((w) => Array.from(w.subarray(nf), (x) => roundTo(x, 4))),
    bias: lin.bias,
    scale: lin.scale,
  };
}

/** The kind a trained file gives a row (the slow path of KindModel.judge, over feature names), and its probability. */
export function predictRow(f: KindModelFile, r: KindRow): { kind: AppealKind; confidence: number; final: AppealKind } {
  const K = f.kinds.length;
  const z = scoreByNames(f, r);
  const rv = ruleVector(r.scores, r.ruleKind, r.defaulted, f.settings.ruleWeight);
  for (let k = 0; k < K; k++) for (let q = 0; q < rv.length; q++) z[k] += f.ruleWeights[k][q] * rv[q];
  const { best, confidence } = topClass(z, f.scale);
  const kind = f.kinds[best];
  const speaks = r.chars <= f.settings.maxChars && ruleScore(r.scores, r.ruleKind) <= f.settings.maxRuleScore;
  return { kind, confidence, final: speaks && kind !== r.ruleKind && confidence >= f.settings.threshold ? kind : r.ruleKind };
}

/** Checks a model file's shape; every problem named. */
export function checkKindModel(raw: unknown): KindModelFile {
  const f = raw as KindModelFile;
  const problems: string[] = [];
  if (!f || f.format !== KIND_MODEL_FORMAT) problems.push(`格式应为 ${KIND_MODEL_FORMAT}`);
  else {
    if (!Array.isArray(f.kinds) || f.kinds.length !== APPEAL_KINDS.length || !f.kinds.every((k) => (APPEAL_KINDS as readonly string[]).includes(k))) problems.push('kinds 不对');
    checkLinearFile(f, f.kinds?.length ?? APPEAL_KINDS.length, problems);
    if (!Array.isArray(f.ruleWeights) || !f.ruleWeights.every((w) => Array.isArray(w) && w.length === RULE_FEATURES.length)) problems.push('ruleWeights 长度不对');
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
    this.last = { ...vectorRow(this.m, x), scores: Array.from(rule.scores), ruleKind: rule.kind, defaulted: rule.defaulted, chars };
    return rule;
  }
}
