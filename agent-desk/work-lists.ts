// The desk's work lists that are not one unit's inbox: the center's 待派单 queue (accepted
// tickets not dispatched, drafts to complete, returned tickets to re-dispatch) and the
// wallboard's drill-down (the list behind each number on the board).
import { Router } from 'express';
import { z } from 'zod';
import { parseOrThrow } from '../workflow/intake';
import { Ticket, TicketEvent, TicketStatus } from '../workflow/types';
import { ticketFromRow, listEvents } from '../storage/tickets';
import { actorOf, requireRole } from '../server/http/auth';
import { listItem } from '../server/http/ticket-search';
import { returnsOf } from '../server/services/ticket-page';
import type { HotlineContext } from '../server/extensions';
import { currentDeadline } from './deadlines';
import { zonedMidnight } from './api';

const QUEUE_LIMIT = 200;
const DRILL_LIMIT = 500;
/** 在办: with the unit (its clocks run). */
export const IN_PROGRESS: TicketStatus[] = ['dispatched', 'acknowledged', 'supervised'];
export const OPEN_STATUSES: TicketStatus[] = ['accepted', 'resolved_at_intake', 'dispatched', 'acknowledged', 'returned', 'replied', 'reviewed', 'under_review', 'supervised'];

/** Emergencies first, then the longest waiting. */
const byUrgencyThenAge = (at: (t: Ticket) => string) => (a: Ticket, b: Ticket) =>
  Number(b.urgency === 'emergency') - Number(a.urgency === 'emergency') || at(a).localeCompare(at(b)) || a.id - b.id;

export function workListRoutes(ctx: HotlineContext, unitName: (code: string | null) => string | null): Router {
  const r = Router();

  r.get('/desk/dispatch-queue', requireRole('operator', 'supervisor'), async (req, res) => {
    const actor = actorOf(req);
    const now = ctx.now();
    const section = async (status: TicketStatus) => {
      const [{ n }] = await ctx.db('tickets').where({ status }).count({ n: '*' });
      // Emergencies first, then oldest first (the index on status, accepted_at serves both reads).
      const urgent = await ctx.db('tickets').where({ status, urgency: 'emergency' }).orderBy('accepted_at').limit(QUEUE_LIMIT);
      const rest = await ctx.db('tickets').where({ status }).whereNot('urgency', 'emergency').orderBy('accepted_at').limit(QUEUE_LIMIT);
      return { count: Number(n), tickets: [...urgent, ...rest].slice(0, QUEUE_LIMIT).map(ticketFromRow) };
    };
    const [accepted, drafts, returned] = await Promise.all([section('accepted'), section('draft'), section('returned')]);
    const returnedEvents = new Map<number, TicketEvent[]>();
    for (const t of returned.tickets) returnedEvents.set(t.id, await listEvents(ctx.db, t.id));
    const ids = [...accepted.tickets, ...drafts.tickets].map((t) => t.id);
    const recs = new Map<number, number>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await ctx.db('recordings').whereIn('ticket_id', ids.slice(i, i + 500)).groupBy('ticket_id').select('ticket_id').count({ n: '*' });
      for (const row of rows as Array<Record<string, unknown>>) recs.set(Number(row.ticket_id), Number(row.n));
    }
    const item = (t: Ticket, waitingSince: string) => {
      const back = returnsOf(returnedEvents.get(t.id) ?? []).map((x) => ({ ...x, unitName: unitName(x.unit) }));
      return { ...listItem(t, actor, now), waitingSince, returnedBy: back, excludeUnits: [...new Set(back.map((x) => x.unit))], recordings: recs.get(t.id) ?? 0 };
    };
    const returnedAt = (t: Ticket) => returnsOf(returnedEvents.get(t.id) ?? []).at(-1)?.at ?? t.updatedAt;
    res.json({
      at: now.toISOString(),
      counts: { accepted: accepted.count, drafts: drafts.count, returned: returned.count },
      accepted: accepted.tickets.sort(byUrgencyThenAge((t) => t.acceptedAt)).map((t) => item(t, t.acceptedAt)),
      drafts: drafts.tickets.sort(byUrgencyThenAge((t) => t.acceptedAt)).map((t) => item(t, t.acceptedAt)),
      returned: returned.tickets.sort(byUrgencyThenAge(returnedAt)).map((t) => item(t, returnedAt(t))),
    });
  });

  const drillQuery = z
    .object({
      metric: z.enum(['deadline', 'emergencies', 'escalations', 'in_progress', 'not_dispatched', 'drafts', 'returned', 'extension_requests', 'unsatisfied', 'awaiting_review', 'visits_due', 'intake_today', 'visits_today']),
      unit: z.string().max(40).optional(),
      level: z.enum(['warning', 'breach']).optional(),
      channel: z.string().max(40).optional(),
      kind: z.string().max(40).optional(),
      outcome: z.string().max(40).optional(),
    })
    .strict();
  const LABELS: Record<string, string> = {
    deadline: '预警与超期', emergencies: '紧急事项待反馈', escalations: '升级督办', in_progress: '在办', not_dispatched: '已受理未派单', drafts: '草稿待补全',
    returned: '退回待处理', extension_requests: '延期申请', unsatisfied: '不满意待研判', awaiting_review: '回复待审核', visits_due: '待回访', intake_today: '今日受理', visits_today: '今日回访',
  };

  r.get('/desk/wallboard/drill', requireRole('supervisor', 'leader', 'admin'), async (req, res) => {
    const actor = actorOf(req);
    const q = parseOrThrow(drillQuery, req.query, '查询条件');
    const now = ctx.now();
    const from = zonedMidnight(ctx.policy().calendar.localDate(now), ctx.config.HOTLINE_TIME_ZONE);
    let rows: any[] = [];
    let tasks = new Map<number, any>();
    switch (q.metric) {
      case 'deadline':
      case 'emergencies':
      case 'in_progress': {
        const b = ctx.db('tickets').whereIn('status', IN_PROGRESS);
        if (q.unit) b.where('lead_unit', q.unit);
        if (q.metric === 'emergencies') b.where('urgency', 'emergency').whereNull('feedback_at').whereIn('status', ['dispatched', 'acknowledged']);
        rows = await b.orderBy('accepted_at');
        if (q.metric === 'deadline') {
          rows = rows.filter((r) => {
            const d = currentDeadline(ticketFromRow(r), now);
            return d && d.level !== 'ok' && (!q.level || d.level === q.level);
          });
        }
        break;
      }
      case 'escalations':
        rows = await ctx.db('tickets').whereIn('status', OPEN_STATUSES).where('escalation_level', '>', 0).orderBy('accepted_at');
        break;
      case 'not_dispatched':
      case 'drafts':
      case 'returned':
      case 'unsatisfied':
      case 'awaiting_review': {
        const status = { not_dispatched: 'accepted', drafts: 'draft', returned: 'returned', unsatisfied: 'under_review', awaiting_review: 'replied' }[q.metric];
        rows = await ctx.db('tickets').where({ status }).orderBy('accepted_at').limit(DRILL_LIMIT + 1);
        break;
      }
      case 'extension_requests':
        rows = await ctx.db('tickets').whereNotNull('extension_pending').whereIn('status', OPEN_STATUSES).orderBy('accepted_at').limit(DRILL_LIMIT + 1);
        break;
      case 'visits_due': {
        const open = await ctx.db('visit_tasks').whereIn('state', ['manual', 'pending', 'calling']).where((w) => w.where('state', 'manual').orWhere('next_at', '<=', now.toISOString()).orWhere('state', 'calling')).orderBy('updated_at').limit(DRILL_LIMIT + 1);
        tasks = new Map(open.map((t) => [Number(t.ticket_id), t]));
        rows = tasks.size ? await ctx.db('tickets').whereIn('id', [...tasks.keys()]) : [];
        break;
      }
      case 'intake_today': {
        const b = ctx.db('tickets').where('accepted_at', '>=', from).whereNot('status', 'draft');
        if (q.channel) b.where('channel', q.channel);
        if (q.kind) b.where('kind', q.kind);
        rows = await b.orderBy('accepted_at', 'desc').limit(DRILL_LIMIT + 1);
        break;
      }
      case 'visits_today': {
        const evs = await ctx.db('ticket_events').where('action', 'record_return_visit').where('created_at', '>=', from).orderBy('id', 'desc');
        const ids = [...new Set(evs.filter((e) => !q.outcome || JSON.parse(e.data || '{}').outcome === q.outcome).map((e) => Number(e.ticket_id)))].slice(0, DRILL_LIMIT + 1);
        rows = ids.length ? await ctx.db('tickets').whereIn('id', ids) : [];
        break;
      }
    }
    const total = rows.length;
    const items = rows.slice(0, DRILL_LIMIT).map(ticketFromRow).map((t) => {
      const task = tasks.get(t.id);
      return { ...listItem(t, actor, now), ...(task ? { visitTask: { round: Number(task.round), state: task.state, attempts: Number(task.attempts), nextAt: task.next_at ?? null, manualReason: task.manual_reason ?? null } } : {}) };
    });
    res.json({ metric: q.metric, label: LABELS[q.metric], total, truncated: total > DRILL_LIMIT, items });
  });
  return r;
}
