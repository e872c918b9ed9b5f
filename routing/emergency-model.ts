// A learned second opinion on emergencies: a linear SVM over the character 1–3-grams of the
// whole utterance, trained on the emergency casebooks (emergencies, look-alikes), the routing
// casebooks and a sample of the board's written appeals. The danger rules (urgency.ts) know
// dangers by their words; callers say them in ways no list foresees, and the rules' first pass
// on each new blind casebook part was 69–86 % recall. Measured leave-one-part-out (a part's
// cases never in the training that scores it): on fresh7, which neither the rules nor the model
// had seen, 69.3 → 85.2 % recall, false alarms 12.5 → 7.8 % (routing/README.md, "The learned
// second opinion").
//
// How it is combined (DangerTriage.triage): a rule finding stands unless the model is very sure
// the whole utterance is not an emergency (score ≤ `keep`); with no rule finding, a score above
// `flag` makes it an emergency, with the danger class the model names (its unit acts). Pure.
import { charColumns, charNgramKeys, GramTable, gramCode, ngramName, NGRAM_PREFIX, type GramList } from './features';
import { attachSide, sideScore, nextWalk, type CategoryModel, type GramSide } from './model';
import { trainSvm, type Csr } from './svm';

export const EMERGENCY_MODEL_FORMAT = 'hotline-emergency-model/1';

export interface EmergencyExample {
  /** Normalised text (text.ts normalize), as the triage sees it. */
  text: string;
  emergency: boolean;
  /** The danger class (a rule code of dangers.json) of an emergency, when known. */
  danger?: string;
  /** Cost weight in training. */
  weight: number;
}

export interface EmergencyModelFile {
  format: string;
  /** What it was trained on, in words. */
  trainedOn: string;
  thresholds: { flag: number; keep: number };
  /** n-gram keys (features.ts charNgramKeys) of the flag model's columns. */
  keys: number[];
  flag: number[];
  flagBias: number;
  dangers: string[];
  /** n-gram keys of the danger model's columns. */
  dangerKeys: number[];
  /** [danger][column] weights. */
  dangerWeights: number[][];
  dangerBias: number[];
}

export interface EmergencyOpinion {
  /** Decision value of the flag model (> 0: more like an emergency). */
  score: number;
  /** The most likely danger class of an emergency. */
  danger: string;
  /** The n-grams that weigh most towards an emergency, for the operator. */
  cues: string[];
}

/** The distinct n-gram keys of a text. */
export function keysOf(text: string): number[] {
  return [...new Set(charNgramKeys(text, 1, 3))];
}

/** The flag model's decision value from the keys of a text (the slow path: training's view; for measurements). */
export function scoreByKeys(f: EmergencyModelFile, text: string): number {
  const col = new Map(f.keys.map((k, i) => [k, i]));
  const known = keysOf(text).map((k) => col.get(k)).filter((c): c is number => c !== undefined);
  let sum = 0;
  for (const c of known) sum += f.flag[c];
  return f.flagBias + (known.length ? sum / Math.sqrt(known.length) : 0);
}

/** The characters of an n-gram key (features.ts ngramName, without its prefix). */
function gramText(key: number): string {
  return ngramName(key).slice(NGRAM_PREFIX.length);
}

export class EmergencyModel {
  /**
   * Flag columns: 1-grams by character code at [2 × code + 1], 2- and 3-grams as the side columns of a
   * GramTable (features.ts) — its own, or, once attached, the category model's, whose walk then scores
   * this model too (attach).
   */
  private chars: Int32Array | null = null;
  private table: GramTable | null = null;
  /** The weights, and per column the walk that last counted it (distinct columns without a set). */
  readonly side: GramSide;
  private readonly dangerCol: Map<number, number>;

  constructor(private readonly f: EmergencyModelFile) {
    this.side = { w: Float64Array.from(f.flag), bias: f.flagBias, stamp: new Uint32Array(f.keys.length), call: 0, sum: 0, n: 0 };
    this.dangerCol = new Map(f.dangerKeys.map((k, i) => [k, i]));
  }

  get thresholds(): { flag: number; keep: number } {
    return this.f.thresholds;
  }

  /** The flag model's n-grams (column = index; for model.ts decodeModel / attachSide). */
  grams(): GramList {
    return { keys: this.f.keys };
  }

  /**
   * Puts this model's n-grams into the category model's tables (model.ts attachSide; nothing to do when
   * decodeModel put them there already): from then on each vectorizeColumns of `m` scores this model in
   * the same walk (walkScore), and score() reads the shared tables (one set in memory).
   */
  attach(m: CategoryModel): void {
    if (m.side !== this.side) attachSide(m, this.grams(), this.side);
    this.table = m.gramTable;
    this.chars = m.charColumn;
  }

  /** The score of the text of the last vectorizeColumns of `m`, when this model is attached to it; otherwise undefined. */
  walkScore(m: CategoryModel): number | undefined {
    return m.side === this.side ? sideScore(this.side) : undefined;
  }

  /**
   * Decision value of the flag model for a normalised text (> 0: more like an emergency). The
   * n-grams are walked as model.ts vectorizeColumns walks them (kept inline in both: a callback per
   * n-gram would cost more than the walk).
   */
  score(text: string): number {
    if (!this.table || !this.chars) {
      // Not attached to a category model: tables of its own, built at the first score.
      this.table = new GramTable({ keys: [] }, this.grams());
      this.chars = charColumns({ keys: [] }, this.grams());
    }
    const { chars, table, side } = this;
    const call = nextWalk(side);
    const { w: flag, stamp } = side;
    // The imported function read once into a local (through tsx an imported name is a getter).
    const codeOf = gramCode;
    const pairs = table.pairs;
    const triples = table.triples;
    const sideTriples = table.tripleStride === 4;
    let sum = 0;
    let n = 0;
    let c1 = -1;
    let prefix = -1;
    for (let k = 0; k < text.length; k++) {
      const c = codeOf(text.charCodeAt(k));
      if (c < 0) {
        c1 = prefix = -1;
        continue;
      }
      let i = chars[2 * c + 1];
      if (i >= 0 && stamp[i] !== call) {
        stamp[i] = call;
        sum += flag[i];
        n++;
      }
      let next = -1;
      if (c1 >= 0) {
        const s = table.pair(c1, c);
        if (s >= 0) {
          next = pairs[s + 2];
          i = pairs[s + 3];
          if (i >= 0 && stamp[i] !== call) {
            stamp[i] = call;
            sum += flag[i];
            n++;
          }
        }
      }
      if (prefix >= 0 && sideTriples) {
        const s = table.tripleSlot(prefix, c);
        i = s >= 0 ? triples[s + 2] : -1;
        if (i >= 0 && stamp[i] !== call) {
          stamp[i] = call;
          sum += flag[i];
          n++;
        }
      }
      prefix = next;
      c1 = c;
    }
    return this.f.flagBias + (n ? sum / Math.sqrt(n) : 0);
  }

  /** The whole opinion: the score, the most likely danger, and the n-grams that weigh most towards an emergency. */
  opinion(text: string): EmergencyOpinion {
    const score = this.score(text);
    const keys = keysOf(text);
    const flagCol = new Map(this.f.keys.map((k, i) => [k, i]));
    const known = keys.filter((k) => flagCol.has(k));
    const n = Math.sqrt(known.length) || 1;
    const contrib: Array<[number, number]> = [];
    for (const k of known) {
      const w = this.f.flag[flagCol.get(k)!] / n;
      if (w > 0) contrib.push([k, w]);
    }
    const dangerKnown = keys.map((k) => this.dangerCol.get(k)).filter((c): c is number => c !== undefined);
    const dn = Math.sqrt(dangerKnown.length) || 1;
    const dangerScore = this.f.dangerBias.slice();
    for (const d of dangerKnown) for (let j = 0; j < dangerScore.length; j++) dangerScore[j] += this.f.dangerWeights[j][d] / dn;
    let best = 0;
    for (let j = 1; j < dangerScore.length; j++) if (dangerScore[j] > dangerScore[best]) best = j;
    // The strongest cues, longest first among equals, without one inside a cue already given.
    contrib.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
    const cues: string[] = [];
    for (const [k] of contrib) {
      const g = gramText(k);
      if (g.length < 2 || cues.some((c) => c.includes(g) || g.includes(c))) continue;
      cues.push(g);
      if (cues.length === 3) break;
    }
    return { score, danger: this.f.dangers[best] ?? '', cues };
  }
}

/** Rows of binary n-gram features, scaled to unit length, over the columns of `col`. */
function matrix(texts: number[][], col: Map<number, number>): Csr {
  const rowPtr = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  for (const keys of texts) {
    const row = keys.map((k) => col.get(k)).filter((c): c is number => c !== undefined).sort((a, b) => a - b);
    const n = Math.sqrt(row.length) || 1;
    for (const c of row) {
      cols.push(c);
      vals.push(1 / n);
    }
    rowPtr.push(cols.length);
  }
  return { rowPtr: Int32Array.from(rowPtr), col: Int32Array.from(cols), val: Float64Array.from(vals), dim: col.size };
}

/** Columns: n-grams in at least `minDf` of the texts, in order of first appearance (deterministic). */
function columns(texts: number[][], minDf: number): number[] {
  const df = new Map<number, number>();
  for (const keys of texts) for (const k of keys) df.set(k, (df.get(k) ?? 0) + 1);
  return [...df].filter(([, n]) => n >= minDf).map(([k]) => k);
}

/**
 * The SVM's cost, the n-grams kept (in at least minDf training texts) and the thresholds, compared by leaving one
 * casebook part out (routing eval --emergency-cv --model-only; routing/README.md, "The learned second opinion"):
 * C 3 ranked held-out emergencies over their look-alikes a little better than C 1 (AUC 98.9 ± 1.1 % against
 * 98.8 ± 1.1 %, within the spread; 0.3: 98.3) and found more at flag 0.5 (75.9 against 71.4 %, false alarms
 * 0.1 ± 0.4 % both), so C is 3 (on the blind fresh8 / fresh9 parts, which it never saw: 79.5 / 84.7 % recall
 * against 77.0 / 82.0 %, false alarms 5.0 / 13.0 % against 5.0 / 14.3 %). minDf 2 (twice the tables) and skip-grams (气_味) added nothing. Flag 0.5: 0.3 flagged short
 * look-alike probes of test/routing (a phone in a river, an elder living alone). At keep −1 no held-out emergency
 * was vetoed.
 */
export const EMERGENCY_TRAINING = Object.freeze({ C: 3, minDf: 3, thresholds: Object.freeze({ flag: 0.5, keep: -1 }) });

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Trains both models. Deterministic: the same examples in the same order give the same file. */
export function trainEmergencyModel(
  examples: EmergencyExample[],
  o: { trainedOn: string; thresholds?: { flag: number; keep: number }; C?: number; minDf?: number; positiveWeight?: number },
): EmergencyModelFile {
  const texts = examples.map((e) => keysOf(e.text));
  const keys = columns(texts, o.minDf ?? EMERGENCY_TRAINING.minDf);
  const col = new Map(keys.map((k, i) => [k, i]));
  const X = matrix(texts, col);
  const svm = { C: o.C ?? EMERGENCY_TRAINING.C, bias: 1, eps: 0.1, maxIter: 1000, seed: 1 };
  const flagModel = trainSvm(X, examples.map((e) => (e.emergency ? 1 : 0)), 2, examples.map((e) => e.weight * (e.emergency ? (o.positiveWeight ?? 1) : 1)), svm);
  const positives = examples.map((e, i) => ({ e, keys: texts[i] })).filter((x) => x.e.emergency && x.e.danger);
  const dangers = [...new Set(positives.map((x) => x.e.danger as string))].sort();
  const dangerKeys = columns(positives.map((x) => x.keys), o.minDf ?? EMERGENCY_TRAINING.minDf);
  const dcol = new Map(dangerKeys.map((k, i) => [k, i]));
  const dangerModel = trainSvm(
    matrix(positives.map((x) => x.keys), dcol),
    positives.map((x) => dangers.indexOf(x.e.danger as string)),
    dangers.length,
    positives.map(() => 1),
    svm,
  );
  return {
    format: EMERGENCY_MODEL_FORMAT,
    trainedOn: o.trainedOn,
    thresholds: o.thresholds ?? { ...EMERGENCY_TRAINING.thresholds },
    keys,
    flag: Array.from(flagModel.w[1], (w) => round(w, 5)),
    flagBias: round(flagModel.b[1], 5),
    dangers,
    dangerKeys,
    dangerWeights: dangerModel.w.map((w) => Array.from(w, (x) => round(x, 4))),
    dangerBias: Array.from(dangerModel.b, (x) => round(x, 5)),
  };
}

/** Checks a model file's shape; every problem named. */
export function readEmergencyModel(raw: unknown): EmergencyModel {
  const f = raw as EmergencyModelFile;
  const problems: string[] = [];
  if (!f || f.format !== EMERGENCY_MODEL_FORMAT) problems.push(`格式应为 ${EMERGENCY_MODEL_FORMAT}`);
  else {
    if (!Array.isArray(f.keys) || !Array.isArray(f.flag) || f.keys.length !== f.flag.length) problems.push('keys 与 flag 长度不一致');
    if (typeof f.flagBias !== 'number') problems.push('缺少 flagBias');
    if (!f.thresholds || typeof f.thresholds.flag !== 'number' || typeof f.thresholds.keep !== 'number') problems.push('缺少 thresholds');
    if (!Array.isArray(f.dangers) || !Array.isArray(f.dangerWeights) || f.dangerWeights.length !== f.dangers.length) problems.push('dangers 与 dangerWeights 不一致');
    else if (!f.dangerWeights.every((w) => Array.isArray(w) && w.length === f.dangerKeys?.length)) problems.push('dangerWeights 与 dangerKeys 长度不一致');
    if (!Array.isArray(f.dangerBias) || f.dangerBias.length !== f.dangers?.length) problems.push('dangerBias 长度不对');
  }
  if (problems.length) throw new Error(`紧急研判模型文件有误：${problems.join('；')}（请重新运行 routing train-emergency）`);
  return new EmergencyModel(f);
}

