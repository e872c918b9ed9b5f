// Classification metrics: per-class precision/recall/F1, accuracy and macro-F1
// (averaged over the classes present in the gold labels, as the challenge did).

export interface ClassMetrics {
  label: string;
  support: number;
  predicted: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Metrics {
  n: number;
  accuracy: number;
  macroF1: number;
  classes: ClassMetrics[];
}

export function metrics(gold: readonly string[], predicted: ReadonlyArray<string | null>): Metrics {
  const labels = [...new Set(gold)];
  let correct = 0;
  const classes = labels.map((label) => {
    let tp = 0;
    let support = 0;
    let pred = 0;
    gold.forEach((g, i) => {
      if (g === label) support++;
      if (predicted[i] === label) pred++;
      if (g === label && predicted[i] === label) tp++;
    });
    const precision = pred ? tp / pred : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, support, predicted: pred, precision, recall, f1 };
  });
  gold.forEach((g, i) => {
    if (predicted[i] === g) correct++;
  });
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return {
    n: gold.length,
    accuracy: r(gold.length ? correct / gold.length : 0),
    macroF1: r(classes.length ? classes.reduce((s, c) => s + c.f1, 0) / classes.length : 0),
    classes: classes.map((c) => ({ ...c, precision: r(c.precision), recall: r(c.recall), f1: r(c.f1) })),
  };
}

/** The per-class table as aligned text lines (Chinese headers for staff). */
export function metricsTable(m: Metrics): string[] {
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
  const f = (x: number) => x.toFixed(3).padStart(7);
  const lines = [`${pad('类别', 18)}${'精确率'.padStart(5)}${'召回率'.padStart(5)}${'F1'.padStart(7)}${'样本数'.padStart(5)}`];
  for (const c of m.classes) lines.push(`${pad(c.label, 18)}${f(c.precision)}${f(c.recall)}${f(c.f1)}${String(c.support).padStart(8)}`);
  lines.push(`${pad('宏平均', 18)}${' '.repeat(14)}${f(m.macroF1)}${String(m.n).padStart(8)}`);
  lines.push(`准确率 ${m.accuracy.toFixed(4)}`);
  return lines;
}
