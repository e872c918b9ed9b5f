// `hotline routing cv`: run the repeated cross-validation for chosen candidates and
// print what it measured (leaks found, mean ± sd of macro-F1 and per class, the
// paired difference against the first candidate, timing). The last line is JSON.
import { CANDIDATES, SHIPPED } from './candidates';
import { buildCvCorpus, classifierPredictor, leakReport, pairedDiff, runCv, type CandidateResult, type Candidate, type CvCorpus, type FoldPredictor } from './cv';
import type { IndexedCorpus } from './classifier';
import type { Taxonomy } from './taxonomy';
import { GOLD_LABELS, type TrainingData } from './train';

export interface CvRunOptions {
  seeds: number[];
  folds: number;
  candidates: Candidate[];
  /** How a fold predicts (default: the candidate's classifier alone). */
  predictor?: (c: CvCorpus) => FoldPredictor;
  out: (line: string) => void;
}

const f3 = (x: number) => x.toFixed(3);
const ms = (x: { mean: number; sd: number }) => `${f3(x.mean)} ± ${f3(x.sd)}`;

export function describeLeaks(c: CvCorpus): string[] {
  const r = leakReport(c);
  const name: Record<string, string> = { silver: '银标（挑战赛测试集）', reply: '按答复单位标注', unlabelled: '无标（热点、答复留言）' };
  const lines = [`金标 ${c.gold.length} 条中，与另一条金标近似重复的 ${r.goldWithGoldTwin} 条（归入同一折，共 ${r.goldGroups} 组）`];
  for (const [src, s] of Object.entries(r.bySource))
    lines.push(`${name[src] ?? src} ${s.rows} 条中，与金标近似重复的 ${s.twinRows} 条（涉及金标 ${s.goldRows} 条${s.labelAgrees !== undefined ? `，其中标签与金标一致 ${s.labelAgrees} 条` : ''}）：该金标被留出的那一折不用它们训练`);
  return lines;
}

export function runCvReport(data: TrainingData, taxonomy: Taxonomy, o: CvRunOptions): CandidateResult[] {
  const t0 = Date.now();
  const c = buildCvCorpus(data, taxonomy, GOLD_LABELS);
  o.out(`分词 ${(c.timing.segmentMs / 1000).toFixed(1)} 秒，查重 ${(c.timing.twinsMs / 1000).toFixed(1)} 秒（每次运行一次，各折各种子共用）`);
  for (const l of describeLeaks(c)) o.out(l);
  o.out(`重复分层 ${o.folds} 折交叉验证，种子 ${o.seeds.join(',')}；宏F1 为 ${c.categories.length} 个一级分类的平均，每个种子一次（全部 ${c.gold.length} 条金标各被预测一次），下列为种子间均值 ± 标准差`);
  const cache = new Map<string, IndexedCorpus>();
  const results: CandidateResult[] = [];
  for (const cand of o.candidates) {
    const r = runCv(c, cand.name, cand.params, o.predictor ? o.predictor(c) : classifierPredictor(c, cand.params, cache), o.seeds, o.folds);
    results.push(r);
    const d = results.length > 1 ? pairedDiff(r, results[0]) : null;
    o.out(`${cand.name}：宏F1 ${ms(r.macroF1)}，准确率 ${ms(r.accuracy)}，七类之外 ${r.outside.mean.toFixed(1)} 条${d ? `，比 ${results[0].name} ${d.mean >= 0 ? '+' : ''}${f3(d.mean)} ± ${f3(d.sd)}（同折配对）` : ''}，用时 ${(r.ms / 1000).toFixed(0)} 秒`);
    o.out(`  各类F1：${Object.entries(r.perClass).map(([k, v]) => `${k} ${ms(v)}`).join('；')}`);
  }
  o.out(`共用时 ${((Date.now() - t0) / 1000).toFixed(0)} 秒`);
  return results;
}

/** Candidates by name (comma-separated; 'all' = every candidate). */
export function pickCandidates(names: string | undefined): Candidate[] | string {
  if (!names) return [{ name: 'routing train (shipped settings)', params: SHIPPED }];
  if (names === 'all') return CANDIDATES;
  const out: Candidate[] = [];
  for (const n of names.split(',').map((s) => s.trim())) {
    const c = CANDIDATES.find((x) => x.name === n);
    if (!c) return n;
    out.push(c);
  }
  return out;
}
