// pc-dimm hot/cold plug: qdev_device_add → pc_memory_pre_plug → pc_dimm_pre_plug (slot) →
// memory_device_pre_plug (address) → pc_dimm_realize (node, busy memdev) → pc_memory_plug
// (add_subregion into device-memory, ACPI plug callback). Every check in QEMU 7.2's order.

import { messagesOf, qemuOf } from '../versions';
import type { Dimm, MachineState } from '../state';
import { E } from '../errors';
import { merge, nest, trace, type Effects } from '../effects';
import { refuse, succeed, type Outcome } from '../outcome';
import { addSubregion } from '../memory/regions';
import { memTransaction } from '../memory/transaction';
import { acpiMemoryPlug } from '../acpi/memhp';
import { hex } from '../units';
import { ghashInsert } from '../qom/ghash';
import { findBackend, setMapped } from './backends';
import { chooseAddr, chooseSlot } from './placement';

/** KVM_CAP_NR_MEMSLOTS observed on Linux 6.x hosts. */
export const KVM_NR_MEMSLOTS = 32764;
const LEGACY_ALIGN = 4096n;
export const DEVICE_MEMORY_REGION = 'device-memory';

/** pc-dimm properties after qdev property parsing (memdev already resolved to an existing backend id). */
export interface DimmRequest {
  readonly id?: string;
  readonly memdev?: string;
  /** -1 = unassigned (PC_DIMM_UNASSIGNED_SLOT). */
  readonly slot: bigint;
  /** 0 = auto. */
  readonly addr: bigint;
  readonly node: bigint;
}

export function peripheralPath(state: MachineState, id: string | undefined): string {
  return id !== undefined ? `/machine/peripheral/${id}` : `/machine/peripheral-anon/device[${state.anonCount}]`;
}

/**
 * Realize and plug a pc-dimm. `hotplugged` is true for device_add after machine init (even paused) and
 * false for `-device` on the command line. The caller has already checked the id and resolved memdev.
 */
export function plugDimm(state: MachineState, req: DimmRequest, hotplugged: boolean): Outcome<MachineState> {
  const c = state.config;
  let fx: Effects = trace('pc_memory_pre_plug', undefined, 0);
  const fail = (error: ReturnType<typeof E.acpiMissing>, fn?: string) =>
    refuse<MachineState>(error, merge(fx, trace(fn ?? 'error_setg', error.desc, 1)));

  // pc_memory_pre_plug: ACPI device present and enabled, then the ACPI device's own pre_plug.
  if (!c.acpi) return fail(E.acpiMissing());
  if (!c.memoryHotplugSupport) return fail(E.memhpOff(c.type === 'pc' ? 'PIIX4_PM' : 'ICH9-LPC'), 'acpi_memory_hotplug pre_plug');

  // pc_dimm_pre_plug: slot range, then the occupancy bitmap.
  const slot = chooseSlot(state.dimms, req.slot, c.ramSlots);
  if (!slot.ok) return fail(slot.error, 'pc_dimm_pre_plug');
  fx = merge(fx, trace('pc_dimm_pre_plug', `slot ${slot.value}`, 1));

  // memory_device_pre_plug: the backend's region gives size and alignment.
  const backend = req.memdev === undefined ? undefined : findBackend(state, req.memdev);
  if (!backend) return fail(E.memdevNotSet(), 'memory_device_pre_plug');
  const align = c.flags.enforceAlignedDimm ? backend.align : LEGACY_ALIGN;
  const addr = chooseAddr(state.dimms, {
    deviceMemory: state.layout.deviceMemory,
    maxramSize: c.maxramSize,
    ramSize: c.ramSize,
    hint: req.addr,
    align,
    size: backend.size,
    kvmSlotFree: c.accel !== 'kvm' || state.mem.kvmSlots.length < KVM_NR_MEMSLOTS,
    messages: messagesOf(qemuOf(c)),
    sizeCheckFirst: qemuOf(c).memoryDeviceSizeCheckFirst,
  });
  if (!addr.ok) return fail(addr.error, 'memory_device_get_free_addr');
  fx = merge(fx, trace('memory_device_pre_plug', `addr ${hex(addr.value)}`, 1));

  // pc_dimm_realize: NUMA node, then the memdev must not be mapped already.
  const nodes = state.layout.numNodes;
  if ((nodes > 0 && req.node >= BigInt(nodes)) || (nodes === 0 && req.node !== 0n)) {
    fx = merge(fx, trace('pc_dimm_realize', undefined, 0));
    return fail(E.nodeOutOfRange(req.node, nodes || 1));
  }
  if (backend.mapped) {
    fx = merge(fx, trace('pc_dimm_realize', undefined, 0));
    return fail(E.memdevBusy(backend.id));
  }
  fx = merge(fx, trace('pc_dimm_realize', `memdev ${backend.id} mapped`, 0));

  const dimm: Dimm = {
    id: req.id,
    path: peripheralPath(state, req.id),
    memdev: backend.id,
    slot: slot.value,
    addr: addr.value,
    node: req.node,
    size: backend.size,
    hotplugged,
  };
  let next: MachineState = setMapped(state, backend.id, true);
  next = {
    ...next,
    dimms: [...next.dimms, dimm],
    peripheral: req.id === undefined ? next.peripheral : ghashInsert(next.peripheral, req.id),
    anonCount: req.id === undefined ? next.anonCount + 1 : next.anonCount,
  };

  // pc_memory_plug → memory_device_plug: map the backend's region inside device-memory.
  const base = state.layout.deviceMemory!.base;
  fx = merge(fx, trace('pc_memory_plug', undefined, 0));
  fx = merge(fx, trace('memory_region_add_subregion', `${DEVICE_MEMORY_REGION} + ${hex(addr.value - base)} ← ${backend.region}`, 1));
  const tx = memTransaction(next.mem, (r) => addSubregion(r, DEVICE_MEMORY_REGION, addr.value - base, backend.region, 0), c.accel);
  next = { ...next, mem: tx.state };
  fx = merge(fx, nest(tx.fx, 1));

  // The ACPI device's plug callback (PIIX4_PM / ICH9-LPC → acpi_memory_plug_cb).
  const acpi = acpiMemoryPlug(next, slot.value, hotplugged);
  fx = merge(fx, trace(c.type === 'pc' ? 'piix4_device_plug_cb' : 'ich9_pm_device_plug_cb', undefined, 1));
  return succeed(acpi.state, merge(fx, nest(acpi.fx, 2)));
}
