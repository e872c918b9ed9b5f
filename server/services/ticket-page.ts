// Everything the ticket page shows, loaded for one ticket and cut to what the actor may see.
import { Knex } from 'knex';
import { Ticket, TicketEvent } from '../../workflow/types';
import { Actor, STATUS_LABELS } from '../../workflow/lifecycle';
import { canSee, viewFor } from '../../workflow/visibility';
import { actionSpecs, CHANNEL_LABELS, clockViews, eventView, KIND_LABELS, OUTCOME_LABELS_ZH, URGENCY_LABELS } from '../../workflow/ticket-view';
import { listEvents, ticketFromRow } from '../../storage/tickets';
import { listAttachments } from '../../storage/attachments';
import { currentDeadline } from '../../agent-desk/deadlines';
import { NoticeService } from './notices';

export interface PageDeps {
  db: Knex;
  notices: NoticeService;
  now: () => Date;
  unitName: (code: string | null) => string | null;
  handlingUnits: () => string[];
}

const CENTER_ROLES = new Set(['operator', 'supervisor', 'leader', 'admin']);

/** Units that returned the ticket (every return on record), with their reason, oldest first. */
export function returnsOf(events: TicketEvent[]): Array<{ unit: string; reason: string | null; at: string }> {
  return events.filter((e) => e.action === 'return').map((e) => ({ unit: String(e.actorUnit ?? e.data.unit ?? ''), reason: e.reason, at: e.createdAt }));
}

/** Replies of the handling units (and an intake answer, and the main ticket's reply a duplicate took), oldest first. */
export function repliesOf(events: TicketEvent[], t: Ticket): Array<{ eventId: number; round: number; unit: string | null; text: string | null; at: string; actorId: number | null }> {
  let round = 1;
  const out: ReturnType<typeof repliesOf> = [];
  for (const e of events) {
    if (e.action === 'supervise' || e.action === 'escalate') round = Number(e.data.round ?? round + 1);
    if (e.action === 'reply' || e.action === 'resolve_at_intake' || e.action === 'follow_main') {
      out.push({ eventId: e.id, round, unit: e.action === 'reply' ? e.actorUnit : e.action === 'follow_main' ? t.leadUnit : null, text: e.reason, at: e.createdAt, actorId: e.actorId });
    }
  }
  return out;
}

export function coOpinionsOf(events: TicketEvent[]) {
  return events.filter((e) => e.action === 'co_opinion').map((e) => ({ eventId: e.id, round: Number(e.data.round ?? 1), unit: e.actorUnit, text: e.reason, at: e.createdAt, actorId: e.actorId }));
}

export async function loadTicketPage(d: PageDeps, t: Ticket, actor: Actor) {
  const now = d.now();
  const events = await listEvents(d.db, t.id);
  const isUnit = actor.role === 'unit_handler';
  const [attachments, visitRows, task, duplicateRows, mainRow, notices, recordingRows] = await Promise.all([
    listAttachments(d.db, t.id),
    d.db('return_visits').where({ ticket_id: t.id }).orderBy('id'),
    d.db('visit_tasks').where({ ticket_id: t.id }).orderBy('round', 'desc').first(),
    d.db('tickets').where({ merged_into: t.id }).orderBy('id'),
    t.mergedInto ? d.db('tickets').where({ id: t.mergedInto }).first() : null,
    d.notices.byTicket([t.id]),
    CENTER_ROLES.has(actor.role)
      ? d.db('recordings as r').leftJoin('speech_transcripts as s', 's.recording_id', 'r.id')
          .where((w) => { w.where('r.ticket_id', t.id); if (t.callId) w.orWhere('r.call_id', t.callId); })
          .orderBy('r.id').select('r.id', 'r.kind', 'r.started_at', 'r.duration_ms', 's.text', 's.caller_text', 's.segments', 's.provider', 's.language')
      : [],
  ]);
  const userIds = new Set<number>();
  for (const e of events) if (e.actorId !== null) userIds.add(e.actorId);
  for (const v of visitRows) if (v.actor_id != null) userIds.add(Number(v.actor_id));
  const users = new Map((userIds.size ? await d.db('users').whereIn('id', [...userIds]).select('id', 'display_name') : []).map((u) => [Number(u.id), u.display_name as string]));
  const names = { user: (id: number | null) => (id === null ? null : users.get(id) ?? null), unit: d.unitName };
  const returned = returnsOf(events);
  const replies = repliesOf(events, t);
  const opinions = coOpinionsOf(events);
  const myNotices = notices.get(t.id) ?? [];
  const unsigned = isUnit ? [...myNotices].reverse().find((n) => n.unit === actor.unit && !n.signedAt) ?? null : null;
  const visitOpen = !!task && task.state !== 'done' && !(task.state === 'calling' && task.lease_until && task.lease_until > now.toISOString());
  const outcomeOf = (o: string) => OUTCOME_LABELS_ZH[o] ?? o;
  const link = (r: any) => {
    const x = ticketFromRow(r);
    const seen = viewFor(x, actor);
    return { id: x.id, number: x.number, status: x.status, statusLabel: STATUS_LABELS[x.status], citizenName: canSee(x, actor) ? seen.citizenName : null, acceptedAt: x.acceptedAt };
  };
  const mergeEvents = new Map(events.filter((e) => e.action === 'attach_duplicate').map((e) => [Number(e.data.duplicateId), e.createdAt]));
  return {
    ticket: viewFor(t, actor),
    statusLabel: STATUS_LABELS[t.status],
    kindLabel: KIND_LABELS[t.kind],
    channelLabel: CHANNEL_LABELS[t.channel],
    urgencyLabel: URGENCY_LABELS[t.urgency],
    deadline: currentDeadline(t, now),
    clocks: clockViews(t, now),
    events: events.map((e) => eventView(e, actor, names, t)),
    attachments: attachments.map((a) => ({ ...a, url: `/api/tickets/${t.id}/attachments/${a.id}` })),
    recordings: recordingRows.map((r: any) => ({
      id: Number(r.id), kind: r.kind, startedAt: r.started_at, durationMs: r.duration_ms == null ? null : Number(r.duration_ms), url: `/api/desk/recordings/${r.id}`,
      transcript: r.text == null ? null : { text: r.text, callerText: r.caller_text, segments: JSON.parse(r.segments || '[]'), provider: r.provider, language: r.language },
    })),
    replies: replies.map((r) => ({ ...r, unitName: d.unitName(r.unit), actorName: isUnit && r.unit !== actor.unit ? null : names.user(r.actorId), actorId: undefined })),
    coOpinions: opinions.map((o) => ({ ...o, unitName: d.unitName(o.unit), actorName: isUnit && o.unit !== actor.unit ? null : names.user(o.actorId), actorId: undefined })),
    coOpinionsPending: t.coUnits.filter((u) => !opinions.some((o) => o.unit === u && o.round === t.handlingRound)),
    visits: visitRows.map((v: any) => ({
      round: Number(v.round), attempt: Number(v.attempt), method: v.method, outcome: v.outcome, outcomeLabel: outcomeOf(v.outcome),
      reason: isUnit && t.kind === 'report' ? null : v.reason ?? null, at: v.attempted_at, actorName: isUnit ? null : names.user(v.actor_id == null ? null : Number(v.actor_id)),
    })),
    visitTask: task ? { round: Number(task.round), state: task.state, attempts: Number(task.attempts), nextAt: task.next_at ?? null, manualReason: task.manual_reason ?? null } : null,
    notices: isUnit ? myNotices.filter((n) => n.unit === actor.unit) : myNotices,
    links: {
      mergedInto: mainRow ? (({ id, number, status, statusLabel }) => ({ id, number, status, statusLabel }))(link(mainRow)) : null,
      duplicates: duplicateRows.map((r: any) => ({ ...link(r), mergedAt: mergeEvents.get(Number(r.id)) ?? null })),
    },
    returnedBy: returned.map((r) => ({ ...r, unitName: d.unitName(r.unit) })),
    actions: actionSpecs(t, actor, { now, handlingUnits: d.handlingUnits(), returnedBy: returned.map((r) => r.unit), visitOpen, unsignedNotice: unsigned, hasDuplicates: duplicateRows.some((r: any) => r.status === 'merged') }),
  };
}
