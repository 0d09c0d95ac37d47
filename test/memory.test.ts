// Unit tests of the memory model: FlatView rendering, simplification, transactions and KVM slots,
// `info mtree` text against captures of the real QEMU 7.2.22 binary (test/fixtures/mtree/).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { addSubregion, createRegion, delSubregion, setEnabled, Regions } from '../engine/memory/regions';
import { renderFlatView, simplify, flatViewRoot } from '../engine/memory/flatview';
import { beginTx, commitTx, emptyMemory, memTransaction } from '../engine/memory/transaction';
import { infoMtree } from '../engine/memory/mtree';
import { kvmSlotsView } from '../engine/memory/kvm';
import { DEVICE_MEMORY_ID, ICH9_PM_ID, IO_ID, PIIX4_PM_ID, SYSTEM_ID, setPmBase } from '../engine/machine/memory-map';
import type { FlatRange, MemoryState } from '../engine/memory/types';
import type { Transition } from '../engine/effects';
import { boot, fixture, GiB, MiB } from './memory-helpers';
import { repoPath } from '../paths';

const S64 = 1n << 64n;

function fr(start: bigint, end: bigint, region: string, offsetInRegion = 0n, readonly = false): FlatRange {
  return { start, end, region, offsetInRegion, readonly };
}

/** A root container of 2^64 with the given children built by `f`. */
function tree(f: (r: Regions) => Regions): Regions {
  return f(createRegion(Regions.EMPTY, { id: 'root', name: 'root', size: S64, kind: 'container' }));
}

describe('renderFlatView', () => {
  test('a disabled region and its children render nothing', () => {
    const r = tree((r) => {
      r = createRegion(r, { id: 'c', name: 'c', size: 0x1000n, kind: 'container', enabled: false });
      r = createRegion(r, { id: 'a', name: 'a', size: 0x100n, kind: 'ram' });
      r = addSubregion(r, 'c', 0n, 'a');
      return addSubregion(r, 'root', 0x1000n, 'c');
    });
    assert.deepEqual(renderFlatView(r, 'root'), []);
    assert.deepEqual(renderFlatView(setEnabled(r, 'c', true), 'root'), [fr(0x1000n, 0x1100n, 'a')]);
  });

  test('higher priority wins; equal priority: the most recently added wins', () => {
    const r = tree((r) => {
      r = createRegion(r, { id: 'low', name: 'low', size: 0x1000n, kind: 'ram' });
      r = createRegion(r, { id: 'hi', name: 'hi', size: 0x100n, kind: 'io', priority: 1 });
      r = createRegion(r, { id: 'eq', name: 'eq', size: 0x100n, kind: 'io' });
      r = addSubregion(r, 'root', 0n, 'low');
      r = addSubregion(r, 'root', 0x200n, 'hi', 1);
      return addSubregion(r, 'root', 0x800n, 'eq');
    });
    assert.deepEqual(renderFlatView(r, 'root'), [
      fr(0n, 0x200n, 'low'), fr(0x200n, 0x300n, 'hi'), fr(0x300n, 0x800n, 'low', 0x300n),
      fr(0x800n, 0x900n, 'eq'), fr(0x900n, 0x1000n, 'low', 0x900n),
    ]);
  });

  test('containers are transparent where they have no content; children are clipped', () => {
    const r = tree((r) => {
      r = createRegion(r, { id: 'ram', name: 'ram', size: 0x1000n, kind: 'ram' });
      r = createRegion(r, { id: 'box', name: 'box', size: 0x400n, kind: 'container', priority: 5 });
      r = createRegion(r, { id: 'dev', name: 'dev', size: 0x800n, kind: 'io' });
      r = addSubregion(r, 'box', 0x300n, 'dev');
      r = addSubregion(r, 'root', 0n, 'ram');
      return addSubregion(r, 'root', 0x100n, 'box', 5);
    });
    // box spans 0x100-0x4ff; dev would span 0x400-0xbff but is clipped to 0x400-0x4ff.
    assert.deepEqual(renderFlatView(r, 'root'), [fr(0n, 0x400n, 'ram'), fr(0x400n, 0x500n, 'dev'), fr(0x500n, 0x1000n, 'ram', 0x500n)]);
  });

  test('aliases render their target with the alias offset; readonly is inherited from the alias', () => {
    const r = tree((r) => {
      r = createRegion(r, { id: 'bios', name: 'bios', size: 0x40000n, kind: 'rom' });
      r = createRegion(r, { id: 'ram', name: 'ram', size: 0x100000n, kind: 'ram' });
      r = createRegion(r, { id: 'isa', name: 'isa', size: 0x20000n, kind: 'rom', alias: 'bios', aliasOffset: 0x20000n, priority: 1 });
      r = createRegion(r, { id: 'ro', name: 'ro', size: 0x1000n, kind: 'ram', alias: 'ram', aliasOffset: 0x5000n, priority: 1 });
      r = r.set({ ...r.get('ro')!, readonly: true });
      r = addSubregion(r, 'root', 0xe0000n, 'isa', 1);
      return addSubregion(r, 'root', 0x1000n, 'ro', 1);
    });
    assert.deepEqual(renderFlatView(r, 'root'), [fr(0x1000n, 0x2000n, 'ram', 0x5000n, true), fr(0xe0000n, 0x100000n, 'bios', 0x20000n, true)]);
  });

  test('a terminating region fills only the gaps its own children leave', () => {
    const r = tree((r) => {
      r = createRegion(r, { id: 'rtc', name: 'rtc', size: 2n, kind: 'io' });
      r = createRegion(r, { id: 'idx', name: 'idx', size: 1n, kind: 'io' });
      r = addSubregion(r, 'rtc', 0n, 'idx');
      return addSubregion(r, 'root', 0x70n, 'rtc');
    });
    assert.deepEqual(renderFlatView(r, 'root'), [fr(0x70n, 0x71n, 'idx'), fr(0x71n, 0x72n, 'rtc', 1n)]);
  });

  test('simplify merges contiguous pieces of one region only', () => {
    assert.deepEqual(simplify([fr(0n, 0x10n, 'a'), fr(0x10n, 0x20n, 'a', 0x10n), fr(0x20n, 0x30n, 'a', 0x40n), fr(0x30n, 0x40n, 'b', 0x30n)]), [
      fr(0n, 0x20n, 'a'), fr(0x20n, 0x30n, 'a', 0x40n), fr(0x30n, 0x40n, 'b', 0x30n),
    ]);
    assert.deepEqual(simplify([fr(0n, 0x10n, 'a'), fr(0x10n, 0x20n, 'a', 0x10n, true)]).length, 2);
  });

  test('flatViewRoot follows full aliases and single covering children, none when nothing is enabled', () => {
    const m = boot('pc', { ram: GiB }).state;
    assert.equal(flatViewRoot(m.regions, SYSTEM_ID), SYSTEM_ID);
    assert.equal(flatViewRoot(m.regions, 'bm:i440FX'), undefined);
    assert.equal(flatViewRoot(m.regions, 'cpu0.as-root'), 'cpu0.as-root');
  });
});

function plug(t: Transition<MemoryState>, id: string, size: bigint, offset: bigint, accel: 'tcg' | 'kvm'): Transition<MemoryState> {
  const made = t.state.regions.get(id)! ? t.state : { ...t.state, regions: createRegion(t.state.regions, { id, name: id, size, kind: 'ram' }) };
  return memTransaction(made, (r) => addSubregion(r, DEVICE_MEMORY_ID, offset, id, 0), accel);
}

describe('transactions', () => {
  test('a DIMM plug is one commit with one added range', () => {
    const t = plug(boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB }), 'mem0', GiB, 0n, 'tcg');
    // QEMU's hops: begin (coalesced-MMIO flush, depth), commit → flatviews_reset → generate_memory_topology →
    // render_memory_region, then address_space_set_flatview → address_space_update_topology_pass.
    assert.deepEqual(t.fx.trace.map((e) => `${'  '.repeat(e.depth)}${e.fn}${e.note ? ` (${e.note})` : ''}`), [
      'memory_region_transaction_begin (qemu_flush_coalesced_mmio_buffer, depth 1)',
      'memory_region_transaction_commit (flat view: +1 range; cpu-smm-0 flat view: +1 range)',
      '  flatviews_reset',
      '    generate_memory_topology (root system)',
      '      render_memory_region (system)',
      '  address_space_set_flatview (AS memory)',
      '    address_space_update_topology_pass (flat view: +1 range)',
    ]);
    assert.deepEqual(t.state.flat[SYSTEM_ID].at(-1), fr(0x100000000n, 0x140000000n, 'mem0'));
    assert.deepEqual(t.state.kvmSlots, []);
  });

  test('nested begin/commit defers the update to the outermost commit', () => {
    const m0 = boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state;
    const m1 = beginTx(beginTx(m0));
    const m2 = memTransaction(m1, (r) => setEnabled(r, 'hpet', false), 'tcg');
    assert.equal(m2.state.flat, m0.flat);
    assert.equal(m2.state.pending, true);
    const m3 = commitTx(m2.state, 'tcg');
    assert.equal(m3.state.flat, m0.flat);
    assert.deepEqual(m3.fx.trace, []);
    const m4 = commitTx(m3.state, 'tcg');
    assert.equal(m4.state.txDepth, 0);
    assert.ok(!m4.state.flat[SYSTEM_ID].some((r) => r.region === 'hpet'));
    assert.equal(m4.fx.trace[0].fn, 'memory_region_transaction_commit');
    assert.equal(m2.fx.trace[0].note, 'qemu_flush_coalesced_mmio_buffer, depth 3');
  });

  test('an unchanged tree commits nothing and returns the same state', () => {
    const m0 = boot('pc', { ram: GiB }).state;
    const t = memTransaction(m0, (r) => r, 'kvm');
    assert.equal(t.state, m0);
  });

  test('inputs are not mutated', () => {
    const m0 = boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state;
    const snapshot = JSON.stringify(m0, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    plug({ state: m0, fx: { events: [], irqs: [], trace: [], traceEvents: [] } }, 'mem0', GiB, 0n, 'kvm');
    assert.equal(JSON.stringify(m0, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), snapshot);
  });

  test('emptyMemory starts with nothing', () => {
    assert.deepEqual(emptyMemory(), { regions: Regions.EMPTY, addressSpaces: [], txDepth: 0, pending: false, flat: {}, kvmSlots: [] });
  });
});

const slots = (m: MemoryState) => kvmSlotsView(m).map((s) => `${s.id}/${s.flags}/0x${s.start.toString(16)}/0x${s.size.toString(16)}`);
const kvmTrace = (t: Transition<MemoryState>) => {
  // Every kvm_region_add/del reaches kvm_set_phys_mem, one level below it.
  t.fx.trace.forEach((e, i) => {
    if (e.fn === 'kvm_region_add' || e.fn === 'kvm_region_del') assert.deepEqual([t.fx.trace[i + 1]?.fn, t.fx.trace[i + 1]?.depth], ['kvm_set_phys_mem', e.depth + 1]);
  });
  return t.fx.trace.filter((e) => e.fn === 'kvm_region_add' || e.fn === 'kvm_region_del').map((e) => `${e.fn === 'kvm_region_add' ? '+' : '-'}${e.note}`);
};

describe('KVM memory slots (facts §3.6, observed with -trace kvm_set_user_memory)', () => {
  test('pc -m 1G: boot ends with slots 0..4; a DIMM gets slot 5; eject frees it', () => {
    const b = boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB, accel: 'kvm' });
    assert.deepEqual(kvmTrace(b), [
      '+slot 0 gpa 0x0 size 0x40000000',
      '+slot 1 gpa 0xfffc0000 size 0x40000 flags 0x2',
      '-slot 0 gpa 0x0 size 0x40000000',
      '+slot 0 gpa 0x0 size 0xc0000',
      '+slot 2 gpa 0xc0000 size 0x20000 flags 0x2',
      '+slot 3 gpa 0xe0000 size 0x20000 flags 0x2',
      '+slot 4 gpa 0x100000 size 0x3ff00000',
    ]);
    assert.deepEqual(slots(b.state), ['0/0/0x0/0xc0000', '1/2/0xfffc0000/0x40000', '2/2/0xc0000/0x20000', '3/2/0xe0000/0x20000', '4/0/0x100000/0x3ff00000']);
    const p = plug(b, 'mem0', GiB, 0n, 'kvm');
    assert.deepEqual(kvmTrace(p), ['+slot 5 gpa 0x100000000 size 0x40000000']);
    const u = memTransaction(p.state, (r) => delSubregion(r, DEVICE_MEMORY_ID, 'mem0'), 'kvm');
    assert.deepEqual(kvmTrace(u), ['-slot 5 gpa 0x100000000 size 0x40000000']);
    assert.deepEqual(slots(u.state), slots(b.state));
  });

  test('q35 -m 3G: ram-above-4g takes slot 1; smram-open-high borrows slot 3; the DIMM gets slot 6', () => {
    const b = boot('q35', { ram: 3n * GiB, slots: 4n, maxmem: 16n * GiB, accel: 'kvm' });
    assert.deepEqual(kvmTrace(b), [
      '+slot 0 gpa 0x0 size 0x80000000',
      '+slot 1 gpa 0x100000000 size 0x40000000',
      '+slot 2 gpa 0xfffc0000 size 0x40000 flags 0x2',
      '+slot 3 gpa 0xfeda0000 size 0x20000',
      '-slot 3 gpa 0xfeda0000 size 0x20000',
      '-slot 0 gpa 0x0 size 0x80000000',
      '+slot 0 gpa 0x0 size 0xc0000',
      '+slot 3 gpa 0xc0000 size 0x20000 flags 0x2',
      '+slot 4 gpa 0xe0000 size 0x20000 flags 0x2',
      '+slot 5 gpa 0x100000 size 0x7ff00000',
    ]);
    const p = plug(b, 'mem0', GiB, 0n, 'kvm');
    assert.deepEqual(kvmTrace(p), ['+slot 6 gpa 0x140000000 size 0x40000000']);
  });

  test('q35 -m 1G and pc -m 4G boot sequences', () => {
    assert.deepEqual(slots(boot('q35', { ram: GiB, accel: 'kvm' }).state), ['0/0/0x0/0xc0000', '1/2/0xfffc0000/0x40000', '2/2/0xc0000/0x20000', '3/2/0xe0000/0x20000', '4/0/0x100000/0x3ff00000']);
    assert.deepEqual(slots(boot('pc', { ram: 4n * GiB, accel: 'kvm' }).state), [
      '0/0/0x0/0xc0000', '1/0/0x100000000/0x40000000', '2/2/0xfffc0000/0x40000', '3/2/0xc0000/0x20000', '4/2/0xe0000/0x20000', '5/0/0x100000/0xbff00000',
    ]);
  });

  test('under TCG there are no slots', () => {
    assert.deepEqual(boot('pc', { ram: GiB }).state.kvmSlots, []);
  });
});

// ---- `info mtree` against the real binary ----

/** Blocks of an `info mtree` text, order-insensitive (QEMU's block order is hash order); FlatView numbers dropped. */
function blocks(text: string): string[] {
  return text.split('\r\n\r\n').map((b) => b.replace(/^FlatView #\d+\r\n/, '')).filter((b) => b !== '').sort();
}

function memoryBlock(text: string): string {
  const b = text.split('\r\n\r\n').find((x) => x.includes(' AS "memory"'));
  assert.ok(b, 'no AS "memory" block');
  return b.split('\r\n').filter((l) => l.startsWith('  ')).join('\n');
}

describe('info mtree: fresh machines, byte-exact in the chosen block order', () => {
  for (const type of ['pc', 'q35'] as const) {
    test(`${type} -m 1G,slots=4,maxmem=8G`, () => {
      const m = boot(type, { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state;
      assert.equal(infoMtree(m, { flat: false, accel: 'tcg' }), fixture(`${type}-canonical.mtree.txt`));
      assert.equal(infoMtree(m, { flat: true, accel: 'tcg' }), fixture(`${type}-canonical.mtree-f.txt`));
    });
  }
});

interface Case {
  readonly name: string;
  readonly make: () => MemoryState;
  readonly accel?: 'tcg' | 'kvm';
}

const CASES: readonly Case[] = [
  { name: 'pc-1G-s4-8G', make: () => boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state },
  { name: 'q35-1G-s4-8G', make: () => boot('q35', { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state },
  { name: 'pc-1G-s4-8G-dimm1G', make: () => plug(boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB }), 'mem0', GiB, 0n, 'tcg').state },
  { name: 'q35-3G-s4-16G-dimm1G', make: () => plug(boot('q35', { ram: 3n * GiB, slots: 4n, maxmem: 16n * GiB }), 'mem0', GiB, 0n, 'tcg').state },
  { name: 'pc-512M-s1-1G-dimm256M', make: () => plug(boot('pc', { ram: 512n * MiB, slots: 1n, maxmem: GiB }), 'ram1', 256n * MiB, 0n, 'tcg').state },
  { name: 'pc-4G', make: () => boot('pc', { ram: 4n * GiB }).state },
  { name: 'pc-1G-maxmem-noslots', make: () => boot('pc', { ram: GiB, maxmem: 8n * GiB }).state },
  { name: 'pc-1G-s2-4G-nomemhp', make: () => boot('pc', { ram: GiB, slots: 2n, maxmem: 4n * GiB, memoryHotplugSupport: false }).state },
  { name: 'q35-1G-s2-4G-nomemhp', make: () => boot('q35', { ram: GiB, slots: 2n, maxmem: 4n * GiB, memoryHotplugSupport: false }).state },
  {
    name: 'pc-numa2',
    make: () => boot('pc', { ram: 2n * GiB, backends: [{ id: 'ram0', size: GiB }, { id: 'ram1', size: GiB }], numa: ['ram0', 'ram1'] }).state,
  },
  {
    name: 'q35-numa-4G',
    make: () => boot('q35', { ram: 4n * GiB, slots: 2n, maxmem: 8n * GiB, backends: [{ id: 'ram0', size: 4n * GiB }], numa: ['ram0'] }).state,
  },
  { name: 'kvm-pc-1G-s4-8G-dimm1G', accel: 'kvm', make: () => plug(boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB, accel: 'kvm' }), 'mem0', GiB, 0n, 'kvm').state },
  {
    name: 'kvm-q35-3G-s4-16G-dimm1G',
    accel: 'kvm',
    make: () => plug(boot('q35', { ram: 3n * GiB, slots: 4n, maxmem: 16n * GiB, accel: 'kvm' }), 'mem0', GiB, 0n, 'kvm').state,
  },
];

describe('info mtree: block contents vs the real binary', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const m = c.make();
      const accel = c.accel ?? 'tcg';
      const flat = infoMtree(m, { flat: true, accel });
      const expectedFlat = fixture(`${c.name}.mtree-f.txt`);
      assert.equal(memoryBlock(flat), memoryBlock(expectedFlat), 'AS "memory" flat view');
      assert.deepEqual(blocks(flat), blocks(expectedFlat), 'all FlatView blocks');
      assert.deepEqual(blocks(infoMtree(m, { flat: false, accel })), blocks(fixture(`${c.name}.mtree.txt`)), 'tree blocks');
    });
  }

  test('replay example flatview-pc: AS "memory" range lines', async () => {
    const { readFileSync } = await import('node:fs');
    const json = JSON.parse(readFileSync(repoPath('test', 'replay/examples/flatview-pc.qemu.json'), 'utf8'));
    const real: string = json.steps[2].reply;
    const m = plug(boot('pc', { ram: 512n * MiB, slots: 1n, maxmem: GiB }), 'ram1', 256n * MiB, 0n, 'tcg').state;
    assert.equal(memoryBlock(infoMtree(m, { flat: true, accel: 'tcg' })), memoryBlock(real));
  });
});

describe('PM block (setPmBase)', () => {
  test('pc: enabling piix4-pm at 0x600 maps acpi-evt/cnt/tmr there', () => {
    const m = boot('pc', { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state;
    const t = setPmBase(m, 0x600n, true);
    const io = t.state.flat[IO_ID];
    assert.ok(io.some((r) => r.region === 'acpi-evt' && r.start === 0x600n && r.end === 0x604n));
    assert.ok(io.some((r) => r.region === 'acpi-tmr' && r.start === 0x608n));
    assert.equal(t.state.regions.get(PIIX4_PM_ID)!.addr, 0x600n);
    assert.match(t.fx.trace.find((e) => e.fn === 'memory_region_transaction_commit')?.note ?? '', /I\/O flat view: \+/);
  });

  test('q35: ich9-pm at PMBASE 0x600 puts GPE0 at 0x620-0x62f', () => {
    const m = boot('q35', { ram: GiB, slots: 4n, maxmem: 8n * GiB }).state;
    const t = setPmBase(m, 0x600n, true);
    assert.ok(t.state.flat[IO_ID].some((r) => r.region === 'acpi-gpe0' && r.start === 0x620n && r.end === 0x630n));
    const off = setPmBase(t.state, 0x600n, false);
    assert.ok(!off.state.flat[IO_ID].some((r) => r.region === 'acpi-gpe0'));
    assert.equal(off.state.regions.get(ICH9_PM_ID)!.enabled, false);
  });
});
