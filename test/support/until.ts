// Waiting in tests for something that happens on its own time (a push, a switch event, a page update).

/** Polls `fn` every 50 ms until it returns something truthy; fails naming `what` after `ms`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
