// npm run bench:routing — suggestions per second on one core, p50/p99 latency,
// model load time and memory, the segmenter alone (the floor), and the
// cross-validated accuracy estimate recorded by the last `routing train`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeSection } from './report';

const sharedData = path.resolve(__dirname, '../../../shared/data');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function main(): void {
  const rss0 = process.memoryUsage().rss;
  const t0 = process.hrtime.bigint();
  // Loading includes reading the modules, the jieba dictionary, the catalogue, the gazetteer and the model.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadRouting } = require('../../routing/index') as typeof import('../../routing/index');
  const routing = loadRouting();
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  global.gc?.();
  const rssLoaded = process.memoryUsage().rss;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tokenize, normalize } = require('../../routing/text') as typeof import('../../routing/text');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseCsvObjects } = require('../../routing/csv') as typeof import('../../routing/csv');

  let inputs: Array<{ title: string; text: string }>;
  let source: string;
  if (fs.existsSync(path.join(sharedData, 'appeals-unlabelled.csv'))) {
    inputs = parseCsvObjects(fs.readFileSync(path.join(sharedData, 'appeals-unlabelled.csv'), 'utf8')).map((r) => ({ title: r.title, text: r.text }));
    source = `${inputs.length} real appeals (../shared/data/appeals-unlabelled.csv, title + full text, mean ${Math.round(inputs.reduce((s, x) => s + x.text.length, 0) / inputs.length)} characters)`;
  } else {
    inputs = routing.taxonomy.eventTypes.flatMap((t) => t.examples.map((e) => ({ title: '', text: e })));
    source = `${inputs.length} example phrasings of the catalogue (../shared/data absent)`;
  }
  const short = routing.taxonomy.eventTypes.flatMap((t) => t.examples.map((e) => ({ title: '', text: e })));

  const run = (list: Array<{ title: string; text: string }>, rounds: number) => {
    // Warm-up (JIT) on at least 2,000 calls, not measured.
    for (let w = 0; w < 2000; ) for (const x of list.slice(0, 2000 - w)) (routing.suggest(x), w++);
    const lat: number[] = [];
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++)
      for (const x of list) {
        const a = process.hrtime.bigint();
        routing.suggest(x);
        lat.push(Number(process.hrtime.bigint() - a) / 1e6);
      }
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    lat.sort((a, b) => a - b);
    return { n: lat.length, perSec: lat.length / secs, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: lat[lat.length - 1] };
  };
  const segment = (list: Array<{ title: string; text: string }>) => {
    const start = process.hrtime.bigint();
    for (const x of list) tokenize(normalize(`${x.title} ${x.text}`));
    return list.length / (Number(process.hrtime.bigint() - start) / 1e9);
  };

  // Three passes over the real appeals; the machine is shared, so each pass is shown with the load average.
  const passes = [0, 1, 2].map(() => ({ ...run(inputs, 1), load: os.loadavg()[0] }));
  const real = [...passes].sort((a, b) => a.perSec - b.perSec)[1]; // the median pass
  const seg = segment(inputs);
  const notes = run(short, 20);
  const segShort = segment(short.concat(short, short, short, short));
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = process.memoryUsage().heapUsed;
  const model = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../routing/trained-model.json'), 'utf8'));
  const cv = model.training?.crossValidation;
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  const f = (x: number, d = 2) => x.toFixed(d);
  const ok = (b: boolean) => (b ? 'met' : '**not met**');

  const md = `
One process, one core, \`routing.suggest()\` called in a loop (no HTTP). Inputs: ${source}, three passes, the median pass shown; and the ${short.length} short example phrasings of the catalogue (like an operator's notes), 20 rounds. Real appeals are long (text length p50 ≈ 200, p99 ≈ 2,400 characters); the segmenter alone takes about half of the time.

Passes over the real appeals (the machine is shared with other jobs; 1-minute load average at the end of each pass): ${passes.map((p) => `${f(p.perSec, 0)}/s, p99 ${f(p.p99, 2)} ms (load ${f(p.load, 1)})`).join(' · ')}.

| measure | real appeals | short notes | target |
|---|---|---|---|
| suggestions / s | ${f(real.perSec, 0)} | ${f(notes.perSec, 0)} | ≥ 5,000 — ${ok(real.perSec >= 5000)} (real), ${ok(notes.perSec >= 5000)} (short) |
| p50 latency (ms) | ${f(real.p50, 3)} | ${f(notes.p50, 3)} | |
| p99 latency (ms) | ${f(real.p99, 3)} | ${f(notes.p99, 3)} | ≤ 5 ms — ${ok(real.p99 <= 5)} |
| max latency (ms) | ${f(real.max, 1)} | ${f(notes.max, 1)} | |
| segmenter alone (texts / s), the floor | ${f(seg, 0)} | ${f(segShort, 0)} | |

| load and memory | value | target |
|---|---|---|
| load time (modules, jieba dictionary, catalogue, gazetteer, model) | ${f(loadMs, 0)} ms | ≤ 1 s — ${ok(loadMs <= 1000)} |
| RSS before load → after load (engine ready) → after the run (also holding the benchmark's own 9,584 input appeals) | ${mb(rss0)} → ${mb(rssLoaded)} → ${mb(rssAfter)} MB | ≤ 200 MB — ${ok(rssLoaded <= 200 * 2 ** 20)} after load${rssAfter > 200 * 2 ** 20 ? ', **exceeded** after the run' : ', and after the run'} |
| V8 heap used after the run (after GC) | ${mb(heapAfter)} MB | |
| model file | ${mb(fs.statSync(path.resolve(__dirname, '../../routing/trained-model.json')).size * 1)} MB (${(fs.statSync(path.resolve(__dirname, '../../routing/trained-model.json')).size / 1024).toFixed(0)} KiB), ${model.vocab.split('\n').length} words, ${model.categories.length} categories | a few MB |

### First-level classification: the honest estimate

${
  cv
    ? `**Macro-F1 ${cv.macroF1}, accuracy ${cv.accuracy}** over the 7 labelled first-level classes, by ${cv.folds}-fold cross-validation on the ${cv.n} gold appeals of \`appeals-labelled.csv\` that were not used for tuning${cv.tuningRows ? ` (the other ${cv.tuningRows}, a fixed stratified third, are the tuning set: they are always in training and never scored)` : ''}, recorded by the last \`routing train\`.`
    : 'No cross-validation recorded in the model file (it was trained with --no-cv).'
} Target: ≥ 0.90 — ${cv ? ok(cv.macroF1 >= 0.9) : 'unknown'}.

How: each fold is scored by a model trained without that fold (complement naive Bayes over jieba words, TF-IDF; trained on the other folds and the tuning rows + ${model.training?.silver} silver-labelled appeals at weight ${model.training?.params?.silverWeight} + ${model.training?.replyLabelled} appeals labelled by the unit named in their official reply (\`appeal-replies.csv\`, distant supervision) at weight ${model.training?.params?.replyWeight} + ${model.training?.taxonomyDocs} pseudo-documents from the taxonomy and the catalogue; its probability scale fitted by an inner cross-validation on the training rows only), and the category is read from the full \`suggest()\` pipeline (the category of the top event type), exactly as \`routing eval\` does. Caveats: the CNB's few settings (smoothing 0.1, silver weight 0.5, reply weight 1, evidence weight) were chosen before the tuning split existed, by cross-validation over all 447 rows, so this figure is still slightly optimistic; every later comparison (the table below) used the tuning rows only. The silver labels come from another team's classifier trained on the full 9,210-message labelled set, which may include these gold messages. With 299 scored rows the estimate is about ±0.03.

### What was tried to reach 0.90 (issue 3), and did not

Tuning set: the fixed held-out third (148 gold rows, \`isTuningRow\` in \`routing/train.ts\`), each model trained on the other 299 gold rows + silver + reply-labelled appeals (+ taxonomy documents where the pipeline is used). Macro-F1 on those 148 rows; one row is worth about 0.007, so differences under 0.02 are noise.

| candidate | macro-F1, full \`suggest()\` pipeline | macro-F1, classifier alone (argmax; trained without the taxonomy documents unless marked †) |
|---|---|---|
| complement NB (kept) | 0.850 | 0.797 (words; + word bigrams 0.806; character 2–3-grams 0.781) |
| linear SVM (one-vs-rest, squared hinge, L2, dual coordinate descent as in LIBLINEAR), C = 1 | 0.847 | 0.836 †; 0.821 |
| linear SVM, C = 0.3 / 3 | — / 0.852 | 0.823 / 0.827 (0.831 †) |
| SVM + word bigrams / + character 2–3-grams / both | — | 0.810 / 0.819 / 0.825 |
| SVM, class weights ∝ (n / n_c)^0.5 | — | 0.816 |
| SVM, title × 3 / × 1 (now × 2) | — | 0.827 / 0.811 |
| SVM, silver weight 1 (now 0.5) | 0.838 | 0.818 |
| SVM, reply-labelled weight 0.5 / 0 (now 1) | — | 0.818 / 0.798 |
| SVM, gold only (no silver, no replies) | — | 0.740 |
| SVM, without the taxonomy pseudo-documents | 0.833 | 0.821 |
| SVM + self-training on the 6,806 unlabelled appeals (margin ≥ 0.5, weight 0.5 / 0.3 / 1) | 0.831 | 0.832 / 0.829 / 0.827 |
| ensemble SVM (C = 3) + CNB summed as one linear model, CNB at 0.5 / 1 / 2 / 3 × the SVM's score spread | 0.840 / 0.853 / **0.858** / 0.858 | 0.856 / 0.846 / 0.845 / 0.850 † |
| ensemble, C = 10, CNB × 2 | 0.858 | 0.837 † |
| ensemble (C = 3, CNB × 2) + reply weight 0.5 / + self-training 0.3 | 0.848 / 0.847 | 0.860 / 0.820 † |
| category = most probable category summed over its types, instead of the top type's (SVM / ensemble) | 0.840 / 0.853 | |
| CNB, gold weight 2 / 4 (now 1); silver weight 0.25 | 0.850 / 0.846; 0.840 | |
| *Second round: the unlabelled text. Classifier alone always as trained, with the taxonomy documents (†); rows not marked "one-off" measured by the \`routing tune\` command of commit 8af7eca, reverted since nothing of it is kept.* | | |
| complement NB (kept), as that command scores it; the classifier alone is right and the pipeline wrong on 4 tuning rows, the reverse on 7 (3 of the pipeline's 23 errors are categories outside the 7: 经济管理, 政法, 民政) | 0.850 | 0.821 † |
| + dense part: word vectors from PPMI (±5 words) over all appeal texts, 100-d randomized SVD; logistic regression over the TF-IDF-weighted sum of an appeal's word vectors, folded into the per-word weights (\`denseWeight\` 0.3 / 1 / 3 / 10) | 0.843 / 0.842 / 0.834 / 0.830 | 0.810 / 0.814 / 0.778 / 0.754 † (the dense regression alone ≈ 0.75) |
| dense part at weight 1, L2 10⁻³ / 10⁻⁵ (default 10⁻⁴) | 0.842 / 0.842 | 0.820 / 0.814 † |
| CNB weights smoothed through the word vectors (centred w + β·E·Eᵀ·w), β = 0.03 / 0.1 / 0.3 / 1 (one-off) | — | 0.815 / 0.795 / 0.790 / 0.748 † |
| semi-supervised EM over the 6,806 unlabelled appeals, one round, λ = 0.1 / 0.3 / 0.5 / 1 | 0.833 / 0.860 / 0.860 / **0.865** | 0.806 / 0.813 / 0.788 / 0.778 † |
| EM, three rounds, λ = 0.05 / 0.1 / 0.3 / 1 | 0.833 / 0.833 / 0.854 / 0.839 | 0.806 / 0.806 / 0.790 / 0.751 † |
| label spreading (10-NN cosine graph of labelled and unlabelled appeals, α = 0.8), spread labels at λ = 0.1 / 0.3 / 1 | 0.849 / 0.855 / 0.862 | 0.824 / 0.806 / 0.787 † |
| silver rows a silver-free model disagrees with at weight 0 / 0.2; silver weight 1 with disagreeing rows at 0.25 | 0.838 / 0.860; 0.858 | 0.822 / 0.815; 0.815 † |
| per-category bias fitted with the scale on out-of-fold gold scores (\`calibrateBias\`: silver and reply labels have other class shares than gold) | 0.846 | 0.834 † |
| wider reply labelling: first unit named / more unit names / both / first unit within 600 characters / all three: 1,077 / 1,302 / 1,598 / 1,242 / 1,773 appeals instead of 976 (one-off) | 0.845 / 0.845 / 0.845 / 0.858 / 0.845 | 0.813 / 0.840 / 0.817 / 0.809 / 0.830 † |
| pipeline: a type's prior = its category's probability / (category size)^a, a = 0 / 0.5 / 0.75 (now 1) (one-off) | 0.829 / 0.840 / 0.843 | |
| pipeline: evidence weight 0.6 / 0.9 / 1.6 / 2.4 (now 1.2); evidence cap 3 / 10 (now 6); category floor 0.005 / 0.05 (now 0.02) (one-off) | 0.859 / 0.856 / 0.838 / 0.830; 0.855 / 0.854; 0.850 / 0.850 | |

The tuning set's best (the SVM + CNB ensemble, 0.858 against 0.850) then scored **0.831** on the 299 held-out rows by the same 5-fold cross-validation (the SVM alone 0.829), against **0.842** for the complement NB: its edge on the tuning rows (one appeal) did not carry over, so the complement NB stays. In the second round, EM (λ = 0.5, one round: the middle of the 0.3–1 plateau at 0.860–0.865) scored **0.824** on the 299 held-out rows and label spreading (λ = 1, 0.862 on tuning) **0.836**, both below the complement NB's 0.842: their gain on the tuning rows (one or two appeals, while the classifier alone lost) did not carry over either, so nothing of the second round is kept (their code was reverted; it is in commit 8af7eca). No setting tried moved the tuning figure by more than noise; the errors are spread over all pairs of classes (城乡建设 ↔ 交通运输/教育文体, 劳动和社会保障 ↔ 教育文体, 商贸旅游 → 交通运输). The reference 0.912 used 8,289 gold labels; with 447 gold and noisy silver labels this pipeline sits at 0.83–0.85, and reaching 0.90 most likely needs more gold labels (operators' corrections feed the next \`routing train\`).
`;
  writeSection('routing', 'Routing engine (`npm run bench:routing`)', md);
  console.log(md);
}

main();
