// The incremental flat-view update (engine/memory/flat-update.ts) against full rendering: random region trees
// (containers, one with more children than the child index's threshold, RAM/ROM/I/O, aliases, priorities, disabled regions, two address-space roots, one reaching the
// other through an alias) changed step by step with the memory API's mutators; after every step each view
// updated from the previous one must equal renderFlatView of the new tree, range for range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addSubregion, createRegion, delSubregion, setAddress, setAliasOffset, setEnabled, type RegionKind, Regions } from '../engine/memory/regions';
import { diffFlatViews, flatRangeEqual, renderFlatView } from '../engine/memory/flatview';
import { spliced, updateFlatViews } from '../engine/memory/flat-update';
import type { FlatRange } from '../engine/memory/types';

const SPACE = 512n;
const ROOTS = ['root', 'as2', 'io'];

interface NodeSpec {
  readonly kind: RegionKind | 'alias';
  readonly parent: number;
  readonly addr: number;
  readonly size: number;
  readonly prio: number;
  readonly enabled: boolean;
  readonly aliasOffset: number;
  readonly mapped: boolean;
}

const nodeArb: fc.Arbitrary<NodeSpec> = fc.record({
  kind: fc.constantFrom<RegionKind | 'alias'>('ram', 'rom', 'io', 'container', 'container', 'alias'),
  parent: fc.nat(30),
  addr: fc.integer({ min: 0, max: 480 }),
  size: fc.integer({ min: 1, max: 200 }),
  prio: fc.integer({ min: -1, max: 2 }),
  enabled: fc.boolean(),
  aliasOffset: fc.integer({ min: 0, max: 100 }),
  mapped: fc.boolean(),
});

interface Op {
  readonly kind: 'add' | 'del' | 'enable' | 'move' | 'alias-offset';
  readonly pick: number;
  readonly to: number;
  readonly addr: number;
  readonly prio: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('add', 'add', 'del', 'del', 'enable', 'move', 'alias-offset'),
  pick: fc.nat(1000),
  to: fc.nat(1000),
  addr: fc.integer({ min: 0, max: 480 }),
  prio: fc.integer({ min: -1, max: 2 }),
});

function build(nodes: readonly NodeSpec[]): Regions {
  let r = createRegion(Regions.EMPTY, { id: 'root', name: 'root', size: SPACE, kind: 'container' });
  r = createRegion(r, { id: 'io', name: 'io', size: 256n, kind: 'io' });
  r = createRegion(r, { id: 'as2', name: 'as2', size: SPACE, kind: 'container' });
  r = createRegion(r, { id: 'as2-root', name: 'as2-root', size: SPACE, kind: 'container', alias: 'root' });
  r = addSubregion(r, 'as2', 0n, 'as2-root', 0);
  // A wide container (more children than CHILD_INDEX_MIN), as device memory is with many DIMMs.
  r = createRegion(r, { id: 'wide', name: 'wide', size: 400n, kind: 'container', priority: 1 });
  r = addSubregion(r, 'root', 64n, 'wide', 1);
  for (let k = 0; k < 20; k++) {
    r = createRegion(r, { id: `w${k}`, name: `w${k}`, size: BigInt(6 + (k % 5) * 9), kind: k % 7 === 3 ? 'rom' : 'ram' });
    r = addSubregion(r, 'wide', BigInt(k * 19), `w${k}`, k % 3 === 0 ? 1 : 0);
  }
  const containers = ['root', 'as2', 'wide'];
  nodes.forEach((n, i) => {
    const id = `n${i}`;
    const alias = n.kind === 'alias' ? (i % 2 ? 'root' : 'io') : undefined;
    r = createRegion(r, {
      id, name: id, size: BigInt(n.size), kind: n.kind === 'alias' ? 'container' : n.kind, alias,
      aliasOffset: BigInt(n.aliasOffset), enabled: n.enabled, priority: n.prio,
    });
    // No region may contain itself: aliases of 'root' go into 'as2', aliases of 'io' into the containers of
    // the other trees; 'io' and containers under it take no aliases.
    const parents = alias === 'root' ? ['as2'] : alias === 'io' ? containers : [...containers, 'io'];
    const parent = parents[n.parent % parents.length];
    if (n.mapped) r = addSubregion(r, parent, BigInt(n.addr), id, n.prio);
    if (n.kind === 'container' && n.mapped && parent !== 'io') containers.push(id);
  });
  return r;
}

/** Whether `b` is 'io' or lies under it. */
function underIo(r: Regions, b: string): boolean {
  for (let x = r.get(b); x; x = x.container ? r.get(x.container) : undefined) if (x.id === 'io') return true;
  return false;
}

/**
 * Whether leaf `a` may go under `b` without a region containing itself: aliases of 'root' live in 'as2' only,
 * 'io' and what is under it hold no aliases.
 */
function allowed(r: Regions, a: string, b: string): boolean {
  const target = r.get(a)!.alias;
  if (target === 'root') return b === 'as2';
  if (target === 'io') return !underIo(r, b);
  return true;
}

function apply(r: Regions, op: Op): Regions {
  const all = [...r.values()].filter((x) => !ROOTS.includes(x.id) && x.id !== 'as2-root').sort((a, b) => (a.id < b.id ? -1 : 1));
  if (all.length === 0) return r;
  const x = all[op.pick % all.length];
  switch (op.kind) {
    case 'add': {
      if (x.container || x.subregions.length) return r;
      const hosts = [...r.values()].filter((h) => (h.alias === undefined && !h.ram) || h.id === 'io').map((h) => h.id).sort();
      const host = hosts[op.to % hosts.length];
      if (!allowed(r, x.id, host)) return r;
      return addSubregion(r, host, BigInt(op.addr), x.id, op.prio);
    }
    case 'del':
      return x.container ? delSubregion(r, x.container, x.id) : r;
    case 'enable':
      return setEnabled(r, x.id, !x.enabled);
    case 'move':
      return setAddress(r, x.id, BigInt(op.addr));
    case 'alias-offset':
      return x.alias === undefined ? r : setAliasOffset(r, x.id, BigInt(op.addr % 100));
  }
}

function full(r: Regions): Record<string, readonly FlatRange[]> {
  return Object.fromEntries(ROOTS.map((root) => [root, renderFlatView(r, root)]));
}

test('updating flat views incrementally gives exactly the full rendering, step after step', () => {
  fc.assert(
    fc.property(fc.array(nodeArb, { maxLength: 24 }), fc.array(opArb, { minLength: 1, maxLength: 30 }), (nodes, ops) => {
      let r = build(nodes);
      let views = updateFlatViews(Regions.EMPTY, r, ROOTS, {});
      assert.deepEqual(views, full(r));
      for (const op of ops) {
        const next = apply(r, op);
        const updated = updateFlatViews(r, next, ROOTS, views);
        assert.deepEqual({ ...updated }, full(next), `after ${JSON.stringify(op)}`);
        for (const root of ROOTS) if (next === r) assert.equal(updated[root], views[root], 'nothing changed: the same view');
        views = updated;
        r = next;
      }
    }),
    { numRuns: 400 },
  );
});

test('a view no change reaches is kept as the same array', () => {
  let r = build([]);
  r = createRegion(r, { id: 'ram', name: 'ram', size: 64n, kind: 'ram' });
  const views = updateFlatViews(Regions.EMPTY, r, ROOTS, {});
  const next = addSubregion(r, 'io', 16n, 'ram', 0);
  const updated = updateFlatViews(r, next, ROOTS, views);
  assert.equal(updated.root, views.root);
  assert.notEqual(updated.io, views.io);
  assert.deepEqual(updated.io, renderFlatView(next, 'io'));
});

/** The difference as it was computed before any shortcut: one merge walk over both views. */
function diffReference(oldView: readonly FlatRange[], newView: readonly FlatRange[]): { removed: FlatRange[]; added: FlatRange[] } {
  const removed: FlatRange[] = [];
  const added: FlatRange[] = [];
  let i = 0;
  let j = 0;
  while (i < oldView.length || j < newView.length) {
    const o = oldView[i];
    const n = newView[j];
    if (o !== undefined && o === n) { i++; j++; }
    else if (o && (!n || o.start < n.start || (o.start === n.start && !flatRangeEqual(o, n)))) { removed.push(o); i++; }
    else if (o && n && flatRangeEqual(o, n)) { i++; j++; }
    else if (n) { added.push(n); j++; }
  }
  return { removed, added };
}

test('the difference of two views (shared ranges skipped at both ends) is the one merge walk', () => {
  // Views over cells 0..39 of 16 bytes: each cell empty or a range of region a/b; the new view keeps the old
  // one's objects except in a random stretch, where it has fresh ranges (some equal to the old ones).
  const cell = fc.option(fc.constantFrom('a', 'b'), { nil: null });
  fc.assert(
    fc.property(fc.array(cell, { minLength: 40, maxLength: 40 }), fc.array(cell, { minLength: 40, maxLength: 40 }), fc.nat(40), fc.nat(40), (xs, ys, p, q) => {
      const [lo, hi] = p <= q ? [p, q] : [q, p];
      const mk = (k: number, region: string): FlatRange => ({ start: BigInt(k * 16), end: BigInt(k * 16 + 16), region, offsetInRegion: 0n, readonly: false });
      const oldView: FlatRange[] = [];
      const newView: FlatRange[] = [];
      for (let k = 0; k < 40; k++) {
        const o = xs[k] === null ? undefined : mk(k, xs[k]!);
        if (o) oldView.push(o);
        if (k >= lo && k < hi) {
          if (ys[k] !== null) newView.push(mk(k, ys[k]!));
        } else if (o) newView.push(o);
      }
      const got = diffFlatViews(oldView, newView);
      const want = diffReference(oldView, newView);
      assert.equal(got.removed.length, want.removed.length);
      assert.equal(got.added.length, want.added.length);
      got.removed.forEach((r, i) => assert.equal(r, want.removed[i]));
      got.added.forEach((r, i) => assert.equal(r, want.added[i]));
    }),
    { numRuns: 1000 },
  );
});

test('the difference an update reports (the stretch it spliced) is the one merge walk over the whole views', () => {
  fc.assert(
    fc.property(fc.array(nodeArb, { maxLength: 24 }), fc.array(opArb, { minLength: 1, maxLength: 20 }), (nodes, ops) => {
      let r = build(nodes);
      let views = updateFlatViews(Regions.EMPTY, r, ROOTS, {});
      for (const op of ops) {
        const next = apply(r, op);
        const updated = updateFlatViews(r, next, ROOTS, views);
        for (const root of ROOTS) {
          const got = diffFlatViews(views[root], updated[root], spliced.find(views[root], updated[root]));
          const want = diffReference(views[root], updated[root]);
          assert.deepEqual([got.removed, got.added], [want.removed, want.added], `${root} after ${JSON.stringify(op)}`);
        }
        views = updated;
        r = next;
      }
    }),
    { numRuns: 300 },
  );
});
