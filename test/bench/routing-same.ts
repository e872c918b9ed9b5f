// Same suggestions before and after a change to the engine's mechanics (a speed-up
// must not change a single output). Runs the full suggest() over every appeal of
// ../shared/data (unlabelled, labelled, replies: title + text) and every casebook
// utterance (test/routing/casebooks/*.jsonl, with their address when given), and
// writes one line per input: the whole Suggestion as JSON.
//
//   node --import tsx test/bench/routing-same.ts write /tmp/before.jsonl   # on the old code
//   node --import tsx test/bench/routing-same.ts check /tmp/before.jsonl   # on the new code
//
// `check` names every input whose suggestion differs (first fields that differ) and
// exits 1 when any does. The reference file is generated from the old code (e.g. a
// checkout of main) rather than committed: it is tens of MB and follows the rules'
// data, which another helper changes at the same time.
import fs from 'node:fs';
import path from 'node:path';
import { loadRouting } from '../../routing/index';
import { parseCsvObjects } from '../../routing/csv';

const repoRoot = path.resolve(__dirname, '../..');
/** The board's appeals (../shared/data; SHARED_DATA=DIR for a checkout elsewhere). */
const sharedData = process.env.SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');

interface Input {
  id: string;
  title: string;
  text: string;
  address?: string;
}

function inputs(): Input[] {
  const out: Input[] = [];
  for (const f of ['appeals-unlabelled.csv', 'appeals-labelled.csv', 'appeal-replies.csv']) {
    const file = path.join(sharedData, f);
    if (!fs.existsSync(file)) continue;
    parseCsvObjects(fs.readFileSync(file, 'utf8')).forEach((r, i) => {
      if (typeof r.text === 'string') out.push({ id: `${f}:${r.id ?? i}`, title: r.title ?? '', text: r.text });
    });
  }
  const dir = path.join(repoRoot, 'test/routing/casebooks');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    fs.readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .forEach((l, i) => {
        const c = JSON.parse(l);
        out.push({ id: `${f}:${c.id ?? i}`, title: c.title ?? '', text: c.text, address: c.address });
      });
  }
  return out;
}

function main(): void {
  const [mode, file] = process.argv.slice(2);
  if ((mode !== 'write' && mode !== 'check') || !file) {
    console.error('usage: routing-same.ts write|check FILE');
    process.exit(2);
  }
  const routing = loadRouting();
  const list = inputs();
  const lines = list.map((x) => JSON.stringify({ id: x.id, s: routing.suggest({ title: x.title, text: x.text, address: x.address }) }));
  if (mode === 'write') {
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    console.log(`${lines.length} suggestions written to ${file}`);
    return;
  }
  const ref = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  if (ref.length !== lines.length) {
    console.error(`different inputs: ${ref.length} in ${file}, ${lines.length} now`);
    process.exit(1);
  }
  let diffs = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === ref[i]) continue;
    diffs++;
    const a = JSON.parse(ref[i]);
    const b = JSON.parse(lines[i]);
    const fields = Object.keys({ ...a.s, ...b.s }).filter((k) => JSON.stringify(a.s[k]) !== JSON.stringify(b.s[k]));
    if (diffs <= 20) console.log(`${b.id}: ${a.id !== b.id ? `input was ${a.id}; ` : ''}${fields.map((k) => `${k}: ${JSON.stringify(a.s[k])} → ${JSON.stringify(b.s[k])}`).join(' | ')}`);
  }
  console.log(`${lines.length} suggestions compared, ${diffs} differ`);
  process.exit(diffs ? 1 : 0);
}

main();
