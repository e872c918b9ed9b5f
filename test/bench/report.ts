// Writes one benchmark's results into its own section of BENCHMARKS.md, so each
// `npm run bench:*` replaces only what it measured, with the machine and date.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FILE = path.resolve(__dirname, '../../BENCHMARKS.md');

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} × ${cpu} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · ${os.platform()} ${os.release()}`;
}

/** Replace (or append) the section `name` of BENCHMARKS.md with `markdown`. */
export function writeSection(name: string, title: string, markdown: string): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const body = `${begin}\n## ${title}\n\nMachine: ${machineLine()}\n\n${markdown.trim()}\n${end}`;
  let doc = fs.existsSync(FILE)
    ? fs.readFileSync(FILE, 'utf8')
    : '# Benchmarks\n\nEach section is written by its `npm run bench:*` script; rerun the script to refresh it.\n';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + body + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${body}\n`;
  fs.writeFileSync(FILE, doc);
}
