// Whether the board has its SMM ranges: QEMU 10.0 gives q35's MCH its SMRAM window, TSEG and SMBASE ranges (and
// /machine its `smram` link) only when the accelerator offers SMM; the referee host's KVM offers none
// (KVM_CAP_X86_SMM, as PIIX4_PM's SMM flag shows too), TCG always does. 7.2 and i440FX have them either way.

import type { MachineConfig } from '../config/types';

/** Whether KVM runs the i8259s, the IOAPIC and the PIT in the kernel (`-accel kvm` without a split irqchip). */
export function inKernelIrqchip(config: MachineConfig): boolean {
  return config.accel === 'kvm' && !config.flags.kernelIrqchipSplit;
}

export function hasSmmRanges(config: MachineConfig): boolean {
  return !(config.type === 'q35' && config.accel === 'kvm' && config.qemu.q35SmmRangesNeedSmm);
}
