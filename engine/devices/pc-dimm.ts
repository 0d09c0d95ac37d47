// pc-dimm hot/cold plug (hw/i386/pc.c, hw/mem/pc-dimm.c, hw/mem/memory-device.c): device_set_realized →
// pc_machine_device_pre_plug_cb → pc_memory_pre_plug → pc_dimm_pre_plug (slot) → memory_device_pre_plug
// (address) → pc_dimm_realize (node, busy memdev) → pc_machine_device_plug_cb → pc_memory_plug →
// pc_dimm_plug → memory_device_plug (add_subregion into device-memory), then the ACPI device's plug callback.
// Every check in QEMU 7.2's order; docs/call-chains.md maps every hop.

import { messagesOf, qemuOf } from '../versions';
import type { Dimm, MachineState } from '../state';
import { E } from '../errors';
import { merge, nest, trace, tracepoint, type Effects } from '../effects';
import { refuse, succeed, type Outcome } from '../outcome';
import { addSubregion } from '../memory/regions';
import { memTransaction } from '../memory/transaction';
import { acpiMemoryPlug } from '../acpi/memhp';
import { hex } from '../units';
import { DEVICE_MEMORY_ID } from '../machine/memory-map';
import { ghashInsert } from '../qom/ghash';
import { findBackend, setMapped } from './backends';
import { chooseAddr, chooseSlot, withDimm } from './placement';

/** KVM_CAP_NR_MEMSLOTS observed on Linux 6.x hosts. */
export const KVM_NR_MEMSLOTS = 32764;
const LEGACY_ALIGN = 4096n;

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
 * device_set_realized(pc-dimm, true), as QEMU 7.2 runs it for a pc-dimm: hotplug_handler_pre_plug (the
 * machine's pc_machine_device_pre_plug_cb → pc_memory_pre_plug → pc_dimm_pre_plug → memory_device_pre_plug),
 * then the device's realize (pc_dimm_realize), then hotplug_handler_plug (pc_machine_device_plug_cb →
 * pc_memory_plug → pc_dimm_plug → memory_device_plug, then the ACPI device's plug callback). `hotplugged` is
 * true for device_add after machine init (even paused) and false for `-device` on the command line. The
 * caller (qdev_device_add) has already checked the id and resolved memdev.
 */
export function plugDimm(state: MachineState, req: DimmRequest, hotplugged: boolean): Outcome<MachineState> {
  const c = state.config;
  const name = req.id ?? 'anonymous';
  let fx: Effects = trace('device_set_realized', `pc-dimm ${name}`, 0);
  const fail = (error: ReturnType<typeof E.acpiMissing>, fn: string | undefined, depth: number) =>
    refuse<MachineState>(error, merge(fx, trace(fn ?? 'error_setg', error.desc, depth)));

  // pc_memory_pre_plug: ACPI device present and enabled, then the ACPI device's own pre_plug.
  fx = merge(fx, merge(trace('pc_machine_device_pre_plug_cb', undefined, 1), trace('pc_memory_pre_plug', undefined, 2)));
  if (!c.acpi) return fail(E.acpiMissing(), undefined, 3);
  if (!c.memoryHotplugSupport) return fail(E.memhpOff(c.type === 'pc' ? 'PIIX4_PM' : 'ICH9-LPC'), 'acpi_memory_hotplug pre_plug', 3);

  // pc_dimm_pre_plug: slot range, then the occupancy bitmap.
  const slot = chooseSlot(state.dimms, req.slot, c.ramSlots);
  if (!slot.ok) return fail(slot.error, 'pc_dimm_pre_plug', 3);
  fx = merge(fx, merge(trace('pc_dimm_pre_plug', `slot ${slot.value}`, 3), tracepoint('mhp_pc_dimm_assigned_slot', `${slot.value}`)));

  // memory_device_pre_plug: the backend's region gives size and alignment.
  const backend = req.memdev === undefined ? undefined : findBackend(state, req.memdev);
  if (!backend) return fail(E.memdevNotSet(), 'memory_device_pre_plug', 4);
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
  if (!addr.ok) return fail(addr.error, 'memory_device_get_free_addr', 5);
  fx = merge(fx, merge(trace('memory_device_pre_plug', `addr ${hex(addr.value)}`, 4), tracepoint('memory_device_pre_plug', `id=${req.id ?? ''} addr=${hex(addr.value)}`)));

  // pc_dimm_realize: NUMA node, then the memdev must not be mapped already.
  const nodes = state.layout.numNodes;
  if ((nodes > 0 && req.node >= BigInt(nodes)) || (nodes === 0 && req.node !== 0n)) {
    fx = merge(fx, trace('pc_dimm_realize', undefined, 1));
    return fail(E.nodeOutOfRange(req.node, nodes || 1), undefined, 2);
  }
  if (backend.mapped) {
    fx = merge(fx, trace('pc_dimm_realize', undefined, 1));
    return fail(E.memdevBusy(backend.id), undefined, 2);
  }
  fx = merge(fx, trace('pc_dimm_realize', `memdev ${backend.id} mapped`, 1));

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
    dimms: withDimm(next.dimms, dimm),
    peripheral: req.id === undefined ? next.peripheral : ghashInsert(next.peripheral, req.id),
    anonCount: req.id === undefined ? next.anonCount + 1 : next.anonCount,
  };

  // hotplug_handler_plug(machine) → pc_machine_device_plug_cb → pc_memory_plug.
  fx = merge(fx, merge(trace('pc_machine_device_plug_cb', undefined, 1), trace('pc_memory_plug', undefined, 2)));
  const plugged = pcDimmPlug(next, dimm, backend.region, 3);
  next = plugged.state;
  fx = merge(fx, plugged.fx);

  // hotplug_handler_plug(acpi_dev): the ACPI device's plug callback (PIIX4_PM / ICH9-LPC → acpi_memory_plug_cb).
  const acpi = acpiMemoryPlug(next, slot.value, hotplugged);
  fx = merge(fx, trace(c.type === 'pc' ? 'piix4_device_plug_cb' : 'ich9_pm_device_plug_cb', undefined, 3));
  return succeed(acpi.state, merge(fx, nest(acpi.fx, 4)));
}

/** pc_dimm_plug → memory_device_plug: map the backend's region inside device-memory (one memory transaction). */
function pcDimmPlug(state: MachineState, dimm: Dimm, region: string, depth: number): { state: MachineState; fx: Effects } {
  const base = state.layout.deviceMemory!.base;
  let fx = merge(trace('pc_dimm_plug', undefined, depth), trace('memory_device_plug', undefined, depth + 1));
  fx = merge(fx, trace('memory_region_add_subregion', `${DEVICE_MEMORY_ID} + ${hex(dimm.addr - base)} ← ${region}`, depth + 2));
  const tx = memTransaction(state.mem, (r) => addSubregion(r, DEVICE_MEMORY_ID, dimm.addr - base, region, 0), state.config.accel);
  fx = merge(fx, nest(tx.fx, depth + 3));
  fx = merge(fx, tracepoint('memory_device_plug', `id=${dimm.id ?? ''} addr=${hex(dimm.addr)}`));
  return { state: { ...state, mem: tx.state }, fx };
}
