// The learned kind model against the cue rules as they were when each blind casebook part was first scored:
// `node --import tsx test/bench/kind-first-pass.ts [C=1] [balanced=true] [thresholds=0,0.5,0.6,0.7,0.8] [maxRuleScore=4]`
// (needs git: kind.ts of each part's first-pass commit is read with `git show`).
//
// The rules of today were fixed against every training part, so leaving a part out flatters them (and any blend
// with them) there. The rules of a part's first pass had not seen it: on those, rules, model and blend are all
// unseen. For each training part the model is trained on the other training parts (never on an untrained part:
// casebook.ts UNTRAINED_PARTS) and scored on the part; the rules are that part's first-pass kind.ts, run on
// today's masked text (emergencies: a help request by rule, as today). Prints mean ± sd over the blind parts.
// This is how the shipped settings were chosen (routing/README.md, "The learned kind model").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASEBOOK_DIR, KIND_TRAINING_PARTS, readRoutingCases } from '../../routing/casebook';
import { maskPlaces } from '../../routing/gazetteer';
import { engineOf, loadRouting } from '../../routing/index';
import { kindCases, meanSd } from '../../routing/kind-cv';
import { predictRow, trainKindModel } from '../../routing/kind-model';
import { normalize } from '../../routing/text';

/** The commit each blind part was first scored on (routing/README.md, "Casebooks" and "Not done"). */
const FIRST_PASS: Record<string, string> = {
  late: '67602b7',
  fresh: '229dd2d',
  fresh2: '42389ed',
  fresh3: 'cf855b5',
  fresh5: '70487a6',
  fresh6: 'dd30718',
  fresh7: '4c769c5',
  fresh8: 'ba061a4',
  fresh9: '53dd0ae',
};

async function main(): Promise<void> {
  const [C = '1', balanced = 'true', ths = '0,0.5,0.6,0.7,0.8', gate = '4'] = process.argv.slice(2);
  const maxRuleScore = Number(gate);
  const thresholds = ths.split(',').map(Number);
  const root = path.resolve(__dirname, '../..');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kind-first-'));
  const routing = loadRouting({ kindModelFile: null });
  const gazetteer = engineOf(routing).gazetteer;
  const cases = kindCases(routing, KIND_TRAINING_PARTS);
  const blind = KIND_TRAINING_PARTS.filter((p) => FIRST_PASS[p]);
  const firstKind = new Map<string, string>();
  const firstScore = new Map<string, number>();
  for (const part of blind) {
    const src = execFileSync('git', ['show', `${FIRST_PASS[part]}:routing/kind.ts`], { cwd: root, encoding: 'utf8' })
      .replace("'../workflow/types'", JSON.stringify(path.join(root, 'workflow/types')))
      .replace("'./phrases'", JSON.stringify(path.join(root, 'routing/phrases')))
      .replace("'./regex-start'", JSON.stringify(path.join(root, 'routing/regex-start')))
      // The winning kind's cue score, for the gate (settings.maxRuleScore).
      .replace('  return { kind: best, cues:', '  LAST.score = bestScore;\n  return { kind: best, cues:')
      .concat('\nexport const LAST = { score: 0 };\n');
    const file = path.join(tmp, `kind-${part}.ts`);
    fs.writeFileSync(file, src);
    const old = (await import(file)) as { guessKind(text: string, o: object): { kind: string }; LAST: { score: number } };
    const text = new Map(readRoutingCases(path.join(CASEBOOK_DIR, `routing-${part}.jsonl`)).map((c) => [c.id, c.text]));
    for (const c of cases)
      if (c.part === part) {
        firstKind.set(c.id, c.row ? old.guessKind(maskPlaces(gazetteer, normalize(text.get(c.id)!)), {}).kind : c.ruleKind);
        firstScore.set(c.id, c.row ? old.LAST.score : 0);
      }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const s = { C: Number(C), ruleWeight: 0, threshold: 0, balanced: balanced === 'true', maxChars: Infinity, maxRuleScore: Infinity };
  const rows = blind.map((part) => {
    const f = trainKindModel(cases.filter((c) => c.part !== part && c.row).map((c) => c.row!), s, `all but ${part}`);
    const held = cases.filter((c) => c.part === part);
    let first = 0;
    let model = 0;
    const blend = thresholds.map(() => 0);
    for (const c of held) {
      const rk = firstKind.get(c.id)!;
      if (rk === c.label) first++;
      if (!c.row) {
        if (rk === c.label) (model++, thresholds.forEach((_, t) => blend[t]++));
        continue;
      }
      const p = predictRow(f, c.row);
      if (p.kind === c.label) model++;
      const gated = firstScore.get(c.id)! > maxRuleScore;
      thresholds.forEach((th, t) => (!gated && p.kind !== rk && p.confidence >= th ? p.kind : rk) === c.label && blend[t]++);
    }
    const n = held.length;
    const pc = (x: number) => Math.round((1000 * x) / n) / 10;
    console.log(`${part} (${n}, first pass ${FIRST_PASS[part]}): rules ${pc(first)} % | model ${pc(model)} % | blend ${thresholds.map((t, i) => `${t}: ${pc(blend[i])}`).join(', ')}`);
    return { first: pc(first), model: pc(model), blend: blend.map(pc) };
  });
  const ms = (xs: number[]) => {
    const m = meanSd(xs);
    return `${m.mean} ± ${m.sd}`;
  };
  console.log(
    `${blind.length} blind parts, C ${C}, balanced ${balanced}, rules' score ≤ ${maxRuleScore} may be replaced: first-pass rules ${ms(rows.map((r) => r.first))} % | model ${ms(rows.map((r) => r.model))} % | blend ${thresholds.map((t, i) => `${t}: ${ms(rows.map((r) => r.blend[i]))}`).join(', ')}`,
  );
}

void main();
