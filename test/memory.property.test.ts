// Property tests of FlatView rendering over random region trees (fast-check), checked against a pointwise
// oracle that resolves each address the way the memory API defines it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { absoluteAddr, addSubregion, createRegion, delSubregion, type RegionKind, Regions } from '../engine/memory/regions';
import { renderFlatView } from '../engine/memory/flatview';

const SPACE = 256;

interface Node {
  readonly parent: number;
  readonly kind: RegionKind | 'alias';
  readonly addr: number;
  readonly size: number;
  readonly prio: number;
  readonly enabled: boolean;
  readonly target: number;
  readonly aliasOffset: number;
  readonly readonly: boolean;
}

const nodeArb: fc.Arbitrary<Node> = fc.record({
  parent: fc.nat(20),
  kind: fc.constantFrom<RegionKind | 'alias'>('ram', 'rom', 'io', 'container', 'alias'),
  addr: fc.integer({ min: 0, max: 220 }),
  size: fc.integer({ min: 1, max: 120 }),
  prio: fc.integer({ min: -2, max: 2 }),
  enabled: fc.boolean(),
  target: fc.nat(1),
  aliasOffset: fc.integer({ min: 0, max: 60 }),
  readonly: fc.boolean(),
});

/** Alias targets live outside the tree: a RAM block and an I/O region with a RAM child. */
function base(): Regions {
  let r = createRegion(Regions.EMPTY, { id: 'root', name: 'root', size: BigInt(SPACE), kind: 'container' });
  r = createRegion(r, { id: 'T0', name: 'T0', size: 128n, kind: 'ram' });
  r = createRegion(r, { id: 'T1', name: 'T1', size: 200n, kind: 'io' });
  r = createRegion(r, { id: 'T1c', name: 'T1c', size: 32n, kind: 'ram' });
  return addSubregion(r, 'T1', 16n, 'T1c');
}

function build(nodes: readonly Node[]): Regions {
  let r = base();
  const parents = ['root'];
  nodes.forEach((n, i) => {
    const id = `n${i}`;
    const alias = n.kind === 'alias' ? (n.target === 0 ? 'T0' : 'T1') : undefined;
    r = createRegion(r, {
      id, name: id, size: BigInt(n.size), kind: n.kind === 'alias' ? 'container' : n.kind, alias,
      aliasOffset: BigInt(n.aliasOffset), enabled: n.enabled, priority: n.prio,
    });
    if (alias !== undefined && n.readonly) r = r.set({ ...r.get(id)!, readonly: true });
    r = addSubregion(r, parents[n.parent % parents.length], BigInt(n.addr), id, n.prio);
    if (alias === undefined) parents.push(id);
  });
  return r;
}

interface Hit { region: string; offset: bigint; readonly: boolean }

/** Who answers address `a`: first enabled child in list order, else the region itself if it terminates. */
function resolve(r: Regions, id: string, baseAddr: bigint, a: bigint, ro: boolean): Hit | undefined {
  const mr = r.get(id)!;
  if (!mr.enabled) return undefined;
  const start = baseAddr + mr.addr;
  if (a < start || a >= start + mr.size) return undefined;
  const ro2 = ro || mr.readonly;
  if (mr.alias !== undefined) {
    const t = r.get(mr.alias)!;
    return resolve(r, t.id, start - mr.aliasOffset - t.addr, a, ro2);
  }
  for (const sub of mr.subregions) {
    const hit = resolve(r, sub, start, a, ro2);
    if (hit) return hit;
  }
  return mr.terminates ? { region: id, offset: a - start, readonly: ro2 } : undefined;
}

function inTree(r: Regions, id: string): boolean {
  let cur = r.get(id)!;
  while (cur.container) cur = r.get(cur.container)!;
  return cur.id === 'root';
}

const nodesArb = fc.array(nodeArb, { maxLength: 14 });

test('a flat view is sorted, disjoint, simplified, and each range lies inside an enabled terminating region', () => {
  fc.assert(fc.property(nodesArb, (nodes) => {
    const r = build(nodes);
    const view = renderFlatView(r, 'root');
    view.forEach((fr, i) => {
      assert.ok(fr.start < fr.end, 'non-empty');
      if (i > 0) {
        const prev = view[i - 1];
        assert.ok(prev.end <= fr.start, 'sorted and disjoint');
        const mergeable = prev.end === fr.start && prev.region === fr.region && prev.readonly === fr.readonly &&
          prev.offsetInRegion + (prev.end - prev.start) === fr.offsetInRegion;
        assert.ok(!mergeable, 'simplified');
      }
      const mr = r.get(fr.region)!;
      assert.ok(mr.enabled && mr.terminates, 'content comes from an enabled terminating region');
      assert.ok(fr.offsetInRegion >= 0n && fr.offsetInRegion + (fr.end - fr.start) <= mr.size, 'inside the region');
      if (inTree(r, fr.region) && !Object.values(r).some((x) => x.alias !== undefined)) {
        const abs = absoluteAddr(r, fr.region);
        assert.ok(fr.start >= abs && fr.end <= abs + mr.size, 'inside its absolute span');
        assert.equal(fr.start - abs, fr.offsetInRegion);
      }
      assert.ok(fr.end <= BigInt(SPACE), 'clipped to the root');
    });
  }), { numRuns: 300 });
});

test('the flat view answers every address exactly as the pointwise memory-API rules do', () => {
  fc.assert(fc.property(nodesArb, (nodes) => {
    const r = build(nodes);
    const view = renderFlatView(r, 'root');
    let k = 0;
    for (let a = 0n; a < BigInt(SPACE); a++) {
      while (k < view.length && view[k].end <= a) k++;
      const fr = k < view.length && view[k].start <= a ? view[k] : undefined;
      const got = fr ? { region: fr.region, offset: fr.offsetInRegion + (a - fr.start), readonly: fr.readonly } : undefined;
      assert.deepEqual(got, resolve(r, 'root', 0n, a, false), `address ${a}`);
    }
  }), { numRuns: 300 });
});

test('rendering is deterministic and leaves the tree untouched', () => {
  fc.assert(fc.property(nodesArb, (nodes) => {
    const r = build(nodes);
    const before = JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    assert.deepEqual(renderFlatView(r, 'root'), renderFlatView(r, 'root'));
    assert.equal(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), before);
  }), { numRuns: 100 });
});

test('adding then deleting a subregion restores the same flat view', () => {
  fc.assert(fc.property(nodesArb, nodeArb, (nodes, extra) => {
    const r = build(nodes);
    const parents = ['root', ...Object.keys(r).filter((id) => id.startsWith('n') && r.get(id)!.alias === undefined)];
    const parent = parents[extra.parent % parents.length];
    let r2 = createRegion(r, { id: 'x', name: 'x', size: BigInt(extra.size), kind: extra.kind === 'alias' ? 'ram' : extra.kind, priority: extra.prio });
    r2 = addSubregion(r2, parent, BigInt(extra.addr), 'x', extra.prio);
    const r3 = delSubregion(r2, parent, 'x');
    assert.deepEqual(renderFlatView(r3, 'root'), renderFlatView(r, 'root'));
  }), { numRuns: 200 });
});
