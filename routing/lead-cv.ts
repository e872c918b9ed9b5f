// Measuring the learned lead model (lead-model.ts) honestly: leave one casebook part out (each part scored by a model
// trained on the other parts only), and repeated stratified 5-fold cross-validation over the cases. Today's rules were
// fixed against every part but UNTRAINED_PARTS (casebook.ts), so on the others the rules' figure is a development
// figure and a blend with the rules is flattered there; on an untrained part rules, model and blend are all unseen.
// The settings were chosen against the rules as they were at each blind part's first pass (test/bench/lead-first-pass.ts).
// `routing eval --lead-cv` prints it all.
import { CASEBOOK_DIR, routingCasesOf } from './casebook';
import { engineOf, type Routing } from './index';
import { blendLead, classUnit, leadClass, LeadRecorder, predictLead, trainLeadModel, type LeadBasis, type LeadModelFile, type LeadRow, type LeadSettings } from './lead-model';
import { leaveOnePartOut as lopo, pct, stratifiedCv as cv, type PartFigures } from './second-opinion';
import type { Units } from './taxonomy';

/** One routing case as the lead model sees it. */
export interface LeadCase {
  id: string;
  part: string;
  /** The label's lead unit and its class; whether the label is an emergency (never trained on). */
  lead: string;
  label: string;
  emergencyLabel: boolean;
  /** The rules' lead (suggest() without a lead model). */
  ruleLead: string | null;
  /** The model's input, with the rules' decision; null for an emergency by the rules (never the model's). */
  row: LeadRow | null;
}

/** The casebook parts' routing cases through suggest() with the rules alone, recording the lead model's input. */
export function leadCases(routing: Routing, parts: readonly string[], dir = CASEBOOK_DIR): LeadCase[] {
  const e = engineOf(routing);
  const saved = e.leadJudge;
  const rec = new LeadRecorder(e.model, e.taxonomy, e.units);
  e.leadJudge = rec;
  try {
    return routingCasesOf(parts, dir).map((c) => {
      rec.last = null;
      const s = routing.suggest({ text: c.text, address: c.address });
      const label = leadClass(e.units, c.lead);
      return { id: c.id, part: c.part, lead: c.lead, label, emergencyLabel: c.urgency === 'emergency', ruleLead: s.leadUnit, row: rec.last ? { ...(rec.last as LeadRow), label } : null };
    });
  } finally {
    e.leadJudge = saved;
  }
}

/** The training rows of some cases: not an emergency by the rules nor by the label. */
export const trainingRows = (cs: readonly LeadCase[]): LeadRow[] => cs.filter((c) => c.row && !c.emergencyLabel).map((c) => c.row!);

/** The rules' decision on a case as another engine made it (a part's first pass), instead of today's. */
export interface RulesLead {
  lead: string | null;
  basis: LeadBasis | 'danger';
  rankConfidence: number;
}

/**
 * Percent right on some cases: the rules (today's, or `rulesOf`), the model alone (its unit wherever it has one and the
 * rules did not see a danger), and the blend at each threshold asked.
 */
export function leadFigures(part: string, f: LeadModelFile, cases: readonly LeadCase[], units: Units, thresholds: readonly number[], rulesOf?: (c: LeadCase) => RulesLead): PartFigures {
  let rules = 0;
  let model = 0;
  const blend = thresholds.map(() => 0);
  for (const c of cases) {
    const r: RulesLead = rulesOf ? rulesOf(c) : { lead: c.ruleLead, basis: c.row ? c.row.basis : 'danger', rankConfidence: c.row?.rankConfidence ?? 0 };
    const ok = r.lead === c.lead;
    if (ok) rules++;
    if (!c.row || r.basis === 'danger' || r.lead === null) {
      if (ok) (model++, thresholds.forEach((_, t) => blend[t]++));
      continue;
    }
    const p = predictLead(f, c.row);
    if ((classUnit(p.cls, c.row.town) ?? r.lead) === c.lead) model++;
    thresholds.forEach((th, t) => {
      if (blendLead(f, c.row!, units, r.lead!, r.basis as LeadBasis, r.rankConfidence, th, p) === c.lead) blend[t]++;
    });
  }
  return { part, n: cases.length, rules: pct(rules, cases.length), model: pct(model, cases.length), blend: blend.map((x) => pct(x, cases.length)) };
}

const train = (s: LeadSettings) => (cs: LeadCase[], name: string) => trainLeadModel(trainingRows(cs), s, name);

/** Leave one part out (a scored part outside `training` by the model of all of `training`), today's rules. */
export function leadLeaveOnePartOut(cases: readonly LeadCase[], units: Units, training: readonly string[], scored: readonly string[], s: LeadSettings, thresholds: readonly number[]): PartFigures[] {
  return lopo(cases, training, scored, train(s), (part, f, cs) => leadFigures(part, f, cs, units, thresholds));
}

/** Repeated stratified k-fold CV over the cases (by the label's class), today's rules. */
export function leadStratifiedCv(cases: readonly LeadCase[], units: Units, s: LeadSettings, thresholds: readonly number[], seeds: readonly number[], folds = 5): PartFigures[] {
  return cv(cases, (c) => c.label, seeds, train(s), (part, f, cs) => leadFigures(part, f, cs, units, thresholds), folds);
}
