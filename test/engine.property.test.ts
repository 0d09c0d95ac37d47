// Invariants of the engine under random hotplug sequences (fast-check). Operations are generated as
// plain data and folded through reduce(), so a shrunk counterexample reads as a list of QMP/qtest steps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import { qmp } from '../engine/protocol/qmp';
import type { MachineState } from '../engine/state';
import { MiB } from '../engine/units';

const MACHINES = [
  '-M pc -m 1G,slots=4,maxmem=8G',
  '-M q35 -m 2G,slots=3,maxmem=6G',
  '-M pc -m 512M,slots=8,maxmem=4G -object memory-backend-ram,id=r0,size=512M -numa node,nodeid=0,memdev=r0 -numa node,nodeid=1',
];

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const sizeMiB = fc.constantFrom(0, 1, 2, 128, 256, 512, 1024, 1026, 2048, 4096);
const op: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ id, size: sizeMiB, memfd: fc.boolean() }).map(({ id, size, memfd }) => ({
    kind: 'qmp' as const,
    command: { execute: 'object-add', arguments: { 'qom-type': memfd ? 'memory-backend-memfd' : 'memory-backend-ram', id: `m${id}`, size: BigInt(size) * MiB + (memfd && size === 1 ? 4096n : 0n) } },
  })),
  fc.record({ id, mem: id, slot: fc.option(fc.integer({ min: -2, max: 9 })), addrGiB: fc.option(fc.integer({ min: 0, max: 12 })), node: fc.option(fc.integer({ min: 0, max: 2 })) }).map(
    ({ id, mem, slot, addrGiB, node }) => {
      const args: Record<string, unknown> = { driver: 'pc-dimm', id: `d${id}`, memdev: `m${mem}` };
      if (slot !== null) args.slot = slot;
      if (addrGiB !== null) args.addr = BigInt(addrGiB) * 0x40000000n + 0x100000000n;
      if (node !== null) args.node = node;
      return { kind: 'qmp' as const, command: { execute: 'device_add', arguments: args } };
    },
  ),
  id.map((id) => ({ kind: 'qmp' as const, command: { execute: 'device_del', arguments: { id: `d${id}` } } })),
  id.map((id) => ({ kind: 'qmp' as const, command: { execute: 'object-del', arguments: { id: `m${id}` } } })),
  fc.integer({ min: 0, max: 9 }).map((slot) => ({ kind: 'qtest' as const, line: `outl 0xa00 ${slot}` })),
  fc.constant({ kind: 'qtest' as const, line: 'outb 0xa14 0x08' }),
);

function start(cmd: string): MachineState {
  const r = buildFromCommandLine(cmd);
  if (!r.ok) throw new Error(`machine ${cmd} did not start`);
  return r.state;
}

function checkTopology(s: MachineState) {
  const dm = s.layout.deviceMemory!;
  const dimms = [...s.dimms].sort((a, b) => (a.addr < b.addr ? -1 : 1));
  const slots = new Set<bigint>();
  let used = 0n;
  dimms.forEach((d, i) => {
    assert.ok(d.addr >= dm.base && d.addr + d.size <= dm.base + dm.size, `DIMM ${d.id} outside device-memory`);
    if (i > 0) assert.ok(dimms[i - 1].addr + dimms[i - 1].size <= d.addr, `DIMMs ${dimms[i - 1].id} and ${d.id} overlap`);
    assert.ok(!slots.has(d.slot), `slot ${d.slot} used twice`);
    assert.ok(d.slot >= 0n && d.slot < s.config.ramSlots, `slot ${d.slot} out of range`);
    slots.add(d.slot);
    used += d.size;
    const backend = s.backends.find((b) => b.id === d.memdev);
    assert.ok(backend?.mapped, `backend of ${d.id} not mapped`);
  });
  assert.ok(used <= s.config.maxramSize - s.config.ramSize, 'plugged memory exceeds maxmem - ram');
  // Every mapped non-internal backend is used by exactly one DIMM.
  for (const b of s.backends.filter((x) => x.mapped && !x.internal)) {
    assert.equal(s.dimms.filter((d) => d.memdev === b.id).length, 1, `backend ${b.id} mapped without a DIMM`);
  }
}

test('random hotplug sequences keep the topology sound', () => {
  fc.assert(
    fc.property(fc.constantFrom(...MACHINES), fc.array(op, { maxLength: 25 }), (machine, ops) => {
      let s = start(machine);
      for (const action of ops) {
        s = reduce(s, action).state;
        checkTopology(s);
      }
    }),
    { numRuns: 150 },
  );
});

/**
 * What QEMU 7.2 answers, computed apart from the model for the refusals whose cause is plain from the state:
 * a device_add whose id is taken or whose memdev does not exist (the id is checked before the properties),
 * a device_del of no device, an object-del of no object or of a backend a DIMM uses. Undefined: no opinion.
 */
function expectedRefusal(s: MachineState, action: Action): { class: string; desc: string } | undefined {
  if (action.kind !== 'qmp') return undefined;
  const a = (action.command.arguments ?? {}) as Record<string, string>;
  switch (action.command.execute) {
    case 'device_add':
      if (s.dimms.some((d) => d.id === a.id)) return { class: 'GenericError', desc: `Duplicate device ID '${a.id}'` };
      if (!s.backends.some((b) => b.id === a.memdev)) return { class: 'DeviceNotFound', desc: `Device '${a.memdev}' not found` };
      return undefined;
    case 'device_del':
      return s.dimms.some((d) => d.id === a.id) ? undefined : { class: 'DeviceNotFound', desc: `Device '${a.id}' not found` };
    case 'object-del': {
      const b = s.backends.find((x) => x.id === a.id && !x.internal);
      if (!b) return { class: 'GenericError', desc: `object '${a.id}' not found` };
      return b.mapped ? { class: 'GenericError', desc: `object '${a.id}' is in use, can not be deleted` } : undefined;
    }
    default:
      return undefined;
  }
}

test("refusals are QEMU's exact errors, and the refusing handler leaves the machine as it found it", () => {
  fc.assert(
    fc.property(fc.constantFrom(...MACHINES), fc.array(op, { maxLength: 25 }), (machine, ops) => {
      let s = start(machine);
      for (const action of ops) {
        const want = expectedRefusal(s, action);
        const r = reduce(s, action);
        if (want) assert.deepEqual(r.reply, { error: want }, `${JSON.stringify(action, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        if (!r.ok && action.kind === 'qmp') {
          // reduce hands back the state it was given whatever the handler did: ask the handler itself
          const direct = qmp(s, action.command);
          assert.deepEqual(dataOf(direct.state), dataOf(s), `the handler of a refused ${action.command.execute} changed the machine`);
          assert.match(String((r.reply as { error?: { class?: string } }).error?.class), /^(GenericError|DeviceNotFound|CommandNotFound|DeviceNotActive)$/);
        }
        s = r.state;
      }
    }),
    { numRuns: 150 },
  );
});

test('reduce is deterministic: the same action on the same state gives equal results', () => {
  fc.assert(
    fc.property(fc.constantFrom(...MACHINES), fc.array(op, { maxLength: 15 }), op, (machine, ops, last) => {
      let s = start(machine);
      for (const a of ops) s = reduce(s, a).state;
      const x = reduce(s, last);
      const y = reduce(s, last);
      assert.deepEqual(x, y);
    }),
    { numRuns: 100 },
  );
});

/**
 * A deep copy of a state's data: own enumerable properties, arrays, Maps and Sets copied; functions (versions
 * are data with message functions) and primitives as they are; prototypes dropped (the region table is a class).
 */
function dataOf(x: unknown): unknown {
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) return x.map(dataOf);
  if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, dataOf(v)]));
  if (x instanceof Set) return new Set([...x].map(dataOf));
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, dataOf(v)]));
}

test('the input state is never mutated', () => {
  fc.assert(
    fc.property(fc.constantFrom(...MACHINES), fc.array(op, { maxLength: 15 }), (machine, ops) => {
      let s = start(machine);
      for (const a of ops) {
        const snapshot = dataOf(s);
        reduce(s, a);
        assert.deepEqual(dataOf(s), snapshot);
        s = reduce(s, a).state;
      }
    }),
    { numRuns: 60 },
  );
});
