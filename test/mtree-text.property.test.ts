// The `info mtree` text helpers' fast paths (engine/memory/mtree.ts) against the plain computations they replace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crlfLines, mtreeAddr, rangeLast } from '../engine/memory/mtree';
import { hexPad } from '../engine/units';

const U64 = (1n << 64n) - 1n;
const mrSize = (size: bigint): bigint => (size === 0n ? 0n : (size - 1n) & U64);
// Addresses near the edges that matter (0, 2^64, negatives) as well as anywhere in ±2^66.
const big = fc.oneof(
  fc.bigInt({ min: -(1n << 66n), max: 1n << 66n }),
  fc.bigInt({ min: 0n, max: U64 }),
  fc.constantFrom(0n, 1n, U64, U64 + 1n, U64 + 2n, -1n, 1n << 63n),
);

test('mtreeAddr prints what hexPad(v & U64, 16) prints, for any bigint', () => {
  fc.assert(fc.property(big, (v) => mtreeAddr(v) === hexPad(v & U64, 16)), { numRuns: 5000 });
});

test('rangeLast is (start + mrSize(end - start)) & U64, for any start and end', () => {
  fc.assert(
    fc.property(big, big, (start, end) => rangeLast(start, end) === ((start + mrSize(end - start)) & U64)),
    { numRuns: 5000 },
  );
  // and for ranges as flat views hold them (start <= end <= 2^64)
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: U64 + 1n }), fc.bigInt({ min: 0n, max: U64 + 1n }), (a, b) => {
      const [start, end] = a <= b ? [a, b] : [b, a];
      return rangeLast(start, end) === ((start + mrSize(end - start)) & U64);
    }),
    { numRuns: 5000 },
  );
});

test("crlfLines is lines.map((l) => l + '\\r\\n').join('')", () => {
  fc.assert(fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }), (lines) => crlfLines(lines) === lines.map((l) => l + '\r\n').join('')));
  assert.equal(crlfLines([]), '');
  assert.equal(crlfLines(['']), '\r\n');
});
