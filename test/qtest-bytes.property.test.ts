// qtest's writeb/w/l/q and readb/w/l/q turn values into bytes and bytes into the reply's 16 hex digits by two
// 32-bit numbers (engine/protocol/qtest.ts leBytes, leHex16). Against the bigint computations they replace.
import { test } from 'node:test';
import fc from 'fast-check';
import { leBytes, leHex16 } from '../engine/protocol/qtest';

const value = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, 0xffn, 0x100n, 0xffffffffn, 1n << 32n, (1n << 64n) - 1n));
const len = fc.constantFrom(1, 2, 4, 8, 3, 5, 6, 7);

test('leBytes is the value shifted and masked byte by byte', () => {
  fc.assert(
    fc.property(value, len, (v, n) => {
      const plain = Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
      const fast = leBytes(v, n);
      return fast.length === plain.length && fast.every((b, i) => b === plain[i]);
    }),
    { numRuns: 5000 },
  );
});

test('leHex16 is the bytes or-ed into a bigint, printed as 16 hex digits', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 8 }), (bytes) => {
      const v = bytes.reduce((acc, b, i) => acc | (BigInt(b) << BigInt(8 * i)), 0n);
      return leHex16(bytes) === v.toString(16).padStart(16, '0');
    }),
    { numRuns: 5000 },
  );
});
