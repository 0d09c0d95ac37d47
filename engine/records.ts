// Copies of the state's records with a few fields changed, made by object literals of one shape instead of spreads.
// A spread (`{ ...state, acpi }`) is cheap where it always sees objects of one hidden class, but the engine's
// records come from several allocation sites (start-up, each action's literals and spreads), so each spread site
// sees several V8 maps and takes its polymorphic path (≈ 100 ns a spread, several per record per action). A
// literal makes one map whatever its input's. Each helper gives what the spread gives: the same keys in the same
// order, the same values; a record of a shape the literal does not write (an optional key present that the
// literal would drop or misplace) is spread as before. Checked against the spreads by test/records.property.test.ts.

import type { MachineState, MemoryBackend } from './state';
import type { AcpiState, MemHotplugState } from './acpi/types';
import type { MemoryState } from './memory/types';

/**
 * The state's keys in the order start-up writes them, then `dispatchMru` (added by the first port access, so it
 * comes last); `cprFds` and `machineProps`, added later by a few commands, are left to the spread.
 */
function plainState(s: MachineState): 0 | 1 | 2 {
  if ('cprFds' in s || 'machineProps' in s) return 0;
  return 'dispatchMru' in s ? 2 : 1;
}

function stateOf(
  s: MachineState,
  shape: 1 | 2,
  mem: MachineState['mem'],
  backends: MachineState['backends'],
  dimms: MachineState['dimms'],
  peripheral: MachineState['peripheral'],
  anonCount: number,
  acpi: AcpiState,
): MachineState {
  if (shape === 2) {
    return {
      config: s.config, layout: s.layout, mem, backends, dimms, objects: s.objects, peripheral, anonCount, acpi, irq: s.irq, qtest: s.qtest,
      dispatchMru: s.dispatchMru,
    };
  }
  return { config: s.config, layout: s.layout, mem, backends, dimms, objects: s.objects, peripheral, anonCount, acpi, irq: s.irq, qtest: s.qtest };
}

/** `{ ...s, acpi }`. */
export function stateWithAcpi(s: MachineState, acpi: AcpiState): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, acpi } : stateOf(s, shape, s.mem, s.backends, s.dimms, s.peripheral, s.anonCount, acpi);
}

/** `{ ...s, mem }`. */
export function stateWithMem(s: MachineState, mem: MemoryState): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, mem } : stateOf(s, shape, mem, s.backends, s.dimms, s.peripheral, s.anonCount, s.acpi);
}

/** `{ ...s, backends }`. */
export function stateWithBackends(s: MachineState, backends: readonly MemoryBackend[]): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, backends } : stateOf(s, shape, s.mem, backends, s.dimms, s.peripheral, s.anonCount, s.acpi);
}

/** `{ ...s, dimms, peripheral, anonCount }`. */
export function stateWithDimms(s: MachineState, dimms: MachineState['dimms'], peripheral: MachineState['peripheral'], anonCount: number): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, dimms, peripheral, anonCount } : stateOf(s, shape, s.mem, s.backends, dimms, peripheral, anonCount, s.acpi);
}

/** Whether the ACPI record has start-up's keys only (the APM ports, once written, are added after them). */
function plainAcpi(a: AcpiState): boolean {
  return !('apmc' in a) && !('apms' in a);
}

function acpiOf(
  a: AcpiState,
  memhp: AcpiState['memhp'],
  gpeSts: AcpiState['gpeSts'],
  sciLevel: number,
  gpeEn: AcpiState['gpeEn'] = a.gpeEn,
  pci: AcpiState['pci'] = a.pci,
): AcpiState {
  return {
    device: a.device, memhp, gpeSts, gpeEn, pm1Sts: a.pm1Sts, pm1En: a.pm1En, pm1Cnt: a.pm1Cnt, tmrOverflowDue: a.tmrOverflowDue,
    sciLevel, sciGsi: a.sciGsi, configReg: a.configReg, pci, resetControl: a.resetControl, smiEn: a.smiEn,
  };
}

/** `{ ...a, memhp }`. */
export function acpiWithMemhp(a: AcpiState, memhp: MemHotplugState): AcpiState {
  return plainAcpi(a) ? acpiOf(a, memhp, a.gpeSts, a.sciLevel) : { ...a, memhp };
}

/** `{ ...a, gpeSts }`. */
export function acpiWithGpeSts(a: AcpiState, gpeSts: readonly number[]): AcpiState {
  return plainAcpi(a) ? acpiOf(a, a.memhp, gpeSts, a.sciLevel) : { ...a, gpeSts };
}

/** `{ ...a, gpeEn }`. */
export function acpiWithGpeEn(a: AcpiState, gpeEn: readonly number[]): AcpiState {
  return plainAcpi(a) ? acpiOf(a, a.memhp, a.gpeSts, a.sciLevel, gpeEn) : { ...a, gpeEn };
}

/** `{ ...a, pci }`. */
export function acpiWithPci(a: AcpiState, pci: AcpiState['pci']): AcpiState {
  return plainAcpi(a) ? acpiOf(a, a.memhp, a.gpeSts, a.sciLevel, a.gpeEn, pci) : { ...a, pci };
}

/** `{ ...a, sciLevel }`. */
export function acpiWithSciLevel(a: AcpiState, sciLevel: number): AcpiState {
  return plainAcpi(a) ? acpiOf(a, a.memhp, a.gpeSts, sciLevel) : { ...a, sciLevel };
}

/** `{ ...b, mapped }` (a file backend's `file` comes after the others: spread). */
export function backendWithMapped(b: MemoryBackend, mapped: boolean): MemoryBackend {
  if ('file' in b) return { ...b, mapped };
  return { id: b.id, type: b.type, size: b.size, align: b.align, mapped, internal: b.internal, region: b.region, props: b.props };
}

/** `{ ...mem, regions, pending }` and the like: a memory state has no optional key. */
export function memOf(mem: MemoryState, regions: MemoryState['regions'], txDepth: number, pending: boolean, flat: MemoryState['flat'], kvmSlots: MemoryState['kvmSlots']): MemoryState {
  return { regions, addressSpaces: mem.addressSpaces, txDepth, pending, flat, kvmSlots };
}

// ---- The IRQ, qtest and port-dispatch records (issue 9: the replay corpus's warm time). Same technique: one
// literal per record shape, the keys in the order their start-up literal writes them (an optional key the
// engine appends later — the IRQ state's and the i8259 chips' `ltim`, the state's `dispatchMru` — last), and a
// record of any other shape spread as before. test/records.property.test.ts checks them against the spreads.

import type { IoapicState, IrqState, IrqStats, PicState } from './irq/types';
import type { QtestState } from './state';

function stateWithLate(s: MachineState, shape: 1 | 2, irq: IrqState, qtest: QtestState, mru: MachineState['dispatchMru']): MachineState {
  if (shape === 2) {
    return {
      config: s.config, layout: s.layout, mem: s.mem, backends: s.backends, dimms: s.dimms, objects: s.objects, peripheral: s.peripheral,
      anonCount: s.anonCount, acpi: s.acpi, irq, qtest, dispatchMru: mru,
    };
  }
  return {
    config: s.config, layout: s.layout, mem: s.mem, backends: s.backends, dimms: s.dimms, objects: s.objects, peripheral: s.peripheral,
    anonCount: s.anonCount, acpi: s.acpi, irq, qtest,
  };
}

/** `{ ...s, irq }`. */
export function stateWithIrq(s: MachineState, irq: IrqState): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, irq } : stateWithLate(s, shape, irq, s.qtest, s.dispatchMru);
}

/** `{ ...s, qtest }`. */
export function stateWithQtest(s: MachineState, qtest: QtestState): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, qtest } : stateWithLate(s, shape, s.irq, qtest, s.dispatchMru);
}

/** `{ ...s, irq, qtest }`. */
export function stateWithIrqQtest(s: MachineState, irq: IrqState, qtest: QtestState): MachineState {
  const shape = plainState(s);
  return shape === 0 ? { ...s, irq, qtest } : stateWithLate(s, shape, irq, qtest, s.dispatchMru);
}

/** `{ ...s, dispatchMru }` (a state without one gets it as its last key, as the spread adds it). */
export function stateWithDispatchMru(s: MachineState, dispatchMru: NonNullable<MachineState['dispatchMru']>): MachineState {
  return plainState(s) === 0 ? { ...s, dispatchMru } : stateWithLate(s, 2, s.irq, s.qtest, dispatchMru);
}

/** `{ ...q, levels }`: a qtest state with written RAM (`ram`, appended after `intercept` or before it) is spread. */
export function qtestWithLevels(q: QtestState, levels: readonly number[]): QtestState {
  if ('ram' in q) return { ...q, levels };
  return 'intercept' in q ? { levels, intercept: q.intercept } : { levels };
}

function irqOf(irq: IrqState, gsi: IrqState['gsi'], pic: IrqState['pic'], ioapic: IoapicState, picStats: IrqStats, ioapicStats: IrqStats): IrqState {
  if ('ltim' in irq) return { mode: irq.mode, gsi, pic, ioapic, picStats, ioapicStats, ltim: irq.ltim };
  return { mode: irq.mode, gsi, pic, ioapic, picStats, ioapicStats };
}

/** `{ ...irq, gsi }`. */
export function irqWithGsi(irq: IrqState, gsi: readonly number[]): IrqState {
  return irqOf(irq, gsi, irq.pic, irq.ioapic, irq.picStats, irq.ioapicStats);
}

/** `{ ...irq, pic }`. */
export function irqWithPic(irq: IrqState, pic: readonly [PicState, PicState]): IrqState {
  return irqOf(irq, irq.gsi, pic, irq.ioapic, irq.picStats, irq.ioapicStats);
}

/** `{ ...irq, ioapic }`. */
export function irqWithIoapic(irq: IrqState, ioapic: IoapicState): IrqState {
  return irqOf(irq, irq.gsi, irq.pic, ioapic, irq.picStats, irq.ioapicStats);
}

/** `{ ...irq, picStats }`. */
export function irqWithPicStats(irq: IrqState, picStats: IrqStats): IrqState {
  return irqOf(irq, irq.gsi, irq.pic, irq.ioapic, picStats, irq.ioapicStats);
}

/** `{ ...irq, ioapicStats }`. */
export function irqWithIoapicStats(irq: IrqState, ioapicStats: IrqStats): IrqState {
  return irqOf(irq, irq.gsi, irq.pic, irq.ioapic, irq.picStats, ioapicStats);
}

/** `{ ...io, irr, redtbl }` (the IOAPIC record has no optional key). */
export function ioapicWith(io: IoapicState, irr: number, redtbl: readonly bigint[]): IoapicState {
  return { version: io.version, id: io.id, ioregsel: io.ioregsel, irr, redtbl };
}

/** `{ ...s, irr, lastIrr, isr, priorityAdd }` for an i8259 chip (`ltim`, when there, comes last). */
export function picWith(s: PicState, irr: number, lastIrr: number, isr: number, priorityAdd: number): PicState {
  if ('ltim' in s) {
    return {
      master: s.master, irr, imr: s.imr, isr, lastIrr, priorityAdd, irqBase: s.irqBase, readRegSelect: s.readRegSelect, poll: s.poll,
      specialMask: s.specialMask, initState: s.initState, autoEoi: s.autoEoi, rotateOnAutoEoi: s.rotateOnAutoEoi,
      specialFullyNestedMode: s.specialFullyNestedMode, init4: s.init4, singleMode: s.singleMode, elcr: s.elcr, elcrMask: s.elcrMask,
      ltim: s.ltim,
    };
  }
  return {
    master: s.master, irr, imr: s.imr, isr, lastIrr, priorityAdd, irqBase: s.irqBase, readRegSelect: s.readRegSelect, poll: s.poll,
    specialMask: s.specialMask, initState: s.initState, autoEoi: s.autoEoi, rotateOnAutoEoi: s.rotateOnAutoEoi,
    specialFullyNestedMode: s.specialFullyNestedMode, init4: s.init4, singleMode: s.singleMode, elcr: s.elcr, elcrMask: s.elcrMask,
  };
}

/** `{ ...q, intercept }` (a qtest state with written RAM is spread). */
export function qtestWithIntercept(q: QtestState, intercept: NonNullable<QtestState['intercept']>): QtestState {
  return 'ram' in q ? { ...q, intercept } : { levels: q.levels, intercept };
}

/**
 * `{ ...s, backends, objects, mem }` (a backend added: object-add and start-up's backends). Same literals as
 * stateOf, with the object table given too.
 */
export function stateWithBackendObjects(
  s: MachineState, backends: MachineState['backends'], objects: MachineState['objects'], mem: MachineState['mem'],
): MachineState {
  const shape = plainState(s);
  if (shape === 0) return { ...s, backends, objects, mem };
  if (shape === 2) {
    return {
      config: s.config, layout: s.layout, mem, backends, dimms: s.dimms, objects, peripheral: s.peripheral, anonCount: s.anonCount,
      acpi: s.acpi, irq: s.irq, qtest: s.qtest, dispatchMru: s.dispatchMru,
    };
  }
  return {
    config: s.config, layout: s.layout, mem, backends, dimms: s.dimms, objects, peripheral: s.peripheral, anonCount: s.anonCount,
    acpi: s.acpi, irq: s.irq, qtest: s.qtest,
  };
}

// ---- Compile-time guard: a key added to one of these records must be written by its literals above or be one of
// the optional keys their checks send to the spread; otherwise a literal copy would silently drop it. `tsc` fails
// here until the key is placed (the property tests then check its order against the spread).

type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type RecordKeysCovered = [
  Holds<SameKeys<keyof MachineState,
    'config' | 'layout' | 'mem' | 'backends' | 'dimms' | 'objects' | 'peripheral' | 'anonCount' | 'acpi' | 'irq' | 'qtest'
    | 'dispatchMru' | 'cprFds' | 'machineProps'>>,
  Holds<SameKeys<keyof AcpiState,
    'device' | 'memhp' | 'gpeSts' | 'gpeEn' | 'pm1Sts' | 'pm1En' | 'pm1Cnt' | 'tmrOverflowDue' | 'sciLevel' | 'sciGsi' | 'configReg'
    | 'pci' | 'resetControl' | 'smiEn' | 'apmc' | 'apms'>>,
  Holds<SameKeys<keyof MemoryBackend, 'id' | 'type' | 'size' | 'align' | 'mapped' | 'internal' | 'region' | 'props' | 'file'>>,
  Holds<SameKeys<keyof MemoryState, 'regions' | 'addressSpaces' | 'txDepth' | 'pending' | 'flat' | 'kvmSlots'>>,
  Holds<SameKeys<keyof IrqState, 'mode' | 'gsi' | 'pic' | 'ioapic' | 'picStats' | 'ioapicStats' | 'ltim'>>,
  Holds<SameKeys<keyof IoapicState, 'version' | 'id' | 'ioregsel' | 'irr' | 'redtbl'>>,
  Holds<SameKeys<keyof PicState,
    'master' | 'irr' | 'imr' | 'isr' | 'lastIrr' | 'priorityAdd' | 'irqBase' | 'readRegSelect' | 'poll' | 'specialMask' | 'initState'
    | 'autoEoi' | 'rotateOnAutoEoi' | 'specialFullyNestedMode' | 'init4' | 'singleMode' | 'elcr' | 'elcrMask' | 'ltim'>>,
  Holds<SameKeys<keyof QtestState, 'levels' | 'intercept' | 'ram'>>,
];
