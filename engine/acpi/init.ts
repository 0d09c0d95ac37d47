// Initial ACPI and IRQ state of a freshly reset machine (after qemu_system_reset, before any guest code).

import type { MachineConfig } from '../config/types';
import type { Layout } from '../machine/layout';
import type { IrqState } from '../irq/types';
import { initialIrqState } from '../irq/gsi';
import { inKernelIrqchip } from '../machine/smm';
import { ICH9_GPE0_LEN, PIIX4_GPE0_LEN } from './gpe';
import { EMPTY_SLOT } from './memhp';
import { initialPciFunctions } from './pci-config';
import type { AcpiState } from './types';

export function initAcpi(config: MachineConfig, _layout?: Layout): AcpiState {
  const device: AcpiState['device'] = config.type === 'q35' ? 'ich9' : config.acpi ? 'piix4' : 'none';
  const gpeLen = device === 'ich9' ? ICH9_GPE0_LEN : PIIX4_GPE0_LEN;
  const half = device === 'none' ? 0 : gpeLen / 2;
  // acpi_memory_hotplug_init: only with memory-hotplug-support and ram_slots > 0 (ICH9-LPC has it even with acpi=off).
  const hasMemhp = device !== 'none' && config.memoryHotplugSupport && config.ramSlots > 0n;
  const kvm = config.accel === 'kvm';
  return {
    device,
    memhp: hasMemhp ? { selector: 0, slots: Array.from({ length: Number(config.ramSlots) }, () => EMPTY_SLOT) } : undefined,
    gpeSts: Array.from({ length: half }, () => 0),
    gpeEn: Array.from({ length: half }, () => 0),
    // The reset's acpi_update_sci already latched TMR_STS (overflow time 0, clock stopped at 0).
    pm1Sts: device === 'none' ? 0 : 0x0001,
    pm1En: 0,
    // PM1_CNT.SCI_EN is set at reset when there is no SMM (acpi_only): KVM here lacks KVM_CAP_X86_SMM.
    pm1Cnt: kvm && device !== 'none' && !config.flags.smmCompat ? 1 : 0,
    tmrOverflowDue: device !== 'none',
    sciLevel: 0,
    sciGsi: 9,
    configReg: 0,
    pci: initialPciFunctions(config),
    resetControl: 0,
    // ICH9 SMI_EN: APMC_EN set at reset when SMM is off.
    smiEn: kvm && device === 'ich9' ? 0x20 : 0,
  };
}

export function initIrq(config: MachineConfig): IrqState {
  const irq = initialIrqState(inKernelIrqchip(config) ? 'kvm' : 'tcg', config.flags.ioapicVersion, config.hpet !== false);
  return config.qemu.i8259Ltim ? { ...irq, ltim: true } : irq;
}
