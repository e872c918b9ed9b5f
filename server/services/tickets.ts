// The ticket service: validates, applies lifecycle rules and writes the ticket and
// its audit event in one transaction. The HTTP API, Open311, the IVR and the
// scheduler all go through it, so every channel takes the same path.
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { Ticket, TicketEvent } from '../../workflow/types';
import { AppealInput, appealInput, newTicket, parseOrThrow } from '../../workflow/intake';
import { Actor, applyTransition, Clocks, LifecycleContext, MAIN_OUTCOME, mergeRefusal, TransitionRequest, UnitInfo } from '../../workflow/lifecycle';
import { Forbidden, InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import { canSee, mayUsePersonalData } from '../../workflow/visibility';
import * as store from '../../storage/tickets';
import { GroupCommit } from '../../storage/group-commit';
import { isUniqueViolation } from '../../storage/db';
import { firedAlarmKeys, lockTicketForScheduler, recordFiredAlarm, setNextAlarm, ticketsWithDueAlarms } from '../../storage/alarms';
import { dueAlarms, nextAlarmAt, TicketClockState } from '../../workflow/clocks';
import { UrgencyClass } from '../../workflow/types';

export interface TicketServiceOptions {
  db: Knex;
  now: () => Date;
  clocks: (at: Date, urgency: UrgencyClass) => Clocks;
  units: () => Map<string, UnitInfo>;
  timeZone: string;
  returnVisitAfterIntakeResolution: boolean;
  /** A ticket's clocks and alarms (null when it has none: never dispatched). */
  clockState: (t: Ticket) => TicketClockState | null;
  /** Runs inside every ticket write's transaction, after the ticket is written (e.g. to open a return-visit task). */
  afterWrite?: (trx: Knex.Transaction, ticket: Ticket, now: Date, previousStatus: Ticket['status'] | null) => Promise<void>;
  /** Runs inside a transition's transaction after its event is written (e.g. to number a supervision notice). */
  afterEvent?: (trx: Knex.Transaction, ticket: Ticket, event: TicketEvent) => Promise<void>;
  /** Called after a commit with what changed (pushes to desks, scheduler hints). */
  onChange?: (ticket: Ticket, events: TicketEvent[]) => void;
  /** Whether an event type code is in the catalogue (absent: any code is taken). */
  eventTypeKnown?: (code: string) => boolean;
}

export interface CreateOptions { idempotencyKey?: string; scope: string }

/** The longest Idempotency-Key taken (desk API and Open311). */
export const MAX_IDEMPOTENCY_KEY = 200;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The city's calendar day of an instant, as YYYYMMDD. */
export function cityDay(at: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const p = f.formatToParts(at);
  const get = (t: string) => p.find((x) => x.type === t)!.value;
  return `${get('year')}${get('month')}${get('day')}`;
}


export class TicketService {
  private readonly writes: GroupCommit;

  constructor(private readonly o: TicketServiceOptions) {
    this.writes = new GroupCommit(o.db);
  }

  private ctx(now: Date): LifecycleContext {
    const units = this.o.units();
    return {
      now,
      clocks: this.o.clocks,
      unit: (code) => units.get(code),
      returnVisitAfterIntakeResolution: this.o.returnVisitAfterIntakeResolution,
    };
  }

  /** Accept an appeal. Returns the ticket once it is committed; `created` is false for a retried idempotency key. */
  async create(body: unknown, actor: Actor, opts: CreateOptions): Promise<{ ticket: Ticket; created: boolean }> {
    if (opts.idempotencyKey !== undefined && opts.idempotencyKey.length > MAX_IDEMPOTENCY_KEY) {
      throw new InvalidInput(`幂等键（Idempotency-Key）不能超过 ${MAX_IDEMPOTENCY_KEY} 个字符`, [{ field: 'Idempotency-Key', message: `不能超过 ${MAX_IDEMPOTENCY_KEY} 个字符` }]);
    }
    const input: AppealInput = parseOrThrow(appealInput, body, '诉求');
    if (input.town && this.o.units().get(input.town)?.kind !== 'town') {
      throw new InvalidInput(`「${input.town}」不是本市的镇街`, [{ field: 'town', message: '不存在的镇街（须为镇街代码，例如 shengcheng）' }]);
    }
    this.checkEventType(input.eventType, 'eventType');
    this.checkEventType(input.dispatch?.eventType, 'dispatch.eventType');
    const requestHash = opts.idempotencyKey ? crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex') : '';
    if (opts.idempotencyKey) {
      const known = await this.replay(opts.scope, opts.idempotencyKey, requestHash);
      if (known) return { ticket: known, created: false };
    }
    try {
      return await this.createNew(input, actor, opts, requestHash);
    } catch (e) {
      // Two submissions with the same key raced: the loser returns the winner's ticket.
      if (opts.idempotencyKey && isUniqueViolation(e)) {
        const known = await this.replay(opts.scope, opts.idempotencyKey, requestHash);
        if (known) return { ticket: known, created: false };
      }
      throw e;
    }
  }

  /** An event type must be one of the catalogue's codes. */
  private checkEventType(code: string | null | undefined, field: string): void {
    const c = code?.trim();
    if (c && this.o.eventTypeKnown && !this.o.eventTypeKnown(c)) {
      throw new InvalidInput(`事项类型「${c}」不在事项目录中`, [{ field, message: '不存在的事项类型' }]);
    }
  }

  private async replay(scope: string, key: string, requestHash: string): Promise<Ticket | null> {
    const known = await store.findIdempotent(this.o.db, scope, key);
    if (!known) return null;
    if (known.requestHash !== requestHash) {
      throw new TransitionRefused('同一个幂等键（Idempotency-Key）已用于内容不同的另一次提交', 'idempotency_conflict');
    }
    return store.getTicket(this.o.db, known.ticketId);
  }

  private async createNew(input: AppealInput, actor: Actor, opts: CreateOptions, requestHash: string) {
    const now = this.o.now();
    const ctx = this.ctx(now);
    // The unit keeps its events to itself: group commit may run it a second time.
    const { ticket, events } = await this.writes.run(async (trx) => {
      const events: TicketEvent[] = [];
      const number = await store.nextTicketNumber(trx, cityDay(now, this.o.timeZone));
      let t = await store.insertTicket(trx, { ...newTicket(input, actor.id, now), number });
      // A ticket saved for a call (the desk sends its id) is linked from the call's row at once.
      if (t.callId) await trx('calls').where({ id: t.callId }).whereNull('ticket_id').update({ ticket_id: t.id });
      events.push(
        await store.insertEvent(trx, {
          ticketId: t.id, action: 'intake', fromStatus: null, toStatus: t.status, actorId: actor.id, actorRole: actor.role,
          actorUnit: actor.unit, reason: null, data: { channel: t.channel }, createdAt: now.toISOString(),
        }),
      );
      const follow: TransitionRequest | null = input.dispatch
        ? { action: 'dispatch', input: input.dispatch }
        : input.resolveAtIntake
          ? { action: 'resolve_at_intake', reason: input.resolveAtIntake.answer }
          : null;
      if (follow) {
        const r = applyTransition(t, actor, follow, ctx);
        await store.updateTicket(trx, t, r.ticket);
        events.push(await store.insertEvent(trx, r.event));
        t = r.ticket;
      }
      // A new ticket has no alarm yet; one dispatched at intake gets its first.
      if (t.dispatchedAt) await this.scheduleAlarms(trx, t, now);
      await this.o.afterWrite?.(trx, t, now, null);
      if (opts.idempotencyKey) await store.saveIdempotent(trx, opts.scope, opts.idempotencyKey, requestHash, t.id, now.toISOString());
      return { ticket: t, events };
    });
    this.o.onChange?.(ticket, events);
    return { ticket, created: true };
  }

  /**
   * Apply a lifecycle transition; refused moves throw and change nothing. `alsoWrite` runs in
   * the same transaction (e.g. the return-visit row whose answer this transition records).
   */
  async transition(
    id: number,
    actor: Actor,
    req: TransitionRequest,
    alsoWrite?: (trx: Knex.Transaction, ticket: Ticket) => Promise<void>,
  ): Promise<{ ticket: Ticket; event: TicketEvent }> {
    const given = (req.input as Record<string, unknown> | undefined)?.eventType;
    this.checkEventType(typeof given === 'string' ? given : null, 'input.eventType');
    const now = this.o.now();
    const ctx = this.ctx(now);
    const result = await this.writes.run(async (trx) => {
      const before = await store.getTicketForUpdate(trx, id);
      // Another unit's ticket answers as one that does not exist: a unit learns nothing about it, not even that it exists.
      if (!before || !canSee(before, actor)) throw new NotFound(`工单 ${id} 不存在`);
      const r = applyTransition(before, actor, req, ctx);
      if (r.event.action === 'reply') {
        // The lead unit replies with the co-handling units' opinions of this round (协办意见).
        const opinions = (await trx('ticket_events').where({ ticket_id: id, action: 'co_opinion' }).orderBy('id'))
          .filter((e) => Number(JSON.parse(e.data || '{}').round ?? 1) === before.handlingRound)
          .map((e) => ({ unit: e.actor_unit as string, eventId: Number(e.id) }));
        if (opinions.length) r.event.data = { ...r.event.data, coOpinions: opinions };
      }
      const event = await this.write(trx, before, r, now);
      await alsoWrite?.(trx, r.ticket);
      const followers = await this.followMain(trx, before, r.ticket, now);
      return { ticket: r.ticket, event, followers };
    });
    this.o.onChange?.(result.ticket, [result.event]);
    for (const f of result.followers) this.o.onChange?.(f.ticket, [f.event]);
    return { ticket: result.ticket, event: result.event };
  }

  /** Write one applied transition: the ticket, its event, its alarms, what follows from it in the same transaction. */
  private async write(trx: Knex.Transaction, before: Ticket, r: { ticket: Ticket; event: Omit<TicketEvent, 'id'> }, now: Date): Promise<TicketEvent> {
    await store.updateTicket(trx, before, r.ticket);
    const event = await store.insertEvent(trx, r.event);
    await this.scheduleAlarms(trx, r.ticket, now);
    await this.o.afterWrite?.(trx, r.ticket, now, before.status);
    await this.o.afterEvent?.(trx, r.ticket, event);
    return event;
  }

  /** The main ticket's outcome is there: each duplicate merged into it takes it (and gets its own return visit). */
  private async followMain(trx: Knex.Transaction, before: Ticket, main: Ticket, now: Date): Promise<Array<{ ticket: Ticket; event: TicketEvent }>> {
    if (!MAIN_OUTCOME.includes(main.status) || MAIN_OUTCOME.includes(before.status)) return [];
    const ids = await store.duplicateIds(trx, main.id);
    if (!ids.length) return [];
    const reply = await trx('ticket_events').where({ ticket_id: main.id }).whereIn('action', ['reply', 'resolve_at_intake']).orderBy('id', 'desc').first();
    const system: Actor = { id: null, role: 'system', unit: null };
    const out: Array<{ ticket: Ticket; event: TicketEvent }> = [];
    for (const id of ids) {
      const dup = await store.getTicketForUpdate(trx, id);
      if (!dup || dup.status !== 'merged') continue;
      const r = applyTransition(dup, system, {
        action: 'follow_main',
        reason: reply?.reason ?? null,
        input: { mainId: main.id, status: main.status, leadUnit: main.leadUnit, coUnits: main.coUnits, dueAt: main.dueAt, repliedAt: main.repliedAt, replyEventId: reply ? Number(reply.id) : null },
      }, this.ctx(now));
      out.push({ ticket: r.ticket, event: await this.write(trx, dup, r, now) });
    }
    return out;
  }

  /**
   * 并案: attach the duplicate `id` to the main ticket (by id or number). Both tickets are
   * locked (lower id first, so two merges in opposite directions cannot deadlock) and both
   * get their audit event in one transaction.
   */
  async merge(id: number, actor: Actor, target: { into?: number; intoNumber?: string }, reason: string | null): Promise<{ ticket: Ticket; main: Ticket }> {
    const mainRef = target.into ?? (await store.getTicketByNumber(this.o.db, target.intoNumber!))?.id;
    if (!mainRef) throw new NotFound(`工单 ${target.intoNumber} 不存在`);
    const now = this.o.now();
    const ctx = this.ctx(now);
    const result = await this.writes.run(async (trx) => {
      const [a, b] = [id, mainRef].sort((x, y) => x - y);
      const first = await store.getTicketForUpdate(trx, a);
      const second = a === b ? first : await store.getTicketForUpdate(trx, b);
      const dup = first?.id === id ? first : second;
      const main = first?.id === mainRef ? first : second;
      if (!dup || !canSee(dup, actor)) throw new NotFound(`工单 ${id} 不存在`);
      if (!main || !canSee(main, actor)) throw new NotFound(`工单 ${target.intoNumber ?? mainRef} 不存在`);
      const refusal = mergeRefusal(dup, main, (await store.duplicateIds(trx, dup.id)).length > 0);
      if (refusal) throw refusal;
      const rd = applyTransition(dup, actor, { action: 'merge', reason, input: { mainId: main.id, mainNumber: main.number } }, ctx);
      const rm = applyTransition(main, actor, { action: 'attach_duplicate', reason, input: { duplicateId: dup.id, duplicateNumber: dup.number } }, ctx);
      const de = await this.write(trx, dup, rd, now);
      const me = await this.write(trx, main, rm, now);
      return { dup: rd.ticket, main: rm.ticket, de, me };
    });
    this.o.onChange?.(result.dup, [result.de]);
    this.o.onChange?.(result.main, [result.me]);
    return { ticket: result.dup, main: result.main };
  }

  /** 取消并案: the duplicate goes back to the center (accepted) on its own; the main ticket records it. */
  async unmerge(id: number, actor: Actor, reason: string | null): Promise<{ ticket: Ticket; main: Ticket | null }> {
    const now = this.o.now();
    const ctx = this.ctx(now);
    const peek = await store.getTicket(this.o.db, id);
    if (!peek || !canSee(peek, actor)) throw new NotFound(`工单 ${id} 不存在`);
    const result = await this.writes.run(async (trx) => {
      const mainId = peek.mergedInto;
      const ids = mainId ? [id, mainId].sort((x, y) => x - y) : [id];
      const locked = new Map<number, Ticket | null>();
      for (const x of ids) locked.set(x, await store.getTicketForUpdate(trx, x));
      const dup = locked.get(id)!;
      if (dup.mergedInto !== mainId) throw new TransitionRefused(`工单 ${dup.number} 的并案状态刚刚变化，请刷新后重试`, 'changed');
      const rd = applyTransition(dup, actor, { action: 'unmerge', reason }, ctx);
      const de = await this.write(trx, dup, rd, now);
      const main = mainId ? locked.get(mainId) ?? null : null;
      if (!main) return { dup: rd.ticket, main: null, de, me: null };
      const rm = applyTransition(main, actor, { action: 'detach_duplicate', reason, input: { duplicateId: dup.id, duplicateNumber: dup.number } }, ctx);
      const me = await this.write(trx, main, rm, now);
      return { dup: rd.ticket, main: rm.ticket, de, me };
    });
    this.o.onChange?.(result.dup, [result.de]);
    if (result.main && result.me) this.o.onChange?.(result.main, [result.me]);
    return { ticket: result.dup, main: result.main };
  }

  /** Store when this ticket's clocks next need the scheduler (null: never again). */
  private async scheduleAlarms(trx: Knex.Transaction, t: Ticket, now: Date): Promise<void> {
    const state = this.o.clockState(t);
    const next = state ? nextAlarmAt(state, await firedAlarmKeys(trx, t.id), now) : null;
    await setNextAlarm(trx, t.id, next);
  }

  /**
   * Fire the alarms due now (warnings and breaches), each at most once even with several
   * servers: the fired key is written in the same transaction as the alarm event.
   * Returns the events written.
   */
  async fireDueAlarms(limit = 200): Promise<TicketEvent[]> {
    const now = this.o.now();
    const ids = await ticketsWithDueAlarms(this.o.db, now, limit);
    const system: Actor = { id: null, role: 'system', unit: null };
    const written: Array<{ ticket: Ticket; events: TicketEvent[] }> = [];
    const results = await Promise.allSettled(
      ids.map((id) =>
        this.writes
          .run(async (trx) => {
            const row = await lockTicketForScheduler(trx, id);
            if (!row) return null; // another server has it
            let t = store.ticketFromRow(row);
            const state = this.o.clockState(t);
            const fired = await firedAlarmKeys(trx, id);
            const events: TicketEvent[] = [];
            for (const a of state ? dueAlarms(state, fired, now) : []) {
              const r = applyTransition(t, system, { action: 'alarm', input: { clock: a.clock, level: a.level } }, this.ctx(now));
              await recordFiredAlarm(trx, { ticketId: id, key: a.key, clock: a.clock, level: a.level, firedAt: now.toISOString() });
              events.push(await store.insertEvent(trx, { ...r.event, data: { ...r.event.data, dueAt: a.dueAt, unit: t.leadUnit } }));
              fired.push(a.key);
              t = r.ticket;
            }
            await setNextAlarm(trx, id, state ? nextAlarmAt(state, fired, now) : null);
            return { ticket: t, events };
          })
          .then((r) => {
            if (r && r.events.length) written.push(r);
          }),
      ),
    );
    for (const r of results) if (r.status === 'rejected') console.error('[scheduler] alarm failed:', r.reason);
    for (const w of written) this.o.onChange?.(w.ticket, w.events);
    return written.flatMap((w) => w.events);
  }

  async get(id: number, actor: Actor): Promise<Ticket> {
    const t = await store.getTicket(this.o.db, id);
    if (!t || !canSee(t, actor)) throw new NotFound(`工单 ${id} 不存在`);
    return t;
  }

  async getByNumber(number: string, actor: Actor): Promise<Ticket> {
    const t = await store.getTicketByNumber(this.o.db, number);
    if (!t || !canSee(t, actor)) throw new NotFound(`工单 ${number} 不存在`);
    return t;
  }

  async events(id: number, actor: Actor): Promise<TicketEvent[]> {
    await this.get(id, actor);
    return store.listEvents(this.o.db, id);
  }

  /**
   * Search within what the actor may see. Filters on a citizen's personal data (phone, name,
   * address) are for the center's staff only: anyone else is refused whatever the value, so
   * the answer reveals nothing (issue 13: a unit confirming a reporter's number).
   */
  async search(filter: store.TicketFilter, page: number, pageSize: number, actor: Actor, sort?: store.TicketSort) {
    return store.searchTickets(this.o.db, this.scoped(filter, actor), page, pageSize, this.o.now(), sort);
  }

  /** The filter narrowed to what the actor may see (a unit: its own tickets; a report never matched by personal data outside the center). */
  private scoped(filter: store.TicketFilter, actor: Actor): store.TicketFilter {
    const personal = !!(filter.phone || filter.name || filter.addressText?.length);
    if (personal && !mayUsePersonalData(actor)) {
      throw new Forbidden('承办单位和领导不能按群众的姓名、电话、地址查询工单；请按工单编号、关键词或其他条件查询', 'personal_filter_forbidden');
    }
    const f: store.TicketFilter = actor.role === 'unit_handler' ? { ...filter, visibleToUnit: actor.unit ?? '-' } : filter;
    return personal && !mayUsePersonalData(actor) ? { ...f, excludeReports: true } : f;
  }

  /** More than `n` tickets match (what an export would leave out). */
  async matchesMoreThan(filter: store.TicketFilter, actor: Actor, n: number): Promise<boolean> {
    return store.matchesMoreThan(this.o.db, this.scoped(filter, actor), this.o.now(), n);
  }

  /** Every match (up to `cap`), in chunks, for an export. Returns how many matched beyond the cap (0 or more). */
  async eachMatch(filter: store.TicketFilter, actor: Actor, sort: store.TicketSort, cap: number, onChunk: (tickets: Ticket[]) => Promise<void>): Promise<boolean> {
    return store.eachTicket(this.o.db, this.scoped(filter, actor), sort, this.o.now(), cap, onChunk);
  }
}
