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
import { charNgramKeys, GramTable, gramCode, ngramName, NGRAM_PREFIX } from './features';
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
function keysOf(text: string): number[] {
  return [...new Set(charNgramKeys(text, 1, 3))];
}

/** The characters of an n-gram key (features.ts ngramName, without its prefix). */
function gramText(key: number): string {
  return ngramName(key).slice(NGRAM_PREFIX.length);
}

export class EmergencyModel {
  /** Flag columns: 1-grams by character code, 2- and 3-grams through a GramTable (as the category model's vectorize). */
  private readonly chars = new Int32Array(65536).fill(-1);
  private readonly table: GramTable;
  /** Per column: the call that last counted it (distinct columns without a set). */
  private readonly stamp: Uint32Array;
  private call = 0;
  private readonly flag: Float64Array;
  private readonly dangerCol: Map<number, number>;

  constructor(private readonly f: EmergencyModelFile) {
    const bigrams: Array<readonly [number, number, number]> = [];
    const trigrams: Array<readonly [number, number, number, number]> = [];
    f.keys.forEach((key, col) => {
      const n = key % 4;
      const rest = (key - n) / 4;
      if (n === 1) this.chars[rest] = col;
      else if (n === 2) bigrams.push([Math.floor(rest / 65536), rest % 65536, col]);
      else trigrams.push([Math.floor(rest / 4294967296), Math.floor(rest / 65536) % 65536, rest % 65536, col]);
    });
    this.table = new GramTable(bigrams, trigrams);
    this.stamp = new Uint32Array(f.keys.length);
    this.flag = Float64Array.from(f.flag);
    this.dangerCol = new Map(f.dangerKeys.map((k, i) => [k, i]));
  }

  get thresholds(): { flag: number; keep: number } {
    return this.f.thresholds;
  }

  /**
   * Decision value of the flag model for a normalised text (> 0: more like an emergency). The
   * n-grams are walked as model.ts vectorizeColumns walks them (kept inline in both: a callback per
   * n-gram would cost more than the walk).
   */
  score(text: string): number {
    const call = ++this.call === 0xffffffff ? this.restart() : this.call;
    const { chars, table, stamp, flag } = this;
    // The imported function read once into a local (through tsx an imported name is a getter).
    const codeOf = gramCode;
    const pairs = table.pairs;
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
      let i = chars[c];
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
          i = pairs[s + 1];
          if (i >= 0 && stamp[i] !== call) {
            stamp[i] = call;
            sum += flag[i];
            n++;
          }
        }
      }
      if (prefix >= 0) {
        i = table.triple(prefix, c);
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

  private restart(): number {
    this.stamp.fill(0);
    this.call = 1;
    return 1;
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

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Trains both models. Deterministic: the same examples in the same order give the same file. */
export function trainEmergencyModel(
  examples: EmergencyExample[],
  o: { trainedOn: string; thresholds?: { flag: number; keep: number }; C?: number; minDf?: number },
): EmergencyModelFile {
  const texts = examples.map((e) => keysOf(e.text));
  const keys = columns(texts, o.minDf ?? 3);
  const col = new Map(keys.map((k, i) => [k, i]));
  const X = matrix(texts, col);
  const svm = { C: o.C ?? 1, bias: 1, eps: 0.1, maxIter: 1000, seed: 1 };
  const flagModel = trainSvm(X, examples.map((e) => (e.emergency ? 1 : 0)), 2, examples.map((e) => e.weight), svm);
  const positives = examples.map((e, i) => ({ e, keys: texts[i] })).filter((x) => x.e.emergency && x.e.danger);
  const dangers = [...new Set(positives.map((x) => x.e.danger as string))].sort();
  const dangerKeys = columns(positives.map((x) => x.keys), o.minDf ?? 3);
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
    thresholds: o.thresholds ?? { flag: 0.5, keep: -1 },
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

