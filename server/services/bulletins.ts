// Loads what a bulletin needs from the database and adds routing's hot words and hot spots.
import { Knex } from 'knex';
import { ticketFromRow } from '../../storage/tickets';
import { TicketEvent } from '../../workflow/types';
import { buildBulletin, bulletinPeriod, Bulletin, BulletinKind, BulletinPeriod } from '../../workflow/bulletin';
import { ClockPolicy } from '../../workflow/clocks';
import { hotSpots, hotWords, HotSpot, HotWord } from '../../routing';
import type { Routing } from '../../routing';

export type FullBulletin = Bulletin & { hotWords: HotWord[]; hotSpots: HotSpot[] };

export type BulletinDeps = { db: Knex; routing: Pick<Routing, 'eventType'>; policy: () => ClockPolicy; timeZone: string; now?: () => Date };

export async function loadBulletin(d: BulletinDeps, kind: Exclude<BulletinKind, 'range'>, day: string): Promise<FullBulletin> {
  return loadBulletinOf(d, bulletinPeriod(kind, day, d.timeZone));
}

export async function loadBulletinOf(d: BulletinDeps, period: BulletinPeriod): Promise<FullBulletin> {
  const touched = d.db('ticket_events').where('created_at', '>=', period.from).where('created_at', '<', period.to).select('ticket_id');
  const rows = await d.db('tickets').where((w) => w.where((a) => a.where('accepted_at', '>=', period.from).where('accepted_at', '<', period.to)).orWhereIn('id', touched));
  const tickets = rows.map(ticketFromRow);
  const ids = tickets.map((t) => t.id);
  const events: TicketEvent[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = await d.db('ticket_events').whereIn('ticket_id', ids.slice(i, i + 500)).orderBy('id');
    for (const r of chunk) {
      events.push({
        id: Number(r.id), ticketId: Number(r.ticket_id), action: r.action, fromStatus: r.from_status ?? null, toStatus: r.to_status, actorId: r.actor_id == null ? null : Number(r.actor_id),
        actorRole: r.actor_role, actorUnit: r.actor_unit ?? null, reason: r.reason ?? null, data: JSON.parse(r.data || '{}'), createdAt: r.created_at,
      });
    }
  }
  const cal = d.policy().calendar;
  const units = (await d.db('units').whereIn('kind', ['department', 'town']).select('code')).map((u) => u.code as string);
  const bulletin = buildBulletin(period, tickets, events, {
    categoryOf: (code) => d.routing.eventType(code)?.category ?? null,
    dayOf: (iso) => cal.localDate(new Date(iso)),
    workingTime: (a, b) => cal.workingTimeBetween(a, b),
    units,
    today: d.now ? cal.localDate(d.now()) : undefined,
  });
  // Hot words: this period against the four before it; hot spots: the last day against four weeks.
  const span = Date.parse(period.to) - Date.parse(period.from);
  const since = new Date(Date.parse(period.from) - 4 * span).toISOString();
  const history = await d.db('tickets').where('accepted_at', '>=', since).where('accepted_at', '<', period.to).whereNot('status', 'draft').select('content', 'title', 'accepted_at', 'event_type', 'town');
  const periods = Array.from({ length: 5 }, (_, i) => {
    const from = Date.parse(period.from) - (4 - i) * span;
    return {
      period: new Date(from).toISOString(),
      texts: history.filter((r) => Date.parse(r.accepted_at) >= from && Date.parse(r.accepted_at) < from + span).map((r) => `${r.title ?? ''} ${r.content}`),
    };
  });
  const words = hotWords(periods, { top: 20 }).at(-1)?.words ?? [];
  const spotsSince = new Date(Date.parse(period.to) - 29 * 86400_000).toISOString();
  const spotRows = (await d.db('tickets').where('accepted_at', '>=', spotsSince).where('accepted_at', '<', period.to).whereNotNull('event_type').select('event_type', 'town', 'accepted_at')).map(
    (r) => ({ eventType: r.event_type as string, town: (r.town as string) ?? null, at: r.accepted_at as string }),
  );
  return { ...bulletin, hotWords: words, hotSpots: hotSpots(spotRows, period.to) };
}
