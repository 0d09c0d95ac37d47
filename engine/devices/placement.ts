// Slot and address choice for a pc-dimm (pc_dimm_get_free_slot, memory_device_get_free_addr):
// pure functions of the realized devices, returning a value or QEMU's error.

import type { Dimm } from '../state';
import { E, type QemuError } from '../errors';
import { alignUp } from '../units';
import { ChunkList, insertAt, removeAt } from '../arrays';

import type { Checked } from '../outcome';
import { hiddenSlot, type HiddenSlot } from '../hidden';

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: QemuError): Checked<T> => ({ ok: false, error });

/** `hint` is the slot property (-1 = unassigned). Range check first, then the occupancy bitmap. */
export function chooseSlot(dimms: readonly Dimm[], hint: bigint, ramSlots: bigint): Checked<bigint> {
  if ((hint < 0n || hint >= ramSlots) && hint !== -1n) return fail(E.invalidSlot(hint, ramSlots));
  if (ramSlots <= 0n) return fail(E.noSlotsAllocated());
  if (hint !== -1n) return dimms.some((d) => d.slot === hint) ? fail(E.slotBusy(hint)) : ok(hint);
  // The occupancy bitmap: slots are below ramSlots (at most 256 on x86), small numbers; remembered per list.
  const free = freeSlot(dimms, ramSlots);
  return free >= 0 ? ok(BigInt(free)) : fail(E.noFreeSlots());
}

export interface AddrRequest {
  /** Device memory region [base, base+size); undefined when the machine has none. */
  readonly deviceMemory?: { readonly base: bigint; readonly size: bigint };
  readonly maxramSize: bigint;
  readonly ramSize: bigint;
  /** Explicit `addr` property; 0 means auto. */
  readonly hint: bigint;
  readonly align: bigint;
  readonly size: bigint;
  /** KVM only: whether another memory slot can still be had. */
  readonly kvmSlotFree: boolean;
  /** The release's words (default: engine/errors.ts). */
  readonly messages?: typeof E;
  /** memory_device_pre_plug checks the size against the region's alignment before the address hint (10.0). */
  readonly sizeCheckFirst?: boolean;
}

const U64 = 1n << 64n;

/**
 * What placement derives from a list of realized DIMMs, remembered per list (lists are immutable): the DIMMs in
 * address order, the plugged size, the last first-fit answer and the slot bitmap. A list made by plugging one more DIMM
 * (`withDimm`) gets its index from its parent's in O(1) when the new DIMM comes last in address order (the
 * usual case), so a plug does not re-sort, re-sum or re-scan the DIMMs already there. Checked against the
 * straightforward computation by test/placement.property.test.ts.
 */
interface PlacementIndex {
  /**
   * The DIMMs in address order; undefined when the list itself is (the usual case: an index holding its own
   * key would keep it from being collected young). In chunks: a plug or unplug out of address order (a DIMM
   * plugged again into a hole) copies one chunk, not the whole order.
   */
  readonly sorted?: ChunkList<Dimm>;
  readonly used: bigint;
  /**
   * The last unhinted first fit: for this alignment, size and device-memory start, the answer is `at`
   * (`exact`) or at least `at` (a DIMM plugged since may cover it: positions below stayed taken).
   */
  fit?: { readonly align: bigint; readonly size: bigint; readonly base: bigint; readonly at: bigint; readonly exact: boolean };
  /**
   * The slot occupancy bitmap for `ramSlots` slots: bit k set while slot k is used. A bigint (32 bytes for 256
   * slots), so that deriving a list's from its parent's copies nothing of the size of the machine.
   */
  slots?: SlotBitmap;
}

/**
 * The slot occupancy bitmap for `ramSlots` slots: bit k set while slot k is used. A bigint (32 bytes for 256 slots),
 * so that deriving a list's from its parent's copies nothing of the size of the machine. `floor`: every slot below it
 * is used; `exact`: slot `floor` itself is free (so it is the lowest free slot, without a look at the bits: a plug
 * after an unplug, the usual sequence, takes the slot the unplug freed).
 */
interface SlotBitmap {
  readonly ramSlots: bigint;
  readonly used: bigint;
  readonly floor: number;
  readonly exact: boolean;
}

function bitmapOf(dimms: readonly Dimm[], ramSlots: bigint): bigint {
  let used = 0n;
  for (const d of dimms) if (d.slot >= 0n && d.slot < ramSlots) used |= 1n << d.slot;
  return used;
}

/** The lowest free slot below `ramSlots`, or -1: from the list's remembered bitmap and floor. */
function freeSlot(dimms: readonly Dimm[], ramSlots: bigint): number {
  const idx = placementIndex(dimms);
  let s = idx.slots;
  if (s?.ramSlots !== ramSlots) idx.slots = s = { ramSlots, used: bitmapOf(dimms, ramSlots), floor: 0, exact: false };
  if (s.exact) return s.floor;
  if (s.floor >= Number(ramSlots)) return -1;
  const k = lowestClear(s.used, ramSlots);
  idx.slots = { ramSlots, used: s.used, floor: k < 0 ? Number(ramSlots) : k, exact: k >= 0 };
  return k;
}

/** The lowest clear bit of `used` below `limit`, or -1. */
export function lowestClear(used: bigint, limit: bigint): number {
  const bit = ~used & (used + 1n); // the lowest clear bit alone (used is not negative)
  let k = 0;
  // Its position: by halves on 32-bit words, then within the word.
  let x = bit;
  while (x > 0xffffffffn) {
    x >>= 32n;
    k += 32;
  }
  k += 31 - Math.clz32(Number(x));
  return BigInt(k) < limit ? k : -1;
}

/**
 * Each list's index, kept on the list itself out of sight (engine/hidden.ts). Not in a WeakMap: V8's
 * young-generation collections keep a WeakMap's values alive whatever becomes of their keys, so every plug's index
 * (the address-sorted DIMMs) was copied and promoted; not under a symbol defined non-enumerable either, which cost
 * ≈ 300 ns a list.
 */
const indexCache: HiddenSlot<PlacementIndex> = hiddenSlot();

function placementIndex(dimms: readonly Dimm[]): PlacementIndex {
  let idx = indexCache.get(dimms);
  if (!idx) {
    let inOrder = true;
    for (let i = 1; i < dimms.length && inOrder; i++) if (dimms[i - 1].addr > dimms[i].addr) inOrder = false;
    const sorted = inOrder ? dimms : [...dimms].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    idx = { sorted: sorted === dimms ? undefined : ChunkList.of(sorted), used: dimms.reduce((sum, d) => sum + d.size, 0n) };
    indexCache.set(dimms, idx);
  }
  return idx;
}

/** `[...dimms, dimm]`, with its placement index derived from the parent list's when that one is known. */
export function withDimm(dimms: readonly Dimm[], dimm: Dimm): readonly Dimm[] {
  const next = insertAt(dimms, dimms.length, dimm);
  const idx = indexCache.get(dimms);
  if (idx) {
    let sorted: ChunkList<Dimm> | undefined;
    if (idx.sorted === undefined && (dimms.length === 0 || dimms[dimms.length - 1].addr <= dimm.addr)) sorted = undefined; // appended in address order
    else {
      // After the last DIMM at or below its address (the order is by address): by halves.
      const s = idx.sorted ?? ChunkList.of(dimms);
      sorted = s.insert(s.search((d) => d.addr <= dimm.addr), dimm);
    }
    const f = idx.fit;
    const covers = f !== undefined && dimm.addr < f.at + f.size && f.at < dimm.addr + dimm.size;
    indexCache.set(next, { sorted, used: idx.used + dimm.size, fit: f && (covers ? { ...f, exact: false } : f), slots: withSlotBit(idx.slots, dimm.slot, 1) });
  }
  return next;
}

/** `dimms` without the DIMM at `path`, with its placement index derived from the parent list's when that one is known. */
export function withoutDimm(dimms: readonly Dimm[], path: string, known?: Dimm): readonly Dimm[] {
  // The DIMM itself when the caller has it (a pointer comparison), else by its path; paths are unique.
  let at = known === undefined ? -1 : dimms.indexOf(known);
  if (at < 0 || dimms[at].path !== path) {
    at = -1;
    for (let i = 0; i < dimms.length; i++) {
      if (dimms[i].path === path) {
        at = i;
        break;
      }
    }
  }
  if (at < 0) return dimms.slice();
  const gone = dimms[at];
  const next = removeAt(dimms, at);
  const idx = indexCache.get(dimms);
  if (idx && next.length === dimms.length - 1) {
    const sorted = idx.sorted && withoutOne(idx.sorted, gone);
    // A freed range can hold the next fit: positions below the remembered one were taken, and only those whose
    // window reaches into the freed range are free now, so the first fit is at least the lower of the two.
    const f = idx.fit;
    let fit: PlacementIndex['fit'];
    if (f) {
      const floor = alignUp(f.base, f.align);
      const reach = gone.addr - f.size + 1n;
      const low = reach > floor ? alignUp(reach, f.align) : floor;
      fit = { align: f.align, size: f.size, base: f.base, at: low < f.at ? low : f.at, exact: false };
    }
    indexCache.set(next, { sorted, used: idx.used - gone.size, fit, slots: withSlotBit(idx.slots, gone.slot, 0) });
  }
  return next;
}

/** `list` without the element `x` (by identity), found by address (the list is in address order). */
function withoutOne(list: ChunkList<Dimm>, x: Dimm): ChunkList<Dimm> {
  let at = list.search((d) => d.addr < x.addr);
  while (at < list.length && list.at(at) !== x && list.at(at)!.addr === x.addr) at++;
  if (at >= list.length || list.at(at) !== x) return ChunkList.of(list.toArray().filter((d) => d !== x));
  return list.remove(at);
}

function withSlotBit(slots: PlacementIndex['slots'], slot: bigint, bit: 0 | 1): PlacementIndex['slots'] {
  if (!slots) return undefined;
  if (slot < 0n || slot >= slots.ramSlots) return slots;
  const k = Number(slot);
  const { ramSlots, used, floor, exact } = slots;
  if (bit) {
    // Taking the lowest free slot moves the floor up by one (what is above it is not known); another keeps it.
    return { ramSlots, used: used | (1n << slot), floor: k === floor ? floor + 1 : floor, exact: k === floor ? false : exact };
  }
  // Freeing a slot at or below the floor makes it the lowest free one (every slot below the floor is used).
  return { ramSlots, used: used & ~(1n << slot), floor: k <= floor ? k : floor, exact: k <= floor ? true : exact };
}

/** The first index of `sorted` whose DIMM ends after `x` (DIMMs do not overlap: ends are in order too). */
function firstEndingAfter(sorted: readonly Dimm[], x: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].addr + sorted[mid].size <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First fit from the bottom over the address-sorted realized devices, in QEMU's order of checks. */
export function chooseAddr(dimms: readonly Dimm[], r: AddrRequest): Checked<bigint> {
  const msg = r.messages ?? E;
  if (!r.deviceMemory || r.deviceMemory.size === 0n) return fail(msg.deviceMemoryNotEnabled());
  const asStart = r.deviceMemory.base;
  const asEnd = asStart + r.deviceMemory.size; // exclusive
  if (!r.kvmSlotFree) return fail(msg.noKvmSlots());
  const idx = placementIndex(dimms);
  const used = idx.used;
  const total = r.maxramSize - r.ramSize;
  if (used + r.size > total) return fail(E.notEnoughSpace(used, total));
  const hinted = r.hint !== 0n;
  const sizeUnaligned = r.size % r.align !== 0n; // one bigint remainder for both checks below
  if (r.sizeCheckFirst && sizeUnaligned) return fail(msg.sizeUnaligned(r.align));
  if (hinted && r.hint % r.align !== 0n) return fail(msg.addrUnaligned(r.align));
  if (sizeUnaligned) return fail(msg.sizeUnaligned(r.align));
  let start: bigint;
  if (hinted) {
    const inside = r.size > 0n && r.hint + r.size <= U64 && r.hint >= asStart && r.hint + r.size <= asEnd;
    if (!inside) return fail(E.addrOutOfRange(r.hint, r.size, asStart, r.deviceMemory.size));
    start = r.hint;
  } else {
    start = alignUp(asStart, r.align);
    if (start + r.size > U64 || r.size === 0n) return fail(E.deviceTooBig());
  }
  let empty = false;
  let conflict: Dimm | undefined;
  const sorted = idx.sorted;
  // Positions below the last answer for the same request are still taken (DIMMs were only added since): the
  // scan starts there, past the DIMMs that end below it. First fit is the lowest aligned position free of
  // every DIMM, so starting from a lower bound finds the same one.
  let from = 0;
  const f = idx.fit;
  const memo = !hinted && f !== undefined && f.align === r.align && f.size === r.size && f.base === asStart;
  if (memo && f.exact) return f.at < asStart || f.at + r.size > asEnd ? fail(E.fragmented()) : ok(f.at);
  if (memo) {
    start = f.at;
    const at = start;
    from = sorted ? sorted.search((d) => d.addr + d.size <= at) : firstEndingAfter(dimms, at);
  }
  /** One DIMM of the scan in address order: false once the scan is over. */
  const visit = (d: Dimm): boolean => {
    const dEnd = d.addr + d.size;
    if (d.addr < start + r.size && start < dEnd) {
      if (hinted) {
        conflict = d;
        return false;
      }
      const next = alignUp(dEnd, r.align);
      if (next >= U64 || next + r.size > U64) {
        empty = true;
        return false;
      }
      start = next;
      return true;
    }
    return d.addr < start + r.size;
  };
  if (sorted) sorted.scanFrom(from, visit);
  else for (let k = from; k < dimms.length && visit(dimms[k]); k++);
  if (conflict) return fail(E.addrConflict(conflict.id));
  if (!hinted && !empty) idx.fit = { align: r.align, size: r.size, base: asStart, at: start, exact: true };
  if (empty || start < asStart || start + r.size > asEnd) return fail(E.fragmented());
  return ok(start);
}
