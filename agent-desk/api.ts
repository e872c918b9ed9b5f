// The desk's own API under /api/desk: agent state and call controls (through the
// telephony layer), the caller's history for the screen pop, my tickets, the unit's
// inbox with deadlines, the supervisors' queues and wallboard, and
// recordings with an audit of who listened.
import fs from 'node:fs';
import { Router } from 'express';
import { z } from 'zod';
import { idParam, parseOrThrow } from '../workflow/intake';
import { NotFound } from '../workflow/errors';
import { ACTIONS, ruleFor, STATUS_LABELS, allowedActions } from '../workflow/lifecycle';
import { PERSONAL_DATA_ROLES, viewFor } from '../workflow/visibility';
import { normalizePhone } from '../workflow/phone';
import { InvalidInput } from '../workflow/errors';
import { listItem, SearchLimits } from '../server/http/ticket-search';
import { Ticket, TicketEvent, TicketStatus } from '../workflow/types';
import { pinyin } from 'pinyin-pro';
import { CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS_ZH, URGENCY_LABELS } from '../workflow/ticket-view';
import { returnsOf } from '../server/services/ticket-page';
import { ticketFromRow } from '../storage/tickets';
import { listUnits, listUsers } from '../storage/directory';
import { loadCallKpis } from '../ivr/call-kpis';
import { speechBacklog, formatBacklog } from '../ivr/speech';
import { coverageWarning } from '../workflow/calendar';
import type { AgentState, Telephony } from '../ivr/telephony';
import { hotSpots } from '../routing';
import { actorOf, requireRole } from '../server/http/auth';
import { HttpError } from '../server/http/errors';
import type { HotlineContext } from '../server/extensions';
import { currentDeadline } from './deadlines';
import { buildWallboard } from './wallboard';

const stateBody = z.discriminatedUnion('state', [
  z.object({ state: z.literal('ready') }).strict(),
  z.object({ state: z.literal('on_break'), reason: z.string().trim().min(1, '请填写小休原因').max(100) }).strict(),
  z.object({ state: z.literal('wrap_up') }).strict(),
  z.object({ state: z.literal('logged_out') }).strict(),
]);
const transferBody = z.object({ destination: z.string().trim().regex(/^[0-9A-Za-z_*#+-]{1,40}$/, '转接号码格式不对') }).strict();
const phoneQuery = z.object({ phone: z.string().trim().min(3, '请输入电话号码').max(30) }).strict();

const UNIT_INBOX: TicketStatus[] = ['dispatched', 'acknowledged', 'supervised', 'replied', 'returned'];
const OPEN_STATUSES: TicketStatus[] = ['accepted', 'resolved_at_intake', 'dispatched', 'acknowledged', 'returned', 'replied', 'reviewed', 'under_review', 'supervised'];
const REPEAT_WINDOW_DAYS = 30;

export interface DeskApiOptions {
  ctx: HotlineContext;
  /** Seconds after which wrap-up ends by itself (the operator becomes ready). */
  wrapUpSeconds: number;
}

function telephonyOf(ctx: HotlineContext): Telephony {
  if (!ctx.telephony) throw new HttpError(503, 'no_telephony', '电话未接入：本服务器没有配置交换机（FREESWITCH_ESL），工单功能照常可用');
  return ctx.telephony;
}

export function deskRoutes(o: DeskApiOptions): Router {
  const { ctx } = o;
  const r = Router();
  const center = requireRole('operator', 'supervisor', 'leader', 'admin');
  const supervisors = requireRole('supervisor', 'leader', 'admin');

  const mine = (req: Parameters<typeof actorOf>[0]) => {
    const ext = req.user?.extension;
    if (!ext) throw new HttpError(409, 'no_extension', '您的账号没有分机号，不能接听电话');
    return ext;
  };

  const unitName = (code: string | null) => (code ? ctx.units().get(code)?.name ?? null : null);
  /** The events of these tickets with these actions, oldest first, by ticket. */
  const eventsOf = async (ids: number[], actions: string[]): Promise<Map<number, TicketEvent[]>> => {
    const out = new Map<number, TicketEvent[]>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const e of await ctx.db('ticket_events').whereIn('ticket_id', ids.slice(i, i + 500)).whereIn('action', actions).orderBy('id')) {
        const ev: TicketEvent = {
          id: Number(e.id), ticketId: Number(e.ticket_id), action: e.action, fromStatus: e.from_status ?? null, toStatus: e.to_status, actorId: e.actor_id == null ? null : Number(e.actor_id),
          actorRole: e.actor_role, actorUnit: e.actor_unit ?? null, reason: e.reason ?? null, data: JSON.parse(e.data || '{}'), createdAt: e.created_at,
        };
        out.set(ev.ticketId, [...(out.get(ev.ticketId) ?? []), ev]);
      }
    }
    return out;
  };

  r.get('/desk/meta', requireRole(), async (req, res) => {
    const units = await listUnits(ctx.db);
    const supervisors = (await listUsers(ctx.db, { role: 'supervisor' })).filter((u) => u.active && u.extension);
    res.json({
      ...(await ctx.demo()),
      // The server's clock: the desk's countdowns follow it, not the browser's.
      now: ctx.now().toISOString(),
      user: req.user,
      telephony: ctx.telephony ? ctx.telephony.status() : null,
      units: units.filter((u) => u.active).map((u) => ({ code: u.code, name: u.name, kind: u.kind, phone: u.phone })),
      statusLabels: STATUS_LABELS,
      actions: ACTIONS.map((a) => ({ action: a, label: ruleFor(a).label, requiresReason: !!ruleFor(a).requiresReason })),
      eventTypes: ctx.routing.eventTypes().map((e) => ({ code: e.code, name: e.name, group: e.group, category: e.group, initials: pinyin(e.name, { pattern: 'first', toneType: 'none', type: 'array' }).join('') })),
      kindLabels: KIND_LABELS, channelLabels: CHANNEL_LABELS, urgencyLabels: URGENCY_LABELS, outcomeLabels: OUTCOME_LABELS_ZH,
      handlingUnits: units.filter((u) => u.active && (u.kind === 'department' || u.kind === 'town')).map((u) => u.code),
      wrapUpSeconds: o.wrapUpSeconds,
      supervisors: supervisors.map((u) => ({ displayName: u.displayName, extension: u.extension })),
    });
  });

  // Agent state: the one the telephony layer routes calls on.
  r.get('/desk/agent', requireRole('operator'), (req, res) => {
    const ext = mine(req);
    res.json({ agent: ext, state: ctx.telephony ? ctx.telephony.getAgentState(ext) : null, telephony: !!ctx.telephony });
  });
  r.put('/desk/agent', requireRole('operator'), async (req, res) => {
    const ext = mine(req);
    const body = parseOrThrow(stateBody, req.body, '坐席状态');
    const tel = telephonyOf(ctx);
    const state = body as AgentState;
    // Wrap-up ends by itself after DESK_WRAP_UP_SECONDS: the telephony layer times it, whether
    // the desk chose it or a call ended (ivr/switch-core.ts).
    await tel.setAgentState(ext, state);
    res.json({ agent: ext, state: tel.getAgentState(ext), wrapUpEndsAt: state.state === 'wrap_up' ? new Date(ctx.now().getTime() + o.wrapUpSeconds * 1000).toISOString() : null });
  });
  r.get('/desk/agents', supervisors, (_req, res) => {
    res.json({ agents: ctx.telephony ? ctx.telephony.listAgents() : null });
  });

  // Call controls: an operator controls only the call they are on; supervisors any call.
  r.post('/desk/calls/:callId/:action', requireRole('operator', 'supervisor'), async (req, res) => {
    const action = parseOrThrow(z.enum(['hold', 'unhold', 'transfer', 'hangup']), req.params.action, '通话操作');
    const callId = parseOrThrow(z.string().min(1).max(80), req.params.callId, '通话');
    const tel = telephonyOf(ctx);
    if (req.user!.role === 'operator') {
      const s = tel.getAgentState(mine(req));
      if (s.state !== 'on_call' || s.callId !== callId) throw new HttpError(403, 'not_your_call', '这通电话不在您的坐席上');
    }
    if (action === 'transfer') await tel.transfer(callId, parseOrThrow(transferBody, req.body, '转接').destination);
    else await tel[action](callId);
    res.json({ ok: true, callId, action });
  });

  // The caller's earlier tickets, a repeat caller flagged: the screen pop, or a number the
  // operator types (no switch, or a call on another line). A look-up by personal data:
  // the center's staff only, audited and limited like the search.
  const limits = new SearchLimits(ctx.db, ctx.now, { perMinute: ctx.config.DESK_SEARCH_PER_MINUTE, personalPerMinute: ctx.config.DESK_PERSONAL_SEARCH_PER_MINUTE });
  r.get('/desk/caller-history', requireRole(...PERSONAL_DATA_ROLES), async (req, res) => {
    const { phone: typed } = parseOrThrow(phoneQuery, req.query, '来电号码');
    const p = normalizePhone(typed);
    if (!p.ok) throw new InvalidInput(`来电号码：${p.message}`, [{ field: 'phone', message: p.message }]);
    const phone = p.normalized;
    const actor = actorOf(req);
    await limits.admit(req, res, actor, { phone }, 'caller-history');
    const now = ctx.now();
    const rows = await ctx.db('tickets').where('citizen_phone', phone).whereNot('status', 'draft').orderBy('id', 'desc').limit(20);
    const tickets = rows.map(ticketFromRow);
    const since = now.getTime() - REPEAT_WINDOW_DAYS * 86400_000;
    const [{ recentCount }] = await ctx.db('tickets').where('citizen_phone', phone).whereNot('status', 'draft').where('accepted_at', '>=', new Date(since).toISOString()).count({ recentCount: '*' });
    const [{ openCount }] = await ctx.db('tickets').where('citizen_phone', phone).whereIn('status', OPEN_STATUSES).count({ openCount: '*' });
    res.json({
      phone, repeatCaller: Number(recentCount) > 0, recentCount: Number(recentCount), windowDays: REPEAT_WINDOW_DAYS, openCount: Number(openCount),
      tickets: tickets.map((t) => listItem(t, actor, now)),
    });
  });

  r.get('/desk/my-tickets', requireRole('operator', 'supervisor'), async (req, res) => {
    const rows = await ctx.db('tickets').where('created_by', req.user!.id).orderBy('id', 'desc').limit(50);
    res.json({ items: rows.map(ticketFromRow).map((t) => ({ ...t, statusLabel: STATUS_LABELS[t.status] })) });
  });

  // The unit's inbox: its tickets in handling, with the running deadline and its level.
  r.get('/desk/inbox', requireRole('unit_handler'), async (req, res) => {
    const actor = actorOf(req);
    const page = await ctx.tickets.search({ status: UNIT_INBOX }, 1, 100, actor);
    const now = ctx.now();
    const ids = page.items.map((t) => t.id);
    const events = await eventsOf(ids, ['reply', 'co_opinion']);
    const notices = await ctx.notices.byTicket(ids);
    // The latest reached visit: why a second handling (the citizen's words, never for a report).
    const visits = new Map<number, any>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const v of await ctx.db('return_visits').whereIn('ticket_id', ids.slice(i, i + 500)).whereIn('outcome', ['satisfied', 'basically_satisfied', 'unsatisfied']).orderBy('id')) visits.set(Number(v.ticket_id), v);
    }
    const items = page.items.map((t) => {
      const evs = events.get(t.id) ?? [];
      const reply = [...evs].reverse().find((e) => e.action === 'reply');
      const opinions = evs.filter((e) => e.action === 'co_opinion' && Number(e.data.round ?? 1) === t.handlingRound);
      const mine = [...opinions].reverse().find((e) => e.actorUnit === actor.unit);
      const notice = [...(notices.get(t.id) ?? [])].reverse().find((n) => n.unit === actor.unit) ?? null;
      return {
        ticket: viewFor(t, actor), statusLabel: STATUS_LABELS[t.status], lead: t.leadUnit === actor.unit, role: t.leadUnit === actor.unit ? 'lead' : 'co',
        deadline: currentDeadline(t, now), allowedActions: allowedActions(t, actor),
        lastReply: reply ? { text: reply.reason, at: reply.createdAt, unit: reply.actorUnit, unitName: unitName(reply.actorUnit) } : null,
        notice, coOpinionsPending: t.coUnits.filter((u) => !opinions.some((o) => o.actorUnit === u)),
        myOpinion: mine ? { text: mine.reason, at: mine.createdAt } : null,
        visit: visits.has(t.id)
          ? (({ outcome, attempted_at, method, reason }) => ({ outcome, outcomeLabel: OUTCOME_LABELS_ZH[outcome] ?? outcome, reason: t.kind === 'report' ? null : reason ?? null, at: attempted_at, method }))(visits.get(t.id))
          : null,
      };
    });
    res.json({ items, total: page.total, at: now.toISOString() });
  });

  // The supervisors' work lists: returned tickets to re-dispatch, extension requests,
  // unsatisfied cases for the daily review, replies awaiting review.
  r.get('/desk/queues', requireRole('supervisor', 'leader', 'admin'), async (req, res) => {
    const actor = actorOf(req);
    const rows = (
      await ctx.db('tickets').where((w) => w.whereIn('status', ['returned', 'under_review', 'replied', 'supervised']).orWhere((x) => x.whereNotNull('extension_pending').whereIn('status', OPEN_STATUSES))).orderBy('id').limit(1000)
    ).map(ticketFromRow);
    // What the supervisor decides on: the unit's reply, its reason to return, the visit's outcome.
    const notes = new Map<number, Record<string, string | null>>();
    const ids = rows.map((t) => t.id);
    const events = await eventsOf(ids, ['reply', 'return', 'request_extension', 'record_return_visit', 'follow_main']);
    for (const [id, evs] of events) for (const e of evs) notes.set(id, { ...(notes.get(id) ?? {}), [e.action]: e.reason ?? null });
    const visits = new Map<number, any>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const v of await ctx.db('return_visits').whereIn('ticket_id', ids.slice(i, i + 500)).whereIn('outcome', ['satisfied', 'basically_satisfied', 'unsatisfied', 'unreachable']).orderBy('id')) visits.set(Number(v.ticket_id), v);
    }
    const notices = await ctx.notices.byTicket(ids);
    const replyOf = (e: TicketEvent | undefined) => (e ? { text: e.reason, at: e.createdAt, unit: e.actorUnit, unitName: unitName(e.actorUnit) } : null);
    const item = (t: Ticket) => {
      const evs = events.get(t.id) ?? [];
      const replies = evs.filter((e) => e.action === 'reply');
      const v = visits.get(t.id);
      return {
        ticket: t, statusLabel: STATUS_LABELS[t.status], allowedActions: allowedActions(t, actor), deadline: currentDeadline(t, ctx.now()), notes: notes.get(t.id) ?? {},
        firstReply: replyOf(replies[0]), lastReply: replyOf(replies.at(-1)),
        visit: v ? { outcome: v.outcome, outcomeLabel: OUTCOME_LABELS_ZH[v.outcome] ?? v.outcome, reason: v.reason ?? null, at: v.attempted_at, method: v.method } : null,
        notice: (notices.get(t.id) ?? []).at(-1) ?? null,
        returnedBy: returnsOf(evs).map((x) => ({ ...x, unitName: unitName(x.unit) })),
      };
    };
    res.json({
      supervised: rows.filter((t) => t.status === 'supervised').map(item),
      returned: rows.filter((t) => t.status === 'returned').map(item),
      extensionRequests: rows.filter((t) => t.extensionPending).map(item),
      unsatisfied: rows.filter((t) => t.status === 'under_review').map(item),
      awaitingReview: rows.filter((t) => t.status === 'replied').map(item),
    });
  });

  r.get('/desk/wallboard', supervisors, async (_req, res) => {
    const now = ctx.now();
    const dayStart = ctx.policy().calendar.localDate(now);
    const from = zonedMidnight(dayStart, ctx.config.HOTLINE_TIME_ZONE);
    const [today, open, visits, waiting, calls, spotRows] = await Promise.all([
      ctx.db('tickets').where('accepted_at', '>=', from),
      ctx.db('tickets').whereIn('status', OPEN_STATUSES),
      ctx.db('ticket_events').where('action', 'record_return_visit').where('created_at', '>=', from),
      ctx.db('calls').whereNotNull('queued_at').whereNull('answered_at').whereNull('abandoned_at').whereNull('ended_at').select('queued_at'),
      loadCallKpis(ctx.db, from, now.toISOString()),
      ctx.db('tickets').where('accepted_at', '>=', new Date(now.getTime() - 29 * 86400_000).toISOString()).whereNotNull('event_type').select('event_type', 'town', 'accepted_at'),
    ]);
    // Beside the board's figures: the calendar warning, the transcription backlog, the call-back list.
    const [backlog, callbacks, [{ drafts }], [{ due }]] = await Promise.all([
      speechBacklog(ctx.db),
      ctx.db('callbacks').whereNull('done_at').orderBy('at').limit(50).select('id', 'caller', 'reason', 'at'),
      ctx.db('tickets').where('status', 'draft').count({ drafts: '*' }),
      ctx.db('visit_tasks').where((w) => w.where('state', 'manual').orWhere((p) => p.where('state', 'pending').where('next_at', '<=', now.toISOString()))).count({ due: '*' }),
    ]);
    res.json({
      calendarWarning: coverageWarning(ctx.policy().calendar, now, 60),
      // The switch's connection and whether its prompts are playable (surveys wait while they are not).
      switchStatus: ctx.telephony ? ctx.telephony.status() : null,
      speech: { ...backlog, text: formatBacklog(backlog) },
      callbacks,
      ...buildWallboard({
        now,
        acceptedToday: today.map(ticketFromRow),
        open: open.map(ticketFromRow),
        visitsToday: visits.map((e) => ({ ...e, data: JSON.parse(e.data || '{}') })),
        waitingSince: waiting.map((w) => w.queued_at as string),
        calls: ctx.telephony ? calls : calls.offered ? calls : null,
        agents: ctx.telephony ? ctx.telephony.listAgents().map((a) => ({ agent: a.agent, state: a.state.state })) : null,
        hotSpots: hotSpots(spotRows.map((s) => ({ eventType: s.event_type, town: s.town ?? null, at: s.accepted_at })), now),
        drafts: Number(drafts),
        visitsDue: Number(due),
      }),
    });
  });

  // The call-back list: abandoned callers, called back by an operator.
  r.post('/desk/callbacks/:id/done', requireRole('operator', 'supervisor'), async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id, '回拨编号');
    const n = await ctx.db('callbacks').where({ id }).whereNull('done_at').update({ done_at: ctx.now().toISOString(), done_by: actorOf(req).id });
    if (!n) throw new NotFound('没有这条待回拨记录，或已回拨');
    res.json({ done: true });
  });

  r.get('/desk/callbacks', requireRole('operator', 'supervisor'), async (_req, res) => {
    res.json({ items: await ctx.db('callbacks').whereNull('done_at').orderBy('at').limit(200).select('id', 'caller', 'reason', 'at') });
  });

  // The recordings of a ticket (a voice message left after hours, the call): ids to listen to.
  r.get('/desk/tickets/:id/recordings', requireRole('operator', 'supervisor', 'leader', 'admin'), async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id, '工单编号');
    const t = await ctx.tickets.get(id, actorOf(req));
    const rows = await ctx.db('recordings').where((w) => { w.where('ticket_id', t.id); if (t.callId) w.orWhere('call_id', t.callId); }).orderBy('id');
    res.json({ items: rows.map((r) => ({ id: Number(r.id), kind: r.kind, startedAt: r.started_at, durationMs: r.duration_ms == null ? null : Number(r.duration_ms) })) });
  });

  // Recordings: every listen is written to the audit before a byte is sent.
  r.get('/desk/recordings/:id', requireRole('operator', 'supervisor', 'leader', 'admin'), async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id, '录音编号');
    const rec = await ctx.db('recordings').where({ id }).first();
    if (!rec) throw new HttpError(404, 'not_found', `录音 ${id} 不存在`);
    if (!fs.existsSync(rec.path)) throw new HttpError(404, 'file_missing', `录音 ${id} 的文件不在本服务器上`);
    const u = req.user!;
    await ctx.db('recording_views').insert({ recording_id: id, user_id: u.id, role: u.role, unit: u.unit, address: req.ip ?? null, viewed_at: ctx.now().toISOString() });
    res.sendFile(rec.path);
  });
  r.get('/desk/recordings/:id/views', requireRole('supervisor', 'admin'), async (req, res) => {
    const id = parseOrThrow(idParam, req.params.id, '录音编号');
    const views = await ctx.db('recording_views as v').join('users as u', 'u.id', 'v.user_id').where('v.recording_id', id).orderBy('v.id')
      .select('v.user_id as userId', 'u.username', 'u.display_name as displayName', 'v.role', 'v.unit', 'v.address', 'v.viewed_at as viewedAt');
    res.json({ recordingId: id, views });
  });

  return r;
}

/** The UTC instant of 00:00 of a city day (YYYY-MM-DD) in the time zone. */
export function zonedMidnight(day: string, timeZone: string): string {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(guess));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asLocal = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(guess - (asLocal - guess)).toISOString();
}
