// The APM control/status ports 0xb2/0xb3 (hw/isa/apm.c) of PIIX4_PM and ICH9-LPC: APMC and APMS are plain
// bytes; a write to APMC calls the board's callback, which turns the ACPI enable/disable commands into
// PM1_CNT.SCI_EN (acpi_pm1_cnt_update) and any other command into an SMI request.

import type { MachineState } from '../state';
import { done, trace, type Transition } from '../effects';
import { ModelLimit } from '../errors';
import { PIIX4_PM_DEVFN } from './pci-config';

/** PIIX4's ACPI enable/disable commands (hw/acpi/piix4.c) and ICH9's (ICH9_APM_ACPI_ENABLE/DISABLE). */
const PIIX4_ACPI_ENABLE = 0xf1;
const PIIX4_ACPI_DISABLE = 0xf0;
const ICH9_ACPI_ENABLE = 0x02;
const ICH9_ACPI_DISABLE = 0x03;
const SCI_ENABLE = 0x0001;
const ICH9_SMI_EN_APMC_EN = 0x20;

/** apm_ioport_readb: offset 0 APMC, 1 APMS. */
export function apmIoportRead(state: MachineState, off: number): number {
  return (off & 1) === 0 ? state.acpi.apmc ?? 0 : state.acpi.apms ?? 0;
}

/** apm_ioport_writeb: APMS is stored; APMC is stored and the callback runs (apm_ctrl_changed / ich9_apm_ctrl_changed). */
export function apmIoportWrite(state: MachineState, off: number, val: number): Transition<MachineState> {
  const v = val & 0xff;
  if ((off & 1) === 1) return done({ ...state, acpi: { ...state.acpi, apms: v } }, trace('apm_io_write', `APMS = 0x${v.toString(16)}`));
  const ich9 = state.acpi.device === 'ich9';
  const enable = v === (ich9 ? ICH9_ACPI_ENABLE : PIIX4_ACPI_ENABLE);
  const disable = v === (ich9 ? ICH9_ACPI_DISABLE : PIIX4_ACPI_DISABLE);
  // acpi_pm1_cnt_update does nothing in acpi_only mode (no SMM: the model's KVM), where SCI_EN stays set.
  const acpiOnly = state.config.accel === 'kvm' && !state.config.flags.smmCompat;
  let pm1Cnt = state.acpi.pm1Cnt;
  if (!acpiOnly && enable) pm1Cnt |= SCI_ENABLE;
  else if (!acpiOnly && disable) pm1Cnt &= ~SCI_ENABLE;
  if (!enable && !disable) {
    // An SMI request: PIIX4 raises its SMI line when config 0x5b bit 1 is set; ICH9 interrupts the current CPU
    // when SMI_EN.APMC_EN is set (under qtest there is none). Neither is observable here, the second is not modelled.
    if (ich9 && state.acpi.smiEn & ICH9_SMI_EN_APMC_EN) throw new ModelLimit(`an APM SMI request (outb 0xb2 0x${v.toString(16)} with SMI_EN.APMC_EN set)`);
    const pm = state.acpi.pci.find((f) => f.devfn === PIIX4_PM_DEVFN);
    if (!ich9 && pm && pm.config[0x5b] & 2) throw new ModelLimit(`an APM SMI request (outb 0xb2 0x${v.toString(16)} with PIIX4 config 0x5b bit 1 set)`);
  }
  const note = enable ? ' (ACPI enable: SCI_EN set)' : disable ? ' (ACPI disable: SCI_EN cleared)' : '';
  return done({ ...state, acpi: { ...state.acpi, apmc: v, pm1Cnt } }, trace('apm_io_write', `APMC = 0x${v.toString(16)}${note}`));
}
