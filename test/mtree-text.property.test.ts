// The `info mtree` text helpers' fast paths (engine/memory/mtree.ts) against the plain computations they replace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crlfLines, flatRangeLines, mtreeAddr, mtreeText, rangeLast, type MtreeOptions } from '../engine/memory/mtree';
import { hexPad } from '../engine/units';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import type { MemoryState } from '../engine/memory/types';
import type { QemuVersion } from '../engine/versions';

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

// `info mtree -f` takes each flat range's line again while the range object, its region record and its type are
// the very same (engine/memory/mtree.ts, flatRangeLines). On random sequences of actions (backends, plugs with and
// without an address, unplug requests, guest ejects, PCI config writes: PAM), on pc and q35, TCG and KVM, 7.2 and
// 10.0, every state's text must equal the text made with every line made anew; and a region record changed under an
// unchanged range (renamed, another priority, RAM made ROM) must print the new record.
const act = (execute: string, args: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, arguments: args } });
const mtreeAction: fc.Arbitrary<Action> = fc.oneof(
  fc.nat(5).map((i) => act('object-add', { 'qom-type': 'memory-backend-ram', id: `m${i}`, size: (128 << 20) * (1 + (i % 3)) })),
  fc.tuple(fc.nat(5), fc.option(fc.nat(12), { nil: undefined })).map(([i, at]) => act('device_add', { driver: 'pc-dimm', id: `d${i}`, memdev: `m${i}`, ...(at === undefined ? {} : { addr: 0x100000000 + at * (128 << 20) }) })),
  fc.nat(5).map((i) => act('device_del', { id: `d${i}` })),
  fc.nat(5).map((i) => act('object-del', { id: `m${i}` })),
  fc.nat(5).map((i): Action => ({ kind: 'qtest', line: `outl 0xa00 ${i}` })),
  fc.constant<Action>({ kind: 'qtest', line: 'outb 0xa14 0x08' }),
  fc.constantFrom(0x58, 0x90, 0x94).map((reg): Action => ({ kind: 'qtest', line: `outl 0xcf8 0x${(0x80000000 | reg).toString(16)}` })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(0x33)).map(([off, v]): Action => ({ kind: 'qtest', line: `outb 0x${(0xcfc + off).toString(16)} 0x${v.toString(16)}` })),
);

function madeAnew(mem: MemoryState, opts: MtreeOptions): string {
  flatRangeLines.enabled = false;
  try {
    return mtreeText(mem, opts);
  } finally {
    flatRangeLines.enabled = true;
  }
}

const MTREE_MACHINES: readonly (readonly [string, QemuVersion])[] = [
  ['-M pc -m 1G,slots=6,maxmem=8G', '7.2'],
  ['-M q35 -m 1G,slots=6,maxmem=8G', '7.2'],
  ['-M pc -m 1G,slots=6,maxmem=8G -accel kvm', '7.2'],
  ['-M q35 -m 1G,slots=6,maxmem=8G', '10.0'],
  ['-M pc -m 1G,slots=6,maxmem=8G -accel kvm', '10.0'],
];

for (const [machine, version] of MTREE_MACHINES) {
  test(`info mtree -f with its lines taken again is the text made anew (${machine}, ${version})`, () => {
    const start = buildFromCommandLine(machine, version);
    assert.ok(start.ok);
    const opts: MtreeOptions = { flat: true, accel: / -accel kvm/.test(machine) ? 'kvm' : 'tcg' };
    fc.assert(
      fc.property(fc.array(mtreeAction, { maxLength: 20 }), (actions) => {
        let s = start.state;
        assert.equal(mtreeText(s.mem, opts), madeAnew(s.mem, opts));
        for (const a of actions) {
          try {
            s = reduce(s, a).state;
          } catch {
            continue; // not modelled
          }
          assert.equal(mtreeText(s.mem, opts), madeAnew(s.mem, opts), `after ${JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
        }
      }),
      { numRuns: 25 },
    );
  });
}

test('info mtree -f prints a changed region record under the very same range anew', () => {
  const start = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  assert.ok(start.ok);
  const mem = start.state.mem;
  const opts: MtreeOptions = { flat: true, accel: 'tcg' };
  const before = mtreeText(mem, opts);
  // Every region some view shows: renamed, another priority, RAM made read-only; views (the range objects) kept.
  const shown = new Set(Object.values(mem.flat).flatMap((v) => v.map((r) => r.region)));
  assert.ok(shown.size > 3);
  for (const id of shown) {
    const r = mem.regions.get(id)!;
    // (A range the view marks read-only prints `rom` whatever its region says: only the text made anew tells.)
    const changes = [{ ...r, name: `${r.name}-renamed` }, { ...r, priority: r.priority + 7 }];
    for (const changed of [...changes, ...(r.ram ? [{ ...r, readonly: !r.readonly }] : [])]) {
      const other: MemoryState = { ...mem, regions: mem.regions.set(changed) };
      const text = mtreeText(other, opts);
      assert.equal(text, madeAnew(other, opts), `${id} changed to ${JSON.stringify(changed, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      if (changes.includes(changed)) assert.notEqual(text, before, `${id}: the change shows`);
    }
  }
});

test('info mtree -f prints the type anew when it changes under the very same range and region record (a range naming an alias)', () => {
  // Views name the regions aliases lead to; a range naming an alias (made here by hand) takes its type from the
  // alias's target, which can change while the range and the alias's record stay the same.
  const start = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  assert.ok(start.ok);
  const mem = start.state.mem;
  const alias = mem.regions.get('ram-below-4g')!;
  assert.equal(alias.alias, 'pc.ram');
  const range = Object.freeze({ start: 0n, end: 0x1000n, region: 'ram-below-4g', offsetInRegion: 0n, readonly: false });
  const viewed: MemoryState = { ...mem, flat: { ...mem.flat, system: [range] } };
  const opts: MtreeOptions = { flat: true, accel: 'tcg' };
  assert.match(mtreeText(viewed, opts), /\(prio 0, ram\): ram-below-4g\r\n/);
  const target = mem.regions.get('pc.ram')!;
  const rom: MemoryState = { ...viewed, regions: viewed.regions.set({ ...target, readonly: true }) };
  assert.equal(rom.regions.get('ram-below-4g'), alias);
  assert.match(mtreeText(rom, opts), /\(prio 0, rom\): ram-below-4g\r\n/);
  assert.equal(mtreeText(rom, opts), madeAnew(rom, opts));
});
