// What the ticket page shows, as plain data: the audit trail as the actor may see it, the
// clocks, and the actions the actor may take with what each needs (so the page can check
// before it sends). Pure: the service loads the rows, this decides what of them to show.
import { Action, Actor, allowedActions, reasonLabel, ruleFor, STATUS_LABELS } from './lifecycle';
import { Ticket, TicketEvent } from './types';

export const KIND_LABELS: Record<string, string> = { consult: '咨询', complaint: '投诉', help_request: '求助', report: '举报', suggestion: '建议' };
export const CHANNEL_LABELS: Record<string, string> = {
  hotline: '民声热线', gov_service_hotline: '政务服务热线', urban_hotline: '城管热线', mayor_mailbox: '书记市长信箱', web: '热线网站', photo_report: '随手拍', grid_report: '网格上报',
};
export const URGENCY_LABELS: Record<string, string> = { emergency: '紧急', general: '一般', complex: '复杂' };
export const OUTCOME_LABELS_ZH: Record<string, string> = {
  satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unreachable: '无法联系', busy: '占线', no_answer: '无人接听', rejected: '拒接', no_input: '未按键', hung_up: '中途挂断',
};

/** Event reasons a unit may read: its own work and what the center told it to do. */
const UNIT_REASONS = new Set([
  'return', 'reply', 'send_back', 'supervise', 'escalate', 'request_extension', 'approve_extension', 'refuse_extension', 'give_feedback', 'co_opinion', 'overrule_return', 'redispatch',
]);
/** Event data fields a unit may read (units, deadlines, rounds — nothing about the citizen or the center's people). */
const UNIT_DATA = ['leadUnit', 'coUnits', 'ackDueAt', 'feedbackDueAt', 'dueAt', 'until', 'previousDueAt', 'round', 'level', 'clock', 'unit', 'previousUnit', 'outcome', 'mainNumber', 'duplicateNumber'];

export interface EventView extends TicketEvent {
  actionLabel: string;
  actorName: string | null;
  actorUnitName: string | null;
}

/** An audit event as a unit may see it: its own work's reasons, unit and deadline fields, no person of the center. */
export function unitEventOf(e: TicketEvent, unit: string | null, ticket: Ticket): TicketEvent {
  const own = !!unit && e.actorUnit === unit;
  const data: Record<string, unknown> = {};
  for (const k of UNIT_DATA) if (k in e.data) data[k] = e.data[k];
  // A visit's words are the citizen's: for a report they could tell who it was.
  const reason = (own && e.action === 'comment') || UNIT_REASONS.has(e.action) ? e.reason : e.action === 'record_return_visit' || e.action === 'follow_main' ? (ticket.kind === 'report' ? null : e.reason) : null;
  return { ...e, reason, data, actorId: own ? e.actorId : null };
}

export function eventView(e: TicketEvent, actor: Actor, names: { user(id: number | null): string | null; unit(code: string | null): string | null }, ticket: Ticket): EventView {
  const label = e.action === 'intake' ? '受理' : safeLabel(e.action);
  const base = { ...e, actionLabel: label, actorName: names.user(e.actorId), actorUnitName: names.unit(e.actorUnit) };
  if (actor.role !== 'unit_handler') return base;
  const seen = unitEventOf(e, actor.unit, ticket);
  return { ...base, ...seen, actorName: seen.actorId !== null ? base.actorName : null };
}

function safeLabel(action: string): string {
  try {
    return ruleFor(action).label;
  } catch {
    return action;
  }
}

export type ClockLevel = 'ok' | 'warning' | 'breach' | 'done' | 'late';

export interface ClockView { clock: 'ack' | 'feedback' | 'close'; label: string; startAt: string | null; dueAt: string; doneAt: string | null; level: ClockLevel }

/** Each deadline of the ticket with how it stands: running (ok / warning / breach) or stopped (done in time / late). */
export function clockViews(t: Ticket, now: Date, warningShare = 0.75): ClockView[] {
  const out: ClockView[] = [];
  const level = (start: string | null, due: string, done: string | null): ClockLevel => {
    if (done) return Date.parse(done) <= Date.parse(due) ? 'done' : 'late';
    const n = now.getTime();
    if (n >= Date.parse(due)) return 'breach';
    const s = start ? Date.parse(start) : n;
    return n >= s + warningShare * (Date.parse(due) - s) ? 'warning' : 'ok';
  };
  const stopped = t.status === 'closed' || t.status === 'merged' ? t.closedAt ?? t.updatedAt : null;
  if (t.ackDueAt) out.push({ clock: 'ack', label: '签收期限', startAt: t.dispatchedAt, dueAt: t.ackDueAt, doneAt: t.acknowledgedAt ?? stopped, level: level(t.dispatchedAt, t.ackDueAt, t.acknowledgedAt ?? stopped) });
  if (t.feedbackDueAt) out.push({ clock: 'feedback', label: '紧急反馈期限', startAt: t.dispatchedAt, dueAt: t.feedbackDueAt, doneAt: t.feedbackAt ?? stopped, level: level(t.dispatchedAt, t.feedbackDueAt, t.feedbackAt ?? stopped) });
  if (t.dueAt) out.push({ clock: 'close', label: '办结期限', startAt: t.dispatchedAt, dueAt: t.dueAt, doneAt: t.repliedAt ?? stopped, level: level(t.dispatchedAt, t.dueAt, t.repliedAt ?? stopped) });
  return out;
}

export interface InputSpec {
  name: string;
  label: string;
  type: 'unit' | 'units' | 'datetime' | 'urgency' | 'eventType' | 'kind' | 'text' | 'ticket' | 'outcome';
  required: boolean;
  options?: string[];
  exclude?: string[];
  min?: string;
  maxLength?: number;
}

export interface ActionSpec {
  action: string;
  label: string;
  method: 'POST';
  path: string;
  reason: { required: boolean; label: string; maxLength: number } | null;
  input: InputSpec[];
  confirm: string | null;
}

export interface ActionContext {
  now: Date;
  /** Codes of the units that may lead or co-handle. */
  handlingUnits: string[];
  /** Units that returned this ticket (never offered as its new lead). */
  returnedBy: string[];
  /** An open return visit the center can record now (not while the survey call is on the line). */
  visitOpen: boolean;
  /** The latest supervision notice to the actor's unit not signed yet. */
  unsignedNotice: { id: number } | null;
  /** Other tickets are merged into this one: it cannot itself be merged (409 has_duplicates). */
  hasDuplicates?: boolean;
}

const CONFIRM: Partial<Record<string, string>> = {
  resolve_at_intake: '将以上答复告知群众并直接办结本工单，确认？',
  close: '研判后办结将结束本工单，确认？',
  merge: '并案后本工单不再单独派单，随主工单的办理结果办结（群众仍会单独回访），确认？',
  return: '退回后工单交回中心重新派单，确认？',
  escalate: '升级后由市领导督办，确认？',
};

/** The buttons of the ticket page: the transitions the rules would accept now, and the ticket's other routes. */
export function actionSpecs(t: Ticket, actor: Actor, c: ActionContext): ActionSpec[] {
  const unit = (name: string, label: string, required: boolean, exclude: string[] = []): InputSpec => ({ name, label, type: 'unit', required, options: c.handlingUnits, ...(exclude.length ? { exclude } : {}) });
  const units = (exclude: string[] = []): InputSpec => ({ name: 'coUnits', label: '协办单位', type: 'units', required: false, options: c.handlingUnits, ...(exclude.length ? { exclude } : {}) });
  const now = c.now.toISOString();
  const inputs: Partial<Record<Action, InputSpec[]>> = {
    complete_draft: [
      { name: 'kind', label: '诉求类型', type: 'kind', required: false, options: Object.keys(KIND_LABELS) },
      { name: 'title', label: '标题', type: 'text', required: false, maxLength: 200 },
      { name: 'content', label: '诉求内容', type: 'text', required: false, maxLength: 5000 },
      { name: 'address', label: '事发地址', type: 'text', required: false, maxLength: 300 },
      { name: 'town', label: '所属镇街', type: 'unit', required: false },
      { name: 'eventType', label: '事项类型', type: 'eventType', required: false },
      { name: 'urgency', label: '紧急程度', type: 'urgency', required: false, options: Object.keys(URGENCY_LABELS) },
    ],
    dispatch: [unit('leadUnit', '牵头单位', true), units(), { name: 'urgency', label: '紧急程度', type: 'urgency', required: false, options: Object.keys(URGENCY_LABELS) }, { name: 'eventType', label: '事项类型', type: 'eventType', required: false }],
    redispatch: [unit('leadUnit', '改派至', true, [...new Set([...c.returnedBy, ...(t.leadUnit ? [t.leadUnit] : [])])]), units(), { name: 'urgency', label: '紧急程度', type: 'urgency', required: false, options: Object.keys(URGENCY_LABELS) }],
    request_extension: [{ name: 'until', label: '延期至', type: 'datetime', required: true, min: t.dueAt && t.dueAt > now ? t.dueAt : now }],
    supervise: [{ name: 'dueAt', label: '办结期限', type: 'datetime', required: true, min: now }, unit('leadUnit', '承办单位（不改可不填）', false)],
    escalate: [{ name: 'dueAt', label: '办结期限', type: 'datetime', required: true, min: now }],
  };
  // A return visit is recorded through its own route (the visit task with it): see return_visit below.
  const specs: ActionSpec[] = allowedActions(t, actor).filter((a) => a !== 'record_return_visit' && !(a === 'merge' && c.hasDuplicates)).map((a) => {
    const rule = ruleFor(a);
    const path = rule.ownRoute ? `/api/tickets/${t.id}/${rule.ownRoute}` : `/api/tickets/${t.id}/transitions`;
    return {
      action: a,
      label: rule.label,
      method: 'POST' as const,
      path,
      reason: rule.requiresReason || a === 'merge' ? { required: !!rule.requiresReason, label: reasonLabel(a), maxLength: 5000 } : null,
      input: a === 'merge' ? [{ name: 'intoNumber', label: '主工单编号', type: 'ticket' as const, required: true }] : inputs[a] ?? [],
      confirm: CONFIRM[a] ?? null,
    };
  });
  if (c.visitOpen && (actor.role === 'operator' || actor.role === 'supervisor')) {
    specs.push({
      action: 'return_visit', label: '人工回访', method: 'POST', path: `/api/return-visits/${t.id}`,
      reason: { required: false, label: '回访情况（不满意时必填群众的原因）', maxLength: 2000 },
      input: [{ name: 'outcome', label: '回访结果', type: 'outcome', required: true, options: ['satisfied', 'basically_satisfied', 'unsatisfied', 'unreachable'] }],
      confirm: '记录后工单按回访结果办结或转研判，确认？',
    });
  }
  if (c.unsignedNotice && actor.role === 'unit_handler') {
    specs.push({
      action: 'sign_notice', label: '签收督办通知单', method: 'POST', path: `/api/notices/${c.unsignedNotice.id}/sign`,
      reason: null, input: [{ name: 'note', label: '签收备注', type: 'text', required: false, maxLength: 500 }], confirm: null,
    });
  }
  return specs;
}

export const statusLabel = (t: Ticket) => STATUS_LABELS[t.status];
