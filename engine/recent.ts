// The last answers of a pure function, by key: suites start the same machines, define the same domains and
// draw the same pictures again and again, and each answer is immutable. Past `keep` keys the least recently used
// is dropped. Pure in what it answers.

export class Recent<V> {
  /**
   * Each answer with the tick of its last use. A hit only stamps its entry: moving the key to the newest end of the
   * Map (a delete and a set) cost ≈ 0.5 µs in a suite, and a machine start-up's look-up is one per scenario. The
   * least recently used is the entry with the oldest stamp, looked for only when a new answer pushes one out.
   */
  private readonly kept = new Map<string, { readonly value: V; used: number }>();
  private tick = 0;

  constructor(private readonly keep = 64) {}

  /** The answer for `key`: remembered, or `compute()` now (not remembered if it throws). */
  get(key: string, compute: () => V): V {
    const known = this.kept.get(key);
    if (known !== undefined) {
      known.used = ++this.tick;
      return known.value;
    }
    const value = compute();
    if (this.kept.size >= this.keep) this.kept.delete(this.leastRecentlyUsed());
    this.kept.set(key, { value, used: ++this.tick });
    return value;
  }

  private leastRecentlyUsed(): string {
    let oldest: string | undefined;
    let used = Infinity;
    for (const [key, e] of this.kept) {
      if (e.used < used) {
        used = e.used;
        oldest = key;
      }
    }
    return oldest!;
  }
}

/** One `Recent` per release (or any other small set of keys), made on first use. */
export class RecentBy<R, V> {
  private readonly by = new Map<R, Recent<V>>();

  constructor(private readonly keep = 64) {}

  of(r: R): Recent<V> {
    let recent = this.by.get(r);
    if (!recent) this.by.set(r, (recent = new Recent<V>(this.keep)));
    return recent;
  }
}
