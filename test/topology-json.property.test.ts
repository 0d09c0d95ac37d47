// reports/topology.ts writes the topology attachment without JSON.stringify's replacer where it can (and a
// snapshot's ranges once per list): the text must be exactly JSON.stringify with the bigint-tagging replacer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { snapshotToJson, topologyToJson, type MemorySnapshot, type ScenarioTopology } from '../reports/topology';

const reference = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `#big:${x.toString(16)}` : x));

const big = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const range = fc.record({ start: big, end: big, prio: fc.integer({ min: -5, max: 5 }), kind: fc.constantFrom('ram', 'i/o', 'rom'), name: fc.string(), offset: big });
const snapshot = fc.record(
  { label: fc.constantFrom('before', 'after'), ranges: fc.array(range, { maxLength: 6 }), deviceMemory: fc.record({ start: big, end: big }), dimms: fc.array(fc.record({ id: fc.option(fc.string(), { nil: undefined }), slot: fc.nat(), node: fc.nat(), addr: big, size: big, memdev: fc.string(), hotplugged: fc.boolean() }), { maxLength: 3 }) },
  { requiredKeys: ['label', 'ranges', 'dimms'] },
);
const entry = fc.record({ step: fc.string(), kind: fc.constantFrom('start', 'qmp', 'qtest', 'hmp'), input: fc.string(), reply: fc.string(), events: fc.array(fc.string()), irqs: fc.array(fc.string()), trace: fc.array(fc.string()), traceEvents: fc.option(fc.array(fc.string()), { nil: undefined }), internal: fc.option(fc.boolean(), { nil: undefined }) });
const irq = fc.record({ machine: fc.constantFrom('pc', 'q35'), gpeSts: fc.option(fc.nat(255), { nil: undefined }), sciGsi: fc.nat(23), ioapicPin9: fc.option(fc.record({ masked: fc.boolean(), trigger: fc.string(), entry: big, irr: fc.boolean(), remoteIrr: fc.boolean() }), { nil: undefined }) }, { requiredKeys: ['machine'] });
const topology = fc.record(
  { backend: fc.constantFrom('model', 'qemu'), machine: fc.option(fc.string(), { nil: undefined }), timeline: fc.array(entry, { maxLength: 4 }), startError: fc.string(), before: snapshot, after: snapshot, irq },
  { requiredKeys: ['backend', 'timeline'] },
);

test('topologyToJson is JSON.stringify with bigints tagged, byte for byte', () => {
  fc.assert(fc.property(topology, (t) => {
    assert.equal(topologyToJson(t as ScenarioTopology), reference(t));
  }), { numRuns: 300 });
});

test('a ranges list shared by two snapshots is written once and still right for both', () => {
  fc.assert(fc.property(snapshot, fc.constantFrom('before', 'after'), (s, label) => {
    const other = { ...s, label } as MemorySnapshot;
    assert.equal(snapshotToJson(s as MemorySnapshot), reference(s));
    assert.equal(snapshotToJson(other), reference(other));
    assert.equal(topologyToJson({ backend: 'model', before: s as MemorySnapshot, after: other, timeline: [] }), reference({ backend: 'model', before: s, after: other, timeline: [] }));
  }), { numRuns: 200 });
});
