// `-accel kvm`: the in-kernel irqchip (hw/i386/kvm/i8259.c, ioapic.c). QEMU's gsi_handler still runs, but
// kvm_pic_set_irq / kvm_ioapic_set_irq only count statistics and call kvm_set_irq; the kernel's routing
// table (kvm_pc_setup_irq_routing) sends GSI 0-7 to the master, 8-15 to the slave, and GSI n to IOAPIC pin n
// (GSI 0 to pin 2). The guest's port and MMIO accesses to kvm-pic / kvm-elcr / kvm-ioapic never reach
// QEMU's dispatch: through qtest they read 0 and writes are dropped.

import { merge, trace, type Transition } from '../effects';
import { picSetIrq, statTrace, statUpdate } from './i8259';
import { kvmIoapicSetIrq } from './ioapic';
import type { IrqState } from './types';
import { irqWithIoapicStats, irqWithPicStats } from '../records';

export const KVM_IOAPIC_VERSION = 0x11;

/** kvm_set_irq(gsi, level) as the kernel applies it. */
function kernelSetIrq(irq: IrqState, gsi: number, level: number, depth: number): Transition<IrqState> {
  let cur = irq;
  const fx = trace('kvm_set_irq', () => `gsi ${gsi} level ${level}`, depth);
  if (gsi === 2) return { state: cur, fx }; // not in the routing table
  if (gsi < 16) cur = picSetIrq(cur, gsi < 8 ? 0 : 1, gsi & 7, level, false).state;
  cur = kvmIoapicSetIrq(cur, gsi, level);
  return { state: cur, fx };
}

/** kvm_pic_set_irq: statistics per GSI index (no cascade count), then the kernel. */
export function kvmPicSetIrq(irq: IrqState, n: number, level: number, depth = 0): Transition<IrqState> {
  const counted = irqWithPicStats(irq, statUpdate(irq.picStats, n, level));
  const fx = merge(trace('kvm_pic_set_irq', () => `irq ${n} level ${level}`, depth), statTrace('pic_stat_update_irq', counted.picStats, n, depth + 1));
  const t = kernelSetIrq(counted, n, level, depth + 1);
  return { state: t.state, fx: merge(fx, t.fx) };
}

/** kvm_ioapic_set_irq: statistics per input pin, then the kernel (kvm_gsi_base 0). */
export function kvmIoapicInput(irq: IrqState, n: number, level: number, depth = 0): Transition<IrqState> {
  const counted = irqWithIoapicStats(irq, statUpdate(irq.ioapicStats, n, level));
  const fx = merge(trace('kvm_ioapic_set_irq', () => `irq ${n} level ${level}`, depth), statTrace('ioapic_stat_update_irq', counted.ioapicStats, n, depth + 1));
  const t = kernelSetIrq(counted, n, level, depth + 1);
  return { state: t.state, fx: merge(fx, t.fx) };
}
