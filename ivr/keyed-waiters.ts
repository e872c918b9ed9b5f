// Flows waiting, by call, for something the switch's event connection will say about that call
// (a bridge up, an offer's outcome): each wait ends with the value settled for its key, or with
// null when `ms` pass first.

/** One-shot waits by key: `settle(key, value)` ends every wait on the key; a wait not settled in time ends with null. */
export class KeyedWaiters<K, V> {
  private waiting = new Map<K, Set<(value: V) => void>>();

  wait(key: K, ms: number): Promise<V | null> {
    return new Promise((resolve) => {
      const set = this.waiting.get(key) ?? new Set<(value: V) => void>();
      this.waiting.set(key, set);
      const done = (value: V) => {
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        set.delete(done);
        if (set.size === 0 && this.waiting.get(key) === set) this.waiting.delete(key);
        resolve(null);
      }, ms);
      set.add(done);
    });
  }

  settle(key: K, value: V): void {
    const set = this.waiting.get(key);
    if (!set) return;
    this.waiting.delete(key);
    for (const done of set) done(value);
  }
}
