// Hot spots (热点) and hot words (热词): early warnings for supervisors and words
// for the daily/weekly bulletins. Pure functions over rows the caller passes in.
import { normalize, tokenize } from './text';

export interface HotSpotRow {
  eventType: string;
  town: string | null;
  /** ISO 8601. */
  at: string;
}

export interface HotSpotOptions {
  /** Length of the current window in hours (default 24). */
  windowHours?: number;
  /** How many earlier windows of the same length form the baseline (default 28). */
  baselineWindows?: number;
  /** Fewest appeals in the window to warn (default 3). */
  minCount?: number;
  /** Current count must be at least this multiple of the baseline mean (default 2). */
  ratio?: number;
  /** And this many Poisson standard deviations above it (default 2). */
  minZ?: number;
}

export interface HotSpot {
  eventType: string;
  town: string | null;
  count: number;
  /** Mean count per window over the baseline. */
  baseline: number;
  z: number;
}

/** Event type × town whose count in the latest window rose beyond its own baseline, strongest first. */
export function hotSpots(rows: readonly HotSpotRow[], now: string | Date, options: HotSpotOptions = {}): HotSpot[] {
  const end = now instanceof Date ? now.getTime() : Date.parse(now);
  if (!Number.isFinite(end) || !Array.isArray(rows)) return [];
  const win = (options.windowHours ?? 24) * 3600000;
  const nBase = options.baselineWindows ?? 28;
  const minCount = options.minCount ?? 3;
  const ratio = options.ratio ?? 2;
  const minZ = options.minZ ?? 2;
  const current = new Map<string, number>();
  const past = new Map<string, number>();
  for (const r of rows) {
    const at = Date.parse(r?.at);
    if (!Number.isFinite(at) || typeof r.eventType !== 'string' || at >= end) continue;
    const key = `${r.eventType}\u0000${r.town ?? ''}`;
    if (at >= end - win) current.set(key, (current.get(key) ?? 0) + 1);
    else if (at >= end - win * (nBase + 1)) past.set(key, (past.get(key) ?? 0) + 1);
  }
  const out: HotSpot[] = [];
  for (const [key, count] of current) {
    const baseline = (past.get(key) ?? 0) / nBase;
    const z = (count - baseline) / Math.sqrt(baseline + 1);
    if (count >= minCount && count >= ratio * baseline && z >= minZ) {
      const [eventType, town] = key.split('\u0000');
      out.push({ eventType, town: town || null, count, baseline: Math.round(baseline * 100) / 100, z: Math.round(z * 100) / 100 });
    }
  }
  return out.sort((a, b) => b.z - a.z || b.count - a.count || (a.eventType < b.eventType ? -1 : 1));
}

export interface HotWord {
  word: string;
  /** Appeals of this period containing the word. */
  count: number;
  /** Mean count per earlier period. */
  previous: number;
  rise: number;
}

/**
 * Hot words per period (day or week, in the order given): words in many appeals of
 * the period that were rarer before. Each period is compared with the periods before it.
 */
export function hotWords(
  periods: ReadonlyArray<{ period: string; texts: readonly string[] }>,
  options: { top?: number; minCount?: number } = {},
): Array<{ period: string; words: HotWord[] }> {
  const top = options.top ?? 20;
  const minCount = options.minCount ?? 3;
  const dfs: Array<Map<string, number>> = [];
  const out: Array<{ period: string; words: HotWord[] }> = [];
  for (const p of Array.isArray(periods) ? periods : []) {
    const df = new Map<string, number>();
    for (const t of Array.isArray(p?.texts) ? p.texts : []) for (const w of new Set(tokenize(normalize(t)))) df.set(w, (df.get(w) ?? 0) + 1);
    const words: HotWord[] = [];
    for (const [word, count] of df) {
      if (count < minCount) continue;
      const previous = dfs.length ? dfs.reduce((s, m) => s + (m.get(word) ?? 0), 0) / dfs.length : 0;
      const rise = (count + 1) / (previous + 1);
      words.push({ word, count, previous: Math.round(previous * 100) / 100, rise: Math.round(rise * 100) / 100 });
    }
    words.sort((a, b) => b.rise * Math.log1p(b.count) - a.rise * Math.log1p(a.count) || (a.word < b.word ? -1 : 1));
    out.push({ period: String(p?.period ?? ''), words: words.slice(0, top) });
    dfs.push(df);
  }
  return out;
}
