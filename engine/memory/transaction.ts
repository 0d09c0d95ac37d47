// memory_region_transaction_begin/commit as pure state transitions. A change to the region tree is applied as
// one transaction: at the outermost commit every address space's flat view is regenerated and compared with
// the last committed one range by range (deletions first, then additions), and the KVM listener of AS
// "memory" turns that difference into slot deletions and additions.

import { done, merge, nest, NO_EFFECTS, recordsTrace, trace, type Effects, type Transition } from '../effects';
import { kvmApplyDiff, KVM_AS_NAME } from './kvm';
import { diffFlatViews, flatViewRoot, RenderMemo, renderFlatView, renderWindow, SPACE_END, type FlatDiff } from './flatview';
import { spliced, updateFlatViews, withSharedViews } from './flat-update';
import { Regions } from './regions';
import type { AddressSpace, FlatRange, MemoryState } from './types';
import { memOf } from '../records';
import { hiddenSlot, type HiddenSlot } from '../hidden';

export type MemAccel = 'tcg' | 'kvm';

/** An empty memory state with the given address spaces (regions to be created by transactions). */
export function emptyMemory(addressSpaces: MemoryState['addressSpaces'] = []): MemoryState {
  return { regions: Regions.EMPTY, addressSpaces, txDepth: 0, pending: false, flat: {}, kvmSlots: [] };
}

/** memory_region_transaction_begin. */
export function beginTx(mem: MemoryState): MemoryState {
  return memOf(mem, mem.regions, mem.txDepth + 1, mem.pending, mem.flat, mem.kvmSlots);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(d: FlatDiff): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`+${plural(d.added.length, 'range')}`);
  if (d.removed.length) parts.push(`-${plural(d.removed.length, 'range')}`);
  return parts.length ? parts.join(', ') : 'unchanged';
}

/**
 * The region table each committed views object was rendered from: on the views object itself, out of sight (not part
 * of the state's value; engine/hidden.ts); not in a WeakMap, whose values V8's young-generation collections keep
 * alive (every commit's region table was promoted).
 */
const renderedFrom: HiddenSlot<Regions> = hiddenSlot();

/** What a commit derives from a machine's address spaces (they never change once made): remembered per list. */
interface AsPlan {
  readonly roots: readonly string[];
  /** Per address space: whether it is the KVM one, and whether its view is described (not shared with one before). */
  readonly kvm: readonly boolean[];
  readonly described: readonly boolean[];
  readonly memAs?: AddressSpace;
}
const plans = new WeakMap<readonly AddressSpace[], AsPlan>();
function planOf(ases: readonly AddressSpace[]): AsPlan {
  let p = plans.get(ases);
  if (!p) {
    const seen = new Set<string>();
    const kvm: boolean[] = [];
    const described: boolean[] = [];
    for (const as of ases) {
      const isKvmAs = as.name === KVM_AS_NAME;
      kvm.push(isKvmAs);
      // A view shared with an AS seen before is described once (under that AS).
      described.push(isKvmAs || !seen.has(as.root));
      seen.add(as.root);
    }
    p = { roots: ases.map((as) => as.root), kvm, described, memAs: ases.find((a) => a.name === KVM_AS_NAME) };
    plans.set(ases, p);
  }
  return p;
}

/** Regenerate every view and run the listeners: the body of the outermost commit. */
function regenerate(mem: MemoryState, accel: MemAccel): Transition<MemoryState> {
  // Views last committed were rendered from renderedFrom(mem.flat): render only what changed since (without
  // it, e.g. on a cloned state, every view is rendered whole).
  const was = renderedFrom.get(mem.flat);
  const plan = planOf(mem.addressSpaces);
  const flat = updateFlatViews(was ?? Regions.EMPTY, mem.regions, plan.roots, was ? mem.flat : {});
  renderedFrom.set(flat, mem.regions);
  // Without KVM and without a trace being made (engine/effects.ts, unrecorded), the views' differences would serve
  // notes nobody makes, and the commit's effects are none: the views are all there is to do.
  if (accel !== 'kvm' && lazyCommitDiffs.enabled && !recordsTrace()) return done(memOf(mem, mem.regions, mem.txDepth, false, flat, mem.kvmSlots));
  // The commit's notes describe each view's difference; they are formatted only if the trace is read. Without KVM
  // the differences serve the notes alone, so they are worked out then too (`diffs`), from the views and the splice
  // bounds as they are now.
  let kvmSlots = mem.kvmSlots;
  let kvmFx: Effects = NO_EFFECTS;
  let diffs: CommitDiffs | (() => CommitDiffs);
  if (accel === 'kvm' || !lazyCommitDiffs.enabled) {
    diffs = commitDiffs(mem.addressSpaces, plan, mem.flat, flat, (diff) => {
      if (accel !== 'kvm') return;
      const res = kvmApplyDiff(mem.regions, kvmSlots, diff.removed, diff.added);
      kvmSlots = res.slots;
      kvmFx = merge(kvmFx, res.fx);
    });
  } else {
    const pending = changedViews(mem.addressSpaces, plan, mem.flat, flat);
    let known: CommitDiffs | undefined;
    diffs = () => (known ??= diffsOf(pending));
  }
  const notes = commitNotes(diffs);
  // The commit's hops as QEMU names them: flatviews_reset (generate_memory_topology → render_memory_region
  // per root) and, per address space, address_space_set_flatview → address_space_update_topology_pass, whose
  // listeners (the KVM one on AS "memory") add and delete slots.
  const memAs = plan.memAs;
  let fx = merge(trace('memory_region_transaction_commit', notes), trace('flatviews_reset', undefined, 1));
  if (memAs) {
    fx = merge(fx, merge(trace('generate_memory_topology', () => `root ${memAs.root}`, 2), trace('render_memory_region', memAs.root, 3)));
    const d = diffs;
    const kvmNote = (): string => {
      const kvmDiff = (typeof d === 'function' ? d() : d).kvmDiff;
      return kvmDiff === undefined ? notes() : `flat view: ${describe(kvmDiff)}`;
    };
    fx = merge(fx, merge(trace('address_space_set_flatview', () => `AS ${KVM_AS_NAME}`, 1), trace('address_space_update_topology_pass', kvmNote, 2)));
  }
  fx = merge(fx, nest(kvmFx, 2));
  return done(memOf(mem, mem.regions, mem.txDepth, false, flat, kvmSlots), fx);
}

/**
 * Whether a commit without KVM leaves its views' differences to be worked out when its notes are read (the default);
 * off, they are worked out at once as with KVM: test/commit-notes.property.test.ts compares the two.
 */
export const lazyCommitDiffs = { enabled: true };

/** What a commit's notes say: the KVM address space's difference, then the other views' that changed (AS name, difference, ...). */
interface CommitDiffs {
  readonly kvmDiff: FlatDiff | undefined;
  readonly others: readonly (string | FlatDiff)[] | undefined;
}

/**
 * The views a commit describes, each with its before and after and the splice bounds that relate them (found now:
 * the splice record keeps only the last few): index in the address spaces, before, after, bounds, ...
 */
function changedViews(
  ases: readonly AddressSpace[],
  plan: AsPlan,
  was: Readonly<Record<string, readonly FlatRange[]>>,
  flat: Readonly<Record<string, readonly FlatRange[]>>,
): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < ases.length; i++) {
    if (!plan.described[i]) continue;
    const as = ases[i];
    const before = was[as.root] ?? NO_RANGES;
    const after = flat[as.root];
    if (!plan.kvm[i] && before === after) continue; // unchanged, and not described
    out.push(as, plan.kvm[i], before, after, spliced.find(before, after));
  }
  return out;
}

/** The differences of the views changedViews found, as the commit's notes take them. */
function diffsOf(pending: readonly unknown[]): CommitDiffs {
  let kvmDiff: FlatDiff | undefined;
  let others: (string | FlatDiff)[] | undefined;
  for (let k = 0; k < pending.length; k += 5) {
    const as = pending[k] as AddressSpace;
    const diff = diffFlatViews(pending[k + 2] as readonly FlatRange[], pending[k + 3] as readonly FlatRange[], pending[k + 4] as readonly [number, number, number] | undefined);
    if (pending[k + 1]) kvmDiff = diff;
    else if (diff.added.length || diff.removed.length) (others ??= []).push(as.name, diff);
  }
  return { kvmDiff, others };
}

/** The differences a commit's notes describe, worked out at once; `onKvm` gets the KVM address space's (its listener). */
function commitDiffs(
  ases: readonly AddressSpace[],
  plan: AsPlan,
  was: Readonly<Record<string, readonly FlatRange[]>>,
  flat: Readonly<Record<string, readonly FlatRange[]>>,
  onKvm: (diff: FlatDiff) => void,
): CommitDiffs {
  const diffs = diffsOf(changedViews(ases, plan, was, flat));
  if (diffs.kvmDiff) onKvm(diffs.kvmDiff);
  return diffs;
}

const NO_RANGES: readonly FlatRange[] = [];

/**
 * memory_region_transaction_commit's note: the KVM address space's difference, then the other views' that
 * changed (`others`: AS name, difference, ...), e.g. `flat view: +1 range; cpu-smm-0 flat view: +1 range`.
 */
function commitNotes(diffs: CommitDiffs | (() => CommitDiffs)): () => string {
  return () => {
    const { kvmDiff, others } = typeof diffs === 'function' ? diffs() : diffs;
    let o: string | undefined;
    for (let i = 0; others !== undefined && i < others.length; i += 2) {
      const note = `${others[i] as string} flat view: ${describe(others[i + 1] as FlatDiff)}`;
      o = o === undefined ? note : `${o}; ${note}`;
    }
    const k = kvmDiff === undefined ? undefined : `flat view: ${describe(kvmDiff)}`;
    return k === undefined ? o ?? 'flat view: unchanged' : o === undefined ? k : `${k}; ${o}`;
  };
}

/** memory_region_transaction_commit: at depth 0 with an update pending, views are regenerated. */
export function commitTx(mem: MemoryState, accel: MemAccel): Transition<MemoryState> {
  if (mem.txDepth <= 0) throw new Error('internal: memory_region_transaction_commit without begin');
  const depth = mem.txDepth - 1;
  const next = memOf(mem, mem.regions, depth, mem.pending, mem.flat, mem.kvmSlots);
  if (depth > 0 || !mem.pending) return done(next);
  return regenerate(next, accel);
}

/**
 * Apply `change` to the region tree as one memory_region_transaction. Inside an outer begin (txDepth > 0) the
 * change is only recorded (pending); otherwise it is committed at once. A change that returns the very same
 * tree commits nothing and leaves the state untouched.
 */
export function memTransaction(mem: MemoryState, change: (r: Regions) => Regions, accel: MemAccel): Transition<MemoryState> {
  const regions = change(mem.regions);
  if (regions === mem.regions) return done(mem);
  // memory_region_transaction_begin: qemu_flush_coalesced_mmio_buffer (nothing is batched while no vCPU
  // runs), then ++memory_region_transaction_depth.
  const begin = trace('memory_region_transaction_begin', () => `qemu_flush_coalesced_mmio_buffer, depth ${mem.txDepth + 1}`);
  if (mem.txDepth > 0) return done(memOf(mem, regions, mem.txDepth, true, mem.flat, mem.kvmSlots), begin);
  const t = regenerate(memOf(mem, regions, mem.txDepth, false, mem.flat, mem.kvmSlots), accel);
  return { state: t.state, fx: merge(begin, t.fx) };
}

/**
 * The state a run of commits leaves when `regions` was made by them from nothing (machine start-up made at once,
 * memory/region-builder.ts): every view rendered whole, as the first commit renders them, and remembered as
 * committed (later commits update them incrementally). No effects: the commits' trace is the caller's business. A
 * KVM machine's slots depend on each commit's difference: the caller works them out (`kvmSlots`, machine/memory-map.ts).
 */
export function committedAtOnce(addressSpaces: MemoryState['addressSpaces'], regions: Regions, kvmSlots?: MemoryState['kvmSlots']): MemoryState {
  // Each view whole (renderFlatView), through one RenderMemo: a CPU's SMM address space shows system memory through
  // an alias, rendered once for AS "memory" and taken as it is from there.
  const memo = new RenderMemo();
  const flat: Record<string, readonly FlatRange[]> = {};
  const roots = planOf(addressSpaces).roots;
  for (const root of roots) if (!(root in flat)) flat[root] = simplifiedOnce(renderWindow(regions, root, 0n, SPACE_END, memo));
  withSharedViews(regions, roots, flat);
  renderedFrom.set(flat, regions);
  const empty = emptyMemory(addressSpaces);
  return memOf(empty, regions, empty.txDepth, empty.pending, flat, kvmSlots ?? empty.kvmSlots);
}

/**
 * simplify (flatview.ts) in one pass that makes each merged range once, frozen as simplify's are: no working copy per
 * input range (the rendered ranges may be shared with other views through the RenderMemo, so they are not merged in
 * place). test/startup-shared.property.test.ts compares it with simplify.
 */
export function simplifiedOnce(ranges: readonly FlatRange[]): FlatRange[] {
  const out: FlatRange[] = [];
  for (let i = 0; i < ranges.length;) {
    const a = ranges[i];
    let end = a.end;
    let j = i + 1;
    for (; j < ranges.length; j++) {
      const b = ranges[j];
      // flatview_simplify's rule: b continues the run (same region, contiguous offsets, same attributes)
      if (end !== b.start || a.region !== b.region || a.offsetInRegion + (end - a.start) !== b.offsetInRegion || a.readonly !== b.readonly) break;
      end = b.end;
    }
    out.push(Object.freeze({ start: a.start, end, region: a.region, offsetInRegion: a.offsetInRegion, readonly: a.readonly }));
    i = j;
  }
  return out;
}

/** The flat view last committed for an address space (by AS name), or [] when unknown. */
export function committedFlatView(mem: MemoryState, asName: string): readonly FlatRange[] {
  const as = mem.addressSpaces.find((a) => a.name === asName);
  return as ? addressSpaceFlatView(mem, as.root) : [];
}

/**
 * The flat view of an address space with this root, as `info mtree -f` prints it: the view the last commit left,
 * except for an address space rooted at a container mapped elsewhere (10.0's `device-memory`, whose root is the
 * device-memory container inside system memory), which commits do not keep: it is rendered from its flat-view
 * root, whose own offset counts (render_memory_region adds mr->addr).
 */
export function addressSpaceFlatView(mem: MemoryState, rootId: string): readonly FlatRange[] {
  const root = mem.regions.get(rootId);
  if (root !== undefined && root.addr !== 0n) {
    const physmr = flatViewRoot(mem.regions, rootId);
    return physmr === undefined ? [] : renderFlatView(mem.regions, physmr);
  }
  return mem.flat[rootId] ?? [];
}
