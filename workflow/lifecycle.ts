// The ticket lifecycle as one table of transitions and one pure function that
// applies a transition: it returns the changed ticket and the audit event, or
// throws TransitionRefused and changes nothing. Storage writes both in one
// database transaction.
import { z } from 'zod';
import { isoInstantText } from './instant';
import { Role, SATISFACTION, Ticket, TicketEvent, TicketStatus, URGENCY_CLASSES, UrgencyClass } from './types';
import { InvalidInput, TransitionRefused } from './errors';
import { parseOrThrow } from './intake';

export interface Actor {
  id: number | null;
  role: Role;
  unit: string | null;
}

export interface Clocks {
  ackDueAt: string;
  feedbackDueAt: string | null;
  dueAt: string;
}

export interface UnitInfo {
  code: string;
  kind: 'center' | 'leader' | 'department' | 'town';
  name: string;
}

export interface LifecycleContext {
  now: Date;
  /** The deadlines of a ticket dispatched at `at` (working calendar behind it). */
  clocks(at: Date, urgency: UrgencyClass): Clocks;
  /** Looks a unit up by code; undefined if there is no such unit. */
  unit(code: string): UnitInfo | undefined;
  /** Policy: a consult resolved at intake still gets a return visit (default true). */
  returnVisitAfterIntakeResolution: boolean;
}

export const ACTIONS = [
  'complete_draft', 'resolve_at_intake', 'dispatch', 'acknowledge', 'give_feedback', 'return', 'redispatch',
  'overrule_return', 'reply', 'send_back', 'review_approve', 'request_extension', 'approve_extension',
  'refuse_extension', 'record_return_visit', 'supervise', 'escalate', 'close', 'comment', 'alarm', 'raise_urgency',
  'co_opinion', 'merge', 'unmerge', 'attach_duplicate', 'detach_duplicate', 'follow_main',
] as const;
export type Action = (typeof ACTIONS)[number];

const CENTER: Role[] = ['operator', 'supervisor'];
const LADDER: Role[] = ['leader', 'supervisor'];
const OPEN: TicketStatus[] = ['draft', 'accepted', 'resolved_at_intake', 'dispatched', 'acknowledged', 'returned', 'replied', 'reviewed', 'under_review', 'supervised'];
/** A duplicate can be merged from these (not yet handled by a unit to the end). */
export const MERGEABLE: TicketStatus[] = ['draft', 'accepted', 'dispatched', 'acknowledged', 'returned'];
/** A main ticket takes duplicates while its handling is still to come or under way. */
export const MAIN_OPEN: TicketStatus[] = ['accepted', 'dispatched', 'acknowledged', 'returned', 'replied', 'supervised'];
/** When the main ticket reaches one of these, its duplicates follow (the outcome is there). */
export const MAIN_OUTCOME: TicketStatus[] = ['reviewed', 'resolved_at_intake', 'closed'];
const HANDLING: TicketStatus[] = ['acknowledged', 'supervised'];

type Patch = Partial<Omit<Ticket, 'id' | 'number'>>;
interface Outcome { to?: TicketStatus; patch?: Patch; data?: Record<string, unknown> }

export interface TransitionRule {
  action: Action;
  label: string; // 中文名, for messages and the audit view
  from: TicketStatus[];
  roles: Role[];
  /** Only the lead unit's handlers may do it. */
  leadUnitOnly?: boolean;
  /** Only a co-handling unit's handlers may do it. */
  coUnitOnly?: boolean;
  /** Written by the service alongside another move (never a button, never sent to /transitions). */
  internal?: boolean;
  /** Has its own route (it changes two tickets): /transitions refuses it. */
  ownRoute?: string;
  requiresReason?: boolean;
  /** Parses the action's own input; absent = the action takes none. */
  input?: z.ZodType;
  /** Why the move is refused whatever the input (so the desk does not offer it), or null. */
  precheck?(t: Ticket, actor: Actor): string | null;
  /** Why the move is refused with this input, or null. Runs after the status/role checks and precheck. */
  refuse?(t: Ticket, actor: Actor, input: any, ctx: LifecycleContext): string | null;
  /** What the move changes. Default: nothing but the status. */
  apply(t: Ticket, input: any, ctx: LifecycleContext, actor: Actor): Outcome;
}

const isoDate = isoInstantText('不是有效的时间（ISO 8601，1970 到 2199 年间）');
const unitList = z.array(z.string().trim().min(1).max(40)).max(10).default([]);

function checkUnits(ctx: LifecycleContext, lead: string, co: string[]): string | null {
  const l = ctx.unit(lead);
  if (!l || (l.kind !== 'department' && l.kind !== 'town')) return `承办单位「${lead}」不存在或不能承办工单`;
  for (const c of co) {
    const u = ctx.unit(c);
    if (!u || (u.kind !== 'department' && u.kind !== 'town')) return `协办单位「${c}」不存在或不能承办工单`;
    if (c === lead) return '牵头单位不能同时是协办单位（一个工单只有一个牵头单位）';
  }
  if (new Set(co).size !== co.length) return '协办单位重复';
  return null;
}

/** What a dispatch event records: the unit and the deadlines it was given (the KPIs judge each unit by its own). */
const dispatchData = (p: Patch, extra: Record<string, unknown> = {}) => ({
  leadUnit: p.leadUnit, coUnits: p.coUnits, ackDueAt: p.ackDueAt, feedbackDueAt: p.feedbackDueAt, dueAt: p.dueAt, ...extra,
});

function dispatchPatch(t: Ticket, leadUnit: string, coUnits: string[], urgency: UrgencyClass, ctx: LifecycleContext): Patch {
  const c = ctx.clocks(ctx.now, urgency);
  return {
    leadUnit,
    coUnits,
    urgency,
    firstUnit: t.firstUnit ?? leadUnit,
    returnOverruled: false,
    dispatchedAt: ctx.now.toISOString(),
    acknowledgedAt: null,
    ackDueAt: c.ackDueAt,
    feedbackDueAt: c.feedbackDueAt,
    feedbackAt: null,
    dueAt: c.dueAt,
    extensionPending: null,
  };
}

export const TRANSITIONS: TransitionRule[] = [
  {
    action: 'complete_draft',
    label: '补全草稿',
    from: ['draft'],
    roles: CENTER,
    input: z
      .object({
        kind: z.enum(['consult', 'complaint', 'help_request', 'report', 'suggestion']).optional(),
        title: z.string().trim().max(200).optional(),
        content: z.string().trim().min(1).max(5000).optional(),
        address: z.string().trim().max(300).optional(),
        town: z.string().trim().max(40).optional(),
        eventType: z.string().trim().max(40).optional(),
        urgency: z.enum(URGENCY_CLASSES).optional(),
      })
      .strict()
      .default({}),
    apply: (_t, input) => ({ to: 'accepted', patch: { ...input } }),
  },
  {
    action: 'resolve_at_intake',
    label: '直接办结',
    from: ['accepted'],
    roles: CENTER,
    requiresReason: true,
    precheck: (t) => (t.kind === 'consult' ? null : '只有咨询类诉求可以在受理时直接办结，其他诉求须派单'),
    apply: (_t, _i, ctx) =>
      ctx.returnVisitAfterIntakeResolution
        ? { to: 'resolved_at_intake' }
        : { to: 'closed', patch: { closedAt: ctx.now.toISOString() } },
  },
  {
    action: 'dispatch',
    label: '派单',
    from: ['accepted'],
    roles: CENTER,
    input: z
      .object({ leadUnit: z.string().trim().min(1).max(40), coUnits: unitList, urgency: z.enum(URGENCY_CLASSES).optional(), eventType: z.string().trim().max(40).optional() })
      .strict(),
    refuse: (_t, _a, i, ctx) => checkUnits(ctx, i.leadUnit, i.coUnits),
    apply: (t, i, ctx) => {
      const patch = dispatchPatch(t, i.leadUnit, i.coUnits, i.urgency ?? t.urgency, ctx);
      return { to: 'dispatched', patch: { ...patch, ...(i.eventType ? { eventType: i.eventType } : {}) }, data: dispatchData(patch) };
    },
  },
  {
    action: 'acknowledge',
    label: '签收',
    from: ['dispatched'],
    roles: ['unit_handler'],
    leadUnitOnly: true,
    apply: (_t, _i, ctx) => ({ to: 'acknowledged', patch: { acknowledgedAt: ctx.now.toISOString() } }),
  },
  {
    action: 'give_feedback',
    label: '紧急事项反馈',
    from: ['dispatched', 'acknowledged', 'supervised'],
    roles: ['unit_handler'],
    leadUnitOnly: true,
    requiresReason: true,
    precheck: (t) => (t.urgency !== 'emergency' ? '只有紧急事项需要 1 小时内反馈核实情况' : t.feedbackAt ? '本工单已反馈过核实情况' : null),
    apply: (_t, _i, ctx) => ({ patch: { feedbackAt: ctx.now.toISOString() } }),
  },
  {
    action: 'return',
    label: '退回中心',
    from: ['dispatched', 'acknowledged'],
    roles: ['unit_handler'],
    leadUnitOnly: true,
    requiresReason: true,
    precheck: (t) =>
      t.returnOverruled ? '首接负责制：中心已驳回本单位对此工单的退回，须由本单位办理，不能再次退回' : null,
    apply: (t) => ({ to: 'returned', data: { unit: t.leadUnit } }),
  },
  {
    action: 'redispatch',
    label: '改派',
    from: ['returned'],
    roles: CENTER,
    requiresReason: true,
    input: z.object({ leadUnit: z.string().trim().min(1).max(40), coUnits: unitList, urgency: z.enum(URGENCY_CLASSES).optional() }).strict(),
    refuse: (t, _a, i, ctx) =>
      i.leadUnit === t.leadUnit ? '改派须选择另一个单位；要求原单位继续办理请用「驳回退单」' : checkUnits(ctx, i.leadUnit, i.coUnits),
    apply: (t, i, ctx) => {
      const patch = dispatchPatch(t, i.leadUnit, i.coUnits, i.urgency ?? t.urgency, ctx);
      return { to: 'dispatched', patch, data: dispatchData(patch, { previousUnit: t.leadUnit }) };
    },
  },
  {
    action: 'overrule_return',
    label: '驳回退单',
    from: ['returned'],
    roles: CENTER,
    requiresReason: true,
    // The unit was wrong: it gets the ticket back with its original deadlines.
    apply: (t) => ({ to: t.acknowledgedAt ? 'acknowledged' : 'dispatched', patch: { returnOverruled: true }, data: { unit: t.leadUnit } }),
  },
  {
    action: 'reply',
    label: '回复办理结果',
    from: HANDLING,
    roles: ['unit_handler'],
    leadUnitOnly: true,
    requiresReason: true,
    apply: (_t, _i, ctx) => ({ to: 'replied', patch: { repliedAt: ctx.now.toISOString(), extensionPending: null } }),
  },
  {
    action: 'send_back',
    label: '审核退回重办',
    from: ['replied'],
    roles: CENTER,
    requiresReason: true,
    apply: (t) => ({ to: t.handlingRound > 1 ? 'supervised' : 'acknowledged', patch: { repliedAt: null } }),
  },
  {
    action: 'review_approve',
    label: '审核通过',
    from: ['replied'],
    roles: CENTER,
    apply: () => ({ to: 'reviewed' }),
  },
  {
    action: 'request_extension',
    label: '申请延期',
    from: ['dispatched', ...HANDLING],
    roles: ['unit_handler'],
    leadUnitOnly: true,
    requiresReason: true,
    input: z.object({ until: isoDate }).strict(),
    precheck: (t) => (t.extensionPending ? '已有待审批的延期申请' : null),
    refuse: (t, _a, i, ctx) => {
      const until = Date.parse(i.until);
      if (until <= ctx.now.getTime()) return '延期后的期限须晚于当前时间';
      if (t.dueAt && until <= Date.parse(t.dueAt)) return '延期后的期限须晚于现有办结期限';
      return null;
    },
    apply: (_t, i, _ctx, actor) => {
      const until = new Date(i.until).toISOString();
      return { patch: { extensionPending: { until, reason: '' } }, data: { until, unit: actor.unit } };
    },
  },
  {
    action: 'approve_extension',
    label: '批准延期',
    from: ['dispatched', ...HANDLING],
    roles: ['supervisor'],
    precheck: (t) => (t.extensionPending ? null : '没有待审批的延期申请'),
    apply: (t) => ({
      patch: { dueAt: t.extensionPending!.until, extensionPending: null },
      data: { until: t.extensionPending!.until, previousDueAt: t.dueAt },
    }),
  },
  {
    action: 'refuse_extension',
    label: '不予延期',
    from: ['dispatched', ...HANDLING],
    roles: ['supervisor'],
    requiresReason: true,
    precheck: (t) => (t.extensionPending ? null : '没有待审批的延期申请'),
    apply: (t) => ({ patch: { extensionPending: null }, data: { until: t.extensionPending!.until } }),
  },
  {
    action: 'record_return_visit',
    label: '记录回访结果',
    from: ['reviewed', 'resolved_at_intake'],
    roles: ['operator', 'supervisor', 'system'],
    input: z.object({ outcome: z.enum(SATISFACTION), attempt: z.number().int().min(1).max(20).optional() }).strict(),
    apply: (_t, i, ctx) =>
      i.outcome === 'unsatisfied'
        ? { to: 'under_review', patch: { satisfaction: 'unsatisfied' }, data: { outcome: i.outcome, attempt: i.attempt ?? null } }
        : { to: 'closed', patch: { satisfaction: i.outcome, closedAt: ctx.now.toISOString() }, data: { outcome: i.outcome, attempt: i.attempt ?? null } },
  },
  {
    action: 'supervise',
    label: '督办（二次办理）',
    from: ['under_review'],
    roles: LADDER,
    requiresReason: true,
    input: z.object({ dueAt: isoDate, leadUnit: z.string().trim().min(1).max(40).optional() }).strict(),
    refuse: (t, _a, i, ctx) => {
      if (Date.parse(i.dueAt) <= ctx.now.getTime()) return '督办的新期限须晚于当前时间';
      const lead = i.leadUnit ?? t.leadUnit;
      if (!lead) return '督办须指定承办单位';
      return checkUnits(ctx, lead, t.coUnits.filter((c) => c !== lead));
    },
    apply: (t, i) => {
      const dueAt = new Date(i.dueAt).toISOString();
      const leadUnit = i.leadUnit ?? t.leadUnit!;
      return {
        to: 'supervised',
        patch: { leadUnit, firstUnit: t.firstUnit ?? leadUnit, dueAt, handlingRound: t.handlingRound + 1, satisfaction: null, repliedAt: null, extensionPending: null },
        data: { dueAt, leadUnit, round: t.handlingRound + 1 },
      };
    },
  },
  {
    action: 'escalate',
    label: '升级',
    from: ['under_review'],
    roles: LADDER,
    requiresReason: true,
    input: z.object({ dueAt: isoDate }).strict(),
    precheck: (t) => {
      if (t.handlingRound < 2) return '首次不满意须先督办二次办理，仍不满意才能升级';
      if (t.escalationLevel >= 2) return '已升级至市主要领导，不能再升级';
      if (!t.leadUnit) return '没有承办单位的工单不能升级督办';
      return null;
    },
    refuse: (t, _a, i, ctx) => {
      if (Date.parse(i.dueAt) <= ctx.now.getTime()) return '升级督办的新期限须晚于当前时间';
      return null;
    },
    apply: (t, i) => {
      const dueAt = new Date(i.dueAt).toISOString();
      return {
        to: 'supervised',
        patch: { escalationLevel: t.escalationLevel + 1, dueAt, handlingRound: t.handlingRound + 1, satisfaction: null, repliedAt: null },
        data: { level: t.escalationLevel + 1, dueAt, round: t.handlingRound + 1 },
      };
    },
  },
  {
    action: 'close',
    label: '研判后办结',
    from: ['under_review'],
    roles: LADDER,
    requiresReason: true,
    apply: (_t, _i, ctx) => ({ to: 'closed', patch: { closedAt: ctx.now.toISOString() } }),
  },
  {
    action: 'comment',
    label: '备注',
    from: [...OPEN, 'closed'],
    roles: ['operator', 'supervisor', 'unit_handler', 'leader', 'admin'],
    requiresReason: true,
    apply: () => ({}),
  },
  {
    action: 'raise_urgency',
    label: '升为紧急事项',
    from: ['draft', 'accepted', 'dispatched', 'acknowledged', 'supervised'],
    roles: ['operator', 'supervisor', 'system'],
    requiresReason: true,
    precheck: (t) => (t.urgency === 'emergency' ? '本工单已是紧急事项' : null),
    apply: (t, _i, ctx) => {
      if (!t.dispatchedAt) return { patch: { urgency: 'emergency' }, data: { from: t.urgency } };
      // Already with a unit: the 1-hour feedback clock starts now; earlier deadlines stay.
      const c = ctx.clocks(ctx.now, 'emergency');
      const ackDueAt = t.acknowledgedAt || (t.ackDueAt && t.ackDueAt < c.ackDueAt) ? t.ackDueAt : c.ackDueAt;
      return { patch: { urgency: 'emergency', feedbackDueAt: c.feedbackDueAt, ackDueAt }, data: { from: t.urgency, feedbackDueAt: c.feedbackDueAt } };
    },
  },
  {
    action: 'co_opinion',
    label: '协办意见',
    from: ['dispatched', 'acknowledged', 'supervised'],
    roles: ['unit_handler'],
    coUnitOnly: true,
    requiresReason: true,
    apply: (t, _i, _ctx, actor) => ({ data: { unit: actor.unit, round: t.handlingRound } }),
  },
  {
    action: 'merge',
    label: '并案',
    from: MERGEABLE,
    roles: CENTER,
    ownRoute: 'merge',
    input: z.object({ mainId: z.number().int().min(1), mainNumber: z.string().min(1).max(20) }).strict(),
    precheck: (t) => (t.mergedInto ? '本工单已并案' : null),
    refuse: (t, _a, i) => (i.mainId === t.id ? '不能把工单并入它自己' : null),
    // The duplicate's clocks stop: the main ticket's handling answers it.
    apply: (_t, i) => ({
      to: 'merged',
      patch: { mergedInto: i.mainId, ackDueAt: null, feedbackDueAt: null, dueAt: null, extensionPending: null },
      data: { mainId: i.mainId, mainNumber: i.mainNumber },
    }),
  },
  {
    action: 'unmerge',
    label: '取消并案',
    from: ['merged'],
    roles: CENTER,
    ownRoute: 'unmerge',
    requiresReason: true,
    // Back at the center, to be dispatched on its own.
    apply: (t) => ({
      to: 'accepted',
      patch: { mergedInto: null, leadUnit: null, coUnits: [], dispatchedAt: null, acknowledgedAt: null, returnOverruled: false },
      data: { mainId: t.mergedInto },
    }),
  },
  {
    action: 'attach_duplicate',
    label: '并入重复工单',
    from: MAIN_OPEN,
    roles: CENTER,
    internal: true,
    input: z.object({ duplicateId: z.number().int().min(1), duplicateNumber: z.string().min(1).max(20) }).strict(),
    apply: (_t, i) => ({ data: { duplicateId: i.duplicateId, duplicateNumber: i.duplicateNumber } }),
  },
  {
    action: 'detach_duplicate',
    label: '取消并入',
    from: [...OPEN, 'closed'],
    roles: CENTER,
    internal: true,
    input: z.object({ duplicateId: z.number().int().min(1), duplicateNumber: z.string().min(1).max(20) }).strict(),
    apply: (_t, i) => ({ data: { duplicateId: i.duplicateId, duplicateNumber: i.duplicateNumber } }),
  },
  {
    action: 'follow_main',
    label: '随主工单办结',
    from: ['merged'],
    roles: ['system'],
    internal: true,
    input: z
      .object({
        mainId: z.number().int().min(1),
        status: z.enum(['reviewed', 'resolved_at_intake', 'closed']),
        leadUnit: z.string().nullable(),
        coUnits: z.array(z.string()),
        dueAt: z.string().nullable(),
        repliedAt: z.string().nullable(),
        replyEventId: z.number().int().nullable(),
      })
      .strict(),
    // The main ticket's outcome becomes the duplicate's; its own return visit follows.
    apply: (_t, i, ctx) => ({
      to: i.status,
      patch: { leadUnit: i.leadUnit, coUnits: i.coUnits, dueAt: i.dueAt, repliedAt: i.repliedAt, ...(i.status === 'closed' ? { closedAt: ctx.now.toISOString() } : {}) },
      data: { mainId: i.mainId, replyEventId: i.replyEventId },
    }),
  },
  {
    action: 'alarm',
    label: '期限预警',
    // Closed included: a breach that happened while the scheduler was down is still recorded.
    from: [...OPEN, 'closed'],
    roles: ['system'],
    input: z.object({ clock: z.enum(['ack', 'feedback', 'close']), level: z.enum(['warning', 'breach']) }).strict(),
    apply: (_t, i) => ({ data: { clock: i.clock, level: i.level } }),
  },
];

const BY_ACTION = new Map(TRANSITIONS.map((r) => [r.action, r]));

export const STATUS_LABELS: Record<TicketStatus, string> = {
  draft: '草稿', accepted: '已受理', resolved_at_intake: '直接办结待回访', dispatched: '已派单', acknowledged: '已签收',
  returned: '已退回中心', replied: '已回复待审核', reviewed: '已审核待回访', under_review: '不满意待研判', supervised: '督办中', merged: '已并案', closed: '已办结',
};

export function ruleFor(action: string): TransitionRule {
  const rule = BY_ACTION.get(action as Action);
  if (!rule) throw new InvalidInput(`未知的操作「${action}」，可用的操作：${ACTIONS.join(', ')}`);
  return rule;
}

const isCoUnit = (t: Ticket, actor: Actor) => !!actor.unit && t.coUnits.includes(actor.unit) && actor.unit !== t.leadUnit;

/** The actions this actor may take on this ticket now (for the desk's buttons): only those the rules would accept with some input. */
export function allowedActions(t: Ticket, actor: Actor): Action[] {
  return TRANSITIONS.filter(
    (r) =>
      !r.internal &&
      r.from.includes(t.status) &&
      r.roles.includes(actor.role) &&
      (!r.leadUnitOnly || actor.unit === t.leadUnit) &&
      (!r.coUnitOnly || isCoUnit(t, actor)) &&
      !r.precheck?.(t, actor),
  ).map((r) => r.action);
}

/** What the reason box is called, per action (also in error messages). */
export const REASON_LABELS: Partial<Record<Action, string>> = {
  resolve_at_intake: '答复内容', give_feedback: '核实情况', return: '退回理由', redispatch: '改派理由', overrule_return: '驳回理由',
  reply: '办理结果', send_back: '退回重办理由', request_extension: '延期理由', refuse_extension: '不予延期理由', supervise: '督办事由',
  escalate: '升级理由', close: '办结理由', comment: '备注内容', raise_urgency: '理由', co_opinion: '协办意见', unmerge: '取消并案理由',
  merge: '并案说明',
};

export function reasonLabel(action: string): string {
  return REASON_LABELS[action as Action] ?? '理由';
}

export interface TransitionRequest {
  action: string;
  reason?: string | null;
  input?: unknown;
}

export interface TransitionResult {
  ticket: Ticket;
  event: Omit<TicketEvent, 'id'>;
}

/** Apply one transition: the new ticket and its audit event, or TransitionRefused / InvalidInput. */
export function applyTransition(t: Ticket, actor: Actor, req: TransitionRequest, ctx: LifecycleContext): TransitionResult {
  const rule = ruleFor(req.action);
  const reason = typeof req.reason === 'string' ? req.reason.trim() : '';
  if (reason.length > 5000) throw new InvalidInput('理由不能超过 5000 个字');
  const input = rule.input ? parseOrThrow(rule.input, req.input ?? {}, `「${rule.label}」的参数`) : undefined;
  if (!rule.input && req.input !== undefined && req.input !== null && Object.keys(req.input as object).length > 0) {
    throw new InvalidInput(`「${rule.label}」不需要参数`);
  }
  if (!rule.roles.includes(actor.role)) {
    throw new TransitionRefused(`「${rule.label}」不是${roleLabel(actor.role)}可以执行的操作`, 'role_not_allowed');
  }
  if (!rule.from.includes(t.status)) {
    const hint = rule.action === 'close' && (t.status === 'reviewed' || t.status === 'resolved_at_intake') ? '：工单须先完成回访才能办结' : '';
    throw new TransitionRefused(`工单 ${t.number} 当前状态为「${STATUS_LABELS[t.status]}」，不能「${rule.label}」${hint}`, 'wrong_status');
  }
  if (rule.coUnitOnly && !isCoUnit(t, actor)) {
    throw new TransitionRefused(`只有协办单位可以「${rule.label}」`, 'not_co_unit');
  }
  if (rule.leadUnitOnly && actor.unit !== t.leadUnit) {
    throw new TransitionRefused(
      actor.role === 'unit_handler'
        ? `工单 ${t.number} 不由本单位牵头办理，不能「${rule.label}」（首接负责制：只有牵头单位可以办理或退回）`
        : `只有牵头单位可以「${rule.label}」`,
      'not_lead_unit',
    );
  }
  if (rule.requiresReason && !reason) {
    throw new InvalidInput(`「${rule.label}」须填写${reasonLabel(rule.action)}`, [{ field: 'reason', label: reasonLabel(rule.action), message: '不能为空' }], 'reason_required');
  }
  const refusal = rule.precheck?.(t, actor) ?? rule.refuse?.(t, actor, input, ctx) ?? null;
  if (refusal) throw new TransitionRefused(refusal, 'rule');
  const out = rule.apply(t, input, ctx, actor);
  const to = out.to ?? t.status;
  const patch: Patch = { ...(out.patch ?? {}) };
  if (req.action === 'request_extension' && patch.extensionPending) patch.extensionPending = { ...patch.extensionPending, reason };
  // An event that changes nothing on the ticket (a comment, an alarm) leaves updatedAt alone:
  // the clocks read the time of the last real change (e.g. when a ticket was returned).
  const changed = to !== t.status || Object.keys(patch).length > 0;
  const ticket: Ticket = { ...t, ...patch, status: to, updatedAt: changed ? ctx.now.toISOString() : t.updatedAt };
  return {
    ticket,
    event: {
      ticketId: t.id,
      action: rule.action,
      fromStatus: t.status,
      toStatus: to,
      actorId: actor.id,
      actorRole: actor.role,
      actorUnit: actor.unit,
      reason: reason || null,
      data: out.data ?? {},
      createdAt: ctx.now.toISOString(),
    },
  };
}

/**
 * Why `dup` cannot be merged into `main` (besides the duplicate's own status, which the
 * 'merge' rule checks), or null. `dupHasDuplicates`: other tickets are merged into `dup`.
 */
export function mergeRefusal(dup: Ticket, main: Ticket, dupHasDuplicates: boolean): TransitionRefused | null {
  if (dup.id === main.id) return new TransitionRefused('不能把工单并入它自己', 'merge_self');
  if (main.mergedInto || main.status === 'merged') return new TransitionRefused(`工单 ${main.number} 本身已并入其他工单，请并入它的主工单`, 'main_merged');
  if (!MAIN_OPEN.includes(main.status)) {
    return new TransitionRefused(`工单 ${main.number} 当前状态为「${STATUS_LABELS[main.status]}」，不能再并入重复工单`, 'main_not_open');
  }
  if (dupHasDuplicates) return new TransitionRefused(`工单 ${dup.number} 已有并入它的重复工单，请先取消那些并案`, 'has_duplicates');
  return null;
}

export function roleLabel(role: Role): string {
  return { operator: '接线员', supervisor: '值班长', unit_handler: '承办单位', leader: '市领导', admin: '管理员', system: '系统' }[role];
}
