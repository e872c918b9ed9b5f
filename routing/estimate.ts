// The honest estimate: k-fold cross-validation on the gold file, each fold scored
// by a model trained without it (its probability scale fitted by an inner
// cross-validation on the training folds only), through the full suggestion pipeline.
import { metrics, type Metrics } from './evaluate';
import { buildRouting } from './index';
import { parseTaxonomy, parseUnits } from './taxonomy';
import { DEFAULT_PARAMS, foldOf, trainModel, type Correction, type TrainingData, type TrainingParams } from './train';

export function crossValidate(
  data: TrainingData,
  docs: { taxonomy: unknown; gazetteer: unknown; units: unknown },
  corrections: Correction[] = [],
  p: TrainingParams = DEFAULT_PARAMS,
): Metrics {
  const taxonomy = parseTaxonomy(docs.taxonomy, parseUnits(docs.units));
  const fold = foldOf(data.gold.length, p.folds, p.seed + 1);
  const predicted: Array<string | null> = new Array(data.gold.length).fill(null);
  for (let f = 0; f < p.folds; f++) {
    const train = { ...data, gold: data.gold.filter((_, i) => fold[i] !== f) };
    const { model } = trainModel(train, taxonomy, corrections, p);
    const routing = buildRouting({ ...docs, model });
    data.gold.forEach((g, i) => {
      if (fold[i] === f) predicted[i] = routing.suggest({ title: g.title, text: g.text }).category;
    });
  }
  return metrics(
    data.gold.map((g) => g.category),
    predicted,
  );
}
