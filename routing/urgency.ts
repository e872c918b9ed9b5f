// Emergency triage by meaning: danger patterns over word classes (a hazard noun,
// a happening-now predicate, a person at risk), with negation, hypotheticals and
// worries, past events, reports of elsewhere, risks ("火灾隐患") and aftermath
// ("赔偿", "报销") handled on the predicate. The rules are data
// (city/demo/dangers.json, validated at load); this file is the matcher. Pure and
// cheap: one pass of a phrase index over the text, then a few comparisons per hit.
// The same triage serves typed appeals, call transcripts and keyword-spotting hits.
import { RoutingConfigError } from './errors';
import { PhraseMatcher } from './phrases';
import type { Taxonomy, Units } from './taxonomy';

type MarkerKind = 'negation' | 'hypothetical' | 'past' | 'reported' | 'now' | 'after' | 'aftermath';
const MARKER_KINDS: readonly MarkerKind[] = ['negation', 'hypothetical', 'past', 'reported', 'now', 'after', 'aftermath'];

export interface DangerPattern {
  /** Word classes that must all be present; the last is the predicate the time/negation checks apply to. */
  all: string[];
  /** Word classes that cancel the pattern when present near the predicate. */
  unless?: string[];
  /** The classes must appear in the listed order. */
  ordered?: boolean;
  /** Overrides the danger's window (characters). */
  window?: number;
}

export interface DangerSource {
  /** A word class near the predicate that names what caused the danger. */
  concept: string;
  /** The event type to dispatch instead of the danger's default. */
  eventType?: string;
  coUnits?: string[];
  /** Only when the pattern's predicate is one of these classes. */
  only?: string[];
  /** Not when this class is present. */
  unlessConcept?: string;
}

export interface DangerRule {
  code: string;
  name: string;
  window: number;
  patterns: DangerPattern[];
  /** The event type whose unit acts (lead by the decision table). */
  eventType: string;
  coUnits?: string[];
  sources?: DangerSource[];
  /** Short spoken forms for the keyword spotter; each must be triaged as this danger on its own. */
  spoken: string[];
}

export interface DangersDoc {
  version: string;
  markers: Record<MarkerKind | 'markerBlocks', string[]>;
  blocks: string[];
  concepts: Record<string, string[]>;
  dangers: DangerRule[];
}

export interface DangerFinding {
  code: string;
  name: string;
  /** The caller's words that made the pattern. */
  words: string[];
  index: number;
}

export interface DismissedDanger {
  code: string;
  name: string;
  words: string[];
  /** Why it is not treated as an emergency, for the operator (e.g. "假设：万一"). */
  why: string;
}

export interface TriageResult {
  emergency: boolean;
  /** Dangers found, the one that decides the dispatch first. */
  findings: DangerFinding[];
  /** Danger words heard but not happening now (negated, hypothetical, past…). */
  dismissed: DismissedDanger[];
  /** The event type and extra co-handling units for the unit that acts; null when not an emergency. */
  dispatch: { eventType: string; coUnits: string[] } | null;
  /** In words, for the operator. Empty when nothing was heard. */
  reason: string;
}

interface Hit {
  start: number;
  end: number;
  phrase: string;
}

const isStrs = (x: unknown): x is string[] => Array.isArray(x) && x.length > 0 && x.every((s) => typeof s === 'string' && s.length > 0);

/** Sentence ends: hypothetical/past markers do not reach across them. */
const HARD = /[。！？!?；;\n]/;
/** How far before the predicate a hypothetical, past or reported marker counts. */
const MARKER_REACH = 20;
/** A calendar date before the predicate (2017年12月5日, 元月十一号, 去年冬): the caller tells of a past event. */
const DATE = /(?:\d{2,4}|[一二三四五六七八九零〇]{2,4})年|(?:\d{1,2}|[一二三四五六七八九十元正腊冬]{1,2})月(?:\d{1,2}|[一二三四五六七八九十初]{1,3})?[日号]?(?![楼单栋])/g;
/** How far after the predicate an aftermath word ("赔偿") cancels it. */
const AFTERMATH_REACH = 12;
/** How far from the predicate a source word ("井盖") is looked for. */
const SOURCE_REACH = 40;

const MARKER_ZH: Record<MarkerKind, string> = {
  negation: '否定',
  hypothetical: '假设或担心',
  past: '已经过去',
  reported: '转述别处',
  now: '',
  after: '隐患或事后',
  aftermath: '事后处理',
};

export class DangerTriage {
  private readonly words: PhraseMatcher;
  private readonly wordClasses = new Map<string, string[]>();
  private readonly blocks: Set<string>;
  private readonly markers: PhraseMatcher;
  private readonly markerKind = new Map<string, MarkerKind[]>();
  private readonly markerBlocks: Set<string>;
  readonly version: string;
  readonly rules: readonly DangerRule[];

  /** `ownerOf(eventType)`: the unit that acts for a type, added as co-handler when its danger is not the main one. */
  constructor(
    doc: DangersDoc,
    private readonly ownerOf: (eventType: string) => string,
  ) {
    this.version = doc.version;
    this.rules = doc.dangers;
    for (const [concept, list] of Object.entries(doc.concepts))
      for (const w of list) {
        const c = this.wordClasses.get(w);
        if (c) c.push(concept);
        else this.wordClasses.set(w, [concept]);
      }
    this.blocks = new Set(doc.blocks);
    this.words = new PhraseMatcher([...this.wordClasses.keys(), ...this.blocks]);
    for (const k of MARKER_KINDS)
      for (const w of doc.markers[k]) {
        const c = this.markerKind.get(w);
        if (c) c.push(k);
        else this.markerKind.set(w, [k]);
      }
    this.markerBlocks = new Set(doc.markers.markerBlocks);
    this.markers = new PhraseMatcher([...this.markerKind.keys(), ...this.markerBlocks]);
  }

  /** Dangers in a text (normalised appeal text, a transcript, or a spotted keyword). */
  triage(text: string): TriageResult {
    const empty: TriageResult = { emergency: false, findings: [], dismissed: [], dispatch: null, reason: '' };
    if (!text) return empty;
    const byClass = this.classHits(text);
    if (!byClass.size) return empty;
    const marks = this.markerHits(text);
    const findings: Array<DangerFinding & { rule: DangerRule; anchorClass: string; anchor: Hit }> = [];
    const dismissed: DismissedDanger[] = [];
    for (const rule of this.rules) {
      let found: (typeof findings)[number] | null = null;
      let lost: DismissedDanger | null = null;
      for (const p of rule.patterns) {
        const anchorClass = p.all[p.all.length - 1];
        for (const a of byClass.get(anchorClass) ?? []) {
          const m = this.match(p, rule.window, a, byClass);
          if (!m) continue;
          const why = this.notNow(text, a, marks);
          const words = [...new Set(m.map((h) => h.phrase))];
          if (why) {
            lost ??= { code: rule.code, name: rule.name, words, why };
            continue;
          }
          found = { code: rule.code, name: rule.name, words, index: a.start, rule, anchorClass, anchor: a };
          break;
        }
        if (found) break;
      }
      if (found) findings.push(found);
      else if (lost) dismissed.push(lost);
    }
    if (!findings.length) {
      return {
        ...empty,
        dismissed,
        reason: dismissed.length ? `提到${dismissed.map((d) => `“${d.words.join('、')}”（${d.why}）`).join('、')}，未按紧急处理` : '',
      };
    }
    const first = findings[0];
    let eventType = first.rule.eventType;
    const co: string[] = [...(first.rule.coUnits ?? [])];
    for (const s of first.rule.sources ?? []) {
      if (s.only && !s.only.includes(first.anchorClass)) continue;
      if (s.unlessConcept && byClass.has(s.unlessConcept)) continue;
      const near = (byClass.get(s.concept) ?? []).some((h) => Math.abs(h.start - first.anchor.start) <= SOURCE_REACH);
      if (!near) continue;
      if (s.eventType) eventType = s.eventType;
      co.push(...(s.coUnits ?? []));
      if (s.eventType) break;
    }
    const others = findings.slice(1);
    const reason =
      `紧急：${first.name}（听到“${first.words.join('、')}”）` +
      (others.length ? `；另有${others.map((f) => `${f.name}（“${f.words.join('、')}”）`).join('、')}` : '');
    return {
      emergency: true,
      findings: findings.map(({ code, name, words, index }) => ({ code, name, words, index })),
      dismissed,
      dispatch: { eventType, coUnits: [...new Set([...co, ...others.map((f) => this.ownerOf(f.rule.eventType))])] },
      reason,
    };
  }

  /** Word-class hits, those inside a blocking phrase removed. */
  private classHits(text: string): Map<string, Hit[]> {
    const raw = this.words.find(text);
    const blocked: Array<[number, number]> = [];
    for (const h of raw) if (this.blocks.has(h.phrase)) blocked.push([h.index, h.index + h.phrase.length]);
    const out = new Map<string, Hit[]>();
    for (const h of raw) {
      const classes = this.wordClasses.get(h.phrase);
      if (!classes) continue;
      const start = h.index;
      const end = start + h.phrase.length;
      if (blocked.some(([s, e]) => start >= s && end <= e && e - s > end - start)) continue;
      for (const c of classes) {
        const list = out.get(c);
        const hit = { start, end, phrase: h.phrase };
        if (list) list.push(hit);
        else out.set(c, [hit]);
      }
    }
    // In text order; at one position the longest phrase first (漏了 before 漏).
    for (const list of out.values()) list.sort((x, y) => x.start - y.start || y.end - x.end);
    return out;
  }

  private markerHits(text: string): Array<Hit & { kinds: MarkerKind[] }> {
    const raw = this.markers.find(text);
    const blocked: Array<[number, number]> = [];
    for (const h of raw) if (this.markerBlocks.has(h.phrase)) blocked.push([h.index, h.index + h.phrase.length]);
    const out: Array<Hit & { kinds: MarkerKind[] }> = [];
    for (const h of raw) {
      const kinds = this.markerKind.get(h.phrase);
      if (!kinds) continue;
      const start = h.index;
      const end = start + h.phrase.length;
      if (blocked.some(([s, e]) => start >= s && end <= e && e - s > end - start)) continue;
      out.push({ start, end, phrase: h.phrase, kinds });
    }
    return out;
  }

  /** The hits that make the pattern around this predicate hit, or null. */
  private match(p: DangerPattern, ruleWindow: number, a: Hit, byClass: Map<string, Hit[]>): Hit[] | null {
    const window = p.window ?? ruleWindow;
    for (const u of p.unless ?? []) if ((byClass.get(u) ?? []).some((h) => Math.abs(h.start - a.start) <= window)) return null;
    const chosen: Hit[] = [a];
    let next = a; // ordered: each class must end before the next one starts, within the window
    for (let i = p.all.length - 2; i >= 0; i--) {
      const cands = byClass.get(p.all[i]) ?? [];
      let best: Hit | null = null;
      for (const h of cands) {
        if (h.start < a.end && h.end > a.start) continue; // overlaps the predicate
        if (p.ordered) {
          if (h.end > next.start || next.start - h.end > window) continue;
          if (!best || h.start > best.start) best = h;
        } else if (Math.abs(h.start - a.start) <= window) {
          if (!best || Math.abs(h.start - a.start) < Math.abs(best.start - a.start)) best = h;
        }
      }
      if (!best) return null;
      chosen.unshift(best);
      next = best;
    }
    return chosen;
  }

  /** Why the predicate at `a` is not happening now, or '' when it is. */
  private notNow(text: string, a: Hit, marks: Array<Hit & { kinds: MarkerKind[] }>): string {
    let past: (Hit & { kinds: MarkerKind[] }) | null = null;
    for (const m of marks) {
      for (const k of m.kinds) {
        if (k === 'negation' && m.end <= a.start && m.end >= a.start - 1) return `${MARKER_ZH[k]}：${m.phrase}`;
        if ((k === 'hypothetical' || k === 'reported' || k === 'past') && m.end <= a.start && m.start >= a.start - MARKER_REACH) {
          if (HARD.test(text.slice(m.end, a.start))) continue;
          if (k === 'past') past = m;
          else return `${MARKER_ZH[k]}：${m.phrase}`;
        }
        if (k === 'after' && m.start >= a.end && m.start <= a.end + (m.phrase.length === 1 ? 0 : 1)) return `${MARKER_ZH[k]}：${m.phrase}`;
        if (k === 'reported' && m.start >= a.end && m.start <= a.end + AFTERMATH_REACH) return `${MARKER_ZH[k]}：${m.phrase}`;
        if (k === 'aftermath' && m.start >= a.end && m.start <= a.end + AFTERMATH_REACH) return `${MARKER_ZH[k]}：${m.phrase}`;
      }
    }
    if (!past) {
      const before = text.slice(Math.max(0, a.start - MARKER_REACH), a.start);
      for (const d of before.matchAll(DATE)) {
        if (!HARD.test(before.slice((d.index ?? 0) + d[0].length))) {
          past = { start: a.start - before.length + (d.index ?? 0), end: 0, phrase: d[0], kinds: ['past'] };
          break;
        }
      }
    }
    if (past) {
      const p = past;
      const stillNow = marks.some((m) => m.kinds.includes('now') && m.start > p.start && m.start <= a.end + 8);
      if (!stillNow) return `${MARKER_ZH.past}：${p.phrase}`;
    }
    return '';
  }
}

/** Validate city/demo/dangers.json against the catalogue and the units; every problem named. */
export function parseDangers(raw: unknown, taxonomy: Taxonomy, units: Units): DangerTriage {
  const doc = raw as DangersDoc;
  const errors: string[] = [];
  if (!doc || typeof doc.version !== 'string') throw new RoutingConfigError('险情规则缺少 version');
  if (!doc.markers || typeof doc.markers !== 'object') errors.push('险情规则缺少 markers');
  else for (const k of [...MARKER_KINDS, 'markerBlocks'] as const) if (!isStrs(doc.markers[k])) errors.push(`markers.${k} 必须是非空字符串数组`);
  if (!Array.isArray(doc.blocks) || !doc.blocks.every((s) => typeof s === 'string' && s)) errors.push('blocks 必须是字符串数组');
  const concepts = doc.concepts && typeof doc.concepts === 'object' ? doc.concepts : {};
  if (!Object.keys(concepts).length) errors.push('险情规则缺少 concepts');
  for (const [c, list] of Object.entries(concepts)) if (!isStrs(list)) errors.push(`词类 ${c} 必须是非空字符串数组`);
  if (!Array.isArray(doc.dangers) || !doc.dangers.length) errors.push('险情规则缺少 dangers');
  const seen = new Set<string>();
  const known = (c: string) => Object.prototype.hasOwnProperty.call(concepts, c);
  for (const [i, d] of (Array.isArray(doc.dangers) ? doc.dangers : []).entries()) {
    const at = `第 ${i + 1} 条险情（${d?.code ?? '无编码'}）`;
    if (!d || typeof d.code !== 'string' || !/^[a-z_]+$/.test(d.code)) {
      errors.push(`${at}：code 必须是小写英文`);
      continue;
    }
    if (seen.has(d.code)) errors.push(`${at}：code 重复`);
    seen.add(d.code);
    if (typeof d.name !== 'string' || !d.name) errors.push(`${at}：缺少 name`);
    if (!Number.isInteger(d.window) || d.window < 1 || d.window > 200) errors.push(`${at}：window 必须是 1–200 的整数`);
    if (!Array.isArray(d.patterns) || !d.patterns.length) errors.push(`${at}：缺少 patterns`);
    for (const p of Array.isArray(d.patterns) ? d.patterns : []) {
      if (!isStrs(p?.all)) errors.push(`${at}：pattern.all 必须是词类名数组`);
      for (const c of [...(p?.all ?? []), ...(p?.unless ?? [])]) if (!known(c)) errors.push(`${at}：未定义的词类 ${c}`);
      if (p?.window !== undefined && !(Number.isInteger(p.window) && p.window > 0)) errors.push(`${at}：pattern.window 必须是正整数`);
    }
    if (!taxonomy.byCode.has(d.eventType)) errors.push(`${at}：事项类型 ${d.eventType} 不在目录中`);
    const checkUnits = (list: unknown) => {
      if (list === undefined) return;
      if (!Array.isArray(list)) errors.push(`${at}：coUnits 必须是单位编码数组`);
      else for (const u of list) if (units.byCode.get(u)?.kind !== 'department') errors.push(`${at}：协办单位 ${u} 不是职能部门`);
    };
    checkUnits(d.coUnits);
    for (const s of d.sources ?? []) {
      if (!known(s?.concept)) errors.push(`${at}：source 的词类 ${s?.concept} 未定义`);
      if (s?.eventType !== undefined && !taxonomy.byCode.has(s.eventType)) errors.push(`${at}：source 的事项类型 ${s.eventType} 不在目录中`);
      if (s?.unlessConcept !== undefined && !known(s.unlessConcept)) errors.push(`${at}：source 的词类 ${s.unlessConcept} 未定义`);
      checkUnits(s?.coUnits);
    }
    if (!isStrs(d.spoken)) errors.push(`${at}：spoken 必须是非空字符串数组（供紧急词检测使用）`);
  }
  if (errors.length) throw new RoutingConfigError(`险情规则校验失败：\n${errors.join('\n')}`);
  const triage = new DangerTriage(doc, (code) => taxonomy.byCode.get(code)!.owner);
  // Each spoken form is what the keyword spotter listens for: on its own it must be this danger.
  const wrong = doc.dangers.flatMap((d) => d.spoken.filter((w) => triage.triage(w).findings[0]?.code !== d.code).map((w) => `${d.code}：“${w}”`));
  if (wrong.length) throw new RoutingConfigError(`险情规则校验失败：以下紧急词单独出现时不被判为对应险情：${wrong.join('、')}`);
  return triage;
}
