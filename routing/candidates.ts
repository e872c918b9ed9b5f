// The candidates compared by `routing cv` (issue 12): the reproduction of the
// experiment the issue reports first, the old complement NB, then what might beat them.
// Each is a full set of training parameters; the table in routing/README.md lists
// their cross-validated macro-F1 (mean ± sd over seeds).
import type { ClassifierParams } from './classifier';
import type { Candidate } from './cv';
import { DEFAULT_FEATURES } from './features';

/** The reported experiment: linear SVM, jieba words + character 1–3-grams, silver 1, replies 0.5, classes reweighted to the gold shares. */
export const SVM_WORDS_CHARS: ClassifierParams = {
  features: DEFAULT_FEATURES,
  model: 'svm',
  C: 1,
  minDf: 2,
  sublinear: true,
  cnbAlpha: 0.1,
  cnbMix: 0,
  goldWeight: 1,
  silverWeight: 1,
  replyWeight: 0.5,
  taxonomyWeight: 1,
  correctionWeight: 1,
  classWeight: 'gold',
  selfTrain: null,
  keepFeatures: 0,
};

/**
 * The parameters `routing train` uses: raw term frequency (the one clear gain over the issue's
 * experiment), jieba words + character 1–3-grams (fourth round: +0.006 ± 0.002 over 1–2-grams on the
 * same folds, the one change that beat the earlier settings by more than twice its spread; it costs a
 * third more look-ups per appeal), the 30,000 strongest features kept (model file ≈ 1.3 MB).
 */
export const SHIPPED: ClassifierParams = { ...SVM_WORDS_CHARS, sublinear: false, features: DEFAULT_FEATURES, keepFeatures: 30000 };
/** The settings shipped before the fourth round (character 1–2-grams): the baseline of rounds four and five. */
export const SHIPPED_CHARS_1_2: ClassifierParams = { ...SHIPPED, features: { ...DEFAULT_FEATURES, charMax: 2 } };

const v = (name: string, change: Partial<ClassifierParams>): Candidate => ({ name, params: { ...SVM_WORDS_CHARS, ...change } });
const s = (name: string, change: Partial<ClassifierParams>): Candidate => ({ name, params: { ...SHIPPED_CHARS_1_2, ...change } });
const words = { ...DEFAULT_FEATURES, charMax: 0 };

export const CANDIDATES: Candidate[] = [
  v('svm-words-chars', {}),
  v('cnb-words (old model)', { model: 'cnb', features: words, silverWeight: 0.5, replyWeight: 1, classWeight: 'none' }),
  v('svm-words', { features: words }),
  v('svm-chars', { features: { ...DEFAULT_FEATURES, words: false } }),
  v('svm-words-chars C=0.3', { C: 0.3 }),
  v('svm-words-chars C=3', { C: 3 }),
  v('svm-words-chars no class weights', { classWeight: 'none' }),
  v('svm-words-chars silver 0.5', { silverWeight: 0.5 }),
  v('svm-words-chars replies 1', { replyWeight: 1 }),
  v('svm-words-chars replies 0', { replyWeight: 0 }),
  v('svm-words-chars no taxonomy docs', { taxonomyWeight: 0 }),
  v('svm-words-chars gold ×2', { goldWeight: 2 }),
  v('svm-words-chars chars 1–2', { features: { ...DEFAULT_FEATURES, charMax: 2 } }),
  v('svm-words-chars chars 2–3', { features: { ...DEFAULT_FEATURES, charMin: 2, charMax: 3 } }),
  v('svm-words-chars title ×1', { features: { ...DEFAULT_FEATURES, titleRepeat: 1 } }),
  v('svm-words-chars minDf 3', { minDf: 3 }),
  v('svm-words-chars raw tf', { sublinear: false }),
  v('svm+cnb mix 1', { model: 'svm+cnb', cnbMix: 1 }),
  v('svm+cnb mix 0.5', { model: 'svm+cnb', cnbMix: 0.5 }),
  v('svm-words-chars self-training 0.3 margin 0.5', { selfTrain: { weight: 0.3, margin: 0.5 } }),
  v('svm-words-chars self-training 1 margin 1', { selfTrain: { weight: 1, margin: 1 } }),
  v('svm-words-chars keep 50k features', { keepFeatures: 50000 }),
  v('svm-words-chars keep 20k features', { keepFeatures: 20000 }),
  // Second round: raw term frequency was the one clear gain of the first; combined with the small ones.
  v('raw tf + silver 0.5', { sublinear: false, silverWeight: 0.5 }),
  v('raw tf + minDf 3', { sublinear: false, minDf: 3 }),
  v('raw tf + silver 0.5 + minDf 3', { sublinear: false, silverWeight: 0.5, minDf: 3 }),
  v('raw tf + C=0.3', { sublinear: false, C: 0.3 }),
  v('raw tf + C=3', { sublinear: false, C: 3 }),
  v('raw tf + keep 50k features', { sublinear: false, keepFeatures: 50000 }),
  v('raw tf + svm+cnb mix 0.5', { sublinear: false, model: 'svm+cnb', cnbMix: 0.5 }),
  // Third round: character 1–2-grams cost a third fewer look-ups per appeal (bench:routing).
  v('raw tf + chars 1–2', { sublinear: false, features: { ...DEFAULT_FEATURES, charMax: 2 } }),
  v('raw tf + chars 1–2 + keep 30k features', { sublinear: false, features: { ...DEFAULT_FEATURES, charMax: 2 }, keepFeatures: 30000 }),
  v('raw tf + chars 1–2 + svm+cnb mix 0.5', { sublinear: false, features: { ...DEFAULT_FEATURES, charMax: 2 }, model: 'svm+cnb', cnbMix: 0.5 }),
  // Fourth round: the settings shipped then (character 1–2-grams; first row) and one change each.
  s('shipped', {}),
  s('shipped + chars 1–3', { features: DEFAULT_FEATURES }),
  s('shipped + silver 0.5', { silverWeight: 0.5 }),
  s('shipped + minDf 3', { minDf: 3 }),
  s('shipped + svm+cnb mix 0.5', { model: 'svm+cnb', cnbMix: 0.5 }),
  // Fifth round: the changes of the fourth that beat the shipped settings by more than their spread, combined.
  s('shipped + chars 1–3 + silver 0.5', { features: DEFAULT_FEATURES, silverWeight: 0.5 }),
  s('shipped + chars 1–3 + silver 0.5 + minDf 3', { features: DEFAULT_FEATURES, silverWeight: 0.5, minDf: 3 }),
  s('shipped + silver 0.5 + minDf 3', { silverWeight: 0.5, minDf: 3 }),
];
