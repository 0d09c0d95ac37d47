// Building a region tree in one pass: what a run of createRegion / memory_region_add_subregion /
// memory_region_set_enabled calls on the persistent table (regions.ts) gives, made with mutable drafts and turned
// into one table at the end. A machine's initial tree (≈ 100-400 regions) is one memory transaction: going through
// the persistent table region by region copied its bucket index and a bucket per call and derived a child index
// per insertion, for intermediate tables nobody sees.
//
// Both ways implement `RegionTree`, so the code that lays a tree out is written once: `RegionsCursor` applies each
// call to the persistent table (what every later transaction does), `RegionBuilder` batches them. The result is
// the same table, region for region and in the same order (test/region-builder.property.test.ts builds machines
// both ways and compares every state).

import { addSubregion, createRegion, setEnabled, Regions, type Region, type RegionSpec } from './regions';

/** The region-tree calls a machine's start-up makes. */
export interface RegionTree {
  get(id: string): Region | undefined;
  /** createRegion; `readonly` = memory_region_set_readonly right after (an alias: isa-bios, pam-rom). */
  create(spec: RegionSpec & { readonly id: string }, readonly?: boolean): void;
  /** memory_region_add_subregion(_overlap): `priority` undefined keeps the region's own. */
  addSubregion(containerId: string, offset: bigint, subId: string, priority?: number): void;
  /** memory_region_set_enabled. */
  setEnabled(id: string, enabled: boolean): void;
}

/** Each call applied to the persistent table at once (regions.ts's functions, as they are). */
export class RegionsCursor implements RegionTree {
  constructor(public regions: Regions) {}

  get(id: string): Region | undefined {
    return this.regions.get(id);
  }

  create(spec: RegionSpec & { readonly id: string }, readonly = false): void {
    const next = createRegion(this.regions, spec);
    this.regions = readonly ? next.set({ ...next.get(spec.id)!, readonly: true }) : next;
  }

  addSubregion(containerId: string, offset: bigint, subId: string, priority?: number): void {
    this.regions = addSubregion(this.regions, containerId, offset, subId, priority);
  }

  setEnabled(id: string, enabled: boolean): void {
    this.regions = setEnabled(this.regions, id, enabled);
  }
}

/**
 * A region while the tree is made: the very fields of the Region it becomes, in the same order (mutable while the
 * tree is made), its child list growing in place. A mapped region's draft is its Region once the tree is built (it is
 * never changed after: readonly by type); an unmapped one is copied without the `container` key (makeRegion's shape).
 * A region through create, add_subregion and the final child list used to be three objects, two of them garbage.
 */
interface Draft {
  readonly id: string;
  readonly name: string;
  readonly size: bigint;
  addr: bigint;
  priority: number;
  readonly subregions: string[];
  readonly alias: string | undefined;
  readonly aliasOffset: bigint;
  enabled: boolean;
  readonly terminates: boolean;
  readonly ram: boolean;
  readonly readonly: boolean;
  readonly romDevice: boolean;
  readonly owner: string | undefined;
  container: string | undefined;
}

/** The Region of a draft without a container: makeRegion's keys (regions.ts), in its order. */
function unmapped(d: Draft): Region {
  return {
    id: d.id, name: d.name, size: d.size, addr: d.addr, priority: d.priority, subregions: d.subregions, alias: d.alias, aliasOffset: d.aliasOffset,
    enabled: d.enabled, terminates: d.terminates, ram: d.ram, readonly: d.readonly, romDevice: d.romDevice, owner: d.owner,
  };
}

/** The Region a draft stands for now (a copy: the draft changes while the tree is made). */
function regionOfDraft(d: Draft): Region {
  if (d.container === undefined) {
    return {
      id: d.id, name: d.name, size: d.size, addr: d.addr, priority: d.priority, subregions: d.subregions.slice(), alias: d.alias, aliasOffset: d.aliasOffset,
      enabled: d.enabled, terminates: d.terminates, ram: d.ram, readonly: d.readonly, romDevice: d.romDevice, owner: d.owner,
    };
  }
  return {
    id: d.id, name: d.name, size: d.size, addr: d.addr, priority: d.priority, subregions: d.subregions.slice(), alias: d.alias, aliasOffset: d.aliasOffset,
    enabled: d.enabled, terminates: d.terminates, ram: d.ram, readonly: d.readonly, romDevice: d.romDevice, owner: d.owner, container: d.container,
  };
}

/**
 * The calls batched: regions are drafts in a Map (its order is creation order, which is the order the persistent
 * table keeps them in), child lists are inserted into in place, and `build` makes the table once. Starts from an
 * empty table; the same errors as regions.ts for the same misuse.
 */
export class RegionBuilder implements RegionTree {
  private readonly drafts = new Map<string, Draft>();

  get(id: string): Region | undefined {
    const d = this.drafts.get(id);
    return d === undefined ? undefined : regionOfDraft(d);
  }

  create(spec: RegionSpec & { readonly id: string }, readonly = false): void {
    // makeRegion's fields (regions.ts), read from the spec once, with the `container` add_subregion gives last.
    const id = spec.id;
    if (this.drafts.has(id)) throw new Error(`internal: region id '${id}' exists`);
    const isAlias = spec.alias !== undefined;
    this.drafts.set(id, {
      id, name: spec.name, size: spec.size, addr: 0n, priority: spec.priority ?? 0, subregions: [], alias: spec.alias,
      aliasOffset: spec.aliasOffset ?? 0n, enabled: spec.enabled ?? true, terminates: !isAlias && spec.kind !== 'container',
      ram: !isAlias && (spec.kind === 'ram' || spec.kind === 'rom'), readonly: readonly || (!isAlias && spec.kind === 'rom'),
      romDevice: false, owner: spec.owner, container: undefined,
    });
  }

  addSubregion(containerId: string, offset: bigint, subId: string, priority?: number): void {
    const container = this.drafts.get(containerId);
    const sub = this.drafts.get(subId);
    if (!container || !sub) throw new Error(`internal: add_subregion ${containerId} <- ${subId}: unknown region`);
    if (sub.container !== undefined) throw new Error(`internal: region '${subId}' already has a container`);
    const prio = priority ?? sub.priority;
    // Before the first sibling whose priority is <= ours: equal priorities put the newest first (regions.ts).
    const list = container.subregions;
    let at = 0;
    while (at < list.length && this.drafts.get(list[at])!.priority > prio) at++;
    // An insertion by hand: splice would make an array of the (no) removed elements per call.
    list.push(subId);
    for (let i = list.length - 1; i > at; i--) list[i] = list[i - 1];
    list[at] = subId;
    sub.container = containerId;
    sub.addr = offset;
    sub.priority = prio;
  }

  setEnabled(id: string, enabled: boolean): void {
    const d = this.drafts.get(id);
    if (!d) throw new Error(`internal: set_enabled: unknown region '${id}'`);
    d.enabled = enabled;
  }

  /** The table, each region with its final child list, in creation order; the builder is spent. */
  build(): Regions {
    const out: Region[] = [];
    for (const d of this.drafts.values()) out.push(d.container === undefined ? unmapped(d) : (d as Region));
    this.drafts.clear();
    // With its alias index (Regions.ofNew): every table derived from it inherits the index, updated.
    return Regions.ofNew(out);
  }
}
