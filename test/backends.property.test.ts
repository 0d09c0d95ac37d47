// Backends are found by id through an index of positions per list once a machine has many (engine/devices/
// backends.ts), carried over when a plug or unplug only flips a backend's `mapped`. Against the plain search of
// the list, after random object-add, object-del, device_add and device_del (and the guest's eject).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import { findBackend } from '../engine/devices/backends';
import type { MachineState } from '../engine/state';

const N = 24;
const qmp = (execute: string, args: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, arguments: args } });

type Op = { kind: 'add' | 'del' | 'plug' | 'unplug'; k: number };
const op: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom('add' as const, 'del' as const, 'plug' as const, 'unplug' as const), k: fc.nat(N - 1) });

function check(s: MachineState): void {
  for (let k = 0; k < N + 1; k++) {
    const id = `m${k}`;
    assert.equal(findBackend(s, id), s.backends.find((b) => b.id === id), id);
  }
}

test('a backend found through the index is the one the plain search finds', () => {
  const m = buildFromCommandLine(`-M pc -m 1G,slots=${N},maxmem=${1 + N}G`);
  assert.ok(m.ok);
  let start = m.state;
  for (let k = 0; k < 18; k++) start = reduce(start, qmp('object-add', { 'qom-type': 'memory-backend-ram', id: `m${k}`, size: 128 * 1024 * 1024 })).state;
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      let s = start;
      for (const o of ops) {
        const id = `m${o.k}`;
        if (o.kind === 'add') s = reduce(s, qmp('object-add', { 'qom-type': 'memory-backend-ram', id, size: 128 * 1024 * 1024 })).state;
        else if (o.kind === 'del') s = reduce(s, qmp('object-del', { id })).state;
        else if (o.kind === 'plug') s = reduce(s, qmp('device_add', { driver: 'pc-dimm', id: `d${o.k}`, memdev: id })).state;
        else {
          const d = s.dimms.find((x) => x.id === `d${o.k}`);
          if (!d) continue;
          s = reduce(s, qmp('device_del', { id: `d${o.k}` })).state;
          s = reduce(s, { kind: 'qtest', line: `outl 0xa00 ${d.slot}` }).state;
          s = reduce(s, { kind: 'qtest', line: 'outb 0xa14 0x08' }).state;
        }
        check(s);
      }
    }),
    { numRuns: 150 },
  );
});
