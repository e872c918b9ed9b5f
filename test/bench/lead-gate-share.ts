// How often the lead model (routing/lead-model.ts) is scored inside suggest(), and over how many of the vector's columns,
// on the casebooks' calls and the board's first 2,000 appeals: `node --import tsx test/bench/lead-gate-share.ts`
// (routing/README.md, "The lead unit: the learned second opinion", cost).
import fs from 'node:fs';
import path from 'node:path';
import { CASEBOOK_PARTS, routingCasesOf } from '../../routing/casebook';
import { parseCsvObjects } from '../../routing/csv';
import { engineOf, loadRouting } from '../../routing/index';
import type { LeadModel } from '../../routing/lead-model';

const r = loadRouting();
const e = engineOf(r);
const judge = e.leadJudge as LeadModel;
const feats = new Set(judge.file.features);
const n = { calls: 0, scored: 0, cols: 0, known: 0, over: 0 };
e.leadJudge = {
  judge(x, ruleLead, basis, conf, chars, town, p) {
    n.calls++;
    const o = judge.judge(x, ruleLead, basis, conf, chars, town, p);
    if (o) {
      n.scored++;
      n.cols += x.idx.length;
      for (let j = 0; j < x.idx.length; j++) if (feats.has(e.model.vocab[x.idx[j]])) n.known++;
      if (o.overridden) n.over++;
    }
    return o;
  },
};
function run(name: string, texts: Array<{ title?: string; text: string }>): void {
  Object.assign(n, { calls: 0, scored: 0, cols: 0, known: 0, over: 0 });
  for (const t of texts) r.suggest(t);
  console.log(
    `${name}: ${texts.length} suggestions, judge asked ${n.calls}, scored ${n.scored} (${((100 * n.scored) / texts.length).toFixed(1)} %), overridden ${n.over}; per scored: ${(n.cols / n.scored).toFixed(1)} vector columns, ${(n.known / n.scored).toFixed(1)} with a row of weights`,
  );
}
run('casebook calls', routingCasesOf(CASEBOOK_PARTS).map((c) => ({ text: c.text })));
const board = parseCsvObjects(fs.readFileSync(path.resolve(__dirname, '../../../shared/data/appeals-unlabelled.csv'), 'utf8')).slice(0, 2000);
run('board appeals (first 2000)', board.map((x) => ({ title: x.title, text: x.text })));
