// The ACPI device interface (hw/acpi/acpi_interface.c, include/hw/hotplug.h): what a board's ACPI device
// (PIIX4_PM on pc, ICH9-LPC on q35) offers the code above it. The machine's hotplug handler (machine/pc.ts)
// calls the device's hotplug callbacks (hotplug_handler_pre_plug / plug / unplug_request / unplug on
// x86ms->acpi_dev), and the memory-hotplug block (memhp.ts) raises its event through acpi_send_event, which
// calls the device's own send_event (piix4_send_gpe, ich9_send_gpe). The devices are data passed in, as
// QEMU looks them up through their class, so these modules import neither piix4.ts nor ich9.ts.

import type { MachineState } from '../state';
import type { QemuError } from '../errors';
import { merge, trace, type Effects, type Transition } from '../effects';

/** AcpiDeviceIfClass.send_event: set the event's GPE status bit and update the SCI. */
export type SendEvent = (state: MachineState, event: number, depth: number) => Transition<MachineState>;

/** The ACPI device as a hotplug handler (HotplugHandlerClass) and an AcpiDeviceIf, for a pc-dimm. */
export interface AcpiHotplugDevice {
  /** QOM type name, as in QEMU's messages. */
  readonly name: 'PIIX4_PM' | 'ICH9-LPC';
  readonly send_event: SendEvent;
  /** hc->pre_plug: refuses when memory hotplug is off (`memory-hotplug-support`). */
  readonly pre_plug: (state: MachineState, depth: number) => { readonly error?: QemuError; readonly fx: Effects };
  /** hc->plug: acpi_memory_plug_cb. */
  readonly plug: (state: MachineState, slot: bigint, hotplugged: boolean, depth: number) => Transition<MachineState>;
  /** hc->unplug_request: acpi_memory_unplug_request_cb. */
  readonly unplug_request: (state: MachineState, slot: bigint, depth: number) => Transition<MachineState>;
  /** hc->unplug: acpi_memory_unplug_cb. */
  readonly unplug: (state: MachineState, slot: bigint, depth: number) => Transition<MachineState>;
}

/** acpi_send_event(dev, event): the device's send_event. */
export function acpi_send_event(state: MachineState, dev: Pick<AcpiHotplugDevice, 'send_event'>, event: number, depth: number): Transition<MachineState> {
  const sent = dev.send_event(state, event, depth + 1);
  return { state: sent.state, fx: merge(trace('acpi_send_event', () => `0x${event.toString(16).padStart(2, '0')}`, depth), sent.fx) };
}
