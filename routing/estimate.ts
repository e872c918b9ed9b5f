// The honest estimate: k-fold cross-validation on the gold file, each fold scored
// by a model trained without it (its probability scale fitted by an inner
// cross-validation on the training folds only), through the full suggestion pipeline.
// The training settings were chosen on the tuning third of the gold file
// (`isTuningRow`): those rows are never scored here, only used for training.
import { metrics, type Metrics } from './evaluate';
import { buildRouting } from './index';
import { categoryProbabilities, decodeWeights, vectorize } from './model';
import { parseTaxonomy, parseUnits } from './taxonomy';
import { appealTokens, DEFAULT_PARAMS, foldOf, isTuningRow, trainModel, type Correction, type TrainingData, type TrainingParams } from './train';

export function crossValidate(
  data: TrainingData,
  docs: { taxonomy: unknown; gazetteer: unknown; units: unknown },
  corrections: Correction[] = [],
  p: TrainingParams = DEFAULT_PARAMS,
  /** scoreTuningRows: score every gold row (the tuning rows too): a comparison figure, not the estimate. */
  opts: { scoreTuningRows?: boolean } = {},
): Metrics {
  const taxonomy = parseTaxonomy(docs.taxonomy, parseUnits(docs.units));
  const tuning = opts.scoreTuningRows ? new Array<boolean>(data.gold.length).fill(false) : isTuningRow(data.gold);
  const scored = data.gold.flatMap((_, i) => (tuning[i] ? [] : [i]));
  const foldOfScored = foldOf(scored.length, p.folds, p.seed + 1);
  const fold = new Array<number>(data.gold.length).fill(-1);
  scored.forEach((row, k) => (fold[row] = foldOfScored[k]));
  const predicted = new Map<number, string | null>();
  for (let f = 0; f < p.folds; f++) {
    const train = { ...data, gold: data.gold.filter((_, i) => fold[i] !== f) };
    const { model } = trainModel(train, taxonomy, corrections, p);
    const routing = buildRouting({ ...docs, model });
    data.gold.forEach((g, i) => {
      if (fold[i] === f) predicted.set(i, routing.suggest({ title: g.title, text: g.text }).category);
    });
  }
  return metrics(
    scored.map((i) => data.gold[i].category),
    scored.map((i) => predicted.get(i) ?? null),
  );
}

export interface TuningResult {
  /** Category of the full suggest() pipeline. */
  pipeline: Metrics;
  /** The classifier alone: its most probable category. */
  classifier: Metrics;
  /** Tuning rows the classifier alone gets right and the pipeline wrong, and the reverse. */
  classifierOnlyRight: number;
  pipelineOnlyRight: number;
}

/**
 * How a candidate setting does on the tuning rows (`isTuningRow`): one model trained
 * on every other row (gold, silver, reply-labelled, taxonomy), scored on the tuning
 * rows only. This is how settings are compared; the estimate never scores these rows.
 */
export function tuningScore(
  data: TrainingData,
  docs: { taxonomy: unknown; gazetteer: unknown; units: unknown },
  corrections: Correction[] = [],
  p: TrainingParams = DEFAULT_PARAMS,
): TuningResult {
  const taxonomy = parseTaxonomy(docs.taxonomy, parseUnits(docs.units));
  const tuning = isTuningRow(data.gold);
  const { model } = trainModel({ ...data, gold: data.gold.filter((_, i) => !tuning[i]) }, taxonomy, corrections, p);
  const routing = buildRouting({ ...docs, model });
  const words = model.vocab.split('\n');
  const cm = {
    categories: model.categories,
    vec: { vocab: new Map(words.map((w, i) => [w, i])), idf: Float64Array.from(model.idf) },
    w: model.weights.map((e) => decodeWeights(e, words.length)),
    scale: model.probabilityScale,
    bias: model.categoryBias ? Float64Array.from(model.categoryBias) : undefined,
  };
  const rows = data.gold.filter((_, i) => tuning[i]);
  const gold = rows.map((g) => g.category);
  const pipeline = rows.map((g) => routing.suggest({ title: g.title, text: g.text }).category);
  const classifier = rows.map((g) => {
    const q = categoryProbabilities(cm, vectorize(cm.vec, appealTokens(g.title, g.text)));
    let best = 0;
    for (let c = 1; c < q.length; c++) if (q[c] > q[best]) best = c;
    return cm.categories[best];
  });
  return {
    pipeline: metrics(gold, pipeline),
    classifier: metrics(gold, classifier),
    classifierOnlyRight: gold.filter((g, i) => classifier[i] === g && pipeline[i] !== g).length,
    pipelineOnlyRight: gold.filter((g, i) => pipeline[i] === g && classifier[i] !== g).length,
  };
}
