// What one QEMU release looks like to the model, as data: the engine has one code path and reads each
// version's differences from here, the way QEMU keeps compat properties per machine type. One module per
// version (qemu-7.2.ts, qemu-10.0.ts) fills this in; engine/versions/index.ts picks one.

import type { E } from '../errors';
import type { MonitorData } from './monitor';

/** The two x86 boards modelled: i440FX + PIIX4 (`pc`) and ICH9 (`q35`). */
export type MachineType = 'pc' | 'q35';

export const QEMU_VERSIONS = ['7.2', '10.0'] as const;
export type QemuVersion = (typeof QEMU_VERSIONS)[number];

/** A versioned machine type as `-M help` lists it (`pc-i440fx-7.2`, `pc-q35-4.0.1`). */
export interface VersionedMachineType {
  readonly name: string;
  readonly type: MachineType;
  /** The QEMU release whose behaviour it keeps: [major, minor] (4.0.1 counts as 4.0). */
  readonly version: readonly [number, number];
  /** `-M help` marks it "(deprecated)"; QEMU warns at start-up and still runs it. */
  readonly deprecated: boolean;
}

/** Message overrides: the same signatures as the catalogue in engine/errors.ts, with this version's words. */
export type MessageOverrides = { readonly [K in keyof typeof E]?: (typeof E)[K] };

export interface QemuVersionData {
  readonly version: QemuVersion;
  /** The release the recordings come from (`qemu-system-x86_64 --version`). */
  readonly release: string;
  /** Every versioned pc (i440FX) and q35 machine type this release knows, newest first. */
  readonly machineTypes: readonly VersionedMachineType[];
  /** What `-M pc` / `-M q35` (and no -M at all: pc) resolve to. */
  readonly aliases: { readonly pc: string; readonly q35: string };
  /** Messages worded differently in this release than in engine/errors.ts (which holds 7.2's words). */
  readonly messages: MessageOverrides;
  /** `-M NAME` for a type this release lacks: QEMU's start-up error (the first line of its stderr). */
  readonly unsupportedMachine: (name: string) => string;
  /**
   * The machine object's QOM properties that this release no longer has (qom-get answers
   * "Property 'TYPE-machine.NAME' not found").
   */
  readonly removedMachineProperties: readonly string[];
  /**
   * Who fires the GPE0 block's trace points: 'piix4' (7.2: piix4_gpe_readb/writeb in PIIX4's accessors, pc
   * only) or 'acpi-core' (10.0: acpi_gpe_{sts,en}_ioport_{readb,writeb} in hw/acpi/core.c, pc and q35).
   */
  readonly gpeTracepoints: 'piix4' | 'acpi-core';
  /**
   * system_reset as the trace points show it: the levels the PIT's channel 0 output takes (7.2: low three
   * times, then high; 10.0: only high) and the order the ISA devices after the PM block reset in (10.0's
   * three-phase reset puts the i8259 pair before the RTC).
   */
  readonly reset: { readonly pitLevels: readonly number[]; readonly isaOrder: readonly ('i8042' | 'rtc' | 'i8259')[] };
  /** ICH9-LPC still has the memory-hotplug-support property (gone in 10.0: `-global` on it is refused). */
  readonly ich9MemoryHotplugProperty: boolean;
  /**
   * `info pic` on the default q35 lists the master i8259 (pic0) before the slave (10.0's object-tree order); pc keeps
   * slave first. The fallback where the hash-table order of /machine/unattached is not modelled (hmp-irq.ts).
   */
  readonly q35InfoPicMasterFirst: boolean;
  /**
   * qmp_device_add hands the QMP arguments to qdev_device_add_from_qdict as typed JSON (10.0) instead of
   * converting them to QemuOpts strings first (7.2): driver before id, no identifier rule for the id, typed
   * property errors ("Invalid parameter type for 'slot', expected: integer", "Parameter 'addr' expects uint64").
   */
  readonly deviceAddFromJson: boolean;
  /** memory_device_pre_plug checks the region size against its alignment before the address hint's alignment. */
  readonly memoryDeviceSizeCheckFirst: boolean;
  /** memfd backends register their fd for CPR by name and reuse it (a failed one leaves it registered). */
  readonly memfdCprFds: boolean;
  /** qtest irq_intercept_* on a QOM object that is not a device (a bus) aborts QEMU (checked QOM casts). */
  readonly qtestDeviceCastAborts: boolean;
  /**
   * pci_default_write_config re-sends the INTx levels (pci_update_irq_disabled) after a write that covers the
   * command register's low byte only (7.2: range_covers_byte(PCI_COMMAND)), or any byte of it (10.0).
   */
  readonly pciCommandHookCoversWord: boolean;
  /** PM1 control takes a byte access at offset 1 as its high byte (acpi_pm_cnt_read/write, 10.0); 7.2 as the whole register. */
  readonly pm1CntByteOffsets: boolean;
  /**
   * Options this release no longer has: its first pass over the command line stops at one with
   * `OPTION: invalid option` before anything else is looked at (10.0: `-no-hpet`, now `-M ...,hpet=off`).
   */
  readonly removedOptions: readonly string[];
  /** Board regions this release names differently, by the model's (7.2's) name: `info mtree` prints these. */
  readonly regionNames?: Readonly<Record<string, string>>;
  /** The machine's device memory is an address space of its own (`address-space: device-memory` in info mtree). */
  readonly deviceMemoryAddressSpace?: boolean;
  /**
   * A sound device (AC97, hda-duplex/-micro/-output) without `audiodev=`: 7.2 falls back to a default audio
   * backend and starts; 10.0 looks for a default driver and, on the referee host (no sound system), refuses
   * with `no default audio driver available`.
   */
  readonly defaultAudioBackend: boolean;
  /**
   * q35's MCH has its SMM ranges (SMRAM window, TSEG, SMBASE; /machine's `smram` link) only where the accelerator
   * offers SMM (10.0: x86_machine_is_smm_enabled; 7.2 always has them). The referee host's KVM has no SMM
   * (KVM_CAP_X86_SMM), so under `-accel kvm` 10.0's q35 has none.
   */
  readonly q35SmmRangesNeedSmm: boolean;
  /** The i8259 honours ICW1's LTIM bit: every input level-triggered until the next ICW1 or reset (10.0). */
  readonly i8259Ltim: boolean;
  /**
   * How many `non-qdev-gpio[N]` interrupt lines /machine/unattached holds on pc (i440FX) without the HPET, with
   * and without ACPI (recorded: `info qom-tree` with `-M pc,hpet=off` and `hpet=off,acpi=off`); with the HPET,
   * and on q35 either way, the recorded board tree's own lines stand.
   */
  readonly pcNoHpetNonQdevGpios: { readonly acpi: number; readonly noAcpi: number };
  /** What the monitor shows differently (engine/versions/monitor.ts). */
  readonly monitor: MonitorData;
}

/** The last minor release of each QEMU major (machine types exist for each X.Y release). */
const LAST_MINOR: Readonly<Record<number, number>> = { 1: 7, 2: 12, 3: 1, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 0 };

/** [major, minor] releases from `from` to `to`, inclusive, oldest first. */
export function qemuReleases(from: readonly [number, number], to: readonly [number, number]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let maj = from[0]; maj <= to[0]; maj++) {
    const first = maj === from[0] ? from[1] : 0;
    const last = maj === to[0] ? to[1] : LAST_MINOR[maj];
    for (let min = first; min <= last; min++) out.push([maj, min]);
  }
  return out;
}

export const versionLe = (a: readonly [number, number], b: readonly [number, number]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

/**
 * The versioned machine types of one board (`pc-i440fx-` or `pc-q35-`) for the releases given, plus any
 * extra names (`pc-q35-4.0.1`); those up to `deprecatedUpTo` are marked deprecated.
 */
export function versionedTypes(
  type: MachineType,
  versions: ReadonlyArray<readonly [number, number]>,
  deprecatedUpTo?: readonly [number, number],
  extra: ReadonlyArray<{ readonly suffix: string; readonly version: readonly [number, number] }> = [],
): VersionedMachineType[] {
  const prefix = type === 'pc' ? 'pc-i440fx-' : 'pc-q35-';
  const make = (version: readonly [number, number], name: string): VersionedMachineType => ({
    name,
    type,
    version,
    deprecated: deprecatedUpTo !== undefined && versionLe(version, deprecatedUpTo),
  });
  return [
    ...versions.map((v) => make(v, `${prefix}${v[0]}.${v[1]}`)),
    ...extra.map((e) => make(e.version, `${prefix}${e.suffix}`)),
  ];
}
