// g_str_hash (qom/ghash.ts) and tdb_hash (qom/qdict.ts) skip the UTF-8 buffer for ASCII keys: against the
// byte-wise definitions on any string (ASCII, Latin-1, astral), the hashes must be the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gStrHash } from '../engine/qom/ghash';
import { tdbHash } from '../engine/qom/qdict';

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
