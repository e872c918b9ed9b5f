// What the call mappers remember about calls "lately": a Map that keeps only its most recently
// added keys, so a long-running app holds a bounded number of them.

/** A Map of at most `max` keys; adding one more drops the oldest added. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}
