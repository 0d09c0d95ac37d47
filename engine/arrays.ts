// Copies of immutable lists with one element inserted or removed, as the engine's state makes them on every change:
// ES2023's copying splice, one allocation of the exact size with the copy and the shift in bulk (≈ 2-3 times
// cheaper than a slice followed by splice or push, which grow the copy once more). Node 20 has it; the project's
// TypeScript lib is ES2022, hence the cast.

type ToSpliced<T> = { toSpliced(start: number, deleteCount: number, ...items: T[]): T[] };

/** A copy of `list` with `x` inserted at `at` (at `list.length`: appended). */
export function insertAt<T>(list: readonly T[], at: number, x: T): T[] {
  return (list as unknown as ToSpliced<T>).toSpliced(at, 0, x);
}

/** A copy of `list` without its element at `at`. */
export function removeAt<T>(list: readonly T[], at: number): T[] {
  return (list as unknown as ToSpliced<T>).toSpliced(at, 1);
}

/**
 * A persistent list kept in chunks of a few dozen elements, for lists the engine changes by one element at a time
 * and copies at every change (256 DIMMs, their address order): inserting or removing an element copies its chunk
 * and the short list of chunks, not the whole list, and versions share every other chunk. Chunks are never
 * modified once made. Checked against plain array copies by test/chunk-list.property.test.ts.
 */
export class ChunkList<T> {
  /** A chunk that grows past this many elements is split in two halves. */
  static readonly MAX = 64;
  private static readonly EMPTY_LIST = new ChunkList<never>([], [], 0);

  private constructor(
    /** Non-empty chunks, in order. */
    readonly chunks: readonly (readonly T[])[],
    /** starts[c] = index of chunks[c][0] in the whole list. */
    private readonly starts: readonly number[],
    readonly length: number,
  ) {}

  static empty<T>(): ChunkList<T> {
    return ChunkList.EMPTY_LIST;
  }

  /** The list holding `xs` (copied in chunks: `xs` itself is not kept). */
  static of<T>(xs: readonly T[]): ChunkList<T> {
    const chunks: T[][] = [];
    const starts: number[] = [];
    const half = ChunkList.MAX >>> 1;
    for (let i = 0; i < xs.length; i += half) {
      starts.push(i);
      chunks.push(xs.slice(i, i + half));
    }
    return new ChunkList(chunks, starts, xs.length);
  }

  /** The chunk holding index `i` (0 <= i < length), by halves over the chunks' starts. */
  private chunkOf(i: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  at(i: number): T | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const c = this.chunkOf(i);
    return this.chunks[c][i - this.starts[c]];
  }

  /** The list with `x` inserted at `at` (0 <= at <= length; at length: appended). */
  insert(at: number, x: T): ChunkList<T> {
    if (this.chunks.length === 0) return new ChunkList([[x]], [0], 1);
    // At a chunk boundary the element goes at the end of the chunk before (appending stays in the last chunk).
    const c = at >= this.length ? this.chunks.length - 1 : this.chunkOf(at === 0 ? 0 : at - 1);
    const chunk = insertAt(this.chunks[c], at - this.starts[c], x);
    const starts = this.starts.slice();
    for (let k = c + 1; k < starts.length; k++) starts[k]++;
    if (chunk.length <= ChunkList.MAX) {
      const chunks = this.chunks.slice();
      chunks[c] = chunk;
      return new ChunkList(chunks, starts, this.length + 1);
    }
    const half = chunk.length >>> 1;
    const chunks = (this.chunks as unknown as ToSpliced<readonly T[]>).toSpliced(c, 1, chunk.slice(0, half), chunk.slice(half));
    return new ChunkList(chunks, insertAt(starts, c + 1, starts[c] + half), this.length + 1);
  }

  /** The list without its element at `at` (0 <= at < length). */
  remove(at: number): ChunkList<T> {
    const c = this.chunkOf(at);
    const chunk = this.chunks[c];
    if (chunk.length === 1) {
      const starts = removeAt(this.starts, c);
      for (let k = c; k < starts.length; k++) starts[k]--;
      return new ChunkList(removeAt(this.chunks, c), starts, this.length - 1);
    }
    const chunks = this.chunks.slice();
    chunks[c] = removeAt(chunk, at - this.starts[c]);
    const starts = this.starts.slice();
    for (let k = c + 1; k < starts.length; k++) starts[k]--;
    return new ChunkList(chunks, starts, this.length - 1);
  }

  /**
   * The first index whose element is not `before` (length when all are), for a predicate that holds for a prefix
   * of the list and not after it (a search by halves: over the chunks' last elements, then inside one chunk).
   */
  search(before: (x: T) => boolean): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const ch = chunks[mid];
      if (before(ch[ch.length - 1])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return this.length;
    const ch = chunks[lo];
    let a = 0;
    let b = ch.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(ch[mid])) a = mid + 1;
      else b = mid;
    }
    return this.starts[lo] + a;
  }

  /** `visit` each element from index `from` on, in order, until it returns false. */
  scanFrom(from: number, visit: (x: T) => boolean): void {
    if (from >= this.length) return;
    let c = this.chunkOf(from < 0 ? 0 : from);
    let j = (from < 0 ? 0 : from) - this.starts[c];
    for (; c < this.chunks.length; c++, j = 0) {
      const ch = this.chunks[c];
      for (; j < ch.length; j++) if (!visit(ch[j])) return;
    }
  }

  /** The elements in order, as a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (const ch of this.chunks) for (let i = 0; i < ch.length; i++) out.push(ch[i]);
    return out;
  }
}
