// Login rate limiting: a failed login costs a token from two buckets — one per
// address and one per user name — so neither guessing one account from many
// addresses nor many accounts from one address gets far. Pure over a clock.
export interface RateLimitOptions {
  /** Failures allowed within the window before the key is locked. */
  maxFailures: number;
  windowMs: number;
  /** How long a locked key stays locked. */
  lockMs: number;
}

/** Per user name: five wrong passwords lock that name for 15 minutes. */
export const LOGIN_LIMITS: RateLimitOptions = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Per address: higher, since a whole call center may sit behind one address. */
export const ADDRESS_LIMITS: RateLimitOptions = { maxFailures: 50, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

interface Entry { failures: number[]; lockedUntil: number }

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly o: RateLimitOptions = LOGIN_LIMITS) {}

  /** Milliseconds until the key may try again (0: it may try now). */
  retryAfter(key: string, now: number): number {
    const e = this.entries.get(key);
    return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  fail(key: string, now: number): void {
    const e = this.entries.get(key) ?? { failures: [], lockedUntil: 0 };
    e.failures = e.failures.filter((t) => t > now - this.o.windowMs);
    e.failures.push(now);
    if (e.failures.length >= this.o.maxFailures) {
      e.lockedUntil = now + this.o.lockMs;
      e.failures = [];
    }
    this.entries.set(key, e);
    if (this.entries.size > 100_000) this.sweep(now);
  }

  succeed(key: string): void {
    this.entries.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) if (e.lockedUntil <= now && e.failures.every((t) => t <= now - this.o.windowMs)) this.entries.delete(k);
  }
}
