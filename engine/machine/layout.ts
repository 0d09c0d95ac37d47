// Where RAM and device memory go: the arithmetic of pc_init1 / pc_q35_init / pc_memory_init
// (hw/i386/pc_piix.c, pc_q35.c, pc.c), including the AMD 1 TiB relocation and the phys-bits check.

import { cpuNodes } from './cpus';
import type { MachineConfig } from '../config/types';
import { E } from '../errors';
import { GiB, alignUp } from '../units';
import type { Checked } from '../outcome';

export interface Layout {
  readonly below4g: bigint;
  readonly above4g: bigint;
  /** 4 GiB, or 1 TiB after the AMD HyperTransport relocation. */
  readonly aboveStart: bigint;
  /** The `device-memory` container, present when has_reserved_memory and ram < maxram. */
  readonly deviceMemory?: { readonly base: bigint; readonly size: bigint };
  /** NUMA nodes in effect (an implicit node 0 when memory hotplug is configured). */
  readonly numNodes: number;
  /** Boot memory per node, index = node id. */
  readonly nodeMem: readonly bigint[];
  /** The node of the one vCPU (CPU index 0): the node whose `cpus=` names it, else the board's default, node 0. */
  readonly cpuNode: number;
  /** Each vCPU's node by CPU index (undefined without NUMA nodes): engine/machine/cpus.ts. */
  readonly cpuNodes: readonly (number | undefined)[];
  readonly physBits: number;
  /** A warning QEMU prints on stderr without refusing (e.g. max-ram-below-4g not GiB-aligned). */
  readonly warnings: readonly string[];
}

const AMD_HT_START = 0xfd00000000n;
const AMD_ABOVE_1TB_START = 0x10000000000n;
/** The default `qemu64` CPU: vendor AuthenticAMD, 40 physical address bits (TCG and KVM without host-phys-bits). */
export const DEFAULT_PHYS_BITS = 40;
const PCI_HOLE64_SIZE = { pc: 0x80000000n, q35: 0x800000000n } as const;
const ACPI_MAX_RAM_SLOTS = 256n;
const TARGET_PAGE_SIZE = 4096n;

export type LayoutResult = Checked<Layout>;

function splitRam(c: MachineConfig): { below: bigint; above: bigint; warnings: string[] } {
  const warnings: string[] = [];
  let lowmem: bigint;
  if (c.type === 'pc') {
    const maxBelow = c.maxRamBelow4g ?? 0xe0000000n;
    lowmem = maxBelow;
    if (c.ramSize >= maxBelow && c.flags.gigabyteAlign) {
      if (lowmem > 0xc0000000n) lowmem = 0xc0000000n;
      if (lowmem % GiB !== 0n) {
        warnings.push(`Large machine and max_ram_below_4g (${maxBelow}) not a multiple of 1G; possible bad performance.`);
      }
    }
  } else {
    lowmem = c.ramSize >= 0xb0000000n ? 0x80000000n : 0xb0000000n;
    const maxBelow = c.maxRamBelow4g ?? 4n * GiB;
    if (lowmem > maxBelow) {
      lowmem = maxBelow;
      if (c.ramSize - lowmem > lowmem && lowmem % GiB !== 0n) {
        warnings.push(`There is possibly poor performance as the ram size  (0x${c.ramSize.toString(16)}) is more then twice the size of max-ram-below-4g (${maxBelow}) and max-ram-below-4g is not a multiple of 1G.`);
      }
    }
  }
  return c.ramSize >= lowmem
    ? { below: lowmem, above: c.ramSize - lowmem, warnings }
    : { below: c.ramSize, above: 0n, warnings };
}

function deviceMemoryRange(c: MachineConfig, aboveEnd: bigint): { base: bigint; size: bigint } {
  const base = alignUp(aboveEnd, GiB);
  let size = c.maxramSize - c.ramSize;
  // "1 GiB page max alignment per slot"
  if (c.flags.enforceAlignedDimm) size += GiB * c.ramSlots;
  return { base, size };
}

function maxUsedGpa(c: MachineConfig, aboveStart: bigint, above: bigint): bigint {
  const aboveEnd = aboveStart + above;
  let hole64: bigint;
  if (c.flags.hasReservedMemory && c.ramSize < c.maxramSize) {
    const r = deviceMemoryRange(c, aboveEnd);
    hole64 = c.flags.brokenReservedEnd ? r.base : r.base + r.size;
  } else {
    hole64 = aboveEnd;
  }
  return alignUp(hole64, GiB) + PCI_HOLE64_SIZE[c.type] - 1n;
}

export function computeLayout(c: MachineConfig): LayoutResult {
  const { below, above, warnings } = splitRam(c);
  const physBits = DEFAULT_PHYS_BITS;
  let aboveStart = 0x100000000n;
  if (c.flags.enforceAmd1TbHole && maxUsedGpa(c, aboveStart, above) >= AMD_HT_START) {
    aboveStart = AMD_ABOVE_1TB_START;
  }
  const used = maxUsedGpa(c, aboveStart, above);
  const limit = (1n << BigInt(physBits)) - 1n;
  if (limit < used) return { ok: false, error: E.physBitsTooLow(limit, used, physBits) };

  if (!c.flags.hasReservedMemory && (c.ramSlots > 0n || c.maxramSize > c.ramSize)) {
    return { ok: false, error: E.memoryNotSupported(c.machineName) };
  }
  let deviceMemory: Layout['deviceMemory'];
  if (c.flags.hasReservedMemory && c.ramSize < c.maxramSize) {
    if (c.ramSlots > ACPI_MAX_RAM_SLOTS) return { ok: false, error: E.tooManySlots(c.ramSlots) };
    if (c.maxramSize % TARGET_PAGE_SIZE !== 0n) return { ok: false, error: E.maxmemUnaligned() };
    deviceMemory = deviceMemoryRange(c, aboveStart + above);
    if (deviceMemory.base + deviceMemory.size >= 1n << 64n) return { ok: false, error: E.maxmemOverflow(c.maxramSize) };
  }

  // numa_complete_configuration: an implicit node when memory hotplug (or memdev-backed maxmem) is configured.
  let numNodes = c.numa.length === 0 ? 0 : Math.max(...c.numa.map((n) => n.nodeid)) + 1;
  let nodeMem: bigint[] = [];
  if (numNodes === 0) {
    const implicit = (c.ramSlots > 0n && c.flags.autoEnableNumaWithMemhp) || (c.maxramSize > c.ramSize && c.flags.autoEnableNumaWithMemdev);
    if (implicit) {
      numNodes = 1;
      nodeMem = [c.ramSize];
    }
  } else {
    nodeMem = Array.from({ length: numNodes }, () => 0n);
    for (const n of c.numa) {
      const backend = n.memdev === undefined ? undefined : c.backends.find((b) => b.id === n.memdev);
      nodeMem[n.nodeid] = backend?.size ?? n.mem ?? 0n;
    }
  }
  const nodes = cpuNodes(c, numNodes);
  const cpuNode = nodes[0] ?? 0;
  return { ok: true, value: { below4g: below, above4g: above, aboveStart, deviceMemory, numNodes, nodeMem, cpuNode, cpuNodes: nodes, physBits, warnings } };
}
