// The memory region tree as immutable data, with QEMU's memory API mutators (softmmu/memory.c) as pure
// functions. Regions are keyed by a unique id; QEMU names repeat (13 × "pam-pci", two "pic"), ids do not.

import { insertAt, removeAt } from '../arrays';

export type RegionKind = 'ram' | 'rom' | 'io' | 'container';

export interface Region {
  readonly id: string;
  /** The name QEMU prints. */
  readonly name: string;
  /** Size in bytes; 2^64 for regions spanning the whole address space. */
  readonly size: bigint;
  /** Offset inside the container (meaningful only while `container` is set). */
  readonly addr: bigint;
  readonly priority: number;
  readonly container?: string;
  /** Children in QEMU's list order: priority descending, most recently added first among equals. */
  readonly subregions: readonly string[];
  /** Alias target id and offset into it. */
  readonly alias?: string;
  readonly aliasOffset: bigint;
  readonly enabled: boolean;
  /** False for pure containers (memory_region_init): they have no content of their own. */
  readonly terminates: boolean;
  readonly ram: boolean;
  readonly readonly: boolean;
  /** ROM device (romd): RAM-backed reads, MMIO writes. */
  readonly romDevice: boolean;
  /** Owner as `info mtree -o` would name it (informational). */
  readonly owner?: string;
}

/**
 * The region table: an immutable map from id to Region with structural sharing. An update copies one small
 * bucket and the bucket index (not the whole table), so a plug costs what it touches and successive states
 * share almost all of their regions. `changedRegionIds` compares two versions in time proportional to what
 * differs.
 */
export class Regions {
  private static readonly BUCKETS = 64;
  static readonly EMPTY: Regions = new Regions(new Array<readonly Region[]>(Regions.BUCKETS).fill([]), 0);

  private constructor(
    /**
     * Regions by hash of their id; each bucket is a small array. Never modified once made (readonly), but not
     * Object.freeze'd: V8 copies and searches frozen arrays on a slow path (slice of 64 entries: ≈ 2 µs
     * instead of ≈ 60 ns).
     */
    readonly buckets: readonly (readonly Region[])[],
    readonly size: number,
    aliasIdx?: ReadonlyMap<string, readonly string[]>,
  ) {
    // Not Object.seal'd either: sealing every new table cost a map transition per update (readonly by type).
    this.#aliasIdx = aliasIdx;
  }

  /**
   * Alias region ids by target id: derived, computed on first use. A private field, so not part of the table's value
   * (keys, JSON, deepStrictEqual do not see it); not a WeakMap entry per table, which every plug's new table paid
   * for and the collector traced.
   */
  #aliasIdx: ReadonlyMap<string, readonly string[]> | undefined;

  private get aliasIdx(): ReadonlyMap<string, readonly string[]> | undefined {
    return this.#aliasIdx;
  }

  /** The alias regions that target `id`. */
  aliasesOf(id: string): readonly string[] {
    let idx = this.aliasIdx;
    if (!idx) this.#aliasIdx = idx = aliasIndexOf(this.buckets);
    return idx.get(id) ?? NONE;
  }

  /** Bucket of an id (FNV-1a of its characters), remembered per id string. */
  static bucketOf(id: string): number {
    let k = bucketCache.get(id);
    if (k === undefined) {
      k = fnv(id) & (Regions.BUCKETS - 1);
      if (bucketCache.size > 100_000) bucketCache.clear();
      bucketCache.set(id, k);
    }
    return k;
  }

  get(id: string): Region | undefined {
    const b = this.buckets[Regions.bucketOf(id)];
    for (let i = 0; i < b.length; i++) if (b[i].id === id) return b[i];
    return undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** A table with `r` under `r.id` (replacing the region of that id). */
  set(r: Region): Regions {
    const k = Regions.bucketOf(r.id);
    const b = this.buckets[k];
    const at = indexOfId(b, r.id);
    if (at >= 0 && b[at] === r) return this;
    const buckets = this.buckets.slice();
    buckets[k] = withAt(b, at, r);
    const out = new Regions(buckets, this.size + (at >= 0 ? 0 : 1), this.patchedAliasIdx(at >= 0 ? b[at].alias : undefined, r));
    derivations.note(this, out, r.id, undefined);
    return out;
  }

  /**
   * `set(a).set(b)` in one step (one copy of the bucket index): what mapping or unmapping a subregion changes, its
   * container and itself.
   */
  setTwo(a: Region, b: Region): Regions {
    if (a.id === b.id) return this.set(a).set(b);
    const ka = Regions.bucketOf(a.id);
    const kb = Regions.bucketOf(b.id);
    const ba = this.buckets[ka];
    const atA = indexOfId(ba, a.id);
    const buckets = this.buckets.slice();
    buckets[ka] = withAt(ba, atA, a);
    const bb = buckets[kb];
    const atB = indexOfId(bb, b.id);
    buckets[kb] = withAt(bb, atB, b);
    const wasA = atA >= 0 ? ba[atA].alias : undefined;
    const wasB = atB >= 0 ? bb[atB].alias : undefined;
    let idx = this.aliasIdx;
    if (idx && (wasA !== a.alias || wasB !== b.alias)) idx = patchAliasIdx(patchAliasIdx(idx, wasA, a), wasB, b);
    const out = new Regions(buckets, this.size + (atA >= 0 ? 0 : 1) + (atB >= 0 ? 0 : 1), idx);
    derivations.note(this, out, a.id, b.id);
    return out;
  }

  /**
   * The alias index still holds unless an alias came, went or changed its target; then it is updated for this one
   * region (a copy of the small index) rather than rebuilt from every region.
   */
  private patchedAliasIdx(was: string | undefined, r: Region): ReadonlyMap<string, readonly string[]> | undefined {
    const idx = this.aliasIdx;
    return idx && was !== r.alias ? patchAliasIdx(idx, was, r) : idx;
  }

  delete(id: string): Regions {
    const k = Regions.bucketOf(id);
    const b = this.buckets[k];
    if (!b.some((x) => x.id === id)) return this;
    const buckets = this.buckets.slice();
    buckets[k] = b.filter((x) => x.id !== id);
    const out = new Regions(buckets, this.size - 1, b.find((x) => x.id === id)!.alias === undefined ? this.aliasIdx : undefined);
    derivations.note(this, out, id, undefined);
    return out;
  }

  *values(): IterableIterator<Region> {
    for (const b of this.buckets) yield* b;
  }

  /** Build a table from regions (tests, tools). */
  static of(regions: Iterable<Region> | Readonly<Record<string, Region>>): Regions {
    let t = Regions.EMPTY;
    const list = Symbol.iterator in regions ? (regions as Iterable<Region>) : Object.values(regions as Readonly<Record<string, Region>>);
    for (const r of list) t = t.set(r);
    return t;
  }

  /**
   * `Regions.of(regions)` for regions of distinct ids, made at once (memory/region-builder.ts): the same table,
   * buckets in the same order, without a copy of the bucket index per region. Its alias index is made with it (the
   * one aliasesOf would make on first use, in the same order), so every table a start-up state's updates derive from
   * it patches that index instead of scanning the whole table again at its first plug.
   */
  static ofNew(regions: readonly Region[]): Regions {
    const buckets = Regions.EMPTY.buckets.slice();
    for (const r of regions) {
      const k = Regions.bucketOf(r.id);
      const b = buckets[k];
      if (b.length === 0) buckets[k] = [r];
      else (b as Region[]).push(r);
    }
    return new Regions(buckets, regions.length, aliasIndexOf(buckets));
  }
}

const bucketCache = new Map<string, number>();
const NONE: readonly string[] = Object.freeze([]);

/** Position of the region `id` in a bucket, or -1. */
function indexOfId(b: readonly Region[], id: string): number {
  for (let i = 0; i < b.length; i++) if (b[i].id === id) return i;
  return -1;
}

/** A copy of bucket `b` with `r` at `at` (appended when `at` is -1). */
function withAt(b: readonly Region[], at: number, r: Region): Region[] {
  const out = b.slice();
  if (at >= 0) out[at] = r;
  else out.push(r);
  return out;
}

/** The alias index with region `r` (whose alias target was `was`) moved to its current target. */
/** Alias region ids by target id, in table order (bucket by bucket). */
function aliasIndexOf(buckets: readonly (readonly Region[])[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const b of buckets) {
    for (const r of b) {
      if (r.alias === undefined) continue;
      const list = m.get(r.alias);
      if (list) list.push(r.id);
      else m.set(r.alias, [r.id]);
    }
  }
  return m;
}

function patchAliasIdx(idx: ReadonlyMap<string, readonly string[]>, was: string | undefined, r: Region): ReadonlyMap<string, readonly string[]> {
  if (was === r.alias) return idx;
  const m = new Map(idx);
  if (was !== undefined) {
    const left = (m.get(was) ?? NONE).filter((x) => x !== r.id);
    if (left.length) m.set(was, left);
    else m.delete(was);
  }
  if (r.alias !== undefined) m.set(r.alias, [...(m.get(r.alias) ?? NONE), r.id]);
  return m;
}

function fnv(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The last few tables made by set, setTwo or delete: from which table, with which ids touched (at most two). Not on
 * the table itself: a link to its parent would keep every earlier table of a machine alive.
 */
const derivations = {
  parents: new Array<Regions | undefined>(8).fill(undefined),
  children: new Array<Regions | undefined>(8).fill(undefined),
  ids: new Array<string | undefined>(16).fill(undefined),
  next: 0,
  note(parent: Regions, child: Regions, a: string, b: string | undefined): void {
    const k = this.next;
    this.parents[k] = parent;
    this.children[k] = child;
    this.ids[2 * k] = a;
    this.ids[2 * k + 1] = b;
    this.next = (k + 1) & 7;
  },
  /** The ids touched on the way from `a` to `b` when `b` was made from `a` by the last few updates, else undefined. */
  touched(a: Regions, b: Regions): string[] | undefined {
    const ids: string[] = [];
    let cur = b;
    for (let steps = 0; steps < 8; steps++) {
      let k = 0;
      while (k < 8 && this.children[k] !== cur) k++;
      if (k === 8) return undefined;
      ids.push(this.ids[2 * k]!);
      if (this.ids[2 * k + 1] !== undefined) ids.push(this.ids[2 * k + 1]!);
      cur = this.parents[k]!;
      if (cur === a) return ids;
    }
    return undefined;
  },
};

/**
 * Ids whose region differs (added, removed or replaced) between two versions of the table, each once, in no
 * particular order. When `b` was made from `a` by the last few updates, only the ids they touched are looked at.
 */
export function changedRegionIds(a: Regions, b: Regions): string[] {
  if (a === b) return [];
  const touched = derivations.touched(a, b);
  if (touched !== undefined) {
    const out: string[] = [];
    for (let i = 0; i < touched.length; i++) {
      const id = touched[i];
      if (a.get(id) !== b.get(id) && !out.includes(id)) out.push(id);
    }
    return out;
  }
  return changedRegionIdsByScan(a, b);
}

/** changedRegionIds by a walk over both tables' buckets (the ones they share skipped by identity). */
export function changedRegionIdsByScan(a: Regions, b: Regions): string[] {
  if (a === b) return [];
  const out: string[] = [];
  for (let k = 0; k < a.buckets.length; k++) {
    const x = a.buckets[k];
    const y = b.buckets[k];
    if (x === y) continue;
    // The usual change: regions replaced in place, or one appended (`set`), the others where they were.
    const n = x.length < y.length ? x.length : y.length;
    let aligned = x.length === y.length || y.length === x.length + 1;
    for (let i = 0; i < n && aligned; i++) if (x[i].id !== y[i].id) aligned = false;
    if (aligned) {
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) out.push(x[i].id);
      if (y.length > n) out.push(y[n].id);
      continue;
    }
    for (const r of x) if (b.get(r.id) !== r) out.push(r.id);
    for (const r of y) if (!x.includes(r) && !out.includes(r.id)) out.push(r.id);
  }
  return out;
}

export interface RegionSpec {
  readonly id?: string;
  readonly name: string;
  readonly size: bigint;
  readonly kind: RegionKind;
  readonly alias?: string;
  readonly aliasOffset?: bigint;
  readonly enabled?: boolean;
  readonly priority?: number;
  readonly owner?: string;
}

export function makeRegion(spec: RegionSpec): Region {
  const isAlias = spec.alias !== undefined;
  return {
    id: spec.id ?? spec.name,
    name: spec.name,
    size: spec.size,
    addr: 0n,
    priority: spec.priority ?? 0,
    subregions: [],
    alias: spec.alias,
    aliasOffset: spec.aliasOffset ?? 0n,
    enabled: spec.enabled ?? true,
    // Aliases render through their target; containers have no content of their own.
    terminates: !isAlias && spec.kind !== 'container',
    ram: !isAlias && (spec.kind === 'ram' || spec.kind === 'rom'),
    readonly: !isAlias && spec.kind === 'rom',
    romDevice: false,
    owner: spec.owner,
  };
}

export function createRegion(regions: Regions, spec: RegionSpec): Regions {
  const r = makeRegion(spec);
  if (regions.has(r.id)) throw new Error(`internal: region id '${r.id}' exists`);
  return regions.set(r);
}

export function removeRegion(regions: Regions, id: string): Regions {
  const r = regions.get(id);
  if (!r) return regions;
  if (r.container) throw new Error(`internal: region '${id}' is still mapped`);
  return regions.delete(id);
}

/**
 * memory_region_add_subregion_overlap: insert before the first sibling whose priority is <= ours,
 * so equal priorities put the newest first.
 */
export function addSubregion(regions: Regions, containerId: string, offset: bigint, subId: string, priority?: number): Regions {
  const container = regions.get(containerId);
  const sub = regions.get(subId);
  if (!container || !sub) throw new Error(`internal: add_subregion ${containerId} <- ${subId}: unknown region`);
  if (sub.container) throw new Error(`internal: region '${subId}' already has a container`);
  const prio = priority ?? sub.priority;
  const list = container.subregions;
  const at = firstAtOrBelow(regions, list, prio);
  const subregions = insertAt(list, at, subId);
  deriveChildIndex(regions, container.size, list, subregions, subId, offset, sub.size, true);
  oneChildApart.note(list, subregions);
  return regions.setTwo(withSubregions(container, subregions), mappedAs(sub, containerId, offset, prio));
}

/**
 * `{ ...r, container, addr, priority }` as a literal of one shape: a spread that adds a property (`container`) takes
 * V8's slow path (≈ 1 µs instead of ≈ 40 ns). The keys in the spread's order.
 */
function mappedAs(r: Region, container: string, addr: bigint, priority: number): Region {
  return {
    id: r.id, name: r.name, size: r.size, addr, priority, subregions: r.subregions, alias: r.alias, aliasOffset: r.aliasOffset,
    enabled: r.enabled, terminates: r.terminates, ram: r.ram, readonly: r.readonly, romDevice: r.romDevice, owner: r.owner, container,
  };
}

/**
 * `{ ...r, subregions }` as a literal of one of the two shapes makeRegion and mappedAs give (a spread here sees regions
 * of many allocation sites and takes V8's polymorphic path); a region of another shape is spread.
 */
export function withSubregions(r: Region, subregions: readonly string[]): Region {
  if (!('alias' in r && 'owner' in r)) return { ...r, subregions };
  if ('container' in r) {
    return {
      id: r.id, name: r.name, size: r.size, addr: r.addr, priority: r.priority, subregions, alias: r.alias, aliasOffset: r.aliasOffset,
      enabled: r.enabled, terminates: r.terminates, ram: r.ram, readonly: r.readonly, romDevice: r.romDevice, owner: r.owner, container: r.container,
    };
  }
  return {
    id: r.id, name: r.name, size: r.size, addr: r.addr, priority: r.priority, subregions, alias: r.alias, aliasOffset: r.aliasOffset,
    enabled: r.enabled, terminates: r.terminates, ram: r.ram, readonly: r.readonly, romDevice: r.romDevice, owner: r.owner,
  };
}

/** `r` without its `container` key (what `const { container, ...rest } = r` gives, without the slow rest copy). */
function unmappedAs(r: Region): Region {
  return {
    id: r.id, name: r.name, size: r.size, addr: r.addr, priority: r.priority, subregions: r.subregions, alias: r.alias, aliasOffset: r.aliasOffset,
    enabled: r.enabled, terminates: r.terminates, ram: r.ram, readonly: r.readonly, romDevice: r.romDevice, owner: r.owner,
  };
}

/**
 * The first child of `list` whose priority is <= `prio` (list.length when none): lists are kept in priority
 * order, descending, so a long one (device memory with its DIMMs) is searched by halves.
 */
export function firstAtOrBelow(regions: Regions, list: readonly string[], prio: number): number {
  // The usual case, a child of the priority most siblings have (a DIMM into device memory): the first child is
  // already at or below it, so the answer is 0 without a search (lists are in descending priority order).
  if (list.length === 0 || regions.get(list[0])!.priority <= prio) return 0;
  if (list.length < CHILD_INDEX_MIN) {
    const at = list.findIndex((other) => regions.get(other)!.priority <= prio);
    return at < 0 ? list.length : at;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (regions.get(list[mid])!.priority > prio) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function delSubregion(regions: Regions, containerId: string, subId: string): Regions {
  const container = regions.get(containerId);
  const sub = regions.get(subId);
  if (!container || !sub || sub.container !== containerId) {
    throw new Error(`internal: del_subregion ${containerId} -/- ${subId}: not a child`);
  }
  const unmapped = unmappedAs(sub);
  const at = container.subregions.indexOf(subId);
  const subregions = at >= 0 ? removeAt(container.subregions, at) : container.subregions.slice();
  deriveChildIndex(regions, container.size, container.subregions, subregions, subId, sub.addr, sub.size, false);
  if (at >= 0) oneChildApart.note(container.subregions, subregions);
  return regions.setTwo(withSubregions(container, subregions), unmapped);
}

/**
 * Child lists made from another by adding or removing one child (the others kept in their order), the last few
 * pairs: a commit asks whether a container's children only came and went, and for these it need not compare
 * the lists (256 DIMMs in device memory) element by element.
 */
export const oneChildApart = {
  befores: new Array<readonly string[] | undefined>(4).fill(undefined),
  afters: new Array<readonly string[] | undefined>(4).fill(undefined),
  next: 0,
  note(before: readonly string[], after: readonly string[]): void {
    this.befores[this.next] = before;
    this.afters[this.next] = after;
    this.next = (this.next + 1) & 3;
  },
  /** Whether one of `a`, `b` is known to be the other with one child added. */
  known(a: readonly string[], b: readonly string[]): boolean {
    for (let k = 0; k < 4; k++) {
      if ((this.befores[k] === a && this.afters[k] === b) || (this.befores[k] === b && this.afters[k] === a)) return true;
    }
    return false;
  },
};

// ---- which children of a container overlap a window (for rendering only what a change touched) ----------
// A cache keyed by the child list (lists are immutable and a mapped child's addr and size change only by
// delete + re-add, which makes a new list): the children sorted by offset, in runs of a few dozen with a running
// maximum of their ends inside each run, and apart from them the few wide ones (a quarter of the container or
// more: the PCI window under system memory), which would otherwise make every window walk all the children below
// it. addSubregion/delSubregion derive the new list's index from the old one's, copying one run.

/** A child's extent (immutable: an index derived from another shares its parent's). */
interface Kid {
  readonly id: string;
  readonly start: bigint;
  readonly end: bigint;
}

/** A run of narrow children by start, with maxEnd[k] = max(kids[0..k].end) inside the run. */
interface KidRun {
  readonly kids: readonly Kid[];
  readonly maxEnd: readonly bigint[];
}

interface ChildIndex {
  /** The narrow children by start, in runs of 1 to RUN_MAX. */
  readonly runs: readonly KidRun[];
  /** before[r] = the largest end in runs[0..r-1] (-1 for the first run). */
  readonly before: readonly bigint[];
  /** The wide children, looked at one by one. */
  readonly wide: readonly Kid[];
}

/** Lists shorter than this are scanned: the index would not pay for itself. */
export const CHILD_INDEX_MIN = 16;
/** A run that grows past this many children is split in two. */
const RUN_MAX = 64;
/** Whether a child is kept apart as wide: any rule gives the same answers; this one keeps the walks short. */
function isWide(k: Kid, containerSize: bigint): boolean {
  return k.end - k.start >= containerSize >> 2n;
}
/**
 * The indexes of the most recently used child lists only: a history of states keeps every old list alive, and
 * indexing each of them would cost memory per state for nothing (an old state is rarely changed again).
 */
/**
 * Few: a plug touches three or four lists (the device-memory list before and after, the roots'), a few machines
 * alternate in a suite, and scanning the slots by identity stays cheap.
 */
const CHILD_INDEX_CACHE = 12;
/**
 * A few slots scanned by identity, least recently used replaced. Not a Map: V8 keeps a deleted Map entry's
 * key and value reachable until the table is rehashed, which promoted every evicted index to the old
 * generation.
 */
const childIndexCache = {
  lists: new Array<readonly string[] | undefined>(CHILD_INDEX_CACHE).fill(undefined),
  idxs: new Array<ChildIndex | undefined>(CHILD_INDEX_CACHE).fill(undefined),
  used: new Array<number>(CHILD_INDEX_CACHE).fill(0),
  clock: 0,
  get(list: readonly string[]): ChildIndex | undefined {
    for (let k = 0; k < CHILD_INDEX_CACHE; k++) {
      if (this.lists[k] === list) {
        this.used[k] = ++this.clock;
        return this.idxs[k];
      }
    }
    return undefined;
  },
  set(list: readonly string[], idx: ChildIndex): void {
    let victim = 0;
    for (let k = 0; k < CHILD_INDEX_CACHE; k++) {
      if (this.lists[k] === list) {
        victim = k;
        break;
      }
      if (this.used[k] < this.used[victim]) victim = k;
    }
    this.lists[victim] = list;
    this.idxs[victim] = idx;
    this.used[victim] = ++this.clock;
  },
};

function firstStartAtOrAbove(kids: readonly Kid[], x: bigint): number {
  let lo = 0;
  let hi = kids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (kids[mid].start < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A run of these kids (by start), with its running maximum. */
function runOf(kids: readonly Kid[]): KidRun {
  const maxEnd: bigint[] = [];
  for (let k = 0; k < kids.length; k++) maxEnd.push(k > 0 && maxEnd[k - 1] > kids[k].end ? maxEnd[k - 1] : kids[k].end);
  return { kids, maxEnd };
}

/** The index of these runs (their `before` maxima computed) and wide children. */
function indexFrom(runs: readonly KidRun[], wide: readonly Kid[]): ChildIndex {
  const before: bigint[] = [];
  let m = -1n;
  for (const run of runs) {
    before.push(m);
    const last = run.maxEnd[run.maxEnd.length - 1];
    if (last > m) m = last;
  }
  return { runs, before, wide };
}

/** The run a child starting at `x` goes into (or is looked for in): the first whose last start is >= x, else the last. */
function runFor(runs: readonly KidRun[], x: bigint): number {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const kids = runs[mid].kids;
    if (kids[kids.length - 1].start < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The index of `after` (`before` with child `id` added or removed), derived from `before`'s; `before`'s is built from
 * `regions` (the table `before` belongs to) when no longer remembered, so that a state changed again and again (a
 * tool going back to an earlier state) pays for one build, not one per change.
 */
function deriveChildIndex(regions: Regions, containerSize: bigint, before: readonly string[], after: readonly string[], id: string, addr: bigint, size: bigint, added: boolean): void {
  if (after.length < CHILD_INDEX_MIN) return;
  const idx = before.length >= CHILD_INDEX_MIN ? childIndex(regions, before, containerSize) : childIndexCache.get(before);
  if (!idx) return;
  const runs = idx.runs;
  if (added) {
    const kid: Kid = { id, start: addr, end: addr + size };
    if (isWide(kid, containerSize) || runs.length === 0) {
      if (isWide(kid, containerSize)) childIndexCache.set(after, { runs, before: idx.before, wide: insertAt(idx.wide, idx.wide.length, kid) });
      else childIndexCache.set(after, indexFrom([runOf([kid])], idx.wide));
      return;
    }
    const r = runFor(runs, addr);
    const old = runs[r].kids;
    const at = firstStartAtOrAbove(old, addr);
    const kids = insertAt(old, at, kid);
    let next: KidRun[];
    if (kids.length <= RUN_MAX) {
      // The running maximum below `at` is unchanged; above it, the old one (one place on) or the new end.
      const was = runs[r].maxEnd;
      const m = at > 0 && was[at - 1] > kid.end ? was[at - 1] : kid.end;
      const maxEnd = insertAt(was, at, m);
      for (let k = at; k < was.length && was[k] < m; k++) maxEnd[k + 1] = m;
      next = runs.slice();
      next[r] = { kids, maxEnd };
    } else {
      const half = kids.length >>> 1;
      next = (runs as unknown as { toSpliced(s: number, d: number, ...items: KidRun[]): KidRun[] }).toSpliced(r, 1, runOf(kids.slice(0, half)), runOf(kids.slice(half)));
    }
    childIndexCache.set(after, indexFrom(next, idx.wide));
    return;
  }
  // Removed: a wide child from the wide ones; a narrow one found by its start (children of one start are few), else
  // by its id.
  const w = idx.wide.findIndex((k) => k.id === id);
  if (w >= 0) {
    childIndexCache.set(after, { runs, before: idx.before, wide: removeAt(idx.wide, w) });
    return;
  }
  let r = runs.length ? runFor(runs, addr) : -1;
  let at = -1;
  if (r >= 0) {
    const kids = runs[r].kids;
    at = firstStartAtOrAbove(kids, addr);
    while (at < kids.length && kids[at].id !== id && kids[at].start === addr) at++;
    if (at >= kids.length || kids[at].id !== id) at = -1;
  }
  if (at < 0) {
    for (r = 0; r < runs.length && at < 0; r++) at = runs[r].kids.findIndex((k) => k.id === id);
    r--;
  }
  if (at < 0) return;
  const kids = removeAt(runs[r].kids, at);
  const next = kids.length ? runs.slice() : removeAt(runs, r);
  if (kids.length) {
    // The running maximum below `at` is unchanged; above it, recomputed until it meets the old one (equal from there).
    const maxEnd = removeAt(runs[r].maxEnd, at);
    for (let k = at; k < kids.length; k++) {
      const m = k > 0 && maxEnd[k - 1] > kids[k].end ? maxEnd[k - 1] : kids[k].end;
      if (m === maxEnd[k]) break;
      maxEnd[k] = m;
    }
    next[r] = { kids, maxEnd };
  }
  childIndexCache.set(after, indexFrom(next, idx.wide));
}

function childIndex(regions: Regions, list: readonly string[], containerSize: bigint): ChildIndex {
  let idx = childIndexCache.get(list);
  if (!idx) {
    // Built by push: `map` and `new Array(n)` make holey arrays, which send every later copy (toSpliced) to V8's
    // element-by-element path.
    const narrow: Kid[] = [];
    const wide: Kid[] = [];
    for (const id of list) {
      const r = regions.get(id)!;
      const kid: Kid = { id, start: r.addr, end: r.addr + r.size };
      (isWide(kid, containerSize) ? wide : narrow).push(kid);
    }
    narrow.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const runs: KidRun[] = [];
    const len = RUN_MAX >>> 1;
    for (let k = 0; k < narrow.length; k += len) runs.push(runOf(narrow.slice(k, k + len)));
    idx = indexFrom(runs, wide);
    childIndexCache.set(list, idx);
  }
  return idx;
}

/**
 * The children of `container` whose extent overlaps [lo, hi) (container-local offsets), in list order
 * (priority, newest first), whether enabled or not.
 */
export function childrenOverlapping(regions: Regions, container: Region, lo: bigint, hi: bigint): readonly string[] {
  const list = container.subregions;
  if (list.length < CHILD_INDEX_MIN) return list;
  const idx = childIndex(regions, list, container.size);
  const hits: string[] = [];
  for (const k of idx.wide) if (k.start < hi && k.end > lo) hits.push(k.id);
  // The narrow ones from the last starting below hi, back while an end can still reach past lo.
  const runs = idx.runs;
  let lor = 0;
  let hir = runs.length;
  while (lor < hir) {
    const mid = (lor + hir) >>> 1;
    if (runs[mid].kids[0].start < hi) lor = mid + 1;
    else hir = mid;
  }
  let r = lor - 1;
  let j = r >= 0 ? firstStartAtOrAbove(runs[r].kids, hi) - 1 : -1;
  walk: for (; r >= 0; r--) {
    const run = runs[r];
    const b = idx.before[r];
    for (; j >= 0; j--) {
      if (run.maxEnd[j] <= lo && b <= lo) break walk;
      if (run.kids[j].end > lo) hits.push(run.kids[j].id);
    }
    if (b <= lo) break;
    if (r > 0) j = runs[r - 1].kids.length - 1;
  }
  if (hits.length === 2) {
    if (list.indexOf(hits[0]) > list.indexOf(hits[1])) hits.reverse();
  } else if (hits.length > 2) {
    const pos = new Map(hits.map((h) => [h, list.indexOf(h)]));
    hits.sort((a, b) => pos.get(a)! - pos.get(b)!);
  }
  return hits;
}

export function setEnabled(regions: Regions, id: string, enabled: boolean): Regions {
  const r = regions.get(id);
  if (!r) throw new Error(`internal: set_enabled: unknown region '${id}'`);
  if (r.enabled === enabled) return regions;
  return regions.set({ ...r, enabled });
}

/** memory_region_set_address: delete and re-add, which moves it to the front of its priority group. */
export function setAddress(regions: Regions, id: string, addr: bigint): Regions {
  const r = regions.get(id);
  if (!r) throw new Error(`internal: set_address: unknown region '${id}'`);
  if (r.addr === addr || !r.container) return r.addr === addr ? regions : regions.set({ ...r, addr });
  const container = r.container;
  return addSubregion(delSubregion(regions, container, id), container, addr, id, r.priority);
}

export function setAliasOffset(regions: Regions, id: string, offset: bigint): Regions {
  const r = regions.get(id);
  if (!r || r.alias === undefined) throw new Error(`internal: set_alias_offset: '${id}' is not an alias`);
  return r.aliasOffset === offset ? regions : regions.set({ ...r, aliasOffset: offset });
}

/** Absolute address of a mapped region (sum of offsets up to its root). */
export function absoluteAddr(regions: Regions, id: string): bigint {
  let addr = 0n;
  for (let r: Region | undefined = regions.get(id); r; r = r.container ? regions.get(r.container) : undefined) addr += r.addr;
  return addr;
}

/** QEMU's memory_region_type: follow the alias chain; containers print as i/o. */
export function regionType(regions: Regions, id: string): 'ram' | 'rom' | 'romd' | 'i/o' {
  let r = regions.get(id)!;
  while (r.alias !== undefined) r = regions.get(r.alias)!;
  if (r.romDevice) return 'romd';
  if (r.ram && r.readonly) return 'rom';
  if (r.ram) return 'ram';
  return 'i/o';
}
