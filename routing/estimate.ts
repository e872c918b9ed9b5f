// The cross-validation through the whole suggestion pipeline: each fold's model is
// made by `trainModel` exactly as `routing train` makes the shipped one (its
// probability scale from its own inner out-of-fold scores, its learned event-type
// words), loaded by `buildRouting`, and the category is read from `suggest()` as
// the desk shows it. Slower than the classifier alone (six fits a fold), so
// `routing cv --pipeline` runs it for the chosen candidate.
import type { CvCorpus, FoldPredictor } from './cv';
import { appealParts, type AppealParts } from './features';
import { buildRouting } from './index';
import { parseTaxonomy, parseUnits } from './taxonomy';
import { normalize } from './text';
import type { Correction, TrainingData, TrainingParams } from './train';
import { trainModel } from './train';

export function pipelinePredictor(
  c: CvCorpus,
  data: TrainingData,
  docs: { taxonomy: unknown; gazetteer: unknown; units: unknown },
  p: TrainingParams,
  corrections: Correction[] = [],
): FoldPredictor {
  const taxonomy = parseTaxonomy(docs.taxonomy, parseUnits(docs.units));
  // Every text is segmented once per run: the folds reuse the corpus's segmentation.
  const memo = new Map<string, AppealParts>();
  for (const d of c.docs) memo.set(`${d.parts.title}\u0000${d.parts.body}`, d.parts);
  const segment = (title: string | undefined, text: string) => memo.get(`${normalize(title ?? '')}\u0000${normalize(text)}`) ?? appealParts(title, text);
  return (train) => {
    const inTrain = new Set(train.rows.map((r) => r.doc));
    const unl = new Set(train.unlabelled);
    const keep = <T>(list: T[], start: number, set: Set<number>) => list.filter((_, i) => set.has(start + i));
    const fold: TrainingData = {
      gold: data.gold.filter((_, g) => inTrain.has(c.gold[g])),
      silver: keep(data.silver, c.start.silver, inTrain),
      replyLabelled: keep(data.replyLabelled, c.start.reply, inTrain),
      unlabelled: keep(data.unlabelled, c.start.unlabelled, unl),
      taxonomyRows: data.taxonomyRows,
    };
    const { model } = trainModel(fold, taxonomy, corrections, p, { segment });
    const routing = buildRouting({ ...docs, model });
    return (g) => routing.suggest({ title: data.gold[g].title, text: data.gold[g].text }).category;
  };
}
