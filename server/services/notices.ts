// 督办通知单 as documents: written with the 督办 / 升级 transition (same transaction),
// numbered per year, read and signed for by the unit, printed on A4.
import { Knex } from 'knex';
import { Ticket, TicketEvent } from '../../workflow/types';
import { Actor } from '../../workflow/lifecycle';
import { Forbidden, NotFound, TransitionRefused } from '../../workflow/errors';
import * as store from '../../storage/notices';

export interface NoticeSummary {
  id: number; docNumber: string; kind: 'supervise' | 'escalate'; round: number; level: number; unit: string; unitName: string | null;
  reason: string; dueAt: string; issuedAt: string; readAt: string | null; signedAt: string | null; printUrl: string;
}

export interface Notice extends NoticeSummary {
  year: number; seq: number; ticketId: number; ticketNumber: string | null;
  issuedBy: { id: number; name: string } | null; signedBy: { id: number; name: string } | null; signNote: string | null;
}

/** 「寿光市」→「寿光热线督〔2026〕7号」. */
export function docNumber(cityName: string, year: number, seq: number): string {
  const short = cityName.replace(/(市|县|区)$/, '');
  return `${short}热线督〔${year}〕${seq}号`;
}

export class NoticeService {
  constructor(
    private readonly o: { db: Knex; cityName: string; timeZone: string; now: () => Date; unitName: (code: string) => string | null },
  ) {}

  private year(iso: string): number {
    return Number(new Intl.DateTimeFormat('en-CA', { timeZone: this.o.timeZone, year: 'numeric' }).format(new Date(iso)));
  }

  /** Inside the transition's transaction: a 督办 or 升级 event issues its notice. */
  onEvent = async (trx: Knex.Transaction, t: Ticket, e: TicketEvent): Promise<void> => {
    if (e.action !== 'supervise' && e.action !== 'escalate') return;
    const year = this.year(e.createdAt);
    const seq = await store.nextNoticeSeq(trx, year);
    await store.insertNotice(trx, {
      year, seq, ticketId: t.id, eventId: e.id, kind: e.action, round: t.handlingRound, level: t.escalationLevel, unit: t.leadUnit ?? '',
      reason: e.reason ?? '', dueAt: t.dueAt ?? e.createdAt, issuedBy: e.actorId, issuedAt: e.createdAt,
    });
  };

  summary(n: store.NoticeRow): NoticeSummary {
    return {
      id: n.id, docNumber: docNumber(this.o.cityName, n.year, n.seq), kind: n.kind, round: n.round, level: n.level, unit: n.unit,
      unitName: this.o.unitName(n.unit), reason: n.reason, dueAt: n.dueAt, issuedAt: n.issuedAt, readAt: n.readAt, signedAt: n.signedAt,
      printUrl: `/api/notices/${n.id}/print`,
    };
  }

  async full(n: store.NoticeRow): Promise<Notice> {
    const ids = [n.issuedBy, n.signedBy].filter((x): x is number => x !== null);
    const users = new Map((ids.length ? await this.o.db('users').whereIn('id', ids).select('id', 'display_name') : []).map((u) => [Number(u.id), u.display_name as string]));
    const ticket = await this.o.db('tickets').where({ id: n.ticketId }).first('number');
    const who = (id: number | null) => (id === null ? null : { id, name: users.get(id) ?? '' });
    return { ...this.summary(n), year: n.year, seq: n.seq, ticketId: n.ticketId, ticketNumber: ticket?.number ?? null, issuedBy: who(n.issuedBy), signedBy: who(n.signedBy), signNote: n.signNote };
  }

  /** Notices of these tickets, as summaries, by ticket. */
  async byTicket(ids: number[]): Promise<Map<number, NoticeSummary[]>> {
    const out = new Map<number, NoticeSummary[]>();
    for (const n of await store.noticesOfTickets(this.o.db, ids)) {
      const list = out.get(n.ticketId) ?? [];
      list.push(this.summary(n));
      out.set(n.ticketId, list);
    }
    return out;
  }

  /** A notice the actor may see: the leaders and supervisors all, a unit its own (404 otherwise, like a missing one). */
  async get(id: number, actor: Actor): Promise<store.NoticeRow> {
    const n = await store.getNotice(this.o.db, id);
    if (!n || (actor.role === 'unit_handler' && n.unit !== actor.unit) || actor.role === 'operator') throw new NotFound(`督办通知单 ${id} 不存在`);
    if (actor.role === 'unit_handler' && !n.readAt && actor.id !== null) {
      await store.markRead(this.o.db, id, actor.id, this.o.now().toISOString());
      return (await store.getNotice(this.o.db, id))!;
    }
    return n;
  }

  list(actor: Actor, f: { unit?: string; signed?: boolean; year?: number }, page: number, pageSize: number) {
    return store.listNotices(this.o.db, actor.role === 'unit_handler' ? { ...f, unit: actor.unit ?? '-' } : f, page, pageSize);
  }

  /** The unit signs for the notice (回执): once. */
  async sign(id: number, actor: Actor, note: string | null): Promise<store.NoticeRow> {
    if (actor.role !== 'unit_handler') throw new Forbidden('只有承办单位可以签收督办通知单');
    const n = await this.get(id, actor);
    if (n.signedAt) throw new TransitionRefused(`督办通知单已于 ${n.signedAt} 签收`, 'already_signed');
    if (!(await store.signNotice(this.o.db, id, actor.id!, this.o.now().toISOString(), note))) {
      throw new TransitionRefused('督办通知单已签收', 'already_signed');
    }
    return (await store.getNotice(this.o.db, id))!;
  }
}
