// `hotline routing …`: train the model, evaluate it on a CSV. The lead registers
// runRoutingCli under the main CLI; output lines are for staff (zh-CN), the last
// line of `eval` is one JSON object for machines.
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from './csv';
import { metrics, metricsTable } from './evaluate';
import { BOARD_NEGATIVES, CASEBOOK_DIR, CASEBOOK_PARTS, EMERGENCY_TRAINING_PARTS, KIND_RULES_UNSEEN_PARTS, KIND_TRAINING_PARTS, LEAD_TRAINING_PARTS, UNTRAINED_PARTS, casebookLines, emergencyExamples, evaluateCasebooks, modelAlone, WRITTEN_FILES, readEmergencyCases, readRoutingCases } from './casebook';
import { EMERGENCY_TRAINING, trainEmergencyModel } from './emergency-model';
import { KIND_TRAINING, trainKindModel, type KindSettings } from './kind-model';
import { kindCases, leaveOnePartOut, meanSd, stratifiedCv, type PartFigures } from './kind-cv';
import { LEAD_TRAINING, trainLeadModel, type LeadGate, type LeadSettings } from './lead-model';
import { leadCases, leadLeaveOnePartOut, leadStratifiedCv, trainingRows } from './lead-cv';
import { pipelinePredictor } from './estimate';
import { CANDIDATES } from './candidates';
import { pickCandidates, runCvReport } from './cv-report';
import { DEFAULT_FILES, engineOf, loadRouting } from './index';
import { parseTaxonomy, parseUnits, readJson } from './taxonomy';
import { DEFAULT_DATA_DIR, DEFAULT_PARAMS, readTrainingData, trainModel, type Correction } from './train';

export interface RoutingCliIo {
  out(line: string): void;
  err(line: string): void;
  /** Operators' corrections of the suggested event type (the lead reads them from routing_corrections). */
  corrections?: () => Promise<Array<{ title?: string; text: string; eventType: string }>>;
}

const USAGE = [
  '用法：hotline routing <命令>',
  '  train [--data 目录] [--out 模型文件]            由 ../shared/data 与接线员纠错重新训练模型（确定性；同样输入得到逐字节相同的文件）',
  '  eval --data 文件.csv [--model 模型文件]           在带 title,text,label 列的 CSV 上评估一级分类，最后一行输出 JSON',
  '  eval --casebooks [目录] [--verbose]               在手写案例集（开发部分与留出部分）上评估紧急识别、牵头单位、诉求类型，最后一行输出 JSON',
  '  train-kind [--casebooks 目录] [--out 模型文件]     由派单案例集（未训练部分除外）训练诉求类型研判模型（确定性）',
  '  train-lead [--casebooks 目录] [--out 模型文件]     由派单案例集（未训练部分除外）训练牵头单位研判模型（确定性）',
  '  eval --lead-cv [--seeds 5] [--no-cv] [--C 1] [--threshold 0.7] [--duty-threshold 0.9] [--gate ranking|no-duty|any] [--max-rank-confidence 1] [--max-type-rank 1000] [--balanced]',
  '  eval --kind-cv [--seeds 5] [--no-cv] [--C 1] [--threshold 0.7] [--rule-weight 0] [--max-rule-score 4] [--unbalanced]',
  '                                                   诉求类型：逐一留出案例集部分（规则 / 模型 / 规则+模型）与重复分层 5 折交叉验证，最后一行输出 JSON',
  '  cv [--candidates 名称,…|all] [--seeds 5] [--folds 5] [--pipeline] [--data 目录]',
  '                                                   全部金标上的重复分层交叉验证，比较候选分类器（均值 ± 标准差），最后一行输出 JSON；',
  '                                                   --pipeline：用 routing train 的训练方式与完整 suggest() 评估（默认参数）',
];

const BOOLEAN_FLAGS = new Set(['model-only', 'pipeline', 'no-cv', 'verbose', 'unbalanced']);

function flags(args: string[]): { opts: Map<string, string | true>; rest: string[] } {
  const opts = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) opts.set(k, v);
      else if (args[i + 1] !== undefined && !args[i + 1].startsWith('--') && !BOOLEAN_FLAGS.has(k)) opts.set(k, args[++i]);
      else opts.set(k, true);
    } else rest.push(a);
  }
  return { opts, rest };
}

/** Stable JSON: one key per line at the top, so a retrain shows a readable diff. */
export function serializeModel(model: object): string {
  const entries = Object.entries(model).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${entries.join(',\n')}\n}\n`;
}

export async function runRoutingCli(args: string[], io: RoutingCliIo): Promise<number> {
  const [cmd, ...tail] = args;
  const { opts } = flags(tail);
  const str = (k: string) => (typeof opts.get(k) === 'string' ? (opts.get(k) as string) : undefined);
  try {
    if (cmd === 'train') {
      const dataDir = path.resolve(str('data') ?? DEFAULT_DATA_DIR);
      if (!fs.existsSync(path.join(dataDir, 'appeals-labelled.csv'))) {
        io.err(`找不到训练数据：${dataDir}/appeals-labelled.csv`);
        return 2;
      }
      const out = path.resolve(str('out') ?? DEFAULT_FILES.modelFile);
      const docs = { units: readJson(DEFAULT_FILES.unitsFile, '单位'), taxonomy: readJson(DEFAULT_FILES.taxonomyFile, '事项类型目录'), gazetteer: readJson(DEFAULT_FILES.gazetteerFile, '地名表') };
      const taxonomy = parseTaxonomy(docs.taxonomy, parseUnits(docs.units));
      const corrections: Correction[] = io.corrections ? await io.corrections() : [];
      const data = readTrainingData(dataDir);
      io.out(`训练数据：金标 ${data.gold.length} 条，银标 ${data.silver.length} 条，按答复单位标注 ${data.replyLabelled.length} 条，无标 ${data.unlabelled.length} 条，分类表 ${data.taxonomyRows.length} 行，接线员纠错 ${corrections.length} 条`);
      const t0 = Date.now();
      const { model, summary } = trainModel(data, taxonomy, corrections);
      if (summary.skippedCorrections) io.err(`有 ${summary.skippedCorrections} 条纠错的事项类型编码不在目录中，已跳过`);
      const oof = model.training.outOfFold as { folds: number; n: number; accuracy: number; macroF1: number } | null;
      if (oof) io.out(`概率标定所用的 ${oof.folds} 折折外预测（分类器本身，一个种子）：宏F1 ${oof.macroF1}，准确率 ${oof.accuracy}；严谨的估计请用 routing cv`);
      fs.writeFileSync(out, serializeModel(model));
      io.out(`模型已写入 ${path.relative(process.cwd(), out) || out}（词表 ${summary.vocabulary}，${model.categories.length} 个一级分类，用时 ${((Date.now() - t0) / 1000).toFixed(1)} 秒）`);
      return 0;
    }
    if (cmd === 'train-emergency') {
      const dataDir = path.resolve(str('data') ?? DEFAULT_DATA_DIR);
      const board = path.join(dataDir, 'appeals-unlabelled.csv');
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const out = path.resolve(str('out') ?? DEFAULT_FILES.emergencyModelFile);
      const examples = emergencyExamples(EMERGENCY_TRAINING_PARTS, fs.existsSync(board) ? board : null, dir);
      const em = examples.filter((e) => e.emergency).length;
      const trainedOn = `急情案例集 ${EMERGENCY_TRAINING_PARTS.join('/')}、派单案例集与为模型所写的说法 ${WRITTEN_FILES.map((f) => path.basename(f)).join('、')}（${examples.length - (fs.existsSync(board) ? BOARD_NEGATIVES : 0)} 条，其中紧急 ${em} 条）${fs.existsSync(board) ? `，留言板书面诉求 ${BOARD_NEGATIVES} 条（作为非紧急）` : ''}；C ${EMERGENCY_TRAINING.C}`;
      io.out(`训练数据：${trainedOn}`);
      const file = trainEmergencyModel(examples, { trainedOn });
      fs.writeFileSync(out, `${JSON.stringify(file)}\n`);
      io.out(`紧急研判模型已写入 ${path.relative(process.cwd(), out) || out}（${file.keys.length} 个字串特征，${file.dangers.length} 类险情）`);
      return 0;
    }
    if (cmd === 'train-kind') {
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const out = path.resolve(str('out') ?? DEFAULT_FILES.kindModelFile);
      // The rows as suggest() sees them with the cue rules alone (the classifier's vector and the rules' scores).
      const cases = kindCases(loadRouting({ kindModelFile: null }), KIND_TRAINING_PARTS, dir);
      const rows = cases.filter((c) => c.row).map((c) => c.row!);
      const trainedOn = `派单案例集 ${KIND_TRAINING_PARTS.join('/')} 中非紧急的 ${rows.length} 条（紧急 ${cases.length - rows.length} 条按规则为求助，不参与）；分类器向量；C ${KIND_TRAINING.C}，类别均衡，门槛 ${KIND_TRAINING.threshold}，仅用于 ${KIND_TRAINING.maxChars} 字以内、规则得分 ≤ ${KIND_TRAINING.maxRuleScore}`;
      io.out(`训练数据：${trainedOn}`);
      const file = trainKindModel(rows, KIND_TRAINING, trainedOn);
      fs.writeFileSync(out, serializeModel(file));
      io.out(`诉求类型研判模型已写入 ${path.relative(process.cwd(), out) || out}（${file.features.length} 个特征，概率标度 ${file.scale}）`);
      return 0;
    }
    if (cmd === 'eval' && opts.has('kind-cv')) {
      // Leave one casebook part out (each part scored by a model trained on the other training parts; an untrained
      // part by the model of all training parts), then repeated stratified 5-fold CV over every case. The rules were
      // fixed against every training part, so there their figure is a development figure; on an untrained part all
      // three are unseen (routing/README.md, "The learned kind model").
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const num = (k: string, d: number) => (str(k) === undefined ? d : Number(str(k)));
      const s: KindSettings = { C: num('C', KIND_TRAINING.C), ruleWeight: num('rule-weight', KIND_TRAINING.ruleWeight), threshold: num('threshold', KIND_TRAINING.threshold), balanced: !opts.has('unbalanced'), maxChars: num('max-chars', KIND_TRAINING.maxChars), maxRuleScore: num('max-rule-score', KIND_TRAINING.maxRuleScore) };
      const cases = kindCases(loadRouting({ kindModelFile: null }), CASEBOOK_PARTS, dir);
      io.out(`设置：C ${s.C}，规则特征 ${s.ruleWeight}，门槛 ${s.threshold}，${s.maxChars} 字以内，${s.balanced ? '类别均衡' : '不均衡'}；${cases.length} 条派单案例（紧急 ${cases.filter((c) => !c.row).length} 条按规则为求助）`);
      const lopo = leaveOnePartOut(cases, KIND_TRAINING_PARTS, CASEBOOK_PARTS, s, [s.threshold]);
      const seeds = opts.has('no-cv') ? [] : Array.from({ length: Number(str('seeds') ?? 5) }, (_, i) => i + 1);
      reportOpinionCv(io, s, lopo, KIND_RULES_UNSEEN_PARTS, seeds.length ? stratifiedCv(cases, s, [s.threshold], seeds) : null, cases.length);
      return 0;
    }
    if (cmd === 'train-lead') {
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const out = path.resolve(str('out') ?? DEFAULT_FILES.leadModelFile);
      // The rows as suggest() sees them with the rules alone (the classifier's vector and the rules' decision).
      const cases = leadCases(loadRouting({ leadModelFile: null }), LEAD_TRAINING_PARTS, dir);
      const rows = trainingRows(cases);
      const s = LEAD_TRAINING;
      const trainedOn = `派单案例集 ${LEAD_TRAINING_PARTS.join('/')} 中非紧急的 ${rows.length} 条（紧急 ${cases.length - rows.length} 条不参与）；分类器向量；C ${s.C}，${s.balanced ? '类别均衡' : '类别不均衡'}，门槛 ${s.threshold}（按职责划分的决定 ${s.dutyThreshold}），可改判${s.gate === 'ranking' ? '只按事项排名的决定' : s.gate === 'no-duty' ? '未按职责划分的决定' : '险情以外的决定'}，仅用于 ${s.maxChars} 字以内`;
      io.out(`训练数据：${trainedOn}`);
      const file = trainLeadModel(rows, s, trainedOn);
      fs.writeFileSync(out, serializeModel(file));
      io.out(`牵头单位研判模型已写入 ${path.relative(process.cwd(), out) || out}（${file.classes.length} 类，${file.features.length} 个特征，概率标度 ${file.scale}）`);
      return 0;
    }
    if (cmd === 'eval' && opts.has('lead-cv')) {
      // As --kind-cv: leave one part out against today's rules (development figures on the training parts; an untrained
      // part unseen by rules and model), then repeated stratified 5-fold CV (routing/README.md, "The lead unit: the learned second opinion").
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const num = (k: string, d: number) => (str(k) === undefined ? d : Number(str(k)));
      const s: LeadSettings = { C: num('C', LEAD_TRAINING.C), balanced: opts.has('balanced') || LEAD_TRAINING.balanced, threshold: num('threshold', LEAD_TRAINING.threshold), dutyThreshold: num('duty-threshold', LEAD_TRAINING.dutyThreshold), gate: (str('gate') ?? LEAD_TRAINING.gate) as LeadGate, maxRankConfidence: num('max-rank-confidence', LEAD_TRAINING.maxRankConfidence), maxChars: num('max-chars', LEAD_TRAINING.maxChars), maxTypeRank: num('max-type-rank', LEAD_TRAINING.maxTypeRank) };
      const routing = loadRouting({ leadModelFile: null });
      const units = engineOf(routing).units;
      const cases = leadCases(routing, CASEBOOK_PARTS, dir);
      io.out(`设置：C ${s.C}，${s.balanced ? '类别均衡' : '不均衡'}，门槛 ${s.threshold}（按职责划分的决定 ${s.dutyThreshold}），规则可被改判：${s.gate}，排名把握 < ${s.maxRankConfidence}，${s.maxChars} 字以内；${cases.length} 条派单案例（规则判为紧急的 ${cases.filter((c) => !c.row).length} 条不改判）`);
      const lopo = leadLeaveOnePartOut(cases, units, LEAD_TRAINING_PARTS, CASEBOOK_PARTS, s, [s.threshold]);
      const seeds = opts.has('no-cv') ? [] : Array.from({ length: Number(str('seeds') ?? 5) }, (_, i) => i + 1);
      reportOpinionCv(io, s, lopo, UNTRAINED_PARTS, seeds.length ? leadStratifiedCv(cases, units, s, [s.threshold], seeds) : null, cases.length);
      return 0;
    }
    if (cmd === 'eval' && opts.has('emergency-cv')) {
      // Leave one casebook part out: the model trained on the others (and the board), the triage (rules
      // + model) scored on the part it never saw. The rules themselves were fixed against every part, so
      // the model alone is scored too (its own recall and false alarms at its flag threshold, and AUC):
      // that is what tells how it does on wordings it never saw. Mean ± sd over the parts at the end.
      // A part the emergency model is not trained on (EMERGENCY_UNTRAINED_PARTS) joins no other part's training; its own model is the one
      // trained on every training part.
      const dataDir = path.resolve(str('data') ?? DEFAULT_DATA_DIR);
      const board = path.join(dataDir, 'appeals-unlabelled.csv');
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const num = (k: string) => (str(k) === undefined ? undefined : Number(str(k)));
      // --written a.jsonl,b.jsonl: the texts written for the model instead of WRITTEN_FILES (to measure them).
      const written = str('written') === undefined ? WRITTEN_FILES : str('written')!.split(',').filter(Boolean).map((f) => path.resolve(f));
      const train = { C: num('C'), minDf: num('min-df'), positiveWeight: num('positive-weight') };
      const flagAt = num('flag');
      // --model-only: the model alone (no suggest() runs: a quick comparison of training settings).
      const modelOnly = opts.has('model-only');
      const rulesOnly = modelOnly ? null : loadRouting({ emergencyModelFile: null });
      const summary: Record<string, unknown> = {};
      const rows: Array<Record<string, number>> = [];
      for (const part of CASEBOOK_PARTS) {
        const others = EMERGENCY_TRAINING_PARTS.filter((p) => p !== part);
        const file = trainEmergencyModel(emergencyExamples(others, fs.existsSync(board) ? board : null, dir, written), { trainedOn: `all but ${part}`, ...train });
        if (flagAt !== undefined) file.thresholds = { ...file.thresholds, flag: flagAt };
        const cases = readEmergencyCases(path.join(dir, `emergency-${part}.jsonl`));
        const alone = modelAlone(file, cases, readRoutingCases(path.join(dir, `routing-${part}.jsonl`)));
        const a = rulesOnly ? evaluateCasebooks((x) => rulesOnly.suggest(x), part, dir).emergency : null;
        const withModel = modelOnly ? null : loadRouting({}, file);
        const b = withModel ? evaluateCasebooks((x) => withModel.suggest(x), part, dir).emergency : null;
        io.out(
          `${part}：${a ? `仅规则 召回 ${a.recall}% 误报 ${a.falseAlarms}%` : ''} ｜ 规则+模型（模型未见此部分）${b ? `召回 ${b.recall}% 误报 ${b.falseAlarms}% 险情 ${b.danger}% 处置单位 ${b.actingUnit}%` : '（未测）'} ｜ 模型单独 召回 ${alone.recall}% 误报 ${alone.falseAlarms}%（派单案例中非紧急误报 ${alone.routingFalseAlarms}%）AUC ${alone.auc}`,
        );
        summary[part] = { rules: a && { recall: a.recall, falseAlarms: a.falseAlarms }, withModel: b && { recall: b.recall, falseAlarms: b.falseAlarms, danger: b.danger, actingUnit: b.actingUnit }, modelAlone: alone };
        rows.push({ ...alone, ...(b ? { withRecall: b.recall, withFalseAlarms: b.falseAlarms } : {}) });
      }
      const stat = (k: string) => {
        const xs = rows.map((r) => r[k]).filter((x) => x !== undefined);
        const mean = xs.reduce((p, q) => p + q, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((p, q) => p + (q - mean) ** 2, 0) / Math.max(1, xs.length - 1));
        return `${mean.toFixed(1)} ± ${sd.toFixed(1)}`;
      };
      io.out(`各部分平均（均值 ± 标准差，${rows.length} 部分）：模型单独 召回 ${stat('recall')}% 误报 ${stat('falseAlarms')}% 派单案例误报 ${stat('routingFalseAlarms')}% AUC ${stat('auc')}；规则+模型 召回 ${stat('withRecall')}% 误报 ${stat('withFalseAlarms')}%`);
      io.out(JSON.stringify(summary));
      return 0;
    }
    if (cmd === 'eval' && opts.has('casebooks')) {
      const dir = path.resolve(str('casebooks') ?? CASEBOOK_DIR);
      const routing = loadRouting(str('model') ? { modelFile: str('model') } : {});
      const summary: Record<string, unknown> = {};
      for (const part of CASEBOOK_PARTS) {
        const r = evaluateCasebooks((x) => routing.suggest(x), part, dir);
        for (const line of casebookLines(r, opts.has('verbose'))) io.out(line);
        const { misses: _e, ...emergency } = r.emergency;
        const { misses: _r, ...dispatch } = r.routing;
        summary[part] = { emergency, routing: dispatch };
      }
      io.out(JSON.stringify(summary));
      return 0;
    }
    if (cmd === 'cv') {
      const seedCount = Number(str('seeds') ?? 5);
      const folds = Number(str('folds') ?? 5);
      if (!Number.isInteger(seedCount) || seedCount < 1 || seedCount > 50 || !Number.isInteger(folds) || folds < 2 || folds > 20) {
        io.err('--seeds 应为 1–50 的整数，--folds 应为 2–20 的整数');
        return 2;
      }
      const candidates = pickCandidates(str('candidates'));
      if (typeof candidates === 'string') {
        io.err(`没有名为“${candidates}”的候选，可选：${CANDIDATES.map((c) => c.name).join('，')}`);
        return 2;
      }
      const dataDir = path.resolve(str('data') ?? DEFAULT_DATA_DIR);
      if (!fs.existsSync(path.join(dataDir, 'appeals-labelled.csv'))) {
        io.err(`找不到训练数据：${dataDir}/appeals-labelled.csv`);
        return 2;
      }
      const taxonomy = parseTaxonomy(readJson(DEFAULT_FILES.taxonomyFile, '事项类型目录'), parseUnits(readJson(DEFAULT_FILES.unitsFile, '单位')));
      const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
      const data = readTrainingData(dataDir);
      const docs = { units: readJson(DEFAULT_FILES.unitsFile, '单位'), taxonomy: readJson(DEFAULT_FILES.taxonomyFile, '事项类型目录'), gazetteer: readJson(DEFAULT_FILES.gazetteerFile, '地名表') };
      const corrections: Correction[] = opts.has('pipeline') && io.corrections ? await io.corrections() : [];
      const results = runCvReport(data, taxonomy, {
        seeds,
        folds,
        candidates: opts.has('pipeline') ? [{ name: 'routing train + suggest()', params: DEFAULT_PARAMS }] : candidates,
        predictor: opts.has('pipeline') ? (c) => pipelinePredictor(c, data, docs, DEFAULT_PARAMS, corrections) : undefined,
        out: io.out,
      });
      io.out(
        JSON.stringify(
          results.map((r) => ({
            name: r.name,
            seeds,
            folds,
            macroF1: r.macroF1,
            accuracy: r.accuracy,
            perClass: r.perClass,
            outside: r.outside,
            ms: r.ms,
          })),
        ),
      );
      return 0;
    }
    if (cmd === 'eval') {
      const file = str('data');
      if (!file) {
        io.err('缺少 --data 文件.csv');
        return 2;
      }
      if (!fs.existsSync(file)) {
        io.err(`找不到文件：${file}`);
        return 2;
      }
      const rows = parseCsvObjects(fs.readFileSync(file, 'utf8'));
      if (!rows.length || !('label' in rows[0]) || !('text' in rows[0])) {
        io.err('CSV 需要表头，且至少包含 text 和 label 列（title 可选）');
        return 2;
      }
      const labelled = rows.filter((r) => r.label.trim());
      const routing = loadRouting(str('model') ? { modelFile: str('model') } : {});
      const predicted = labelled.map((r) => routing.suggest({ title: r.title ?? '', text: r.text }).category);
      const m = metrics(
        labelled.map((r) => r.label.trim()),
        predicted,
      );
      for (const line of metricsTable(m)) io.out(line);
      if (labelled.length < rows.length) io.err(`${rows.length - labelled.length} 行没有 label，未计入`);
      io.out(JSON.stringify({ n: m.n, accuracy: m.accuracy, macroF1: m.macroF1 }));
      return 0;
    }
    for (const line of USAGE) (cmd && cmd !== 'help' && cmd !== '--help' ? io.err : io.out)(line);
    return cmd && cmd !== 'help' && cmd !== '--help' ? 2 : 0;
  } catch (e) {
    io.err(`出错：${(e as Error).message}`);
    return 1;
  }
}

/**
 * What `eval --kind-cv` and `eval --lead-cv` print: per part left out the rules, the model alone and the blend; the mean
 * ± sd over the training parts; the repeated stratified CV; then the figures as one JSON line.
 */
function reportOpinionCv(io: RoutingCliIo, settings: object, lopo: PartFigures[], unseen: readonly string[], cv: PartFigures[] | null, n: number): void {
  for (const r of lopo) io.out(`${r.part}（${r.n} 条${unseen.includes(r.part) ? '，规则与模型均未见过' : '，规则已按此部分修正'}）：规则 ${r.rules}% ｜ 模型单独 ${r.model}% ｜ 规则+模型 ${r.blend[0]}%`);
  const trained = lopo.filter((r) => !UNTRAINED_PARTS.includes(r.part as never));
  const st = (xs: PartFigures[], k: (r: PartFigures) => number) => {
    const m = meanSd(xs.map(k));
    return `${m.mean} ± ${m.sd}`;
  };
  io.out(`逐一留出（${trained.length} 个训练部分，均值 ± 标准差）：规则 ${st(trained, (r) => r.rules)}% ｜ 模型单独 ${st(trained, (r) => r.model)}% ｜ 规则+模型 ${st(trained, (r) => r.blend[0])}%`);
  const summary: Record<string, unknown> = { settings, lopo: Object.fromEntries(lopo.map((r) => [r.part, { n: r.n, rules: r.rules, model: r.model, blend: r.blend[0] }])) };
  if (cv) {
    const m = (k: (r: PartFigures) => number) => meanSd(cv.map(k));
    const [a, b, c] = [m((r) => r.rules), m((r) => r.model), m((r) => r.blend[0])];
    io.out(`重复分层 5 折交叉验证（全部 ${n} 条，${cv.length} 个种子，均值 ± 标准差）：规则 ${a.mean} ± ${a.sd}% ｜ 模型单独 ${b.mean} ± ${b.sd}% ｜ 规则+模型 ${c.mean} ± ${c.sd}%`);
    summary.cv = { seeds: cv.length, rules: a, model: b, blend: c };
  }
  io.out(JSON.stringify(summary));
}
