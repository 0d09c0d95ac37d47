// FlatView rendering: turns a region tree into the sorted, disjoint list of ranges the guest actually sees.
// Modelled on QEMU 7.2's softmmu/memory.c semantics (render, simplify, flat-view root selection, range
// equality), written from the documented rules:
//  - a disabled region hides itself and everything below it;
//  - each region is clipped to its container's window;
//  - an alias renders its target shifted by the alias offset;
//  - subregions are rendered in list order (priority descending, newest first), and the first one to claim
//    an address keeps it;
//  - a terminating region (RAM/ROM/I/O) then fills only the holes its children left; a pure container fills
//    nothing, so lower-priority siblings show through its empty parts;
//  - afterwards, neighbours from the same region with contiguous offsets and equal attributes are merged.

import { CHILD_INDEX_MIN, childrenOverlapping, type Region, type Regions } from './regions';
import type { FlatRange } from './types';

/** 2^64: the end of every address space, exclusive. */
export const SPACE_END = 1n << 64n;

interface Work {
  start: bigint;
  end: bigint;
  region: string;
  offsetInRegion: bigint;
  readonly: boolean;
}

function regionOf(regions: Regions, id: string): Region {
  const r = regions.get(id);
  if (!r) throw new Error(`internal: unknown region '${id}'`);
  return r;
}

/**
 * Fill the parts of [clipStart, clipEnd) not yet covered by `view` with `region`.
 * `view` is kept sorted; `base` is the absolute address of the region's offset 0.
 */
function fillGaps(view: Work[], region: Region, base: bigint, clipStart: bigint, clipEnd: bigint, readonly: boolean): void {
  let pos = clipStart;
  // The first range ending after clipStart, by binary search (the view is sorted and disjoint).
  let i = 0;
  let hi = view.length;
  while (i < hi) {
    const mid = (i + hi) >>> 1;
    if (view[mid].end <= pos) i = mid + 1;
    else hi = mid;
  }
  while (pos < clipEnd) {
    while (i < view.length && view[i].end <= pos) i++;
    const next = i < view.length ? view[i] : undefined;
    if (!next || next.start >= clipEnd) {
      view.splice(i, 0, { start: pos, end: clipEnd, region: region.id, offsetInRegion: pos - base, readonly });
      return;
    }
    if (pos < next.start) {
      view.splice(i, 0, { start: pos, end: next.start, region: region.id, offsetInRegion: pos - base, readonly });
      i++;
    }
    pos = next.end;
    i++;
  }
}

/**
 * Windows already rendered whole (into an empty view) during one update of several views: an address space whose
 * root reaches another root through an alias (cpu-smm-0's root through its alias of system memory) renders the
 * same window of the same region again; it takes the ranges already made instead.
 */
export class RenderMemo {
  private readonly ids: string[] = [];
  private readonly keys: bigint[] = [];
  private readonly outs: (readonly Work[])[] = [];
  private readonly ro: boolean[] = [];

  find(id: string, base: bigint, cs: bigint, ce: bigint, readonly: boolean): readonly Work[] | undefined {
    for (let i = 0; i < this.ids.length; i++) {
      if (this.ids[i] === id && this.ro[i] === readonly && this.keys[3 * i] === base && this.keys[3 * i + 1] === cs && this.keys[3 * i + 2] === ce) return this.outs[i];
    }
    return undefined;
  }

  keep(id: string, base: bigint, cs: bigint, ce: bigint, readonly: boolean, out: readonly Work[]): void {
    this.ids.push(id);
    this.keys.push(base, cs, ce);
    this.outs.push(out);
    this.ro.push(readonly);
  }
}

function render(regions: Regions, view: Work[], id: string, base: bigint, clipStart: bigint, clipEnd: bigint, readonly: boolean, memo?: RenderMemo): void {
  const r = regionOf(regions, id);
  if (!r.enabled) return;
  const start = base + r.addr;
  const end = start + r.size;
  const ro = readonly || r.readonly;
  const cs = clipStart > start ? clipStart : start;
  const ce = clipEnd < end ? clipEnd : end;
  if (cs >= ce) return;
  if (r.alias !== undefined) {
    const target = regionOf(regions, r.alias);
    // The target is rendered as if its container started at start - aliasOffset - target.addr.
    const tb = start - r.aliasOffset - target.addr;
    const known = memo !== undefined && view.length === 0 ? memo.find(target.id, tb, cs, ce, ro) : undefined;
    if (known !== undefined) for (let i = 0; i < known.length; i++) view.push(known[i]);
    else render(regions, view, target.id, tb, cs, ce, ro, memo);
    return;
  }
  // Only the children that overlap the clip window can show (a window smaller than the region: look them up).
  const subs = r.subregions.length >= CHILD_INDEX_MIN && (cs > start || ce < end) ? childrenOverlapping(regions, r, cs - start, ce - start) : r.subregions;
  for (const sub of subs) render(regions, view, sub, start, cs, ce, ro, memo);
  if (r.terminates) fillGaps(view, r, start, cs, ce, ro);
}

function canMerge(a: Work, b: Work): boolean {
  return a.end === b.start && a.region === b.region && a.offsetInRegion + (a.end - a.start) === b.offsetInRegion && a.readonly === b.readonly;
}

/** flatview_simplify: merge neighbours that continue the same region. */
export function simplify(ranges: readonly FlatRange[]): FlatRange[] {
  const out: Work[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && canMerge(last, r)) last.end = r.end;
    else out.push({ ...r });
  }
  return out.map(freezeRange);
}

function freezeRange(w: Work): FlatRange {
  return Object.freeze({ start: w.start, end: w.end, region: w.region, offsetInRegion: w.offsetInRegion, readonly: w.readonly });
}

/**
 * Render the address space rooted at `rootId` into its simplified flat view: sorted, disjoint, `end` exclusive.
 * Pure: `regions` is not modified.
 */
export function renderFlatView(regions: Regions, rootId: string): FlatRange[] {
  if (!regions.get(rootId)) return [];
  const view: Work[] = [];
  render(regions, view, rootId, 0n, 0n, SPACE_END, false);
  return simplify(view);
}

/**
 * The unsimplified ranges of the address space rooted at `rootId` that fall inside [start, end): exactly the
 * full rendering's ranges cut to that window (used to re-render only what a change touched).
 */
export function renderWindow(regions: Regions, rootId: string, start: bigint, end: bigint, memo?: RenderMemo): FlatRange[] {
  if (!regions.get(rootId)) return [];
  const view: Work[] = [];
  render(regions, view, rootId, 0n, start, end, false, memo);
  // What a root shows in a window is what an alias of it shows there (the ranges are never modified once made).
  memo?.keep(rootId, 0n, start, end, false, view);
  return view;
}

/** flatview_simplify's merge rule: `b` continues `a` (same region, contiguous offsets, same attributes). */
export function continues(a: FlatRange, b: FlatRange): boolean {
  return canMerge(a, b);
}

/**
 * memory_region_get_flatview_root: the region whose rendering is shared by every address space that reaches it.
 * Skips a full-size, offset-0 alias to its target and a container's only enabled child when that child covers it
 * from offset 0. Undefined when nothing is enabled (QEMU prints "Root memory region: (none)").
 */
export function flatViewRoot(regions: Regions, rootId: string): string | undefined {
  let r: Region | undefined = regions.get(rootId);
  while (r && r.enabled) {
    if (r.alias !== undefined) {
      const target: Region = regionOf(regions, r.alias);
      if (r.aliasOffset === 0n && r.size >= target.size) {
        r = target;
        continue;
      }
      return r.id;
    }
    if (!r.terminates) {
      const enabled: Region[] = r.subregions.map((s) => regionOf(regions, s)).filter((s) => s.enabled);
      if (enabled.length === 0) return undefined;
      if (enabled.length === 1 && enabled[0].addr === 0n && r.size >= enabled[0].size) {
        r = enabled[0];
        continue;
      }
    }
    return r.id;
  }
  return undefined;
}

/** flatrange_equal: same region, placement, offset and attributes. */
export function flatRangeEqual(a: FlatRange, b: FlatRange): boolean {
  return a === b || a.start === b.start && a.end === b.end && a.region === b.region && a.offsetInRegion === b.offsetInRegion && a.readonly === b.readonly;
}

/** The symmetric difference QEMU's address_space_update_topology_pass walks: what to delete and what to add. */
export interface FlatDiff {
  readonly removed: readonly FlatRange[];
  readonly added: readonly FlatRange[];
}

const NO_DIFF: FlatDiff = Object.freeze({ removed: Object.freeze([]), added: Object.freeze([]) });

/**
 * Linear in the views, but a view updated in place (engine/memory/flat-update.ts) keeps the very range objects
 * away from a change, so the walk over them is a pointer comparison.
 */
export function diffFlatViews(oldView: readonly FlatRange[], newView: readonly FlatRange[], known?: readonly [number, number, number]): FlatDiff {
  if (oldView === newView) return NO_DIFF;
  const removed: FlatRange[] = [];
  const added: FlatRange[] = [];
  // Ranges both views hold one for one at the start and at the end (the same objects, as an update keeps them, or
  // equal ones) pair up with each other in the walk below: they are skipped, by what the update says it changed
  // (`known`: old[lo, oldHi) became new[lo, newHi)) or else by a pointer comparison.
  let i = 0;
  let no = oldView.length;
  let nn = newView.length;
  if (known) {
    [i, no, nn] = known;
  } else {
    const both = Math.min(no, nn);
    while (i < both && oldView[i] === newView[i]) i++;
    while (no > i && nn > i && oldView[no - 1] === newView[nn - 1]) {
      no--;
      nn--;
    }
  }
  let j = i;
  while (i < no || j < nn) {
    const o = i < no ? oldView[i] : undefined;
    const n = j < nn ? newView[j] : undefined;
    if (o !== undefined && o === n) {
      i++;
      j++;
    } else if (o && (!n || o.start < n.start || (o.start === n.start && !flatRangeEqual(o, n)))) {
      removed.push(o);
      i++;
    } else if (o && n && flatRangeEqual(o, n)) {
      i++;
      j++;
    } else if (n) {
      added.push(n);
      j++;
    }
  }
  return removed.length === 0 && added.length === 0 ? NO_DIFF : { removed, added };
}
