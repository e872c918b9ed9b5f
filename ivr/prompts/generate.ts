// Regenerates every prompt WAV (8 kHz, mono, 16-bit PCM) from the texts in ../prompts.ts.
// Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox).
// Usage: node --import tsx ivr/prompts/generate.ts [only-this-key …]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROMPTS, PromptKey, promptFile } from '../prompts';

function main(): void {
  const wanted = process.argv.slice(2) as PromptKey[];
  for (const k of wanted) {
    if (!(k in PROMPTS)) {
      console.error(`未知的提示音：${k}`);
      process.exit(2);
    }
  }
  const keys = wanted.length ? wanted : (Object.keys(PROMPTS) as PromptKey[]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  try {
    for (const key of keys) {
      const raw = path.join(tmp, `${key}.raw.wav`);
      execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '-s', '150', '-w', raw, PROMPTS[key].pinyin]);
      const out = path.join(__dirname, promptFile(key));
      // 8 kHz mono 16-bit, with 200 ms of silence in front so the first syllable is not clipped.
      execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', out, 'pad', '0.2', '0.1']);
      console.log(`已生成 ${promptFile(key)}：${PROMPTS[key].text}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
