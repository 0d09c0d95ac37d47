// PIIX4_PM, the pc board's ACPI device (hw/acpi/piix4.c) as a hotplug handler for pc-dimms: its pre_plug,
// plug, unplug_request and unplug callbacks and its send_event, named as QEMU names them. The machine's
// handler (machine/pc.ts) calls them through x86ms->acpi_dev; the SCI goes straight to GSI 9 (gpe.ts).

import type { MachineState } from '../state';
import { E } from '../errors';
import { merge, nest, trace, type Transition } from '../effects';
import type { AcpiHotplugDevice } from './acpi-interface';
import { acpi_send_gpe_event } from './gpe';
import { acpi_memory_plug_cb, acpi_memory_unplug_cb, acpi_memory_unplug_request_cb } from './memhp';

/** piix4_send_gpe: acpi_send_gpe_event on PIIX4's registers and SCI. */
export function piix4_send_gpe(state: MachineState, event: number, depth: number): Transition<MachineState> {
  const sent = acpi_send_gpe_event(state, event, depth + 1);
  return { state: sent.state, fx: merge(trace('piix4_send_gpe', undefined, depth), sent.fx) };
}

/** piix4_device_pre_plug_cb for a pc-dimm: memory hotplug must be enabled (`memory-hotplug-support`). */
export function piix4_device_pre_plug_cb(state: MachineState, depth: number): ReturnType<AcpiHotplugDevice['pre_plug']> {
  if (!state.config.memoryHotplugSupport) {
    const error = E.memhpOff('PIIX4_PM');
    return { error, fx: trace('piix4_device_pre_plug_cb', error.desc, depth) };
  }
  return { fx: trace('piix4_device_pre_plug_cb', undefined, depth) };
}

/** piix4_device_plug_cb for a pc-dimm: acpi_memory_plug_cb. */
export function piix4_device_plug_cb(state: MachineState, slot: bigint, hotplugged: boolean, depth: number): Transition<MachineState> {
  const r = acpi_memory_plug_cb(state, PIIX4_PM, slot, hotplugged);
  return { state: r.state, fx: merge(trace('piix4_device_plug_cb', undefined, depth), nest(r.fx, depth + 1)) };
}

/** piix4_device_unplug_request_cb for a pc-dimm: acpi_memory_unplug_request_cb. */
export function piix4_device_unplug_request_cb(state: MachineState, slot: bigint, depth: number): Transition<MachineState> {
  const r = acpi_memory_unplug_request_cb(state, PIIX4_PM, slot);
  return { state: r.state, fx: merge(trace('piix4_device_unplug_request_cb', undefined, depth), nest(r.fx, depth + 1)) };
}

/** piix4_device_unplug_cb for a pc-dimm: acpi_memory_unplug_cb. */
export function piix4_device_unplug_cb(state: MachineState, slot: bigint, depth: number): Transition<MachineState> {
  const r = acpi_memory_unplug_cb(state, slot);
  return { state: r.state, fx: merge(trace('piix4_device_unplug_cb', undefined, depth), nest(r.fx, depth + 1)) };
}

export const PIIX4_PM: AcpiHotplugDevice = {
  name: 'PIIX4_PM',
  send_event: piix4_send_gpe,
  pre_plug: piix4_device_pre_plug_cb,
  plug: piix4_device_plug_cb,
  unplug_request: piix4_device_unplug_request_cb,
  unplug: piix4_device_unplug_cb,
};
