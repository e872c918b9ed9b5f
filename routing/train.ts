// Training: one deterministic run from ../shared/data (gold labels, silver labels,
// unlabelled text, the government taxonomy) plus operators' corrections, and a
// cross-validated estimate on the gold file. No appeal text goes into the model file.
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from './csv';
import { fitClassifier, indexCorpus, scoreDoc, sourceWeight, type ClassifierParams, type CorpusDoc, type TrainingRow } from './classifier';
import { SHIPPED } from './candidates';
import { stratifiedGroupFolds, taxonomyTexts } from './cv';
import { metrics } from './evaluate';
import { appealParts, type AppealParts } from './features';
import { encodeWeights, fitScale, MODEL_FORMAT, type ModelFile } from './model';
import type { Taxonomy } from './taxonomy';
import { catalogueProfile, EventTypeScorer } from './event-scorer';
import { tokenize } from './text';

export interface Correction {
  title?: string;
  text: string;
  eventType: string;
}

/** The classifier's parameters, and the folds and seed of the out-of-fold scores that fit its probability scale. */
export interface TrainingParams extends ClassifierParams {
  folds: number;
  seed: number;
}

/** Chosen by repeated stratified cross-validation over all gold rows (`routing cv`; table in routing/README.md). */
export const DEFAULT_PARAMS: TrainingParams = { ...SHIPPED, folds: 5, seed: 42 };

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

/** The words of an appeal as the event-type evidence sees them: title words twice, then the body's. */
export function appealWords(p: AppealParts): string[] {
  return [...p.titleWords, ...p.titleWords, ...p.bodyWords];
}

/**
 * Fewest real appeals (gold, silver or corrected) a category needs to join the
 * classifier. A category known only from the taxonomy's words would become an
 * attractor for every vague text; such categories are left to the keyword evidence
 * until operators' corrections give them enough appeals.
 */
export const MIN_CATEGORY_APPEALS = 20;

/** The categories the classifier learns, in catalogue order, then other labels seen. */
function categoriesOf(taxonomy: Taxonomy, appeals: Array<{ label: string | null }>): string[] {
  const n = new Map<string, number>();
  for (const d of appeals) if (d.label) n.set(d.label, (n.get(d.label) ?? 0) + 1);
  return [...new Set([...taxonomy.categories, ...n.keys()])].filter((c) => (n.get(c) ?? 0) >= MIN_CATEGORY_APPEALS);
}

/** The gold file's labels, in the order of ../shared/data/README.md. */
export const GOLD_LABELS = ['城乡建设', '劳动和社会保障', '教育文体', '卫生计生', '交通运输', '商贸旅游', '环境保护'];

interface Corpus {
  docs: CorpusDoc[];
  gold: number[];
  /** Labelled documents other than gold: silver, reply-labelled, taxonomy, corrections. */
  labelled: number[];
  unlabelled: number[];
  corrections: Array<{ doc: number; eventType: string }>;
  skippedCorrections: number;
}

/** Segmentation of an appeal; the cross-validation passes a memoised one. */
export type Segmenter = (title: string | undefined, text: string) => AppealParts;

function corpusOf(data: TrainingData, taxonomy: Taxonomy, corrections: Correction[], segment: Segmenter): Corpus {
  const docs: CorpusDoc[] = [];
  const add = (title: string | undefined, text: string, label: string | null, source: CorpusDoc['source']) => docs.push({ parts: segment(title, text), label, source }) - 1;
  const gold = data.gold.map((g) => add(g.title, g.text, g.category, 'gold'));
  const labelled = [
    ...data.silver.map((g) => add(g.title, g.text, g.category, 'silver')),
    ...data.replyLabelled.map((g) => add(g.title, g.text, g.category, 'reply')),
    ...taxonomyTexts(data.taxonomyRows, taxonomy).map((g) => add('', g.text, g.category, 'taxonomy')),
  ];
  const valid = corrections.filter((c) => c && typeof c.text === 'string' && taxonomy.byCode.has(c.eventType));
  const corr = valid.map((c) => ({ doc: add(c.title, c.text, taxonomy.byCode.get(c.eventType)!.category, 'correction'), eventType: c.eventType }));
  labelled.push(...corr.map((c) => c.doc));
  const unlabelled = data.unlabelled.map((g) => add(g.title, g.text, null, 'unlabelled'));
  return { docs, gold, labelled, unlabelled, corrections: corr, skippedCorrections: corrections.length - valid.length };
}

/** Word profiles learned from corrections: words seen in a type's corrected appeals, weighted by frequency. */
function learnedProfiles(corpus: Corpus, idf: Map<string, number>, expanded: Map<string, Map<string, number>>): Record<string, { words: Record<string, number> }> {
  const counts = new Map<string, Map<string, number>>();
  for (const c of corpus.corrections) {
    let m = counts.get(c.eventType);
    if (!m) counts.set(c.eventType, (m = new Map()));
    for (const w of new Set(appealWords(corpus.docs[c.doc].parts))) m.set(w, (m.get(w) ?? 0) + 1);
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

/** IDF of the words (title and body, each counted once per appeal) of two or more of the appeals, in first-seen order. */
export function wordIdf(appeals: AppealParts[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const a of appeals) for (const w of new Set([...a.titleWords, ...a.bodyWords])) df.set(w, (df.get(w) ?? 0) + 1);
  const out = new Map<string, number>();
  for (const [w, n] of df) if (n >= 2) out.set(w, Math.log((1 + appeals.length) / (1 + n)) + 1);
  return out;
}

export interface TrainResult {
  model: ModelFile;
  /** Out-of-fold category scores of the gold rows (index into data.gold; the model's categories). */
  outOfFold: Array<{ gold: number; z: Float64Array }>;
  summary: { gold: number; silver: number; taxonomyDocs: number; corrections: number; skippedCorrections: number; vocabulary: number };
}

/**
 * Train the model: the classifier on every labelled row, its probability scale
 * fitted on out-of-fold scores of the gold rows (each scored by a fit that never
 * saw it; those scores are also recorded as a one-seed estimate of the classifier
 * alone), and the event types' learned words.
 */
export function trainModel(
  data: TrainingData,
  taxonomy: Taxonomy,
  corrections: Correction[] = [],
  p: TrainingParams = DEFAULT_PARAMS,
  opts: { segment?: Segmenter } = {},
): TrainResult {
  const corpus = corpusOf(data, taxonomy, corrections, opts.segment ?? appealParts);
  const { docs, gold } = corpus;
  const categories = categoriesOf(taxonomy, [...gold, ...corpus.labelled].filter((d) => docs[d].source !== 'taxonomy').map((d) => docs[d]));
  const only = new Set([...gold, ...corpus.labelled, ...(p.selfTrain ? corpus.unlabelled : [])]);
  const ix = indexCorpus(docs, p.features, only);
  const row = (d: number): TrainingRow => ({ doc: d, label: categories.indexOf(docs[d].label!), weight: sourceWeight(docs[d].source, p) });
  const goldRows = gold.map(row).filter((r) => r.label >= 0);
  const otherRows = corpus.labelled.map(row).filter((r) => r.label >= 0 && r.weight > 0);
  const fitOpts = { seed: p.seed, unlabelled: p.selfTrain ? corpus.unlabelled : [] };

  // Out-of-fold scores of the gold rows.
  const oofZ: Float64Array[] = [];
  const oofY: number[] = [];
  const oofRow: number[] = [];
  const oofPred: string[] = [];
  const oofGold: string[] = [];
  if (goldRows.length >= p.folds * 2) {
    const fold = stratifiedGroupFolds(
      goldRows.map((r) => docs[r.doc].label!),
      goldRows.map((_, i) => i),
      p.folds,
      p.seed,
    );
    for (let f = 0; f < p.folds; f++) {
      const m = fitClassifier(ix, docs, [...goldRows.filter((_, i) => fold[i] !== f), ...otherRows], categories, p, fitOpts);
      goldRows.forEach((r, i) => {
        if (fold[i] !== f) return;
        const z = scoreDoc(m, ix, r.doc);
        oofZ.push(z);
        oofY.push(r.label);
        oofRow.push(gold.indexOf(r.doc));
        oofGold.push(categories[r.label]);
        oofPred.push(categories[z.indexOf(Math.max(...z))]);
      });
    }
  }
  const scale = oofZ.length ? fitScale(oofZ, oofY) : 1;
  const oof = oofZ.length ? metrics(oofGold, oofPred) : null;

  const full = fitClassifier(ix, docs, [...goldRows, ...otherRows], categories, p, fitOpts);
  const idfByWord = wordIdf([...gold, ...corpus.labelled].map((d) => docs[d].parts));
  const texts = [...corpus.unlabelled, ...corpus.labelled.filter((d) => docs[d].source === 'silver'), ...gold].map((d) => appealWords(docs[d].parts));
  const learned = learnedProfiles(corpus, idfByWord, expandProfiles(texts, taxonomy));
  const model: ModelFile = {
    format: MODEL_FORMAT,
    taxonomyVersion: taxonomy.version,
    categories,
    features: p.features,
    sublinear: p.sublinear,
    vocab: full.vocab.join('\n'),
    idf: Array.from(full.idf, (x) => Math.round(x * 1000) / 1000),
    weights: full.w.map(encodeWeights),
    bias: Array.from(full.b, (x) => Number(x.toPrecision(6))),
    probabilityScale: scale,
    wordIdf: { words: [...idfByWord.keys()].join('\n'), idf: [...idfByWord.values()].map((x) => Math.round(x * 1000) / 1000) },
    eventTypes: learned,
    training: {
      params: p,
      gold: gold.length,
      silver: data.silver.length,
      replyLabelled: data.replyLabelled.length,
      taxonomyDocs: corpus.labelled.filter((d) => docs[d].source === 'taxonomy').length,
      corrections: corpus.corrections.length,
      unlabelled: corpus.unlabelled.length,
      typesWithLearnedWords: Object.keys(learned).length,
      outOfFold: oof ? { folds: p.folds, seed: p.seed, n: oof.n, accuracy: oof.accuracy, macroF1: oof.macroF1 } : null,
    },
  };
  return {
    model,
    outOfFold: oofZ.map((z, k) => ({ gold: oofRow[k], z })),
    summary: {
      gold: gold.length,
      silver: data.silver.length,
      taxonomyDocs: corpus.labelled.filter((d) => docs[d].source === 'taxonomy').length,
      corrections: corpus.corrections.length,
      skippedCorrections: corpus.skippedCorrections,
      vocabulary: full.vocab.length,
    },
  };
}
