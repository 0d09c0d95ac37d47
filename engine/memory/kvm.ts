// KVM memory slots as the KVM memory listener keeps them (accel/kvm/kvm-all.c semantics, modelled from the
// documented rules in the facts file §3.6): one slot per RAM/ROM flat range of AS "memory", host-page
// aligned, lowest free slot id, KVM_MEM_READONLY for read-only regions; removal frees the slot that matches
// the range's aligned start and size exactly.

import { trace, type Effects, merge, NO_EFFECTS } from '../effects';
import { hex } from '../units';
import type { Regions } from './regions';
import type { FlatRange, KvmSlot, MemoryState } from './types';

export const KVM_MEM_LOG_DIRTY_PAGES = 0x1;
export const KVM_MEM_READONLY = 0x2;
/** Host page size used for slot alignment. */
export const HOST_PAGE_SIZE = 4096n;
/** KVM_CAP_NR_MEMSLOTS observed on this host (Linux 6.x). */
export const KVM_NR_SLOTS = 32764;
/** The AS the KVM listener serves (as_id 0). SMRAM (as_id 1) is absent: KVM_CAP_X86_SMM is 0 here. */
export const KVM_AS_NAME = 'memory';

/** What a flat range would become as a slot, or undefined when KVM ignores it (MMIO, or nothing left after alignment). */
export function slotShape(regions: Regions, range: FlatRange): { start: bigint; size: bigint; flags: number } | undefined {
  const mr = regions.get(range.region);
  if (!mr) return undefined;
  const writable = !mr.readonly && !mr.romDevice;
  // Plain MMIO never gets a slot; a ROM device (read-only memory allowed) does, read-only.
  if (!mr.ram && writable) return undefined;
  const aligned = alignRange(range);
  if (!aligned) return undefined;
  const flags = mr.readonly || mr.romDevice ? KVM_MEM_READONLY : 0;
  return { ...aligned, flags };
}

function lowestFreeId(slots: readonly KvmSlot[]): number {
  const used = new Set(slots.map((s) => s.id));
  let id = 0;
  while (used.has(id)) id++;
  return id;
}

/** Host-page alignment of a range (kvm_align_section); undefined when nothing is left. */
export function alignRange(range: FlatRange): { start: bigint; size: bigint } | undefined {
  const start = ((range.start + HOST_PAGE_SIZE - 1n) / HOST_PAGE_SIZE) * HOST_PAGE_SIZE;
  const delta = start - range.start;
  const total = range.end - range.start;
  if (delta >= total) return undefined;
  const size = ((total - delta) / HOST_PAGE_SIZE) * HOST_PAGE_SIZE;
  return size === 0n ? undefined : { start, size };
}

/**
 * kvm_region_del: free the slot with exactly this aligned start and size (nothing when none matches).
 * Only RAM/ROM ranges ever got a slot, so matching the slot's region is enough; the region itself may
 * already be gone from the tree.
 */
export function kvmRegionDel(slots: readonly KvmSlot[], range: FlatRange): { slots: readonly KvmSlot[]; fx: Effects } {
  const shape = alignRange(range);
  if (!shape) return { slots, fx: NO_EFFECTS };
  const victim = slots.find((s) => s.as === 0 && s.start === shape.start && s.size === shape.size && s.region === range.region);
  if (!victim) return { slots, fx: NO_EFFECTS };
  return {
    slots: slots.filter((s) => s !== victim),
    fx: merge(trace('kvm_region_del', `slot ${victim.id} gpa ${hex(victim.start)} size ${hex(victim.size)}`, 1), trace('kvm_set_phys_mem', 'remove: KVM_SET_USER_MEMORY_REGION size 0', 2)),
  };
}

/** kvm_region_add: take the lowest free slot id. */
export function kvmRegionAdd(regions: Regions, slots: readonly KvmSlot[], range: FlatRange): { slots: readonly KvmSlot[]; fx: Effects } {
  const shape = slotShape(regions, range);
  if (!shape) return { slots, fx: NO_EFFECTS };
  const slot: KvmSlot = Object.freeze({ id: lowestFreeId(slots), as: 0, start: shape.start, size: shape.size, flags: shape.flags, region: range.region });
  const flagNote = shape.flags ? ` flags ${hex(BigInt(shape.flags))}` : '';
  return {
    slots: [...slots, slot],
    fx: merge(trace('kvm_region_add', `slot ${slot.id} gpa ${hex(slot.start)} size ${hex(slot.size)}${flagNote}`, 1), trace('kvm_set_phys_mem', `add: kvm_set_user_memory_region slot ${slot.id}`, 2)),
  };
}

/** Apply one AS "memory" topology update: pass 1 deletions, pass 2 additions, both in address order. */
export function kvmApplyDiff(
  regionsNew: Regions,
  slots: readonly KvmSlot[],
  removed: readonly FlatRange[],
  added: readonly FlatRange[],
): { slots: readonly KvmSlot[]; fx: Effects } {
  let cur = slots;
  let fx = NO_EFFECTS;
  for (const r of removed) {
    const res = kvmRegionDel(cur, r);
    cur = res.slots;
    fx = merge(fx, res.fx);
  }
  for (const r of added) {
    const res = kvmRegionAdd(regionsNew, cur, r);
    cur = res.slots;
    fx = merge(fx, res.fx);
  }
  return { slots: cur, fx };
}

/** Selector: the KVM slots in use, by slot id. */
export function kvmSlotsView(mem: MemoryState): readonly KvmSlot[] {
  return [...mem.kvmSlots].sort((a, b) => a.id - b.id);
}

/** kvm_has_free_slot: used by memory-device pre-plug. */
export function kvmHasFreeSlot(mem: MemoryState, nrSlots: number = KVM_NR_SLOTS): boolean {
  return mem.kvmSlots.filter((s) => s.as === 0).length < nrSlots;
}

/** kvm_accel_has_memory: a slot exactly covering this flat range (what `info mtree -f` marks with ` KVM`). */
export function kvmHasMemory(mem: MemoryState, start: bigint, size: bigint): boolean {
  return mem.kvmSlots.some((s) => s.as === 0 && s.start === start && s.size === size);
}
