import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseAddr, chooseSlot, type AddrRequest } from '../engine/devices/placement';
import type { Dimm } from '../engine/state';
import { GiB, MiB, KiB } from '../engine/units';

const dimm = (id: string, slot: bigint, addr: bigint, size: bigint): Dimm => ({
  id, path: `/machine/peripheral/${id}`, memdev: `m-${id}`, slot, addr, node: 0n, size, hotplugged: true,
});
const desc = (r: { ok: boolean; error?: { desc: string } }) => (r.ok ? 'ok' : r.error!.desc);

// -M pc -m 1G,slots=4,maxmem=8G: device memory [0x100000000, +11G), capacity 7G.
const PC: Omit<AddrRequest, 'hint' | 'size'> = {
  deviceMemory: { base: 0x100000000n, size: 11n * GiB }, maxramSize: 8n * GiB, ramSize: GiB, align: 2n * MiB, kvmSlotFree: true,
};
const req = (size: bigint, hint = 0n, extra: Partial<AddrRequest> = {}): AddrRequest => ({ ...PC, size, hint, ...extra });

test('slots: lowest free, explicit, busy, out of range, none allocated, none free', () => {
  const used = [dimm('a', 0n, 0x100000000n, GiB), dimm('b', 2n, 0x140000000n, GiB)];
  assert.deepEqual(chooseSlot(used, -1n, 4n), { ok: true, value: 1n });
  assert.deepEqual(chooseSlot(used, 3n, 4n), { ok: true, value: 3n });
  assert.equal(desc(chooseSlot(used, 2n, 4n)), 'slot 2 is busy');
  assert.equal(desc(chooseSlot(used, 4n, 4n)), 'invalid slot number 4, valid range is [0-3]');
  assert.equal(desc(chooseSlot(used, -2n, 4n)), 'invalid slot number -2, valid range is [0-3]');
  assert.equal(desc(chooseSlot([], -1n, 0n)), "no slots where allocated, please specify the 'slots' option");
  assert.equal(desc(chooseSlot([], 0n, 0n)), 'invalid slot number 0, valid range is [0-18446744073709551615]');
  const full = [0n, 1n, 2n, 3n].map((s) => dimm(`d${s}`, s, 0x100000000n + s * GiB, GiB));
  assert.equal(desc(chooseSlot(full, -1n, 4n)), 'no free slots available');
});

test('addresses: first fit from the bottom, packing at 2 MiB alignment', () => {
  assert.deepEqual(chooseAddr([], req(GiB)), { ok: true, value: 0x100000000n });
  const a = [dimm('a', 0n, 0x100000000n, 512n * MiB)];
  assert.deepEqual(chooseAddr(a, req(GiB)), { ok: true, value: 0x120000000n });
  // A gap before a hinted device is reused (facts §2.5).
  const gap = [dimm('x0', 0n, 0x140000000n, GiB), dimm('b1', 1n, 0x1c0000000n, GiB)];
  assert.deepEqual(chooseAddr(gap, req(2n * MiB)), { ok: true, value: 0x100000000n });
  // After a 4 KiB-aligned memfd DIMM, the next 2 MiB-aligned one rounds up.
  const odd = [dimm('f', 0n, 0x100000000n, GiB + 4n * KiB)];
  assert.deepEqual(chooseAddr(odd, req(2n * MiB)), { ok: true, value: 0x140200000n });
});

test('addresses: every refusal, in QEMU order', () => {
  const d1 = [dimm('d1', 1n, 0x140000000n, GiB)];
  assert.equal(desc(chooseAddr(d1, req(GiB, 0x140000000n))), "address range conflicts with memory device id='d1'");
  assert.equal(desc(chooseAddr(d1, req(512n * MiB, 0x160000000n))), "address range conflicts with memory device id='d1'");
  assert.equal(desc(chooseAddr(d1, req(GiB, 0x100001000n))), 'address must be aligned to 0x200000 bytes');
  assert.equal(desc(chooseAddr(d1, req(GiB, 0x1000000n))), "can't add memory device [0x1000000:0x40000000], usable range for memory devices [0x100000000:0x2c0000000]");
  assert.equal(desc(chooseAddr(d1, req(GiB, 0x3a0000000n))), "can't add memory device [0x3a0000000:0x40000000], usable range for memory devices [0x100000000:0x2c0000000]");
  assert.equal(desc(chooseAddr(d1, req(7n * GiB))), 'not enough space, currently 0x40000000 in use of total space for memory devices 0x1c0000000');
  assert.equal(desc(chooseAddr([], req(4096n))), 'backend memory size must be multiple of 0x200000');
  // Combined faults resolve in QEMU's order (recipe §6).
  assert.equal(desc(chooseAddr(d1, req(7n * GiB, 0x100001000n))), 'not enough space, currently 0x40000000 in use of total space for memory devices 0x1c0000000');
  assert.equal(desc(chooseAddr([], req(GiB + MiB, 0x100001000n))), 'address must be aligned to 0x200000 bytes');
  assert.equal(desc(chooseAddr([], req(GiB + MiB, 0x1000000n))), 'backend memory size must be multiple of 0x200000');
  assert.equal(desc(chooseAddr([], req(GiB, 0n, { deviceMemory: undefined }))), 'memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option');
  assert.equal(desc(chooseAddr([], req(GiB, 0n, { kvmSlotFree: false }))), 'hypervisor has no free memory slots left');
});

test('addresses: fragmentation when no gap fits', () => {
  // Region [4G, 9G) with DIMMs at [5G, 6G) and [7G, 7.5G): capacity allows 2G more, but no gap holds it.
  const base = 0x100000000n;
  const r: Omit<AddrRequest, 'hint' | 'size'> = { deviceMemory: { base, size: 5n * GiB }, maxramSize: 5n * GiB, ramSize: GiB, align: 2n * MiB, kvmSlotFree: true };
  const ds = [dimm('a', 0n, base + GiB, GiB), dimm('b', 1n, base + 3n * GiB, 512n * MiB)];
  assert.equal(desc(chooseAddr(ds, { ...r, hint: 0n, size: 2n * GiB })), 'could not find position in guest address space for memory device - memory fragmented due to alignments');
  assert.deepEqual(chooseAddr(ds, { ...r, hint: 0n, size: GiB }), { ok: true, value: base });
});
