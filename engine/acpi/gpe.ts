// GPE0 and PM1 registers (hw/acpi/core.c) and the SCI they drive. PIIX4 wires the SCI straight to GSI 9 and
// calls qemu_set_irq on every update (pc: last writer wins on GSI 9); ICH9 keeps the level in the LPC, acts
// only on changes and ORs it into the GSI selected by ACPI_CTRL (q35).

import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { NO_EFFECTS, done, merge, recordsPoints, recordsTrace, trace, tracepoint, type Effects, type Transition } from '../effects';
import { setGsi } from '../irq/gsi';
import type { AcpiState } from './types';
import { acpiWithGpeEn, acpiWithGpeSts, acpiWithSciLevel, stateWithAcpi } from '../records';

export const ACPI_MEMORY_HOTPLUG_STATUS = 0x08;
export const PIIX4_GPE0_LEN = 4;
export const ICH9_GPE0_LEN = 16;
/** RTC_EN | PWRBTN_EN | GBL_EN | TMR_EN: the PM1 enable bits that raise the SCI. */
export const PM1_COMMON_ENABLED = 0x0521;
const TMR_STS = 0x0001;
const SLP_EN = 0x2000;

/** acpi_pm1_evt_get_sts: TMR_STS latches while the (stopped) PM timer's overflow time is 0. */
export function pm1Status(acpi: AcpiState): number {
  return acpi.tmrOverflowDue ? acpi.pm1Sts | TMR_STS : acpi.pm1Sts;
}

function latchPm1(acpi: AcpiState): AcpiState {
  const sts = pm1Status(acpi);
  return sts === acpi.pm1Sts ? acpi : { ...acpi, pm1Sts: sts };
}

/** The SCI formula of acpi_update_sci. Only GPE byte 0 participates. */
export function sciFormula(acpi: AcpiState): number {
  const pm1 = (pm1Status(acpi) & acpi.pm1En & PM1_COMMON_ENABLED) !== 0;
  const gpe = ((acpi.gpeSts[0] ?? 0) & (acpi.gpeEn[0] ?? 0)) !== 0;
  return pm1 || gpe ? 1 : 0;
}

/** ich9_set_sci: only a change of level does anything; the SCI is ORed into the selected GSI. */
export function ich9SetSci(state: MachineState, level: number, depth = 0): Transition<MachineState> {
  const fx0 = trace('ich9_set_sci', () => `level ${level}`, depth);
  if (level === state.acpi.sciLevel) return done(state, fx0);
  const next: MachineState = stateWithAcpi(state, acpiWithSciLevel(state.acpi, level));
  const gsi = next.acpi.sciGsi;
  if (gsi < 0) return done(next, fx0);
  // No PCI INTx source is modelled, so the PIRQ part of the OR is 0.
  const fn = gsi < 16 ? 'ich9_lpc_update_pic' : 'ich9_lpc_update_apic';
  const g = setGsi(next, gsi, level, depth + 2);
  return { state: g.state, fx: merge(fx0, merge(trace(fn, () => `gsi ${gsi} level ${level}`, depth + 1), g.fx)) };
}

/** acpi_update_sci → qemu_set_irq(sci). */
export function acpiUpdateSci(state: MachineState, depth = 0, why?: string): Transition<MachineState> {
  const acpi = latchPm1(state.acpi);
  const level = sciFormula(acpi);
  const st: MachineState = acpi === state.acpi ? state : stateWithAcpi(state, acpi);
  // Unrecorded (engine/effects.ts), no note is made for entries nobody makes.
  const traced = recordsTrace();
  const fx: Effects = traced ? trace('acpi_update_sci', () => `level ${level}${why ? `: ${why}` : ''}`, depth) : NO_EFFECTS;
  if (acpi.device === 'none') return done(st, fx);
  if (acpi.device === 'piix4') {
    const withLevel: MachineState = stateWithAcpi(st, acpiWithSciLevel(st.acpi, level));
    const g = setGsi(withLevel, 9, level, depth + 2);
    return { state: g.state, fx: traced ? merge(fx, merge(trace('qemu_set_irq', () => `PIIX4_PM SCI → GSI 9 level ${level}`, depth + 1), g.fx)) : g.fx };
  }
  const t = ich9SetSci(st, level, depth + 1);
  return { state: t.state, fx: merge(fx, t.fx) };
}

function levelNote(acpi: AcpiState): string {
  const sts = acpi.gpeSts[0] ?? 0;
  const en = acpi.gpeEn[0] ?? 0;
  if (sciFormula(acpi)) return 'SCI raised';
  if (sts && !(sts & en)) return 'GPE not enabled';
  return 'nothing pending';
}

/** acpi_send_gpe_event (hw/acpi/core.c): GPE0 STS byte 0 |= the event's bits, then acpi_update_sci. */
export function acpi_send_gpe_event(state: MachineState, bits: number, depth: number): Transition<MachineState> {
  const gpeSts = state.acpi.gpeSts.slice();
  gpeSts[0] = (gpeSts[0] | bits) & 0xff;
  const next: MachineState = stateWithAcpi(state, acpiWithGpeSts(state.acpi, gpeSts));
  if (!recordsTrace()) return acpiUpdateSci(next, depth + 1); // unrecorded: no note (engine/effects.ts)
  const fx = trace('acpi_send_gpe_event', () => `GPE0_STS[0] |= 0x${bits.toString(16).padStart(2, '0')}`, depth);
  const u = acpiUpdateSci(next, depth + 1, levelNote(next.acpi));
  return { state: u.state, fx: merge(fx, u.fx) };
}

/** acpi_gpe_ioport_readb: STS bytes first, then EN bytes. */
export function gpeReadByte(acpi: AcpiState, offset: number): number {
  const half = acpi.gpeSts.length;
  if (offset < half) return acpi.gpeSts[offset];
  if (offset < 2 * half) return acpi.gpeEn[offset - half];
  return 0;
}

/**
 * The GPE0 block's trace points, per release: 7.2's PIIX4 accessors (gpe_readb/gpe_writeb in hw/acpi/piix4.c,
 * pc only) or 10.0's acpi_gpe_ioport_readb/writeb in hw/acpi/core.c (pc and q35; STS and EN apart, the
 * offset within each half, the value as %02x).
 */
function gpeTracepoint(state: MachineState, dir: 'read' | 'write', offset: number, value: number): Effects {
  if (!recordsPoints()) return NO_EFFECTS; // unrecorded without trace points (engine/effects.ts)
  const acpi = state.acpi;
  if (state.config.qemu.gpeTracepoints === 'piix4') {
    if (acpi.device !== 'piix4') return NO_EFFECTS;
    return dir === 'read'
      ? tracepoint('piix4_gpe_readb', () => `addr: 0x${offset.toString(16)} width: 1 ==> 0x${value.toString(16)}`)
      : tracepoint('piix4_gpe_writeb', () => `addr: 0x${offset.toString(16)} width: 1 <== 0x${value.toString(16)}`);
  }
  const half = acpi.gpeSts.length;
  const [reg, addr] = offset < half ? ['sts', offset] : ['en', offset - half];
  const v = (value & 0xff).toString(16).padStart(2, '0');
  return dir === 'read'
    ? tracepoint(`acpi_gpe_${reg}_ioport_readb`, () => `addr: 0x${addr.toString(16)} ==> 0x${v}`)
    : tracepoint(`acpi_gpe_${reg}_ioport_writeb`, () => `addr: 0x${addr.toString(16)} <== 0x${v}`);
}

/** The GPE0 block's byte read (PIIX4 gpe_readb / ICH9's acpi_gpe_ioport_readb) with its trace point. */
export function gpeReadb(state: MachineState, offset: number): { readonly value: number; readonly fx: Effects } {
  const value = gpeReadByte(state.acpi, offset);
  return { value, fx: gpeTracepoint(state, 'read', offset, value) };
}

/** acpi_gpe_ioport_writeb (STS write-1-to-clear, EN plain) then acpi_update_sci. */
export function gpeWriteByte(state: MachineState, offset: number, val: number): Transition<MachineState> {
  const acpi = state.acpi;
  const half = acpi.gpeSts.length;
  val &= 0xff;
  let next: AcpiState = acpi;
  let what: string;
  if (offset < half) {
    const gpeSts = [...acpi.gpeSts];
    gpeSts[offset] &= ~val & 0xff;
    next = acpiWithGpeSts(acpi, gpeSts);
    what = `GPE0_STS[${offset}] &= ~0x${val.toString(16)}`;
  } else if (offset < 2 * half) {
    const gpeEn = [...acpi.gpeEn];
    gpeEn[offset - half] = val;
    next = acpiWithGpeEn(acpi, gpeEn);
    what = `GPE0_EN[${offset - half}] = 0x${val.toString(16)}`;
  } else {
    return done(state);
  }
  const traced = gpeTracepoint(state, 'write', offset, val);
  const fx = merge(trace(acpi.device === 'piix4' ? 'gpe_writeb' : 'ich9_gpe_writeb', what), traced);
  const u = acpiUpdateSci(stateWithAcpi(state, next), 1);
  return { state: u.state, fx: merge(fx, u.fx) };
}

/** acpi_pm_evt_read (2-byte accesses): +0 PM1_STS (latching TMR_STS), +2 PM1_EN, else 0. */
export function pm1EvtRead(state: MachineState, offset: number): { readonly state: MachineState; readonly value: number } {
  if (offset === 0) {
    const acpi = latchPm1(state.acpi);
    return { state: acpi === state.acpi ? state : { ...state, acpi }, value: acpi.pm1Sts };
  }
  if (offset === 2) return { state, value: state.acpi.pm1En };
  return { state, value: 0 };
}

/** acpi_pm_evt_write: +0 W1C status (clearing TMR_STS re-arms the stopped timer), +2 enable; then the SCI. */
export function pm1EvtWrite(state: MachineState, offset: number, val: number): Transition<MachineState> {
  val &= 0xffff;
  let acpi = state.acpi;
  let what: string;
  if (offset === 0) {
    const sts = pm1Status(acpi);
    const due = sts & val & TMR_STS ? false : acpi.tmrOverflowDue;
    acpi = { ...acpi, pm1Sts: sts & ~val & 0xffff, tmrOverflowDue: due };
    what = `PM1_STS &= ~0x${val.toString(16)}`;
  } else if (offset === 2) {
    acpi = { ...acpi, pm1En: val };
    what = `PM1_EN = 0x${val.toString(16)}`;
  } else {
    return done(state);
  }
  const fx = trace('acpi_pm_evt_write', what);
  const u = acpiUpdateSci(stateWithAcpi(state, acpi), 1);
  return { state: u.state, fx: merge(fx, u.fx) };
}

/**
 * acpi_pm1_cnt_write: the value without SLP_EN is stored. SLP_EN makes QEMU suspend or power off (by
 * SLP_TYP): not modelled, so refused rather than answered OK.
 */
export function pm1CntWrite(state: MachineState, val: number): Transition<MachineState> {
  if (val & SLP_EN) throw new ModelLimit(`a sleep/power-off request (SLP_EN in PM1 control, SLP_TYP ${(val >> 10) & 7})`);
  const cnt = val & 0xffff;
  return done({ ...state, acpi: { ...state.acpi, pm1Cnt: cnt } }, trace('acpi_pm1_cnt_write', () => `PM1_CNT = 0x${cnt.toString(16)}`));
}

/** acpi_gpe_reset + PM1 reset + PM timer reset, then acpi_update_sci (system_reset; memhp state survives). */
export function resetAcpiRegisters(state: MachineState): Transition<MachineState> {
  const a = state.acpi;
  const acpi: AcpiState = {
    ...a,
    gpeSts: a.gpeSts.map(() => 0),
    gpeEn: a.gpeEn.map(() => 0),
    pm1Sts: 0,
    pm1En: 0,
    pm1Cnt: state.config.accel === 'kvm' && !state.config.flags.smmCompat ? 1 : 0,
    tmrOverflowDue: true,
  };
  return acpiUpdateSci({ ...state, acpi }, 0, 'reset');
}
