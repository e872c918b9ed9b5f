// Which survey calls the dialer placed. Whoever reaches the IVR listener can pose as the
// switch and hand over a "survey" channel with any ticket in its variables (issue 13 item 4),
// so a survey runs only on a call listed here, with the one-time token the originate carried,
// and only once. The ticket and attempt come from the ledger, never from the channel.
import crypto from 'node:crypto';
import { Knex } from 'knex';

export interface PlacedSurvey {
  ticketId: number;
  attempt: number;
}

export interface SurveyLedger {
  /** The dialer is about to place `callId` for this request, carrying `token`. */
  expect(callId: string, survey: PlacedSurvey, token: string, at: string): Promise<void>;
  /**
   * The survey on `callId` may run: its request, once. `token` null is for a switch whose survey
   * signal comes over the authenticated control connection (AMI) rather than an open listener.
   */
  claim(callId: string, token: string | null, at: string): Promise<PlacedSurvey | null>;
}

export const newSurveyToken = (): string => crypto.randomBytes(16).toString('hex');
const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const sameHash = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** In memory: enough for one process (tests, a server without a database). */
export class MemorySurveyLedger implements SurveyLedger {
  private calls = new Map<string, PlacedSurvey & { tokenHash: string; claimed: boolean }>();

  async expect(callId: string, s: PlacedSurvey, token: string): Promise<void> {
    this.calls.set(callId, { ...s, tokenHash: hash(token), claimed: false });
  }

  async claim(callId: string, token: string | null): Promise<PlacedSurvey | null> {
    const c = this.calls.get(callId);
    if (!c || c.claimed || (token !== null && !sameHash(c.tokenHash, hash(token)))) return null;
    c.claimed = true;
    return { ticketId: c.ticketId, attempt: c.attempt };
  }
}

/** In the database (`survey_calls`, migration 150): a restarted app or another server still knows the call; the claim is one atomic update. */
export class KnexSurveyLedger implements SurveyLedger {
  constructor(private db: Knex) {}

  async expect(callId: string, s: PlacedSurvey, token: string, at: string): Promise<void> {
    await this.db('survey_calls')
      .insert({ call_id: callId, ticket_id: s.ticketId, attempt: s.attempt, token_hash: hash(token), placed_at: at })
      .onConflict('call_id').ignore();
  }

  async claim(callId: string, token: string | null, at: string): Promise<PlacedSurvey | null> {
    const q = this.db('survey_calls').where({ call_id: callId }).whereNull('claimed_at');
    if (token !== null) q.andWhere({ token_hash: hash(token) });
    const n = await q.update({ claimed_at: at });
    if (n !== 1) return null;
    const row = await this.db('survey_calls').where({ call_id: callId }).first('ticket_id', 'attempt');
    return row ? { ticketId: Number(row.ticket_id), attempt: Number(row.attempt) } : null;
  }
}
