// Login rate limiting: a failed login costs a token from two buckets — one per
// address and one per user name — so neither guessing one account from many
// addresses nor many accounts from one address gets far. The rules are pure over a
// clock; the state lives in the database (server/services/login-limits.ts), so every server
// of the city counts the same failures, and a restart forgets none.
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

/** One key's recent failures (epoch ms) and the end of its lock (0: none). */
export interface LimitState { failures: number[]; lockedUntil: number }

export const NO_FAILURES: LimitState = { failures: [], lockedUntil: 0 };

/** Milliseconds until the key may try again (0: it may try now). */
export function retryAfter(s: LimitState, now: number): number {
  return s.lockedUntil > now ? s.lockedUntil - now : 0;
}

/** The state after one more failure: enough of them within the window lock the key. */
export function afterFailure(s: LimitState, now: number, o: RateLimitOptions): LimitState {
  const failures = [...s.failures.filter((t) => t > now - o.windowMs), now];
  if (failures.length >= o.maxFailures) return { failures: [], lockedUntil: now + o.lockMs };
  return { failures, lockedUntil: s.lockedUntil };
}
