// The last answers of a pure function, by key: suites start the same machines, define the same domains and
// draw the same pictures again and again, and each answer is immutable. Insertion-ordered; a hit moves its key
// to the newest end, and past `keep` keys the least recently used is dropped. Pure in what it answers.

export class Recent<V> {
  private readonly kept = new Map<string, V>();

  constructor(private readonly keep = 64) {}

  /** The answer for `key`: remembered, or `compute()` now (not remembered if it throws). */
  get(key: string, compute: () => V): V {
    const known = this.kept.get(key);
    if (known !== undefined) {
      this.kept.delete(key);
      this.kept.set(key, known);
      return known;
    }
    const v = compute();
    if (this.kept.size >= this.keep) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, v);
    return v;
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
