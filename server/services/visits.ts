// Return visits (回访) for every ticket: a durable task opens when the reply is reviewed
// (or a consult is resolved at intake); the scheduler has the survey call placed in
// calling hours, retries at other times, then hands the ticket to the operators' manual
// list. An answer is stored, with the ticket's transition, the moment it arrives.
import { Knex } from 'knex';
import { Ticket } from '../../workflow/types';
import { Actor } from '../../workflow/lifecycle';
import { TransitionRefused, NotFound, InvalidInput } from '../../workflow/errors';
import { afterAttempt, nextCallingTime, planVisit, VisitPolicy, OUTCOME_LABELS } from '../../workflow/return-visits';
import * as store from '../../storage/visits';
import { getTicket } from '../../storage/tickets';
import { TicketService } from './tickets';
import type { SurveyCallRequest } from '../../ivr/telephony';
import type { SurveyAnswer } from '../../ivr/services';

/** What places survey calls (the telephony side's dialer). */
export interface SurveyDialer {
  enqueue(req: SurveyCallRequest): void;
  /** False while the switch is unreachable: due visits wait instead of using up attempts. */
  ready?(): boolean;
}

const VISIT_STATUSES = new Set(['reviewed', 'resolved_at_intake']);
const SYSTEM: Actor = { id: null, role: 'system', unit: null };

export class VisitService {
  constructor(
    private readonly o: {
      db: Knex;
      tickets: TicketService;
      policy: VisitPolicy;
      now: () => Date;
      /** The dialer, when telephony is up; null: due visits go to the manual list. */
      dialer: () => SurveyDialer | null;
      log: (line: string) => void;
    },
  ) {}

  /** Inside a ticket write: open the return-visit task of this handling round when the ticket awaits its visit. */
  afterTicketWrite = async (trx: Knex.Transaction, t: Ticket, now: Date, previousStatus: Ticket['status'] | null): Promise<void> => {
    if (!VISIT_STATUSES.has(t.status)) {
      if (!previousStatus || !VISIT_STATUSES.has(previousStatus)) return; // no visit was owed
      // Visited (by any path), or moved on: no call is owed for this ticket any more.
      await trx('visit_tasks').where({ ticket_id: t.id }).whereNot('state', 'done').update({ state: 'done', next_at: null, lease_until: null, updated_at: now.toISOString() });
      return;
    }
    if (await store.getVisitTask(trx, t.id, t.handlingRound)) return;
    const plan = planVisit(t);
    await store.insertVisitTask(
      trx,
      plan.mode === 'auto'
        ? { ticketId: t.id, round: t.handlingRound, state: 'pending', attempts: 0, nextAt: nextCallingTime(now, this.o.policy).toISOString(), leaseUntil: null, manualReason: null }
        : { ticketId: t.id, round: t.handlingRound, state: 'manual', attempts: 0, nextAt: null, leaseUntil: null, manualReason: plan.reason },
      now.toISOString(),
    );
  };

  /** Place the due survey calls; count calls whose outcome never came as unanswered. */
  async tick(limit = 50): Promise<{ placed: number; manual: number; stale: number }> {
    const now = this.o.now();
    const at = now.toISOString();
    const { due, stale } = await store.dueVisitTasks(this.o.db, at, limit);
    for (const t of stale) {
      await this.settleAttempt(t, { outcome: 'unreachable', attempt: t.attempts, callId: null, reason: '未收到回访结果（呼叫中断或系统重启）' });
    }
    const dialer = this.o.dialer();
    let placed = 0;
    let manual = 0;
    if (dialer?.ready && !dialer.ready()) return { placed, manual, stale: stale.length };
    for (const t of due) {
      if (!dialer) {
        await store.updateVisitTask(this.o.db, { ...t, state: 'manual', nextAt: null, manualReason: '电话未接入，转人工回访' }, at);
        manual++;
        continue;
      }
      const ticket = await getTicket(this.o.db, t.ticketId);
      if (!ticket || !VISIT_STATUSES.has(ticket.status) || !ticket.citizenPhone) {
        await store.updateVisitTask(this.o.db, { ...t, state: 'done', nextAt: null }, at);
        continue;
      }
      const lease = new Date(now.getTime() + this.o.policy.callLeaseMs).toISOString();
      if (!(await store.claimVisitTask(this.o.db, t, lease, at))) continue; // another server has it
      try {
        dialer.enqueue({ ticketId: t.ticketId, ticketNumber: ticket.number, phone: ticket.citizenPhone.replace(/-/g, ''), attempt: t.attempts + 1 });
        placed++;
      } catch (e) {
        await store.updateVisitTask(this.o.db, { ...t, state: 'manual', nextAt: null, leaseUntil: null, manualReason: `无法自动回访：${(e as Error).message}` }, at);
        manual++;
      }
    }
    return { placed, manual, stale: stale.length };
  }

  /** A survey answer or a failed attempt from the dialer, stored the moment it arrives. */
  recordSurveyAnswer = async (a: SurveyAnswer): Promise<void> => {
    // The survey flow reports "unsatisfied" a second time with the recorded reason: same attempt, one row.
    const latest = await this.o.db('visit_tasks').where({ ticket_id: a.ticketId }).orderBy('round', 'desc').first();
    const known = latest
      ? await this.o.db('return_visits').where({ ticket_id: a.ticketId, round: latest.round, attempt: a.attempt, method: 'auto_call', outcome: a.outcome }).first()
      : undefined;
    if (known && (!a.callId || known.call_id === a.callId)) {
      if (a.reasonRecordingPath) await this.o.db('return_visits').where({ id: known.id }).update({ reason: `不满意原因录音：${a.reasonRecordingPath}` });
      return;
    }
    const t = await store.openVisitTask(this.o.db, a.ticketId);
    if (!t) {
      this.o.log(`[回访] 工单 ${a.ticketId} 没有待回访任务，结果 ${a.outcome} 只记入回访记录`);
      await store.insertReturnVisit(this.o.db, { ticketId: a.ticketId, round: 0, attempt: a.attempt, method: 'auto_call', outcome: a.outcome, callId: a.callId, at: a.answeredAt });
      return;
    }
    await this.settleAttempt(t, { outcome: a.outcome, attempt: a.attempt, callId: a.callId, reason: a.reasonRecordingPath ? `不满意原因录音：${a.reasonRecordingPath}` : null });
  };

  private async settleAttempt(t: store.VisitTask, a: { outcome: string; attempt: number; callId: string | null; reason: string | null }): Promise<void> {
    const now = this.o.now();
    const at = now.toISOString();
    const r = afterAttempt(a.outcome, a.attempt, now, this.o.policy);
    const row = { ticketId: t.ticketId, round: t.round, attempt: a.attempt, method: 'auto_call', outcome: a.outcome, reason: a.reason, callId: a.callId, at };
    if (r.state === 'done') {
      const write = async (trx: Knex.Transaction) => {
        await store.insertReturnVisit(trx, row);
        await store.updateVisitTask(trx, { ...t, state: 'done', nextAt: null, leaseUntil: null }, at);
      };
      try {
        await this.o.tickets.transition(t.ticketId, SYSTEM, { action: 'record_return_visit', input: { outcome: r.outcome, attempt: a.attempt } }, write);
      } catch (e) {
        // The ticket moved on meanwhile (e.g. closed by the leaders): the answer is still kept.
        if (!(e instanceof TransitionRefused)) throw e;
        await this.o.db.transaction(write);
      }
      return;
    }
    await this.o.db.transaction(async (trx) => {
      await store.insertReturnVisit(trx, row);
      await store.updateVisitTask(
        trx,
        r.state === 'pending'
          ? { ...t, state: 'pending', attempts: Math.max(t.attempts, a.attempt), nextAt: r.nextAt, leaseUntil: null }
          : { ...t, state: 'manual', attempts: Math.max(t.attempts, a.attempt), nextAt: null, leaseUntil: null, manualReason: r.reason },
        at,
      );
    });
  }

  /** The operators' manual return-visit list. */
  manualList() {
    return store.visitList(this.o.db, ['manual']);
  }

  /** Every open return visit (waiting for calling hours, being retried, on the manual list): to make one now. */
  openList() {
    return store.visitList(this.o.db, ['manual', 'pending', 'calling']);
  }

  /** An operator called the citizen (or could not reach them): record it and close the visit. */
  async recordManual(ticketId: number, actor: Actor, outcome: string, reason: string | null): Promise<Ticket> {
    if (!(outcome in OUTCOME_LABELS) || !['satisfied', 'basically_satisfied', 'unsatisfied', 'unreachable'].includes(outcome)) {
      throw new InvalidInput('回访结果须为 满意/基本满意/不满意/无法联系（satisfied|basically_satisfied|unsatisfied|unreachable）');
    }
    if (outcome === 'unsatisfied' && !reason?.trim()) {
      throw new InvalidInput('回访结果为不满意时，须记录群众不满意的原因（研判时要看）', [{ field: 'reason', message: '不满意须填写原因' }]);
    }
    const t = await store.openVisitTask(this.o.db, ticketId);
    if (!t) throw new NotFound(`工单 ${ticketId} 没有待回访任务`);
    const at = this.o.now().toISOString();
    // The survey call is on the line now: its answer would be a second visit.
    if (t.state === 'calling' && t.leaseUntil && t.leaseUntil > at) {
      throw new TransitionRefused('系统正在自动回访此工单（电话进行中），请稍后再试', 'call_in_progress');
    }
    const { ticket } = await this.o.tickets.transition(ticketId, actor, { action: 'record_return_visit', input: { outcome, attempt: t.attempts + 1 } }, async (trx) => {
      await store.insertReturnVisit(trx, { ticketId, round: t.round, attempt: t.attempts + 1, method: 'manual_call', outcome, reason, actorId: actor.id, at });
      await store.updateVisitTask(trx, { ...t, state: 'done', attempts: t.attempts + 1, nextAt: null, leaseUntil: null }, at);
    });
    return ticket;
  }
}
