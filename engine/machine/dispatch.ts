// Guest accesses dispatched the way QEMU's memory core does it, through the memory map: the flat view of the
// address space (I/O for port accesses, system memory for MMIO) says which region answers an address, the
// region's ops (region-ops.ts) what it does. flatview_read/write_continue + memory_access_size +
// access_with_adjusted_size: accesses split into naturally aligned pieces bounded by the region's
// valid.max_access_size, then widened or split to the device's impl sizes. Guest RAM is the sparse overlay of
// written bytes (memory/ram-overlay.ts); everything else is unassigned (reads 0, writes dropped). A port of a
// device the model only draws is refused as not modelled.

import type { MachineState, RamExtent } from '../state';
import { ModelLimit } from '../errors';
import { NO_EFFECTS, done, merge, type Effects, type Transition } from '../effects';
import { renderFlatView } from '../memory/flatview';
import type { FlatRange } from '../memory/types';
import { ramByte } from '../memory/ram-overlay';
import { regionType } from '../memory/regions';
import { IO_ID, SYSTEM_ID } from './memory-map';
import { regionOps, type RegionOps } from './region-ops';
import { stateWithDispatchMru, stateWithQtest } from '../records';

/** The all-ones value of 0-8 bytes, made once (a bigint shift and subtraction allocate: several per access). */
const MASKS: readonly bigint[] = Array.from({ length: 9 }, (_, b) => (1n << BigInt(8 * b)) - 1n);
const mask = (bytes: number): bigint => MASKS[bytes] ?? (1n << BigInt(8 * bytes)) - 1n;

/** The I/O root's unassigned_io_ops: reads all ones, writes dropped. */
const UNASSIGNED_IO: RegionOps = { read: (s) => ({ state: s, value: 0xffffffff }), write: (s) => done(s) };
/** Beyond the 64 KiB of I/O space: nothing (reads 0, writes dropped). */
const OUTSIDE: RegionOps = { accepts: false };

function flatView(state: MachineState, root: string): readonly FlatRange[] {
  return state.mem.flat[root] ?? renderFlatView(state.mem.regions, root);
}

/**
 * address_space_lookup_region's most-recently-used section: note that the view of the address space rooted at
 * `root` looked `addr` up (dispatch-tree.ts turns the last such address into the section it marks [MRU]).
 */
export function noteLookup(state: MachineState, root: string, addr: bigint): MachineState {
  const m = state.dispatchMru;
  const views = state.mem.flat;
  if (m && m.views === views) {
    if (m.last[root] === addr) return state;
    return stateWithDispatchMru(state, { views, last: lastWith(m.last, root, addr) });
  }
  return stateWithDispatchMru(state, { views, last: root === IO_ID ? { io: addr } : root === SYSTEM_ID ? { system: addr } : { [root]: addr } });
}

type Lookups = Readonly<Record<string, bigint>>;

/**
 * `{ ...last, [root]: addr }` for the two roots the guest's accesses go through (the I/O and system views), by
 * literals of one shape per key order: the same keys in the same order as the spread (a new root comes last), so
 * its map stays one of a few instead of a spread with a computed key (dispatch-mru.property test in
 * test/records.property.test.ts). Any other root or record is spread.
 */
export function lastWith(last: Lookups, root: string, addr: bigint): Lookups {
  const keys = Object.keys(last);
  if (root === IO_ID || root === SYSTEM_ID) {
    if (keys.length === 0) return root === IO_ID ? { io: addr } : { system: addr };
    if (keys.length === 1) {
      if (keys[0] === IO_ID) return root === IO_ID ? { io: addr } : { io: last.io, system: addr };
      if (keys[0] === SYSTEM_ID) return root === SYSTEM_ID ? { system: addr } : { system: last.system, io: addr };
    } else if (keys.length === 2) {
      if (keys[0] === IO_ID && keys[1] === SYSTEM_ID) return root === IO_ID ? { io: addr, system: last.system } : { io: last.io, system: addr };
      if (keys[0] === SYSTEM_ID && keys[1] === IO_ID) return root === SYSTEM_ID ? { system: addr, io: last.io } : { system: last.system, io: addr };
    }
  }
  return { ...last, [root]: addr };
}

/** The last lookups of the views as they are now (none once they were regenerated). */
export function dispatchLookups(state: MachineState): Readonly<Record<string, bigint>> {
  const m = state.dispatchMru;
  return m && m.views === state.mem.flat ? m.last : {};
}

/** The flat range holding `addr` (the view is sorted and disjoint), or undefined. */
function flatRangeAt(view: readonly FlatRange[], addr: bigint): FlatRange | undefined {
  let lo = 0;
  let hi = view.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = view[mid];
    if (addr < r.start) hi = mid - 1;
    else if (addr >= r.end) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/** The ops answering a port and the offset inside its region. */
function ioRegionAt(state: MachineState, addr: bigint, what: 'read' | 'write'): { ops: RegionOps; off: bigint } {
  if (addr >= 0x10000n) return { ops: OUTSIDE, off: addr };
  const hit = flatRangeAt(flatView(state, IO_ID), addr);
  if (!hit || hit.region === IO_ID) return { ops: UNASSIGNED_IO, off: addr };
  const ops = regionOps(state, hit.region);
  if (!ops) {
    // A device the model only draws in `info mtree` (RTC, PIT, DMA, i8042, fw_cfg, IDE, SMBus, the PCI/CPU
    // hotplug blocks ...) would answer or act in QEMU: refused rather than answered as unassigned.
    const name = state.mem.regions.get(hit.region)?.name ?? hit.region;
    throw new ModelLimit(`a port ${what} at 0x${addr.toString(16)}, QEMU's '${name}' device (only drawn in info mtree)`);
  }
  return { ops, off: addr - hit.start + hit.offsetInRegion };
}

/** memory_access_size: bounded by valid.max_access_size and the alignment of the offset in the region. */
function accessSize(r: RegionOps, len: number, off: bigint): number {
  let max = r.validMax || 4;
  const o = Number(off & 0xffffn);
  const align = o === 0 ? 0 : o & -o;
  if (off !== 0n && align !== 0 && align < max) max = align;
  let l = Math.min(len, max);
  while (l & (l - 1)) l &= l - 1;
  return l;
}

/**
 * `(BigInt(raw >>> 0) & mask(step)) & mask(size)` for `size <= step`, what access_with_adjusted_size makes of one
 * read: masked as a number (a read returns 32 bits) and made a bigint once (test/dispatch-access.property.test.ts).
 */
export function oneAccessValue(raw: number, size: number): bigint {
  const u = raw >>> 0;
  return BigInt(size >= 4 ? u : u & ((1 << (8 * size)) - 1));
}

/** memory_region_dispatch_read → access_with_adjusted_size. */
function dispatchRead(state: MachineState, r: RegionOps, off: bigint, size: number): { state: MachineState; value: bigint; fx: Effects } {
  if (r.accepts === false || !r.read || size < (r.validMin || 1)) return { state, value: 0n, fx: NO_EFFECTS };
  const step = Math.max(Math.min(size, r.implMax || 4), r.implMin || 1);
  if (size <= step) {
    // One access (nearly every port read): the loop's value without its shifts and masks.
    const x = r.read(state, Number(off), step);
    return { state: x.state, value: oneAccessValue(x.value, size), fx: x.fx || NO_EFFECTS };
  }
  let v = 0n;
  let cur = state;
  let fx: Effects = NO_EFFECTS;
  for (let i = 0; i < size; i += step) {
    const x = r.read(cur, Number(off) + i, step);
    cur = x.state;
    if (x.fx) fx = merge(fx, x.fx);
    v |= (BigInt(x.value >>> 0) & mask(step)) << BigInt(8 * i);
  }
  return { state: cur, value: v & mask(size), fx };
}

/** memory_region_dispatch_write → access_with_adjusted_size. */
function dispatchWrite(state: MachineState, r: RegionOps, off: bigint, size: number, value: bigint): Transition<MachineState> {
  if (r.accepts === false || !r.write || size < (r.validMin || 1)) return done(state);
  const step = Math.max(Math.min(size, r.implMax || 4), r.implMin || 1);
  if (size <= step) {
    // One access (nearly every port write): the loop's one piece, without its shift.
    const n = r.write(state, Number(off), step, Number(value & mask(step)));
    return { state: n.state, fx: n.fx };
  }
  let t: Transition<MachineState> = done(state);
  for (let i = 0; i < size; i += step) {
    const piece = Number((value >> BigInt(8 * i)) & mask(step));
    const n = r.write(t.state, Number(off) + i, step, piece);
    t = { state: n.state, fx: merge(t.fx, n.fx) };
  }
  return t;
}

/** cpu_inb/inw/inl: read `len` bytes of I/O space at `port`, split as QEMU splits them. */
export function portRead(state: MachineState, port: number, len: number): { state: MachineState; value: number; fx: Effects } {
  let cur = state;
  let fx: Effects = NO_EFFECTS;
  let value = 0n;
  let addr = BigInt(port);
  let pos = 0;
  while (pos < len) {
    const { ops, off } = ioRegionAt(cur, addr, 'read');
    const l = accessSize(ops, len - pos, off);
    cur = noteLookup(cur, IO_ID, addr);
    const x = dispatchRead(cur, ops, off, l);
    // The whole access in one piece: its value as it is (the loop below would or it into 0n at bit 0).
    if (pos === 0 && l === len) return { state: x.state, value: Number(x.value), fx: merge(fx, x.fx) };
    cur = x.state;
    fx = merge(fx, x.fx);
    value |= x.value << BigInt(8 * pos);
    pos += l;
    addr += BigInt(l);
  }
  return { state: cur, value: Number(value), fx };
}

/** cpu_outb/outw/outl. The region is looked up again per piece: a write may move the PM block. */
export function portWrite(state: MachineState, port: number, len: number, value: number): Transition<MachineState> {
  let t: Transition<MachineState> = done(state);
  let addr = BigInt(port);
  let pos = 0;
  const v = BigInt(value >>> 0) & mask(len);
  while (pos < len) {
    const { ops, off } = ioRegionAt(t.state, addr, 'write');
    const l = accessSize(ops, len - pos, off);
    const n = dispatchWrite(noteLookup(t.state, IO_ID, addr), ops, off, l, (v >> BigInt(8 * pos)) & mask(l));
    t = { state: n.state, fx: merge(t.fx, n.fx) };
    pos += l;
    addr += BigInt(l);
  }
  return t;
}

/** The MMIO region (with ops) at a guest-physical address and the offset inside it, else undefined (RAM or nothing). */
function mmioRegionAt(state: MachineState, view: readonly FlatRange[], a: bigint): { ops: RegionOps; off: bigint } | undefined {
  const hit = flatRangeAt(view, a);
  const ops = hit && regionOps(state, hit.region);
  return hit && ops ? { ops, off: a - hit.start + hit.offsetInRegion } : undefined;
}

/**
 * The RAM block behind a guest-physical address as the flat view maps it (main RAM, a DIMM, PAM's RAM
 * aliases), the offset in it and how many bytes of it follow; undefined where no RAM is mapped. The BIOS image's bytes are the firmware file's:
 * reading them is not modelled.
 */
function ramAt(state: MachineState, view: readonly FlatRange[], a: bigint, write: boolean): { block: string; offset: bigint; left: bigint } | undefined {
  const hit = flatRangeAt(view, a);
  if (!hit) return undefined;
  const type = regionType(state.mem.regions, hit.region);
  if (type !== 'ram' && type !== 'rom') return undefined;
  // A ROM drops the write; a read-only alias of RAM (PAM's pam-rom) does not: qtest writes reach the RAM behind it.
  if (write && type === 'rom') return undefined;
  if (!write && state.mem.regions.get(hit.region)?.name === 'pc.bios') {
    throw new ModelLimit(`reading the BIOS image (pc.bios) at 0x${a.toString(16)}: its bytes are the firmware file's`);
  }
  return { block: hit.region, offset: hit.offsetInRegion + (a - hit.start), left: hit.end - a };
}

/** address_space_read on the first CPU's address space: `len` bytes, little-endian value. */
export function memRead(state: MachineState, gpa: bigint, len: number): { state: MachineState; bytes: number[]; fx: Effects } {
  const view = flatView(state, SYSTEM_ID);
  const ram = state.qtest.ram;
  const bytes: number[] = [];
  let cur = state;
  let fx: Effects = NO_EFFECTS;
  let addr = gpa;
  while (bytes.length < len) {
    const a = addr & ((1n << 64n) - 1n);
    const io = mmioRegionAt(cur, view, a);
    // The view's lookups: one per piece (an MMIO piece, a run of RAM); the last one is in the page of the last byte.
    cur = noteLookup(cur, SYSTEM_ID, io ? a : (gpa + BigInt(len) - 1n) & ((1n << 64n) - 1n));
    if (io) {
      const l = accessSize(io.ops, len - bytes.length, io.off);
      const x = dispatchRead(cur, io.ops, io.off, l);
      cur = x.state;
      fx = merge(fx, x.fx);
      for (let i = 0; i < l; i++) bytes.push(Number((x.value >> BigInt(8 * i)) & 0xffn));
      addr += BigInt(l);
      continue;
    }
    const blk = ramAt(cur, view, a, false);
    bytes.push(blk ? ramByte(ram, blk.block, blk.offset) : 0);
    addr += 1n;
  }
  return { state: cur, bytes, fx };
}

/** address_space_write: RAM bytes go to the overlay, a device's MMIO window to its ops, the rest is dropped. */
export function memWrite(state: MachineState, gpa: bigint, data: readonly number[] | { fill: number; len: bigint }): Transition<MachineState> {
  const view = flatView(state, SYSTEM_ID);
  const len = Array.isArray(data) ? BigInt(data.length) : (data as { len: bigint }).len;
  const byteAt = (i: bigint): number => (Array.isArray(data) ? data[Number(i)] : (data as { fill: number }).fill) & 0xff;
  let t: Transition<MachineState> = done(state);
  const extents: RamExtent[] = [];
  let i = 0n;
  while (i < len) {
    const a = (gpa + i) & ((1n << 64n) - 1n);
    const io = mmioRegionAt(t.state, view, a);
    t = { state: noteLookup(t.state, SYSTEM_ID, io ? a : (gpa + len - 1n) & ((1n << 64n) - 1n)), fx: t.fx };
    if (io) {
      const l = accessSize(io.ops, Number(len - i > 8n ? 8n : len - i), io.off);
      let v = 0n;
      for (let k = 0; k < l; k++) v |= BigInt(byteAt(i + BigInt(k))) << BigInt(8 * k);
      const n = dispatchWrite(t.state, io.ops, io.off, l, v);
      t = { state: n.state, fx: merge(t.fx, n.fx) };
      i += BigInt(l);
      continue;
    }
    const blk = ramAt(t.state, view, a, true);
    if (!blk) { i += 1n; continue; }
    // One extent for the run inside this RAM block.
    const run = blk.left < len - i ? blk.left : len - i;
    if (Array.isArray(data)) extents.push({ block: blk.block, offset: blk.offset, len: run, bytes: (data as number[]).slice(Number(i), Number(i + run)).map((b) => b & 0xff) });
    else extents.push({ block: blk.block, offset: blk.offset, len: run, fill: byteAt(0n) });
    i += run;
  }
  if (extents.length === 0) return t;
  const q = t.state.qtest;
  return { state: stateWithQtest(t.state, { ...q, ram: [...(q.ram ?? []), ...extents] }), fx: t.fx };
}
