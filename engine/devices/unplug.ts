// Removal of a pc-dimm is two-phase in QEMU: device_del only asks the guest (pc_memory_unplug_request →
// ACPI: removing flag + GPE); the guest's eject write completes it (pc_memory_unplug), which is when the
// region leaves device-memory, the slot is freed, the backend unmapped and DEVICE_DELETED emitted.

import { messagesOf, qemuOf } from '../versions';
import type { MachineState } from '../state';
import { E, ModelLimit } from '../errors';
import { PERIPHERAL, resolvePathAt } from '../qom/tree';
import { event, merge, nest, trace, type Effects, type Transition, tracepoint } from '../effects';
import { refuse, succeed, type Outcome } from '../outcome';
import { delSubregion } from '../memory/regions';
import { memTransaction } from '../memory/transaction';
import { acpiMemoryUnplug, acpiMemoryUnplugRequest } from '../acpi/memhp';
import { setMapped } from './backends';
import { withoutDimm } from './placement';
import { ghashRemove } from '../qom/ghash';
import { DEVICE_MEMORY_ID } from '../machine/memory-map';
import { hex } from '../units';

/** qmp_device_del → qdev_unplug → pc_memory_unplug_request. Repeats are accepted and re-raise the GPE. */
export function unplugRequest(state: MachineState, id: string): Outcome<MachineState> {
  // find_device_state: the id is a QOM path relative to /machine/peripheral (or absolute).
  const node = resolvePathAt(state, PERIPHERAL, id);
  if (!node) return refuse(E.deviceNotFound(id), trace('qmp_device_del', `no device '${id}' under /machine/peripheral`));
  if (node.kind === 'passive') throw new ModelLimit(`device_del of ${node.driver}`);
  if (node.kind !== 'dimm') return refuse(messagesOf(qemuOf(state.config)).notHotpluggableDevice(id), trace('qmp_device_del', `'${id}' is not a device`));
  const dimm = node.dimm;
  let fx: Effects = merge(trace('qmp_device_del', dimm.id ?? dimm.path), trace('qdev_unplug', undefined, 1));
  if (!state.config.acpi) return refuse(E.acpiMissing(), merge(fx, trace('pc_memory_unplug_request', undefined, 2)));
  fx = merge(fx, trace('pc_memory_unplug_request', `slot ${dimm.slot}`, 2));
  const r = acpiMemoryUnplugRequest(state, dimm.slot);
  return succeed(r.state, merge(fx, nest(r.fx, 3)));
}

/** pc_memory_unplug for the DIMM in `slot` (called by the ACPI eject write). No DIMM: nothing happens. */
export function unplugDimm(state: MachineState, slot: bigint): Transition<MachineState> {
  const dimm = state.dimms.find((d) => d.slot === slot);
  if (!dimm) return { state, fx: trace('acpi_memory_eject', `slot ${slot} empty: ignored`) };
  let fx: Effects = trace('pc_memory_unplug', dimm.id ?? dimm.path, 0);
  const acpi = acpiMemoryUnplug(state, slot);
  fx = merge(fx, nest(acpi.fx, 1));
  let next = acpi.state;
  const backend = next.backends.find((b) => b.id === dimm.memdev)!;
  fx = merge(fx, merge(trace('pc_dimm_unplug', undefined, 1), trace('memory_device_unplug', `del_subregion ${backend.region}`, 2)));
  const tx = memTransaction(next.mem, (r) => delSubregion(r, DEVICE_MEMORY_ID, backend.region), next.config.accel);
  fx = merge(fx, merge(nest(tx.fx, 3), tracepoint('memory_device_unplug', `id=${dimm.id ?? ''} addr=${hex(dimm.addr)}`)));
  next = { ...next, mem: tx.state };
  next = setMapped(next, dimm.memdev, false);
  next = {
    ...next,
    dimms: withoutDimm(next.dimms, dimm),
    peripheral: dimm.id === undefined ? next.peripheral : ghashRemove(next.peripheral, dimm.id),
  };
  fx = merge(fx, trace('qdev_unrealize', `slot ${slot} freed, memdev ${dimm.memdev} unmapped`, 1));
  const data = dimm.id !== undefined ? { device: dimm.id, path: dimm.path } : { path: dimm.path };
  fx = merge(fx, merge(trace('object_unparent', 'DEVICE_DELETED', 1), event('DEVICE_DELETED', data)));
  return { state: next, fx };
}
