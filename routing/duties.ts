// The division of duties (职责划分, a 12345 centre's 派单目录) as data: which matters the
// town or street office leads (属地管理) and which the competent department leads
// (业务主管), whatever the classifier thinks (city/demo/duties.json, validated at load).
// Each duty recognises its matter by word-class patterns (the same engine as the
// emergency triage) and names the catalogue type whose owner/territory the decision
// table then applies. Pure.
import { RoutingConfigError } from './errors';
import type { PhraseHit, PhraseMatcher } from './phrases';
import { isPhraseList, matchAt, patternProblems, possibleIds, uniformPattern, WordClasses, type Pattern } from './patterns';
import type { Taxonomy } from './taxonomy';

export interface DutyRule {
  code: string;
  /** The matter, as the operator reads it (欠薪（含建筑工地）). */
  matter: string;
  principle: 'territorial' | 'departmental';
  window: number;
  patterns: Pattern[];
  /** The catalogue type of this matter. */
  eventType: string;
  /** Other types of the same matter the classifier may keep. */
  accept?: string[];
  /** The rule of the division of duties, in words. */
  why: string;
}

export interface DutiesDoc {
  version: string;
  principles: Record<string, string>;
  blocks: string[];
  concepts: Record<string, string[]>;
  duties: DutyRule[];
}

export interface DutyMatch {
  code: string;
  matter: string;
  eventType: string;
  /** Types the ranking may keep instead (the duty's own included). */
  accept: string[];
  why: string;
  /** The caller's words that named the matter. */
  words: string[];
}

export class Duties {
  private readonly words: WordClasses;
  readonly version: string;
  readonly rules: readonly DutyRule[];
  /** Per rule, in file order: its window and its patterns in one shape (uniformPattern), for match(). */
  private readonly matchers: ReadonlyArray<{ rule: DutyRule; window: number; patterns: Pattern[]; ids: Int32Array[] }>;

  constructor(doc: DutiesDoc) {
    this.version = doc.version;
    this.rules = doc.duties;
    const words = (this.words = new WordClasses(doc.concepts, doc.blocks));
    this.matchers = doc.duties.map((rule) => ({
      rule,
      window: rule.window,
      patterns: rule.patterns.map(uniformPattern),
      ids: rule.patterns.map((p) => Int32Array.from(p.all, (c) => words.classId(c))),
    }));
  }

  /** The phrase matcher of the duties' word classes (for a shared scan: phrases.ts, PhraseScan). */
  get phraseMatcher(): PhraseMatcher {
    return this.words.phraseMatcher;
  }

  /** The first duty (in file order) whose matter the text names, or null. `found`: its phrase matcher's hits on `text`, from a shared scan. */
  match(text: string, found?: readonly PhraseHit[]): DutyMatch | null {
    const byClass = found ? this.words.hitsOf(text, found) : this.words.hits(text);
    if (!byClass.size) return null;
    // The first match of matches(p, d.window, byClass), as plain loops (no generator per pattern).
    // The imported matchers read once into locals: run through tsx, an imported name is a getter
    // on the other module's exports (a slow generic read on every use), and this loop uses them per pattern.
    const canMatch = possibleIds;
    const matchHere = matchAt;
    const { stamp, call } = this.words;
    for (const { rule: d, window, patterns, ids } of this.matchers)
      for (let k = 0; k < patterns.length; k++) {
        const p = patterns[k];
        if (!canMatch(ids[k], stamp, call)) continue;
        for (const a of byClass.get(p.all[p.all.length - 1])!) {
          const m = matchHere(p, window, a, byClass);
          if (m) return { code: d.code, matter: d.matter, eventType: d.eventType, accept: [d.eventType, ...(d.accept ?? [])], why: d.why, words: [...new Set(m.map((h) => h.phrase))] };
        }
      }
    return null;
  }
}

/** Validate city/demo/duties.json against the catalogue; every problem named. */
export function parseDuties(raw: unknown, taxonomy: Taxonomy): Duties {
  const doc = raw as DutiesDoc;
  if (!doc || typeof doc.version !== 'string') throw new RoutingConfigError('职责划分缺少 version');
  const errors: string[] = [];
  if (!Array.isArray(doc.blocks) || !doc.blocks.every((s) => typeof s === 'string' && s)) errors.push('blocks 必须是字符串数组');
  const concepts = doc.concepts && typeof doc.concepts === 'object' ? doc.concepts : {};
  if (!Object.keys(concepts).length) errors.push('职责划分缺少 concepts');
  for (const [c, list] of Object.entries(concepts)) if (!isPhraseList(list)) errors.push(`词类 ${c} 必须是非空字符串数组`);
  const known = (c: string) => Object.prototype.hasOwnProperty.call(concepts, c);
  if (!Array.isArray(doc.duties) || !doc.duties.length) errors.push('职责划分缺少 duties');
  const seen = new Set<string>();
  for (const [i, d] of (Array.isArray(doc.duties) ? doc.duties : []).entries()) {
    const at = `第 ${i + 1} 条职责（${d?.code ?? '无编码'}）`;
    if (!d || typeof d.code !== 'string' || !/^[a-z_]+$/.test(d.code)) {
      errors.push(`${at}：code 必须是小写英文`);
      continue;
    }
    if (seen.has(d.code)) errors.push(`${at}：code 重复`);
    seen.add(d.code);
    if (typeof d.matter !== 'string' || !d.matter) errors.push(`${at}：缺少 matter`);
    if (typeof d.why !== 'string' || !d.why) errors.push(`${at}：缺少 why`);
    if (d.principle !== 'territorial' && d.principle !== 'departmental') errors.push(`${at}：principle 必须是 territorial 或 departmental`);
    if (!Number.isInteger(d.window) || d.window < 1 || d.window > 200) errors.push(`${at}：window 必须是 1–200 的整数`);
    errors.push(...patternProblems(at, d.patterns, known));
    const t = taxonomy.byCode.get(d.eventType);
    if (!t) errors.push(`${at}：事项类型 ${d.eventType} 不在目录中`);
    else if (d.principle === 'territorial' && t.territory !== 'town') errors.push(`${at}：属地事项的类型 ${t.code} ${t.name} 必须由镇街牵头（territory: town）`);
    else if (d.principle === 'departmental' && t.territory === 'town') errors.push(`${at}：部门事项的类型 ${t.code} ${t.name} 不能由镇街牵头`);
    if (d.accept !== undefined && !(Array.isArray(d.accept) && d.accept.every((c) => taxonomy.byCode.has(c)))) errors.push(`${at}：accept 中有不在目录中的事项类型`);
  }
  if (errors.length) throw new RoutingConfigError(`职责划分校验失败：\n${errors.join('\n')}`);
  return new Duties(doc);
}
