// The decision table: event type × territory × appeal kind → lead unit,
// co-handling units and deadline class, with the reason in words. Pure.
// The table is written out for people in routing/README.md; test/routing/decide.test.ts
// checks every row.
import { APPEAL_KINDS, type AppealKind, type UrgencyClass } from '../workflow/types';
import { RoutingInputError } from './errors';
import type { Taxonomy, Units } from './taxonomy';

export interface Decision {
  eventType: string;
  leadUnit: string;
  coUnits: string[];
  deadlineClass: UrgencyClass;
  /** Which rule chose the lead: competence (业务主管) or territory (属地). */
  rule: 'competence' | 'territorial';
  /** The territorial matter needs a town and none is known: the operator should name it. */
  needsTown: boolean;
  /** A consult the operator may answer on the call (直接办结). */
  resolvableAtIntake: boolean;
  /** A grid worker may fix it on the spot (自办自结). */
  gridHandleable: boolean;
  reason: string;
}

export interface DecideOptions {
  /** A danger is happening now (urgency.ts): facts and feedback within 1 hour, the unit that acts leads. */
  emergency?: boolean;
  /** Further co-handling units (e.g. the fire brigade informed of people trapped in a lift). */
  coUnits?: readonly string[];
}

const KIND_ZH: Record<AppealKind, string> = {
  consult: '咨询',
  complaint: '投诉',
  help_request: '求助',
  report: '举报',
  suggestion: '建议',
};

export function decide(
  taxonomy: Taxonomy,
  units: Units,
  eventTypeCode: string,
  townCode: string | null,
  kind: AppealKind,
  opts: DecideOptions = {},
): Decision {
  const t = taxonomy.byCode.get(eventTypeCode);
  if (!t) throw new RoutingInputError(`未知的事项类型编码：${String(eventTypeCode)}`);
  if (townCode !== null && units.byCode.get(townCode)?.kind !== 'town') throw new RoutingInputError(`未知的镇街编码：${String(townCode)}`);
  if (!APPEAL_KINDS.includes(kind)) throw new RoutingInputError(`未知的诉求类型：${String(kind)}`);
  const name = (code: string) => units.byCode.get(code)?.name ?? code;

  let lead: string;
  let co: string[];
  let rule: Decision['rule'];
  let why: string;
  let needsTown = false;
  if (t.territory === 'department') {
    lead = t.owner;
    co = [...t.coUnits];
    rule = 'competence';
    why = `“${t.name}”属${name(t.owner)}职责，按业务主管原则由其牵头`;
  } else if (t.territory === 'department_with_town') {
    lead = t.owner;
    co = townCode ? [...t.coUnits, townCode] : [...t.coUnits];
    rule = 'competence';
    why = `“${t.name}”由${name(t.owner)}牵头，${townCode ? `属地${name(townCode)}协办` : '属地镇街未知，请接线员确认后加入协办'}`;
    needsTown = !townCode;
  } else if (!townCode) {
    lead = t.owner;
    co = [...t.coUnits];
    rule = 'competence';
    needsTown = true;
    why = `“${t.name}”属属地管理事项，但未识别出镇街，暂按业务主管原则由${name(t.owner)}牵头；请接线员确认镇街`;
  } else if (opts.emergency) {
    lead = t.owner;
    co = [townCode, ...t.coUnits];
    rule = 'competence';
    why = `紧急险情由处置单位${name(t.owner)}牵头，属地${name(townCode)}协助`;
  } else {
    lead = townCode;
    co = [t.owner, ...t.coUnits];
    rule = 'territorial';
    why = `“${t.name}”属属地管理事项，按属地管理原则由${name(townCode)}牵头，${name(t.owner)}协办`;
  }
  for (const c of opts.coUnits ?? []) if (units.byCode.get(c)?.kind !== 'department') throw new RoutingInputError(`未知的协办单位：${String(c)}`);
  co = [...new Set([...co, ...(opts.coUnits ?? [])])].filter((c) => c !== lead);

  let deadlineClass: UrgencyClass = t.complexity;
  let when = t.complexity === 'complex' ? '复杂事项，5个工作日内办结' : '一般事项，3个工作日内办结';
  if (opts.emergency) {
    deadlineClass = 'emergency';
    when = '紧急事项，1小时内核实情况并反馈';
  } else if (kind === 'suggestion') {
    deadlineClass = 'complex';
    when = '建议类需研究论证，按复杂事项5个工作日内答复';
  }
  const intake = kind === 'consult' ? '；咨询类可由接线员直接答复办结' : '';
  return {
    eventType: t.code,
    leadUnit: lead,
    coUnits: co,
    deadlineClass,
    rule,
    needsTown,
    resolvableAtIntake: kind === 'consult',
    gridHandleable: t.gridHandleable,
    reason: `${KIND_ZH[kind]}：${why}；${when}${intake}。`,
  };
}

/** An event type in the ranking: its index in the catalogue and its confidence. */
export interface RankedType {
  index: number;
  confidence: number;
}

/** What put the first type first, when it was not the ranking. */
export type DecidedBy = 'danger' | 'duty' | 'village' | 'city' | null;

/**
 * The type that decides the dispatch, moved to the front of the ranking (the rest keep
 * their order, three at most): the danger's own type when a danger is happening now (the
 * unit that acts); else the type of the first duty the text names (`duties.json`) unless
 * the ranking's first type is already one of that matter's (then the duty confirms it); then, if that type has a
 * `rural` counterpart and the matter is in a village or a town's own streets, the
 * counterpart (属地管理); when the ranking (no duty) chose such a counterpart for a matter in the city
 * district (`city`: a street office or a compound, no village named), the department's type (业务主管). A type put first by a duty or a village carries the confidence of
 * the type it displaced: the matter is the one the ranking recognised or the rule named,
 * and the classifier has no figure of its own for the rule's choice.
 */
export function leadingType(
  taxonomy: Taxonomy,
  ranked: readonly RankedType[],
  ctx: { dangerType: string | null; duty: { eventType: string; accept: readonly string[] } | null; village: boolean; city?: boolean },
): { ranked: RankedType[]; decidedBy: DecidedBy } {
  const types = taxonomy.eventTypes;
  const indexes = typeIndexesOf(taxonomy);
  const indexOf = (code: string) => indexes.get(code) ?? -1;
  const front = (list: RankedType[], code: string, confidence?: number): RankedType[] => {
    const i = indexOf(code);
    if (i < 0) return list;
    const own = list.find((r) => r.index === i);
    return [{ index: i, confidence: confidence ?? own?.confidence ?? 0 }, ...list.filter((r) => r.index !== i)].slice(0, 3);
  };
  let out = [...ranked];
  let decidedBy: DecidedBy = null;
  if (ctx.dangerType) return { ranked: front(out, ctx.dangerType), decidedBy: 'danger' };
  if (ctx.duty) {
    // The duty decides the matter: it confirms the ranking's first type, or puts its own first.
    if (!(out.length && ctx.duty.accept.includes(types[out[0].index].code))) out = front(out, ctx.duty.eventType, out[0]?.confidence);
    decidedBy = 'duty';
  }
  const rural = out.length ? types[out[0].index].rural : undefined;
  if (rural && ctx.village) {
    out = front(out, rural, out[0].confidence);
    decidedBy = 'village';
  } else if (ctx.city && !ctx.duty && !ctx.village && out.length) {
    // The other side of the territorial line: the ranking chose a village's type (农村私搭乱建) for a
    // matter in the city district (a street office with no village named, or a compound): the
    // department's type it is the counterpart of (城区违法建设).
    const urban = urbanTypesOf(taxonomy).get(types[out[0].index].code);
    if (urban) {
      let pick = urban[0];
      for (const r of out) if (urban.includes(types[r.index].code)) { pick = types[r.index].code; break; }
      out = front(out, pick, out[0].confidence);
      decidedBy = 'city';
    }
  }
  return { ranked: out, decidedBy };
}

/** Per catalogue: each type's code → its index (built once; was a findIndex over the catalogue per rule decision). */
const TYPE_INDEXES = new WeakMap<Taxonomy, Map<string, number>>();
function typeIndexesOf(taxonomy: Taxonomy): Map<string, number> {
  let m = TYPE_INDEXES.get(taxonomy);
  if (!m) {
    m = new Map(taxonomy.eventTypes.map((t, i) => [t.code, i] as [string, number]));
    TYPE_INDEXES.set(taxonomy, m);
  }
  return m;
}

/** Per catalogue: a town-led `rural` counterpart's code → the codes of the types it is the counterpart of (built once). */
const URBAN_TYPES = new WeakMap<Taxonomy, Map<string, string[]>>();
export function urbanTypesOf(taxonomy: Taxonomy): Map<string, string[]> {
  let m = URBAN_TYPES.get(taxonomy);
  if (!m) {
    m = new Map();
    for (const t of taxonomy.eventTypes)
      if (t.rural) {
        const list = m.get(t.rural) ?? [];
        list.push(t.code);
        m.set(t.rural, list);
      }
    URBAN_TYPES.set(taxonomy, m);
  }
  return m;
}
