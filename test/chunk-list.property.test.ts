// ChunkList (engine/arrays.ts): a persistent list kept in chunks, so that inserting or removing one element copies
// one chunk and the list of chunks. Against plain array copies on random sequences of inserts and
// removals that grow lists past many chunks (and split them) and shrink them to nothing again: after every
// operation the same elements in the same order, every index read the same, the searches and scans give what a
// plain scan gives, and no list is changed by an operation on a later one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChunkList } from '../engine/arrays';

type Op = { kind: 'insert'; at: number; x: number } | { kind: 'remove'; at: number } | { kind: 'of' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), x: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('of' as const) }) },
);

function agrees(c: ChunkList<number>, plain: readonly number[]): void {
  assert.equal(c.length, plain.length);
  assert.deepEqual(c.toArray(), plain);
  for (let i = -1; i <= plain.length; i++) assert.equal(c.at(i), plain[i], `at(${i})`);
  for (const ch of c.chunks) assert.ok(ch.length > 0 && ch.length <= ChunkList.MAX, `chunk of ${ch.length}`);
}

test('a ChunkList holds what plain array copies hold, operation after operation, older versions unchanged', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 150, maxLength: 600, size: 'max' }), fc.nat(), (ops, seed) => {
      let c = ChunkList.empty<number>();
      let plain: number[] = [];
      const kept: { c: ChunkList<number>; plain: readonly number[] }[] = [];
      let k = seed;
      for (const o of ops) {
        if (o.kind === 'insert') {
          const at = o.at % (plain.length + 1);
          c = c.insert(at, o.x);
          plain = [...plain.slice(0, at), o.x, ...plain.slice(at)];
        } else if (o.kind === 'remove') {
          if (plain.length === 0) continue;
          const at = o.at % plain.length;
          c = c.remove(at);
          plain = [...plain.slice(0, at), ...plain.slice(at + 1)];
        } else c = ChunkList.of(plain);
        agrees(c, plain);
        if (k++ % 7 === 0) kept.push({ c, plain });
      }
      // Then emptied at random places: chunks shrink to one element and go.
      while (plain.length > 0) {
        const at = (k = (k * 1103515245 + 12345) >>> 0) % plain.length;
        c = c.remove(at);
        plain = [...plain.slice(0, at), ...plain.slice(at + 1)];
        agrees(c, plain);
        if (k % 5 === 0) kept.push({ c, plain });
      }
      for (const v of kept) agrees(v.c, v.plain);
    }),
    { numRuns: 60 },
  );
});

test('search and scanFrom on a sorted ChunkList are the plain first index and the plain walk', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 400, size: 'max' }), fc.array(fc.integer({ min: -5, max: 305 }), { minLength: 1, maxLength: 20 }), (xs, probes) => {
      // Built by sorted insertion, as the engine builds its address orders.
      let c = ChunkList.empty<number>();
      const plain: number[] = [];
      for (const x of xs) {
        const at = c.search((y) => y <= x);
        assert.equal(at, plain.filter((y) => y <= x).length);
        c = c.insert(at, x);
        plain.splice(at, 0, x);
      }
      agrees(c, plain);
      for (const p of probes) {
        const first = plain.findIndex((y) => !(y < p));
        assert.equal(c.search((y) => y < p), first < 0 ? plain.length : first);
        // The walk from an index until a condition fails.
        const from = Math.max(0, Math.min(plain.length, p));
        const seen: number[] = [];
        c.scanFrom(from, (y) => {
          seen.push(y);
          return y < p + 50;
        });
        const expected: number[] = [];
        for (let i = from; i < plain.length; i++) {
          expected.push(plain[i]);
          if (!(plain[i] < p + 50)) break;
        }
        assert.deepEqual(seen, expected);
      }
    }),
    { numRuns: 60 },
  );
});
