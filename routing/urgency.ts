// Emergency triage by meaning: danger patterns over word classes (a hazard noun,
// a happening-now predicate, a person at risk), with negation, hypotheticals and
// worries, past events, reports of elsewhere, risks ("火灾隐患") and aftermath
// ("赔偿", "报销") handled on the predicate. The rules are data
// (city/demo/dangers.json, validated at load); this file is the matcher. Pure and
// cheap: one pass of a phrase index over the text, then a few comparisons per hit.
// The same triage serves typed appeals, call transcripts and keyword-spotting hits.
import type { EmergencyModel } from './emergency-model';
import type { CategoryModel } from './model';
import { RoutingConfigError } from './errors';
import { gramCode } from './features';
import { isPhraseList, matchAt, patternProblems, possibleIds, uniformPattern, WordClasses, type Hit, type Pattern } from './patterns';
import { PhraseMatcher, type PhraseHit } from './phrases';
import type { Taxonomy, Units } from './taxonomy';

const MARKER_KINDS = ['negation', 'hypothetical', 'past', 'reported', 'now', 'after', 'aftermath', 'cleared', 'question'] as const;
type MarkerKind = (typeof MARKER_KINDS)[number];

export type DangerPattern = Pattern;

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
  /**
   * Aftermath or cleared words that do not end this danger: victims taken to hospital end an injury, but not
   * a gas leak, a spill or a poisoned meal, whose source is still there; the power cut off (闸拉了) ends an
   * electric danger, not a hand still caught in the machine.
   */
  aftermathExcept?: string[];
  /**
   * Phrases that say nobody is in this danger (里面没人, 没人被困), anywhere in the text: they end a lift stopped or a
   * door shut with nobody inside, not a fire or a leak, which is a danger with nobody there too.
   */
  nobodyThere?: string[];
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


/** The rescue service's event type (抢险救援, 消防): people trapped, buried or cut off. */
const RESCUE_TYPE = 'ZF-0106';
/** Characters (CJK, letters, digits) below which the model's opinion is not asked: a keyword, a fragment. */
const MODEL_MIN_CHARS = 8;
const MODEL_WHY = '整句不像正在发生的险情（研判模型）';

function countGramChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length && n < MODEL_MIN_CHARS; i++) if (gramCode(text.charCodeAt(i)) >= 0) n++;
  return n;
}

/** Sentence ends: hypothetical/past markers do not reach across them. */
const HARD = /[。！？!?；;\n]/;
/**
 * Spoken fillers and pauses between a negation and its predicate (防那个一氧化碳中毒, 没 就是说 着火):
 * the negation still holds across them.
 */
const FILLERS_ONLY = /^(?:\s|那个|这个|就是说|就是|嗯|呃|啊)+$/;
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
  cleared: '已经解除',
  question: '询问常识',
};

/**
 * The rule with every field present (undefined where the file has none), its sources likewise: the
 * file's optional keys give its objects many shapes, and ruleTriage reads them in its loops (an
 * optimised function that meets a shape it has not seen is thrown away and compiled again).
 */
function uniformRule(r: DangerRule): DangerRule {
  const u: DangerRule = {
    code: r.code,
    name: r.name,
    window: r.window,
    patterns: r.patterns,
    eventType: r.eventType,
    coUnits: r.coUnits,
    sources: r.sources?.map((x) => withRest({ concept: x.concept, eventType: x.eventType, coUnits: x.coUnits, only: x.only, unlessConcept: x.unlessConcept }, x)),
    spoken: r.spoken,
    aftermathExcept: r.aftermathExcept,
    nobodyThere: r.nobodyThere,
  };
  return withRest(u, r);
}

/** `u` with every other own field of `from` added after its own (a field the copy does not name is never lost). */
function withRest<T extends object>(u: T, from: T): T {
  for (const k of Object.keys(from)) if (!(k in u)) (u as Record<string, unknown>)[k] = (from as Record<string, unknown>)[k];
  return u;
}

export class DangerTriage {
  private readonly words: WordClasses;
  private readonly markers: PhraseMatcher;
  private readonly markerKind = new Map<string, MarkerKind[]>();
  private readonly markerBlocks: Set<string>;
  readonly version: string;
  readonly rules: readonly DangerRule[];
  /** Per rule, in file order: its window and its patterns in one shape (uniformPattern), for triage(). */
  private readonly matchers: ReadonlyArray<{ rule: DangerRule; window: number; patterns: Pattern[]; ids: Int32Array[] }>;

  /** `ownerOf(eventType)`: the unit that acts for a type, added as co-handler when its danger is not the main one. */
  constructor(
    doc: DangersDoc,
    private readonly ownerOf: (eventType: string) => string,
  ) {
    this.version = doc.version;
    this.rules = doc.dangers;
    const words = (this.words = new WordClasses(doc.concepts, doc.blocks));
    this.matchers = doc.dangers.map((rule) => ({
      rule: uniformRule(rule),
      window: rule.window,
      patterns: rule.patterns.map(uniformPattern),
      ids: rule.patterns.map((p) => Int32Array.from(p.all, (c) => words.classId(c))),
    }));
    for (const k of MARKER_KINDS)
      for (const w of doc.markers[k]) {
        const c = this.markerKind.get(w);
        if (c) c.push(k);
        else this.markerKind.set(w, [k]);
      }
    this.markerBlocks = new Set(doc.markers.markerBlocks);
    this.markers = new PhraseMatcher([...this.markerKind.keys(), ...this.markerBlocks]);
  }

  /** The phrase matchers of the danger words and of the markers (for a shared scan: phrases.ts, PhraseScan). */
  get phraseMatchers(): { words: PhraseMatcher; markers: PhraseMatcher } {
    return { words: this.words.phraseMatcher, markers: this.markers };
  }

  /** The learned second opinion (emergency-model.ts); null: the rules alone. */
  private model: EmergencyModel | null = null;

  useModel(model: EmergencyModel | null): void {
    this.model = model;
  }

  /**
   * Dangers in a text (normalised appeal text, a transcript, or a spotted keyword): the rules,
   * then the model's opinion of the whole utterance. A rule finding stands unless the model is
   * sure the utterance is not an emergency; with none (and none set aside), the model alone can find one. A few words
   * (a spotted keyword, a fragment) are too little for the model: the rules alone decide them.
   * `found`: the hits of phraseMatchers on `text`, when a shared scan found them already. `walked`: the
   * category model whose last vectorizeColumns walked this same text (title and body of `text`), when the
   * emergency model is attached to it (EmergencyModel.attach): its score is then read from that walk.
   */
  triage(text: string, found?: { words: readonly PhraseHit[]; markers: readonly PhraseHit[] }, walked?: CategoryModel): TriageResult {
    const r = this.ruleTriage(text, found);
    const m = this.model;
    if (!m || countGramChars(text) < MODEL_MIN_CHARS) return r;
    const score = (walked && m.walkScore(walked)) ?? m.score(text);
    const { flag, keep } = m.thresholds;
    if (r.emergency) {
      if (score > keep) return r;
      const dismissed = [...r.findings.map((f) => ({ code: f.code, name: f.name, words: f.words, why: MODEL_WHY })), ...r.dismissed];
      return { emergency: false, findings: [], dismissed, dispatch: null, reason: `提到${dismissed.map((d) => `“${d.words.join('、')}”（${d.why}）`).join('、')}，未按紧急处理` };
    }
    // A danger the rules heard and set aside (negated, past, hypothetical, aftermath) stays set aside:
    // the model reads n-grams and cannot see 没有 or 好几天了.
    if (score <= flag || r.dismissed.length) return r;
    const o = m.opinion(text);
    const rule = this.rules.find((x) => x.code === o.danger);
    if (!rule) return r;
    const words = o.cues.length ? o.cues : [rule.name];
    // People who must be freed make it a rescue whatever the cause (principle 6 of routing/README.md): the danger's
    // sources that send it to the rescue service apply as for a rule finding, read anywhere in the text (the model has
    // no predicate to measure from: a cause's unit, a tree or a manhole, is not guessed that way).
    let eventType = rule.eventType;
    const co = [...(rule.coUnits ?? [])];
    if (rule.sources?.length) {
      const byClass = this.words.hits(text);
      for (const s of rule.sources) {
        if (s.eventType !== RESCUE_TYPE || s.only || !byClass.has(s.concept) || (s.unlessConcept && byClass.has(s.unlessConcept))) continue;
        if (s.eventType) eventType = s.eventType;
        co.push(...(s.coUnits ?? []));
        if (s.eventType) break;
      }
    }
    return {
      emergency: true,
      findings: [{ code: rule.code, name: rule.name, words, index: -1 }],
      dismissed: r.dismissed,
      dispatch: { eventType, coUnits: [...new Set(co)] },
      reason: `紧急：疑似${rule.name}（整句与紧急求助相似，听到“${words.join('、')}”；研判模型判断，请接线员核实）`,
    };
  }

  private ruleTriage(text: string, found?: { words: readonly PhraseHit[]; markers: readonly PhraseHit[] }): TriageResult {
    const empty: TriageResult = { emergency: false, findings: [], dismissed: [], dispatch: null, reason: '' };
    if (!text) return empty;
    const byClass = found ? this.words.hitsOf(text, found.words) : this.words.hits(text);
    if (!byClass.size) return empty;
    // The markers matter only around a pattern's match: most texts have none, so they are read when first needed.
    let marks: Array<Hit & { kinds: MarkerKind[] }> | null = null;
    const markerHits = found?.markers;
    const findings: Array<DangerFinding & { rule: DangerRule; anchorClass: string; anchor: Hit }> = [];
    const dismissed: DismissedDanger[] = [];
    // The imported matchers read once into locals: run through tsx, an imported name is a getter
    // on the other module's exports (a slow generic read on every use), and this loop uses them per pattern.
    const canMatch = possibleIds;
    const matchHere = matchAt;
    const { stamp, call } = this.words;
    for (const { rule, window, patterns, ids } of this.matchers) {
      let found: (typeof findings)[number] | null = null;
      let lost: DismissedDanger | null = null;
      for (let k = 0; k < patterns.length; k++) {
        const p = patterns[k];
        const anchorClass = p.all[p.all.length - 1];
        // matches(p, rule.window, byClass) as plain loops (no generator per pattern).
        if (!canMatch(ids[k], stamp, call)) continue;
        for (const a of byClass.get(anchorClass)!) {
          const m = matchHere(p, window, a, byClass);
          if (!m) continue;
          marks ??= this.markerHits(text, markerHits);
          const why = this.notNow(text, a, marks, rule);
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
        emergency: false,
        findings: [],
        dismissed,
        dispatch: null,
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

  private markerHits(text: string, found?: readonly PhraseHit[]): Array<Hit & { kinds: MarkerKind[] }> {
    const raw = found ?? this.markers.find(text);
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

  /** Why the predicate at `a` is not happening now, or '' when it is. */
  private notNow(text: string, a: Hit, marks: Array<Hit & { kinds: MarkerKind[] }>, rule: DangerRule): string {
    if (rule.nobodyThere) for (const w of rule.nobodyThere) if (text.includes(w)) return `${MARKER_ZH.cleared}：${w}`;
    let past: (Hit & { kinds: MarkerKind[] }) | null = null;
    for (const m of marks) {
      for (const k of m.kinds) {
        if (k === 'negation' && m.end <= a.start && (m.end >= a.start - 1 || FILLERS_ONLY.test(text.slice(m.end, a.start)))) return `${MARKER_ZH[k]}：${m.phrase}`;
        if ((k === 'hypothetical' || k === 'reported' || k === 'past') && m.end <= a.start && m.start >= a.start - MARKER_REACH) {
          if (HARD.test(text.slice(m.end, a.start))) continue;
          if (k === 'past') past = m;
          else return `${MARKER_ZH[k]}：${m.phrase}`;
        }
        if (k === 'after' && m.start >= a.end && m.start <= a.end + (m.phrase.length === 1 ? 0 : 1)) return `${MARKER_ZH[k]}：${m.phrase}`;
        if (k === 'reported' && m.start >= a.end && m.start <= a.end + AFTERMATH_REACH) return `${MARKER_ZH[k]}：${m.phrase}`;
        // The caller says it is over or was never so (没事了, 已扑灭, 是演习, 不是着火): anywhere after the predicate.
        if (k === 'cleared' && m.start >= a.end && !rule.aftermathExcept?.includes(m.phrase)) return `${MARKER_ZH[k]}：${m.phrase}`;
        // A question about what to do in such a danger (应该打哪个电话, 咋急救, 想学学) shortly after it: asking, not reporting.
        if (k === 'question' && m.start >= a.end && m.start <= a.end + AFTERMATH_REACH) return `${MARKER_ZH[k]}：${m.phrase}`;
        if (k === 'aftermath' && m.start >= a.end && m.start <= a.end + AFTERMATH_REACH && !rule.aftermathExcept?.includes(m.phrase)) return `${MARKER_ZH[k]}：${m.phrase}`;
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
  else for (const k of [...MARKER_KINDS, 'markerBlocks'] as const) if (!isPhraseList(doc.markers[k])) errors.push(`markers.${k} 必须是非空字符串数组`);
  if (!Array.isArray(doc.blocks) || !doc.blocks.every((s) => typeof s === 'string' && s)) errors.push('blocks 必须是字符串数组');
  const concepts = doc.concepts && typeof doc.concepts === 'object' ? doc.concepts : {};
  if (!Object.keys(concepts).length) errors.push('险情规则缺少 concepts');
  for (const [c, list] of Object.entries(concepts)) if (!isPhraseList(list)) errors.push(`词类 ${c} 必须是非空字符串数组`);
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
    errors.push(...patternProblems(at, d.patterns, known));
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
    if (!isPhraseList(d.spoken)) errors.push(`${at}：spoken 必须是非空字符串数组（供紧急词检测使用）`);
    if (d.nobodyThere !== undefined && !isPhraseList(d.nobodyThere)) errors.push(`${at}：nobodyThere 必须是非空字符串数组`);
    if (d.aftermathExcept !== undefined) {
      if (!isPhraseList(d.aftermathExcept)) errors.push(`${at}：aftermathExcept 必须是非空字符串数组`);
      else for (const w of d.aftermathExcept) if (!doc.markers?.aftermath?.includes(w) && !doc.markers?.cleared?.includes(w)) errors.push(`${at}：aftermathExcept 的“${w}”不是 markers.aftermath 或 markers.cleared 中的词`);
    }
  }
  if (errors.length) throw new RoutingConfigError(`险情规则校验失败：\n${errors.join('\n')}`);
  const triage = new DangerTriage(doc, (code) => taxonomy.byCode.get(code)!.owner);
  // Each spoken form is what the keyword spotter listens for: on its own it must be this danger.
  const wrong = doc.dangers.flatMap((d) => d.spoken.filter((w) => triage.triage(w).findings[0]?.code !== d.code).map((w) => `${d.code}：“${w}”`));
  if (wrong.length) throw new RoutingConfigError(`险情规则校验失败：以下紧急词单独出现时不被判为对应险情：${wrong.join('、')}`);
  return triage;
}
