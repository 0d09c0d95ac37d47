// The scenario generator of `hotplug-scenarios fuzz`. fast-check draws plain *intents* (small records of
// small integers: "add a DIMM, pick the 1st free backend, an explicit slot"), and `interpret` turns them into
// concrete replay steps against a tiny shadow of the machine (which backends and DIMMs exist, which slots are
// used, what the guest has selected or programmed). So commands depend on the state without fast-check's
// model-based `commands` machinery: when shrinking drops an intent, the later ones are re-interpreted and still
// name things that exist. Every integer shrinks toward 0, which is always the plainest, most meaningful choice.
// The shadow is deliberately approximate: a wrong guess only turns a step into a refusal, which QEMU referees too.

import { qemuVersionData, type QemuVersion } from '../engine/versions';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';
import type { MachineState } from '../engine/state';
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { QmpCommand } from '../backends/types';
import type { QemuStep } from '../transcript/replay-format';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Guest RAM + every memory backend created stays at or below this (the host has to back it). */
export const HOST_BUDGET = 4 * GiB;
/** Device memory starts at 4 GiB for every generated machine (RAM ≤ 2 GiB fits below 4 GiB on pc and q35). */
const DEVICE_MEMORY_BASE = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------------
// Machines

export interface MachineSpec {
  readonly type: 'pc' | 'q35';
  readonly ramMiB: number;
  /** 0: a plain `-m SIZE` (no hotplug possible). */
  readonly slots: number;
  readonly maxmemMiB: number;
  /** Two NUMA nodes, node 1 without memory. */
  readonly numa: boolean;
  /** `-global PIIX4_PM|ICH9-LPC.memory-hotplug-support=off`. */
  readonly hotplugOff: boolean;
  readonly kvm: boolean;
  /** A versioned machine type (`pc-i440fx-2.7`, `pc-q35-4.2`), whose compat properties show; absent: `pc`/`q35`. */
  readonly version?: string;
  /** `-M ...,acpi=off`. */
  readonly acpiOff?: boolean;
  /** Main RAM from NUMA memdevs (two nodes, one backend each) instead of the default pc.ram backend. */
  readonly numaMemdevs?: boolean;
  /** `-M ...,max-ram-below-4g=SIZE` in MiB. */
  readonly belowMiB?: number;
  /** A wider NUMA layout (2-4 nodes, see NumaSpec); replaces `numa`/`numaMemdevs`. */
  readonly numaLayout?: NumaSpec;
  /** `-smp N` (all CPUs present); absent: one CPU. Not with NUMA (a partial CPU mapping is not modelled). */
  readonly smp?: number;
  /** `-M ...,hpet=off`. */
  readonly hpetOff?: boolean;
  /** The release the machine is generated for (its board's recorded QOM tree; absent: 7.2). */
  readonly qemuVersion?: QemuVersion;
}

export interface GenOptions {
  readonly machine: 'pc' | 'q35' | 'any';
  /** Maximum number of intents (a few intents become 2-4 steps). */
  readonly maxSteps: number;
  /** Whether `-accel kvm` may be generated. */
  readonly kvm: boolean;
  /** The QEMU release the scenarios are for: its own versioned machine types are generated (default 7.2). */
  readonly qemuVersion?: QemuVersion;
  /** Machine lines with a deliberate mistake now and then (NUMA layouts QEMU refuses at start-up); `fuzz` sets it. */
  readonly startupMistakes?: boolean;
}

const rare = (a: fc.Arbitrary<boolean>) => fc.oneof({ withCrossShrink: true }, { weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: a });

/** Versioned machine types worth telling apart (memory hotplug exists on pc from 2.1, on q35 from its first, 2.4). */
const VERSIONS: Readonly<Record<'pc' | 'q35', readonly string[]>> = {
  pc: ['2.1', '2.4', '2.7', '2.8', '3.1', '4.0', '5.0', '6.0', '7.0', '7.1'],
  q35: ['2.4', '2.7', '2.8', '3.1', '4.2', '6.0', '7.0', '7.1'],
};

/** QEMU 10.0's: from 2.4 (older ones are gone) to the 8.x and 9.x types 7.2 does not have. */
const VERSIONS_10_0: Readonly<Record<'pc' | 'q35', readonly string[]>> = {
  pc: ['2.4', '2.7', '3.1', '4.0', '6.0', '7.0', '7.2', '8.0', '8.1', '9.0', '9.2'],
  q35: ['2.4', '2.8', '3.1', '4.0.1', '6.0', '7.1', '8.0', '8.2', '9.1', '9.2'],
};

export function machineArb(o: GenOptions): fc.Arbitrary<MachineSpec> {
  const type = o.machine === 'any' ? fc.constantFrom<'pc' | 'q35'>('pc', 'q35') : fc.constant(o.machine);
  return fc
    .record({
      type,
      versionPick: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: nat(63) }),
      numaLayout: fc.oneof({ withCrossShrink: true }, { weight: 5, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: numaArb(o.startupMistakes === true) }),
      acpiOff: rare(fc.constant(true)),
      numaMemdevs: rare(fc.constant(true)),
      ramMiB: fc.constantFrom(1024, 512, 2048, 3072, 3584),
      belowPick: fc.oneof({ withCrossShrink: true }, { weight: 8, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: nat(3) }),
      slots: fc.oneof({ withCrossShrink: true }, { weight: 12, arbitrary: fc.constantFrom(2, 4, 1, 8, 3, 5, 6, 7) }, { weight: 1, arbitrary: fc.constant(0) }),
      extraMiB: fc.constantFrom(2048, 1024, 3072, 512, 4096),
      numa: rare(fc.constant(true)),
      hotplugOff: fc.oneof({ withCrossShrink: true }, { weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      kvm: o.kvm ? fc.boolean() : fc.constant(false),
      smpPick: fc.oneof({ withCrossShrink: true }, { weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constantFrom(2, 3) }),
      hpetOff: rare(fc.constant(true)),
    })
    .map(({ extraMiB, versionPick, belowPick, smpPick, hpetOff, ...m1 }) => {
      const m0 = { ...m1, ...(o.qemuVersion ? { qemuVersion: o.qemuVersion } : {}), ...(hpetOff ? { hpetOff } : {}), ...(smpPick > 1 && !m1.numa && !m1.numaMemdevs && !m1.numaLayout ? { smp: smpPick } : {}) };
      // -M max-ram-below-4g: 1 GiB, 2 GiB, 2.5 GiB, or an unaligned 1.5 GiB + 2 MiB (QEMU warns, the layout follows).
      const m = belowPick < 0 ? m0 : { ...m0, belowMiB: [1024, 2048, 2560, 1538][belowPick] };
      // The hand-picked types first (small picks shrink to them), then every type the release has.
      const versions = [...(o.qemuVersion === '10.0' ? VERSIONS_10_0 : VERSIONS)[m.type], ...versionedNames(m.type, o.qemuVersion)];
      const version = versionPick < 0 ? undefined : versions[versionPick % versions.length];
      // pc-i440fx-1.x and 2.0 have no memory hotplug (`-m slots|maxmem` is refused): a plain -m there.
      const old = version !== undefined && m.type === 'pc' && (/^1\./.test(version) || version === '2.0');
      const { numaLayout: layout, ...rest } = old ? { ...m, slots: 0 } : m;
      // -numa node,mem= is refused from machine types 5.1 on (and by the plain pc/q35): only a deliberate mistake there.
      const [major, minor] = (version ?? '99.0').split('.').map(Number);
      const memOk = major < 5 || (major === 5 && minor === 0);
      const numaLayout = layout?.legacyMem && !memOk && !(o.startupMistakes === true && layout.mistake !== 0) ? { ...layout, legacyMem: false } : layout;
      if (numaLayout) return { ...rest, maxmemMiB: m.ramMiB + extraMiB, version, numa: false, numaMemdevs: false, numaLayout };
      return { ...rest, maxmemMiB: m.ramMiB + extraMiB, version, numa: m.numa && !m.numaMemdevs };
    });
}

const size = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`);

export function machineLine(m: MachineSpec): string {
  const name = m.version === undefined ? m.type : `pc-${m.type === 'pc' ? 'i440fx' : 'q35'}-${m.version}`;
  const parts = [`-M ${name}${m.acpiOff ? ',acpi=off' : ''}${m.hpetOff ? ',hpet=off' : ''}${m.belowMiB !== undefined ? `,max-ram-below-4g=${size(m.belowMiB)}` : ''}`, m.slots === 0 ? `-m ${size(m.ramMiB)}` : `-m ${size(m.ramMiB)},slots=${m.slots},maxmem=${size(m.maxmemMiB)}`];
  if (m.numaLayout) parts.push(numaOptions(m.ramMiB, m.numaLayout));
  if (m.numa) parts.push(`-object memory-backend-ram,id=ram0,size=${size(m.ramMiB)} -numa node,nodeid=0,memdev=ram0 -numa node,nodeid=1`);
  if (m.numaMemdevs) {
    const half = size(m.ramMiB / 2);
    parts.push(`-object memory-backend-ram,id=ram0,size=${half} -object memory-backend-memfd,id=ram1,size=${half} -numa node,nodeid=0,memdev=ram0 -numa node,nodeid=1,memdev=ram1`);
  }
  if (m.hotplugOff) parts.push(`-global ${m.type === 'pc' ? 'PIIX4_PM' : 'ICH9-LPC'}.memory-hotplug-support=off`);
  if (m.smp !== undefined) parts.push(`-smp ${m.smp}`);
  if (m.kvm) parts.push('-accel kvm');
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------------
// Intents: what a step means, as small shrinkable integers, before it meets the state.

export type Intent =
  | { readonly t: 'object-add'; readonly size: number; readonly memfd: boolean; readonly dup: boolean; readonly bad: number }
  | { readonly t: 'object-del'; readonly pick: number; readonly missing: boolean }
  /** A plain hot-add, or one with one (rarely two) twists: see TWISTS. */
  | { readonly t: 'device_add'; readonly twist: number; readonly twist2: number; readonly pick: number }
  | { readonly t: 'device_del'; readonly pick: number; readonly missing: boolean }
  /** device_del and the guest's side of it: select, clear the remove event, _OST, eject. */
  | { readonly t: 'unplug'; readonly pick: number; readonly guest: number }
  | { readonly t: 'query'; readonly which: number }
  | { readonly t: 'system_reset' }
  | { readonly t: 'select'; readonly slot: number; readonly width: number }
  | { readonly t: 'mhp-read'; readonly offset: number; readonly width: number }
  | { readonly t: 'mhp-flags'; readonly value: number; readonly width: number; readonly pick: number }
  | { readonly t: 'mhp-write'; readonly offset: number; readonly value: number; readonly width: number }
  | { readonly t: 'eject'; readonly pick: number }
  | { readonly t: 'ost'; readonly reg: number; readonly value: number }
  | { readonly t: 'gpe'; readonly op: number; readonly width: number; readonly offset: number }
  | { readonly t: 'pm-enable' }
  | { readonly t: 'intercept' }
  | { readonly t: 'pic'; readonly op: number; readonly value: number }
  | { readonly t: 'ioapic'; readonly op: number; readonly index: number; readonly value: number }
  | { readonly t: 'ram'; readonly op: number; readonly offset: number; readonly pick: number }
  | { readonly t: 'hmp'; readonly which: number }
  | { readonly t: 'qom'; readonly get: boolean; readonly which: number; readonly pick: number }
  | { readonly t: 'qom-set'; readonly which: number; readonly pick: number }
  | { readonly t: 'introspect'; readonly which: number }
  | { readonly t: 'board'; readonly which: number }
  /** qom-list or qom-get (a property of its recorded listing) of any object of the board's recorded QOM tree. */
  | { readonly t: 'board-walk'; readonly path: number; readonly prop: number; readonly get: boolean }
  /** The guest enables the power button event (PM1_EN.PWRBTN_EN) or clears its status. */
  | { readonly t: 'pwrbtn'; readonly clear: boolean }
  /** The wider vocabulary (see the end of this file). */
  | WideIntent;

/**
 * What a device_add varies from the plain hot-add (an id, the first free backend, automatic slot and address):
 * [field, choice] in the interpreter's terms. Some twists are valid (an explicit free slot, the first-fit
 * address, node 0), most are refusals, one at a time so a refusal names its cause.
 */
const TWISTS: ReadonlyArray<readonly [keyof DeviceChoices, number]> = [
  ['id', 0], ['id', 1], ['id', 2], ['id', 3], ['mem', 1], ['mem', 2], ['mem', 3], ['slot', 1], ['slot', 2], ['slot', 3],
  ['slot', 4], ['slot', 5], ['addr', 1], ['addr', 2], ['addr', 3], ['addr', 4], ['addr', 5], ['node', 1], ['node', 2],
  ['node', 3], ['node', 4], ['extra', 1], ['extra', 2], ['extra', 3],
];

interface DeviceChoices { id: number; mem: number; slot: number; addr: number; node: number; extra: number }

const nat = (max: number) => fc.integer({ min: 0, max });
const width = nat(2);

/**
 * `wide`: the weight of the wider vocabulary (wideIntentArb) against the hotplug core's ~50; long scenarios
 * (scenarioArb with maxSteps ≥ 30) get more of it, short ones stay focused on hotplug.
 */
export function intentArb(wide = 14): fc.Arbitrary<Intent> {
  const w = (weight: number, arbitrary: fc.Arbitrary<Intent>) => ({ weight, arbitrary });
  return fc.oneof(
    w(6, fc.record({ t: fc.constant('object-add' as const), size: fc.oneof({ withCrossShrink: true }, { weight: 8, arbitrary: nat(3) }, { weight: 1, arbitrary: nat(7) }), memfd: rare(fc.constant(true)), dup: rare(fc.constant(true)), bad: fc.oneof({ withCrossShrink: true }, { weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: nat(4) }) })),
    w(1, fc.record({ t: fc.constant('object-del' as const), pick: nat(3), missing: rare(fc.constant(true)) })),
    w(7, fc.record({ t: fc.constant('device_add' as const), twist: wnat(TWISTS.length - 1), twist2: fc.oneof({ withCrossShrink: true }, { weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: nat(TWISTS.length - 1) }), pick: nat(3) })),
    w(2, fc.record({ t: fc.constant('device_del' as const), pick: nat(3), missing: rare(fc.constant(true)) })),
    w(2, fc.record({ t: fc.constant('unplug' as const), pick: nat(3), guest: nat(2) })),
    w(2, fc.record({ t: fc.constant('query' as const), which: nat(2) })),
    w(1, fc.record({ t: fc.constant('system_reset' as const) })),
    w(2, fc.record({ t: fc.constant('select' as const), slot: nat(9), width })),
    w(3, fc.record({ t: fc.constant('mhp-read' as const), offset: nat(0x17), width })),
    w(2, fc.record({ t: fc.constant('mhp-flags' as const), value: nat(7), width, pick: nat(3) })),
    w(2, fc.record({ t: fc.constant('eject' as const), pick: nat(3) })),
    w(1, fc.record({ t: fc.constant('mhp-write' as const), offset: nat(0x17), value: nat(FLAG_VALUES.length - 1), width })),
    w(1, fc.record({ t: fc.constant('ost' as const), reg: nat(1), value: nat(5) })),
    w(3, fc.record({ t: fc.constant('gpe' as const), op: nat(7), width, offset: nat(3) })),
    w(1, fc.record({ t: fc.constant('pm-enable' as const) })),
    w(1, fc.record({ t: fc.constant('intercept' as const) })),
    w(2, fc.record({ t: fc.constant('pic' as const), op: nat(PIC_OPS.length - 1), value: nat(PIC_VALUES.length - 1) })),
    w(2, fc.record({ t: fc.constant('ioapic' as const), op: nat(3), index: nat(IOAPIC_INDEXES.length - 1), value: nat(IOAPIC_VALUES.length - 1) })),
    w(1, fc.record({ t: fc.constant('ram' as const), op: nat(3), offset: nat(3), pick: nat(3) })),
    w(2, fc.record({ t: fc.constant('hmp' as const), which: nat(HMP.length - 1) })),
    w(2, fc.record({ t: fc.constant('qom' as const), get: fc.boolean(), which: nat(QOM_GETS.length - 1), pick: nat(3) })),
    w(1, fc.record({ t: fc.constant('pwrbtn' as const), clear: fc.boolean() })),
    w(1, fc.record({ t: fc.constant('qom-set' as const), which: nat(QOM_SETS.length - 1), pick: nat(3) })),
    w(1, fc.record({ t: fc.constant('introspect' as const), which: nat(INTROSPECTION.length - 1) })),
    w(wide, wideIntentArb()),
    w(1, fc.record({ t: fc.constant('board' as const), which: nat(BOARD.length - 1) })),
    w(2, fc.record({ t: fc.constant('board-walk' as const), path: nat(255), prop: nat(63), get: fc.boolean() })),
  );
}

/** Mostly 0 (the plain choice), sometimes a variant: keeps refusals a minority without losing them. */
function wnat(max: number): fc.Arbitrary<number> {
  return fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: nat(max) });
}

// ---------------------------------------------------------------------------------------------------
// The shadow and the interpreter.

interface ShadowBackend { readonly id: string; readonly size: number; readonly memfd: boolean; usedBy?: string }
interface ShadowDimm { readonly id: string | undefined; readonly memdev: string; readonly slot: number; readonly addr: number; readonly size: number }

interface Shadow {
  readonly m: MachineSpec;
  backends: ShadowBackend[];
  dimms: ShadowDimm[];
  hostBytes: number;
  nextBackend: number;
  nextDimm: number;
  /** q35: PMBASE/ACPI_EN programmed (GPE0 at 0x620); pc: the PIIX4 PM I/O block enabled (PM1 at 0xb000). */
  pmEnabled: boolean;
}

const SIZES_MIB = [256, 128, 512, 1024, 2, 1, 0, 3];
const HMP = [
  'info mtree -f', 'info pic', 'info irq', 'info memory-devices', 'info numa', 'info memdev', 'info memory_size_summary',
  'info status', 'info version', 'info mtree', 'system_powerdown', 'info mtree -v', 'info mtree -D', 'info qom-tree /objects',
  'info qom-tree /machine/peripheral', 'info qom-tree /machine/peripheral-anon', 'qom-list /objects', 'qom-get /machine/peripheral/D addr',
  'qom-get /objects/B size', 'info qom-tree /objects/B', 'qom-list /machine/peripheral/D',
];
/** The board's monitor vocabulary: qdev and QOM trees, mtree's flag parsing, /machine's setters, host values. */
const BOARD: readonly QemuStep[] = [
  { hmp: 'info qtree' }, { hmp: 'info qom-tree' }, { hmp: 'info qom-tree /machine/unattached' }, { hmp: 'info mtree -d' },
  { hmp: 'info mtree -D -d' }, { hmp: 'qom-set /machine mem-merge off' }, { qmp: { execute: 'query-cpus-fast' } },
  { qmp: { execute: 'query-status', arguments: { verbose: true } } }, { hmp: 'info qom-tree /machine/fw_cfg' },
  { hmp: 'info mtree -o' }, { hmp: 'info mtree -f -o' }, { hmp: 'info cpus' }, { hmp: 'info mtree -f -D -o' },
  { qmp: { execute: 'qom-set', arguments: { path: '/machine', property: 'x-oem-id', value: 'ABC' } } },
  { qmp: { execute: 'qom-get', arguments: { path: '/machine', property: 'x-oem-id' } } },
  { hmp: 'info mtree -f -d' }, { hmp: 'info mtree -f -d -o' },
  { qmp: { execute: 'qom-list', arguments: { path: '/machine/unattached' } } },
  { qmp: { execute: 'qom-list', arguments: { path: '/machine/unattached/sysbus' } } },
  { qmp: { execute: 'qom-list', arguments: { path: 'PCI-ROOT-BUS' } } },
];
/** Board lines the model does not answer under KVM (its in-kernel irqchip devices). */
const BOARD_NOT_KVM = new Set(['info qtree', 'info qom-tree', 'info qom-tree /machine/unattached', 'info qom-tree /machine/fw_cfg', 'info mtree -o', 'info mtree -f -o', 'info mtree -f -D -o', 'info mtree -f -d', 'info mtree -f -d -o']);
const QUERIES = [
  'query-memory-devices', 'query-memory-size-summary', 'query-acpi-ospm-status', 'query-memdev', 'query-status', 'query-version',
  'query-current-machine', 'query-hotpluggable-cpus', 'query-balloon', 'system_powerdown', 'query-machines', 'query-commands',
];
/** qom-set [path, property, value]: run-time backend properties, creation-only ones, a realized DIMM's. */
const QOM_SETS: ReadonlyArray<readonly [string, string, unknown]> = [
  ['/objects/B', 'merge', false], ['/objects/B', 'dump', false], ['/objects/B', 'prealloc', false], ['/objects/B', 'policy', 'bind'],
  ['/objects/B', 'share', true], ['/objects/B', 'size', 1048576], ['/objects/B', 'reserve', false], ['/objects/B', 'merge', 1],
  ['/machine/peripheral/D', 'addr', 0], ['/machine/peripheral/D', 'size', 1], ['/objects/B', 'nope', 1], ['/objects', 'B', 1],
  // /machine's setters after creation
  ['/machine', 'mem-merge', false], ['/machine', 'x-oem-id', 'TOOLONG'], ['/machine', 'smm', 'bad'], ['/machine', 'max-ram-below-4g', 8589934592],
  ['/machine', 'hpet', false], ['/machine', 'unattached', ''],
];
const INTROSPECTION: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['device-list-properties', { typename: 'pc-dimm' }], ['device-list-properties', { typename: 'memory-backend-ram' }],
  ['qom-list-types', { implements: 'memory-backend' }], ['qom-list-types', { implements: 'pc-dimm', abstract: true }],
  ['qom-list-properties', { typename: 'memory-backend-memfd' }], ['qom-list-properties', { typename: 'pc-dimm' }],
];
/** qom-list paths, then qom-get [path, property] pairs; `B` is a backend of the shadow, `D` a DIMM's id. */
const QOM_LISTS = ['/objects', '/machine', '/machine/peripheral', '/', '/objects/B', '/machine/peripheral/D', '/machine/nope'];
const QOM_GETS: ReadonlyArray<readonly [string, string]> = [
  ['/machine', 'memory'], ['/machine', 'device-memory-region-size'], ['/machine', 'memory-backend'], ['/machine', 'acpi'],
  ['/machine', 'max-ram-below-4g'], ['/machine', 'firmware'], ['/machine', 'suppress-vmdesc'], ['/machine', 'acpi-device'],
  ['/machine', 'type'], ['/machine', 'smram'], ['/objects/B', 'size'], ['/objects/B', 'share'], ['/objects/B', 'merge'],
  ['/objects/B', 'x-use-canonical-path-for-ramblock-id'], ['/objects/B', 'seal'], ['/objects/B', 'type'],
  ['/machine/peripheral/D', 'addr'], ['/machine/peripheral/D', 'memdev'], ['/machine/peripheral/D/memdev', 'size'],
  ['/objects', 'type'], ['/machine', 'nope'], ['/machine', 'hpet'], ['/machine', 'mem-merge'],
];
const FLAG_VALUES = [0x08, 0x02, 0x04, 0x01, 0x0c, 0x0a, 0xff, 0x00];
const OST_VALUES = [1, 3, 0, 0x103, 0x80, 0xffffffff];
const PIC_OPS = [
  'inb 0xa0', 'inb 0x20', 'inb 0x21', 'inb 0xa1', 'outb 0xa0 0x0a', 'outb 0xa0 0x0b', 'outb 0x20 0x0a', 'outb 0x20 0x0b',
  'outb 0xa1 V', 'outb 0x21 V', 'inb 0x4d0', 'inb 0x4d1', 'outb 0x4d1 V', 'outb 0x4d0 V', 'inw 0x4d0', 'outb 0xa0 0x20',
  'outb 0x20 0x20', 'ICW',
];
const PIC_VALUES = [0x02, 0x00, 0xff, 0xfd, 0x0e, 0xf8];
const IOAPIC_INDEXES = [0x22, 0x23, 0x00, 0x01, 0x02, 0x12, 0x13, 0x10, 0x2e, 0x2f, 0x40];
const IOAPIC_VALUES = [0x8030, 0x00, 0x10000, 0x18030, 0x30, 0xffffffff, 0x0f000000];

const hex = (n: number) => `0x${n.toString(16)}`;
const hex2 = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;
const IN = ['inb', 'inw', 'inl'];
const OUT = ['outb', 'outw', 'outl'];
const MASK = [0xff, 0xffff, 0xffffffff];

function alignOf(b: ShadowBackend): number {
  return b.memfd ? 4096 : 2 * MiB;
}

function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function hotplugPossible(s: Shadow): boolean {
  return s.m.slots > 0 && !s.m.hotplugOff;
}

/** First fit in device memory, as QEMU places DIMMs (approximately: the shadow only needs a good guess). */
function firstFit(s: Shadow, bytes: number, align: number): number | undefined {
  const end = DEVICE_MEMORY_BASE + (s.m.maxmemMiB - s.m.ramMiB) * MiB + s.m.slots * GiB;
  let at = DEVICE_MEMORY_BASE;
  for (const d of [...s.dimms].sort((a, b) => a.addr - b.addr)) {
    if (roundUp(at, align) + bytes <= d.addr) break;
    at = Math.max(at, d.addr + d.size);
  }
  at = roundUp(at, align);
  return at + bytes <= end ? at : undefined;
}

function freeSlot(s: Shadow): number | undefined {
  for (let i = 0; i < s.m.slots; i++) if (!s.dimms.some((d) => d.slot === i)) return i;
  return undefined;
}

function pick<T>(xs: readonly T[], i: number): T | undefined {
  return xs.length === 0 ? undefined : xs[i % xs.length];
}

function qmp(execute: string, args?: Record<string, unknown>): QemuStep {
  return { qmp: (args ? { execute, arguments: args } : { execute }) as QmpCommand };
}
const qtest = (line: string): QemuStep => ({ qtest: line });

/** GPE0 block: pc 0xafe0 (STS 2 bytes, EN 2 bytes), q35 PMBASE 0x600 + 0x20 (STS 8 bytes, EN 8 bytes). */
function gpeBase(s: Shadow): { sts: number; en: number } {
  return s.m.type === 'pc' ? { sts: 0xafe0, en: 0xafe2 } : { sts: 0x620, en: 0x628 };
}

function pmEnableSteps(s: Shadow): QemuStep[] {
  return s.m.type === 'pc'
    ? ['outl 0xcf8 0x80000b40', 'outl 0xcfc 0xb001', 'outl 0xcf8 0x80000b80', 'outb 0xcfc 0x01'].map(qtest)
    : ['outl 0xcf8 0x8000f840', 'outl 0xcfc 0x601', 'outl 0xcf8 0x8000f844', 'outb 0xcfc 0x80'].map(qtest);
}

function step(s: Shadow, it: Intent): QemuStep[] {
  switch (it.t) {
    case 'object-add': {
      let mib = SIZES_MIB[it.size];
      if (s.hostBytes + mib * MiB > HOST_BUDGET) mib = 128;
      if (s.hostBytes + mib * MiB > HOST_BUDGET) mib = 2;
      if (s.hostBytes + mib * MiB > HOST_BUDGET) mib = 0; // over the host budget: a refusal (size 0) instead
      const existing = it.dup ? pick(s.backends, it.size) : undefined;
      const id = existing ? existing.id : `m${s.nextBackend}`;
      const type = it.memfd ? 'memory-backend-memfd' : 'memory-backend-ram';
      // memfd backends are 4 KiB-aligned: give them an odd size now and then.
      const bytes = it.memfd && mib === 1 ? MiB + 4096 : mib * MiB;
      const args: Record<string, unknown> = { 'qom-type': type, id, size: bytes };
      if (it.bad === 1) args.size = `${mib}M`; // wrong type: a string where QMP wants an integer
      else if (it.bad === 2) delete args.size;
      else if (it.bad === 3) args.id = `1${id}`; // not an identifier
      else if (it.bad === 4) args.size = true; // another wrong type
      const ok = it.bad === 0 && !existing && bytes > 0;
      if (ok) {
        s.backends.push({ id, size: bytes, memfd: it.memfd });
        s.hostBytes += bytes;
        s.nextBackend++;
      }
      return [qmp('object-add', args)];
    }
    case 'object-del': {
      const b = it.missing ? undefined : pick(s.backends.filter((x) => !x.usedBy), it.pick) ?? pick(s.backends, it.pick);
      if (b && !b.usedBy) {
        s.backends = s.backends.filter((x) => x !== b);
        s.hostBytes -= b.size;
      }
      return [qmp('object-del', { id: b ? b.id : 'nope' })];
    }
    case 'device_add': {
      const c: DeviceChoices = { id: 0, mem: 0, slot: 0, addr: 0, node: 0, extra: 0 };
      for (const [field, choice] of [TWISTS[it.twist], TWISTS[it.twist2]]) c[field] = Math.max(c[field], choice);
      const it2 = { ...c, pick: it.pick };
      const free = s.backends.filter((b) => !b.usedBy);
      const busy = s.backends.filter((b) => b.usedBy);
      const args: Record<string, unknown> = { driver: it2.extra === 3 ? 'pc-dimmm' : 'pc-dimm' };
      let ok = hotplugPossible(s) && it2.extra === 0;
      // id: fresh, duplicate, anonymous (only where it should work: QEMU counts refused anonymous devices), bad
      let id: string | undefined = `d${s.nextDimm}`;
      const dup = pick(s.dimms.filter((d) => d.id), it2.pick);
      if (it2.id === 1 && dup) {
        id = dup.id;
        ok = false;
      } else if (it2.id === 3) {
        id = `-d${s.nextDimm}`;
        ok = false;
      }
      // memdev: a free backend, a busy one, an unknown id, none
      let backend: ShadowBackend | undefined;
      // No free backend for a plain device_add: create one first, so most device_adds are meaningful.
      const pre: QemuStep[] = [];
      if (it2.mem === 0 && free.length === 0 && s.hostBytes + 256 * MiB <= HOST_BUDGET) {
        pre.push(...step(s, { t: 'object-add', size: 0, memfd: false, dup: false, bad: 0 }));
        free.push(s.backends[s.backends.length - 1]);
      }
      if (it2.mem === 0 || it2.mem === 1) {
        backend = it2.mem === 1 ? pick(busy, it2.pick) ?? pick(free, it2.pick) : pick(free, it2.pick) ?? pick(busy, it2.pick);
        if (!backend || backend.usedBy) ok = false;
      } else ok = false;
      const memdev = it2.mem === 2 ? 'nope' : it2.mem === 3 ? undefined : backend ? backend.id : `m${s.nextBackend}`;
      // slot: auto, the lowest free, a busy one, one past the end, -1, a string
      const lowest = freeSlot(s);
      let slot: number | undefined;
      if (it2.slot === 1) slot = lowest ?? 0;
      else if (it2.slot === 2) slot = pick(s.dimms, it2.pick)?.slot ?? lowest ?? 0;
      else if (it2.slot === 3) slot = s.m.slots;
      else if (it2.slot === 4) slot = -1;
      if (lowest === undefined || (slot !== undefined && (slot < 0 || slot >= s.m.slots || s.dimms.some((d) => d.slot === slot)))) ok = false;
      // addr: auto, the first fit, a misaligned one, beyond device memory, below it, a string
      const bytes = backend?.size ?? 0;
      const fit = backend ? firstFit(s, bytes, alignOf(backend)) : undefined;
      let addr: number | string | undefined;
      if (it2.addr === 1) addr = fit ?? DEVICE_MEMORY_BASE + it2.pick * 256 * MiB;
      else if (it2.addr === 2) addr = (fit ?? DEVICE_MEMORY_BASE) + 4096 * (1 + it2.pick);
      else if (it2.addr === 3) addr = DEVICE_MEMORY_BASE + (s.m.maxmemMiB - s.m.ramMiB) * MiB + s.m.slots * GiB;
      else if (it2.addr === 4) addr = 0x8000_0000;
      else if (it2.addr === 5) addr = hex(fit ?? DEVICE_MEMORY_BASE);
      if (fit === undefined || (it2.addr >= 2 && it2.addr <= 4)) ok = false;
      if (bytes === 0 || (backend && bytes % alignOf(backend) !== 0)) ok = false;
      const plugged = s.dimms.reduce((n, d) => n + d.size, 0);
      if (plugged + bytes > (s.m.maxmemMiB - s.m.ramMiB) * MiB) ok = false;
      // node: none, 0, 1, 5, a string
      const node = [undefined, 0, 1, 5, 'one'][it2.node];
      if (node === 'one' || node === 5 || (typeof node === 'number' && node >= nodeCount(s.m))) ok = false;
      // Anonymous devices only where the shadow expects success (a refused one shifts QEMU's numbering).
      if (it2.id === 2 && ok) id = undefined;

      if (id !== undefined) args.id = id;
      if (memdev !== undefined) args.memdev = memdev;
      if (slot !== undefined) args.slot = it2.slot === 5 ? 'x' : slot;
      else if (it2.slot === 5) args.slot = 'x';
      if (it2.slot === 5) ok = false;
      if (addr !== undefined) args.addr = addr;
      if (node !== undefined) args.node = node;
      if (it2.extra === 1) args.size = bytes;
      else if (it2.extra === 2) args.colour = 'blue';
      if (ok && backend) {
        backend.usedBy = id ?? '(anonymous)';
        s.dimms.push({ id, memdev: backend.id, slot: slot ?? lowest!, addr: typeof addr === 'number' ? addr : fit!, size: bytes });
        s.nextDimm++;
      }
      return [...pre, qmp('device_add', args)];
    }
    case 'device_del': {
      const d = it.missing ? undefined : pick(s.dimms.filter((x) => x.id), it.pick);
      // The DIMM stays until the guest ejects it.
      return [qmp('device_del', { id: d?.id ?? (it.pick % 2 ? pick(s.backends, 0)?.id ?? 'nope' : 'nope') })];
    }
    case 'unplug': {
      // Nothing to unplug: plug something first (when the machine can), so the unplug means something.
      const pre = s.dimms.some((x) => x.id) || !hotplugPossible(s) ? [] : step(s, { t: 'device_add', twist: 0, twist2: 0, pick: 0 });
      const d = pick(s.dimms.filter((x) => x.id), it.pick);
      if (!d) return [...pre, qmp('device_del', { id: 'nope' })];
      const out = [...pre, qmp('device_del', { id: d.id! })];
      if (it.guest === 0) return out;
      out.push(qtest(`outl 0xa00 ${d.slot}`));
      if (it.guest === 2) out.push(qtest('outb 0xa14 0x04'), qtest('outl 0xa04 0x103'), qtest('outl 0xa08 0x80'));
      out.push(qtest('outb 0xa14 0x08'));
      eject(s, d);
      return out;
    }
    case 'query':
      return [qmp(QUERIES[it.which])];
    case 'system_reset':
      s.pmEnabled = false;
      return [qmp('system_reset')];
    case 'select':
      return [qtest(`${OUT[it.width]} 0xa00 ${it.slot}`)];
    case 'mhp-read': {
      const size = [1, 2, 4][it.width];
      const off = Math.min(it.offset, 0x18 - size);
      return [qtest(`${IN[it.width]} ${hex(0xa00 + off)}`)];
    }
    case 'mhp-flags': {
      const d = pick(s.dimms, it.pick);
      const v = FLAG_VALUES[it.value];
      const out = [qtest(`outl 0xa00 ${d?.slot ?? 0}`), qtest(`${OUT[it.width]} 0xa14 ${hex2(v)}`)];
      if (v === 0x08 && d) eject(s, d);
      return out;
    }
    case 'mhp-write': {
      // Anywhere in the block, any width: read-only registers, the selector, unaligned pieces.
      const size = [1, 2, 4][it.width];
      const off = Math.min(it.offset, 0x18 - size);
      // A write covering 0xa14 with bit 3 may eject: the shadow does not guess (a stale DIMM only makes a refusal).
      return [qtest(`${OUT[it.width]} ${hex(0xa00 + off)} ${hex2(FLAG_VALUES[it.value])}`)];
    }
    case 'eject': {
      const d = pick(s.dimms, it.pick);
      if (d) eject(s, d);
      return [qtest(`outl 0xa00 ${d?.slot ?? 0}`), qtest('outb 0xa14 0x08')];
    }
    case 'ost':
      return [qtest(`outl ${it.reg ? '0xa08' : '0xa04'} ${hex(OST_VALUES[it.value])}`)];
    case 'gpe': {
      const g = gpeBase(s);
      const out: QemuStep[] = s.m.type === 'q35' && !s.pmEnabled && it.offset !== 3 ? pmEnableSteps(s) : [];
      if (out.length) s.pmEnabled = true;
      const pm1 = s.m.type === 'pc' ? 0xb000 : 0x600;
      switch (it.op) {
        case 0: out.push(qtest(`${IN[it.width]} ${hex(g.sts)}`)); break;
        case 1: out.push(qtest(`outb ${hex(g.en)} 0x08`)); break;
        case 2: out.push(qtest(`outb ${hex(g.sts)} 0x08`)); break;
        case 3: out.push(qtest(`${IN[it.width]} ${hex(g.en)}`)); break;
        case 4: out.push(qtest(`${OUT[it.width]} ${hex(g.en)} ${hex(MASK[it.width])}`)); break;
        case 5: out.push(qtest(`${OUT[it.width]} ${hex(g.sts)} ${hex(MASK[it.width])}`)); break;
        case 6: out.push(qtest(`inb ${hex(g.sts + it.offset)}`)); break;
        default: out.push(qtest(`inw ${hex(pm1 + 2 * (it.offset % 3))}`)); // PM1 STS/EN/CNT
      }
      return out;
    }
    case 'pm-enable':
      s.pmEnabled = true;
      return pmEnableSteps(s);
    case 'intercept':
      return [qtest('irq_intercept_in ioapic')];
    case 'pic': {
      const op = PIC_OPS[it.op];
      if (op === 'ICW') return ['outb 0xa0 0x11', 'outb 0xa1 0x70', 'outb 0xa1 0x02', 'outb 0xa1 0x01'].map(qtest);
      return [qtest(op.replace('V', hex2(PIC_VALUES[it.value])))];
    }
    case 'ioapic': {
      const sel = `writel 0xfec00000 ${hex2(IOAPIC_INDEXES[it.index])}`;
      switch (it.op) {
        case 0: return [qtest(sel), qtest('readl 0xfec00010')];
        case 1: return [qtest(sel), qtest(`writel 0xfec00010 ${hex(IOAPIC_VALUES[it.value])}`)];
        case 2: return [qtest('readl 0xfec00000')];
        default: return [qtest('readb 0xfec00000')];
      }
    }
    case 'ram': {
      const d = pick(s.dimms, it.pick);
      const at = (d?.addr ?? DEVICE_MEMORY_BASE) + [0, 8, 4096, 2 * MiB][it.offset];
      switch (it.op) {
        case 0: return [qtest(`readq ${hex(at)}`)];
        case 1: return [qtest(`writeq ${hex(at)} 0x1122334455667788`)];
        case 2: return [qtest(`writel ${hex(at)} 0xdeadbeef`), qtest(`readl ${hex(at)}`)];
        default: return [qtest(`read ${hex(at)} 8`)];
      }
    }
    case 'qom': {
      const b = pick(s.backends, it.pick)?.id ?? (s.m.numaMemdevs ? 'ram0' : 'pc.ram');
      const d = pick(s.dimms.filter((x) => x.id), it.pick)?.id ?? 'nope';
      const fill = (p: string) => p.replace('/B', `/${b}`).replace('/D', `/${d}`);
      if (!it.get) return [qmp('qom-list', { path: fill(QOM_LISTS[it.which % QOM_LISTS.length]) })];
      const [path, property] = QOM_GETS[it.which];
      return [qmp('qom-get', { path: fill(path), property })];
    }
    case 'qom-set': {
      const [path, property, value] = QOM_SETS[it.which];
      const b = pick(s.backends, it.pick)?.id ?? (s.m.numaMemdevs ? 'ram0' : 'pc.ram');
      const d = pick(s.dimms.filter((x) => x.id), it.pick)?.id ?? 'nope';
      return [qmp('qom-set', { path: path.replace('/B', `/${b}`).replace('/D', `/${d}`), property: property === 'B' ? b : property, value })];
    }
    case 'introspect': {
      const [execute, args] = INTROSPECTION[it.which];
      return [qmp(execute, args)];
    }
    case 'pwrbtn': {
      const pm1 = s.m.type === 'pc' ? 0xb000 : 0x600;
      const out: QemuStep[] = s.pmEnabled ? [] : pmEnableSteps(s);
      s.pmEnabled = true;
      out.push(qtest(it.clear ? `outw ${hex(pm1)} 0x100` : `outw ${hex(pm1 + 2)} 0x100`));
      return out;
    }
    case 'backend-opts':
    case 'pic-prog':
    case 'ioapic-prog':
    case 'pci-cfg':
    case 'pm-reg':
    case 'reset-mid':
    case 'hmp-hotplug':
      return wideStep(s, it);
    case 'board': {
      let st = BOARD[it.which];
      // The root PCI bus of the machine's host bridge.
      if ('qmp' in st && st.qmp.arguments?.path === 'PCI-ROOT-BUS') {
        st = { qmp: { ...st.qmp, arguments: { path: s.m.type === 'q35' ? '/machine/q35/pcie.0' : '/machine/i440fx/pci.0' } } };
      }
      if (s.m.kvm && 'qmp' in st && st.qmp.execute === 'qom-list') return [{ hmp: 'info mtree' }];
      return s.m.kvm && 'hmp' in st && BOARD_NOT_KVM.has(st.hmp) ? [{ hmp: 'info mtree' }] : [st];
    }
    case 'board-walk':
      return s.m.kvm ? [{ hmp: 'info mtree' }] : boardWalk(s, it);
    case 'hmp':
      // Under KVM the in-kernel PIT keeps counting while the VM is paused, so when IRQ 0 shows up in the
      // i8259's IRR depends on wall time: `info pic` is not deterministic there (README, known divergences).
      if (s.m.kvm && HMP[it.which] === 'info pic') return [{ hmp: 'info irq' }];
      {
        const b = pick(s.backends, it.which)?.id ?? (s.m.numaMemdevs ? 'ram0' : 'pc.ram');
        const d = pick(s.dimms.filter((x) => x.id), it.which)?.id ?? 'nope';
        return [{ hmp: HMP[it.which].replace('/B', `/${b}`).replace('/D', `/${d}`) }];
      }
  }
}

/** The objects of the machine type's recorded `info qom-tree` below /machine, with their types. */
function boardObjects(m: MachineSpec): { path: string; type: string }[] {
  const data = qemuVersionData(m.qemuVersion ?? '7.2');
  const name = m.version === undefined ? data.aliases[m.type] : `pc-${m.type === 'pc' ? 'i440fx' : 'q35'}-${m.version}`;
  const stack: string[] = [];
  const out: { path: string; type: string }[] = [];
  for (const line of data.monitor.board().qomTreeLines(m.type, name)) {
    const t = /^( *)\/(.*) \((.*)\)$/.exec(line);
    if (!t) continue;
    const depth = t[1].length / 2;
    stack[depth] = t[2];
    stack.length = depth + 1;
    if (depth > 0) out.push({ path: '/' + stack.join('/'), type: t[3] });
  }
  return out;
}

/** The machine as the model starts it (cached per machine line), to keep the walk to what the model answers. */
const started = new Map<string, MachineState | undefined>();
function startedMachine(m: MachineSpec): MachineState | undefined {
  const line = machineLine(m);
  const key = `${m.qemuVersion ?? '7.2'} ${line}`;
  if (!started.has(key)) {
    if (started.size > 64) started.clear();
    const b = buildFromCommandLine(line, m.qemuVersion ?? '7.2');
    started.set(key, b.ok ? b.state : undefined);
  }
  return started.get(key);
}

/** Whether the model answers a QMP command on the machine as started (rather than refusing it as not modelled). */
function modelled(m: MachineSpec, command: QmpCommand): boolean {
  const st = startedMachine(m);
  if (!st) return false;
  try {
    reduce(st, { kind: 'qmp', command });
    return true;
  } catch {
    return false;
  }
}

/**
 * qom-list of a board object, or qom-get of one of its (non-child) properties as its recorded listing has them; what
 * the model does not answer on this machine is left out (the walk stays in the modelled vocabulary).
 */
function boardWalk(s: Shadow, it: { path: number; prop: number; get: boolean }): QemuStep[] {
  const objects = boardObjects(s.m);
  if (objects.length === 0) return [];
  const o = objects[it.path % objects.length];
  const list: QmpCommand = { execute: 'qom-list', arguments: { path: o.path } };
  const data = qemuVersionData(s.m.qemuVersion ?? '7.2');
  const name = s.m.version === undefined ? data.aliases[s.m.type] : `pc-${s.m.type === 'pc' ? 'i440fx' : 'q35'}-${s.m.version}`;
  const props = it.get ? (data.monitor.board().qomList(s.m.type, name, o.path, false) ?? []).filter((p) => !/^(child|link)</.test(p.type)) : [];
  const get: QmpCommand | undefined = props.length ? { execute: 'qom-get', arguments: { path: o.path, property: props[it.prop % props.length].name } } : undefined;
  const pick = [get, list].find((c) => c !== undefined && modelled(s.m, c));
  return pick ? [{ qmp: pick }] : [];
}

function eject(s: Shadow, d: ShadowDimm): void {
  s.dimms = s.dimms.filter((x) => x !== d);
  const b = s.backends.find((x) => x.id === d.memdev);
  if (b) b.usedBy = undefined;
}

export interface GeneratedScenario {
  /** The QEMU release it runs on (`qemu-version:` in the file; absent: the default, 7.2). */
  readonly qemuVersion?: string;
  readonly machine: string;
  readonly steps: readonly QemuStep[];
}

/** Turn a machine and intents into a concrete scenario (deterministic; never more than `maxSteps` steps). */
export function interpret(m: MachineSpec, intents: readonly Intent[], maxSteps = Infinity): GeneratedScenario {
  const s: Shadow = { m, backends: [], dimms: [], hostBytes: m.ramMiB * MiB, nextBackend: 0, nextDimm: 0, pmEnabled: false };
  const steps: QemuStep[] = [];
  for (const it of intents) {
    const more = step(s, it);
    if (steps.length + more.length > maxSteps && steps.length > 0) break;
    steps.push(...more);
  }
  return { machine: machineLine(m), steps };
}

export function scenarioArb(o: GenOptions): fc.Arbitrary<GeneratedScenario> {
  return fc
    .tuple(machineArb(o), fc.array(intentArb(o.maxSteps >= 30 ? 14 : 3), { minLength: 1, maxLength: o.maxSteps, size: 'max' }))
    .map(([m, intents]) => interpret(m, intents, o.maxSteps));
}

// ---------------------------------------------------------------------------------------------------
// YAML, in the style of the recorded scenarios (one flow mapping per QMP step).

export function scenarioYaml(sc: GeneratedScenario, comment?: string): string {
  const scalar = (v: unknown) => stringify(v, { lineWidth: 0 }).trimEnd();
  const lines: string[] = [];
  if (comment) for (const l of comment.split('\n')) lines.push(l ? `# ${l}` : '#');
  if (sc.qemuVersion !== undefined) lines.push(`qemu-version: ${JSON.stringify(sc.qemuVersion)}`);
  lines.push(`machine: ${scalar(sc.machine)}`);
  lines.push(sc.steps.length ? 'steps:' : 'steps: []');
  for (const st of sc.steps) {
    if ('qmp' in st) lines.push(`  - qmp: ${stringify(st.qmp, { collectionStyle: 'flow', flowCollectionPadding: false, lineWidth: 0 }).trimEnd()}`);
    else if ('qtest' in st) lines.push(`  - qtest: ${scalar(st.qtest)}`);
    else lines.push(`  - hmp: ${scalar(st.hmp)}`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------
// The wider vocabulary, for long scenarios: every versioned machine type of the release, NUMA layouts of 2-4
// nodes (memdev-backed with backend options, memory-less, the vCPU's node, deliberate mistakes), backend options
// at run time, i8259 and IOAPIC programming sequences, PCI configuration cycles at every width, the APM and PM1
// registers, and a reset in the middle of a hot-add. Kept apart from the intents above; each choice shrinks to
// the plainest (index 0).

/** A NUMA layout: nodes in order; `memMiB` 0 = memory-less. */
export interface NumaSpec {
  readonly nodes: ReadonlyArray<{ readonly memMiB: number; readonly backend: 'ram' | 'memfd'; readonly opts: string; readonly cpus?: string }>;
  /** A deliberate mistake: 0 none, 1 a missing node id, 2 totals that do not add up, 3 cpus=1 (-smp 1), 4 the vCPU on two nodes. */
  readonly mistake: number;
  /** Legacy `mem=` instead of memdevs (machine types up to 5.0 accept it; newer ones refuse it). */
  readonly legacyMem?: boolean;
}

/** -object options of a NUMA node's backend (prealloc only where the backend is small). */
const NODE_BACKEND_OPTS = ['', ',share=on', ',merge=off', ',dump=off', ',prealloc=on', ',reserve=off', ',policy=bind,host-nodes=0', ',share=off,merge=off,dump=off', ',policy=preferred,host-nodes=0', ',prealloc=on,reserve=off'];

/** Every versioned machine type of the release (4.0.1 only where the tests expect a X.Y name: 10.0). */
function versionedNames(type: 'pc' | 'q35', version: QemuVersion | undefined): readonly string[] {
  const prefix = type === 'pc' ? 'pc-i440fx-' : 'pc-q35-';
  return qemuVersionData(version ?? '7.2').machineTypes
    .filter((t) => t.type === type && (version === '10.0' || /^\d+\.\d+$/.test(t.name.slice(prefix.length))))
    .map((t) => t.name.slice(prefix.length));
}

export function numaArb(mistakes = true): fc.Arbitrary<NumaSpec> {
  const opts = NODE_BACKEND_OPTS.length - (mistakes ? 1 : 2);
  const node = fc.record({ mem: fc.boolean(), memfd: rare(fc.constant(true)), opts: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: nat(opts) }) });
  return fc.record({
    nodes: fc.array(node, { minLength: 2, maxLength: 4 }),
    cpuOn: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: nat(3) }),
    mistake: mistakes ? fc.oneof({ withCrossShrink: true }, { weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: nat(4) }) : fc.constant(0),
    legacyMem: rare(fc.constant(true)),
  }).map(({ nodes, cpuOn, mistake, legacyMem }) => ({
    ...(legacyMem ? { legacyMem } : {}),
    nodes: nodes.map((n, i) => ({ memMiB: n.mem || i === 0 ? 1 : 0, backend: n.memfd ? 'memfd' as const : 'ram' as const, opts: NODE_BACKEND_OPTS[n.opts], ...(cpuOn === i ? { cpus: '0' } : {}) })),
    mistake,
  }));
}

/** The -object/-numa options of a layout over `ramMiB` of main RAM (the memory nodes share it). */
function numaOptions(ramMiB: number, numa: NumaSpec): string {
  const withMem = numa.nodes.filter((n) => n.memMiB > 0).length;
  const share = Math.floor(ramMiB / withMem / 2) * 2;
  const parts: string[] = [];
  const memOf: Record<number, number> = {};
  let left = ramMiB;
  let k = 0;
  numa.nodes.forEach((n, i) => {
    if (n.memMiB === 0) return;
    k++;
    let mib = k === withMem ? left : share;
    left -= mib;
    if (numa.mistake === 2 && k === withMem) mib += 2;
    if (numa.legacyMem) {
      memOf[i] = mib;
      return;
    }
    // prealloc touches every page: only for small nodes (a loaded host otherwise misses QEMU's 10 s greeting).
    const opts = mib > 256 ? n.opts.replace(/,prealloc=on/, '') : n.opts;
    parts.push(`-object memory-backend-${n.backend},id=ram${i},size=${size(mib)}${opts}`);
  });
  numa.nodes.forEach((n, i) => {
    const id = numa.mistake === 1 && i === numa.nodes.length - 1 ? i + 1 : i;
    let cpus = n.cpus !== undefined ? `,cpus=${n.cpus}` : '';
    if (numa.mistake === 3 && i === 0) cpus = ',cpus=1';
    if (numa.mistake === 4 && i < 2) cpus = ',cpus=0';
    const mem = memOf[i] !== undefined ? `,mem=${memOf[i]}` : n.memMiB > 0 ? `,memdev=ram${i}` : '';
    parts.push(`-numa node,nodeid=${id}${mem}${cpus}`);
  });
  return parts.join(' ');
}

/** How many NUMA nodes the machine has (device_add's node must be below it). */
function nodeCount(m: MachineSpec): number {
  if (m.numaLayout) return m.numaLayout.nodes.length;
  return m.numa || m.numaMemdevs ? 2 : 1;
}

export type WideIntent =
  /** object-add with one backend option (or a deliberate mistake in one). */
  | { readonly t: 'backend-opts'; readonly opt: number; readonly memfd: boolean; readonly size: number }
  /** An i8259 programming sequence on the master (0) or slave (1). */
  | { readonly t: 'pic-prog'; readonly chip: number; readonly seq: number; readonly value: number }
  /** IOAPIC: a redirection entry written, its input driven, read back, EOI'd. */
  | { readonly t: 'ioapic-prog'; readonly pin: number; readonly op: number; readonly entry: number }
  /** A PCI configuration cycle through 0xcf8/0xcfc. */
  | { readonly t: 'pci-cfg'; readonly fn: number; readonly reg: number; readonly width: number; readonly write: boolean; readonly value: number }
  /** The APM ports and PM1 registers. */
  | { readonly t: 'pm-reg'; readonly op: number; readonly width: number; readonly value: number }
  /** A hot-add (or hot-remove) the guest has not finished when the machine resets. */
  | { readonly t: 'reset-mid'; readonly remove: boolean; readonly after: number }
  /** object_add/device_add/device_del/object_del over HMP. */
  | { readonly t: 'hmp-hotplug'; readonly op: number; readonly pick: number };

export function wideIntentArb(): fc.Arbitrary<WideIntent> {
  const w = (weight: number, arbitrary: fc.Arbitrary<WideIntent>) => ({ weight, arbitrary });
  return fc.oneof(
    w(2, fc.record({ t: fc.constant('backend-opts' as const), opt: nat(BACKEND_OPTS.length - 1), memfd: fc.boolean(), size: nat(2) })),
    w(3, fc.record({ t: fc.constant('pic-prog' as const), chip: nat(1), seq: nat(PIC_SEQS.length - 1), value: nat(7) })),
    w(3, fc.record({ t: fc.constant('ioapic-prog' as const), pin: fc.oneof({ withCrossShrink: true }, { weight: 2, arbitrary: fc.constantFrom(9, 10, 11, 16) }, { weight: 1, arbitrary: nat(23) }), op: nat(IOAPIC_OPS - 1), entry: nat(IOAPIC_ENTRIES.length - 1) })),
    w(3, fc.record({ t: fc.constant('pci-cfg' as const), fn: nat(5), reg: nat(PCI_REGS.length - 1), width: nat(2), write: fc.boolean(), value: nat(PCI_VALUES.length - 1) })),
    w(2, fc.record({ t: fc.constant('pm-reg' as const), op: nat(PM_OPS - 1), width: nat(1), value: nat(5) })),
    w(1, fc.record({ t: fc.constant('reset-mid' as const), remove: fc.boolean(), after: nat(3) })),
    w(1, fc.record({ t: fc.constant('hmp-hotplug' as const), op: nat(5), pick: nat(3) })),
  );
}

/** Run-time backend options: valid ones, then mistakes QEMU refuses. */
const BACKEND_OPTS: ReadonlyArray<Record<string, unknown>> = [
  { share: true }, { merge: false }, { dump: false }, { prealloc: true }, { reserve: false }, { policy: 'bind', 'host-nodes': [0] },
  { policy: 'interleave', 'host-nodes': [0] }, { policy: 'preferred', 'host-nodes': [0] }, { share: false, merge: false, dump: false },
  { seal: false }, { hugetlb: false },
  { prealloc: true, reserve: false }, { policy: 'nope' }, { share: 'yes' }, { policy: 'bind' }, { 'host-nodes': [0] }, { colour: 'blue' },
];

const VALID_BACKEND_OPTS = 11;

/** i8259 sequences: `C` = command port (0x20/0xa0), `D` = data port, `V` = a value, `E` = the ELCR port. */
const PIC_SEQS: ReadonlyArray<readonly string[]> = [
  ['outb C 0x11', 'outb D 0x08', 'outb D 0x04', 'outb D 0x01'], // edge, cascade, ICW4 8086
  ['outb C 0x19', 'outb D 0x70', 'outb D 0x02', 'outb D 0x01'], // level-triggered (LTIM)
  ['outb C 0x11', 'outb D 0x20', 'outb D 0x04', 'outb D 0x03'], // AEOI
  ['outb C 0x13', 'outb D 0x08', 'outb D 0x01'], // single, ICW4
  ['outb C 0x10', 'outb D 0x08', 'outb D 0x04'], // no ICW4
  ['outb C 0x11', 'outb D 0x08', 'outb D 0x04', 'outb D 0x11'], // special fully nested
  ['outb C 0x0a', 'inb C'], // OCW3: read IRR
  ['outb C 0x0b', 'inb C'], // OCW3: read ISR
  ['outb C 0x0c', 'inb C', 'inb C'], // poll
  ['outb C 0x68', 'outb C 0x48'], // special mask on, off
  ['outb C 0x20'], // non-specific EOI
  ['outb C 0x6V'], // specific EOI
  ['outb C 0xa0'], // rotate on non-specific EOI
  ['outb C 0xcV'], // set priority
  ['outb C 0x80', 'outb C 0x00'], // rotate in AEOI on, off
  ['outb C 0xeV'], // rotate on specific EOI
  ['outb D 0xfV', 'inb D'], // OCW1 mask
  ['outb D 0x00', 'inb D', 'outb D 0xff'], // unmask all, read, mask all
  ['outb E 0xV0', 'inb E'], // ELCR
  ['inb C', 'inb D', 'inb E'],
  ['outb C 0x11', 'outb C 0x0b', 'inb C'], // ICW1 interrupted by an OCW3 (written as ICW2)
];

const IOAPIC_OPS = 7;
/** Redirection entries (low dword): vector 0x30, edge/level, masked/unmasked, delivery modes. */
const IOAPIC_ENTRIES = [0x8030, 0x0030, 0x18030, 0x10030, 0x8530, 0x0730, 0x8000, 0xa030, 0x0f0];
const IOAPIC_SEL = 'writel 0xfec00000';
const IOAPIC_WIN = 0xfec00010;

/** Bus 0 functions: [pc devfn, q35 devfn]; the last is absent on both. */
const PCI_FNS: ReadonlyArray<readonly [number, number]> = [[0x0b, 0xf8], [0x00, 0x00], [0x08, 0xfa], [0x09, 0xfb], [0x00, 0xf8], [0x18, 0x10]];
/** Registers: [offset, writable here] — writes only where the model answers (no PAM, PIRQ, BAR decoding...). */
const PCI_REGS: ReadonlyArray<readonly [number, boolean]> = [
  [0x40, true], [0x80, true], [0x44, true], [0x00, true], [0x04, true], [0x08, false], [0x0c, true], [0x0e, false], [0x2c, false],
  [0x3c, true], [0x3d, false], [0x41, true], [0x42, true], [0x5b, false], [0xa0, true], [0xd0, false], [0xfe, false], [0x34, false],
];
const PCI_VALUES = [0xb001, 0x601, 0x80, 0x01, 0x00, 0xffffffff, 0x0b, 0x700, 0x1001, 0x81, 0x84];

const PM_OPS = 10;

function picPorts(chip: number): { c: number; d: number; e: number } {
  return chip ? { c: 0xa0, d: 0xa1, e: 0x4d1 } : { c: 0x20, d: 0x21, e: 0x4d0 };
}

function wideStep(s: Shadow, it: WideIntent): QemuStep[] {
  switch (it.t) {
    case 'backend-opts': {
      const mib = [2, 64, 128][it.size];
      if (s.hostBytes + mib * MiB > HOST_BUDGET) return [qmp('query-memdev')];
      const opts = BACKEND_OPTS[it.opt];
      const memfd = it.memfd || 'seal' in opts || 'hugetlb' in opts;
      const id = `m${s.nextBackend}`;
      const args: Record<string, unknown> = { 'qom-type': memfd ? 'memory-backend-memfd' : 'memory-backend-ram', id, size: mib * MiB, ...opts };
      const ok = it.opt < VALID_BACKEND_OPTS;
      if (ok) {
        s.backends.push({ id, size: mib * MiB, memfd });
        s.hostBytes += mib * MiB;
        s.nextBackend++;
      }
      return [qmp('object-add', args)];
    }
    case 'pic-prog': {
      const p = picPorts(it.chip);
      return PIC_SEQS[it.seq].map((l) => qtest(l.replace(' C', ` ${hex(p.c)}`).replace(' D', ` ${hex(p.d)}`).replace(' E', ` ${hex(p.e)}`).replace('V', it.value.toString(16))));
    }
    case 'ioapic-prog': {
      const reg = 0x10 + 2 * it.pin;
      const entry = IOAPIC_ENTRIES[it.entry];
      const set = (lvl: number) => qtest(`set_irq_in ioapic unnamed-gpio-in ${it.pin} ${lvl}`);
      switch (it.op) {
        case 0: return [qtest(`${IOAPIC_SEL} ${hex(reg)}`), qtest(`writel ${hex(IOAPIC_WIN)} ${hex(entry)}`), qtest(`readl ${hex(IOAPIC_WIN)}`)];
        case 1: return [qtest(`${IOAPIC_SEL} ${hex(reg + 1)}`), qtest(`writel ${hex(IOAPIC_WIN)} 0xff000000`), qtest(`readl ${hex(IOAPIC_WIN)}`)];
        case 2: return [set(1), qtest(`${IOAPIC_SEL} ${hex(reg)}`), qtest(`readl ${hex(IOAPIC_WIN)}`)];
        case 3: return [set(0)];
        case 4: return [qtest('writel 0xfec00040 0x30'), qtest(`${IOAPIC_SEL} ${hex(reg)}`), qtest(`readl ${hex(IOAPIC_WIN)}`)];
        case 5: return [set(1), set(0), set(1)];
        default: return [qtest(`${IOAPIC_SEL} ${hex(it.pin % 3)}`), qtest(`readl ${hex(IOAPIC_WIN)}`), qtest(`writel ${hex(IOAPIC_WIN)} 0x0f000000`)];
      }
    }
    case 'pci-cfg': {
      const q35 = s.m.type === 'q35';
      const devfn = PCI_FNS[it.fn][q35 ? 1 : 0];
      const [reg, writable] = PCI_REGS[it.reg];
      const size = [1, 2, 4][it.width];
      const off = size === 4 ? reg & 0xfc : reg + (size === 1 ? it.value % 4 : (it.value % 2) * 2) - (size === 2 && reg % 2 ? 1 : 0);
      const addr = (0x80000000 | (devfn << 8) | (off & 0xfc)) >>> 0;
      const port = 0xcfc + (off & 3);
      const out = [qtest(`outl 0xcf8 ${hex(addr)}`)];
      if (!it.write || !writable) return [...out, qtest(`${IN[it.width]} ${hex(port)}`)];
      let v = (PCI_VALUES[it.value] & MASK[it.width]) >>> 0;
      // Keep clear of what the model refuses: BAR decoding (I/O and memory enable in the command register).
      if (off <= 0x05 && off + size > 0x04) v &= off === 0x04 ? (size === 1 ? 0x04 : 0x0004 | 0x0100 | 0x0400) : 0x05;
      out.push(qtest(`${OUT[it.width]} ${hex(port)} ${hex(v)}`), qtest(`${IN[it.width]} ${hex(port)}`));
      if ((!q35 && devfn === 0x0b && (off & 0xfc) === 0x40) || (!q35 && devfn === 0x0b && (off & 0xfc) === 0x80) || (q35 && devfn === 0xf8 && ((off & 0xfc) === 0x40 || (off & 0xfc) === 0x44))) {
        s.pmEnabled = false; // the PM block may have moved: re-program it before the next GPE access
      }
      return out;
    }
    case 'pm-reg': {
      const pm1 = s.m.type === 'pc' ? 0xb000 : 0x600;
      const en: QemuStep[] = s.pmEnabled || it.op < 3 ? [] : pmEnableSteps(s);
      if (it.op >= 3) s.pmEnabled = true;
      const apmEnable = s.m.type === 'pc' ? [0xf1, 0xf0] : [0x02, 0x03];
      switch (it.op) {
        case 0: return [qtest(`outb 0xb2 ${hex(apmEnable[it.value % 2])}`)];
        case 1: return [qtest(`outb 0xb3 ${hex(0x11 * it.value)}`), qtest(`inb 0xb3`)];
        case 2: return [qtest(`${IN[it.width]} 0xb2`)];
        case 3: return [...en, qtest(`${IN[it.width]} ${hex(pm1 + 4)}`)];
        case 4: return [...en, qtest(`outw ${hex(pm1 + 4)} ${hex([0x1, 0x0, 0x1c01, 0x401, 0x1, 0x0][it.value])}`), qtest(`inw ${hex(pm1 + 4)}`)];
        case 5: return [...en, qtest(`inl ${hex(pm1 + 8)}`)];
        case 6: return [...en, qtest(`outw ${hex(pm1 + 2)} ${hex([0x100, 0x1, 0x121, 0x0, 0x20, 0xffff][it.value])}`), qtest(`inw ${hex(pm1)}`)];
        case 7: return [...en, qtest(`outw ${hex(pm1)} ${hex([0x1, 0x100, 0xffff, 0x0, 0x8000, 0x20][it.value])}`), qtest(`inw ${hex(pm1)}`)];
        case 8: return [...en, qtest(`${IN[it.width]} ${hex(pm1 + [0, 1, 2, 3, 5, 6][it.value])}`)];
        // A byte of PM1 control's high half (10.0 places it there; never SLP_EN).
        default: return [...en, qtest(`outb ${hex(pm1 + 5)} ${hex([0x00, 0x1c, 0x04, 0x10, 0x01, 0x03][it.value])}`), qtest(`inb ${hex(pm1 + 5)}`), qtest(`inw ${hex(pm1 + 4)}`)];
      }
    }
    case 'reset-mid': {
      const out = it.remove
        ? step(s, { t: 'unplug', pick: it.after, guest: 0 })
        : step(s, { t: 'device_add', twist: 0, twist2: 0, pick: it.after });
      out.push(qmp('system_reset'));
      s.pmEnabled = false;
      const d = s.dimms[s.dimms.length - 1];
      out.push(qtest(`outl 0xa00 ${d?.slot ?? 0}`), qtest('inb 0xa14'), qtest(`${IN[it.after % 3]} ${hex(gpeBase(s).sts)}`));
      if (s.m.type === 'q35') out.pop(); // GPE0 is unmapped again after the reset
      return out;
    }
    case 'hmp-hotplug': {
      const free = s.backends.filter((b) => !b.usedBy);
      switch (it.op) {
        case 0: {
          if (s.hostBytes + 128 * MiB > HOST_BUDGET) return [{ hmp: 'info memdev' }];
          const id = `m${s.nextBackend++}`;
          s.backends.push({ id, size: 128 * MiB, memfd: false });
          s.hostBytes += 128 * MiB;
          return [{ hmp: `object_add memory-backend-ram,id=${id},size=128M` }];
        }
        case 1: {
          const b = pick(free, it.pick);
          const slot = freeSlot(s);
          const fit = b ? firstFit(s, b.size, alignOf(b)) : undefined;
          const plugged = s.dimms.reduce((n, d) => n + d.size, 0);
          const id = `d${s.nextDimm}`;
          if (b && slot !== undefined && fit !== undefined && hotplugPossible(s) && plugged + b.size <= (s.m.maxmemMiB - s.m.ramMiB) * MiB) {
            b.usedBy = id;
            s.dimms.push({ id, memdev: b.id, slot, addr: fit, size: b.size });
            s.nextDimm++;
          }
          return [{ hmp: `device_add pc-dimm,id=${id},memdev=${b?.id ?? 'nope'}` }];
        }
        case 2: return [{ hmp: `device_del ${pick(s.dimms.filter((d) => d.id), it.pick)?.id ?? 'nope'}` }];
        case 3: {
          const b = pick(free, it.pick);
          if (b) {
            s.backends = s.backends.filter((x) => x !== b);
            s.hostBytes -= b.size;
          }
          return [{ hmp: `object_del ${b?.id ?? 'nope'}` }];
        }
        case 4: return [{ hmp: 'device_add pc-dimm,id=x,memdev=' }];
        default: return [{ hmp: 'object_add memory-backend-ram,id=bad,size=1Q' }];
      }
    }
  }
}
