// system_powerdown: QEMU emits POWERDOWN, then its powerdown notifier presses the ACPI power button
// (acpi_pm1_evt_power_down): PM1 PWRBTN_STS is set, and the SCI re-evaluated, only while the guest has
// PWRBTN_EN set in PM1_EN. Without an ACPI device (pc with acpi=off) only the event is emitted.

import type { MachineState } from '../state';
import { done, event, merge, trace, type Transition } from '../effects';
import { acpiUpdateSci } from './gpe';

const PWRBTN = 0x0100;

export function systemPowerdown(state: MachineState): Transition<MachineState> {
  const fx = merge(trace('qemu_system_powerdown'), event('POWERDOWN'));
  const acpi = state.acpi;
  if (acpi.device === 'none') return done(state, fx);
  if (!(acpi.pm1En & PWRBTN)) return done(state, merge(fx, trace('acpi_pm1_evt_power_down', 'PWRBTN_EN clear: nothing latched', 1)));
  const pressed: MachineState = { ...state, acpi: { ...acpi, pm1Sts: acpi.pm1Sts | PWRBTN } };
  const u = acpiUpdateSci(pressed, 2, 'power button');
  return { state: u.state, fx: merge(merge(fx, trace('acpi_pm1_evt_power_down', 'PM1_STS |= PWRBTN_STS', 1)), u.fx) };
}
