// The region table keeps its alias index (which aliases target a region) across updates, patching it for the one
// region set instead of rebuilding it (engine/memory/regions.ts). Against an index built afresh from the table's
// regions, after random sets (aliases coming, going, changing target or only their offset or state) and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addSubregion, changedRegionIds, changedRegionIdsByScan, CHILD_INDEX_MIN, childrenOverlapping, createRegion, delSubregion, firstAtOrBelow, makeRegion, Regions } from '../engine/memory/regions';

const IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

type Op = { kind: 'set'; id: number; alias: number | null; offset: number; enabled: boolean } | { kind: 'delete'; id: number } | { kind: 'ask'; id: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), id: fc.nat(7), alias: fc.option(fc.nat(7), { nil: null }), offset: fc.nat(3), enabled: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ask' as const), id: fc.nat(7) }) },
);

function fresh(t: Regions, id: string): string[] {
  return [...t.values()].filter((r) => r.alias === id).map((r) => r.id).sort();
}

test('aliasesOf after updates lists exactly the aliases the table holds', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      let t = Regions.EMPTY;
      for (const o of ops) {
        if (o.kind === 'set') {
          const r = makeRegion({ id: IDS[o.id], name: IDS[o.id], size: 16n, kind: o.alias === null ? 'ram' : 'io', alias: o.alias === null ? undefined : IDS[o.alias], aliasOffset: BigInt(o.offset), enabled: o.enabled });
          t = t.set(r);
        } else if (o.kind === 'delete') {
          t = t.delete(IDS[o.id]);
        } else {
          for (const id of IDS) assert.deepEqual([...t.aliasesOf(id)].sort(), fresh(t, id), `aliases of ${id}`);
        }
      }
      for (const id of IDS) assert.deepEqual([...t.aliasesOf(id)].sort(), fresh(t, id), `aliases of ${id}`);
    }),
    { numRuns: 500 },
  );
});

test('a table made at once (Regions.ofNew) has the alias index aliasesOf would make, and keeps it through updates', () => {
  // Up to 80 regions (spread over the table's buckets), aliases of a few targets among them.
  const spec = fc.record({ alias: fc.option(fc.nat(7), { nil: null }), offset: fc.nat(3) });
  const many = Array.from({ length: 80 }, (_, i) => (i < IDS.length ? IDS[i] : `r${i}`));
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(79), { maxLength: 80 }), fc.array(spec, { minLength: 80, maxLength: 80 }), fc.array(op, { maxLength: 20 }), (ids, specs, ops) => {
      const regions = ids.map((i) => makeRegion({ id: many[i], name: many[i], size: 16n, kind: specs[i].alias === null ? 'ram' : 'io', alias: specs[i].alias === null ? undefined : IDS[specs[i].alias!], aliasOffset: BigInt(specs[i].offset) }));
      const atOnce = Regions.ofNew(regions);
      for (const id of IDS) {
        // What aliasesOf makes on first use without an index: the table scanned in its order.
        assert.deepEqual(atOnce.aliasesOf(id), [...atOnce.values()].filter((r) => r.alias === id).map((r) => r.id), `aliases of ${id}, in table order`);
      }
      let t = Regions.ofNew(regions);
      for (const o of ops) {
        if (o.kind === 'set') t = t.set(makeRegion({ id: IDS[o.id], name: IDS[o.id], size: 16n, kind: o.alias === null ? 'ram' : 'io', alias: o.alias === null ? undefined : IDS[o.alias], aliasOffset: BigInt(o.offset), enabled: o.enabled }));
        else if (o.kind === 'delete') t = t.delete(IDS[o.id]);
        for (const id of IDS) assert.deepEqual([...t.aliasesOf(id)].sort(), fresh(t, id), `aliases of ${id}`);
      }
    }),
    { numRuns: 500 },
  );
});

test('setTwo(a, b) is set(a).set(b): the same regions, size and alias index', () => {
  const spec = fc.record({ id: fc.nat(7), alias: fc.option(fc.nat(7), { nil: null }), offset: fc.nat(3) });
  const mk = (o: { id: number; alias: number | null; offset: number }) =>
    makeRegion({ id: IDS[o.id], name: IDS[o.id], size: 16n, kind: o.alias === null ? 'ram' : 'io', alias: o.alias === null ? undefined : IDS[o.alias], aliasOffset: BigInt(o.offset) });
  fc.assert(
    fc.property(fc.array(spec, { maxLength: 12 }), spec, spec, fc.boolean(), (start, a, b, askFirst) => {
      let t = Regions.EMPTY;
      for (const o of start) t = t.set(mk(o));
      if (askFirst) for (const id of IDS) t.aliasesOf(id); // with an alias index to patch
      const two = t.setTwo(mk(a), mk(b));
      const one = t.set(mk(a)).set(mk(b));
      assert.equal(two.size, one.size);
      assert.deepEqual([...two.values()].map((r) => r.id).sort(), [...one.values()].map((r) => r.id).sort());
      for (const id of IDS) {
        assert.deepEqual(two.get(id), one.get(id));
        assert.deepEqual([...two.aliasesOf(id)].sort(), fresh(one, id), `aliases of ${id}`);
      }
    }),
    { numRuns: 500 },
  );
});

test('changedRegionIds lists exactly the ids whose region differs', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), fc.array(op, { maxLength: 6 }), (first, then) => {
      const apply = (t: Regions, o: Op): Regions => {
        if (o.kind === 'set') return t.set(makeRegion({ id: IDS[o.id], name: IDS[o.id], size: 16n, kind: 'ram', aliasOffset: BigInt(o.offset), enabled: o.enabled }));
        if (o.kind === 'delete') return t.delete(IDS[o.id]);
        return t;
      };
      const a = first.reduce(apply, Regions.EMPTY);
      const b = then.reduce(apply, a);
      const plain = IDS.filter((id) => a.get(id) !== b.get(id)).sort();
      assert.deepEqual([...changedRegionIds(a, b)].sort(), plain);
    }),
    { numRuns: 500 },
  );
});

test('children overlapping a window, through the index derived plug after plug, are the plain filter of the list', () => {
  // A wide container (device memory with many DIMMs): children mapped and unmapped at random places (some
  // overlapping, some of one start, some a quarter of the container or more: kept apart as wide), windows asked in
  // between; the index of each new child list is derived from the previous list's (rebuilt when that one is no
  // longer remembered). Enough children that the index's runs (at most 64) split.
  const N = 120;
  const kid = (i: number) => `k${i}`;
  const step = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('map' as const), i: fc.nat(N - 1), at: fc.nat(60), size: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: 20, max: 70 }) }), prio: fc.nat(2) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('unmap' as const), i: fc.nat(N - 1) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('ask' as const), lo: fc.nat(70), len: fc.integer({ min: 1, max: 20 }) }) },
  );
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 240, size: 'max' }), (steps) => {
      let t = createRegion(Regions.EMPTY, { id: 'c', name: 'c', size: 128n, kind: 'container' });
      for (let i = 0; i < N; i++) t = createRegion(t, { id: kid(i), name: kid(i), size: 4n, kind: 'ram' });
      // Wide from the start: CHILD_INDEX_MIN children at 64.. so that every list is indexed.
      for (let i = 0; i < CHILD_INDEX_MIN; i++) t = addSubregion(t, 'c', BigInt(64 + i * 4), kid(N - 1 - i), 0);
      const mappedSizes = new Map<string, bigint>();
      for (const s of steps) {
        if (s.kind === 'map') {
          const r = t.get(kid(s.i))!;
          if (r.container !== undefined) continue;
          t = t.set({ ...r, size: BigInt(s.size) });
          mappedSizes.set(kid(s.i), BigInt(s.size));
          t = addSubregion(t, 'c', BigInt(s.at), kid(s.i), s.prio);
        } else if (s.kind === 'unmap') {
          const c = t.get('c')!;
          if (t.get(kid(s.i))!.container === undefined || c.subregions.length <= CHILD_INDEX_MIN) continue;
          t = delSubregion(t, 'c', kid(s.i));
        } else {
          const c = t.get('c')!;
          const lo = BigInt(s.lo);
          const hi = lo + BigInt(s.len);
          const plain = c.subregions.filter((id) => {
            const r = t.get(id)!;
            return r.addr < hi && r.addr + r.size > lo;
          });
          assert.deepEqual([...childrenOverlapping(t, c, lo, hi)], plain, `window [${lo}, ${hi})`);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('firstAtOrBelow (the early answer 0, the search by halves) is the plain scan for the first child at or below a priority', () => {
  // Lists in descending priority order, short and long (the search by halves starts at CHILD_INDEX_MIN children).
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 * CHILD_INDEX_MIN }), fc.integer({ min: -4, max: 4 }), (prios, prio) => {
      const sorted = [...prios].sort((a, b) => b - a);
      let t = Regions.EMPTY;
      const list = sorted.map((p, i) => {
        t = t.set(makeRegion({ id: `c${i}`, name: `c${i}`, size: 16n, kind: 'ram', priority: p }));
        return `c${i}`;
      });
      const plain = sorted.findIndex((p) => p <= prio);
      assert.equal(firstAtOrBelow(t, list, prio), plain < 0 ? list.length : plain, `prio ${prio} in [${sorted.join(', ')}]`);
    }),
    { numRuns: 2000 },
  );
});

test('changedRegionIds from the recent updates (set, setTwo, delete) is the scan over both tables: the same ids, each once', () => {
  type Step = { kind: 'set'; id: number; offset: number } | { kind: 'two'; a: number; b: number; offset: number } | { kind: 'delete'; id: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), id: fc.nat(7), offset: fc.nat(3) }),
    fc.record({ kind: fc.constant('two' as const), a: fc.nat(7), b: fc.nat(7), offset: fc.nat(3) }),
    fc.record({ kind: fc.constant('delete' as const), id: fc.nat(7) }),
  );
  const region = (id: number, offset: number) => makeRegion({ id: IDS[id], name: IDS[id], size: 16n, kind: 'ram', aliasOffset: BigInt(offset) });
  const apply = (t: Regions, o: Step): Regions =>
    o.kind === 'set' ? t.set(region(o.id, o.offset)) : o.kind === 'two' ? t.setTwo(region(o.a, o.offset), region(o.b, o.offset + 1)) : t.delete(IDS[o.id]);
  fc.assert(
    fc.property(fc.array(step, { maxLength: 20 }), fc.array(step, { maxLength: 10 }), (first, then) => {
      const a = first.reduce(apply, Regions.EMPTY);
      const chain = [a];
      for (const o of then) chain.push(apply(chain[chain.length - 1], o));
      // Every pair of the chain, both ways (older to newer takes the recent updates when they are still known).
      for (const x of chain) {
        for (const y of chain) {
          const got = changedRegionIds(x, y);
          assert.equal(new Set(got).size, got.length, 'each id once');
          assert.deepEqual([...got].sort(), [...changedRegionIdsByScan(x, y)].sort());
          assert.deepEqual([...got].sort(), IDS.filter((id) => x.get(id) !== y.get(id)).sort());
        }
      }
    }),
    { numRuns: 500 },
  );
});
