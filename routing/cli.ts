// `hotline routing …`: train the model, evaluate it on a CSV. The lead registers
// runRoutingCli under the main CLI; output lines are for staff (zh-CN), the last
// line of `eval` is one JSON object for machines.
import fs from 'node:fs';
import path from 'node:path';
import { parseCsvObjects } from './csv';
import { metrics, metricsTable } from './evaluate';
import { CASEBOOK_DIR, CASEBOOK_PARTS, casebookLines, evaluateCasebooks } from './casebook';
import { crossValidate } from './estimate';
import { DEFAULT_FILES, loadRouting } from './index';
import { parseTaxonomy, parseUnits, readJson } from './taxonomy';
import { DEFAULT_DATA_DIR, readTrainingData, trainModel, type Correction } from './train';

export interface RoutingCliIo {
  out(line: string): void;
  err(line: string): void;
  /** Operators' corrections of the suggested event type (the lead reads them from routing_corrections). */
  corrections?: () => Promise<Array<{ title?: string; text: string; eventType: string }>>;
}

const USAGE = [
  '用法：hotline routing <命令>',
  '  train [--data 目录] [--out 模型文件] [--no-cv]   由 ../shared/data 与接线员纠错重新训练模型（确定性），并交叉验证估计宏F1',
  '  eval --data 文件.csv [--model 模型文件]           在带 title,text,label 列的 CSV 上评估一级分类，最后一行输出 JSON',
  '  eval --casebooks [目录] [--verbose]               在手写案例集（开发部分与留出部分）上评估紧急识别、牵头单位、诉求类型，最后一行输出 JSON',
];

function flags(args: string[]): { opts: Map<string, string | true>; rest: string[] } {
  const opts = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) opts.set(k, v);
      else if (args[i + 1] !== undefined && !args[i + 1].startsWith('--') && k !== 'no-cv' && k !== 'verbose') opts.set(k, args[++i]);
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
      if (!opts.has('no-cv')) {
        const cv = crossValidate(data, docs, corrections);
        const tuningRows = data.gold.length - cv.n;
        model.training = { ...model.training, crossValidation: { folds: 5, n: cv.n, tuningRows, accuracy: cv.accuracy, macroF1: cv.macroF1 } };
        for (const line of metricsTable(cv)) io.out(line);
        io.out(`交叉验证（5折，金标中未用于调参的 ${cv.n} 条；另 ${tuningRows} 条调参用，只参与训练）：准确率 ${cv.accuracy}，宏F1 ${cv.macroF1}`);
      }
      fs.writeFileSync(out, serializeModel(model));
      io.out(`模型已写入 ${path.relative(process.cwd(), out) || out}（词表 ${summary.vocabulary}，${model.categories.length} 个一级分类，用时 ${((Date.now() - t0) / 1000).toFixed(1)} 秒）`);
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
