// Repeated stratified k-fold cross-validation over all gold appeals: how candidate
// classifiers are compared (issue 12). Every fold trains on the other folds' gold
// rows plus the extra rows (silver labels, reply-derived labels, taxonomy
// pseudo-documents, unlabelled text for self-training) and scores only gold rows.
// Near-duplicate texts are found first: gold twins share a fold, and an extra row
// that is a twin of a held-out gold row is left out of that fold's training.
// Every text is segmented once per run; folds and seeds reuse it.
import { corpusDoc, fitClassifier, indexCorpus, scoreDoc, sourceWeight, type ClassifierParams, type CorpusDoc, type IndexedCorpus, type TrainingRow } from './classifier';
import { findTwins, shingles } from './duplicates';
import { metrics, type Metrics } from './evaluate';
import { seededRandom } from './svm';
import type { Taxonomy } from './taxonomy';
import type { TrainingData } from './train';

export interface CvCorpus {
  docs: CorpusDoc[];
  /** Doc indices of the gold rows, in file order. */
  gold: number[];
  /** Doc indices of labelled extra rows (silver, reply, taxonomy). */
  extras: number[];
  /** Doc indices of unlabelled appeals. */
  unlabelled: number[];
  /** Per doc: the gold positions (index into `gold`) it is a near-duplicate of. */
  twinsOf: number[][];
  /** Per gold position: its group (gold twins share a group, hence a fold). */
  goldGroup: number[];
  /** The gold labels, in the order of GOLD_LABELS. */
  categories: string[];
  /** First doc index of each source's rows (they follow the order of TrainingData's lists). */
  start: { silver: number; reply: number; taxonomy: number; unlabelled: number };
  timing: { segmentMs: number; twinsMs: number };
}

export interface LeakReport {
  /** Gold rows with a near-duplicate among the other gold rows, and the groups they form. */
  goldWithGoldTwin: number;
  goldGroups: number;
  /** Per extra source: rows that are twins of a gold row, and the gold rows concerned. */
  bySource: Record<string, { rows: number; twinRows: number; goldRows: number; labelAgrees?: number }>;
}

/** The pseudo-documents of the taxonomy and the catalogue: every category gets its words. */
export function taxonomyTexts(rows: TrainingData['taxonomyRows'], taxonomy: Taxonomy): Array<{ text: string; category: string }> {
  const out: Array<{ text: string; category: string }> = [];
  for (const r of rows) {
    const text = [r.level2, r.level3].filter((w) => w && w !== '其他').join(' ');
    if (text) out.push({ text, category: r.level1 });
  }
  for (const t of taxonomy.eventTypes) out.push({ text: [t.name, ...t.keywords, ...t.examples].join(' '), category: t.category });
  return out;
}

export function buildCvCorpus(data: TrainingData, taxonomy: Taxonomy, goldLabels: readonly string[]): CvCorpus {
  const t0 = Date.now();
  const docs: CorpusDoc[] = [];
  const push = (d: CorpusDoc) => docs.push(d) - 1;
  const gold = data.gold.map((g) => push(corpusDoc(g.title, g.text, g.category, 'gold')));
  const start = { silver: docs.length, reply: docs.length + data.silver.length, taxonomy: docs.length + data.silver.length + data.replyLabelled.length, unlabelled: 0 };
  const extras = [
    ...data.silver.map((g) => push(corpusDoc(g.title, g.text, g.category, 'silver'))),
    ...data.replyLabelled.map((g) => push(corpusDoc(g.title, g.text, g.category, 'reply'))),
    ...taxonomyTexts(data.taxonomyRows, taxonomy).map((g) => push(corpusDoc('', g.text, g.category, 'taxonomy'))),
  ];
  start.unlabelled = docs.length;
  const unlabelled = data.unlabelled.map((g) => push(corpusDoc(g.title, g.text, null, 'unlabelled')));
  const t1 = Date.now();
  const sh = docs.map((d) => shingles(d.parts.body));
  const goldSh = gold.map((d) => sh[d]);
  const goldTwins = findTwins(goldSh, goldSh, undefined, true);
  const others = [...extras, ...unlabelled].filter((d) => docs[d].source !== 'taxonomy');
  const otherTwins = findTwins(
    goldSh,
    others.map((d) => sh[d]),
  );
  const twinsOf: number[][] = docs.map(() => []);
  gold.forEach((d, g) => (twinsOf[d] = goldTwins[g]));
  others.forEach((d, k) => (twinsOf[d] = otherTwins[k]));
  // Groups of gold twins (union-find).
  const parent = gold.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  goldTwins.forEach((ts, g) => ts.forEach((t) => (parent[find(g)] = find(t))));
  const goldGroup = gold.map((_, g) => find(g));
  const present = new Set(data.gold.map((g) => g.category));
  const categories = [...goldLabels.filter((c) => present.has(c)), ...[...present].filter((c) => !goldLabels.includes(c)).sort()];
  return { docs, gold, extras, unlabelled, twinsOf, goldGroup, categories, start, timing: { segmentMs: t1 - t0, twinsMs: Date.now() - t1 } };
}

export function leakReport(c: CvCorpus): LeakReport {
  const goldWithGoldTwin = c.gold.filter((d) => c.twinsOf[d].length > 0).length;
  const bySource: LeakReport['bySource'] = {};
  for (const d of [...c.extras, ...c.unlabelled]) {
    const doc = c.docs[d];
    if (doc.source === 'taxonomy') continue;
    const s = (bySource[doc.source] ??= { rows: 0, twinRows: 0, goldRows: 0 });
    s.rows++;
    if (c.twinsOf[d].length) {
      s.twinRows++;
      if (doc.label !== null) s.labelAgrees = (s.labelAgrees ?? 0) + (c.twinsOf[d].every((g) => c.docs[c.gold[g]].label === doc.label) ? 1 : 0);
    }
  }
  for (const src of Object.keys(bySource)) {
    const rows = new Set<number>();
    for (const d of [...c.extras, ...c.unlabelled]) if (c.docs[d].source === src) for (const g of c.twinsOf[d]) rows.add(g);
    bySource[src].goldRows = rows.size;
  }
  return { goldWithGoldTwin, goldGroups: new Set(c.goldGroup).size, bySource };
}

/**
 * Stratified folds of the gold rows that keep twins together: for each label (in
 * order), its groups in a seeded random order, each to the fold with the fewest rows
 * of that label so far (ties: the fold with the fewest rows overall, then the lowest).
 */
export function stratifiedGroupFolds(labels: readonly string[], groups: readonly number[], folds: number, seed: number): number[] {
  const rand = seededRandom(seed);
  const fold = new Array<number>(labels.length).fill(-1);
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  const size = new Array<number>(folds).fill(0);
  for (const label of [...new Set(labels)].sort()) {
    const gs = [...members.keys()].filter((g) => labels[members.get(g)![0]] === label).sort((a, b) => a - b);
    for (let i = gs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [gs[i], gs[j]] = [gs[j], gs[i]];
    }
    const perLabel = new Array<number>(folds).fill(0);
    for (const g of gs) {
      let best = 0;
      for (let f = 1; f < folds; f++) if (perLabel[f] < perLabel[best] || (perLabel[f] === perLabel[best] && size[f] < size[best])) best = f;
      for (const i of members.get(g)!) {
        fold[i] = best;
        perLabel[best]++;
        size[best]++;
      }
    }
  }
  return fold;
}

export interface Candidate {
  name: string;
  params: ClassifierParams;
}

export interface SeedResult {
  seed: number;
  metrics: Metrics;
  /** Predictions outside the gold labels (always 0 for the classifier alone). */
  outside: number;
  /** Extra rows left out of some fold's training for being a held-out row's twin. */
  leftOut: number;
}

export interface CandidateResult {
  name: string;
  seeds: SeedResult[];
  macroF1: MeanSd;
  accuracy: MeanSd;
  perClass: Record<string, MeanSd>;
  outside: MeanSd;
  ms: number;
}

export interface MeanSd {
  mean: number;
  sd: number;
}

export function meanSd(xs: readonly number[]): MeanSd {
  const n = xs.length;
  const mean = n ? xs.reduce((a, x) => a + x, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/** A fold's predictor: given the training rows, a function from a held-out gold position to a category (or null). */
export type FoldPredictor = (train: { rows: TrainingRow[]; unlabelled: number[]; heldOut: number[] }, seed: number) => (goldPos: number) => string | null;

/** The classifier alone (argmax of its scores), for a candidate's parameters. */
export function classifierPredictor(c: CvCorpus, p: ClassifierParams, cache: Map<string, IndexedCorpus> = new Map()): FoldPredictor {
  const key = JSON.stringify([p.features, !!p.selfTrain]);
  let ix = cache.get(key);
  if (!ix) cache.set(key, (ix = indexCorpus(c.docs, p.features, p.selfTrain ? undefined : new Set([...c.gold, ...c.extras]))));
  const index = ix;
  return (train, seed) => {
    const m = fitClassifier(index, c.docs, train.rows, c.categories, p, { seed, unlabelled: p.selfTrain ? train.unlabelled : [] });
    return (g) => {
      const z = scoreDoc(m, index, c.gold[g]);
      let best = 0;
      for (let k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
      return c.categories[best];
    };
  };
}

/** Run repeated stratified k-fold CV for one predictor. */
export function runCv(c: CvCorpus, name: string, p: ClassifierParams, predictor: FoldPredictor, seeds: readonly number[], folds: number): CandidateResult {
  const t0 = Date.now();
  const labels = c.gold.map((d) => c.docs[d].label!);
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const fold = stratifiedGroupFolds(labels, c.goldGroup, folds, seed);
    const predicted = new Array<string | null>(c.gold.length).fill(null);
    let leftOut = 0;
    for (let f = 0; f < folds; f++) {
      const heldOut = c.gold.flatMap((_, g) => (fold[g] === f ? [g] : []));
      const held = new Set(heldOut);
      const leaks = (d: number) => c.twinsOf[d].some((g) => held.has(g));
      const rows: TrainingRow[] = [];
      c.gold.forEach((d, g) => {
        if (fold[g] !== f) rows.push({ doc: d, label: c.categories.indexOf(labels[g]), weight: p.goldWeight });
      });
      for (const d of c.extras) {
        const label = c.categories.indexOf(c.docs[d].label!);
        const weight = sourceWeight(c.docs[d].source, p);
        if (label < 0 || weight <= 0) continue;
        if (leaks(d)) {
          leftOut++;
          continue;
        }
        rows.push({ doc: d, label, weight });
      }
      const unlabelled = c.unlabelled.filter((d) => !leaks(d));
      const predict = predictor({ rows, unlabelled, heldOut }, seed);
      for (const g of heldOut) predicted[g] = predict(g);
    }
    const m = metrics(labels, predicted);
    results.push({ seed, metrics: m, outside: predicted.filter((x) => x === null || !c.categories.includes(x)).length, leftOut });
  }
  const perClass: Record<string, MeanSd> = {};
  for (const cat of c.categories) perClass[cat] = meanSd(results.map((r) => r.metrics.classes.find((k) => k.label === cat)?.f1 ?? 0));
  return {
    name,
    seeds: results,
    macroF1: meanSd(results.map((r) => r.metrics.macroF1)),
    accuracy: meanSd(results.map((r) => r.metrics.accuracy)),
    perClass,
    outside: meanSd(results.map((r) => r.outside)),
    ms: Date.now() - t0,
  };
}

/** Paired difference of two candidates' macro-F1 over the same seeds (same folds). */
export function pairedDiff(a: CandidateResult, b: CandidateResult): MeanSd {
  return meanSd(a.seeds.map((s, i) => s.metrics.macroF1 - b.seeds[i].metrics.macroF1));
}
