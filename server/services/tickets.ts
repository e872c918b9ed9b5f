// The ticket service: validates, applies lifecycle rules and writes the ticket and
// its audit event in one transaction. The HTTP API, Open311, the IVR and the
// scheduler all go through it, so every channel takes the same path.
import crypto from 'node:crypto';
import { Knex } from 'knex';
import { Ticket, TicketEvent } from '../../workflow/types';
import { AppealInput, appealInput, newTicket, parseOrThrow } from '../../workflow/intake';
import { Actor, applyTransition, Clocks, LifecycleContext, TransitionRequest, UnitInfo } from '../../workflow/lifecycle';
import { InvalidInput, NotFound, TransitionRefused } from '../../workflow/errors';
import { canSee } from '../../workflow/visibility';
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
  /** Called after a commit with what changed (pushes to desks, scheduler hints). */
  onChange?: (ticket: Ticket, events: TicketEvent[]) => void;
}

export interface CreateOptions { idempotencyKey?: string; scope: string }

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
    const input: AppealInput = parseOrThrow(appealInput, body, '诉求');
    if (input.town && !this.o.units().has(input.town)) throw new InvalidInput(`镇街「${input.town}」不存在`, [{ field: 'town', message: '不存在的镇街' }]);
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
    const now = this.o.now();
    const ctx = this.ctx(now);
    const result = await this.writes.run(async (trx) => {
      const before = await store.getTicketForUpdate(trx, id);
      if (!before) throw new NotFound(`工单 ${id} 不存在`);
      if (!canSee(before, actor)) {
        // No number in the message: a unit learns nothing about another unit's ticket.
        throw new TransitionRefused('此工单不由本单位办理，不能操作（首接负责制：只有牵头单位可以办理或退回）', 'not_lead_unit');
      }
      const r = applyTransition(before, actor, req, ctx);
      await store.updateTicket(trx, before, r.ticket);
      const event = await store.insertEvent(trx, r.event);
      await this.scheduleAlarms(trx, r.ticket, now);
      await this.o.afterWrite?.(trx, r.ticket, now, before.status);
      await alsoWrite?.(trx, r.ticket);
      return { ticket: r.ticket, event };
    });
    this.o.onChange?.(result.ticket, [result.event]);
    return result;
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

  async search(filter: store.TicketFilter, page: number, pageSize: number, actor: Actor) {
    const f = actor.role === 'unit_handler' ? { ...filter, visibleToUnit: actor.unit ?? '-' } : filter;
    return store.searchTickets(this.o.db, f, page, pageSize, this.o.now());
  }
}
