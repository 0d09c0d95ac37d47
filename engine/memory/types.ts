// Memory sub-system state: the region tree plus what QEMU derives from it and keeps (flat views as last
// committed, KVM memory slots, whose ids depend on history and so are state, not a selector).

import type { Regions } from './regions';

/** One range of a rendered FlatView (QEMU's FlatRange). `end` is exclusive. */
export interface FlatRange {
  readonly start: bigint;
  readonly end: bigint;
  /** Id of the terminating region that provides the content. */
  readonly region: string;
  /** Offset of `start` inside that region (printed as `@%016llx` when non-zero). */
  readonly offsetInRegion: bigint;
  readonly readonly: boolean;
}

/** A KVM memory slot (kvm_set_user_memory): `id` is the slot index, `as` the KVM address-space id. */
export interface KvmSlot {
  readonly id: number;
  readonly as: number;
  readonly start: bigint;
  readonly size: bigint;
  /** KVM_MEM_LOG_DIRTY_PAGES 0x1, KVM_MEM_READONLY 0x2. */
  readonly flags: number;
  readonly region: string;
}

export interface AddressSpace {
  /** QEMU's AS name, e.g. "memory", "I/O", "cpu-memory-0", "cpu-smm-0". */
  readonly name: string;
  readonly root: string;
}

export interface MemoryState {
  readonly regions: Regions;
  /** In QEMU's creation order (it matters for `info mtree` and FlatView sharing). */
  readonly addressSpaces: readonly AddressSpace[];
  /** memory_region_transaction_begin depth and whether an update is pending. */
  readonly txDepth: number;
  readonly pending: boolean;
  /** Last committed flat view per root region id (views are shared by ASes with the same root). */
  readonly flat: Readonly<Record<string, readonly FlatRange[]>>;
  /** KVM memory slots; empty (and unused) under TCG. */
  readonly kvmSlots: readonly KvmSlot[];
}
