// Slot and address choice for a pc-dimm (pc_dimm_get_free_slot, memory_device_get_free_addr):
// pure functions of the realized devices, returning a value or QEMU's error.

import type { Dimm } from '../state';
import { E, type QemuError } from '../errors';
import { alignUp } from '../units';

export type Pick<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: QemuError };

const ok = <T>(value: T): Pick<T> => ({ ok: true, value });
const fail = <T>(error: QemuError): Pick<T> => ({ ok: false, error });

/** `hint` is the slot property (-1 = unassigned). Range check first, then the occupancy bitmap. */
export function chooseSlot(dimms: readonly Dimm[], hint: bigint, ramSlots: bigint): Pick<bigint> {
  if ((hint < 0n || hint >= ramSlots) && hint !== -1n) return fail(E.invalidSlot(hint, ramSlots));
  if (ramSlots <= 0n) return fail(E.noSlotsAllocated());
  if (hint !== -1n) return dimms.some((d) => d.slot === hint) ? fail(E.slotBusy(hint)) : ok(hint);
  // The occupancy bitmap: slots are below ramSlots (at most 256 on x86), small numbers.
  const used = new Uint8Array(Number(ramSlots));
  for (const d of dimms) if (d.slot >= 0n && d.slot < ramSlots) used[Number(d.slot)] = 1;
  const free = used.indexOf(0);
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

/** The devices in address order (cached per list: lists are immutable, and usually already in order). */
const byAddressCache = new WeakMap<readonly Dimm[], readonly Dimm[]>();
function byAddress(dimms: readonly Dimm[]): readonly Dimm[] {
  let sorted = byAddressCache.get(dimms);
  if (!sorted) {
    let inOrder = true;
    for (let i = 1; i < dimms.length && inOrder; i++) if (dimms[i - 1].addr > dimms[i].addr) inOrder = false;
    sorted = inOrder ? dimms : [...dimms].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    byAddressCache.set(dimms, sorted);
  }
  return sorted;
}

/** First fit from the bottom over the address-sorted realized devices, in QEMU's order of checks. */
export function chooseAddr(dimms: readonly Dimm[], r: AddrRequest): Pick<bigint> {
  const msg = r.messages ?? E;
  if (!r.deviceMemory || r.deviceMemory.size === 0n) return fail(msg.deviceMemoryNotEnabled());
  const asStart = r.deviceMemory.base;
  const asEnd = asStart + r.deviceMemory.size; // exclusive
  if (!r.kvmSlotFree) return fail(msg.noKvmSlots());
  const used = dimms.reduce((sum, d) => sum + d.size, 0n);
  const total = r.maxramSize - r.ramSize;
  if (used + r.size > total) return fail(E.notEnoughSpace(used, total));
  const hinted = r.hint !== 0n;
  if (r.sizeCheckFirst && r.size % r.align !== 0n) return fail(msg.sizeUnaligned(r.align));
  if (hinted && r.hint % r.align !== 0n) return fail(msg.addrUnaligned(r.align));
  if (r.size % r.align !== 0n) return fail(msg.sizeUnaligned(r.align));
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
  const sorted = byAddress(dimms);
  for (const d of sorted) {
    const dEnd = d.addr + d.size;
    if (d.addr < start + r.size && start < dEnd) {
      if (hinted) return fail(E.addrConflict(d.id));
      const next = alignUp(dEnd, r.align);
      if (next >= U64 || next + r.size > U64) { empty = true; break; }
      start = next;
    } else if (d.addr >= start + r.size) {
      break;
    }
  }
  if (empty || start < asStart || start + r.size > asEnd) return fail(E.fragmented());
  return ok(start);
}
