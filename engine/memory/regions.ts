// The memory region tree as immutable data, with QEMU's memory API mutators (softmmu/memory.c) as pure
// functions. Regions are keyed by a unique id; QEMU names repeat (13 × "pam-pci", two "pic"), ids do not.

export type RegionKind = 'ram' | 'rom' | 'io' | 'container';

export interface Region {
  readonly id: string;
  /** The name QEMU prints. */
  readonly name: string;
  /** Size in bytes; 2^64 for regions spanning the whole address space. */
  readonly size: bigint;
  /** Offset inside the container (meaningful only while `container` is set). */
  readonly addr: bigint;
  readonly priority: number;
  readonly container?: string;
  /** Children in QEMU's list order: priority descending, most recently added first among equals. */
  readonly subregions: readonly string[];
  /** Alias target id and offset into it. */
  readonly alias?: string;
  readonly aliasOffset: bigint;
  readonly enabled: boolean;
  /** False for pure containers (memory_region_init): they have no content of their own. */
  readonly terminates: boolean;
  readonly ram: boolean;
  readonly readonly: boolean;
  /** ROM device (romd): RAM-backed reads, MMIO writes. */
  readonly romDevice: boolean;
  /** Owner as `info mtree -o` would name it (informational). */
  readonly owner?: string;
}

export type Regions = Readonly<Record<string, Region>>;

export interface RegionSpec {
  readonly id?: string;
  readonly name: string;
  readonly size: bigint;
  readonly kind: RegionKind;
  readonly alias?: string;
  readonly aliasOffset?: bigint;
  readonly enabled?: boolean;
  readonly priority?: number;
  readonly owner?: string;
}

export function makeRegion(spec: RegionSpec): Region {
  const isAlias = spec.alias !== undefined;
  return {
    id: spec.id ?? spec.name,
    name: spec.name,
    size: spec.size,
    addr: 0n,
    priority: spec.priority ?? 0,
    subregions: [],
    alias: spec.alias,
    aliasOffset: spec.aliasOffset ?? 0n,
    enabled: spec.enabled ?? true,
    // Aliases render through their target; containers have no content of their own.
    terminates: !isAlias && spec.kind !== 'container',
    ram: !isAlias && (spec.kind === 'ram' || spec.kind === 'rom'),
    readonly: !isAlias && spec.kind === 'rom',
    romDevice: false,
    owner: spec.owner,
  };
}

export function createRegion(regions: Regions, spec: RegionSpec): Regions {
  const r = makeRegion(spec);
  if (regions[r.id]) throw new Error(`internal: region id '${r.id}' exists`);
  return { ...regions, [r.id]: r };
}

export function removeRegion(regions: Regions, id: string): Regions {
  const r = regions[id];
  if (!r) return regions;
  if (r.container) throw new Error(`internal: region '${id}' is still mapped`);
  const { [id]: _gone, ...rest } = regions;
  return rest;
}

/**
 * memory_region_add_subregion_overlap: insert before the first sibling whose priority is <= ours,
 * so equal priorities put the newest first.
 */
export function addSubregion(regions: Regions, containerId: string, offset: bigint, subId: string, priority?: number): Regions {
  const container = regions[containerId];
  const sub = regions[subId];
  if (!container || !sub) throw new Error(`internal: add_subregion ${containerId} <- ${subId}: unknown region`);
  if (sub.container) throw new Error(`internal: region '${subId}' already has a container`);
  const prio = priority ?? sub.priority;
  const list = container.subregions;
  let at = list.findIndex((other) => regions[other].priority <= prio);
  if (at < 0) at = list.length;
  const subregions = [...list.slice(0, at), subId, ...list.slice(at)];
  return {
    ...regions,
    [containerId]: { ...container, subregions },
    [subId]: { ...sub, container: containerId, addr: offset, priority: prio },
  };
}

export function delSubregion(regions: Regions, containerId: string, subId: string): Regions {
  const container = regions[containerId];
  const sub = regions[subId];
  if (!container || !sub || sub.container !== containerId) {
    throw new Error(`internal: del_subregion ${containerId} -/- ${subId}: not a child`);
  }
  const { container: _c, ...unmapped } = sub;
  return {
    ...regions,
    [containerId]: { ...container, subregions: container.subregions.filter((s) => s !== subId) },
    [subId]: unmapped,
  };
}

export function setEnabled(regions: Regions, id: string, enabled: boolean): Regions {
  const r = regions[id];
  if (!r) throw new Error(`internal: set_enabled: unknown region '${id}'`);
  if (r.enabled === enabled) return regions;
  return { ...regions, [id]: { ...r, enabled } };
}

/** memory_region_set_address: delete and re-add, which moves it to the front of its priority group. */
export function setAddress(regions: Regions, id: string, addr: bigint): Regions {
  const r = regions[id];
  if (!r) throw new Error(`internal: set_address: unknown region '${id}'`);
  if (r.addr === addr || !r.container) return r.addr === addr ? regions : { ...regions, [id]: { ...r, addr } };
  const container = r.container;
  return addSubregion(delSubregion(regions, container, id), container, addr, id, r.priority);
}

export function setAliasOffset(regions: Regions, id: string, offset: bigint): Regions {
  const r = regions[id];
  if (!r || r.alias === undefined) throw new Error(`internal: set_alias_offset: '${id}' is not an alias`);
  return r.aliasOffset === offset ? regions : { ...regions, [id]: { ...r, aliasOffset: offset } };
}

/** Absolute address of a mapped region (sum of offsets up to its root). */
export function absoluteAddr(regions: Regions, id: string): bigint {
  let addr = 0n;
  for (let r: Region | undefined = regions[id]; r; r = r.container ? regions[r.container] : undefined) addr += r.addr;
  return addr;
}

/** QEMU's memory_region_type: follow the alias chain; containers print as i/o. */
export function regionType(regions: Regions, id: string): 'ram' | 'rom' | 'romd' | 'i/o' {
  let r = regions[id];
  while (r.alias !== undefined) r = regions[r.alias];
  if (r.romDevice) return 'romd';
  if (r.ram && r.readonly) return 'rom';
  if (r.ram) return 'ram';
  return 'i/o';
}
