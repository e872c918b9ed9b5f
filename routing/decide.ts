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
