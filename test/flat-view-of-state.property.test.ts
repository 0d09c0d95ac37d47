// flatView(state, as) answers the view the last commit left, which commits keep current incrementally. On random
// sequences of actions (backends added and deleted, plugs with and without an address, unplug requests, slot
// selection and guest ejects, PCI config accesses: PAM; SMRAM writes are not modelled), on pc and q35, TCG and KVM, 7.2 and 10.0, after every action each address space's answer must equal a
// whole rendering of the state's region table from its root. Views shared by two roots (a CPU's SMM address space's
// and system memory's, engine/memory/flat-update.ts shareViews) are checked like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import { renderFlatView } from '../engine/memory/flatview';
import { flatView } from '../engine/selectors';
import type { QemuVersion } from '../engine/versions';
import { selectFlatView } from '../backends/mtree-parse';

const qmp = (execute: string, args: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, arguments: args } });

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.nat(5).map((i) => qmp('object-add', { 'qom-type': 'memory-backend-ram', id: `m${i}`, size: (128 << 20) * (1 + (i % 3)) })),
  fc.tuple(fc.nat(5), fc.option(fc.nat(12), { nil: undefined })).map(([i, at]) => qmp('device_add', { driver: 'pc-dimm', id: `d${i}`, memdev: `m${i}`, ...(at === undefined ? {} : { addr: 0x100000000 + at * (128 << 20) }) })),
  fc.nat(5).map((i) => qmp('device_del', { id: `d${i}` })),
  fc.nat(5).map((i) => qmp('object-del', { id: `m${i}` })),
  fc.nat(5).map((i): Action => ({ kind: 'qtest', line: `outl 0xa00 ${i}` })),
  fc.constant<Action>({ kind: 'qtest', line: 'outb 0xa14 0x08' }),
  // q35 PAM0..6 (config 0x90-0x96 of 00:00.0) and SMRAM (0x9d): through CONFIG_ADDRESS / CONFIG_DATA.
  fc.constantFrom(0x90, 0x94, 0x9c).map((reg): Action => ({ kind: 'qtest', line: `outl 0xcf8 0x${(0x80000000 | reg).toString(16)}` })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(0x33)).map(([off, v]): Action => ({ kind: 'qtest', line: `outb 0x${(0xcfc + off).toString(16)} 0x${v.toString(16)}` })),
);

const MACHINES: readonly (readonly [string, QemuVersion])[] = [
  ['-M pc -m 1G,slots=6,maxmem=8G', '7.2'],
  ['-M q35 -m 1G,slots=6,maxmem=8G', '7.2'],
  ['-M pc -m 1G,slots=6,maxmem=8G -accel kvm', '7.2'],
  ['-M q35 -m 1G,slots=6,maxmem=8G -accel kvm', '7.2'],
  ['-M pc -m 1G,slots=6,maxmem=8G', '10.0'],
  ['-M q35 -m 1G,slots=6,maxmem=8G -accel kvm', '10.0'],
];

for (const [machine, version] of MACHINES) {
  test(`the view a state answers is a whole rendering of its regions (${machine}, ${version})`, () => {
    const start = buildFromCommandLine(machine, version);
    assert.ok(start.ok);
    fc.assert(
      fc.property(fc.array(action, { maxLength: 25 }), (actions) => {
        let s = start.state;
        for (const a of actions) {
          let r;
          try {
            r = reduce(s, a);
          } catch {
            continue; // not modelled: nothing to compare
          }
          s = r.state;
          // 10.0's AS rooted at device-memory, a container mapped in system memory: its view is rendered when asked
          // (engine/memory/mtree.ts), not kept by commits.
          for (const as of s.mem.addressSpaces) if (s.mem.regions.get(as.root)?.container === undefined) assert.deepEqual(flatView(s, as.name), renderFlatView(s.mem.regions, as.root), `AS ${as.name} after ${JSON.stringify(a)}`);
        }
        // An AS rooted at a mapped container: flatView answers what `info mtree -f` prints for it (it answered []).
        for (const as of s.mem.addressSpaces) {
          if (s.mem.regions.get(as.root)?.container === undefined) continue;
          const printed = selectFlatView(String(reduce(s, { kind: 'hmp', line: 'info mtree -f' }).reply), as.name).ranges;
          assert.deepEqual(flatView(s, as.name).map((r) => [r.start, r.end - 1n, s.mem.regions.get(r.region)?.name]),
            printed.map((r) => [r.start, r.end, r.name]), `AS ${as.name} after ${JSON.stringify(actions)}`);
        }
      }),
      { numRuns: 60 },
    );
  });
}

test("a CPU's SMM address space shares system memory's view while they are equal, and plugs keep it shared", () => {
  const start = buildFromCommandLine('-M pc -m 1G,slots=6,maxmem=8G');
  assert.ok(start.ok);
  let s = start.state;
  const smm = s.mem.addressSpaces.find((as) => as.name === 'cpu-smm-0')!;
  const mem = s.mem.addressSpaces.find((as) => as.name === 'memory')!;
  assert.equal(s.mem.flat[smm.root], s.mem.flat[mem.root]);
  for (const a of [qmp('object-add', { 'qom-type': 'memory-backend-ram', id: 'm0', size: 128 << 20 }), qmp('device_add', { driver: 'pc-dimm', id: 'd0', memdev: 'm0' })]) {
    s = reduce(s, a).state;
    assert.equal(s.mem.flat[smm.root], s.mem.flat[mem.root]);
  }
});
