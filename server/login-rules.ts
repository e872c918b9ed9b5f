// Login limits, the rules (pure over a clock; the state lives in the database:
// server/services/login-limits.ts, so every server counts the same attempts).
//
// An attempt is RESERVED before its password is verified: it counts as a failure from the
// moment it starts, so a burst of parallel guesses finds the budget spent after the first
// few and is refused before verifying (at most `maxFailures` are verified per window). A
// success gives its reservation back.
//
// Three kinds of keys, each attempt charged to two of them:
//  - the address (ip:ADDRESS) — high, since a whole call center may sit behind one address;
//  - the account, for attempts from browsers it never signed in with (user:NAME);
//  - or, instead of the account, the browser the user signed in with before (dev:…, a
//    device cookie), with a limit of its own: guessing from elsewhere locks the account for
//    unknown browsers but never the user's own desk.
// Account and browser locks back off: each further lock within a day lasts twice as long.

export interface RateLimitOptions {
  /** Attempts that may fail within the window; the next one is refused. */
  maxFailures: number;
  windowMs: number;
  /** The first lock's length; each further lock within `backoffMemoryMs` doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
  backoffMemoryMs: number;
}

/** Per account (unknown browsers) and per known browser: 5 failures, then 5 min, 10, 20, 40, 60 min. */
export const ACCOUNT_LIMITS: RateLimitOptions = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 5 * 60_000, maxLockMs: 60 * 60_000, backoffMemoryMs: 24 * 3600_000 };
/** Per address: higher, since a whole call center may sit behind one address; no back-off. */
export const ADDRESS_LIMITS: RateLimitOptions = { maxFailures: 50, windowMs: 15 * 60_000, lockMs: 15 * 60_000, maxLockMs: 15 * 60_000, backoffMemoryMs: 0 };

/** The keys of the limiter's table (one naming for the server, the administrator's unlock and the tests). */
export const limitKey = {
  address: (ip: string) => `ip:${ip}`,
  account: (username: string) => `user:${username.toLowerCase()}`,
  /** A browser the user signed in with (by the hash of its device token). */
  device: (tokenHash: string) => `dev:${tokenHash}`,
};

/** One key's attempts in the window (epoch ms; reservations and failures), its lock, and how many locks it had lately. */
export interface LimitState { failures: number[]; lockedUntil: number; locks: number }

export const NO_FAILURES: LimitState = { failures: [], lockedUntil: 0, locks: 0 };

/** How long to wait when the window is full of attempts still being verified (no lock yet). */
export const IN_FLIGHT_WAIT_MS = 1000;

const recent = (s: LimitState, now: number, o: RateLimitOptions) => s.failures.filter((t) => t > now - o.windowMs);

/** Milliseconds until the key may try again (0: it may try now). */
export function retryAfter(s: LimitState, now: number, o: RateLimitOptions): number {
  if (s.lockedUntil > now) return s.lockedUntil - now;
  return recent(s, now, o).length >= o.maxFailures ? IN_FLIGHT_WAIT_MS : 0;
}

/** Reserve one attempt at `now`: the state with it counted, or how long to wait when the key may not try. */
export function reserve(s: LimitState, now: number, o: RateLimitOptions): { state: LimitState } | { retryAfterMs: number } {
  const wait = retryAfter(s, now, o);
  if (wait > 0) return { retryAfterMs: wait };
  return { state: { ...s, failures: [...recent(s, now, o), now] } };
}

/** The lock's length after `locks` earlier locks still remembered. */
export function lockLength(locks: number, o: RateLimitOptions): number {
  return Math.min(o.maxLockMs, o.lockMs * 2 ** Math.min(locks, 20));
}

/**
 * A reserved attempt failed (its reservation stays as the failure): when the window is full
 * the key is locked, for longer each time within the back-off memory.
 */
export function afterFailure(s: LimitState, now: number, o: RateLimitOptions): LimitState {
  const failures = recent(s, now, o);
  if (failures.length < o.maxFailures) return { ...s, failures };
  // Locks remembered: those that ended within the back-off memory.
  const remembered = s.lockedUntil > 0 && s.lockedUntil > now - o.backoffMemoryMs ? s.locks : 0;
  return { failures: [], lockedUntil: now + lockLength(remembered, o), locks: remembered + 1 };
}

/** A reserved attempt succeeded: its reservation is given back (the account's own key is cleared instead). */
export function release(s: LimitState, reservedAt: number): LimitState {
  const i = s.failures.indexOf(reservedAt);
  return i < 0 ? s : { ...s, failures: [...s.failures.slice(0, i), ...s.failures.slice(i + 1)] };
}

/** How long a key's row must be kept (after that, forgetting it changes nothing). */
export function memoryMs(o: RateLimitOptions): number {
  return Math.max(o.windowMs, o.maxLockMs + o.backoffMemoryMs);
}
