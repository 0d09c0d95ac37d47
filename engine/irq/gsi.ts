// The 24 GSI lines (hw/i386/x86.c gsi_handler): GSI n < 16 goes to i8259 IRQ n and IOAPIC input n,
// 16..23 to the IOAPIC only. A qtest `irq_intercept_in` on the IOAPIC sits in front of its inputs and
// reports `IRQ raise N` / `IRQ lower N` whenever an input's level differs from qtest's per-pin cache.

import type { MachineState, QtestState } from '../state';
import { NO_EFFECTS, done, irqLine, merge, recordsTrace, trace, type Effects, type Transition } from '../effects';
import { picSetIrq, resetPicChip } from './i8259';
import { ioapicSetIrq, resetIoapic } from './ioapic';
import { KVM_IOAPIC_VERSION, kvmIoapicInput, kvmPicSetIrq } from './kvm';
import { GSI_NUM_PINS, ISA_NUM_IRQS, type IrqState } from './types';
import { irqWithGsi, qtestWithLevels, stateWithIrq, stateWithQtest } from '../records';

/**
 * Reset state of the interrupt controllers. TCG: the PIT's start-up raise of IRQ 0 is already counted. It
 * comes from the HPET's reset enabling the PIT's output (pit_irq_control): without an HPET (`hpet=off`) the
 * PIT's output stays untouched while the VM is paused and IRQ 0 is never raised.
 */
export function initialIrqState(mode: 'tcg' | 'kvm', ioapicVersion = 0x20, hpet = true): IrqState {
  const zeros = (n: number) => Array.from({ length: n }, () => 0);
  const pitRaised = (n: number) => zeros(n).map((_, i) => (mode === 'tcg' && hpet && i === 0 ? 1 : 0));
  return {
    mode,
    gsi: pitRaised(GSI_NUM_PINS),
    pic: [resetPicChip(true), resetPicChip(false)],
    ioapic: resetIoapic(mode === 'kvm' ? KVM_IOAPIC_VERSION : ioapicVersion),
    picStats: { level: pitRaised(ISA_NUM_IRQS), count: pitRaised(ISA_NUM_IRQS) },
    ioapicStats: { level: pitRaised(GSI_NUM_PINS), count: pitRaised(GSI_NUM_PINS) },
  };
}

function interceptsIoapicInputs(q: QtestState): boolean {
  return q.intercept?.kind === 'in' && q.intercept.target === 'ioapic';
}

/** The IOAPIC's input n, through the qtest intercept when one is installed (qtest_irq_handler). */
export function ioapicInput(state: MachineState, n: number, level: number, depth: number): Transition<MachineState> {
  // Under a qtest intercept qtest_irq_handler sits in front of the input and calls it; otherwise the input
  // is the GSI handler's direct callee (a sibling of the i8259's).
  const intercepted = interceptsIoapicInputs(state.qtest);
  const at = intercepted ? depth + 1 : depth;
  const t = state.irq.mode === 'kvm' ? kvmIoapicInput(state.irq, n, level, at) : ioapicSetIrq(state.irq, n, level, at);
  let next: MachineState = t.state === state.irq ? state : stateWithIrq(state, t.state);
  let fx: Effects = t.fx;
  if (intercepted) {
    if (recordsTrace()) fx = merge(trace('qtest_irq_handler', () => `pin ${n} level ${level}`, depth), fx);
    const cached = state.qtest.levels[n] ?? 0;
    if (cached !== level) {
      const old = state.qtest.levels;
      const levels: number[] = [];
      for (let i = 0, n = Math.max(GSI_NUM_PINS, old.length); i < n; i++) levels.push(old[i] ?? 0);
      levels[n] = level;
      next = stateWithQtest(next, qtestWithLevels(state.qtest, levels));
      fx = merge(fx, irqLine(`IRQ ${level ? 'raise' : 'lower'} ${n}`));
    }
  }
  return { state: next, fx };
}

/**
 * qemu_set_irq(x86ms->gsi[n], level) → gsi_handler (TCG) / kvm_pc_gsi_handler (KVM): the i8259 input n
 * (n < 16: pic_set_irq, or kvm_pic_set_irq → kvm_set_irq) and the IOAPIC input n (ioapic_set_irq, or
 * kvm_ioapic_set_irq → kvm_set_irq), as siblings.
 */
export function setGsi(state: MachineState, n: number, level: number, depth = 0): Transition<MachineState> {
  if (n < 0 || n >= GSI_NUM_PINS) return done(state);
  level = level ? 1 : 0;
  // A line already at `level` keeps its array (and a state nothing changes stays the very same object).
  let gsi = state.irq.gsi;
  if (gsi[n] !== level) {
    const changed = [...gsi];
    changed[n] = level;
    gsi = changed;
  }
  let cur: MachineState = gsi === state.irq.gsi ? state : stateWithIrq(state, irqWithGsi(state.irq, gsi));
  // kvm_pc_gsi_handler with the in-kernel irqchip, gsi_handler otherwise (pc_gsi_create chooses).
  // Unrecorded (engine/effects.ts), no note is made for an entry nobody makes.
  let fx: Effects = recordsTrace() ? trace(cur.irq.mode === 'kvm' ? 'kvm_pc_gsi_handler' : 'gsi_handler', () => `gsi ${n} level ${level}`, depth) : NO_EFFECTS;
  if (n < ISA_NUM_IRQS) {
    const p = cur.irq.mode === 'kvm'
      ? kvmPicSetIrq(cur.irq, n, level, depth + 1)
      : picSetIrq(cur.irq, n < 8 ? 0 : 1, n & 7, level, true, depth + 1);
    if (p.state !== cur.irq) cur = stateWithIrq(cur, p.state);
    fx = merge(fx, p.fx);
  }
  const io = ioapicInput(cur, n, level, depth + 1);
  return { state: io.state, fx: merge(fx, io.fx) };
}

/** Convenience: the current level of GSI n. */
export function gsiLevel(state: MachineState, n: number): number {
  return state.irq.gsi[n] ?? 0;
}


