// A GSI input that changes nothing (the line already at its level, counted, latched as before) keeps the state
// objects as they were instead of copying them (engine/irq: gsi.ts, i8259.ts, ioapic.ts): after any sequence of
// inputs, ELCR and IOAPIC programming, an input leaves the line and its statistics at the new level and the same
// input, once repeated, changes nothing more (the same trace; on a reset machine, the very same state object);
// the i8259's IRR and last-IRR latch of the pin move as pic_set_irq moves them.
// (That the replies, events, IRQ lines and traces are the same as with the copies: every replay corpus.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';
import { setGsi } from '../engine/irq/gsi';
import type { MachineState } from '../engine/state';

type Op = { gsi: number; level: number } | { line: string };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ gsi: fc.integer({ min: 0, max: 23 }), level: fc.constantFrom(0, 1) }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((v) => `outb 0x4d0 0x${v.toString(16)}`),
      fc.integer({ min: 0, max: 255 }).map((v) => `outb 0x4d1 0x${v.toString(16)}`),
      fc.integer({ min: 0, max: 255 }).map((v) => `outb 0x21 0x${v.toString(16)}`),
      // IOAPIC redirection entry low word: fixed delivery of vector 0x30, edge, level or masked (an ExtINT pin runs the
      // i8259's INTA cycle at every delivery: it never settles).
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0x30, 0x8030, 0x10030)).map(([pin, lo]) => `writel 0xfec00000 0x${(0x10 + 2 * pin).toString(16)};writel 0xfec00010 0x${lo.toString(16)}`),
      fc.constant('irq_intercept_in ioapic'),
    ).map((line) => ({ line })),
  },
);

test('after any IRQ inputs and programming, an input leaves the line, statistics and trace where QEMU has them, and repeating it settles', () => {
  const b = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  assert.ok(b.ok);
  fc.assert(
    fc.property(fc.array(ops, { maxLength: 60 }), (seq) => {
      let s: MachineState = b.state;
      for (const op of seq) {
        if ('line' in op) {
          for (const l of op.line.split(';')) s = reduce(s, { kind: 'qtest', line: l }).state;
          continue;
        }
        const t = setGsi(s, op.gsi, op.level);
        const n = t.state;
        assert.equal(n.irq.gsi[op.gsi], op.level);
        if (op.gsi < 16) assert.equal(n.irq.picStats.level[op.gsi], op.level);
        assert.equal(n.irq.ioapicStats.level[op.gsi], op.level);
        if (op.gsi < 16 && op.gsi !== 2) {
          // pic_set_irq's latch (master pin 2 also carries the cascade: left out): ELCR pins follow the level, edge
          // pins latch IRR on a rising edge; lastIrr remembers the level.
          const chip = op.gsi < 8 ? 0 : 1;
          const mask = 1 << (op.gsi & 7);
          const before = s.irq.pic[chip];
          const level = before.elcr & mask;
          const irr = level ? (op.level ? before.irr | mask : before.irr & ~mask) : op.level && !(before.lastIrr & mask) ? before.irr | mask : before.irr;
          const lastIrr = op.level ? before.lastIrr | mask : before.lastIrr & ~mask;
          assert.equal(n.irq.pic[chip].irr & mask, irr & mask, 'IRR');
          assert.equal(n.irq.pic[chip].lastIrr & mask, lastIrr & mask, 'last IRR');
        }
        // Once repeated (a level-triggered IOAPIC pin delivers once, then waits on its remote IRR), the same input
        // again changes nothing: a state equal to the one it was given, and the same trace.
        const again = setGsi(n, op.gsi, op.level);
        const third = setGsi(again.state, op.gsi, op.level);
        assert.deepStrictEqual(third.state, again.state);
        assert.deepStrictEqual(third.fx.trace, again.fx.trace);
        assert.deepStrictEqual(third.fx.traceEvents, again.fx.traceEvents);
        s = n;
      }
    }),
    { numRuns: 300 },
  );
});

test('a repeated input is the same object, with the same effects as the first time (qtest set_irq_in)', () => {
  const b = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  assert.ok(b.ok);
  let s = reduce(b.state, { kind: 'qtest', line: 'irq_intercept_in ioapic' }).state;
  const once = reduce(s, { kind: 'qtest', line: 'set_irq_in ioapic unnamed-gpio-in 9 0' });
  const twice = reduce(once.state, { kind: 'qtest', line: 'set_irq_in ioapic unnamed-gpio-in 9 0' });
  assert.equal(twice.state, once.state);
  assert.deepStrictEqual(twice.trace, once.trace);
  // With every IOAPIC pin masked (reset) and no ELCR change, a level already on the line keeps every object.
  const r = setGsi(b.state, 5, 1).state;
  assert.equal(setGsi(r, 5, 1).state, r);
  assert.equal(setGsi(b.state, 7, 0).state, b.state);
});
