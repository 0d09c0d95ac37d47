// The qtest protocol (softmmu/qtest.c) over the model: port I/O dispatched the way QEMU's memory core does
// it (flatview_read/write_continue + memory_access_size + access_with_adjusted_size: accesses split into
// naturally aligned pieces bounded by each region's valid.max_access_size, then widened or split to the
// device's impl sizes), guest-physical reads/writes (IOAPIC window, RAM as a sparse overlay of written
// bytes, everything else unassigned: reads 0, writes dropped), IRQ intercepts and the exact reply formats.
// Malformed lines, which make real QEMU abort, answer `FAIL <reason>` here. What is not modelled (a guest
// reset through 0xcf9, SMI and TCO writes, sleep requests) throws ModelLimit instead of answering.

import { qemuOf } from '../versions';
import type { MachineState, QtestState } from '../state';
import { ModelLimit } from '../errors';
import { NO_EFFECTS, done, merge, nest, trace, type Effects, type Transition } from '../effects';
import { ACPI_MEMORY_HOTPLUG_BASE, MEMORY_HOTPLUG_IO_LEN, acpi_memory_hotplug_read, acpi_memory_hotplug_write } from '../acpi/memhp';
import { pc_machine_device_unplug_cb } from '../machine/pc';
import { gpe0Range, gpeReadb, gpeWriteByte, pm1CntWrite, pm1EvtRead, pm1EvtWrite } from '../acpi/gpe';
import { pciDataRead, pciDataWrite, pmBlockBase } from '../acpi/pci-config';
import { apmIoportRead, apmIoportWrite } from '../acpi/apm';
import { renderFlatView } from '../memory/flatview';
import { IO_ID } from '../machine/memory-map';
import { elcrRead, elcrWrite, picIoportRead, picIoportWrite } from '../irq/i8259';
import { IOAPIC_BASE, IOAPIC_SIZE, ioapicMemRead, ioapicMmioWrite } from '../irq/ioapic';
import { ioapicInput } from '../irq/gsi';
import type { IrqState } from '../irq/types';

export interface QtestResult {
  readonly state: MachineState;
  readonly reply: string;
  readonly fx: Effects;
}

// ---------------------------------------------------------------------------------------------------
// Guest RAM contents: a sparse overlay of written bytes, keyed by RAM block (pc.ram or the DIMM's memdev).

import type { RamExtent } from '../state';
export type { RamExtent };
/** Kept as an alias: the written guest RAM now lives in QtestState itself. */
export type QtestStateWithRam = QtestState;

/** Largest buffer `read`/`write`/`memset`/`b64*` accept in the model (QEMU allocates `len` bytes). */
export const MAX_BUFFER = 16n << 20n;

function ramBlockAt(state: MachineState, gpa: bigint): { block: string; offset: bigint; left: bigint } | undefined {
  const L = state.layout;
  if (gpa < 0xa0000n && gpa < L.below4g) return { block: 'pc.ram', offset: gpa, left: (L.below4g < 0xa0000n ? L.below4g : 0xa0000n) - gpa };
  if (gpa >= 0x100000n && gpa < L.below4g) return { block: 'pc.ram', offset: gpa, left: L.below4g - gpa };
  if (gpa >= L.aboveStart && gpa < L.aboveStart + L.above4g) return { block: 'pc.ram', offset: L.below4g + (gpa - L.aboveStart), left: L.aboveStart + L.above4g - gpa };
  for (const d of state.dimms) {
    if (gpa >= d.addr && gpa < d.addr + d.size) return { block: d.memdev, offset: gpa - d.addr, left: d.addr + d.size - gpa };
  }
  return undefined;
}

function ramByte(ram: readonly RamExtent[] | undefined, block: string, offset: bigint): number {
  if (!ram) return 0;
  for (let i = ram.length - 1; i >= 0; i--) {
    const e = ram[i];
    if (e.block !== block || offset < e.offset || offset >= e.offset + e.len) continue;
    return e.fill !== undefined ? e.fill : e.bytes![Number(offset - e.offset)];
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// Region dispatch (shared by port I/O and MMIO).

type ReadFn = (s: MachineState, off: number, size: number) => { state: MachineState; value: number; fx?: Effects };
type WriteFn = (s: MachineState, off: number, size: number, val: number) => Transition<MachineState>;

interface Region {
  readonly name: string;
  readonly base: bigint;
  readonly size: bigint;
  /** valid.min/max_access_size (0 = 1/4). */
  readonly validMin?: number;
  readonly validMax?: number;
  /** impl.min/max_access_size (0 = 1/4). */
  readonly implMin?: number;
  readonly implMax?: number;
  /** false: unassigned_mem_ops (decode error: reads 0, writes dropped, device never called). */
  readonly accepts?: boolean;
  readonly read?: ReadFn;
  readonly write?: WriteFn;
}

const mask = (bytes: number): bigint => (1n << BigInt(8 * bytes)) - 1n;

const rd = (f: (s: MachineState, off: number, size: number) => number): ReadFn => (s, off, size) => ({ state: s, value: f(s, off, size) });

function ioRegions(state: MachineState): Region[] {
  const a = state.acpi;
  const kvm = state.irq.mode === 'kvm';
  const out: Region[] = [];
  const pc = state.config.type === 'pc';
  // Priority 1: the reset control register overlapping CONFIG_ADDRESS.
  out.push({
    name: pc ? 'piix3-reset-control' : 'lpc-reset-control', base: 0xcf9n, size: 1n, implMin: 1, implMax: pc ? 1 : 0,
    read: rd((s) => s.acpi.resetControl),
    write: (s, _o, _z, v) => {
      // RCR bit 2 (SYS_RST) makes QEMU reset the machine (qemu_system_reset_request, RESET guest-reset).
      if (v & 4) throw new ModelLimit(`guest reset through the reset control register (outb 0xcf9 0x${(v & 0xff).toString(16)})`);
      return done({ ...s, acpi: { ...s.acpi, resetControl: v & (pc ? 2 : 0xa) } });
    },
  });
  const picRegion = (chip: 0 | 1): Region => kvm
    ? { name: 'kvm-pic', base: chip ? 0xa0n : 0x20n, size: 2n, accepts: false }
    : {
      name: 'pic', base: chip ? 0xa0n : 0x20n, size: 2n, implMin: 1, implMax: 1,
      read: (s, off) => { const r = picIoportRead(s.irq, chip, off); return { state: { ...s, irq: r.state }, value: r.value, fx: r.fx }; },
      write: (s, off, _z, v) => { const t = picIoportWrite(s.irq, chip, off, v); return { state: { ...s, irq: t.state }, fx: t.fx }; },
    };
  const elcrRegion = (chip: 0 | 1): Region => kvm
    ? { name: 'kvm-elcr', base: 0x4d0n + BigInt(chip), size: 1n, accepts: false }
    : {
      name: 'elcr', base: 0x4d0n + BigInt(chip), size: 1n, implMin: 1, implMax: 1,
      read: rd((s) => elcrRead(s.irq, chip)),
      write: (s, _o, _z, v) => done({ ...s, irq: elcrWrite(s.irq, chip, v) }, trace('elcr_ioport_write', `${chip ? 'slave' : 'master'} 0x${(v & 0xff).toString(16)}`)),
    };
  out.push(picRegion(0), picRegion(1), elcrRegion(0), elcrRegion(1));
  if (a.device !== 'none') {
    out.push({
      name: 'apm-io', base: 0xb2n, size: 2n, implMin: 1, implMax: 1,
      read: rd((s, off) => apmIoportRead(s, off)),
      write: (s, off, _z, v) => apmIoportWrite(s, off, v),
    });
  }
  if (a.memhp) {
    out.push({
      name: 'acpi-mem-hotplug', base: BigInt(ACPI_MEMORY_HOTPLUG_BASE), size: BigInt(MEMORY_HOTPLUG_IO_LEN), validMin: 1, validMax: 4,
      read: (s, off) => { const r = acpi_memory_hotplug_read(s, off); return { state: s, value: r.value, fx: r.fx }; },
      write: (s, off, _z, v) => acpi_memory_hotplug_write(s, off, v, pc_machine_device_unplug_cb),
    });
  }
  out.push({
    name: 'pci-conf-idx', base: 0xcf8n, size: 4n,
    read: rd((s) => s.acpi.configReg),
    write: (s, off, size, v) => (off !== 0 || size !== 4 ? done(s) : done({ ...s, acpi: { ...s.acpi, configReg: v >>> 0 } })),
  });
  out.push({
    name: 'pci-conf-data', base: 0xcfcn, size: 4n,
    read: rd((s, off, size) => (s.acpi.configReg & 0x80000000 ? pciDataRead(s.acpi, (s.acpi.configReg | (off & 3)) >>> 0, size) : 0xffffffff)),
    write: (s, off, size, v) => (s.acpi.configReg & 0x80000000 ? pciDataWrite(s, (s.acpi.configReg | (off & 3)) >>> 0, v, size) : done(s)),
  });
  const pmBase = pmBlockBase(a);
  const gpe = gpe0Range(a, pmBase);
  if (gpe) {
    out.push({
      name: 'acpi-gpe0', base: BigInt(gpe.base), size: BigInt(gpe.len), validMin: 1, validMax: 4, implMin: 1, implMax: 1,
      read: (s, off) => { const r = gpeReadb(s, off); return { state: s, value: r.value, fx: r.fx }; },
      write: (s, off, _z, v) => gpeWriteByte(s, off, v),
    });
  }
  if (pmBase !== undefined) {
    const b = BigInt(pmBase);
    out.push({
      name: 'acpi-evt', base: b, size: 4n, validMin: 1, validMax: 2, implMin: 2,
      read: (s, off) => pm1EvtRead(s, off),
      write: (s, off, _z, v) => pm1EvtWrite(s, off, v),
    });
    out.push({
      name: 'acpi-cnt', base: b + 4n, size: 2n, validMin: 1, validMax: 2, implMin: 2,
      read: rd((s) => s.acpi.pm1Cnt),
      write: (s, _o, _z, v) => pm1CntWrite(s, v),
    });
    // The PM timer counts the virtual clock, stopped at 0 while the machine has never run (-S).
    out.push({ name: 'acpi-tmr', base: b + 8n, size: 4n, validMin: 1, validMax: 4, implMin: 4, read: rd(() => 0), write: (s) => done(s) });
    if (a.device === 'ich9') {
      out.push({ name: 'acpi-smi', base: b + 0x30n, size: 8n, validMin: 4, validMax: 4, read: rd((s, off) => (off === 0 ? s.acpi.smiEn : 0)), write: () => { throw new ModelLimit('writes to the ICH9 SMI registers (SMI_EN/SMI_STS)'); } });
      // TCO registers at reset (TCO2_CNT 0x08, SW_IRQ_GEN 0x03, TCO_TMR 0x04); writes are not modelled.
      const tco = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 3, 0, 4, 0];
      out.push({ name: 'sm-tco', base: b + 0x60n, size: 0x20n, read: rd((_s, off, size) => { let v = 0; for (let i = 0; i < size; i++) v += (tco[off + i] ?? 0) * 2 ** (8 * i); return v; }), write: () => { throw new ModelLimit('writes to the ICH9 TCO watchdog registers'); } });
    }
  }
  return out;
}

const UNASSIGNED_IO: Region = { name: 'io (unassigned)', base: 0n, size: 0x10000n, read: rd(() => 0xffffffff), write: (s) => done(s) };

/**
 * A port no modelled register answers: unassigned I/O when QEMU has nothing there either, but a device the
 * model only draws in `info mtree` (RTC, PIT, DMA, i8042, fw_cfg, IDE, SMBus, the PCI/CPU hotplug blocks ...)
 * would answer or act in QEMU, so the access is refused as not modelled rather than answered as unassigned.
 */
function unmodelledPort(state: MachineState, addr: bigint, what: 'read' | 'write'): void {
  const view = state.mem.flat[IO_ID] ?? renderFlatView(state.mem.regions, IO_ID);
  const hit = view.find((r) => addr >= r.start && addr < r.end);
  if (!hit || hit.region === IO_ID) return; // the root itself is unassigned_io_ops
  const name = state.mem.regions.get(hit.region)?.name ?? hit.region;
  throw new ModelLimit(`a port ${what} at 0x${addr.toString(16)}, QEMU's '${name}' device (only drawn in info mtree)`);
}
const OUTSIDE: Region = { name: 'unassigned', base: 0n, size: 1n << 64n, accepts: false };

function lookup(regions: readonly Region[], addr: bigint, fallback: Region): Region {
  for (const r of regions) if (addr >= r.base && addr < r.base + r.size) return r;
  return fallback;
}

/** memory_access_size: bounded by valid.max_access_size and the alignment of the offset in the region. */
function accessSize(r: Region, len: number, off: bigint): number {
  let max = r.validMax || 4;
  const o = Number(off & 0xffffn);
  const align = o === 0 ? 0 : o & -o;
  if (off !== 0n && align !== 0 && align < max) max = align;
  let l = Math.min(len, max);
  while (l & (l - 1)) l &= l - 1;
  return l;
}

function dispatchRead(state: MachineState, r: Region, off: bigint, size: number): { state: MachineState; value: bigint; fx: Effects } {
  if (r.accepts === false || !r.read || size < (r.validMin || 1)) return { state, value: 0n, fx: NO_EFFECTS };
  const step = Math.max(Math.min(size, r.implMax || 4), r.implMin || 1);
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

function dispatchWrite(state: MachineState, r: Region, off: bigint, size: number, value: bigint): Transition<MachineState> {
  if (r.accepts === false || !r.write || size < (r.validMin || 1)) return done(state);
  const step = Math.max(Math.min(size, r.implMax || 4), r.implMin || 1);
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
  const regions = ioRegions(state);
  let cur = state;
  let fx: Effects = NO_EFFECTS;
  let value = 0n;
  let addr = BigInt(port);
  let pos = 0;
  while (pos < len) {
    const r = addr >= 0x10000n ? OUTSIDE : lookup(regions, addr, UNASSIGNED_IO);
    if (r === UNASSIGNED_IO) unmodelledPort(cur, addr, 'read');
    const off = addr - r.base;
    const l = accessSize(r, len - pos, off);
    const x = dispatchRead(cur, r, off, l);
    cur = x.state;
    fx = merge(fx, x.fx);
    value |= x.value << BigInt(8 * pos);
    pos += l;
    addr += BigInt(l);
  }
  return { state: cur, value: Number(value), fx };
}

/** cpu_outb/outw/outl. The region list is recomputed per piece: a write may move the PM block. */
export function portWrite(state: MachineState, port: number, len: number, value: number): Transition<MachineState> {
  let t: Transition<MachineState> = done(state);
  let addr = BigInt(port);
  let pos = 0;
  const v = BigInt(value >>> 0) & mask(len);
  while (pos < len) {
    const r = addr >= 0x10000n ? OUTSIDE : lookup(ioRegions(t.state), addr, UNASSIGNED_IO);
    if (r === UNASSIGNED_IO) unmodelledPort(t.state, addr, 'write');
    const off = addr - r.base;
    const l = accessSize(r, len - pos, off);
    const n = dispatchWrite(t.state, r, off, l, (v >> BigInt(8 * pos)) & mask(l));
    t = { state: n.state, fx: merge(t.fx, n.fx) };
    pos += l;
    addr += BigInt(l);
  }
  return t;
}

function ioapicRegion(state: MachineState): Region {
  if (state.irq.mode === 'kvm') return { name: 'kvm-ioapic', base: IOAPIC_BASE, size: IOAPIC_SIZE, accepts: false };
  return {
    name: 'ioapic', base: IOAPIC_BASE, size: IOAPIC_SIZE,
    read: (s, off, size) => { const r = ioapicMemRead(s.irq.ioapic, BigInt(off), size); return { state: s, value: r.value, fx: r.fx }; },
    write: (s, off, size, v) => { const t = ioapicMmioWrite(s.irq, BigInt(off), size, BigInt(v >>> 0)); return { state: { ...s, irq: t.state as IrqState }, fx: t.fx }; },
  };
}

/** The HPET's MMIO window (when the machine has one): its registers are not modelled. */
const HPET_BASE = 0xfed00000n;
const HPET_SIZE = 0x400n;
function hpetAccess(state: MachineState, a: bigint, what: 'read' | 'write'): void {
  if (state.config.hpet !== false && a >= HPET_BASE && a < HPET_BASE + HPET_SIZE) {
    throw new ModelLimit(`qtest ${what} of the HPET's registers at 0x${a.toString(16)} (the HPET is not modelled; -M ...,hpet=off removes it)`);
  }
}

/** address_space_read on the first CPU's address space: `len` bytes, little-endian value. */
export function memRead(state: MachineState, gpa: bigint, len: number): { state: MachineState; bytes: number[]; fx: Effects } {
  const io = ioapicRegion(state);
  const ram = (state.qtest as QtestStateWithRam).ram;
  const bytes: number[] = [];
  let cur = state;
  let fx: Effects = NO_EFFECTS;
  let addr = gpa;
  while (bytes.length < len) {
    const a = addr & ((1n << 64n) - 1n);
    if (a >= io.base && a < io.base + io.size) {
      const off = a - io.base;
      const l = accessSize(io, len - bytes.length, off);
      const x = dispatchRead(cur, io, off, l);
      cur = x.state;
      fx = merge(fx, x.fx);
      for (let i = 0; i < l; i++) bytes.push(Number((x.value >> BigInt(8 * i)) & 0xffn));
      addr += BigInt(l);
      continue;
    }
    hpetAccess(cur, a, 'read');
    const blk = ramBlockAt(cur, a);
    bytes.push(blk ? ramByte(ram, blk.block, blk.offset) : 0);
    addr += 1n;
  }
  return { state: cur, bytes, fx };
}

/** address_space_write: RAM bytes go to the overlay, the IOAPIC window to the device, the rest is dropped. */
export function memWrite(state: MachineState, gpa: bigint, data: readonly number[] | { fill: number; len: bigint }): Transition<MachineState> {
  const io = ioapicRegion(state);
  const len = Array.isArray(data) ? BigInt(data.length) : (data as { len: bigint }).len;
  const byteAt = (i: bigint): number => (Array.isArray(data) ? data[Number(i)] : (data as { fill: number }).fill) & 0xff;
  let t: Transition<MachineState> = done(state);
  const extents: RamExtent[] = [];
  let i = 0n;
  while (i < len) {
    const a = (gpa + i) & ((1n << 64n) - 1n);
    if (a >= io.base && a < io.base + io.size) {
      const off = a - io.base;
      const l = accessSize(io, Number(len - i > 8n ? 8n : len - i), off);
      let v = 0n;
      for (let k = 0; k < l; k++) v |= BigInt(byteAt(i + BigInt(k))) << BigInt(8 * k);
      const n = dispatchWrite(t.state, io, off, l, v);
      t = { state: n.state, fx: merge(t.fx, n.fx) };
      i += BigInt(l);
      continue;
    }
    hpetAccess(t.state, a, 'write');
    const blk = ramBlockAt(t.state, a);
    if (!blk) { i += 1n; continue; }
    // One extent for the run inside this RAM block.
    const run = blk.left < len - i ? blk.left : len - i;
    if (Array.isArray(data)) extents.push({ block: blk.block, offset: blk.offset, len: run, bytes: (data as number[]).slice(Number(i), Number(i + run)).map((b) => b & 0xff) });
    else extents.push({ block: blk.block, offset: blk.offset, len: run, fill: byteAt(0n) });
    i += run;
  }
  if (extents.length === 0) return t;
  const q = t.state.qtest as QtestStateWithRam;
  const qtest: QtestStateWithRam = { ...q, ram: [...(q.ram ?? []), ...extents] };
  return { state: { ...t.state, qtest }, fx: t.fx };
}

// ---------------------------------------------------------------------------------------------------
// The protocol.

/** qemu_strtoul / qemu_strtou64 with base 0: 0x hex, 0 octal, decimal, optional sign (negatives wrap). */
export function parseQemuUnsigned(word: string | undefined, bits = 64): bigint | undefined {
  if (word === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
  if (!m) return undefined;
  const body = m[2];
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  const limit = 1n << BigInt(bits);
  if (v >= limit) return undefined;
  return m[1] === '-' ? (limit - v) % limit : v;
}

function parseInt32(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
  if (!m) return undefined;
  const b = m[2];
  const v = /^0[xX]/.test(b) ? BigInt(b) : b.length > 1 && b[0] === '0' ? BigInt('0o' + b.slice(1)) : BigInt(b);
  const s = m[1] === '-' ? -v : v;
  if (s < -(1n << 31n) || s >= 1n << 31n) return undefined;
  return Number(s);
}

const ok = (state: MachineState, reply: string, fx: Effects = NO_EFFECTS): QtestResult => ({ state, reply, fx });
const fail = (state: MachineState, why: string): QtestResult => ({ state, reply: `FAIL ${why}`, fx: NO_EFFECTS });
const hexPad = (v: bigint | number, width: number) => v.toString(16).padStart(width, '0');

/**
 * What `irq_intercept_*` / `set_irq_in` resolve a QOM path to: the IOAPIC (the only device whose GPIOs are
 * modelled), a few other objects QEMU resolves (host bridge, root bus, pc-dimms: they have no unnamed GPIOs),
 * or nothing (`FAIL Unknown device`, e.g. the ambiguous `i8259`).
 */
function resolveDevice(state: MachineState, path: string): string | undefined {
  const host = state.config.type === 'pc' ? 'i440fx' : 'q35';
  if (path === 'ioapic' || path === `/machine/${host}/ioapic`) return 'ioapic';
  const others = [`/machine/${host}`, `/machine/${host}/${host === 'q35' ? 'pcie.0' : 'pci.0'}`, ...state.dimms.map((d) => d.path)];
  return others.includes(path) ? path : undefined;
}

function intercept(state: MachineState, words: string[]): QtestResult {
  const kind = words[0] === 'irq_intercept_in' ? 'in' : 'out';
  if (words[1] === undefined) return fail(state, `${words[0]}: missing QOM path (QEMU would abort)`);
  const dev = resolveDevice(state, words[1]);
  if (!dev) return ok(state, 'FAIL Unknown device');
  if (qemuOf(state.config).qtestDeviceCastAborts && /\/(pci|pcie)\.0$/.test(dev)) {
    throw new ModelLimit(`${words[0]} on ${dev}, a bus: QEMU ${qemuOf(state.config).version} aborts (its DEVICE() cast asserts)`);
  }
  if (state.qtest.intercept) {
    return state.qtest.intercept.target === dev ? ok(state, 'OK') : ok(state, 'FAIL IRQ intercept already enabled');
  }
  // The IOAPIC has only unnamed GPIO inputs: intercepting its outputs installs nothing; other devices have none.
  const qtest: QtestState = { ...state.qtest, intercept: { kind: dev === 'ioapic' ? kind : 'out', target: dev } };
  const note = dev === 'ioapic' && kind === 'in' ? 'ioapic: 24 inputs' : `${dev}: nothing to intercept`;
  return ok({ ...state, qtest }, 'OK', trace(kind === 'in' ? 'qemu_irq_intercept_in' : 'qdev_intercept_gpio_out', note));
}

const WIDTH: Readonly<Record<string, number>> = { b: 1, w: 2, l: 4, q: 8 };

function run(state: MachineState, line: string): QtestResult {
  const words = line.split(' ');
  const cmd = words[0];
  if (line === '' || cmd === undefined) return fail(state, 'empty line (QEMU would abort)');
  const need = (n: number) => words.slice(1, 1 + n).every((w) => w !== undefined);
  switch (cmd) {
    case 'irq_intercept_in':
    case 'irq_intercept_out':
      return intercept(state, words);
    case 'set_irq_in': {
      if (!need(4)) return fail(state, 'set_irq_in: expected PATH NAME NUM LEVEL (QEMU would abort)');
      const dev = resolveDevice(state, words[1]);
      if (!dev) return ok(state, 'FAIL Unknown device');
      if (dev !== 'ioapic') return fail(state, `set_irq_in: ${dev} has no GPIO inputs in the model`);
      const num = parseInt32(words[3]);
      const level = parseInt32(words[4]);
      if (num === undefined || level === undefined) return fail(state, 'set_irq_in: NUM and LEVEL must be integers (QEMU would abort)');
      if (words[2] !== 'unnamed-gpio-in' || num < 0 || num >= 24) return fail(state, `set_irq_in: ${dev} has no input '${words[2]}' ${num} (QEMU would abort)`);
      const t = ioapicInput(state, num, level, 0);
      return ok(t.state, 'OK', t.fx);
    }
    case 'outb':
    case 'outw':
    case 'outl': {
      if (words[1] === undefined || words[2] === undefined) return fail(state, `${cmd}: expected PORT VALUE (QEMU would abort)`);
      const port = parseQemuUnsigned(words[1]);
      const value = parseQemuUnsigned(words[2]);
      if (port === undefined) return fail(state, `${cmd}: bad port '${words[1]}' (QEMU would abort)`);
      if (value === undefined) return fail(state, `${cmd}: bad value '${words[2]}' (QEMU would abort)`);
      if (port > 0xffffn) return fail(state, `${cmd}: port ${words[1]} > 0xffff (QEMU would abort)`);
      const len = WIDTH[cmd[3]];
      const t = portWrite(state, Number(port), len, Number(value & mask(len)));
      return ok(t.state, 'OK', merge(trace(`cpu_${cmd}`, `0x${hexPad(port, 4)} 0x${hexPad(value & mask(len), 2 * len)}`), nest(t.fx)));
    }
    case 'inb':
    case 'inw':
    case 'inl': {
      if (words[1] === undefined) return fail(state, `${cmd}: expected PORT (QEMU would abort)`);
      const port = parseQemuUnsigned(words[1]);
      if (port === undefined) return fail(state, `${cmd}: bad port '${words[1]}' (QEMU would abort)`);
      if (port > 0xffffn) return fail(state, `${cmd}: port ${words[1]} > 0xffff (QEMU would abort)`);
      const r = portRead(state, Number(port), WIDTH[cmd[2]]);
      return ok(r.state, `OK 0x${hexPad(r.value >>> 0, 4)}`, merge(trace(`cpu_${cmd}`, `0x${hexPad(port, 4)} → 0x${hexPad(r.value >>> 0, 4)}`), nest(r.fx)));
    }
    case 'writeb':
    case 'writew':
    case 'writel':
    case 'writeq': {
      if (words[1] === undefined || words[2] === undefined) return fail(state, `${cmd}: expected ADDR VALUE (QEMU would abort)`);
      const addr = parseQemuUnsigned(words[1]);
      const value = parseQemuUnsigned(words[2]);
      if (addr === undefined || value === undefined) return fail(state, `${cmd}: bad number (QEMU would abort)`);
      const len = WIDTH[cmd[5]];
      const data = Array.from({ length: len }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
      const t = memWrite(state, addr, data);
      return ok(t.state, 'OK', merge(trace('address_space_write', `0x${addr.toString(16)} (${len})`), nest(t.fx)));
    }
    case 'readb':
    case 'readw':
    case 'readl':
    case 'readq': {
      if (words[1] === undefined) return fail(state, `${cmd}: expected ADDR (QEMU would abort)`);
      const addr = parseQemuUnsigned(words[1]);
      if (addr === undefined) return fail(state, `${cmd}: bad address '${words[1]}' (QEMU would abort)`);
      const len = WIDTH[cmd[4]];
      const r = memRead(state, addr, len);
      const v = r.bytes.reduce((acc, b, i) => acc | (BigInt(b) << BigInt(8 * i)), 0n);
      return ok(r.state, `OK 0x${hexPad(v, 16)}`, r.fx);
    }
    case 'read':
    case 'b64read': {
      const addr = parseQemuUnsigned(words[1]);
      const len = parseQemuUnsigned(words[2]);
      if (addr === undefined || len === undefined) return fail(state, `${cmd}: expected ADDR SIZE (QEMU would abort)`);
      if (cmd === 'read' && len === 0n) return fail(state, 'read: SIZE 0 (QEMU would abort)');
      if (len > MAX_BUFFER) return fail(state, `${cmd}: SIZE larger than the model's ${MAX_BUFFER} bytes`);
      const r = memRead(state, addr, Number(len));
      const reply = cmd === 'read' ? `OK 0x${r.bytes.map((b) => hexPad(b, 2)).join('')}` : `OK ${Buffer.from(r.bytes).toString('base64')}`;
      return ok(r.state, reply, r.fx);
    }
    case 'write':
    case 'b64write': {
      const addr = parseQemuUnsigned(words[1]);
      const len = parseQemuUnsigned(words[2]);
      if (addr === undefined || len === undefined || words[3] === undefined) return fail(state, `${cmd}: expected ADDR SIZE DATA (QEMU would abort)`);
      if (len > MAX_BUFFER) return fail(state, `${cmd}: SIZE larger than the model's ${MAX_BUFFER} bytes`);
      if (words[3].length < 3) return ok(state, 'ERR invalid argument size');
      let data: number[];
      if (cmd === 'write') {
        const nib = (c: string) => { const v = parseInt(c, 16); return Number.isNaN(v) ? 0xff : v; };
        data = Array.from({ length: Number(len) }, (_, i) => (i * 2 + 4 <= words[3].length ? ((nib(words[3][i * 2 + 2]) << 4) | nib(words[3][i * 2 + 3])) & 0xff : 0));
      } else {
        const dec = [...Buffer.from(words[3], 'base64')];
        data = Array.from({ length: Number(len) }, (_, i) => dec[i] ?? 0);
      }
      const t = memWrite(state, addr, data);
      return ok(t.state, 'OK', t.fx);
    }
    case 'memset': {
      const addr = parseQemuUnsigned(words[1]);
      const len = parseQemuUnsigned(words[2]);
      const pattern = parseQemuUnsigned(words[3]);
      if (addr === undefined || len === undefined || pattern === undefined) return fail(state, 'memset: expected ADDR SIZE VALUE (QEMU would abort)');
      if (len === 0n) return ok(state, 'OK');
      const t = memWrite(state, addr, { fill: Number(pattern & 0xffn), len });
      return ok(t.state, 'OK', t.fx);
    }
    case 'endianness':
      return ok(state, 'OK little');
    default:
      return ok(state, `FAIL Unknown command '${cmd}'`);
  }
}

/**
 * The qtest commands the model answers (the cases of `run`). `clock_step`/`clock_set` are answered as QEMU does
 * without the qtest accelerator (an unknown command); the backends never use `-accel qtest`.
 */
export const MODELLED_QTEST_COMMANDS: readonly string[] = [
  'irq_intercept_in', 'irq_intercept_out', 'set_irq_in', 'outb', 'outw', 'outl', 'inb', 'inw', 'inl',
  'writeb', 'writew', 'writel', 'writeq', 'readb', 'readw', 'readl', 'readq', 'read', 'b64read', 'write', 'b64write',
  'memset', 'endianness', 'clock_step', 'clock_set',
];

/** Every qtest command of QEMU 7.2 and 10.0 (system/qtest.c): a word outside this list is unknown to QEMU. */
export const QEMU_QTEST_COMMANDS: readonly string[] = [...MODELLED_QTEST_COMMANDS, 'module_load', 'rtas', 'log'];

/**
 * One qtest request line → the model's response line (without "\n"), new state and effects. What the model
 * does not model throws ModelLimit ("not modelled: ..."), and an engine bug throws too: neither may look like
 * QEMU's own `FAIL` answer.
 */
export function qtestLine(state: MachineState, line: string): QtestResult {
  return run(state, line);
}


