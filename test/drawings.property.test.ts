// reports/drawings.ts remembers the last pictures drawn by key: whatever the sequence of snapshots, each answer is
// the drawing of that snapshot, a key is drawn again only after it was dropped, and no more than `keep` are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Drawings } from '../reports/drawings';

test('Drawings: every answer is the snapshot\'s own drawing, each key drawn once while it is kept', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(12), { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (seq, keep) => {
      const calls: number[] = [];
      const d = new Drawings<number>((n) => `k${n}`, (n) => (calls.push(n), `<svg ${n}>`), keep);
      const held: number[] = []; // the plain model: insertion order, the oldest dropped past `keep`
      let expectedCalls = 0;
      for (const n of seq) {
        assert.equal(d.get(n), `<svg ${n}>`);
        if (!held.includes(n)) {
          expectedCalls++;
          if (held.length >= keep) held.shift();
          held.push(n);
        }
        assert.equal(calls.length, expectedCalls);
      }
    }),
  );
});
