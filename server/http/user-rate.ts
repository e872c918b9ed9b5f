// A per-server count of requests in the last minute by one user (or one address), for the
// routes that cost the server most (search, export, the routing engine, the public feed): one
// burst is refused with 429 and Retry-After instead of holding every other caller up.
import { Response } from 'express';
import { HttpError } from './errors';

export class PerUserRate {
  private readonly recent = new Map<number | string, number[]>();

  constructor(private readonly perMinute: number, private readonly refusal: { code: string; message: (seconds: number) => string }) {}

  /** Count one request of `key` at `at` (epoch ms): 0 when admitted, else the seconds to wait (nothing counted). */
  take(key: number | string, at: number): number {
    const mine = (this.recent.get(key) ?? []).filter((t) => t > at - 60_000);
    if (mine.length >= this.perMinute) {
      this.recent.set(key, mine);
      return Math.max(1, Math.ceil((mine[0] + 60_000 - at) / 1000));
    }
    mine.push(at);
    this.recent.set(key, mine);
    if (this.recent.size > 10_000) for (const [k, v] of this.recent) if (!v.length || v[v.length - 1] < at - 60_000) this.recent.delete(k);
    return 0;
  }

  /** The seconds `key` must wait at `at` before a request would be admitted (0: now); counts nothing. */
  wait(key: number | string, at: number): number {
    const mine = (this.recent.get(key) ?? []).filter((t) => t > at - 60_000);
    return mine.length >= this.perMinute ? Math.max(1, Math.ceil((mine[0] + 60_000 - at) / 1000)) : 0;
  }

  /** Count one request, or refuse it (429 with Retry-After) when the minute's are used up. */
  admit(res: Response, key: number | string, at: number): void {
    const wait = this.take(key, at);
    if (wait) refuse(res, wait, this.refusal);
  }
}

export function refuse(res: Response, seconds: number, r: { code: string; message: (seconds: number) => string }): never {
  const s = Math.max(1, seconds);
  res.set('Retry-After', String(s));
  throw new HttpError(429, r.code, r.message(s));
}
