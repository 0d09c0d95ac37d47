// Memory backend objects (backends/hostmem*.c): object-add creates an unmapped RAM region named by the
// object id; object-del refuses while a pc-dimm maps it.

import { messagesOf, qemuOf } from '../versions';
import type { BackendPolicy, BackendProps, MachineState, MemoryBackend } from '../state';
import type { MachineConfig } from '../config/types';
import { E, ModelLimit, type QemuError } from '../errors';
import { createRegion, removeRegion } from '../memory/regions';
import { MiB, KiB } from '../units';
import { ghashInsert, ghashRemove } from '../qom/ghash';
import { backendWithMapped, memOf, stateWithBackendObjects, stateWithBackends } from '../records';
import { hiddenSlot, type HiddenSlot } from '../hidden';

export type BackendType = MemoryBackend['type'];

/** RAM block alignment: QEMU_VMALLOC_ALIGN (2 MiB) for anonymous RAM, the host page for memfd. */
export const BACKEND_ALIGN: Readonly<Record<BackendType, bigint>> = {
  'memory-backend-ram': 2n * MiB,
  'memory-backend-memfd': 4n * KiB,
  // a file on a regular filesystem: the host page (hugetlbfs mounts are not modelled)
  'memory-backend-file': 4n * KiB,
};

const HOST_PAGE = 4n * KiB;

/** A failure may carry `state`: what QEMU keeps from the failed command (a registered memfd fd); else unchanged. */
export type Result<S> = { readonly ok: true; readonly state: S } | { readonly ok: false; readonly error: QemuError; readonly state?: S };

/** host_memory_backend_get_name: the object id, or its canonical path where a compat property asks for it. */
export function backendRegionName(config: MachineConfig, type: BackendType, id: string): string {
  return type !== 'memory-backend-ram' && config.flags.canonicalPathRamblockId ? `/objects/${id}` : id;
}

export function findBackend(state: MachineState, id: string): MemoryBackend | undefined {
  const list = state.backends;
  if (list.length < INDEXED) return list.find((b) => b.id === id);
  let idx = positions.get(list);
  if (!idx) {
    const m = new Map<string, number>();
    for (let i = list.length - 1; i >= 0; i--) m.set(list[i].id, i);
    positions.set(list, (idx = m));
  }
  const at = idx.get(id);
  return at === undefined ? undefined : list[at];
}

/** Lists at least this long are searched through an index of positions by id (a plug looks its backend up 4 times). */
const INDEXED = 16;
/**
 * Position of each backend by id, per list (lists are immutable; one changed in place keeps its parent's), kept on
 * the list out of sight (engine/hidden.ts), like the placement index of DIMM lists.
 */
const positions: HiddenSlot<ReadonlyMap<string, number>> = hiddenSlot();

/**
 * A backend's properties after its instance_init (merge and dump from the machine's mem-merge and
 * dump-guest-core, both on; memfd shares by default) and the boolean properties given.
 */
export function backendProps(type: BackendType, given: Readonly<Record<string, boolean>> = {}, binding?: HostBinding): BackendProps {
  // The usual backend (no host-nodes, no seal=off) is this one literal: the spreads below take V8's slow path.
  const usual: BackendProps = {
    merge: given.merge ?? true,
    dump: given.dump ?? true,
    prealloc: given.prealloc ?? false,
    share: given.share ?? type === 'memory-backend-memfd',
    reserve: given.reserve ?? true,
    policy: binding?.policy ?? 'default',
  };
  const sealOff = type === 'memory-backend-memfd' && given.seal === false;
  if (!binding?.hostNodes?.length && !sealOff) return usual;
  return { ...(binding?.hostNodes?.length ? { hostNodes: binding.hostNodes } : {}), ...(sealOff ? { seal: false } : {}), ...usual };
}

/** A backend's host NUMA binding as given (policy, host-nodes). */
export interface HostBinding { readonly policy?: BackendPolicy; readonly hostNodes?: readonly number[] }

/**
 * host_memory_backend_memory_complete, after the allocation: host-nodes and policy must agree (checked before
 * mbind, with QEMU's own words), or undefined.
 */
export function hostBindingError(props: BackendProps): QemuError | undefined {
  const nodes = props.hostNodes?.length ?? 0;
  if (nodes > 0 && props.policy === 'default') {
    return E.hostNodesForDefault();
  }
  if (nodes === 0 && props.policy !== 'default') return E.hostNodesUnset(props.policy);
  return undefined;
}


export function addBackend(
  state: MachineState, type: BackendType, id: string, size: bigint, internal = false, props: BackendProps = backendProps(type),
  file?: MemoryBackend['file'],
): Result<MachineState> {
  if (props.prealloc && !props.reserve) return { ok: false, error: E.preallocReserve() };
  if (size === 0n) return { ok: false, error: E.backendSizeZero(type) };
  if (findBackend(state, id) || state.config.otherObjects?.some((x) => x.id === id)) return { ok: false, error: E.duplicateObject(id) };
  let cprFds = state.cprFds;
  if (type === 'memory-backend-memfd' && qemuOf(state.config).memfdCprFds) {
    // memfd_backend_memory_alloc: reuse the fd registered under this name, or create one of `size` bytes and
    // register it; qemu_ram_alloc_from_fd wants the file at least as large as the page-aligned size.
    const name = backendRegionName(state.config, type, id);
    const fileSize = cprFds?.[name] ?? size;
    const aligned = ((size + HOST_PAGE - 1n) / HOST_PAGE) * HOST_PAGE;
    const rest = { ...cprFds };
    delete rest[name];
    if (fileSize < aligned) {
      return { ok: false, error: messagesOf(qemuOf(state.config)).backingStoreMismatch(fileSize, aligned, name), state: { ...state, cprFds: { ...cprFds, [name]: fileSize } } };
    }
    // From here the RAM block owns the fd: freeing the block (a failed completion, object-del) unregisters it.
    cprFds = Object.keys(rest).length ? rest : undefined;
    if (size % HOST_PAGE !== 0n) {
      const after = withCprFds(state, cprFds);
      return { ok: false, error: E.backendSizeNotPageMultiple(type, '4 KiB'), ...(state.cprFds?.[name] !== undefined ? { state: after } : {}) };
    }
  }
  // qemu_ram_alloc_from_fd: the memfd has the requested size, the RAM block is page-aligned.
  if (type === 'memory-backend-file' && size % HOST_PAGE !== 0n) throw new ModelLimit(`a memory-backend-file of ${size} bytes (not a multiple of the host page)`);
  if (type === 'memory-backend-memfd' && size % HOST_PAGE !== 0n) {
    return { ok: false, error: messagesOf(qemuOf(state.config)).backingStoreMismatch(size, ((size + HOST_PAGE - 1n) / HOST_PAGE) * HOST_PAGE, backendRegionName(state.config, type, id)) };
  }
  // The RAM exists now; a host binding QEMU refuses frees it again (and with it a memfd's registered fd).
  const bindErr = hostBindingError(props);
  if (bindErr) return { ok: false, error: bindErr, ...(cprFds !== state.cprFds ? { state: withCprFds(state, cprFds) } : {}) };
  const backend: MemoryBackend = { id, type, size, align: BACKEND_ALIGN[type], mapped: internal, internal, region: id, props, ...(file ? { file } : {}) };
  const regions = state.mem.regions.get(id) ? state.mem.regions : createRegion(state.mem.regions, { id, name: backendRegionName(state.config, type, id), size, kind: 'ram', owner: `/objects/${id}` });
  const m = state.mem;
  const next = stateWithBackendObjects(state, [...state.backends, backend], ghashInsert(state.objects, id), memOf(m, regions, m.txDepth, m.pending, m.flat, m.kvmSlots));
  return { ok: true, state: cprFds !== state.cprFds ? withCprFds(next, cprFds) : next };
}

/** The state with this CPR fd registry (none: the key is dropped). */
function withCprFds(state: MachineState, fds: Readonly<Record<string, bigint>> | undefined): MachineState {
  const { cprFds: _old, ...rest } = state;
  return fds ? { ...rest, cprFds: fds } : rest;
}

export function deleteBackend(state: MachineState, id: string): Result<MachineState> {
  const b = findBackend(state, id);
  if (!b && state.config.otherObjects?.some((x) => x.id === id)) throw new ModelLimit(`object-del of the secret '${id}'`);
  if (!b) return { ok: false, error: E.objectNotFound(id) };
  if (b.mapped) return { ok: false, error: E.objectInUse(id) };
  return {
    ok: true,
    state: { ...state, backends: state.backends.filter((x) => x !== b), objects: ghashRemove(state.objects, id), mem: { ...state.mem, regions: removeRegion(state.mem.regions, b.region) } },
  };
}

export function setMapped(state: MachineState, id: string, mapped: boolean): MachineState {
  const list = state.backends;
  const backends = list.slice();
  // The backend of that id (ids are unique), the others as they are; positions do not move.
  const idx = positions.get(list);
  const at = idx ? idx.get(id) : undefined;
  if (idx) {
    if (at !== undefined) backends[at] = backendWithMapped(list[at], mapped);
    positions.set(backends, idx);
  } else {
    for (let i = 0; i < list.length; i++) if (list[i].id === id) backends[i] = backendWithMapped(list[i], mapped);
  }
  return stateWithBackends(state, backends);
}
