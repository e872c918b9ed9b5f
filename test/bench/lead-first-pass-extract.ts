// The rules' lead on a casebook part as of the part's first pass: run from a worktree of that commit,
// `git worktree add --detach /work/old-<sha> <sha>` (node_modules linked), then
// `node --import tsx test/bench/lead-first-pass-extract.ts /work/old-<sha> test/routing/casebooks/routing-<part>.jsonl test/bench/lead-first-pass/first-pass-<part>.json`.
// It loads that commit's engine (its loadRouting(), catalogue, duties, classifier) and writes per case of today's text the
// lead unit, how its first type was decided (basis), the top type, its confidence and urgency. First-pass commits
// (routing/README.md): fresh2 42389ed, fresh3 cf855b5, fresh5 70487a6, fresh6 dd30718, fresh7 4c769c5, fresh8 ba061a4,
// fresh9 53dd0ae, fresh10 cb221dd, fresh11 a89bb45 (made 8 Dec 2026, 00:53–00:54 UTC).
import fs from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const [root, file, out] = process.argv.slice(2);
  const idx = await import(path.join(path.resolve(root), 'routing/index.ts'));
  const r = idx.loadRouting();
  const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const res: Record<string, unknown> = {};
  for (const c of rows) {
    const s = r.suggest({ text: c.text, address: c.address });
    const t = s.eventTypes[0];
    res[c.id] = { lead: s.leadUnit, basis: t?.basis ?? null, type: t?.code ?? null, conf: t?.confidence ?? 0, urgency: s.urgency, emergency: s.urgency === 'emergency' };
  }
  fs.writeFileSync(out, JSON.stringify(res));
  console.log(out, Object.keys(res).length);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
