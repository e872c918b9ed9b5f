// The honest estimate: k-fold cross-validation on the gold file, each fold scored
// by a model trained without it (its probability scale fitted by an inner
// cross-validation on the training folds only), through the full suggestion pipeline.
// The training settings were chosen on the tuning third of the gold file
// (`isTuningRow`): those rows are never scored here, only used for training.
import { metrics, type Metrics } from './evaluate';
import { buildRouting } from './index';
import { parseTaxonomy, parseUnits } from './taxonomy';
import { DEFAULT_PARAMS, foldOf, isTuningRow, trainModel, type Correction, type TrainingData, type TrainingParams } from './train';

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
