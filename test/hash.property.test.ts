// g_str_hash (qom/ghash.ts) and tdb_hash (qom/qdict.ts) skip the UTF-8 buffer for ASCII keys: against the
// byte-wise definitions on any string (ASCII, Latin-1, astral), the hashes must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gStrHash } from '../engine/qom/ghash';
import { qdictBucket, qdictOrder, tdbHash } from '../engine/qom/qdict';

function gStrHashBytes(key: string): number {
  let h = 5381;
  for (const byte of Buffer.from(key, 'utf8')) h = (Math.imul(h, 33) + (byte < 128 ? byte : byte - 256)) >>> 0;
  return h;
}

function tdbHashBytes(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let value = Math.imul(0x238f13af, bytes.length) >>> 0;
  for (let i = 0; i < bytes.length; i++) value = (value + ((bytes[i] << ((i * 5) % 24)) >>> 0)) >>> 0;
  return (Math.imul(1103515243, value) + 12345) >>> 0;
}

const keys = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.constantFrom('memdev', 'qom-type', 'd0', 'ü', 'x€y'));

test('g_str_hash and tdb_hash: the ASCII shortcut hashes as the UTF-8 bytes do', () => {
  fc.assert(
    fc.property(keys, (k) => {
      assert.equal(gStrHash(k), gStrHashBytes(k));
      assert.equal(tdbHash(k), tdbHashBytes(k));
    }),
    { numRuns: 2000 },
  );
});

test('qdictOrder, remembered per key list, answers as the order computed afresh (keys with NUL and repeats included)', () => {
  // Bucket order, newest first inside a bucket; a repeated key keeps its first place.
  const fresh = (keys: readonly string[]): string[] => {
    const seen: string[] = [];
    for (const k of keys) if (!seen.includes(k)) seen.push(k);
    return seen.reverse().map((k, i) => ({ k, i, b: qdictBucket(k) })).sort((x, y) => x.b - y.b || x.i - y.i).map((e) => e.k);
  };
  const key = fc.oneof(fc.constantFrom('a', 'b', 'a\u0000b', 'b\u0000', '', '\u0000', 'driver', 'id', 'memdev'), fc.string({ maxLength: 4 }));
  fc.assert(
    fc.property(fc.array(fc.array(key, { maxLength: 5 }), { minLength: 1, maxLength: 8 }), (lists) => {
      for (const keys of [...lists, ...lists]) assert.deepEqual(qdictOrder(keys), fresh(keys), JSON.stringify(keys));
    }),
    { numRuns: 500 },
  );
});
