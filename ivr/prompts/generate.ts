// Regenerates every prompt WAV (8 kHz, mono, 16-bit PCM) from the texts in ../prompts.ts.
// Needs espeak-ng and sox (Debian: apt-get install -y espeak-ng sox).
// Usage: node --import tsx ivr/prompts/generate.ts [only-this-key …]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOLD_MUSIC_FILE, PROMPTS, PromptKey, promptFile } from '../prompts';

/** The notes of the hold music: a slow arpeggio over C, Am, F, G (plucked, soft, with a little room). */
const HOLD_NOTES = 'C4 E4 G4 C5 G4 E4 A3 C4 E4 A4 E4 C4 F3 A3 C4 F4 C4 A3 G3 B3 D4 G4 D4 B3'.split(' ');

/** hold_music.wav: the queue's music (freeswitch-conf's callcenter queue, asterisk-conf's musiconhold). */
function holdMusic(tmp: string): void {
  const notes = HOLD_NOTES.map((n, i) => {
    const f = path.join(tmp, `note${String(i).padStart(2, '0')}.wav`);
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', f, 'synth', '0.6', 'pluck', n, 'vol', '0.35', 'fade', '0', '0.6', '0.3']);
    return f;
  });
  execFileSync('sox', [...notes, '-r', '8000', '-c', '1', '-b', '16', path.join(__dirname, HOLD_MUSIC_FILE), 'reverb', '40']);
  console.log(`已生成 ${HOLD_MUSIC_FILE}：排队等待音乐`);
}

function main(): void {
  const args = process.argv.slice(2);
  const music = args.length === 0 || args.includes('hold_music');
  const wanted = args.filter((a) => a !== 'hold_music') as PromptKey[];
  for (const k of wanted) {
    if (!(k in PROMPTS)) {
      console.error(`未知的提示音：${k}`);
      process.exit(2);
    }
  }
  const keys = wanted.length || args.length ? wanted : (Object.keys(PROMPTS) as PromptKey[]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  try {
    if (music) holdMusic(tmp);
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
