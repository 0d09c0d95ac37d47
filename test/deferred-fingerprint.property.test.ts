// steps/snapshot.ts deferredFingerprint: on the model, "the machine is unchanged"'s "before" is the state's
// fingerprint made when read, with reads of its own (ModelBackend.at) instead of the world's. Against the world's
// own fingerprint (fingerprint(world): its reads through the world, as on QEMU) taken at the same moment: the same
// text, read only after later actions have moved the machine on; the same state object; and the world's reads leave
// the state they read the very same object (so making them, or not, cannot change what comes after).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { supportCodeLibraryBuilder } from '@cucumber/cucumber';
import { ModelBackend } from '../backends/model';
import type { QmpCommand } from '../backends/types';
import { deferredFingerprintFlow, fingerprint, unchangedModelState } from '../steps/snapshot';
import { drive } from '../flow';

// steps/world.ts registers its World with Cucumber as it loads: outside a run, Cucumber's builder is opened first.
supportCodeLibraryBuilder.reset(process.cwd(), () => 'id');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { HotplugWorld } = require('../steps/world') as typeof import('../steps/world');
type HotplugWorld = import('../steps/world').HotplugWorld;

const MACHINES = ['-M pc -m 1G,slots=4,maxmem=8G', '-M q35 -m 1G,slots=4,maxmem=8G', '-M pc -m 1G,slots=2,maxmem=4G -accel kvm', '-M q35 -m 512M,slots=2,maxmem=2G'];

type Call = { readonly kind: 'qmp'; readonly command: QmpCommand } | { readonly kind: 'qtest'; readonly line: string };
const id = fc.constantFrom('d0', 'd1', 'd2');
const mem = fc.constantFrom('m0', 'm1', 'm2');
const callArb: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ m: mem, size: fc.constantFrom(128, 256, 512, 3) }).map(({ m, size }) => ({ kind: 'qmp' as const, command: { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: m, size: size * 1024 * 1024 } } })),
  fc.record({ d: id, m: mem, slot: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }) }).map(({ d, m, slot }) => ({ kind: 'qmp' as const, command: { execute: 'device_add', arguments: { driver: 'pc-dimm', id: d, memdev: m, ...(slot === undefined ? {} : { slot }) } } })),
  id.map((d) => ({ kind: 'qmp' as const, command: { execute: 'device_del', arguments: { id: d } } })),
  mem.map((m) => ({ kind: 'qmp' as const, command: { execute: 'object-del', arguments: { id: m } } })),
  fc.integer({ min: 0, max: 3 }).map((s) => ({ kind: 'qtest' as const, line: `outl 0xa00 0x${s.toString(16)}` })),
  fc.constantFrom('outb 0xa14 0x08', 'outb 0xa14 0x02', 'outb 0xafe2 0x08', 'outb 0xafe0 0x08', 'outl 0xcf8 0x8000f840', 'outl 0xcfc 0x601', 'outb 0xcfc 0x80', 'outl 0xcf8 0x8000f844').map((line) => ({ kind: 'qtest' as const, line })),
);

function world(): HotplugWorld {
  const w = new HotplugWorld({ attach: () => undefined, log: () => undefined, link: () => undefined, parameters: { backend: 'model', attachments: false } } as never);
  w.currentType = 'Action';
  return w;
}

test('a deferred fingerprint reads, after later actions, what the world read when it was taken', async () => {
  let compared = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...MACHINES), fc.constantFrom('7.2', '10.0'), fc.array(fc.tuple(callArb, fc.boolean()), { maxLength: 14 }), async (machine, version, steps) => {
      const w = world();
      w.qemuOverride = version as '7.2' | '10.0';
      await w.start(machine);
      if (!w.started) return;
      for (const [call, pm] of steps) {
        w.pmProgrammed = pm; // q35: where GPE0 is read (0x620 once the firmware programmed PMBASE), or not at all
        // Both ways from the same state: the deferred one's reads now (GPE0) happen on the live backend, as the
        // world's do, so the other is taken on a copy of the world at that state (its own backend, ModelBackend.at).
        const state = (w.backend as ModelBackend).state;
        const twin = world();
        twin.backend = ModelBackend.at(state);
        twin.pmProgrammed = pm;
        twin.machineType = w.machineType;
        twin.started = true;
        const eager = await fingerprint(twin);
        const deferred = drive(deferredFingerprintFlow(w)) as Awaited<ReturnType<typeof fingerprint>> | undefined;
        assert.ok(deferred, 'the world\'s backend is the model');
        assert.equal(deferred.modelState, (w.backend as ModelBackend).state);
        // The same state after the reads either way: the same parts, and the GPE0 read's dispatch MRU alike.
        const [a, b] = [(twin.backend as ModelBackend).state, (w.backend as ModelBackend).state];
        for (const k of Object.keys(a) as (keyof typeof a)[]) if (k !== 'dispatchMru') assert.equal(a[k], b[k], k);
        assert.deepEqual(Object.keys(a), Object.keys(b));
        assert.deepEqual(a.dispatchMru?.last, b.dispatchMru?.last);
        // And what "the machine is unchanged" then skips: the world's own fingerprint of that very state shows the
        // same and leaves the state the very same object.
        assert.ok(unchangedModelState(w, deferred));
        const again = await fingerprint(w);
        assert.equal((w.backend as ModelBackend).state, b, 'a fingerprint of the state before\'s reads left changes nothing');
        assert.equal(again.text, eager.text);
        w.pmProgrammed = !pm; // what the world knows later does not matter: the fingerprint is of the moment it was taken
        if (call.kind === 'qmp') await w.qmp(call.command, { cleanup: true });
        else await w.qtest(call.line, { internal: true });
        assert.equal(deferred.text, eager.text);
        compared++;
      }
    }),
    { numRuns: 60 },
  );
  assert.ok(compared > 100, `compared ${compared} fingerprints`);
});

test('no deferred fingerprint before a machine runs on the model', () => {
  const w = world();
  assert.equal(drive(deferredFingerprintFlow(w)), undefined, 'no backend yet');
  w.backend = new ModelBackend();
  assert.equal(drive(deferredFingerprintFlow(w)), undefined, 'a machine not started');
});
