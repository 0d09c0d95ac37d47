// system_reset (qemu_system_reset with the VM paused), as observed on QEMU 7.2.22:
// - the PIT re-arms channel 0 first: IRQ 0 falls and rises again (counted in `info irq`; through an intercept
//   `IRQ raise 0`, preceded by `IRQ lower 0` when it was already high);
// - the i8259 pair (ELCR cleared, IRR & ELCR) and the IOAPIC (entries masked) reset;
// - PIIX4_PM disables its PM I/O block (PMBASE is kept), ICH9-LPC restores PMBASE/ACPI_CTRL (block off,
//   SCI back on GSI 9);
// - GPE0 STS/EN and PM1 clear, and the SCI is recomputed (usually `IRQ lower 9`);
// - the memory-hotplug block is untouched: a pending unplug is NOT completed and slot flags stay.
// QMP event RESET {guest: false, reason: host-qmp-system-reset}.

import { qemuOf } from '../versions';
import type { MachineState } from '../state';
import { event, merge, trace, irqLine, type Effects, type Transition } from '../effects';
import { resetPic } from '../irq/i8259';
import { resetIoapic } from '../irq/ioapic';
import { resetAcpiRegisters } from '../acpi/gpe';
import { initialPciFunctions, PIIX4_PM_DEVFN } from '../acpi/pci-config';
import { setPmBase } from './memory-map';

function pitReraise(state: MachineState): Transition<MachineState> {
  if (state.irq.mode !== 'tcg') return { state, fx: trace('pit_reset', 'in-kernel PIT') };
  if (!qemuOf(state.config).pitResetPulse) return pitSetHigh(state);
  const bump = (s: { level: readonly number[]; count: readonly number[] }) => ({
    level: s.level.map((l, i) => (i === 0 ? 1 : l)),
    count: s.count.map((c, i) => (i === 0 ? c + 1 : c)),
  });
  let next: MachineState = { ...state, irq: { ...state.irq, picStats: bump(state.irq.picStats), ioapicStats: bump(state.irq.ioapicStats) } };
  // The channel's output drops and rises again: an intercept whose cache was high sees both edges.
  let fx: Effects = trace('pit_reset', 'channel 0 output low, then high: IRQ 0 rises');
  const q = state.qtest;
  if (q.intercept?.kind === 'in' && q.intercept.target === 'ioapic') {
    if ((q.levels[0] ?? 0) === 1) fx = merge(fx, irqLine('IRQ lower 0'));
    next = { ...next, qtest: { ...q, levels: q.levels.map((l, i) => (i === 0 ? 1 : l)) } };
    fx = merge(fx, irqLine('IRQ raise 0'));
  }
  return { state: next, fx };
}

/** QEMU 10.0: the channel's output is set high, no pulse: the line (high since start-up) has no new edge. */
function pitSetHigh(state: MachineState): Transition<MachineState> {
  let fx: Effects = trace('pit_reset', 'channel 0 output high: IRQ 0 stays up');
  const q = state.qtest;
  if (q.intercept?.kind === 'in' && q.intercept.target === 'ioapic' && (q.levels[0] ?? 0) === 0) {
    fx = merge(fx, irqLine('IRQ raise 0'));
    return { state: { ...state, qtest: { ...q, levels: q.levels.map((l, i) => (i === 0 ? 1 : l)) } }, fx };
  }
  return { state, fx };
}

/** PCI functions back to their reset images (PIIX4_PM keeps its PMBASE), PM block off, GPE/PM1 cleared. */
function acpiReset(state: MachineState): Transition<MachineState> {
  const old = state.acpi.pci;
  const pci = initialPciFunctions(state.config).map((f) => {
    const prev = old.find((o) => o.devfn === f.devfn);
    if (f.devfn !== PIIX4_PM_DEVFN || !prev) return f;
    return { ...f, config: f.config.map((b, i) => (i >= 0x40 && i < 0x44 ? prev.config[i] : b)) };
  });
  const piix4 = pci.find((f) => f.devfn === PIIX4_PM_DEVFN);
  const pmBase = state.config.type === 'pc' && piix4 ? BigInt((piix4.config[0x40] & 0xc0) | (piix4.config[0x41] << 8)) : 0n;
  const pm = state.acpi.device === 'none' ? undefined : setPmBase(state.mem, pmBase, false, state.config.accel);
  let next: MachineState = { ...state, acpi: { ...state.acpi, pci, sciGsi: 9 }, mem: pm ? pm.state : state.mem };
  let fx = trace(state.config.type === 'pc' ? 'piix4_pm_reset' : 'ich9_lpc_reset', 'PM I/O block disabled', 1);
  if (pm) fx = merge(fx, pm.fx);
  const regs = resetAcpiRegisters(next);
  next = regs.state;
  return { state: next, fx: merge(fx, regs.fx) };
}

function controllersReset(state: MachineState): Transition<MachineState> {
  const next = { ...state, irq: { ...resetPic(state.irq), ioapic: resetIoapic(state.irq.ioapic.version) } };
  return { state: next, fx: merge(trace('pic_reset', 'ELCR 0, IRR & ELCR', 1), trace('ioapic_reset_common', 'all entries masked', 1)) };
}

/**
 * Devices reset in qdev-tree order. On pc the PIT (under PIIX3's ISA bus) resets before PIIX4_PM; on q35
 * the ICH9-LPC, which holds the PM registers, resets before the PIT on its ISA bus (observed IRQ line order).
 */
export function systemReset(state: MachineState): Transition<MachineState> {
  const order = state.config.type === 'pc' ? [pitReraise, controllersReset, acpiReset] : [acpiReset, pitReraise, controllersReset];
  let t: Transition<MachineState> = { state, fx: trace('qemu_system_reset', 'host-qmp-system-reset') };
  for (const step of order) {
    const r = step(t.state);
    t = { state: r.state, fx: merge(t.fx, r.fx) };
  }
  return { state: t.state, fx: merge(t.fx, event('RESET', { guest: false, reason: 'host-qmp-system-reset' })) };
}
