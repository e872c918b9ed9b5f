// The login limiter's state (the rules: server/login-rules.ts), one row per key, read and
// changed in one transaction so that two servers counting at once do not lose a failure.
import { Knex } from 'knex';
import { dbKind } from '../../storage/db';
import { afterFailure, LimitState, NO_FAILURES, RateLimitOptions, retryAfter } from '../login-rules';

const stateOf = (r: any): LimitState => (r ? { failures: JSON.parse(r.failures), lockedUntil: Number(r.locked_until) } : NO_FAILURES);

/** The failures of one kind of key (`prefix`: 'user:' or 'ip:'), under its own limits. */
export class LoginLimits {
  constructor(private readonly db: Knex, private readonly prefix: string, private readonly o: RateLimitOptions) {}

  async retryAfter(name: string, now: number): Promise<number> {
    return retryAfter(stateOf(await this.db('login_limits').where({ key: this.prefix + name }).first()), now);
  }

  async fail(name: string, now: number): Promise<void> {
    const key = this.prefix + name;
    await this.db.transaction(async (trx) => {
      // The row exists before it is locked, so that a second server's failure waits for this one.
      await trx('login_limits').insert({ key, failures: '[]', locked_until: 0, updated_at: now }).onConflict('key').ignore();
      const q = trx('login_limits').where({ key });
      const before = stateOf(dbKind(trx) === 'postgres' ? await q.forUpdate().first() : await q.first());
      const s = afterFailure(before, now, this.o);
      await trx('login_limits').where({ key }).update({ failures: JSON.stringify(s.failures), locked_until: s.lockedUntil, updated_at: now });
    });
    // Keys of this kind nobody has failed for longer than the window and the lock are forgotten.
    await this.db('login_limits')
      .where('key', 'like', `${this.prefix}%`)
      .where('updated_at', '<', now - Math.max(this.o.windowMs, this.o.lockMs))
      .delete();
  }

  async succeed(name: string): Promise<void> {
    await this.db('login_limits').where({ key: this.prefix + name }).delete();
  }
}
