// Incremental flat-view update: what a memory transaction's commit renders when it knows the region table the
// previous views were rendered from. Only the address ranges the changed regions cover (in the old and in the
// new tree, through every container and alias that maps them) are rendered again; the rest of each view is
// kept as it was, range objects included. The result is, range for range, what a full rendering gives
// (test/flat-update.property.test.ts checks it against renderFlatView on random trees and changes).

import { continues, flatRangeEqual, RenderMemo, renderFlatView, renderWindow } from './flatview';
import { changedRegionIds, oneChildApart, type Region, type Regions } from './regions';
import type { FlatRange } from './types';

type Window = readonly [bigint, bigint];

/** Above this many windows in one view, rendering it whole is cheaper. */
const MAX_WINDOWS = 16;

/** Everything but the child list and the informational name/owner. */
function sameExceptChildren(a: Region, b: Region): boolean {
  return (
    a.size === b.size && a.addr === b.addr && a.priority === b.priority && a.container === b.container && a.alias === b.alias &&
    a.aliasOffset === b.aliasOffset && a.enabled === b.enabled && a.terminates === b.terminates && a.ram === b.ram &&
    a.readonly === b.readonly && a.romDevice === b.romDevice
  );
}

/** The children both lists hold are in the same relative order (then only the added/removed ones moved). */
function sameRelativeOrder(a: readonly string[], b: readonly string[]): boolean {
  if (a === b || oneChildApart.known(a, b)) return true;
  // The usual change: one child added or removed, the others left as they were.
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (long.length === short.length + 1) {
    let k = 0;
    while (k < short.length && short[k] === long[k]) k++;
    let same = true;
    for (let j = k; j < short.length; j++) {
      if (short[j] !== long[j + 1]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  const inB = new Set(b);
  const inA = new Set(a);
  const ca = a.filter((x) => inB.has(x));
  const cb = b.filter((x) => inA.has(x));
  return ca.length === cb.length && ca.every((x, i) => x === cb[i]);
}

class Collector {
  readonly windows = new Map<string, Window[]>();
  overflow = false;
  private steps = 0;

  constructor(
    readonly tree: Regions,
    readonly roots: ReadonlySet<string>,
  ) {}

  /** Window [a, b) in the local coordinates of region `id` (0 = its start), seen from every root above it. */
  up(id: string, a: bigint, b: bigint): void {
    if (++this.steps > 4096) {
      this.overflow = true;
      return;
    }
    const r = this.tree.get(id);
    if (!r || !r.enabled) return;
    if (a < 0n) a = 0n;
    if (b > r.size) b = r.size;
    if (a >= b) return;
    if (this.roots.has(id)) {
      const list = this.windows.get(id);
      if (list) list.push([a, b]);
      else this.windows.set(id, [[a, b]]);
    }
    // A zero offset moves nothing: no BigInt made for it (each BigInt sum is an allocation).
    const aliases = this.tree.aliasesOf(id);
    for (let i = 0; i < aliases.length; i++) {
      const off = this.tree.get(aliases[i])!.aliasOffset;
      if (off === 0n) this.up(aliases[i], a, b);
      else this.up(aliases[i], a - off, b - off);
    }
    if (r.container !== undefined) {
      if (r.addr === 0n) this.up(r.container, a, b);
      else this.up(r.container, a + r.addr, b + r.addr);
    }
  }

  /** What region `r` (as it is in this tree) covers, as it is mapped. */
  footprint(r: Region): void {
    if (r.container !== undefined) this.up(r.container, r.addr, r.addr + r.size);
    else if (this.roots.has(r.id)) this.up(r.id, 0n, r.size);
  }
}

function union(ws: Window[]): Window[] {
  const s = [...ws].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of s) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

/** The part [a, b) of a range (a, b inside it), with its offset moved along. */
function cut(r: FlatRange, a: bigint, b: bigint): FlatRange {
  if (a === r.start && b === r.end) return r;
  return { start: a, end: b, region: r.region, offsetInRegion: r.offsetInRegion + (a - r.start), readonly: r.readonly };
}

/** First index >= from whose range ends after x (ranges are sorted and disjoint, so ends are sorted too). */
function firstEndingAfter(view: readonly FlatRange[], x: bigint, from: number): number {
  let lo = from;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (view[mid].end <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index >= from whose range starts at or after x. */
function firstStartingAtOrAfter(view: readonly FlatRange[], x: bigint, from: number): number {
  let lo = from;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (view[mid].start < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Replace what `old` shows inside the (sorted, disjoint) windows by `fresh(window)`, and re-simplify the seams:
 * ranges away from the windows are kept as they are (the same objects), found by binary search.
 */
function splice(old: readonly FlatRange[], windows: readonly Window[], fresh: (w: Window) => FlatRange[]): FlatRange[] {
  // What changes is assembled (`mid`): from the range before the first window (a fresh range may continue it) to
  // the range at the end of the last (it may continue a fresh one), with the runs of `old` between windows; the
  // result is `old` with that stretch replaced, in one copy of the exact size.
  const mid: FlatRange[] = [];
  /** Push a range made or cut here, merging it into the previous one when it continues it. */
  const seam = (r: FlatRange): void => {
    const last = mid.length ? mid[mid.length - 1] : undefined;
    if (last && continues(last, r)) {
      mid[mid.length - 1] = Object.freeze({ start: last.start, end: r.end, region: last.region, offsetInRegion: last.offsetInRegion, readonly: last.readonly });
    } else mid.push(Object.isFrozen(r) ? r : Object.freeze({ start: r.start, end: r.end, region: r.region, offsetInRegion: r.offsetInRegion, readonly: r.readonly }));
  };
  /** Copy old[from, to) as they are; only the first can continue a seam. */
  const keep = (from: number, to: number): void => {
    if (from >= to) return;
    seam(old[from]);
    for (let k = from + 1; k < to; k++) mid.push(old[k]);
  };
  let i = 0;
  let lo = -1; // where `mid` starts in `old`
  let carry: FlatRange | undefined; // the right part of a range that straddled the previous window's end
  for (const [ws, we] of windows) {
    if (carry && carry.end <= ws) {
      seam(carry);
      carry = undefined;
    }
    if (!carry) {
      const j = firstEndingAfter(old, ws, i);
      if (lo < 0) {
        // The ranges before the first window stay, but the last of them may be continued by a fresh one.
        lo = j > 0 ? j - 1 : 0;
        keep(lo, j);
      } else keep(i, j);
      i = j;
    }
    if (lo < 0) lo = i;
    const straddling = carry ?? (i < old.length ? old[i] : undefined);
    if (straddling && straddling.start < ws) seam(cut(straddling, straddling.start, ws));
    for (const piece of fresh([ws, we])) seam(piece);
    if (carry) {
      carry = carry.end > we ? cut(carry, we, carry.end) : undefined;
      if (carry) continue;
    }
    const j = firstStartingAtOrAfter(old, we, i);
    if (j > i && old[j - 1].end > we) carry = cut(old[j - 1], we, old[j - 1].end);
    i = j;
  }
  if (carry) seam(carry);
  // The range after the last window may continue the last fresh one; the rest stays.
  const hi = i < old.length ? i + 1 : old.length;
  keep(i, hi);
  const out = (old as unknown as { toSpliced(start: number, deleteCount: number, ...items: FlatRange[]): FlatRange[] }).toSpliced(lo, hi - lo, ...mid);
  // Outside old[lo, hi) the result holds old's ranges one for one.
  spliced.note(old, out, lo, hi, lo + mid.length);
  return out;
}

/**
 * Where the last few spliced views differ from the views they were made from: old[lo, oldHi) became
 * out[lo, newHi); outside, they hold the same ranges one for one. The difference a commit computes next walks that
 * stretch only (engine/memory/flatview.ts, diffFlatViews).
 */
export const spliced = {
  olds: new Array<readonly FlatRange[] | undefined>(4).fill(undefined),
  outs: new Array<readonly FlatRange[] | undefined>(4).fill(undefined),
  bounds: new Array<number>(12).fill(0),
  next: 0,
  note(old: readonly FlatRange[], out: readonly FlatRange[], lo: number, oldHi: number, newHi: number): void {
    const k = this.next;
    this.olds[k] = old;
    this.outs[k] = out;
    this.bounds[3 * k] = lo;
    this.bounds[3 * k + 1] = oldHi;
    this.bounds[3 * k + 2] = newHi;
    this.next = (k + 1) & 3;
  },
  /** [lo, oldHi, newHi] when `out` was spliced from `old`, else undefined. */
  find(old: readonly FlatRange[], out: readonly FlatRange[]): readonly [number, number, number] | undefined {
    for (let k = 0; k < 4; k++) if (this.outs[k] === out && this.olds[k] === old) return [this.bounds[3 * k], this.bounds[3 * k + 1], this.bounds[3 * k + 2]];
    return undefined;
  },
};

/**
 * The roots as a set, and each root once in first-seen order (two address spaces may share a root), remembered per
 * roots list (a machine's list of address-space roots does not change).
 */
const rootSets = new WeakMap<readonly string[], { readonly set: ReadonlySet<string>; readonly unique: readonly string[] }>();
function rootSetOf(roots: readonly string[]): { readonly set: ReadonlySet<string>; readonly unique: readonly string[] } {
  let r = rootSets.get(roots);
  if (!r) {
    const set = new Set(roots);
    rootSets.set(roots, (r = { set, unique: [...set] }));
  }
  return r;
}

/**
 * The flat views of `roots` for region table `now`, given the views `before` rendered from table `was`.
 * Views no change reaches are returned as the very same arrays.
 */
export function updateFlatViews(
  was: Regions,
  now: Regions,
  roots: readonly string[],
  before: Readonly<Record<string, readonly FlatRange[]>>,
): Record<string, readonly FlatRange[]> {
  let none = true;
  for (let k = 0; k < roots.length && none; k++) none = before[roots[k]] === undefined;
  if (none) {
    const all: Record<string, readonly FlatRange[]> = {};
    for (const root of roots) if (!(root in all)) all[root] = renderFlatView(now, root);
    return withSharedViews(now, roots, all);
  }
  const { set: rootSet, unique } = rootSetOf(roots);
  const changed = changedRegionIds(was, now);
  const inOld = new Collector(was, rootSet);
  const inNew = new Collector(now, rootSet);
  for (const id of changed) {
    const o = was.get(id);
    const n = now.get(id);
    if (o && n && sameExceptChildren(o, n) && sameRelativeOrder(o.subregions, n.subregions)) continue; // the children that came and went are changed themselves
    if (o) inOld.footprint(o);
    if (n) inNew.footprint(n);
  }
  const out: Record<string, readonly FlatRange[]> = {};
  const memo = new RenderMemo();
  for (let k = 0; k < unique.length; k++) {
    const root = unique[k];
    const old = before[root];
    const a = inOld.windows.get(root);
    const b = inNew.windows.get(root);
    if (a === undefined && b === undefined && old !== undefined && !inOld.overflow && !inNew.overflow) {
      out[root] = old; // no change reaches it
      continue;
    }
    const ws = a === undefined ? b ?? [] : b === undefined ? a : [...a, ...b];
    if (old !== undefined && !inOld.overflow && !inNew.overflow) {
      const same = stillShared(was, now, root, old, ws, before, out);
      if (same !== undefined) {
        out[root] = same;
        continue;
      }
    }
    if (old === undefined || inOld.overflow || inNew.overflow || ws.length > MAX_WINDOWS) {
      out[root] = renderFlatView(now, root);
    } else if (ws.length === 0) {
      out[root] = old;
    } else {
      // Not Object.freeze'd: freezing copies the whole array, and V8 then copies it on a slow path (readonly
      // by type, like the region table).
      out[root] = splice(old, ws.length === 1 ? ws : union(ws), ([a, b]) => renderWindow(now, root, a, b, memo));
    }
    if (out[root] !== old) {
      const same = sameViewAs(now, root, out[root], out);
      if (same !== undefined) out[root] = same;
    }
  }
  return out;
}

/**
 * A root whose container holds an alias of another root (`of`) at 0 covering it all, below every other child in
 * priority (a CPU's SMM address space: SMRAM over system memory): above `above` (the end of every other child) it
 * shows, point for point, what the other root shows.
 */
interface AliasShape {
  readonly of: string;
  readonly above: bigint;
}
/** Roots of more children are not looked at (a CPU's SMM root has two). */
const MAX_SHAPE_CHILDREN = 4;
function aliasShapeOf(tree: Regions, root: Region): AliasShape | undefined {
  // Worked out each time (a handful of lookups): the root's children may change while the root stays.
  const kids = root.subregions;
  if (kids.length === 0 || kids.length > MAX_SHAPE_CHILDREN) return undefined;
  let alias: Region | undefined;
  let above = 0n;
  for (const id of kids) {
    const c = tree.get(id);
    if (!c) return undefined;
    if (alias === undefined && c.alias !== undefined && c.addr === 0n && c.aliasOffset === 0n && c.size === root.size && c.enabled && c.subregions.length === 0) alias = c;
    else if (c.addr + c.size > above) above = c.addr + c.size;
  }
  if (alias === undefined || alias.alias === root.id) return undefined;
  for (const id of kids) if (id !== alias.id && tree.get(id)!.priority <= alias.priority) return undefined;
  return { of: alias.alias!, above };
}

/**
 * The other root's new view, for a root of that shape whose last view was the other root's (the very same array),
 * when the root and its children are the very same regions in both tables and no change reaches it below `above`: it
 * showed what the other root showed, still does above `above`, and below nothing changed for either (every change
 * the other root sees reaches this one through the alias, at the same addresses). Else undefined.
 */
function stillShared(
  was: Regions,
  now: Regions,
  root: string,
  old: readonly FlatRange[],
  ws: readonly Window[],
  before: Readonly<Record<string, readonly FlatRange[]>>,
  out: Readonly<Record<string, readonly FlatRange[]>>,
): readonly FlatRange[] | undefined {
  if (!shareViews.enabled) return undefined;
  const r = now.get(root);
  if (r === undefined || was.get(root) !== r) return undefined;
  const shape = aliasShapeOf(now, r);
  if (shape === undefined || before[shape.of] !== old) return undefined;
  const of = out[shape.of];
  if (of === undefined) return undefined;
  for (const c of r.subregions) if (was.get(c) !== now.get(c)) return undefined;
  for (const [a] of ws) if (a < shape.above) return undefined;
  return of;
}

/** The other root's view itself when `view` (of a root of that shape) equals it range for range; else undefined. */
function sameViewAs(now: Regions, root: string, view: readonly FlatRange[], out: Readonly<Record<string, readonly FlatRange[]>>): readonly FlatRange[] | undefined {
  if (!shareViews.enabled) return undefined;
  const r = now.get(root);
  const shape = r && aliasShapeOf(now, r);
  const of = shape && out[shape.of];
  if (of === undefined || of.length !== view.length) return undefined;
  for (let k = 0; k < view.length; k++) if (!flatRangeEqual(view[k], of[k])) return undefined;
  return of;
}

/** `views` (each root's, whole), a root's replaced by another's where sameViewAs finds them equal. */
export function withSharedViews(now: Regions, roots: readonly string[], views: Record<string, readonly FlatRange[]>): Record<string, readonly FlatRange[]> {
  for (const root of rootSetOf(roots).unique) {
    const view = views[root];
    const same = view === undefined ? undefined : sameViewAs(now, root, view, views);
    if (same !== undefined) views[root] = same;
  }
  return views;
}

/**
 * Whether a root's view equal to another's (a CPU's SMM address space's and system memory's, SMRAM closed) is that
 * view itself, and follows it while no change reaches it below its other children (the default): no rendering, splice
 * or copy of its own. test/flat-view-of-state.property.test.ts compares the views with whole renderings either way.
 */
export const shareViews = { enabled: true };
