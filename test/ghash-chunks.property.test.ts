// The GHashTable's buckets are kept in chunks (engine/qom/ghash.ts: an insert or removal copies one chunk, not the
// whole table). Against the plain definition on one flat array (below: glib's probing, tombstones and in-place
// resize as the table was written before), on random sequences of inserts and removals that grow tables past
// many chunks and shrink them again: after every operation the same keys in the same iteration order, the same
// membership, and no table changed by a later operation on another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emptyGHash, ghashHas, ghashInsert, ghashKeys, ghashRemove, gStrHash, type GHash } from '../engine/qom/ghash';

const TOMBSTONE = 1;
const PRIME_MOD = [1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521];
const MIN_SHIFT = 3;
type Bucket = string | typeof TOMBSTONE | null;
interface Flat { shift: number; buckets: Bucket[]; nnodes: number; noccupied: number }

const flatEmpty = (): Flat => ({ shift: MIN_SHIFT, buckets: new Array<Bucket>(1 << MIN_SHIFT).fill(null), nnodes: 0, noccupied: 0 });
function indexOf(shift: number, key: string): number {
  let h = gStrHash(key);
  if (h < 2) h = 2;
  return (Math.imul(h, 11) >>> 0) % PRIME_MOD[shift];
}
function lookup(t: Flat, key: string): { index: number; found: boolean } {
  const mask = (1 << t.shift) - 1;
  let i = indexOf(t.shift, key);
  let step = 0;
  let tomb = -1;
  while (t.buckets[i] !== null) {
    if (t.buckets[i] === key) return { index: i, found: true };
    if (t.buckets[i] === TOMBSTONE && tomb < 0) tomb = i;
    step++;
    i = (i + step) & mask;
  }
  return { index: tomb >= 0 ? tomb : i, found: false };
}
function closestShift(n: number): number {
  let i = 0;
  for (; n; i++) n >>= 1;
  return i;
}
function resize(t: Flat): Flat {
  const oldSize = 1 << t.shift;
  const shift = Math.max(closestShift(Math.floor(t.nnodes * 1.333)), MIN_SHIFT);
  const size = 1 << shift;
  const mask = size - 1;
  const buckets = t.buckets.slice();
  for (let i = oldSize; i < size; i++) buckets.push(null);
  const claimed = new Array<boolean>(buckets.length).fill(false);
  for (let i = 0; i < oldSize; i++) {
    const k = buckets[i];
    if (typeof k !== 'string') {
      buckets[i] = null;
      continue;
    }
    if (claimed[i]) continue;
    buckets[i] = null;
    let key: string = k;
    for (;;) {
      let idx = indexOf(shift, key);
      let step = 0;
      while (claimed[idx]) {
        step++;
        idx = (idx + step) & mask;
      }
      claimed[idx] = true;
      const replaced = buckets[idx];
      buckets[idx] = key;
      if (typeof replaced !== 'string') break;
      key = replaced;
    }
  }
  return { shift, buckets: buckets.slice(0, size), nnodes: t.nnodes, noccupied: t.nnodes };
}
function maybeResize(t: Flat): Flat {
  const size = 1 << t.shift;
  if ((size > t.nnodes * 4 && size > 1 << MIN_SHIFT) || size <= t.noccupied + Math.floor(t.noccupied / 16)) return resize(t);
  return t;
}
function flatInsert(t: Flat, key: string): Flat {
  const { index, found } = lookup(t, key);
  if (found) return t;
  const buckets = t.buckets.slice();
  const wasTomb = buckets[index] === TOMBSTONE;
  buckets[index] = key;
  return maybeResize({ ...t, buckets, nnodes: t.nnodes + 1, noccupied: t.noccupied + (wasTomb ? 0 : 1) });
}
function flatRemove(t: Flat, key: string): Flat {
  const { index, found } = lookup(t, key);
  if (!found) return t;
  const buckets = t.buckets.slice();
  buckets[index] = TOMBSTONE;
  return maybeResize({ ...t, buckets, nnodes: t.nnodes - 1 });
}
const flatKeys = (t: Flat): string[] => t.buckets.filter((k): k is string => typeof k === 'string');

const key = fc.oneof(fc.nat(700).map((n) => `d${n}`), fc.string({ maxLength: 6 }));
const op = fc.record({ insert: fc.boolean(), key });
/** Runs of inserts then removals, so that tables grow to hundreds of keys and shrink again. */
const ops = fc.array(fc.tuple(fc.array(key, { maxLength: 400, size: 'max' }), fc.array(op, { maxLength: 200, size: 'max' }), fc.nat(100)), { minLength: 1, maxLength: 4 });

test('chunked GHashTable buckets: the same keys, order and membership as the flat table after every operation', () => {
  fc.assert(
    fc.property(ops, (phases) => {
      let t: GHash = emptyGHash();
      let f = flatEmpty();
      const seen: [GHash, string[]][] = [];
      const check = (k: string) => {
        assert.deepStrictEqual(ghashKeys(t), flatKeys(f));
        assert.equal(ghashHas(t, k), lookup(f, k).found);
        if (seen.length < 64) seen.push([t, ghashKeys(t)]);
      };
      for (const [inserts, mixed, removeEvery] of phases) {
        for (const k of inserts) {
          t = ghashInsert(t, k);
          f = flatInsert(f, k);
          check(k);
        }
        for (const o of mixed) {
          t = o.insert ? ghashInsert(t, o.key) : ghashRemove(t, o.key);
          f = o.insert ? flatInsert(f, o.key) : flatRemove(f, o.key);
          check(o.key);
        }
        for (const [i, k] of flatKeys(f).entries()) {
          if (removeEvery > 0 && i % (removeEvery % 5 + 1) !== 0) continue;
          t = ghashRemove(t, k);
          f = flatRemove(f, k);
          check(k);
        }
      }
      // Tables are values: none changed by what was done to the tables made from it.
      for (const [old, keys] of seen) assert.deepStrictEqual(ghashKeys(old), keys);
    }),
    { numRuns: 60 },
  );
});
