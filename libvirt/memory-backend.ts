// The memory backends libvirt 9.0 puts on QEMU's command line for guest NUMA cells, DIMMs and (without NUMA)
// the main RAM (qemuBuildMemoryBackendProps, qemuBuildThreadContextProps), as data: which backend type, the
// mem-path, share, prealloc, discard-data, host-nodes/policy and the thread-context that preallocates on the
// right host nodes. Pure; the host (hugetlbfs mounts, memory_backing_dir, host NUMA nodes) is a parameter.
//
// Rules (libvirt 9.0, read from its code and checked against its test suite's expected command lines):
// - a backend is memory-backend-file when hugepages apply to it, or <memoryBacking><source type='file'/>, or an
//   access mode (DIMM access=, cell memAccess=, <memoryBacking><access mode=>) or discard is configured;
//   memory-backend-memfd for <source type='memfd'/> (share from the access mode; memfd with hugepages or discard
//   is not modelled); otherwise memory-backend-ram;
// - hugepages: the DIMM's <source><pagesize>, else the <page> whose nodeset holds the (target) cell, else a
//   <page> without nodeset, else the host's default huge page size for a bare <hugepages/>;
// - mem-path: `<hugetlbfs mount>/libvirt/qemu/<short name>`, or `<memory_backing_dir>/<short name>/<alias>`;
// - share: the resolved access mode (DIMM, cell, then <memoryBacking>), only when one is set;
// - prealloc: with hugepages or <allocation mode='immediate'/>; discard-data: the resolved discard, when set;
// - host-nodes/policy: the DIMM's <source><nodemask>, else the cell's <memnode>, else <numatune><memory>;
//   strict → bind; restrictive → none;
// - a thread-context `tc-<id>` with node-affinity = host-nodes precedes a preallocated backend with host-nodes.

import { ScenarioError } from '../backends/types';
import type { CellMemoryAttrs, DomainDef, MemoryBackingDef } from './domain-def';
import type { MemoryDeviceDef } from './device';

export type { CellMemoryAttrs, MemoryBackingDef } from './domain-def';

export interface DimmMemoryAttrs {
  readonly access?: 'shared' | 'private';
  readonly discard?: boolean;
}

/** The host side: libvirt's hugetlbfs mounts by page size (KiB → path), its memory_backing_dir, the domain's short name. */
export interface BackendHost {
  readonly hugetlbfs: ReadonlyMap<bigint, string>;
  readonly defaultHugepageKiB?: bigint;
  readonly memoryBackingDir: string;
  readonly shortName: string;
}

export type BackendProps = readonly (readonly [string, unknown])[];

export interface BackendOption {
  readonly threadContext?: { readonly id: string; readonly nodeAffinity: readonly number[] };
  readonly qomType: 'memory-backend-ram' | 'memory-backend-file' | 'memory-backend-memfd';
  /** Properties in libvirt's order (qom-type and id first). */
  readonly props: BackendProps;
}

export type BackendResult = { readonly ok: true; readonly backend: BackendOption } | { readonly ok: false; readonly reason: 'no-hugetlbfs' | 'hugepage-size'; readonly sizeKiB?: bigint };

function pageFor(backing: MemoryBackingDef | undefined, cell: number, pagesizeKiB: bigint | undefined, host: BackendHost): bigint | undefined | 'default' {
  if (pagesizeKiB !== undefined) return pagesizeKiB;
  const pages = backing?.hugepages;
  if (!pages) return undefined;
  if (pages.length === 0) return 'default';
  const withNode = pages.find((p) => p.nodeset && cell >= 0 && p.nodeset.includes(cell));
  if (withNode) return withNode.sizeKiB ?? 'default';
  const general = pages.find((p) => !p.nodeset);
  if (general) return general.sizeKiB ?? 'default';
  void host;
  return undefined;
}

/**
 * The backend of guest cell `cell` (`ram-node<N>`), of a DIMM (`mem<alias>`), or of the main RAM without NUMA
 * (`pc.ram`, cell -1). `sizeBytes` as libvirt computed it.
 */
export function memoryBackend(
  def: Pick<DomainDef, 'numatune'> & { readonly memoryBacking?: MemoryBackingDef; readonly cellAttrs?: readonly CellMemoryAttrs[] },
  what: { readonly id: string; readonly alias: string; readonly cell: number; readonly sizeBytes: bigint; readonly dimm?: MemoryDeviceDef & DimmMemoryAttrs },
  host: BackendHost,
): BackendResult {
  const backing = def.memoryBacking;
  const cellAttrs = what.cell >= 0 ? def.cellAttrs?.[what.cell] : undefined;
  const page = pageFor(backing, what.cell, what.dimm?.pagesizeKiB, host);
  const access = what.dimm?.access ?? cellAttrs?.memAccess ?? backing?.access;
  const discard = what.dimm?.discard ?? cellAttrs?.discard ?? backing?.discard;
  let pageKiB: bigint | undefined;
  if (page === 'default') pageKiB = host.defaultHugepageKiB;
  else pageKiB = page;
  const huge = page !== undefined;
  if (huge && (pageKiB === undefined || host.hugetlbfs.size === 0)) return { ok: false, reason: 'no-hugetlbfs' };
  const mount = pageKiB !== undefined ? host.hugetlbfs.get(pageKiB) : undefined;
  if (huge && !mount) return { ok: false, reason: 'hugepage-size', sizeKiB: pageKiB };
  // <source type='memfd'/> wins over the rest: memory-backend-memfd, `share` from the access mode (no mem-path)
  const memfd = backing?.source === 'memfd';
  if (memfd && huge) throw new ScenarioError('<memoryBacking><source type=\'memfd\'/> with hugepages (memfd hugetlb) is not modelled');
  if (memfd && discard !== undefined) throw new ScenarioError('<memoryBacking><source type=\'memfd\'/> with discard is not modelled');
  const file = !memfd && (huge || backing?.source === 'file' || access !== undefined || discard !== undefined);
  const props: [string, unknown][] = [];
  const qomType = memfd ? 'memory-backend-memfd' : file ? 'memory-backend-file' : 'memory-backend-ram';
  props.push(['qom-type', qomType], ['id', what.id]);
  if (memfd && access !== undefined) props.push(['share', access === 'shared']);
  if (file) {
    props.push(['mem-path', huge ? `${mount}/libvirt/qemu/${host.shortName}` : `${host.memoryBackingDir}/${host.shortName}/${what.alias}`]);
    if (discard !== undefined) props.push(['discard-data', discard]);
    if (access !== undefined) props.push(['share', access === 'shared']);
  }
  if (what.cell < 0) props.push(['x-use-canonical-path-for-ramblock-id', false]);
  const prealloc = huge || backing?.allocationImmediate === true;
  if (prealloc) props.push(['prealloc', true]);
  props.push(['size', what.sizeBytes]);
  const memnode = def.numatune?.memnodes.find((m) => m.cellid === what.cell);
  const mode = memnode?.mode ?? def.numatune?.mode ?? 'strict';
  const nodes = what.dimm?.sourceNodes ?? memnode?.nodeset ?? def.numatune?.nodeset;
  let threadContext: BackendOption['threadContext'];
  if (nodes && mode !== 'restrictive') {
    props.push(['host-nodes', [...nodes]], ['policy', mode === 'strict' ? 'bind' : mode]);
    if (prealloc) {
      threadContext = { id: `tc-${what.id}`, nodeAffinity: nodes };
      props.push(['prealloc-context', threadContext.id]);
    }
  }
  return { ok: true, backend: { ...(threadContext ? { threadContext } : {}), qomType, props } };
}

/** The backend as libvirt's JSON `-object` text. */
export function backendJson(b: BackendOption): string[] {
  const out: string[] = [];
  if (b.threadContext) out.push(`-object ${JSON.stringify({ 'qom-type': 'thread-context', id: b.threadContext.id, 'node-affinity': b.threadContext.nodeAffinity })}`);
  const obj: Record<string, unknown> = {};
  for (const [k, v] of b.props) obj[k] = typeof v === 'bigint' ? Number(v) : v;
  out.push(`-object ${JSON.stringify(obj)}`);
  return out;
}

/**
 * The memory part of libvirt's QEMU command line for a started definition (sizes already aligned by
 * startDomain), in libvirt 9.0's JSON syntax: `-m`, then per guest NUMA cell its backend (after its
 * thread-context) and `-numa node`, or the `pc.ram` backend without NUMA when its memory needs one, then
 * per DIMM its backend and `-device pc-dimm`. `host` gives the hugetlbfs mounts and paths.
 */
export function memoryCommandLine(live: DomainDef, host: BackendHost): { ok: true; lines: string[] } | { ok: false; reason: string } {
  const lines: string[] = [];
  const initial = live.cells.length > 0 ? live.cells.reduce((s, c) => s + c.memKiB, 0n) : live.mems.reduce((s, m) => s - m.sizeKiB, live.totalKiB);
  lines.push(live.maxMemoryKiB > 0n ? `-m size=${initial}k,slots=${live.slots},maxmem=${live.maxMemoryKiB}k` : `-m ${initial / 1024n}`);
  const backend = (what: Parameters<typeof memoryBackend>[1]) => memoryBackend(live, what, host);
  if (live.cells.length === 0) {
    const b = live.memoryBacking;
    if (b && (b.hugepages || b.access || b.source === 'file' || b.source === 'memfd' || b.discard)) {
      const r = backend({ id: 'pc.ram', alias: 'pc.ram', cell: -1, sizeBytes: initial * 1024n });
      if (!r.ok) return { ok: false, reason: r.reason };
      lines.push(...backendJson(r.backend));
    }
  }
  for (const c of live.cells) {
    const r = backend({ id: `ram-node${c.id}`, alias: `ram-node${c.id}`, cell: c.id, sizeBytes: c.memKiB * 1024n });
    if (!r.ok) return { ok: false, reason: r.reason };
    lines.push(...backendJson(r.backend));
    lines.push(`-numa node,nodeid=${c.id}${c.cpus !== undefined ? `,cpus=${c.cpus}` : ''},memdev=ram-node${c.id}`);
  }
  for (const m of live.mems) {
    if (m.address?.type !== 'dimm' || !m.alias) continue;
    const r = backend({ id: `mem${m.alias}`, alias: m.alias, cell: m.targetNode, sizeBytes: m.sizeKiB * 1024n, dimm: m });
    if (!r.ok) return { ok: false, reason: r.reason };
    lines.push(...backendJson(r.backend));
    const dev: Record<string, unknown> = { driver: 'pc-dimm' };
    if (m.targetNode >= 0) dev.node = m.targetNode;
    dev.memdev = `mem${m.alias}`;
    dev.id = m.alias;
    dev.slot = m.address.slot;
    if (m.address.base !== 0n) dev.addr = Number(m.address.base);
    lines.push(`-device ${JSON.stringify(dev)}`);
  }
  return { ok: true, lines };
}
