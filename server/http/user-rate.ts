// A per-user, per-server count of requests in the last minute, for the routes that cost the
// server most (search, export, the routing engine): one person's burst is refused with 429 and
// Retry-After instead of holding every other desk up.
import { Response } from 'express';
import { HttpError } from './errors';

export class PerUserRate {
  private readonly recent = new Map<number, number[]>();

  constructor(private readonly perMinute: number, private readonly refusal: { code: string; message: (seconds: number) => string }) {}

  /** Count one request of `userId` at `at` (epoch ms), or refuse it (429) when the minute's are used up. */
  admit(res: Response, userId: number, at: number): void {
    const mine = (this.recent.get(userId) ?? []).filter((t) => t > at - 60_000);
    if (mine.length >= this.perMinute) {
      this.recent.set(userId, mine);
      refuse(res, Math.ceil((mine[0] + 60_000 - at) / 1000), this.refusal);
    }
    mine.push(at);
    this.recent.set(userId, mine);
    if (this.recent.size > 10_000) for (const [k, v] of this.recent) if (!v.length || v[v.length - 1] < at - 60_000) this.recent.delete(k);
  }
}

export function refuse(res: Response, seconds: number, r: { code: string; message: (seconds: number) => string }): never {
  const s = Math.max(1, seconds);
  res.set('Retry-After', String(s));
  throw new HttpError(429, r.code, r.message(s));
}
