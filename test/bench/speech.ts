// npm run bench:speech — speed and memory of offline transcription (1 and 2
// threads), keyword-spotting speed, emergency-word hit rate and false alarms on
// the shared recordings at 16 kHz and as 8 kHz G.711 telephone audio (made with
// sox), and jobs per minute through the queue. Results go to BENCHMARKS.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeSection } from './report';
import { decodeWav } from '../../ivr/speech/wav';
import { createSherpaProvider } from '../../ivr/speech/providers/sherpa';
import { createEmergencySpotter } from '../../ivr/speech/spotter';
import { parseKeywords, DEFAULT_EMERGENCY_KEYWORDS } from '../../ivr/speech/keywords';
import { RecordingAudio, SpeechProvider } from '../../ivr/speech/provider';
import { openDb } from '../../storage/db';
import { enqueueTranscription } from '../../ivr/speech/jobs';
import { createSpeechWorker } from '../../ivr/speech/worker';
import { EXPECTED_HITS, KWS_MODEL_DIR, TEST_WAVS, haveModel, testKeywordLines } from '../speech/support';

/** A city's own transcription model can be measured too: SPEECH_SHERPA_MODEL_DIR=/opt/... npm run bench:speech */
const TRANSCRIPTION_MODEL_DIR = process.env.SPEECH_SHERPA_MODEL_DIR || KWS_MODEL_DIR;

const duration = (a: RecordingAudio) => a.channels[0].length / a.sampleRate;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const f2 = (x: number) => x.toFixed(3);

function loadAll(dir: string): Map<string, RecordingAudio> {
  return new Map(Object.keys(EXPECTED_HITS).map((n) => [n, decodeWav(fs.readFileSync(path.join(dir, n)))]));
}

/** Child process: load the model with N threads, transcribe every recording; report RTF and memory. */
async function childProvider(threads: number): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const provider = await createSherpaProvider({ modelDir: TRANSCRIPTION_MODEL_DIR, numThreads: threads });
  const loadMs = performance.now() - t0;
  const audio = loadAll(TEST_WAVS);
  let seconds = 0;
  let busy = 0;
  for (let round = 0; round < 3; round++) {
    for (const a of audio.values()) {
      const s = performance.now();
      await provider.transcribe(a);
      busy += performance.now() - s;
      seconds += duration(a);
    }
  }
  const spotter = createEmergencySpotter({ modelDir: KWS_MODEL_DIR, keywords: parseKeywords([...DEFAULT_EMERGENCY_KEYWORDS]), numThreads: threads });
  let kwsBusy = 0;
  let kwsSeconds = 0;
  for (let round = 0; round < 3; round++) {
    for (const a of audio.values()) {
      const s = performance.now();
      await spotter.spot(a);
      kwsBusy += performance.now() - s;
      kwsSeconds += duration(a);
    }
  }
  process.stdout.write(JSON.stringify({
    threads, loadMs, rtf: busy / 1000 / seconds, kwsRtf: kwsBusy / 1000 / kwsSeconds,
    rssMb: mb(process.memoryUsage().rss), rssDeltaMb: mb(process.memoryUsage().rss - rssBefore), audioSeconds: seconds,
  }));
}

function haveSox(): boolean {
  return spawnSync('sox', ['--version']).status === 0;
}

/** Telephone versions of the shared recordings: 8 kHz, G.711 µ-law, as a switch records them. */
function telephoneCopies(dir: string): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-tel-'));
  for (const n of Object.keys(EXPECTED_HITS)) {
    execFileSync('sox', [path.join(dir, n), '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', path.join(out, n)]);
  }
  return out;
}

interface Score { expected: number; hits: number; falseAlarms: number; audioSeconds: number; missed: string[] }

async function score(audio: Map<string, RecordingAudio>, threshold: number): Promise<Score> {
  const keywords = parseKeywords([...testKeywordLines(), ...DEFAULT_EMERGENCY_KEYWORDS]);
  const spotter = createEmergencySpotter({ modelDir: KWS_MODEL_DIR, keywords, numThreads: 2, threshold });
  const s: Score = { expected: 0, hits: 0, falseAlarms: 0, audioSeconds: 0, missed: [] };
  for (const [name, a] of audio) {
    const expected = EXPECTED_HITS[name];
    const heard = (await spotter.spot(a)).map((h) => h.keyword);
    s.expected += expected.length;
    s.hits += expected.filter((k) => heard.includes(k)).length;
    s.falseAlarms += heard.filter((k) => !expected.includes(k)).length;
    s.missed.push(...expected.filter((k) => !heard.includes(k)).map((k) => `${k}（${name}）`));
    s.audioSeconds += duration(a);
  }
  return s;
}

/** Synthetic emergency phrases (espeak-ng): plumbing only, not a measure of accuracy on callers. */
async function synthetic(): Promise<string | null> {
  if (spawnSync('espeak-ng', ['--version']).status !== 0 || !haveSox()) return null;
  const phrases: [string, string][] = [
    ['着火了', 'wo3 jia1 zhao2 huo3 le'], ['煤气泄漏', 'lou2 li3 mei2 qi4 xie4 lou4 le'], ['有人被困', 'dian4 ti1 li3 you3 ren2 bei4 kun4'],
    ['救命', 'jiu4 ming4 a'], ['有人落水', 'he2 li3 you3 ren2 luo4 shui3 le'], ['快来人', 'kuai4 lai2 ren2 a'],
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-tts-'));
  const spotter = createEmergencySpotter({ modelDir: KWS_MODEL_DIR, keywords: parseKeywords([...DEFAULT_EMERGENCY_KEYWORDS]), numThreads: 2 });
  const rows: string[] = [];
  for (const [keyword, pinyinText] of phrases) {
    const raw = path.join(dir, 'raw.wav');
    const tel = path.join(dir, 'tel.wav');
    execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '-s', '140', pinyinText, '-w', raw]);
    execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-e', 'u-law', '-b', '8', tel]);
    const heard = (await spotter.spot(decodeWav(fs.readFileSync(tel)))).map((h) => h.keyword);
    rows.push(`| ${keyword} | ${pinyinText} | ${heard.length ? heard.join('、') : '—'} |`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return ['| emergency word | espeak-ng input (8 kHz µ-law) | spotted |', '|---|---|---|', ...rows].join('\n');
}

async function queueThroughput(provider: SpeechProvider | null, withSpotter: boolean, jobs: number): Promise<{ perMinute: number; audioMinutesPerMinute: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'speech-queue-'));
  const db = await openDb({ url: path.join(dir, 'bench.db') });
  try {
    const names = Object.keys(EXPECTED_HITS);
    let audioSeconds = 0;
    for (let i = 0; i < jobs; i++) {
      const name = names[i % names.length];
      const f = path.join(dir, `rec-${i}.wav`);
      fs.copyFileSync(path.join(TEST_WAVS, name), f);
      audioSeconds += duration(decodeWav(fs.readFileSync(f)));
      const [row] = await db('recordings').insert({ path: f, kind: 'call', started_at: new Date().toISOString(), created_at: new Date().toISOString() }).returning('id');
      await enqueueTranscription(db, { recordingId: Number(typeof row === 'object' ? row.id : row) });
    }
    const kws = withSpotter ? createEmergencySpotter({ modelDir: KWS_MODEL_DIR, keywords: parseKeywords([...DEFAULT_EMERGENCY_KEYWORDS]), numThreads: 1 }) : null;
    const worker = createSpeechWorker({ db, provider, kws, onTranscript: () => {}, onEmergency: () => {}, log: () => {} });
    const t0 = performance.now();
    let done = 0;
    while (await worker.runOnce()) done++;
    const minutes = (performance.now() - t0) / 60_000;
    if (done !== jobs) throw new Error(`only ${done} of ${jobs} jobs ran`);
    return { perMinute: jobs / minutes, audioMinutesPerMinute: audioSeconds / 60 / minutes };
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child-provider');
  if (child >= 0) return childProvider(Number(process.argv[child + 1]));
  if (!haveModel) {
    console.error(`找不到共享语音模型（${KWS_MODEL_DIR}），无法运行语音基准测试。`);
    process.exit(1);
  }
  const sections: string[] = [];
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  sections.push(`Load average when it started (1/5/15 min): ${load} on ${os.cpus().length} cores — the machine is shared; a 2-thread run only helps when a second core is free.`, '');

  // 1. offline provider and spotter: RTF and memory, each thread count in a fresh process
  const runs = [1, 2].map((threads) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child-provider', String(threads)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { threads: number; loadMs: number; rtf: number; kwsRtf: number; rssMb: number; rssDeltaMb: number; audioSeconds: number };
  });
  sections.push(
    '### Offline transcription (sherpa-onnx) and keyword spotting',
    '',
    `Model: ${TRANSCRIPTION_MODEL_DIR === KWS_MODEL_DIR ? 'the shared 3.3M-parameter streaming zipformer (\`kws-zipformer-zh-3.3M\`, int8 encoder/joiner), used as the offline provider (it emits pinyin)' : `\`${path.basename(TRANSCRIPTION_MODEL_DIR)}\` as the offline provider`}; the spotter is the shared zipformer with the 15 default emergency words. Audio: the 7 shared 16 kHz Mandarin recordings (${(runs[0].audioSeconds / 3).toFixed(1)} s), three passes. RTF = processing time ÷ audio time (lower is faster). RSS measured in a fresh process after the runs.`,
    '',
    '| threads | model load | transcription RTF | keyword-spotting RTF | RSS after (MB) | RSS added by provider + spotter (MB) |',
    '|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.threads} | ${Math.round(r.loadMs)} ms | ${f2(r.rtf)} | ${f2(r.kwsRtf)} | ${r.rssMb} | ${r.rssDeltaMb} |`),
  );

  // 2. hit rate and false alarms, 16 kHz and 8 kHz G.711 (sox)
  if (haveSox()) {
    const wide = loadAll(TEST_WAVS);
    const telDir = telephoneCopies(TEST_WAVS);
    const tel = loadAll(telDir);
    const rows: string[] = [];
    for (const threshold of [0.15, 0.25, 0.35]) {
      for (const [label, audio] of [['16 kHz (as recorded)', wide], ['8 kHz G.711 µ-law (sox)', tel]] as const) {
        const s = await score(audio, threshold);
        rows.push(`| ${threshold}${threshold === 0.25 ? ' (default)' : ''} | ${label} | ${s.hits}/${s.expected} (${Math.round((100 * s.hits) / s.expected)}%) | ${s.falseAlarms} in ${s.audioSeconds.toFixed(1)} s | ${s.missed.join('、') || '—'} |`);
      }
    }
    fs.rmSync(telDir, { recursive: true, force: true });
    sections.push(
      '',
      '### Keyword hit rate and false alarms',
      '',
      'Keywords listened for: the model\'s 8 test keywords (spoken in recordings 3–6, two each) plus the 15 default emergency words (spoken in none of them), 23 in all, on all 7 recordings (0–2 contain no keyword). A false alarm is any keyword reported in a recording that does not contain it. The shared recordings are read news speech, not callers: they measure the spotter and the telephone-line loss, not the emergency words themselves, which no real recording here contains.',
      '',
      '| threshold | audio | hits | false alarms | missed |',
      '|---|---|---|---|---|',
      ...rows,
    );
    const syn = await synthetic();
    if (syn) {
      sections.push('', '#### Emergency words in synthetic speech (plumbing check, not accuracy)', '', 'espeak-ng Mandarin from numbered pinyin, sent through sox as 8 kHz µ-law. Synthetic speech is far from a real caller; a miss here says little about callers, a hit shows the words reach the spotter end to end.', '', syn);
    }
  } else {
    sections.push('', '_sox not installed: hit-rate section not measured (`apt-get install -y sox`)._');
  }

  // 3. queue throughput
  const plain = await queueThroughput({ name: 'none', transcribe: async () => ({ text: '', language: 'zh', segments: [] }) }, false, 200);
  const provider = await createSherpaProvider({ modelDir: TRANSCRIPTION_MODEL_DIR, numThreads: 1 });
  const full = await queueThroughput(provider, true, 42);
  sections.push(
    '',
    '### Jobs through the queue (SQLite, one worker)',
    '',
    '| pipeline | jobs | jobs per minute | audio minutes per minute |',
    '|---|---|---|---|',
    `| queue only (claim, read and decode the WAV, store) | 200 | ${Math.round(plain.perMinute)} | ${plain.audioMinutesPerMinute.toFixed(1)} |`,
    `| sherpa-onnx transcription (1 thread) + emergency spotting (1 thread) | 42 | ${Math.round(full.perMinute)} | ${full.audioMinutesPerMinute.toFixed(1)} |`,
  );

  writeSection('speech', 'Speech: transcription, emergency words, queue (`npm run bench:speech`)', sections.join('\n'));
  console.log(sections.join('\n'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
