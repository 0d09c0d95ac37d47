// /objects: the user-creatable memory backends as QOM sees them. query-memdev and `info memdev` walk the
// container's children in hash-table order and prepend, so both list them in reverse hash order, as
// qom-list does. A backend's properties are its class's (HostMemoryBackend, then memfd's own) plus its RAM
// memory region as a child named after the region (escaped, with "[0]").

import type { MachineState, MemoryBackend } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { ghashKeys } from './ghash';
import { qint } from '../selectors';

/** Backends in the order query-memdev and qom-list print them (reverse hash order of /objects). */
export function objectsInListOrder(state: MachineState): readonly MemoryBackend[] {
  return ghashKeys(state.objects).reverse().map((id) => state.backends.find((b) => b.id === id)).filter((b): b is MemoryBackend => b !== undefined);
}

/** query-memdev: one Memdev per backend (keys in the order QEMU's output visitor leaves them). */
export function queryMemdev(state: MachineState): unknown[] {
  return objectsInListOrder(state).map((b) => ({
    share: b.props.share, reserve: b.props.reserve, prealloc: b.props.prealloc, 'host-nodes': [...(b.props.hostNodes ?? [])], size: qint(b.size),
    merge: b.props.merge, dump: b.props.dump, policy: b.props.policy, id: b.id,
  }));
}

/** `info memdev`. */
export function infoMemdev(state: MachineState): string {
  let out = '';
  for (const b of objectsInListOrder(state)) {
    out += `memory backend: ${b.id}\r\n  size:  ${b.size}\r\n  merge: ${b.props.merge}\r\n  dump: ${b.props.dump}\r\n`
      + `  prealloc: ${b.props.prealloc}\r\n  share: ${b.props.share}\r\n  reserve: ${b.props.reserve}\r\n`
      + `  policy: ${b.props.policy}\r\n  host nodes: ${(b.props.hostNodes ?? []).join(' ')}\r\n`;
  }
  return out + '\r\n';
}

/** memory_region_escape_name: '/' (and anything QOM cannot have in a name) as \x2f. */
export function escapeRegionName(name: string): string {
  return name.replace(/\//g, '\\x2f');
}

/** The region name of a backend's RAM (its id, or `/objects/ID` where a compat property asks for it). */
function regionName(state: MachineState, b: MemoryBackend): string {
  return state.mem.regions.get(b.region)?.name ?? b.id;
}

const BACKEND_CLASS_PROPS: ReadonlyArray<readonly [string, string]> = [
  ['share', 'bool'], ['size', 'int'], ['dump', 'bool'], ['prealloc-threads', 'int'], ['x-use-canonical-path-for-ramblock-id', 'bool'],
  ['policy', 'HostMemPolicy'], ['prealloc-context', 'link<thread-context>'], ['prealloc', 'bool'], ['reserve', 'bool'],
  ['host-nodes', 'int'], ['merge', 'bool'],
];
const MEMFD_CLASS_PROPS: ReadonlyArray<readonly [string, string]> = [['hugetlb', 'bool'], ['seal', 'bool'], ['hugetlbsize', 'int']];

/** qom-list of /objects/ID. */
export function qomListBackend(state: MachineState, b: MemoryBackend): unknown[] {
  if (b.type === 'memory-backend-file') throw new ModelLimit('qom-list of a memory-backend-file');
  const own = b.type === 'memory-backend-memfd' ? MEMFD_CLASS_PROPS : [];
  return [
    { name: 'type', type: 'string' },
    ...[...BACKEND_CLASS_PROPS, ...own].map(([name, type]) => ({ name, type })),
    { name: `${escapeRegionName(regionName(state, b))}[0]`, type: 'child<memory-region>' },
  ];
}

/** qom-get of a backend property. */
export function qomGetBackend(state: MachineState, b: MemoryBackend, prop: string): { ok: true; value: unknown } | { ok: false; error: QemuError } {
  if (b.type === 'memory-backend-file') throw new ModelLimit('qom-get of a memory-backend-file');
  const child = `${escapeRegionName(regionName(state, b))}[0]`;
  const memfd = b.type === 'memory-backend-memfd';
  const values: Record<string, unknown> = {
    type: b.type, share: b.props.share, size: qint(b.size), dump: b.props.dump, 'prealloc-threads': 1,
    'x-use-canonical-path-for-ramblock-id': memfd && state.config.flags.canonicalPathRamblockId,
    policy: b.props.policy, 'prealloc-context': '', prealloc: b.props.prealloc, reserve: b.props.reserve, 'host-nodes': [...(b.props.hostNodes ?? [])],
    merge: b.props.merge, [child]: `/objects/${b.id}/${child}`,
    ...(memfd ? { hugetlb: false, seal: b.props.seal !== false, hugetlbsize: 0 } : {}),
  };
  return prop in values ? { ok: true, value: values[prop] } : { ok: false, error: E.propertyNotFound(b.type, prop) };
}

/** qom-list of /objects (the backends and libvirt's secret and rng objects). */
export function qomListObjects(state: MachineState): unknown[] {
  const typeOf = (id: string) => state.backends.find((b) => b.id === id)?.type ?? state.config.otherObjects?.find((x) => x.id === id)?.type;
  return [{ name: 'type', type: 'string' }, ...ghashKeys(state.objects).reverse().flatMap((id) => {
    const type = typeOf(id);
    return type ? [{ name: id, type: `child<${type}>` }] : [];
  })];
}
