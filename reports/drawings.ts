// The last pictures drawn, by their snapshot's key: most scenarios start (and many end) on a picture drawn
// before, so a report draws each distinct one once. A plain insertion-ordered Map, the oldest dropped past 64.

export class Drawings<S> {
  private readonly drawn = new Map<string, string>();

  constructor(
    private readonly keyOf: (s: S) => string,
    private readonly draw: (s: S) => string,
    private readonly keep = 64,
  ) {}

  /** The picture of `s`, drawn now or remembered from a snapshot with the same key. */
  get(s: S): string {
    const key = this.keyOf(s);
    let svg = this.drawn.get(key);
    if (svg === undefined) {
      svg = this.draw(s);
      if (this.drawn.size >= this.keep) this.drawn.delete(this.drawn.keys().next().value!);
      this.drawn.set(key, svg);
    }
    return svg;
  }
}
