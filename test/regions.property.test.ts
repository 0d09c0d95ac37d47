// The region table keeps its alias index (which aliases target a region) across updates, patching it for the one
// region set instead of rebuilding it (engine/memory/regions.ts). Against an index built afresh from the table's
// regions, after random sets (aliases coming, going, changing target or only their offset or state) and deletes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeRegion, Regions } from '../engine/memory/regions';

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
