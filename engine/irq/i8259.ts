// The i8259 pair (hw/intc/i8259.c semantics): edge/level latching through ELCR, priority resolution,
// the slave's INT output cascaded into master input 2, the command/data ports (ICW1-4, OCW1-3, poll)
// and ELCR. Pure functions over IrqState; the trace uses QEMU's function names.

import { NO_EFFECTS, done, merge, recordsPoints, recordsTrace, trace, tracepoint, type Effects, type Transition } from '../effects';
import type { IrqState, IrqStats, PicState } from './types';
import { irqWithPic, irqWithPicStats, picWith } from '../records';

export function resetPicChip(master: boolean): PicState {
  return {
    master, irr: 0, imr: 0, isr: 0, lastIrr: 0, priorityAdd: 0, irqBase: 0, readRegSelect: 0, poll: 0,
    specialMask: 0, initState: 0, autoEoi: 0, rotateOnAutoEoi: 0, specialFullyNestedMode: 0, init4: 0,
    singleMode: 0, elcr: 0, elcrMask: master ? 0xf8 : 0xde,
  };
}

/** pic_reset_common: everything but ELCR (and LTIM), keeping IRR bits of ELCR's level-triggered lines. */
function resetCommon(s: PicState): PicState {
  return { ...resetPicChip(s.master), irr: s.irr & s.elcr, elcr: s.elcr, ...(s.ltim ? { ltim: s.ltim } : {}) };
}

/** Highest priority (smallest number) found in mask, 8 if none. */
function getPriority(s: PicState, mask: number): number {
  if (mask === 0) return 8;
  let p = 0;
  while ((mask & (1 << ((p + s.priorityAdd) & 7))) === 0) p++;
  return p;
}

/** pic_get_irq: the pin the chip wants to deliver, or -1. */
export function picGetIrq(s: PicState): number {
  const p = getPriority(s, s.irr & ~s.imr & 0xff);
  if (p === 8) return -1;
  let mask = s.isr;
  if (s.specialMask) mask &= ~s.imr;
  if (s.specialFullyNestedMode && s.master) mask &= ~(1 << 2);
  const cur = getPriority(s, mask & 0xff);
  return p < cur ? (p + s.priorityAdd) & 7 : -1;
}

export function picOutput(s: PicState): number {
  return picGetIrq(s) >= 0 ? 1 : 0;
}

function withChip(irq: IrqState, chip: 0 | 1, s: PicState): IrqState {
  const pic: [PicState, PicState] = chip === 0 ? [s, irq.pic[1]] : [irq.pic[0], s];
  return irqWithPic(irq, pic);
}

/** pic_stat_update_irq / ioapic_stat_update_irq: count 0 → 1 transitions. */
export function statUpdate(stats: IrqStats, index: number, level: number): IrqStats {
  if (stats.level[index] === level) return stats;
  const lv = [...stats.level];
  lv[index] = level;
  if (level !== 1) return { level: lv, count: stats.count };
  const count = [...stats.count];
  count[index] += 1;
  return { level: lv, count };
}

/**
 * pic_update_irq: recompute the INT output. The slave's output drives master input 2 (pic_set_irq on the
 * master, re-sent even when unchanged, as QEMU does); the master's output goes to the CPU (not modelled).
 */
function updateIrq(irq: IrqState, chip: 0 | 1, depth: number): Transition<IrqState> {
  const s = irq.pic[chip];
  const raised = irq.mode === 'tcg' && recordsPoints() && picGetIrq(s) >= 0
    ? tracepoint('pic_update_irq', () => `master ${chip === 0 ? 1 : 0} imr ${s.imr} irr ${s.irr} padd ${s.priorityAdd}`)
    : NO_EFFECTS;
  if (chip === 0) return done(irq, raised);
  // QEMU's i8259 counts the cascade raise on index 2; the in-kernel PIC's cascade is invisible to QEMU.
  const t = picSetIrq(irq, 0, 2, picOutput(irq.pic[1]), irq.mode === 'tcg', depth);
  return { state: t.state, fx: merge(raised, t.fx) };
}

/**
 * pic_set_irq(chip, pin, level). `stats` is false for the in-kernel PIC, whose statistics QEMU counts in
 * kvm_pic_set_irq instead (and never for the cascade).
 */
export function picSetIrq(irq: IrqState, chip: 0 | 1, pin: number, level: number, stats = true, depth = 0): Transition<IrqState> {
  const s = irq.pic[chip];
  const mask = 1 << pin;
  const index = chip === 0 ? pin : pin + 8;
  // Unrecorded (engine/effects.ts), no note is made for entries nobody makes.
  const fx = irq.mode !== 'tcg' ? NO_EFFECTS
    : !recordsTrace() ? (recordsPoints() ? tracepoint('pic_set_irq', () => `master ${chip === 0 ? 1 : 0} irq ${pin} level ${level}`) : NO_EFFECTS)
    : merge(trace('pic_set_irq', () => `${chip === 0 ? 'master' : 'slave'} pin ${pin} (IRQ ${index}) level ${level}`, depth), tracepoint('pic_set_irq', () => `master ${chip === 0 ? 1 : 0} irq ${pin} level ${level}`));
  const picStats = stats ? statUpdate(irq.picStats, index, level) : irq.picStats;
  let next = picStats === irq.picStats ? irq : irqWithPicStats(irq, picStats);
  const counted = stats && irq.mode === 'tcg' && recordsTrace() ? statTrace('pic_stat_update_irq', next.picStats, index, depth + 1) : NO_EFFECTS;
  let irr = s.irr;
  let lastIrr = s.lastIrr;
  if (s.ltim || (s.elcr & mask)) {
    if (level) { irr |= mask; lastIrr |= mask; } else { irr &= ~mask; lastIrr &= ~mask; }
  } else if (level) {
    if ((lastIrr & mask) === 0) irr |= mask;
    lastIrr |= mask;
  } else {
    lastIrr &= ~mask;
  }
  irr &= 0xff;
  lastIrr &= 0xff;
  // An input that changes nothing leaves the chip (and the IRQ state) as they were.
  if (irr !== s.irr || lastIrr !== s.lastIrr) next = withChip(next, chip, picWith(s, irr, lastIrr, s.isr, s.priorityAdd));
  const up = updateIrq(next, chip, depth + 1);
  return { state: up.state, fx: merge(merge(fx, counted), up.fx) };
}

/** pic_stat_update_irq / ioapic_stat_update_irq as a trace entry: the line's level and its rising-edge count. */
export function statTrace(fn: string, stats: IrqStats, index: number, depth: number): Effects {
  return trace(fn, () => `irq ${index} level ${stats.level[index]} count ${stats.count[index]}`, depth);
}

/** pic_intack: acknowledge `pin` (ISR unless auto-EOI; IRR cleared only for edge lines). */
function intack(irq: IrqState, chip: 0 | 1, pin: number, depth: number): Transition<IrqState> {
  const s = irq.pic[chip];
  let n: PicState = s;
  if (s.autoEoi) {
    if (s.rotateOnAutoEoi) n = { ...n, priorityAdd: (pin + 1) & 7 };
  } else {
    n = { ...n, isr: n.isr | (1 << pin) };
  }
  if (!s.ltim && !(s.elcr & (1 << pin))) n = { ...n, irr: n.irr & ~(1 << pin) };
  return updateIrq(withChip(irq, chip, n), chip, depth);
}

/** pic_read_irq: the INTA cycle (used by an IOAPIC entry in ExtINT mode). Returns the vector. */
export function picReadIrq(irq: IrqState, depth = 0): { readonly state: IrqState; readonly fx: Effects; readonly intno: number } {
  const fx0 = trace('pic_read_irq', undefined, depth);
  const interrupt = (n: number, intno: number): Effects => (irq.mode === 'tcg' ? tracepoint('pic_interrupt', () => `irq ${n} intno ${intno}`) : NO_EFFECTS);
  const pin = picGetIrq(irq.pic[0]);
  if (pin < 0) return { state: irq, fx: merge(fx0, interrupt(7, irq.pic[0].irqBase + 7)), intno: irq.pic[0].irqBase + 7 };
  if (pin === 2) {
    const pin2 = picGetIrq(irq.pic[1]);
    let t: Transition<IrqState> = done(irq);
    let slavePin = 7;
    if (pin2 >= 0) {
      t = intack(irq, 1, pin2, depth + 1);
      slavePin = pin2;
    }
    const intno = t.state.pic[1].irqBase + slavePin;
    const t2 = intack(t.state, 0, 2, depth + 1);
    return { state: t2.state, fx: merge(merge(fx0, merge(t.fx, t2.fx)), interrupt(slavePin + 8, intno)), intno };
  }
  const intno = irq.pic[0].irqBase + pin;
  const t = intack(irq, 0, pin, depth + 1);
  return { state: t.state, fx: merge(merge(fx0, t.fx), interrupt(pin, intno)), intno };
}

/** pic_ioport_write: offset 0 = ICW1/OCW2/OCW3, anything else = data (IMR or ICW2-4). */
export function picIoportWrite(irq: IrqState, chip: 0 | 1, addr: number, val: number): Transition<IrqState> {
  const s = irq.pic[chip];
  val &= 0xff;
  const fx = merge(
    trace('pic_ioport_write', () => `${chip === 0 ? 'master' : 'slave'} addr ${addr} val 0x${val.toString(16)}`),
    tracepoint('pic_ioport_write', () => `master ${chip === 0 ? 1 : 0} addr 0x${addr.toString(16)} val 0x${val.toString(16)}`),
  );
  const put = (n: PicState, update: boolean): Transition<IrqState> => {
    const next = withChip(irq, chip, n);
    if (!update) return done(next, fx);
    const u = updateIrq(next, chip, 1);
    return { state: u.state, fx: merge(fx, u.fx) };
  };
  if (addr === 0) {
    if (val & 0x10) {
      // ICW1: pic_init_reset (which also updates the output) then start the init sequence.
      const r = put(resetCommon(s), true);
      const c = r.state.pic[chip];
      // 10.0 takes ICW1's LTIM bit (level-triggered inputs); 7.2 ignores it.
      const ltim = irq.ltim ? { ltim: val & 8 } : {};
      return { state: withChip(r.state, chip, { ...c, initState: 1, init4: val & 1, singleMode: (val & 2) ? 1 : 0, ...ltim }), fx: r.fx };
    }
    if (val & 0x08) {
      // OCW3
      let n = s;
      if (val & 0x04) n = { ...n, poll: 1 };
      if (val & 0x02) n = { ...n, readRegSelect: val & 1 };
      if (val & 0x40) n = { ...n, specialMask: (val >> 5) & 1 };
      return put(n, false);
    }
    // OCW2
    const cmd = val >> 5;
    switch (cmd) {
      case 0:
      case 4:
        return put({ ...s, rotateOnAutoEoi: cmd >> 2 }, false);
      case 1:
      case 5: {
        const p = getPriority(s, s.isr);
        if (p === 8) return put(s, false);
        const pin = (p + s.priorityAdd) & 7;
        return put({ ...s, isr: s.isr & ~(1 << pin), priorityAdd: cmd === 5 ? (pin + 1) & 7 : s.priorityAdd }, true);
      }
      case 3:
        return put({ ...s, isr: s.isr & ~(1 << (val & 7)) }, true);
      case 6:
        return put({ ...s, priorityAdd: (val + 1) & 7 }, true);
      case 7: {
        const pin = val & 7;
        return put({ ...s, isr: s.isr & ~(1 << pin), priorityAdd: (pin + 1) & 7 }, true);
      }
      default:
        return put(s, false);
    }
  }
  switch (s.initState) {
    case 0:
      return put({ ...s, imr: val }, true);
    case 1:
      return put({ ...s, irqBase: val & 0xf8, initState: s.singleMode ? (s.init4 ? 3 : 0) : 2 }, false);
    case 2:
      return put({ ...s, initState: s.init4 ? 3 : 0 }, false);
    default:
      return put({ ...s, specialFullyNestedMode: (val >> 4) & 1, autoEoi: (val >> 1) & 1, initState: 0 }, false);
  }
}

/** pic_ioport_read: poll mode acknowledges; otherwise IRR/ISR (offset 0, per OCW3) or IMR. */
export function picIoportRead(irq: IrqState, chip: 0 | 1, addr: number): { readonly state: IrqState; readonly fx: Effects; readonly value: number } {
  const s = irq.pic[chip];
  const read = (value: number) => tracepoint('pic_ioport_read', () => `master ${chip === 0 ? 1 : 0} addr 0x${addr.toString(16)} val 0x${value.toString(16)}`);
  if (s.poll) {
    const pin = picGetIrq(s);
    if (pin >= 0) {
      const t = intack(irq, chip, pin, 1);
      const c = t.state.pic[chip];
      return { state: withChip(t.state, chip, { ...c, poll: 0 }), fx: merge(t.fx, read(pin | 0x80)), value: pin | 0x80 };
    }
    return { state: withChip(irq, chip, { ...s, poll: 0 }), fx: read(0), value: 0 };
  }
  const value = addr === 0 ? (s.readRegSelect ? s.isr : s.irr) : s.imr;
  return { state: irq, fx: read(value), value };
}

export function elcrWrite(irq: IrqState, chip: 0 | 1, val: number): IrqState {
  const s = irq.pic[chip];
  return withChip(irq, chip, { ...s, elcr: val & s.elcrMask });
}

export function elcrRead(irq: IrqState, chip: 0 | 1): number {
  return irq.pic[chip].elcr;
}

/**
 * Device reset (pic_reset) of both chips, the slave first (qdev resets the ISA bus's children newest
 * first): ELCR cleared, then pic_init_reset, whose pic_update_irq lowers the slave's INT output, i.e.
 * pic_set_irq(master, 2, 0) (traced; its edge is then cleared by the master's own reset).
 */
export function resetPic(irq: IrqState): Transition<IrqState> {
  let t: Transition<IrqState> = done(irq);
  for (const chip of [1, 0] as const) {
    const s = t.state.pic[chip];
    const u = updateIrq(withChip(t.state, chip, resetCommon({ ...s, elcr: 0, ltim: 0 })), chip, 1);
    t = { state: u.state, fx: merge(t.fx, u.fx) };
  }
  return t;
}
