// Reconnecting a switch's control connection (the Event Socket, AMI) after it was lost:
// doubling delays with jitter, back to the shortest once a session is up, nothing after stop.

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** Delay before the n-th retry (n ≥ 1): doubling from initialMs up to maxMs, with ±20 % jitter so that many adapters do not reconnect in step. */
export function backoffMs(attempt: number, b: Backoff, random = Math.random): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class Reconnector {
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(private readonly connect: () => void, private readonly backoff: Backoff) {}

  /** Between start() and stop(): connections are wanted. */
  get active(): boolean {
    return !this.stopped;
  }

  start(): void {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A session is up: the next loss starts again from the shortest delay. */
  succeeded(): void {
    this.attempt = 0;
  }

  /** The connection failed or was lost: connect again after the next delay, unless stopped. */
  failed(): void {
    if (this.stopped) return;
    this.attempt++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, backoffMs(this.attempt, this.backoff));
    this.timer.unref();
  }
}
