// ICH9-LPC, the q35 board's ACPI device (hw/acpi/ich9.c; its send_event is in hw/isa/lpc_ich9.c) as a
// hotplug handler for pc-dimms: its pre_plug, plug, unplug_request and unplug callbacks and its send_event,
// named as QEMU names them. The machine's handler (machine/pc.ts) calls them through x86ms->acpi_dev; the
// SCI goes through the LPC to the GSI that ACPI_CTRL selects (gpe.ts, ich9_set_sci).

import type { MachineState } from '../state';
import { E } from '../errors';
import { merge, nest, trace, type Transition } from '../effects';
import type { AcpiHotplugDevice } from './acpi-interface';
import { acpi_send_gpe_event } from './gpe';
import { acpi_memory_plug_cb, acpi_memory_unplug_cb, acpi_memory_unplug_request_cb } from './memhp';

/** ich9_send_gpe: acpi_send_gpe_event on ICH9.s registers and SCI. */
export function ich9_send_gpe(state: MachineState, event: number, depth: number): Transition<MachineState> {
  const sent = acpi_send_gpe_event(state, event, depth + 1);
  return { state: sent.state, fx: merge(trace('ich9_send_gpe', undefined, depth), sent.fx) };
}

/** ich9_pm_device_pre_plug_cb for a pc-dimm: memory hotplug must be enabled (`memory-hotplug-support`). */
export function ich9_pm_device_pre_plug_cb(state: MachineState, depth: number): ReturnType<AcpiHotplugDevice['pre_plug']> {
  if (!state.config.memoryHotplugSupport) {
    const error = E.memhpOff('ICH9-LPC');
    return { error, fx: trace('ich9_pm_device_pre_plug_cb', error.desc, depth) };
  }
  return { fx: trace('ich9_pm_device_pre_plug_cb', undefined, depth) };
}

/** ich9_pm_device_plug_cb for a pc-dimm: acpi_memory_plug_cb. */
export function ich9_pm_device_plug_cb(state: MachineState, slot: bigint, hotplugged: boolean, depth: number): Transition<MachineState> {
  const r = acpi_memory_plug_cb(state, ICH9_LPC, slot, hotplugged);
  return { state: r.state, fx: merge(trace('ich9_pm_device_plug_cb', undefined, depth), nest(r.fx, depth + 1)) };
}

/** ich9_pm_device_unplug_request_cb for a pc-dimm: acpi_memory_unplug_request_cb. */
export function ich9_pm_device_unplug_request_cb(state: MachineState, slot: bigint, depth: number): Transition<MachineState> {
  const r = acpi_memory_unplug_request_cb(state, ICH9_LPC, slot);
  return { state: r.state, fx: merge(trace('ich9_pm_device_unplug_request_cb', undefined, depth), nest(r.fx, depth + 1)) };
}

/** ich9_pm_device_unplug_cb for a pc-dimm: acpi_memory_unplug_cb. */
export function ich9_pm_device_unplug_cb(state: MachineState, slot: bigint, depth: number): Transition<MachineState> {
  const r = acpi_memory_unplug_cb(state, slot);
  return { state: r.state, fx: merge(trace('ich9_pm_device_unplug_cb', undefined, depth), nest(r.fx, depth + 1)) };
}

export const ICH9_LPC: AcpiHotplugDevice = {
  name: 'ICH9-LPC',
  send_event: ich9_send_gpe,
  pre_plug: ich9_pm_device_pre_plug_cb,
  plug: ich9_pm_device_plug_cb,
  unplug_request: ich9_pm_device_unplug_request_cb,
  unplug: ich9_pm_device_unplug_cb,
};
