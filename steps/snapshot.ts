// Read-only snapshots of the machine through the backend's own languages, for "the machine is unchanged",
// the memory maps and the IRQ chain in the reports. All reads are side-effect free (no selector writes).

import { findTreeRegion, parseMemoryFlatView } from '../backends/mtree-parse';
import { stringifyJson } from '../transcript/json';
import type { DimmView, IrqChainSnapshot, MemorySnapshot, RangeView } from '../reports/topology';
import { parseInfoIrq, parseInfoPic } from './info-parse';
import { modelState } from './model-only';
import { ich9SciIrq } from '../engine/acpi/pci-config';
import type { Backend, QmpCommand, StepResult } from '../backends/types';
import { call, drive, type Flow } from './flow';
import { ModelBackend } from '../backends/model';
import type { MachineState } from '../engine/state';
import { hmpTextOf, portValueOf } from './monitor-text';

/**
 * What a snapshot reads the machine through: the world's own commands (so the reads show in its history as
 * internal) and what it knows of the machine. The world (world.ts) is one; this module does not import it.
 */
export interface SnapshotSource {
  readonly backend?: Backend;
  readonly machineType: 'pc' | 'q35';
  readonly pmProgrammed: boolean;
  readonly irqLevels: ReadonlyMap<number, number>;
  readonly history: readonly { readonly input: unknown }[];
  qmp(command: QmpCommand, opts?: { internal?: boolean }): Promise<StepResult>;
  qtest(line: string, opts?: { internal?: boolean }): Promise<StepResult>;
  hmpText(line: string, internal?: boolean): Promise<string>;
  portRead(width: 'b' | 'w' | 'l', port: number, internal?: boolean): Promise<number>;
  portWrite(width: 'b' | 'w' | 'l', port: number, value: number | bigint, internal?: boolean): Promise<void>;
  /** The same as step bodies (steps/flow.ts): without a promise on the model. */
  qmpFlow(command: QmpCommand, opts?: { internal?: boolean }): Flow<StepResult>;
  qtestFlow(line: string, opts?: { internal?: boolean }): Flow<StepResult>;
  hmpTextFlow(line: string, internal?: boolean): Flow<string>;
  portReadFlow(width: 'b' | 'w' | 'l', port: number, internal?: boolean): Flow<number>;
  portWriteFlow(width: 'b' | 'w' | 'l', port: number, value: number | bigint, internal?: boolean): Flow<void>;
}

/** What "the machine is unchanged" compares: devices, the memory flat view, GPE status (and the model's state object). */
export interface Fingerprint {
  readonly text: string;
  readonly modelState?: unknown;
}


/** `query-memory-devices` rows (sorted by address, as QEMU returns them). */
export async function memoryDevices(world: SnapshotSource, internal = true): Promise<DimmView[]> {
  return drive(memoryDevicesFlow(world, internal));
}

// Step bodies (steps/flow.ts): on the model they answer without a promise.
export function* memoryDevicesFlow(world: SnapshotSource, internal = true): Flow<DimmView[]> {
  const r = yield* world.qmpFlow({ execute: 'query-memory-devices' }, { internal });
  const list = (r.reply as { return?: unknown[] }).return;
  if (!Array.isArray(list)) throw new Error(`query-memory-devices answered ${stringifyJson(r.reply)}`);
  return list.map((d) => {
    const data = (d as { data: Record<string, unknown> }).data;
    return {
      ...(data.id !== undefined ? { id: String(data.id) } : {}),
      slot: Number(data.slot),
      node: Number(data.node),
      addr: BigInt(data.addr as number | bigint),
      size: BigInt(data.size as number | bigint),
      memdev: String(data.memdev).replace(/^\/objects\//, ''),
      hotplugged: data.hotplugged === true,
    };
  });
}

/** GPE0 STS/EN ports for the machine: pc fixed at 0xafe0, q35 PMBASE(0x600)+0x20 once programmed. */
export function gpePorts(world: SnapshotSource): { sts: number; en: number } | undefined {
  if (world.machineType === 'pc') return { sts: 0xafe0, en: 0xafe2 };
  return world.pmProgrammed ? { sts: 0x620, en: 0x628 } : undefined;
}

/**
 * The GSI the SCI is routed to. pc: PIIX4's SCI is wired to GSI 9. q35: ICH9-LPC's ACPI_CTRL (config 0x44 of
 * 00:1f.0) SCI_IRQ_SEL picks 9, 10, 11, 20 or 21; the register is read through the PCI config ports and
 * CONFIG_ADDRESS (0xcf8) is put back, so a guest's half-done config access is left as it was. The reserved
 * encodings (3, 6, 7) leave the SCI where it was, which a register read cannot tell: `gsi` is undefined then.
 */
export async function sciRoute(world: SnapshotSource): Promise<{ gsi?: number; how: string }> {
  return drive(sciRouteFlow(world));
}

export function* sciRouteFlow(world: SnapshotSource): Flow<{ gsi?: number; how: string }> {
  if (world.machineType === 'pc') return { gsi: 9, how: 'PIIX4 SCI → GSI 9' };
  const saved = yield* world.qtestFlow('inl 0xcf8', { internal: true });
  yield* world.portWriteFlow('l', 0xcf8, 0x8000f844, true);
  const ctrl = yield* world.portReadFlow('b', 0xcfc, true);
  const m = /^OK (0x[0-9a-f]+)$/i.exec(String(saved.reply));
  if (m) yield* world.portWriteFlow('l', 0xcf8, Number(m[1]), true);
  const sel = ctrl & 7;
  const gsi = ich9SciIrq(ctrl);
  return gsi >= 0 ? { gsi, how: `ICH9 ACPI_CTRL SCI_IRQ_SEL=${sel} → GSI ${gsi}` } : { how: `ICH9 ACPI_CTRL SCI_IRQ_SEL=${sel} is reserved (QEMU keeps the previous route)` };
}

/**
 * The memory map for the reports. `startedWith`: a snapshot of the same machine taken earlier (the one at start):
 * its device-memory container is the one now, as QEMU sets it up with the machine and never moves or resizes it
 * (DIMMs are mapped inside it), so the whole `info mtree` is not read again just to find it.
 */
export async function memorySnapshot(world: SnapshotSource, label: string, startedWith?: MemorySnapshot): Promise<MemorySnapshot> {
  const flat = await world.hmpText('info mtree -f', true);
  const dm = startedWith ? startedWith.deviceMemory : findTreeRegion(await world.hmpText('info mtree', true), 'device-memory');
  return {
    label,
    ranges: memoryRanges(flat),
    ...(dm ? { deviceMemory: { start: dm.start, end: dm.end } } : {}),
    dimms: await memoryDevices(world),
  };
}

/**
 * The ranges of AS "memory" in an `info mtree -f` text, one list per text (the same start-up maps come back
 * scenario after scenario; the reports write a list's JSON once). Read-only for everyone.
 */
function memoryRanges(flat: string): RangeView[] {
  let ranges = rangesOf.get(flat);
  if (ranges === undefined) {
    ranges = parseMemoryFlatView(flat).map(({ start, end, prio, kind, name, offset }) => ({ start, end, prio, kind, name, offset }));
    if (rangesOf.size >= 64) rangesOf.clear();
    rangesOf.set(flat, ranges);
  }
  return ranges;
}
const rangesOf = new Map<string, RangeView[]>();

export async function irqSnapshot(world: SnapshotSource): Promise<IrqChainSnapshot> {
  const snap: IrqChainSnapshot = { machine: world.machineType };
  const ports = gpePorts(world);
  if (ports) {
    snap.gpePort = ports.sts;
    snap.gpeSts = await world.portRead('b', ports.sts, true);
    snap.gpeEn = await world.portRead('b', ports.en, true);
  }
  const route = await sciRoute(world);
  const gsi = route.gsi ?? 9;
  snap.sciGsi = gsi;
  if (world.irqLevels.has(gsi) || world.history.some((e) => e.input === 'irq_intercept_in ioapic')) snap.sci = world.irqLevels.get(gsi) ?? 0;
  try {
    const pic = parseInfoPic(await world.hmpText('info pic', true));
    const chip = (c?: { irr: number; imr: number; isr: number; elcr: number }) => (c ? { irr: c.irr, imr: c.imr, isr: c.isr, elcr: c.elcr } : undefined);
    snap.pic0 = chip(pic.pics.pic0);
    snap.pic1 = chip(pic.pics.pic1);
    // `ioapicPin9` keeps its name in the report data; it is the pin of the SCI's GSI.
    const p9 = pic.ioapic?.pins.find((p) => p.pin === gsi);
    if (p9 && pic.ioapic) snap.ioapicPin9 = { masked: p9.masked, trigger: p9.trigger, entry: p9.entry, irr: pic.ioapic.irr.includes(gsi), remoteIrr: pic.ioapic.remoteIrr.includes(gsi) };
  } catch { /* drawn as unknown */ }
  try { snap.counts = parseInfoIrq(await world.hmpText('info irq', true)); } catch { /* optional */ }
  return snap;
}

/**
 * On the model, the fingerprint of the machine now with its text made when first read ("the machine is unchanged"
 * compares the last action step's; a scenario that asks takes one before every action step). GPE0's status is read
 * now, through the world, as fingerprintFlow reads it: the port access moves the I/O view's most recently used
 * section (`info mtree -d`'s [MRU]) as it does on QEMU. The other reads (`query-memory-devices`, `info mtree -f`)
 * change nothing; they are made when the text is read, on the state they would have read, by a backend of its own
 * (`ModelBackend.at`), so they are not in the world's history (where they were internal: no timeline, events or IRQ
 * lines; nothing a step or report reads). Undefined unless the world's backend is the model itself.
 */
export function* deferredFingerprintFlow(world: SnapshotSource): Flow<Fingerprint | undefined> {
  const b = world.backend;
  if (!(b instanceof ModelBackend) || !b.started) return undefined;
  const read = b.state;
  const gpe = yield* gpeLineFlow(world);
  const state = b.state;
  const source = stateSource(read, world.machineType, world.pmProgrammed);
  let text: string | undefined;
  return {
    modelState: state,
    get text(): string {
      if (text === undefined) {
        const devices = drive(memoryDevicesReplyFlow(source));
        const flat = drive(flatLinesFlow(source));
        if (isThenable(devices) || isThenable(flat)) throw new Error('internal: a model state\'s reads waited for a promise');
        text = fingerprintText(devices, flat as readonly string[], objectsOfState(state), gpe);
      }
      return text;
    },
  };
}

/**
 * Whether the world's backend is the model itself and its state is the very object `before` was taken of: then a
 * fingerprint now would show exactly `before` (the engine is pure), and making it would change nothing either (its
 * GPE0 read finds the dispatch MRU where `before`'s read left it: test/deferred-fingerprint.property.test.ts).
 */
export function unchangedModelState(world: SnapshotSource, before: Fingerprint): boolean {
  const b = world.backend;
  return b instanceof ModelBackend && b.started && before.modelState !== undefined && b.state === before.modelState;
}

function isThenable(v: unknown): boolean {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** What a model state answers the reads of a snapshot, as the world makes of the answers (nothing recorded). */
function stateSource(state: MachineState, machineType: 'pc' | 'q35', pmProgrammed: boolean): SnapshotSource {
  const backend = ModelBackend.at(state);
  const now = backend.immediate();
  if (!now) throw new Error('internal: ModelBackend.at answers at once');
  function* qmpFlow(command: QmpCommand): Flow<StepResult> {
    return now!.qmp(command);
  }
  function* qtestFlow(line: string): Flow<StepResult> {
    return now!.qtest(line);
  }
  function* hmpTextFlow(line: string): Flow<string> {
    return hmpTextOf(line, now!.hmp(line).reply);
  }
  function* portReadFlow(width: 'b' | 'w' | 'l', port: number): Flow<number> {
    return portValueOf(width, port, now!.qtest(`in${width} 0x${port.toString(16)}`).reply);
  }
  function* portWriteFlow(): Flow<void> {
    throw new Error('internal: a snapshot of a state writes nothing');
  }
  return {
    backend, machineType, pmProgrammed, irqLevels: new Map(), history: [],
    qmpFlow, qtestFlow, hmpTextFlow, portReadFlow, portWriteFlow,
    qmp: async (command) => drive(qmpFlow(command)),
    qtest: async (line) => drive(qtestFlow(line)),
    hmpText: async (line) => drive(hmpTextFlow(line)),
    portRead: async (width, port) => drive(portReadFlow(width, port)),
    portWrite: async () => drive(portWriteFlow()),
  };
}

function* memoryDevicesReplyFlow(world: SnapshotSource): Flow<unknown> {
  return (yield* world.qmpFlow({ execute: 'query-memory-devices' }, { internal: true })).reply;
}

function* flatLinesFlow(world: SnapshotSource): Flow<string[]> {
  return parseMemoryFlatView(yield* world.hmpTextFlow('info mtree -f', true)).map((r) => `${r.start.toString(16)}-${r.end.toString(16)} ${r.kind} ${r.name}${r.offset ? ' @' + r.offset.toString(16) : ''}`);
}

function* gpeLineFlow(world: SnapshotSource): Flow<string> {
  const ports = gpePorts(world);
  return ports ? `GPE0 STS 0x${(yield* world.portReadFlow('b', ports.sts, true)).toString(16)}` : 'GPE0 not decoded';
}

/** The model's state object covers the backend objects (on QEMU they are listed: the model does not answer qom-list). */
function objectsOfState(state: MachineState): string {
  return state.backends.filter((b) => !b.internal).map((b) => b.id).sort().join(' ');
}

function fingerprintText(devices: unknown, flat: readonly string[], objs: string, gpe: string): string {
  return [`query-memory-devices: ${stringifyJson(devices)}`, ...(objs ? [`objects: ${objs}`] : []), gpe, 'flat view of AS "memory":', ...flat.map((l) => '  ' + l)].join('\n');
}

/** Devices, the memory flat view and GPE0 status as text; plus the model's state object for an identity check. */
export async function fingerprint(world: SnapshotSource): Promise<Fingerprint> {
  return drive(fingerprintFlow(world));
}

export function* fingerprintFlow(world: SnapshotSource): Flow<Fingerprint> {
  const devices = yield* memoryDevicesReplyFlow(world);
  const flat = yield* flatLinesFlow(world);
  const gpe = yield* gpeLineFlow(world);
  const state = modelState(world.backend);
  let objs = state === undefined ? '' : objectsOfState(state);
  if (state === undefined) {
    const objects = (yield* world.qmpFlow({ execute: 'qom-list', arguments: { path: '/objects' } }, { internal: true })).reply;
    objs = (objects as { return?: { name: string }[] }).return?.map((o) => o.name).sort().join(' ') ?? stringifyJson(objects);
  }
  const text = fingerprintText(devices, flat, objs, gpe);
  return state === undefined ? { text } : { text, modelState: state };
}
