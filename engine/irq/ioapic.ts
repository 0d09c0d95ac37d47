// The IOAPIC (hw/intc/ioapic.c, ioapic_common.c): IOREGSEL/IOWIN/EOI MMIO at 0xfec00000, 24 redirection
// entries, IRR and remote IRR. Delivery to a LAPIC is not modelled (no CPU runs); an entry in ExtINT mode
// performs the i8259 INTA cycle, as ioapic_entry_parse does.

import { NO_EFFECTS, done, merge, recordsPoints, recordsTrace, trace, tracepoint, type Effects, type Transition } from '../effects';
import { picReadIrq, statTrace, statUpdate } from './i8259';
import { GSI_NUM_PINS, type IoapicState, type IrqState } from './types';
import { ioapicWith, irqWithIoapic, irqWithIoapicStats } from '../records';

export const IOAPIC_BASE = 0xfec00000n;
export const IOAPIC_SIZE = 0x1000n;

const MASKED = 1n << 16n;
const TRIGGER_LEVEL = 1n << 15n;
const REMOTE_IRR = 1n << 14n;
const DELIV_STATUS = 1n << 12n;
const RO_BITS = REMOTE_IRR | DELIV_STATUS;
const U64 = (1n << 64n) - 1n;
const DM_EXTINT = 7n;

export function resetIoapic(version: number): IoapicState {
  return { version, id: 0, ioregsel: 0, irr: 0, redtbl: Array.from({ length: GSI_NUM_PINS }, () => MASKED) };
}

function setIoapic(irq: IrqState, io: IoapicState): IrqState {
  return irqWithIoapic(irq, io);
}

/** ioapic_service: deliver every pending unmasked pin; edge clears IRR, level sets remote IRR. */
function service(irq: IrqState, depth: number): Transition<IrqState> {
  let cur = irq;
  let fx: Effects = trace('ioapic_service', undefined, depth);
  for (let i = 0; i < GSI_NUM_PINS; i++) {
    const mask = 1 << i;
    if (!(cur.ioapic.irr & mask)) continue;
    const entry = cur.ioapic.redtbl[i];
    if (((entry >> 8n) & 7n) === DM_EXTINT) {
      // ioapic_entry_parse runs the INTA cycle even for a masked pin.
      const r = picReadIrq(cur, depth + 1);
      cur = r.state;
      fx = merge(fx, r.fx);
    }
    if (entry & MASKED) continue;
    const io = cur.ioapic;
    if (!(entry & TRIGGER_LEVEL)) {
      cur = setIoapic(cur, ioapicWith(io, io.irr & ~mask, io.redtbl));
      fx = merge(fx, trace('ioapic deliver', () => `pin ${i} vec ${Number(entry & 0xffn)} edge`, depth + 1));
    } else {
      const coalesce = (entry & REMOTE_IRR) !== 0n;
      fx = merge(fx, tracepoint('ioapic_set_remote_irr', () => `set remote irr for pin ${i}`));
      const redtbl = [...io.redtbl];
      redtbl[i] = entry | REMOTE_IRR;
      cur = setIoapic(cur, ioapicWith(io, io.irr, redtbl));
      if (!coalesce) fx = merge(fx, trace('ioapic deliver', () => `pin ${i} vec ${Number(entry & 0xffn)} level`, depth + 1));
    }
  }
  return done(cur, fx);
}

/** ioapic_set_irq(vector, level) for the TCG IOAPIC; statistics count the input before the 0 → 2 remap. */
export function ioapicSetIrq(irq: IrqState, vector: number, level: number, depth = 0): Transition<IrqState> {
  const ioapicStats = statUpdate(irq.ioapicStats, vector, level);
  let cur: IrqState = ioapicStats === irq.ioapicStats ? irq : irqWithIoapicStats(irq, ioapicStats);
  // Unrecorded (engine/effects.ts), no note is made for entries nobody makes.
  const fx = recordsTrace()
    ? merge(merge(trace('ioapic_set_irq', () => `pin ${vector} level ${level}`, depth), tracepoint('ioapic_set_irq', () => `vector: ${vector} level: ${level}`)), statTrace('ioapic_stat_update_irq', cur.ioapicStats, vector, depth + 1))
    : recordsPoints() ? tracepoint('ioapic_set_irq', () => `vector: ${vector} level: ${level}`) : NO_EFFECTS;
  const pin = vector === 0 ? 2 : vector;
  if (pin >= GSI_NUM_PINS) return done(cur, fx);
  const mask = 1 << pin;
  const entry = cur.ioapic.redtbl[pin];
  const io = cur.ioapic;
  if (entry & TRIGGER_LEVEL) {
    if (level) {
      cur = setIoapic(cur, ioapicWith(io, io.irr | mask, io.redtbl));
      if (!(entry & REMOTE_IRR)) {
        const s = service(cur, depth + 1);
        return { state: s.state, fx: merge(fx, s.fx) };
      }
    } else if (io.irr & mask) {
      cur = setIoapic(cur, ioapicWith(io, io.irr & ~mask, io.redtbl));
    }
    return done(cur, fx);
  }
  if (level && !(entry & MASKED)) {
    cur = setIoapic(cur, ioapicWith(io, io.irr | mask, io.redtbl));
    const s = service(cur, depth + 1);
    return { state: s.state, fx: merge(fx, s.fx) };
  }
  return done(cur, fx);
}

/**
 * The in-kernel IOAPIC as `kvm_ioapic_get` shows it: IRR follows the line (set on assert even when the pin is
 * masked, cleared on deassert); an unmasked edge pin is delivered at once, an unmasked level pin sets remote IRR.
 */
export function kvmIoapicSetIrq(irq: IrqState, vector: number, level: number): IrqState {
  const cur = irq;
  const pin = vector === 0 ? 2 : vector;
  if (pin >= GSI_NUM_PINS) return cur;
  const mask = 1 << pin;
  const io = cur.ioapic;
  if (!level) return setIoapic(cur, ioapicWith(io, io.irr & ~mask, io.redtbl));
  const entry = io.redtbl[pin];
  let irr = io.irr | mask;
  let redtbl = io.redtbl;
  if (!(entry & MASKED)) {
    if (!(entry & TRIGGER_LEVEL)) irr &= ~mask;
    else if (!(entry & REMOTE_IRR)) {
      const t = [...redtbl];
      t[pin] = entry | REMOTE_IRR;
      redtbl = t;
    }
  }
  return setIoapic(cur, ioapicWith(io, irr, redtbl));
}

/** ioapic_mem_read: offset within the 4 KiB window (only the low byte decodes). */
export function ioapicMmioRead(io: IoapicState, offset: bigint, size: number): number {
  const addr = Number(offset & 0xffn);
  if (addr === 0x00) return io.ioregsel;
  if (addr !== 0x10 || size !== 4) return 0;
  switch (io.ioregsel) {
    case 0x00:
    case 0x02:
      return (io.id << 24) >>> 0;
    case 0x01:
      return (io.version | ((GSI_NUM_PINS - 1) << 16)) >>> 0;
    default: {
      const index = (io.ioregsel - 0x10) >> 1;
      if (index < 0 || index >= GSI_NUM_PINS) return 0;
      const e = io.redtbl[index];
      return Number(io.ioregsel & 1 ? e >> 32n : e & 0xffffffffn);
    }
  }
}

/** ioapic_mem_read with its trace point (addr, regsel and size are printed as uint8_t). */
export function ioapicMemRead(io: IoapicState, offset: bigint, size: number): { readonly value: number; readonly fx: Effects } {
  const value = ioapicMmioRead(io, offset, size) >>> 0;
  const addr = Number(offset & 0xffn);
  const fx = tracepoint('ioapic_mem_read', () => `ioapic mem read addr 0x${addr.toString(16)} regsel: 0x${(io.ioregsel & 0xff).toString(16)} size 0x${(size & 0xff).toString(16)} retval 0x${value.toString(16)}`);
  return { value, fx };
}

/** EOI broadcast (IOAPIC_EOI register, version 0x20 only): clear remote IRR of level entries with `vector`. */
function eoiBroadcast(irq: IrqState, vector: number, depth: number): Transition<IrqState> {
  let cur = irq;
  let fx: Effects = merge(trace('ioapic_eoi_broadcast', () => `vector ${vector}`, depth), tracepoint('ioapic_eoi_broadcast', () => `EOI broadcast for vector ${vector}`));
  for (let n = 0; n < GSI_NUM_PINS; n++) {
    const entry = cur.ioapic.redtbl[n];
    if (Number(entry & 0xffn) !== vector || !(entry & TRIGGER_LEVEL)) continue;
    if (!(entry & REMOTE_IRR)) continue;
    fx = merge(fx, tracepoint('ioapic_clear_remote_irr', () => `clear remote irr for pin ${n} vector ${vector}`));
    const redtbl = [...cur.ioapic.redtbl];
    redtbl[n] = entry & ~REMOTE_IRR;
    cur = setIoapic(cur, ioapicWith(cur.ioapic, cur.ioapic.irr, redtbl));
    if (!(entry & MASKED) && cur.ioapic.irr & (1 << n)) {
      const s = service(cur, depth + 1);
      cur = s.state;
      fx = merge(fx, s.fx);
    }
  }
  return done(cur, fx);
}

/** ioapic_mem_write, with its trace point (the register select as it was before the write). */
export function ioapicMmioWrite(irq: IrqState, offset: bigint, size: number, value: bigint): Transition<IrqState> {
  const addr = Number(offset & 0xffn);
  const val = value & 0xffffffffn;
  const tp = tracepoint('ioapic_mem_write', () => `ioapic mem write addr 0x${addr.toString(16)} regsel: 0x${(irq.ioapic.ioregsel & 0xff).toString(16)} size 0x${(size & 0xff).toString(16)} val 0x${val.toString(16)}`);
  const t = ioapicMemWrite(irq, addr, size, val);
  return { state: t.state, fx: merge(tp, t.fx) };
}

function ioapicMemWrite(irq: IrqState, addr: number, size: number, val: bigint): Transition<IrqState> {
  const io = irq.ioapic;
  if (addr === 0x00) return done(setIoapic(irq, { ...io, ioregsel: Number(val & 0xffn) }));
  if (addr === 0x40) {
    if (size !== 4 || io.version !== 0x20) return done(irq);
    return eoiBroadcast(irq, Number(val & 0xffn), 0);
  }
  if (addr !== 0x10 || size !== 4) return done(irq);
  switch (io.ioregsel) {
    case 0x00:
      return done(setIoapic(irq, { ...io, id: Number((val >> 24n) & 0xfn) }));
    case 0x01:
    case 0x02:
      return done(irq);
    default: {
      const index = (io.ioregsel - 0x10) >> 1;
      if (index < 0 || index >= GSI_NUM_PINS) return done(irq);
      const old = io.redtbl[index];
      const ro = old & RO_BITS;
      let e = io.ioregsel & 1 ? (old & 0xffffffffn) | (val << 32n) : (old & ~0xffffffffn & U64) | val;
      e = (e & ~RO_BITS & U64) | ro;
      if (!(e & TRIGGER_LEVEL)) e &= ~REMOTE_IRR & U64;
      const redtbl = [...io.redtbl];
      redtbl[index] = e;
      const fx = trace('ioapic_mem_write', () => `redir[${index}] = 0x${e.toString(16).padStart(16, '0')}`);
      const s = service(setIoapic(irq, ioapicWith(io, io.irr, redtbl)), 1);
      return { state: s.state, fx: merge(fx, s.fx) };
    }
  }
}
