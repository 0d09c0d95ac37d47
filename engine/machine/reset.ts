// system_reset (qemu_system_reset with the VM paused), as observed on QEMU 7.2.22 (10.0: version data):
// - the PIT re-arms channel 0: IRQ 0 is lowered three times and raised (counted in `info irq`; through an
//   intercept `IRQ raise 0`, preceded by `IRQ lower 0` when it was already high); 10.0 only raises it;
// - the i8042 lowers IRQ 1 and 12, the RTC IRQ 8 (no visible change but their pic_set_irq/ioapic_set_irq);
// - the i8259 pair (ELCR cleared, IRR & ELCR) and the IOAPIC (entries masked) reset;
// - PIIX4_PM disables its PM I/O block (PMBASE is kept), ICH9-LPC restores PMBASE/ACPI_CTRL (block off,
//   SCI back on GSI 9);
// - GPE0 STS/EN and PM1 clear, and the SCI is recomputed (usually `IRQ lower 9`);
// - the memory-hotplug block is untouched: a pending unplug is NOT completed and slot flags stay.
// QMP event RESET {guest: false, reason: host-qmp-system-reset}.

import type { MachineState } from '../state';
import { NO_EFFECTS, event, merge, trace, type Transition } from '../effects';
import { resetPic } from '../irq/i8259';
import { setGsi } from '../irq/gsi';
import { resetIoapic } from '../irq/ioapic';
import { resetAcpiRegisters } from '../acpi/gpe';
import { initialPciFunctions, pciResetFunction, PIIX4_PM_DEVFN } from '../acpi/pci-config';
import { setPmBase } from './memory-map';

/** pit_reset: channel 0's output levels as the release sets them (7.2: low three times, then high), through the HPET. */
function pitReraise(state: MachineState): Transition<MachineState> {
  if (state.irq.mode !== 'tcg') return { state, fx: trace('pit_reset', 'in-kernel PIT') };
  // The levels reach IRQ 0 through the HPET's reset (pit_irq_control); without an HPET nothing moves.
  if (state.config.hpet === false) return { state, fx: trace('pit_reset', 'no HPET: the PIT output is not re-enabled', 1) };
  const levels = state.config.qemu.reset.pitLevels;
  let t: Transition<MachineState> = { state, fx: trace('pit_reset', `channel 0 output ${levels.join(', ')}`, 1) };
  for (const level of levels) {
    const g = setGsi(t.state, 0, level, 2);
    t = { state: g.state, fx: merge(t.fx, g.fx) };
  }
  return t;
}

/** IRQ lines a device lowers in its reset (TCG only: under KVM the i8259 and IOAPIC are the kernel's). */
function lowerLines(fn: string, gsis: readonly number[]) {
  return (state: MachineState): Transition<MachineState> => {
    if (state.irq.mode !== 'tcg') return { state, fx: NO_EFFECTS };
    let t: Transition<MachineState> = { state, fx: NO_EFFECTS };
    for (const gsi of gsis) {
      const g = setGsi(t.state, gsi, 0, 2);
      t = { state: g.state, fx: merge(t.fx, merge(trace(fn, `IRQ ${gsi} low`, 1), g.fx)) };
    }
    return t;
  };
}

/** i8042 (kbd_reset → kbd_update_irq: IRQ 1 and 12 low). */
const i8042Reset = lowerLines('kbd_reset', [1, 12]);
/** The RTC (rtc_reset: IRQ 8 low). */
const rtcReset = lowerLines('rtc_reset', [8]);

/** PCI functions reset as QEMU resets them (pciResetFunction: PAM and PIIX4's PMBASE high bytes stay), PM block off, GPE/PM1 cleared. */
function acpiReset(state: MachineState): Transition<MachineState> {
  const old = state.acpi.pci;
  const pci = initialPciFunctions(state.config).map((f) => pciResetFunction(f, old.find((o) => o.devfn === f.devfn)));
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
  // The in-kernel PIC's reset is the kernel's: nothing QEMU traces.
  const pic = state.irq.mode === 'tcg' ? resetPic(state.irq) : { state: resetPic(state.irq).state, fx: NO_EFFECTS };
  const next = { ...state, irq: { ...pic.state, ioapic: resetIoapic(state.irq.ioapic.version) } };
  return { state: next, fx: merge(merge(trace('pic_reset', 'ELCR 0, IRR & ELCR', 1), pic.fx), trace('ioapic_reset_common', 'all entries masked', 1)) };
}

/**
 * Devices reset in qdev-tree order (as the trace points show it on QEMU 7.2). On pc the PIT (under PIIX3's
 * ISA bus) resets before PIIX4_PM; on q35 the ICH9-LPC, which holds the PM registers, resets before the PIT
 * on its ISA bus; then the i8042, the RTC and the interrupt controllers in the release's order.
 */
export function systemReset(state: MachineState): Transition<MachineState> {
  const isa = state.config.qemu.reset.isaOrder.map((d) => (d === 'i8042' ? i8042Reset : d === 'rtc' ? rtcReset : controllersReset));
  const order = state.config.type === 'pc' ? [pitReraise, acpiReset, ...isa] : [acpiReset, pitReraise, ...isa];
  let t: Transition<MachineState> = { state, fx: trace('qemu_system_reset', 'host-qmp-system-reset') };
  for (const step of order) {
    const r = step(t.state);
    t = { state: r.state, fx: merge(t.fx, r.fx) };
  }
  // q35: the MCH's reset maps its MMCONFIG window again (unmap + map, mch_update_pciexbar): a topology change, so
  // every flat view is generated anew and none has looked anything up yet (info mtree -f -d shows no [MRU]).
  const after = state.config.type === 'q35' ? { ...t.state, dispatchMru: undefined } : t.state;
  return { state: after, fx: merge(t.fx, event('RESET', { guest: false, reason: 'host-qmp-system-reset' })) };
}
