// The whole machine as one immutable value. Sub-systems own their slice's type; derived views
// (flat view rendering, SCI level, query replies, `info` text) are selectors over this value.

import type { MachineConfig } from './config/types';
import type { Layout } from './machine/layout';
import type { MemoryState } from './memory/types';
import type { AcpiState } from './acpi/types';
import type { IrqState } from './irq/types';
import type { GHash } from './qom/ghash';

export interface MemoryBackend {
  readonly id: string;
  readonly type: 'memory-backend-ram' | 'memory-backend-memfd' | 'memory-backend-file';
  /** memory-backend-file: mem-path, discard-data (the file itself is host state: not modelled). */
  readonly file?: { readonly memPath: string; readonly discardData: boolean };
  readonly size: bigint;
  /** Alignment of the backing RAM block: 2 MiB for ram (QEMU_VMALLOC_ALIGN), host page (4 KiB) for memfd. */
  readonly align: bigint;
  /** host_memory_backend_is_mapped: set while a pc-dimm uses it. */
  readonly mapped: boolean;
  /** The main RAM backend (`pc.ram`, or the `-numa memdev`s) cannot be plugged. */
  readonly internal: boolean;
  /** Region id of its RAM memory region (the object id). */
  readonly region: string;
  /** The HostMemoryBackend properties query-memdev and `info memdev` show. */
  readonly props: BackendProps;
}

export interface BackendProps {
  readonly merge: boolean;
  readonly dump: boolean;
  readonly prealloc: boolean;
  readonly share: boolean;
  readonly reserve: boolean;
  /** HostMemPolicy; qom-set may change it at run time. */
  readonly policy: BackendPolicy;
  /** memory-backend-memfd's `seal` (absent: the default, on). */
  readonly seal?: boolean;
  /** host-nodes (only node 0 is modelled: other nodes depend on the host's NUMA topology); absent: none. */
  readonly hostNodes?: readonly number[];
}

export type BackendPolicy = 'default' | 'preferred' | 'bind' | 'interleave';

export interface Dimm {
  readonly id?: string;
  /** QOM path: /machine/peripheral/<id> or /machine/peripheral-anon/device[N]. */
  readonly path: string;
  readonly memdev: string;
  readonly slot: bigint;
  readonly addr: bigint;
  readonly node: bigint;
  readonly size: bigint;
  readonly hotplugged: boolean;
}

/** Guest RAM written through qtest: a sparse overlay of bytes keyed by RAM block (pc.ram or a DIMM's memdev). */
export interface RamExtent {
  readonly block: string;
  readonly offset: bigint;
  /** Bytes written, or a fill value repeated `len` times (memset). */
  readonly bytes?: readonly number[];
  readonly fill?: number;
  readonly len: bigint;
}

export interface QtestState {
  /** `irq_intercept_in` target ('ioapic') or undefined. */
  readonly intercept?: { readonly kind: 'in' | 'out'; readonly target: string };
  /** Per-pin level cache qtest keeps to report only changes (24 IOAPIC pins). */
  readonly levels: readonly number[];
  /** Written guest RAM; absent until the first write. */
  readonly ram?: readonly RamExtent[];
}

export interface MachineState {
  readonly config: MachineConfig;
  /**
   * QEMU 10.0's CPR registry of memfd file descriptors, by RAM block name, with the file's size: a memfd
   * backend whose RAM block could not be set up leaves its fd registered, and the next backend of that name
   * reuses the file. The one thing a refused command changes (QEMU keeps it too); absent: empty.
   */
  readonly cprFds?: Readonly<Record<string, bigint>>;
  readonly layout: Layout;
  readonly mem: MemoryState;
  /** Memory backend objects, in creation order. */
  readonly backends: readonly MemoryBackend[];
  /** Realized pc-dimms, in realize order (QEMU's object-tree order for queries that don't sort). */
  readonly dimms: readonly Dimm[];
  /** The children of /objects (memory backends) as QEMU's hash table holds them (qom-list, query-memdev). */
  readonly objects: GHash;
  /** The children of /machine/peripheral as QEMU's hash table holds them (qom-list prints its order). */
  readonly peripheral: GHash;
  /** Counter for /machine/peripheral-anon/device[N]. */
  readonly anonCount: number;
  readonly acpi: AcpiState;
  /** /machine properties changed by qom-set after the machine was created (read back by qom-get; absent: none). */
  readonly machineProps?: Readonly<Record<string, unknown>>;
  readonly irq: IrqState;
  readonly qtest: QtestState;
  /**
   * Each flat view's last lookup since it was generated (by address-space root region: the last address an access
   * went through), for the ` [MRU]` mark of `info mtree -f -d`; it holds while `mem.flat` is still the `views` object
   * it was recorded against (every commit that regenerates the views starts them without one). Absent: none.
   */
  readonly dispatchMru?: { readonly views: object; readonly last: Readonly<Record<string, bigint>> };
}
