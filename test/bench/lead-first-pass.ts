// The learned lead model against the rules as they were when each blind casebook part was first scored:
// `node --import tsx test/bench/lead-first-pass.ts [C=1,3] [balanced=false,true] [out.json]`.
//
// Today's rules were fixed against every training part, so leaving a part out flatters them (and any blend with them)
// there. The rules of a part's first pass had not seen it: on those, rules, model and blend are all unseen. Each blind
// part's first-pass lead (the lead unit, how its first type was decided, the ranking's confidence) is in
// test/bench/lead-first-pass/<part>.json, made by test/bench/lead-first-pass-extract.ts with the engine of that part's
// first-pass commit on today's text. For each blind part the model is trained on the other training parts (never on an
// untrained part: casebook.ts UNTRAINED_PARTS) and scored on the part. Prints mean ± sd over the blind parts for every
// setting (C, classes balanced, threshold, gate, ranking confidence), the best, and a nested estimate (each part scored
// with the setting that was best on the other blind parts). This is how the shipped settings were chosen
// (routing/README.md, "The lead unit: the learned second opinion").
import fs from 'node:fs';
import path from 'node:path';
import { LEAD_TRAINING_PARTS } from '../../routing/casebook';
import { engineOf, loadRouting } from '../../routing/index';
import { leadCases, trainingRows, type LeadCase, type RulesLead } from '../../routing/lead-cv';
import { blendLead, classUnit, LEAD_TRAINING, predictLead, trainLeadModel, type LeadGate, type LeadSettings } from '../../routing/lead-model';
import { meanSd, pct } from '../../routing/second-opinion';

const DIR = path.resolve(__dirname, 'lead-first-pass');

function main(): void {
  const [Cs = '1,3', bal = 'false,true', outFile] = process.argv.slice(2);
  const routing = loadRouting({ leadModelFile: null });
  const units = engineOf(routing).units;
  const cases = leadCases(routing, LEAD_TRAINING_PARTS);
  const blind = LEAD_TRAINING_PARTS.filter((p) => fs.existsSync(path.join(DIR, `first-pass-${p}.json`)));
  const first = new Map<string, RulesLead>();
  for (const part of blind) {
    const fp = JSON.parse(fs.readFileSync(path.join(DIR, `first-pass-${part}.json`), 'utf8')) as Record<string, { lead: string | null; basis: string | null; conf: number; emergency: boolean }>;
    for (const [id, r] of Object.entries(fp)) first.set(`${part}/${id}`, { lead: r.lead, basis: r.emergency || r.basis === 'danger' ? 'danger' : ((r.basis ?? 'ranking') as RulesLead['basis']), rankConfidence: r.conf });
  }
  const rulesOf = (c: LeadCase) => first.get(`${c.part}/${c.id}`)!;
  const taus = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const gates: LeadGate[] = ['ranking', 'no-duty', 'any'];
  const rankCaps = [1, 0.9, 0.8];
  const typeRanks = [5, 10, 20, 30, 50, 1000];
  type Key = string;
  const perPart = new Map<Key, Map<string, number>>();
  const modelAlone = new Map<string, Map<string, number>>();
  const rulesPct = new Map<string, number>();
  const t0 = Date.now();
  for (const C of Cs.split(',').map(Number))
    for (const balanced of bal.split(',').map((b) => b === 'true')) {
      const ma = new Map<string, number>();
      modelAlone.set(`C ${C} ${balanced ? 'bal' : 'unbal'}`, ma);
      for (const part of blind) {
        const s: LeadSettings = { ...LEAD_TRAINING, C, balanced };
        const f = trainLeadModel(trainingRows(cases.filter((c) => c.part !== part)), s, `all but ${part}`);
        const held = cases.filter((c) => c.part === part);
        const preds = held.map((c) => (c.row ? predictLead(f, c.row) : null));
        let rules = 0;
        let model = 0;
        held.forEach((c, i) => {
          const r = rulesOf(c);
          if (r.lead === c.lead) rules++;
          const p = preds[i];
          const speaks = p && c.row && r.basis !== 'danger' && r.lead !== null;
          if ((speaks ? (classUnit(p.cls, c.row!.town) ?? r.lead) : r.lead) === c.lead) model++;
        });
        rulesPct.set(part, pct(rules, held.length));
        ma.set(part, pct(model, held.length));
        for (const threshold of taus)
          for (const gate of gates)
            for (const maxRankConfidence of rankCaps)
              for (const maxTypeRank of typeRanks) {
              const fs2 = { ...f, settings: { ...s, threshold, gate, maxRankConfidence, maxTypeRank } };
              let ok = 0;
              held.forEach((c, i) => {
                const r = rulesOf(c);
                const p = preds[i];
                const lead = p && c.row && r.basis !== 'danger' && r.lead !== null ? blendLead(fs2, c.row, units, r.lead, r.basis, r.rankConfidence, threshold, p) : r.lead;
                if (lead === c.lead) ok++;
              });
              const key = `C ${C} ${balanced ? 'bal' : 'unbal'} τ ${threshold} gate ${gate} rank<${maxRankConfidence} type-rank<${maxTypeRank}`;
              (perPart.get(key) ?? perPart.set(key, new Map()).get(key)!).set(part, pct(ok, held.length));
              }
      }
      console.error(`C ${C} balanced ${balanced}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  const ms = (m: Map<string, number>, parts = blind) => meanSd(parts.map((p) => m.get(p)!));
  const fmt = (x: { mean: number; sd: number }) => `${x.mean} ± ${x.sd}`;
  console.log(`blind parts (${blind.length}): ${blind.join(' ')}`);
  console.log(`rules at first pass: ${fmt(ms(rulesPct))} %  [${blind.map((p) => `${p} ${rulesPct.get(p)}`).join(', ')}]`);
  for (const [k, m] of modelAlone) console.log(`model alone ${k}: ${fmt(ms(m))} %  [${blind.map((p) => `${p} ${m.get(p)}`).join(', ')}]`);
  const ranked = [...perPart.entries()].map(([k, m]) => ({ k, m, s: ms(m) })).sort((a, b) => b.s.mean - a.s.mean || a.s.sd - b.s.sd || a.k.localeCompare(b.k));
  console.log('best 25 blends:');
  for (const r of ranked.slice(0, 25)) console.log(`  ${r.k}: ${fmt(r.s)} %  [${blind.map((p) => r.m.get(p)).join(', ')}]`);
  // Nested: each part scored with the setting best on the other blind parts.
  const nested = blind.map((part) => {
    const others = blind.filter((p) => p !== part);
    const best = [...perPart.entries()].map(([k, m]) => ({ k, m, s: ms(m, others) })).sort((a, b) => b.s.mean - a.s.mean || a.s.sd - b.s.sd || a.k.localeCompare(b.k))[0];
    return { part, setting: best.k, blend: best.m.get(part)!, rules: rulesPct.get(part)! };
  });
  for (const n of nested) console.log(`nested ${n.part}: ${n.setting} → ${n.blend} % (rules at first pass ${n.rules} %)`);
  console.log(`nested estimate: ${fmt(meanSd(nested.map((n) => n.blend)))} % against the rules' ${fmt(ms(rulesPct))} %`);
  if (outFile) fs.writeFileSync(outFile, JSON.stringify({ blind, rules: Object.fromEntries(rulesPct), modelAlone: Object.fromEntries([...modelAlone].map(([k, m]) => [k, Object.fromEntries(m)])), blends: Object.fromEntries(ranked.map((r) => [r.k, { ...r.s, parts: Object.fromEntries(r.m) }])), nested }, null, 1));
}

main();
