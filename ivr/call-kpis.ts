// The supervisors' telephony figures, from `calls` rows (plain objects in, numbers out).
//   offered  = inbound hotline calls that asked for an operator (entered the queue)
//   answered = of those, answered by an operator;   abandoned = the caller gave up in the queue
//   answer rate (接通率)          = answered ÷ offered                 target ≥ 95 % (GB/T 33358)
//   answered within 15 s rate    = answered with queue wait ≤ 15 s ÷ offered
// Calls the IVR finished by itself (status read back, message) are not offered to operators.
import { Knex } from 'knex';

export interface CallRow {
  direction: string;
  purpose: string;
  queued_at: string | null;
  answered_at: string | null;
  abandoned_at: string | null;
  queue_wait_ms: number | null;
}

export interface CallKpis {
  offered: number;
  answered: number;
  abandoned: number;
  answeredWithin15s: number;
  answerRate: number | null;
  within15sRate: number | null;
  /** Average queue wait of answered calls, ms. */
  averageWaitMs: number | null;
  answerRateMet: boolean | null;
}

export const ANSWER_RATE_TARGET = 0.95;
export const ANSWER_WITHIN_MS = 15000;

export function callKpis(rows: CallRow[]): CallKpis {
  const offered = rows.filter((r) => r.direction === 'inbound' && r.purpose === 'hotline' && r.queued_at);
  const answered = offered.filter((r) => r.answered_at);
  const within = answered.filter((r) => r.queue_wait_ms !== null && Number(r.queue_wait_ms) <= ANSWER_WITHIN_MS);
  const waits = answered.filter((r) => r.queue_wait_ms !== null).map((r) => Number(r.queue_wait_ms));
  const rate = (n: number) => (offered.length ? n / offered.length : null);
  const answerRate = rate(answered.length);
  return {
    offered: offered.length,
    answered: answered.length,
    abandoned: offered.filter((r) => r.abandoned_at && !r.answered_at).length,
    answeredWithin15s: within.length,
    answerRate,
    within15sRate: rate(within.length),
    averageWaitMs: waits.length ? Math.round(waits.reduce((a, b) => a + b, 0) / waits.length) : null,
    answerRateMet: answerRate === null ? null : answerRate >= ANSWER_RATE_TARGET,
  };
}

/** The figures for calls offered in [from, to) (ISO times). */
export async function loadCallKpis(db: Knex, from: string, to: string): Promise<CallKpis> {
  const rows = await db('calls')
    .where('offered_at', '>=', from)
    .andWhere('offered_at', '<', to)
    .select('direction', 'purpose', 'queued_at', 'answered_at', 'abandoned_at', 'queue_wait_ms');
  return callKpis(rows as CallRow[]);
}
