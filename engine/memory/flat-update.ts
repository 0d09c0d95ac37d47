// Incremental flat-view update: what a memory transaction's commit renders when it knows the region table the
// previous views were rendered from. Only the address ranges the changed regions cover (in the old and in the
// new tree, through every container and alias that maps them) are rendered again; the rest of each view is
// kept as it was, range objects included. The result is, range for range, what a full rendering gives
// (test/flat-update.property.test.ts checks it against renderFlatView on random trees and changes).

import { continues, renderFlatView, renderWindow } from './flatview';
import { changedRegionIds, type Region, type Regions } from './regions';
import type { FlatRange } from './types';

type Window = readonly [bigint, bigint];

/** Above this many windows in one view, rendering it whole is cheaper. */
const MAX_WINDOWS = 16;

/** Alias regions by target id, per region table (a cache: a pure function of the table). */
const aliasIndexCache = new WeakMap<Regions, ReadonlyMap<string, readonly string[]>>();

function aliasIndex(regions: Regions): ReadonlyMap<string, readonly string[]> {
  let idx = aliasIndexCache.get(regions);
  if (!idx) {
    const m = new Map<string, string[]>();
    for (const r of regions.values()) {
      if (r.alias === undefined) continue;
      const list = m.get(r.alias);
      if (list) list.push(r.id);
      else m.set(r.alias, [r.id]);
    }
    idx = m;
    aliasIndexCache.set(regions, idx);
  }
  return idx;
}

/** The old table's alias index serves the new one when no changed region is or was an alias. */
function carryAliasIndex(from: Regions, to: Regions, changed: readonly string[]): void {
  if (aliasIndexCache.has(to)) return;
  const idx = aliasIndexCache.get(from);
  if (!idx) return;
  for (const id of changed) if (from.get(id)?.alias !== undefined || to.get(id)?.alias !== undefined) return;
  aliasIndexCache.set(to, idx);
}

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
  if (a === b) return true;
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
    for (const aliasId of aliasIndex(this.tree).get(id) ?? []) {
      const al = this.tree.get(aliasId)!;
      this.up(aliasId, a - al.aliasOffset, b - al.aliasOffset);
    }
    if (r.container !== undefined) this.up(r.container, a + r.addr, b + r.addr);
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

/** Replace what `old` shows inside the (sorted, disjoint) windows by `fresh(window)`, then re-simplify the seams. */
function splice(old: readonly FlatRange[], windows: readonly Window[], fresh: (w: Window) => FlatRange[]): FlatRange[] {
  const out: FlatRange[] = [];
  const touched = new Set<FlatRange>();
  const push = (r: FlatRange, isNew: boolean): void => {
    const last = out[out.length - 1];
    if (last && (isNew || touched.has(last)) && continues(last, r)) {
      const merged: FlatRange = { start: last.start, end: r.end, region: last.region, offsetInRegion: last.offsetInRegion, readonly: last.readonly };
      out[out.length - 1] = merged;
      touched.add(merged);
      return;
    }
    out.push(r);
    if (isNew) touched.add(r);
  };
  let i = 0;
  let carry: FlatRange | undefined; // the right part of a range that straddled the previous window's end
  const next = (): FlatRange | undefined => carry ?? old[i];
  const advance = (): void => {
    if (carry) carry = undefined;
    else i++;
  };
  for (const [ws, we] of windows) {
    for (let r = next(); r && r.end <= ws; r = next()) {
      push(r, r === carry);
      advance();
    }
    const r = next();
    if (r && r.start < ws) push(cut(r, r.start, ws), true);
    for (const piece of fresh([ws, we])) push(piece, true);
    for (let q = next(); q && q.start < we; q = next()) {
      advance();
      if (q.end > we) {
        carry = cut(q, we, q.end);
        break;
      }
    }
  }
  if (carry) push(carry, true);
  for (; i < old.length; i++) push(old[i], false);
  return out.map((r) => (touched.has(r) ? Object.freeze({ ...r }) : r));
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
  if (roots.every((r) => before[r] === undefined)) {
    const all: Record<string, readonly FlatRange[]> = {};
    for (const root of roots) if (!(root in all)) all[root] = Object.freeze(renderFlatView(now, root));
    return all;
  }
  const rootSet = new Set(roots);
  const changed = changedRegionIds(was, now);
  carryAliasIndex(was, now, changed);
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
  for (const root of roots) {
    if (root in out) continue;
    const old = before[root];
    const ws = [...(inOld.windows.get(root) ?? []), ...(inNew.windows.get(root) ?? [])];
    if (old === undefined || inOld.overflow || inNew.overflow || ws.length > MAX_WINDOWS) {
      out[root] = Object.freeze(renderFlatView(now, root));
    } else if (ws.length === 0) {
      out[root] = old;
    } else {
      out[root] = Object.freeze(splice(old, union(ws), ([a, b]) => renderWindow(now, root, a, b)));
    }
  }
  return out;
}
