// Measuring the learned kind model (kind-model.ts) honestly: leave one casebook part out (each part scored by
// a model trained on the other parts only), and repeated stratified 5-fold cross-validation over the cases.
// The cue rules were fixed against every part but KIND_RULES_UNSEEN_PARTS (casebook.ts), so on the
// others the rules' figure is a development figure and a blend with the rules is flattered there; on those parts
// rules, model (left out) and blend are all unseen. `routing eval --kind-cv` prints it all.
import path from 'node:path';
import type { AppealKind } from '../workflow/types';
import { CASEBOOK_DIR, readRoutingCases } from './casebook';
import { engineOf, type Routing } from './index';
import { KindRecorder, predictRow, ruleScore, trainKindModel, type KindModelFile, type KindRow, type KindSettings } from './kind-model';
import { seededRandom } from './svm';

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
  const out: KindCase[] = [];
  try {
    for (const part of parts)
      for (const c of readRoutingCases(path.join(dir, `routing-${part}.jsonl`))) {
        rec.last = null;
        const s = routing.suggest({ text: c.text, address: c.address });
        out.push({ id: c.id, part, label: c.kind, ruleKind: s.kind, row: rec.last ? { ...(rec.last as KindRow), kind: c.kind } : null });
      }
  } finally {
    e.kindJudge = saved;
  }
  return out;
}

/** The kind given to a case: the rules' for an emergency, else the blend of `f` (its threshold, or `threshold`). */
export function finalKind(f: KindModelFile, c: KindCase, threshold = f.settings.threshold): AppealKind {
  if (!c.row) return c.ruleKind;
  const p = predictRow(f, c.row);
  const speaks = c.row.chars <= f.settings.maxChars && ruleScore(c.row.scores, c.ruleKind) <= f.settings.maxRuleScore;
  return speaks && p.kind !== c.ruleKind && p.confidence >= threshold ? p.kind : c.ruleKind;
}

export interface PartFigures {
  part: string;
  n: number;
  /** Percent right: the rules, the model alone (threshold 0), and the blend at each threshold asked. */
  rules: number;
  model: number;
  blend: number[];
}

const pct = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 10 : 0);

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

/**
 * Leave one part out: each part of `scored` is scored by a model trained on the cases of `training` minus
 * that part (a scored part outside `training` by the model of all of `training`).
 */
export function leaveOnePartOut(cases: readonly KindCase[], training: readonly string[], scored: readonly string[], s: KindSettings, thresholds: readonly number[]): PartFigures[] {
  return scored.map((part) => {
    const train = cases.filter((c) => c.part !== part && training.includes(c.part) && c.row).map((c) => c.row!);
    const f = trainKindModel(train, s, `all but ${part}`);
    return figures(part, f, cases.filter((c) => c.part === part), thresholds);
  });
}

/** Repeated stratified k-fold CV over the cases (by label): percent right per seed, for rules, model and blends. */
export function stratifiedCv(cases: readonly KindCase[], s: KindSettings, thresholds: readonly number[], seeds: readonly number[], folds = 5): PartFigures[] {
  return seeds.map((seed) => {
    const rand = seededRandom(seed);
    const fold = new Int32Array(cases.length);
    const byLabel = new Map<string, number[]>();
    cases.forEach((c, i) => (byLabel.get(c.label) ?? byLabel.set(c.label, []).get(c.label)!).push(i));
    for (const idx of [...byLabel.keys()].sort().map((k) => byLabel.get(k)!)) {
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      idx.forEach((c, r) => (fold[c] = r % folds));
    }
    const sums = { n: 0, rules: 0, model: 0, blend: thresholds.map(() => 0) };
    for (let f = 0; f < folds; f++) {
      const train = cases.filter((c, i) => fold[i] !== f && c.row).map((c) => c.row!);
      const file = trainKindModel(train, s, `fold ${f}`);
      const held = cases.filter((_, i) => fold[i] === f);
      const r = figures(`fold ${f}`, file, held, thresholds);
      sums.n += r.n;
      sums.rules += (r.rules * r.n) / 100;
      sums.model += (r.model * r.n) / 100;
      r.blend.forEach((b, t) => (sums.blend[t] += (b * r.n) / 100));
    }
    return { part: `seed ${seed}`, n: sums.n, rules: pct(sums.rules, sums.n), model: pct(sums.model, sums.n), blend: sums.blend.map((b) => pct(b, sums.n)) };
  });
}

/** Mean and sample standard deviation. */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean: Math.round(mean * 10) / 10, sd: Math.round(sd * 10) / 10 };
}
