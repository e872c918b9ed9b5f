// Measuring the learned kind model (kind-model.ts) honestly: leave one casebook part out (each part scored by
// a model trained on the other parts only), and repeated stratified 5-fold cross-validation over the cases.
// The cue rules were fixed against every part but KIND_RULES_UNSEEN_PARTS (casebook.ts), so on the
// others the rules' figure is a development figure and a blend with the rules is flattered there; on those parts
// rules, model (left out) and blend are all unseen. `routing eval --kind-cv` prints it all.
import type { AppealKind } from '../workflow/types';
import { CASEBOOK_DIR, routingCasesOf } from './casebook';
import { engineOf, type Routing } from './index';
import { KindRecorder, predictRow, ruleScore, trainKindModel, type KindModelFile, type KindRow, type KindSettings } from './kind-model';
import { leaveOnePartOut as lopo, pct, stratifiedCv as cv, type PartFigures } from './second-opinion';

export { meanSd, type PartFigures } from './second-opinion';

/** One routing case as the kind model sees it. */
export interface KindCase {
  id: string;
  part: string;
  label: AppealKind;
  /** The rules' kind (suggest() without a kind model). */
  ruleKind: AppealKind;
  /** The model's input; null for an emergency (a help request by rule, never the model's). */
  row: KindRow | null;
}

/** The casebook parts' routing cases through suggest() with the cue rules alone, recording the kind model's input. */
export function kindCases(routing: Routing, parts: readonly string[], dir = CASEBOOK_DIR): KindCase[] {
  const e = engineOf(routing);
  const saved = e.kindJudge;
  const rec = new KindRecorder(e.model);
  e.kindJudge = rec;
  try {
    return routingCasesOf(parts, dir).map((c) => {
      rec.last = null;
      const s = routing.suggest({ text: c.text, address: c.address });
      return { id: c.id, part: c.part, label: c.kind, ruleKind: s.kind, row: rec.last ? { ...(rec.last as KindRow), kind: c.kind } : null };
    });
  } finally {
    e.kindJudge = saved;
  }
}

/** The kind given to a case: the rules' for an emergency, else the blend of `f` (its threshold, or `threshold`). */
export function finalKind(f: KindModelFile, c: KindCase, threshold = f.settings.threshold): AppealKind {
  if (!c.row) return c.ruleKind;
  const p = predictRow(f, c.row);
  const speaks = c.row.chars <= f.settings.maxChars && ruleScore(c.row.scores, c.ruleKind) <= f.settings.maxRuleScore;
  return speaks && p.kind !== c.ruleKind && p.confidence >= threshold ? p.kind : c.ruleKind;
}

function figures(part: string, f: KindModelFile, cases: readonly KindCase[], thresholds: readonly number[]): PartFigures {
  let rules = 0;
  let model = 0;
  const blend = thresholds.map(() => 0);
  for (const c of cases) {
    if (c.ruleKind === c.label) rules++;
    if (!c.row) {
      if (c.ruleKind === c.label) (model++, thresholds.forEach((_, t) => blend[t]++));
      continue;
    }
    const p = predictRow(f, c.row);
    if (p.kind === c.label) model++;
    const speaks = c.row.chars <= f.settings.maxChars && ruleScore(c.row.scores, c.ruleKind) <= f.settings.maxRuleScore;
    thresholds.forEach((th, t) => {
      const k = speaks && p.kind !== c.ruleKind && p.confidence >= th ? p.kind : c.ruleKind;
      if (k === c.label) blend[t]++;
    });
  }
  return { part, n: cases.length, rules: pct(rules, cases.length), model: pct(model, cases.length), blend: blend.map((x) => pct(x, cases.length)) };
}

const train = (s: KindSettings) => (cs: KindCase[], name: string) => trainKindModel(cs.filter((c) => c.row).map((c) => c.row!), s, name);

/**
 * Leave one part out: each part of `scored` is scored by a model trained on the cases of `training` minus
 * that part (a scored part outside `training` by the model of all of `training`).
 */
export function leaveOnePartOut(cases: readonly KindCase[], training: readonly string[], scored: readonly string[], s: KindSettings, thresholds: readonly number[]): PartFigures[] {
  return lopo(cases, training, scored, train(s), (part, f, cs) => figures(part, f, cs, thresholds));
}

/** Repeated stratified k-fold CV over the cases (by label): percent right per seed, for rules, model and blends. */
export function stratifiedCv(cases: readonly KindCase[], s: KindSettings, thresholds: readonly number[], seeds: readonly number[], folds = 5): PartFigures[] {
  return cv(cases, (c) => c.label, seeds, train(s), (part, f, cs) => figures(part, f, cs, thresholds), folds);
}
