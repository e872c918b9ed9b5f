// The login limiter's state (the rules: server/login-rules.ts), one row per key. An attempt's
// keys are reserved in one transaction, each row locked (PostgreSQL: FOR UPDATE; SQLite: the
// first statement is a write, which takes the database's write lock), in a fixed order, so
// that parallel attempts on one server or on several are counted one after the other.
import { Knex } from 'knex';
import { dbKind } from '../../storage/db';
import { afterFailure, LimitState, memoryMs, NO_FAILURES, RateLimitOptions, release, reserve } from '../login-rules';

export interface LimitKey { key: string; o: RateLimitOptions }

const stateOf = (r: any): LimitState =>
  r ? { failures: JSON.parse(r.failures), lockedUntil: Number(r.locked_until), locks: Number(r.locks ?? 0) } : NO_FAILURES;

async function lockedStates(trx: Knex.Transaction, keys: string[], now: number): Promise<Map<string, LimitState>> {
  const states = new Map<string, LimitState>();
  for (const key of [...new Set(keys)].sort()) {
    // The row exists before it is locked, so a second server's attempt waits for this one.
    await trx('login_limits').insert({ key, failures: '[]', locked_until: 0, locks: 0, updated_at: now }).onConflict('key').ignore();
    const q = trx('login_limits').where({ key });
    states.set(key, stateOf(dbKind(trx) === 'postgres' ? await q.forUpdate().first() : await q.first()));
  }
  return states;
}

const write = (trx: Knex.Transaction, key: string, s: LimitState, now: number) =>
  trx('login_limits').where({ key }).update({ failures: JSON.stringify(s.failures), locked_until: s.lockedUntil, locks: s.locks, updated_at: now });

export class LoginLimits {
  constructor(private readonly db: Knex) {}

  /** Reserve one attempt on every key, or none: the milliseconds to wait when any of them may not try. */
  async reserve(keys: LimitKey[], now: number): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
    return this.db.transaction(async (trx) => {
      const states = await lockedStates(trx, keys.map((k) => k.key), now);
      let wait = 0;
      const next = new Map<string, LimitState>();
      for (const { key, o } of keys) {
        const r = reserve(states.get(key)!, now, o);
        if ('retryAfterMs' in r) wait = Math.max(wait, r.retryAfterMs);
        else next.set(key, r.state);
      }
      if (wait > 0) return { ok: false as const, retryAfterMs: wait };
      for (const [key, s] of next) await write(trx, key, s, now);
      return { ok: true as const };
    });
  }

  /** The reserved attempt failed: each key may lock. */
  async failed(keys: LimitKey[], now: number): Promise<void> {
    await this.db.transaction(async (trx) => {
      const states = await lockedStates(trx, keys.map((k) => k.key), now);
      for (const { key, o } of keys) await write(trx, key, afterFailure(states.get(key)!, now, o), now);
    });
    // Keys nobody has tried for longer than they need remembering are forgotten.
    const longest = Math.max(...keys.map((k) => memoryMs(k.o)));
    await this.db('login_limits').where('updated_at', '<', now - longest).delete();
  }

  /** The reserved attempt (made at `reservedAt`) succeeded: `clear` keys are forgotten, `give back` keys get the reservation back. */
  async succeeded(o: { clear: string[]; giveBack: string[]; reservedAt: number }): Promise<void> {
    await this.db.transaction(async (trx) => {
      const states = await lockedStates(trx, o.giveBack, o.reservedAt);
      if (o.clear.length) await trx('login_limits').whereIn('key', o.clear).delete();
      for (const [key, s] of states) await write(trx, key, release(s, o.reservedAt), o.reservedAt);
    });
  }

  /** Of these keys, those locked at `now`, with the end of their lock (epoch ms). */
  async lockedUntil(keys: string[], now: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db('login_limits').whereIn('key', keys.slice(i, i + 500)).where('locked_until', '>', now).select('key', 'locked_until');
      for (const r of rows) out.set(r.key, Number(r.locked_until));
    }
    return out;
  }
}
