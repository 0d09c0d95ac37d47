// The pc machine's hotplug handler for pc-dimms (hw/i386/pc.c), shared by pc and q35 as in QEMU: the
// machine's pre_plug / plug / unplug_request / unplug callbacks (pc_machine_device_*_cb) and their memory
// branches (pc_memory_*), which call the DIMM's own code (devices/pc-dimm.ts) and the board's ACPI device
// (x86ms->acpi_dev: PIIX4_PM on pc, ICH9-LPC on q35; acpi/piix4.ts, acpi/ich9.ts). Each function emits its
// own hop at `depth` and its callees below it.

import type { Dimm, MachineState } from '../state';
import { E, type QemuError } from '../errors';
import { merge, trace, type Effects, type Transition } from '../effects';
import type { AcpiHotplugDevice } from '../acpi/acpi-interface';
import type { Outcome } from '../outcome';
import { PIIX4_PM } from '../acpi/piix4';
import { ICH9_LPC } from '../acpi/ich9';
import { setMapped } from '../devices/backends';
import { pc_dimm_plug, pc_dimm_pre_plug, pc_dimm_unplug, type DimmRequest, type PrePlugged } from '../devices/pc-dimm';

/** x86ms->acpi_dev: the board's ACPI device. */
export function acpiDev(state: MachineState): AcpiHotplugDevice {
  return state.config.type === 'pc' ? PIIX4_PM : ICH9_LPC;
}

/** pc_machine_device_pre_plug_cb for a pc-dimm: pc_memory_pre_plug. */
export function pc_machine_device_pre_plug_cb(state: MachineState, req: DimmRequest, depth: number): PrePlugged {
  const r = pc_memory_pre_plug(state, req, depth + 1);
  // `{ ...r, fx }` as literals of the two shapes pre_plug gives (a spread here took V8's slow path: ≈ 2% of a replay).
  const fx = merge(trace('pc_machine_device_pre_plug_cb', undefined, depth), r.fx);
  return r.ok ? { ok: true, value: r.value, fx } : { ok: false, error: r.error, fx };
}

/** pc_memory_pre_plug: an ACPI device, enabled; its own pre_plug (memory hotplug support); then pc_dimm_pre_plug. */
export function pc_memory_pre_plug(state: MachineState, req: DimmRequest, depth: number): PrePlugged {
  let fx: Effects = trace('pc_memory_pre_plug', undefined, depth);
  const refused = (error: QemuError, more: Effects): PrePlugged => ({ ok: false, error, fx: merge(fx, more) });
  if (!state.config.acpi) {
    const error = E.acpiMissing();
    return refused(error, trace('error_setg', error.desc, depth + 1));
  }
  const acpi = acpiDev(state).pre_plug(state, depth + 1);
  if (acpi.error) return refused(acpi.error, acpi.fx);
  fx = merge(fx, acpi.fx);
  const r = pc_dimm_pre_plug(state, req, depth + 1);
  const all = merge(fx, r.fx);
  return r.ok ? { ok: true, value: r.value, fx: all } : { ok: false, error: r.error, fx: all };
}

/** pc_machine_device_plug_cb for a pc-dimm: pc_memory_plug. */
export function pc_machine_device_plug_cb(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const r = pc_memory_plug(state, dimm, depth + 1);
  return { state: r.state, fx: merge(trace('pc_machine_device_plug_cb', undefined, depth), r.fx) };
}

/** pc_memory_plug: pc_dimm_plug, then hotplug_handler_plug(acpi_dev) (piix4_device_plug_cb / ich9_pm_device_plug_cb). */
export function pc_memory_plug(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const plugged = pc_dimm_plug(state, dimm, depth + 1);
  const acpi = acpiDev(state).plug(plugged.state, dimm.slot, dimm.hotplugged, depth + 1);
  return { state: acpi.state, fx: merge(trace('pc_memory_plug', undefined, depth), merge(plugged.fx, acpi.fx)) };
}

export type UnplugRequested = Outcome<MachineState>;

/** pc_machine_device_unplug_request_cb for a pc-dimm: pc_memory_unplug_request. */
export function pc_machine_device_unplug_request_cb(state: MachineState, dimm: Dimm, depth: number): UnplugRequested {
  const r = pc_memory_unplug_request(state, dimm, depth + 1);
  return { ...r, fx: merge(trace('pc_machine_device_unplug_request_cb', undefined, depth), r.fx) };
}

/** pc_memory_unplug_request: an ACPI device, enabled; then hotplug_handler_unplug_request(acpi_dev). */
export function pc_memory_unplug_request(state: MachineState, dimm: Dimm, depth: number): UnplugRequested {
  if (!state.config.acpi) return { ok: false, error: E.acpiMissing(), fx: trace('pc_memory_unplug_request', undefined, depth) };
  const acpi = acpiDev(state).unplug_request(state, dimm.slot, depth + 1);
  return { ok: true, state: acpi.state, fx: merge(trace('pc_memory_unplug_request', () => `slot ${dimm.slot}`, depth), acpi.fx) };
}

/** pc_machine_device_unplug_cb for a pc-dimm (the guest's eject, through acpi_memory_hotplug_write): pc_memory_unplug. */
export function pc_machine_device_unplug_cb(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  const r = pc_memory_unplug(state, dimm, depth + 1);
  return { state: r.state, fx: merge(trace('pc_machine_device_unplug_cb', undefined, depth), r.fx) };
}

/** pc_memory_unplug: hotplug_handler_unplug(acpi_dev), pc_dimm_unplug, qdev_unrealize (the memdev is unmapped). */
export function pc_memory_unplug(state: MachineState, dimm: Dimm, depth: number): Transition<MachineState> {
  let fx: Effects = trace('pc_memory_unplug', dimm.id ?? dimm.path, depth);
  const acpi = acpiDev(state).unplug(state, dimm.slot, depth + 1);
  const unplugged = pc_dimm_unplug(acpi.state, dimm, depth + 1);
  fx = merge(fx, merge(acpi.fx, unplugged.fx));
  // qdev_unrealize → pc_dimm_unrealize: the backend is no longer mapped (the slot is free once object_unparent drops the DIMM)
  const next = setMapped(unplugged.state, dimm.memdev, false);
  return { state: next, fx: merge(fx, trace('qdev_unrealize', () => `slot ${dimm.slot} freed, memdev ${dimm.memdev} unmapped`, depth + 1)) };
}
