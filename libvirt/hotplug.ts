// attach-device / detach-device of `<memory model='dimm'>` on a running domain, as pure functions of the
// live definition: libvirt's checks in its order (the version's, live.libvirt), the slot from its own bitmap, the alias, and the
// exact QMP it sends. The orchestration (domain-object.ts) only sends what these functions return.

import { ScenarioError, type QmpCommand } from '../backends/types';
import { LE, type LibvirtError } from './errors';
import { parseMemoryDeviceXml, type DeviceAddress, type MemoryDeviceDef } from './device';
import { refereeBackendHost, slotBitmap, validateMemoryDevice, validateMemoryHotplug, type DomainDef } from './domain';
import { memoryBackend } from './memory-backend';
import { roundUp } from './scaled';

export interface AttachPlan {
  /** The device as libvirt inserts it: size aligned to 1 MiB, dimm address with the chosen slot. */
  readonly device: MemoryDeviceDef & { readonly alias: string; readonly address: Extract<DeviceAddress, { type: 'dimm' }> };
  readonly alias: string;
  /** `mem<alias>`. */
  readonly backendId: string;
  readonly objectAdd: QmpCommand;
  readonly deviceAdd: QmpCommand;
}

export type Planned<T> = { readonly ok: true; readonly plan: T } | { readonly ok: false; readonly error: LibvirtError };

const HOTPLUG_ALIGN_KiB = 1024n;

/** A QMP integer: a number when exact, else a bigint (the JSON writer prints both exactly). */
function qint(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** The lowest clear slot in libvirt's bitmap (qemuAssignMemoryDeviceSlot), or undefined. */
export function freeSlot(live: DomainDef): number | undefined {
  const i = slotBitmap(live.mems, live.slots).indexOf(false);
  return i < 0 ? undefined : i;
}

/** Everything `virsh attach-device DOM FILE --live` decides before talking to QEMU. */
export function planAttach(live: DomainDef, xml: string): Planned<AttachPlan> {
  const checked = checkAttach(live, xml);
  return checked.ok ? planAttachMemory(live, checked.plan) : checked;
}

/**
 * qemuDomainAttachDeviceLiveAndConfig's part, before qemuDomainAttachMemory: parse (INACTIVE: non-user
 * aliases are dropped), validate the device, virDomainDefCompatibleDevice (sizes as given, KiB).
 */
export function checkAttach(live: DomainDef, xml: string): Planned<MemoryDeviceDef> {
  const parsed = parseMemoryDeviceXml(xml, { keepAlias: false }, live.libvirt);
  if (!parsed.ok) return parsed;
  const mem = parsed.device;
  const invalid = validateMemoryDevice(live, mem);
  if (invalid) return { ok: false, error: invalid };
  if (live.maxMemoryKiB === 0n && live.slots === 0) return { ok: false, error: LE.noMaxMemory() };
  if (live.totalKiB + mem.sizeKiB > live.maxMemoryKiB) return { ok: false, error: LE.exceedsMaxMemory(mem.sizeKiB, live.maxMemoryKiB) };
  if (mem.pagesizeKiB !== undefined) throw new ScenarioError('hotplug of a hugepage-backed DIMM (<source><pagesize>) is not modelled: the referee host has no hugetlbfs mount');
  return { ok: true, plan: mem };
}

/** qemuDomainAttachMemory's decisions: align to 1 MiB (not 2), validate, slot, alias, the QMP it sends. */
export function planAttachMemory(live: DomainDef, checked: MemoryDeviceDef): Planned<AttachPlan> {
  const mem = { ...checked, sizeKiB: roundUp(checked.sizeKiB, HOTPLUG_ALIGN_KiB) };
  const hp = validateMemoryHotplug(live, mem);
  if (hp) return { ok: false, error: hp };
  let address: Extract<DeviceAddress, { type: 'dimm' }>;
  if (mem.address?.type === 'dimm') address = mem.address;
  else {
    const slot = freeSlot(live);
    if (slot === undefined) return { ok: false, error: LE.noEmptySlot() };
    address = { type: 'dimm', slot, base: 0n };
  }
  // qemuAssignDeviceMemoryAlias: `dimm<slot>`, unless the device brings a user alias (ua-...)
  const { userAlias, ...plain } = mem;
  if (userAlias && live.mems.some((m) => m.alias === userAlias)) throw new ScenarioError(`a user alias already in use ('${userAlias}') is not modelled`);
  const alias = userAlias ?? `dimm${address.slot}`;
  const backendId = `mem${alias}`;
  const device = { ...plain, address, alias };
  // qemuBuildMemoryBackendProps: ram or file, mem-path, share, prealloc, host-nodes/policy (libvirt's order)
  const backend = memoryBackend(live, { id: backendId, alias, cell: mem.targetNode, sizeBytes: mem.sizeKiB * 1024n, dimm: mem }, refereeBackendHost(live.name));
  if (!backend.ok) throw new ScenarioError(`hotplug of a DIMM whose backend needs hugetlbfs is not modelled (the referee host has none)`);
  if (backend.backend.threadContext) throw new ScenarioError('hotplug with a thread-context (prealloc-context) is not modelled');
  const objArgs: Record<string, unknown> = {};
  for (const [k, v] of backend.backend.props) objArgs[k] = typeof v === 'bigint' ? qint(v) : Array.isArray(v) ? [...v] : v;
  const objectAdd: QmpCommand = { execute: 'object-add', arguments: objArgs };
  const devArgs: Record<string, unknown> = { driver: 'pc-dimm' };
  if (mem.targetNode >= 0) devArgs.node = mem.targetNode;
  devArgs.memdev = backendId;
  devArgs.id = alias;
  devArgs.slot = address.slot;
  if (address.base !== 0n) devArgs.addr = qint(address.base);
  return { ok: true, plan: { device, alias, backendId, objectAdd, deviceAdd: { execute: 'device_add', arguments: devArgs } } };
}

/** virDomainMemoryInsert: the device joins the live definition, `<memory>` grows. */
export function insertMemory(live: DomainDef, mem: MemoryDeviceDef): DomainDef {
  return { ...live, mems: [...live.mems, mem], totalKiB: live.totalKiB + mem.sizeKiB };
}

/** virDomainMemoryRemove (after DEVICE_DELETED + object-del): `<memory>` shrinks. */
export function removeMemory(live: DomainDef, alias: string): DomainDef {
  const mem = live.mems.find((m) => m.alias === alias);
  if (!mem) return live;
  return { ...live, mems: live.mems.filter((m) => m !== mem), totalKiB: live.totalKiB - mem.sizeKiB };
}

/** qemuDomainUpdateMemoryDeviceInfo: slot and base of each known dimm from `query-memory-devices`. */
export function refreshFromQuery(live: DomainDef, reply: unknown): DomainDef {
  const list = (reply as { return?: unknown })?.return;
  if (!Array.isArray(list)) return live;
  const byId = new Map<string, { slot: unknown; addr: unknown }>();
  for (const d of list) {
    const data = (d as { data?: { id?: unknown; slot?: unknown; addr?: unknown } })?.data;
    if (data && typeof data.id === 'string') byId.set(data.id, { slot: data.slot, addr: data.addr });
  }
  return {
    ...live,
    mems: live.mems.map((m) => {
      const q = m.alias ? byId.get(m.alias) : undefined;
      if (!q) return m;
      return { ...m, address: { type: 'dimm' as const, slot: Number(q.slot), base: BigInt(q.addr as number | bigint) } };
    }),
  };
}

export interface DetachPlan {
  readonly alias: string;
  readonly backendId: string;
  readonly deviceDel: QmpCommand;
}

function sameAddress(a: DeviceAddress | undefined, b: DeviceAddress): boolean {
  if (!a) return false;
  if (a.type === 'dimm' && b.type === 'dimm') return a.slot === b.slot && a.base === b.base;
  if (a.type === 'other' && b.type === 'other') return a.name === b.name && JSON.stringify(a.attrs) === JSON.stringify(b.attrs);
  return false;
}

/** virDomainMemoryFindByDef: the first live device matching address (if given), alias (if given), model, node, size. */
export function findMemory(live: DomainDef, match: MemoryDeviceDef): number {
  return live.mems.findIndex((m) =>
    (!match.address || sameAddress(m.address, match.address)) &&
    (!match.alias || m.alias === match.alias) &&
    m.model === match.model && m.targetNode === match.targetNode && m.sizeKiB === match.sizeKiB);
}

/** Everything `virsh detach-device DOM FILE --live` decides before talking to QEMU (no validation: SKIP_VALIDATE). */
export function planDetach(live: DomainDef, xml: string): Planned<DetachPlan> {
  const parsed = parseDetach(live, xml);
  return parsed.ok ? planDetachMemory(live, parsed.plan) : parsed;
}

/** qemuDomainDetachDeviceLiveAndConfig's parse of the device XML (user aliases kept, no validation). */
export function parseDetach(live: DomainDef, xml: string): Planned<MemoryDeviceDef> {
  const parsed = parseMemoryDeviceXml(xml, { keepAlias: true }, live.libvirt);
  return parsed.ok ? { ok: true, plan: parsed.device } : parsed;
}

/** qemuDomainDetachPrepMemory's decisions: the size aligned like the attach's, the live device it matches. */
export function planDetachMemory(live: DomainDef, device: MemoryDeviceDef): Planned<DetachPlan> {
  const match = { ...device, sizeKiB: roundUp(device.sizeKiB, HOTPLUG_ALIGN_KiB) };
  const idx = findMemory(live, match);
  if (idx < 0 || !live.mems[idx].alias) return { ok: false, error: LE.notPresent('dimm') };
  const alias = live.mems[idx].alias!;
  return { ok: true, plan: { alias, backendId: `mem${alias}`, deviceDel: { execute: 'device_del', arguments: { id: alias } } } };
}

export const QUERY_BALLOON: QmpCommand = { execute: 'query-balloon' };
export const QUERY_MEMORY_DEVICES: QmpCommand = { execute: 'query-memory-devices' };
export const QOM_LIST_PERIPHERAL: QmpCommand = { execute: 'qom-list', arguments: { path: '/machine/peripheral' } };
export const objectDel = (id: string): QmpCommand => ({ execute: 'object-del', arguments: { id } });
