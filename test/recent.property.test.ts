// engine/recent.ts remembers the last answers of a pure function by key (machine start-up, libvirt definitions
// and device parses, the reports' drawings): whatever the sequence of keys, each answer is the computation's own,
// a key is computed again only after it was dropped, the least recently used is dropped past `keep`, and what
// throws is not remembered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Recent, RecentBy } from '../engine/recent';

test('Recent: answers as the computation, computes a key again only after it was dropped (least recently used)', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(12), { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (seq, keep) => {
      const r = new Recent<string>(keep);
      const held: number[] = []; // the plain model: least recently used first
      let computed = 0;
      let expected = 0;
      for (const n of seq) {
        assert.equal(r.get(`k${n}`, () => (computed++, `v${n}`)), `v${n}`);
        const at = held.indexOf(n);
        if (at >= 0) held.splice(at, 1);
        else {
          expected++;
          if (held.length >= keep) held.shift();
        }
        held.push(n);
        assert.equal(computed, expected);
      }
    }),
  );
});

test('Recent: a computation that throws is not remembered', () => {
  const r = new Recent<number>(4);
  let calls = 0;
  const boom = (): number => {
    calls++;
    throw new Error('not modelled');
  };
  assert.throws(() => r.get('a', boom), /not modelled/);
  assert.throws(() => r.get('a', boom), /not modelled/);
  assert.equal(calls, 2);
  assert.equal(r.get('a', () => 7), 7);
});

test('RecentBy: one Recent per release, kept apart', () => {
  const by = new RecentBy<string, string>(4);
  assert.equal(by.of('7.2').get('pc', () => '7.2 pc'), '7.2 pc');
  assert.equal(by.of('10.0').get('pc', () => '10.0 pc'), '10.0 pc');
  assert.equal(by.of('7.2').get('pc', () => 'again'), '7.2 pc');
  assert.equal(by.of('7.2'), by.of('7.2'));
});
