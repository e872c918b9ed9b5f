// Training: one deterministic run from ../shared/data (gold labels, silver labels,
// unlabelled text, the government taxonomy) plus operators' corrections, and a
// cross-validated estimate on the gold file. No appeal text goes into the model file.
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from './csv';
import { categoryScores, encodeWeights, fitScale, fitVectorizer, MODEL_FORMAT, trainCnb, vectorize, type ModelFile, type TrainingDoc } from './model';
import type { Taxonomy } from './taxonomy';
import { catalogueProfile, EventTypeScorer } from './event-scorer';
import { normalize, tokenize } from './text';

export interface Correction {
  title?: string;
  text: string;
  eventType: string;
}

export interface TrainingParams {
  alpha: number;
  minDf: number;
  silverWeight: number;
  /** Weight of appeals labelled by the unit that answered them (appeal-replies.csv); 0 leaves them out. */
  replyWeight: number;
  taxonomyWeight: number;
  correctionWeight: number;
  folds: number;
  seed: number;
}

/**
 * Chosen by an earlier 5-fold cross-validation over all gold rows, before the tuning
 * split (`isTuningRow`) existed; later comparisons use the tuning third only (see
 * routing/README.md, "Estimate").
 */
export const DEFAULT_PARAMS: TrainingParams = {
  alpha: 0.1,
  minDf: 2,
  silverWeight: 0.5,
  replyWeight: 1,
  taxonomyWeight: 1,
  correctionWeight: 1,
  folds: 5,
  seed: 42,
};

export interface LabelledText {
  title: string;
  text: string;
  category: string;
}

export interface TrainingData {
  gold: LabelledText[];
  /** Rows of the unlabelled file with another team's classifier output (noisy). */
  silver: LabelledText[];
  /** Appeals labelled by the unit named at the start of their official reply (distant supervision). */
  replyLabelled: LabelledText[];
  /** Rows with no label at all. */
  unlabelled: Array<{ title: string; text: string }>;
  /** level1, level2, level3 rows of the government taxonomy. */
  taxonomyRows: Array<{ level1: string; level2: string; level3: string }>;
}

/**
 * Units whose name at the start of an official reply tells the category of the appeal
 * (the board's replies name the department that handled it: 市住建局, 市教育局…).
 */
export const REPLYING_UNITS: Record<string, string[]> = {
  城乡建设: ['住建局', '住房和城乡建设', '城管', '城市管理', '自然资源和规划', '规划局', '房屋交易', '物业', '住房保障', '不动产'],
  教育文体: ['教育局', '教育厅', '教育部门', '体育局', '学校'],
  劳动和社会保障: ['人社局', '人力资源和社会保障', '社保', '医保局', '医疗保障', '劳动保障监察'],
  卫生计生: ['卫健委', '卫生健康', '卫计委', '卫生计生', '疾控'],
  交通运输: ['交通运输局', '交通局', '公交', '运管', '轨道', '地铁'],
  环境保护: ['生态环境', '环保局', '环境保护局'],
  商贸旅游: ['市场监督管理', '市场监管', '商务局', '文旅', '旅游局', '工商'],
};

/** The category named by the start of a reply, when exactly one category's units are named. */
export function categoryFromReply(reply: string): string | null {
  const head = reply.slice(0, 250);
  const hits = Object.keys(REPLYING_UNITS).filter((c) => REPLYING_UNITS[c].some((w) => head.includes(w)));
  return hits.length === 1 ? hits[0] : null;
}

export const DEFAULT_DATA_DIR = path.resolve(__dirname, '../../shared/data');

export function readTrainingData(dir = DEFAULT_DATA_DIR): TrainingData {
  const read = (f: string) => parseCsvObjects(fs.readFileSync(path.join(dir, f), 'utf8'));
  const gold = read('appeals-labelled.csv').map((r) => ({ title: r.title ?? '', text: r.text ?? '', category: r.label ?? '' }));
  const un = read('appeals-unlabelled.csv');
  const repliesFile = path.join(dir, 'appeal-replies.csv');
  const replies = fs.existsSync(repliesFile) ? read('appeal-replies.csv') : [];
  return {
    replyLabelled: replies.flatMap((r) => {
      const category = categoryFromReply(r.reply ?? '');
      return category ? [{ title: r.title, text: r.text, category }] : [];
    }),
    gold: gold.filter((r) => r.category),
    silver: un.filter((r) => r.silver_label).map((r) => ({ title: r.title, text: r.text, category: r.silver_label })),
    unlabelled: un.filter((r) => !r.silver_label).map((r) => ({ title: r.title, text: r.text })),
    taxonomyRows: read('appeal-taxonomy.csv').map((r) => ({ level1: r.level1, level2: r.level2, level3: r.level3 })),
  };
}

/** Title words count twice: the title is the citizen's own summary. */
export function appealTokens(title: string | undefined, text: string): string[] {
  const t = tokenize(normalize(title ?? ''));
  return [...t, ...t, ...tokenize(normalize(text))];
}

/** Short pseudo-documents from the taxonomy and the catalogue: every category gets words even without labelled appeals. */
export function taxonomyDocs(rows: TrainingData['taxonomyRows'], taxonomy: Taxonomy, weight: number): TrainingDoc[] {
  const docs: TrainingDoc[] = [];
  for (const r of rows) {
    const words = [r.level2, r.level3].filter((w) => w !== '其他').join(' ');
    const tokens = tokenize(words);
    if (tokens.length) docs.push({ tokens, category: r.level1, weight });
  }
  for (const t of taxonomy.eventTypes) {
    const tokens = [...tokenize(t.name), ...t.keywords, ...t.examples.flatMap((e) => tokenize(normalize(e)))];
    docs.push({ tokens, category: t.category, weight });
  }
  return docs;
}

interface Prepared {
  gold: Array<{ tokens: string[]; category: string }>;
  silver: TrainingDoc[];
  replies: TrainingDoc[];
  tax: TrainingDoc[];
  corrections: Array<TrainingDoc & { eventType: string }>;
  skippedCorrections: number;
  unlabelled: string[][];
}

function prepare(data: TrainingData, taxonomy: Taxonomy, corrections: Correction[], p: TrainingParams): Prepared {
  const valid = corrections.filter((c) => c && typeof c.text === 'string' && taxonomy.byCode.has(c.eventType));
  return {
    gold: data.gold.map((r) => ({ tokens: appealTokens(r.title, r.text), category: r.category })),
    silver: data.silver.map((r) => ({ tokens: appealTokens(r.title, r.text), category: r.category, weight: p.silverWeight })),
    replies: p.replyWeight > 0 ? data.replyLabelled.map((r) => ({ tokens: appealTokens(r.title, r.text), category: r.category, weight: p.replyWeight })) : [],
    tax: taxonomyDocs(data.taxonomyRows, taxonomy, p.taxonomyWeight),
    corrections: valid.map((c) => ({
      tokens: appealTokens(c.title, c.text),
      category: taxonomy.byCode.get(c.eventType)!.category,
      weight: p.correctionWeight,
      eventType: c.eventType,
    })),
    skippedCorrections: corrections.length - valid.length,
    unlabelled: data.unlabelled.map((r) => appealTokens(r.title, r.text)),
  };
}

/**
 * Fewest real appeals (gold, silver or corrected) a category needs to join the
 * classifier. A category known only from the taxonomy's words would become an
 * attractor for every vague text; such categories are left to the keyword evidence
 * until operators' corrections give them enough appeals.
 */
export const MIN_CATEGORY_APPEALS = 20;

/** The categories the classifier learns, in catalogue order, then other labels seen. */
function categoriesOf(taxonomy: Taxonomy, appeals: Array<{ category: string }>): string[] {
  const n = new Map<string, number>();
  for (const d of appeals) n.set(d.category, (n.get(d.category) ?? 0) + 1);
  return [...new Set([...taxonomy.categories, ...n.keys()])].filter((c) => (n.get(c) ?? 0) >= MIN_CATEGORY_APPEALS);
}

function fit(docs: TrainingDoc[], categories: string[], p: TrainingParams) {
  const vec = fitVectorizer(
    docs.map((d) => d.tokens),
    p.minDf,
  );
  return trainCnb(categories, vec, docs, { alpha: p.alpha, minDf: p.minDf });
}

/** Deterministic random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function foldOf(n: number, folds: number, seed: number): number[] {
  // Deterministic shuffle, then round-robin folds.
  const rand = seededRandom(seed);
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const fold = new Array<number>(n);
  perm.forEach((row, k) => (fold[row] = k % folds));
  return fold;
}

/** Share of each label's gold appeals held out for choosing training settings. */
export const TUNING_SHARE = 1 / 3;
export const TUNING_SEED = 2026;
/** The gold file's labels, in the order of ../shared/data/README.md (the split shuffles each in turn). */
export const GOLD_LABELS = ['城乡建设', '劳动和社会保障', '教育文体', '卫生计生', '交通运输', '商贸旅游', '环境保护'];

/**
 * The fixed held-out split for tuning: a third of each label's gold appeals
 * (deterministic shuffle). Training settings are compared on these rows only; the
 * estimate (`crossValidate`) never scores them and always trains on them.
 */
export function isTuningRow(gold: ReadonlyArray<{ category: string }>): boolean[] {
  const out = new Array<boolean>(gold.length).fill(false);
  const rand = seededRandom(TUNING_SEED);
  const labels = new Set(gold.map((g) => g.category));
  for (const c of [...GOLD_LABELS.filter((l) => labels.has(l)), ...[...labels].filter((l) => !GOLD_LABELS.includes(l)).sort()]) {
    const rows = gold.flatMap((g, i) => (g.category === c ? [i] : []));
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    for (const i of rows.slice(0, Math.round(rows.length * TUNING_SHARE))) out[i] = true;
  }
  return out;
}

/** Word profiles learned from corrections: words seen in a type's corrected appeals, weighted by frequency. */
function learnedProfiles(prep: Prepared, idf: Map<string, number>, expanded: Map<string, Map<string, number>>): Record<string, { words: Record<string, number> }> {
  const counts = new Map<string, Map<string, number>>();
  for (const c of prep.corrections) {
    let m = counts.get(c.eventType);
    if (!m) counts.set(c.eventType, (m = new Map()));
    for (const w of new Set(c.tokens)) m.set(w, (m.get(w) ?? 0) + 1);
  }
  const out: Record<string, { words: Record<string, number> }> = {};
  for (const code of [...new Set([...counts.keys(), ...expanded.keys()])].sort()) {
    const merged = new Map(expanded.get(code) ?? []);
    for (const [w, n] of counts.get(code) ?? []) {
      if ((idf.get(w) ?? 0) < 3) continue; // too common to say anything about the type
      merged.set(w, Math.max(merged.get(w) ?? 0, Math.min(2, 0.5 * n)));
    }
    const words: Record<string, number> = {};
    for (const [w, v] of [...merged].sort((a, b) => (a[0] < b[0] ? -1 : 1))) words[w] = v;
    if (merged.size) out[code] = { words };
  }
  return out;
}

/** How unlabelled appeals widen the event types' vocabularies (bootstrapping from the catalogue's words). */
export const EXPANSION = { minScore: 4, margin: 2, minDocs: 8, minCount: 4, minLift: 4, maxWords: 12, weight: 0.5 };

/**
 * Words learned from unlabelled appeals: an appeal that the catalogue's words
 * clearly assign to one type (score ≥ minScore and ≥ margin × the runner-up) lends
 * that type the words it uses far more often than appeals in general.
 */
export function expandProfiles(texts: string[][], taxonomy: Taxonomy): Map<string, Map<string, number>> {
  const scorer = new EventTypeScorer(
    taxonomy.eventTypes,
    taxonomy.eventTypes.map((t) => catalogueProfile(t, tokenize)),
  );
  const df = new Map<string, number>();
  const byType = new Map<number, Array<Set<string>>>();
  for (const tokens of texts) {
    const set = new Set(tokens);
    for (const w of set) df.set(w, (df.get(w) ?? 0) + 1);
    const scores = scorer.score('', tokens).sort((a, b) => b.score - a.score || a.index - b.index);
    if (!scores.length || scores[0].score < EXPANSION.minScore) continue;
    if (scores.length > 1 && scores[0].score < EXPANSION.margin * scores[1].score) continue;
    const list = byType.get(scores[0].index) ?? [];
    list.push(set);
    byType.set(scores[0].index, list);
  }
  const out = new Map<string, Map<string, number>>();
  for (const [i, docs] of [...byType].sort((a, b) => a[0] - b[0])) {
    if (docs.length < EXPANSION.minDocs) continue;
    const count = new Map<string, number>();
    for (const d of docs) for (const w of d) count.set(w, (count.get(w) ?? 0) + 1);
    const lifted = [...count]
      .filter(([w, c]) => c >= EXPANSION.minCount && (c / docs.length) / (df.get(w)! / texts.length) >= EXPANSION.minLift)
      .map(([w, c]) => [w, (c / docs.length) / (df.get(w)! / texts.length) * Math.log(c)] as [string, number])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, EXPANSION.maxWords);
    if (lifted.length) out.set(taxonomy.eventTypes[i].code, new Map(lifted.map(([w]) => [w, EXPANSION.weight])));
  }
  return out;
}

export interface TrainResult {
  model: ModelFile;
  /** Out-of-fold category scores of the gold rows, for the estimate. */
  summary: { gold: number; silver: number; taxonomyDocs: number; corrections: number; skippedCorrections: number; vocabulary: number };
}

/**
 * Train the model. The probability scale is fitted on out-of-fold scores of the
 * gold rows (each scored by a model that never saw it).
 */
export function trainModel(data: TrainingData, taxonomy: Taxonomy, corrections: Correction[] = [], p: TrainingParams = DEFAULT_PARAMS): TrainResult {
  const prep = prepare(data, taxonomy, corrections, p);
  const goldDocs: TrainingDoc[] = prep.gold.map((g) => ({ ...g, weight: 1 }));
  const base = [...prep.silver, ...prep.replies, ...prep.tax, ...prep.corrections];
  const categories = categoriesOf(taxonomy, [...goldDocs, ...prep.silver, ...prep.replies, ...prep.corrections]);

  const fold = foldOf(goldDocs.length, p.folds, p.seed);
  const oofZ: Float64Array[] = [];
  const oofY: number[] = [];
  for (let f = 0; f < p.folds && goldDocs.length >= p.folds; f++) {
    const m = fit([...goldDocs.filter((_, i) => fold[i] !== f), ...base], categories, p);
    goldDocs.forEach((g, i) => {
      if (fold[i] !== f) return;
      oofZ.push(categoryScores(m, vectorize(m.vec, g.tokens)));
      oofY.push(categories.indexOf(g.category));
    });
  }
  const scale = oofZ.length ? fitScale(oofZ, oofY) : 1;

  const full = fit([...goldDocs, ...base], categories, p);
  const words = [...full.vec.vocab.keys()];
  const idfByWord = new Map(words.map((w, i) => [w, full.vec.idf[i]]));
  const learned = learnedProfiles(prep, idfByWord, expandProfiles([...prep.unlabelled, ...prep.silver.map((d) => d.tokens), ...prep.gold.map((d) => d.tokens)], taxonomy));
  const model: ModelFile = {
    format: MODEL_FORMAT,
    taxonomyVersion: taxonomy.version,
    categories,
    vocab: words.join('\n'),
    idf: Array.from(full.vec.idf, (x) => Math.round(x * 1000) / 1000),
    weights: full.w.map(encodeWeights),
    probabilityScale: scale,
    eventTypes: learned,
    training: {
      params: p,
      gold: prep.gold.length,
      silver: prep.silver.length,
      replyLabelled: prep.replies.length,
      taxonomyDocs: prep.tax.length,
      corrections: prep.corrections.length,
      unlabelled: prep.unlabelled.length,
      typesWithLearnedWords: Object.keys(learned).length,
    },
  };
  return {
    model,
    summary: {
      gold: prep.gold.length,
      silver: prep.silver.length,
      taxonomyDocs: prep.tax.length,
      corrections: prep.corrections.length,
      skippedCorrections: prep.skippedCorrections,
      vocabulary: words.length,
    },
  };
}
