// engine/machine/dispatch.ts reads an access that takes one piece (size <= the region's step) by oneAccessValue
// instead of the loop's bigint shifts and masks: the same value for any 32-bit read result, negative ones
// included (a read function may return a signed 32-bit number), and any size up to the step.
import { test } from 'node:test';
import fc from 'fast-check';
import { oneAccessValue } from '../engine/machine/dispatch';

const mask = (bytes: number): bigint => (1n << BigInt(8 * bytes)) - 1n;

test('oneAccessValue is what the loop makes of one read (size <= step)', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.constantFrom(0, -1, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff, 2 ** 31)),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 8 }),
      (raw, size, extra) => {
        const step = size + extra;
        const plain = ((0n | ((BigInt(raw >>> 0) & mask(step)) << BigInt(8 * 0))) & mask(size));
        return oneAccessValue(raw, size) === plain;
      },
    ),
    { numRuns: 10000 },
  );
});
