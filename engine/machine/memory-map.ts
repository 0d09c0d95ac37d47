// The initial memory region tree of `qemu-system-x86_64 -M pc|q35 -nodefaults -S` (QEMU 7.2), built from what
// the real binary shows in `info mtree -D` (fixtures in test/fixtures/mtree/) and the set-up rules of the facts
// file §1.6. The tree is built in the same sequence of memory transactions QEMU goes through while the machine
// is created, because KVM slot ids depend on that history (facts §3.6):
//   1. everything static, with the main RAM mapped below 4 GiB (PAM aliases still disabled)  → RAM slot 0
//   2. RAM above 4 GiB                                                                        → its own slot
//   3. firmware: pc.rom, isa-bios and pc.bios in the PCI window (only pc.bios shows)          → ROM slot
//   4. q35 only: smram-open-high mapped enabled, then disabled (a slot taken and freed)
//   5. the PAM "pci" aliases enabled at once: RAM below 1 MiB is split around pc.rom/isa-bios
// Port I/O regions come from a table of facts (the real `info mtree` output).

import { hasSmmRanges, inKernelIrqchip } from './smm';
import { cpuCount } from './cpus';
import { backendRegionName } from '../devices/backends';
import { PASSIVE_DEVICES, type MachineConfig } from '../config/types';
import { done, then, type Transition } from '../effects';
import { setAddress, setEnabled, type RegionSpec, type Regions } from '../memory/regions';
import { RegionBuilder, RegionsCursor, type RegionTree } from '../memory/region-builder';
import { committedAtOnce, emptyMemory, memTransaction, type MemAccel } from '../memory/transaction';
import type { AddressSpace, FlatRange, KvmSlot, MemoryState } from '../memory/types';
import { diffFlatViews, renderFlatView } from '../memory/flatview';
import { kvmApplyDiff, KVM_AS_NAME } from '../memory/kvm';
import type { Layout } from './layout';
import { IOAPIC_BASE, IOAPIC_SIZE } from '../irq/ioapic';

// ---- Region ids other modules rely on ----
export const SYSTEM_ID = 'system';
export const IO_ID = 'io';
export const PCI_ID = 'pci';
export const DEVICE_MEMORY_ID = 'device-memory';
/** Main RAM: the `pc.ram` backend region, or (NUMA memdevs) the `pc.ram` container holding the backends. */
export const MAIN_RAM_ID = 'pc.ram';
export const RAM_BELOW_4G_ID = 'ram-below-4g';
export const RAM_ABOVE_4G_ID = 'ram-above-4g';
/** PIIX4 PM block (pc): disabled container at 0 holding acpi-evt/acpi-cnt/acpi-tmr. */
export const PIIX4_PM_ID = 'piix4-pm';
/** ICH9 PM block (q35): disabled container at 0 holding acpi-evt/-cnt/-tmr, acpi-gpe0 (+0x20), acpi-smi, sm-tco. */
export const ICH9_PM_ID = 'ich9-pm';
/** GPE0 block: pc at 0xafe0 in `io`; q35 at +0x20 inside ich9-pm. */
export const ACPI_GPE0_ID = 'acpi-gpe0';
export const ACPI_MEM_HOTPLUG_ID = 'acpi-mem-hotplug';
export const ACPI_EVT_ID = 'acpi-evt';
export const ACPI_CNT_ID = 'acpi-cnt';
export const ACPI_TMR_ID = 'acpi-tmr';
/** The HPET's MMIO window (absent with -M ...,hpet=off). */
export const HPET_ID = 'hpet';
export const HPET_BASE = 0xfed00000n;
export const SMRAM_ID = 'smram';
export const PAM_COUNT = 13;
/** The PAM alias that is enabled after reset (`pam-pci` over the PCI window), block n (0 = 0xf0000, 1.. = 0xc0000 + 16K*(n-1)). */
export const pamPciId = (n: number): string => `pam-pci#${n}`;
/** Each PAM segment's four alias ids: pci, rom, pci-ram, ram (the order pam_update enables them by attribute). */
const PAM_IDS: readonly (readonly string[])[] = Array.from({ length: 13 }, (_, n) => [pamPciId(n), `pam-rom#${n}`, `pam-pci-ram#${n}`, `pam-ram#${n}`]);

export const ACPI_MEMORY_HOTPLUG_BASE = 0x0a00n;
export const ACPI_MEMORY_HOTPLUG_LEN = 0x18n;

const U64_SPAN = 1n << 64n;
const GiB4 = 0x100000000n;
const BIOS_SIZE = 0x40000n; // bios-256k.bin
const ISA_BIOS_SIZE = 0x20000n;
const PC_ROM_BASE = 0xc0000n;
const PC_ROM_SIZE = 0x20000n;
const SMRAM_C_BASE = 0xa0000n;
const SMRAM_C_SIZE = 0x20000n;
const SMBASE_ADDR = 0x30000n;
const SMBASE_SIZE = 0x20000n;
const HIGH_SMRAM = 0xfeda0000n;

/** [port, size, priority, name] of a port region; `children` go inside it; names duplicate across entries. */
type Port = readonly [number, number, number, string];

const PC_PORTS: readonly Port[] = [
  [0x0, 0x8, 0, 'dma-chan'], [0x8, 0x8, 0, 'dma-cont'], [0x20, 0x2, 0, 'pic'], [0x40, 0x4, 0, 'pit'],
  [0x60, 0x1, 0, 'i8042-data'], [0x61, 0x1, 0, 'pcspk'], [0x64, 0x1, 0, 'i8042-cmd'], [0x70, 0x2, 0, 'rtc'],
  [0x7e, 0x2, 0, 'kvmvapic'], [0x80, 0x1, 0, 'ioport80'], [0x81, 0x3, 0, 'dma-page'], [0x87, 0x1, 0, 'dma-page'],
  [0x89, 0x3, 0, 'dma-page'], [0x8f, 0x1, 0, 'dma-page'], [0x92, 0x1, 0, 'port92'], [0xa0, 0x2, 0, 'pic'],
  [0xc0, 0x10, 0, 'dma-chan'], [0xd0, 0x10, 0, 'dma-cont'], [0xf0, 0x1, 0, 'ioportF0'],
  [0x170, 0x8, 0, 'ide'], [0x1f0, 0x8, 0, 'ide'], [0x376, 0x1, 0, 'ide'], [0x3f1, 0x5, 0, 'fdc'],
  [0x3f6, 0x1, 0, 'ide'], [0x3f7, 0x1, 0, 'fdc'], [0x4d0, 0x1, 0, 'elcr'], [0x4d1, 0x1, 0, 'elcr'],
  [0x510, 0x2, 0, 'fwcfg'], [0x514, 0x8, 0, 'fwcfg.dma'],
  [0xcf8, 0x4, 0, 'pci-conf-idx'], [0xcf9, 0x1, 1, 'piix3-reset-control'], [0xcfc, 0x4, 0, 'pci-conf-data'],
  [0x5658, 0x1, 0, 'vmport'],
];
/** PIIX4_PM's fixed ports, APM included (absent without ACPI: observed with -M pc,acpi=off). */
const PC_ACPI_PORTS: readonly Port[] = [
  [0xb2, 0x2, 0, 'apm-io'],
  [0xae00, 0x18, 0, 'acpi-pci-hotplug'], [0xaf00, 0x20, 0, 'acpi-cpu-hotplug'], [0xafe0, 0x4, 0, 'acpi-gpe0'],
  [0xb100, 0x40, 0, 'pm-smbus'],
];
const Q35_PORTS: readonly Port[] = [
  [0x0, 0x8, 0, 'dma-chan'], [0x8, 0x8, 0, 'dma-cont'], [0x20, 0x2, 0, 'pic'], [0x40, 0x4, 0, 'pit'],
  [0x60, 0x1, 0, 'i8042-data'], [0x61, 0x1, 0, 'pcspk'], [0x64, 0x1, 0, 'i8042-cmd'], [0x70, 0x2, 0, 'rtc'],
  [0x7e, 0x2, 0, 'kvmvapic'], [0x80, 0x1, 0, 'ioport80'], [0x81, 0x3, 0, 'dma-page'], [0x87, 0x1, 0, 'dma-page'],
  [0x89, 0x3, 0, 'dma-page'], [0x8f, 0x1, 0, 'dma-page'], [0x92, 0x1, 0, 'port92'], [0xa0, 0x2, 0, 'pic'],
  [0xb2, 0x2, 0, 'apm-io'], [0xc0, 0x10, 0, 'dma-chan'], [0xd0, 0x10, 0, 'dma-cont'], [0xf0, 0x1, 0, 'ioportF0'],
  [0x4d0, 0x1, 0, 'elcr'], [0x4d1, 0x1, 0, 'elcr'], [0x510, 0x2, 0, 'fwcfg'], [0x514, 0x8, 0, 'fwcfg.dma'],
  [0xcc0, 0x18, 0, 'acpi-pci-hotplug'], [0xcd8, 0x20, 0, 'acpi-cpu-hotplug'],
  [0xcf8, 0x4, 0, 'pci-conf-idx'], [0xcf9, 0x1, 1, 'lpc-reset-control'], [0xcfc, 0x4, 0, 'pci-conf-data'],
  [0x5658, 0x1, 0, 'vmport'],
];
const PIIX4_PM_BLOCK: { size: number; children: readonly Port[] } = {
  size: 0x40,
  children: [[0x0, 0x4, 0, 'acpi-evt'], [0x4, 0x2, 0, 'acpi-cnt'], [0x8, 0x4, 0, 'acpi-tmr']],
};
const ICH9_PM_BLOCK: { size: number; children: readonly Port[] } = {
  size: 0x80,
  children: [
    [0x0, 0x4, 0, 'acpi-evt'], [0x4, 0x2, 0, 'acpi-cnt'], [0x8, 0x4, 0, 'acpi-tmr'], [0x20, 0x10, 0, 'acpi-gpe0'],
    [0x30, 0x8, 0, 'acpi-smi'], [0x60, 0x20, 0, 'sm-tco'],
  ],
};
/** Names of in-kernel irqchip devices under KVM. */
const KVM_NAMES: Readonly<Record<string, string>> = {
  pic: 'kvm-pic', pit: 'kvm-pit', elcr: 'kvm-elcr', ioapic: 'kvm-ioapic', 'apic-msi': 'kvm-apic-msi',
};

const BUS_MASTERS = { pc: ['i440FX', 'PIIX3', 'piix3-ide', 'PIIX4_PM'], q35: ['mch', 'ICH9-LPC', 'ich9-ahci', 'ICH9-SMB'] } as const;

// ---- A tiny builder over the region-tree calls (memory/region-builder.ts) ----
/** A region to create here: always with an explicit id; `readonlyAlias` = memory_region_set_readonly on an alias (isa-bios, pam-rom). */
type Spec = RegionSpec & { readonly id: string; readonly readonlyAlias?: boolean };

function create(t: RegionTree, s: Spec): void {
  // `s` as it is (makeRegion reads the spec's own keys): a rest copy without `readonlyAlias` takes V8's slow path.
  t.create(s, s.readonlyAlias === true);
}

function map(t: RegionTree, parent: string, addr: bigint, s: Spec): void {
  create(t, s);
  t.addSubregion(parent, addr, s.id, s.priority ?? 0);
}

/** A change of one transaction written against RegionTree, applied to the persistent table call by call. */
function onTable(change: (t: RegionTree) => void): (r: Regions) => Regions {
  return (r) => {
    const c = new RegionsCursor(r);
    change(c);
    return c.regions;
  };
}

function portIds(ports: readonly Port[]): string[] {
  const count = new Map<string, number>();
  for (const p of ports) count.set(p[3], (count.get(p[3]) ?? 0) + 1);
  return ports.map((p) => (count.get(p[3])! > 1 ? `${p[3]}@0x${p[0].toString(16)}` : p[3]));
}

/** The regions of a table of ports as specs (ids told apart by port, KVM's in-kernel names), made once per table and names. */
function portSpecs(ports: readonly Port[], accel: MemAccel, renamed: Readonly<Record<string, string>>): readonly (Spec & { readonly port: bigint })[] {
  let byNames = specsByTable.get(ports);
  if (byNames === undefined) specsByTable.set(ports, (byNames = new Map()));
  const key = accel === 'kvm' ? 'kvm' : 'tcg';
  let forAccel = byNames.get(renamed);
  if (forAccel === undefined) byNames.set(renamed, (forAccel = {}));
  let specs = forAccel[key];
  if (specs === undefined) {
    const ids = portIds(ports);
    specs = forAccel[key] = ports.map(([port, size, prio, name], i) => {
      const shown = accel === 'kvm' ? KVM_NAMES[name] ?? renamed[name] ?? name : renamed[name] ?? name;
      return { id: ids[i], name: shown, size: BigInt(size), kind: 'io' as const, priority: prio, port: BigInt(port) };
    });
  }
  return specs;
}

const specsByTable = new WeakMap<readonly Port[], Map<Readonly<Record<string, string>>, { tcg?: readonly (Spec & { readonly port: bigint })[]; kvm?: readonly (Spec & { readonly port: bigint })[] }>>();
const NO_RENAMES: Readonly<Record<string, string>> = {};

function mapPorts(t: RegionTree, parent: string, ports: readonly Port[], accel: MemAccel, renamed: Readonly<Record<string, string>> = NO_RENAMES): void {
  for (const s of portSpecs(ports, accel, renamed)) map(t, parent, s.port, s);
}

/** The board's fixed ports less those a versioned machine's compat properties remove: one table per kind. */
function boardPorts(q35: boolean, fwCfgDma: boolean, acpiPciHotplug: boolean): readonly Port[] {
  const k = (q35 ? 4 : 0) + (fwCfgDma ? 2 : 0) + (acpiPciHotplug ? 1 : 0);
  let t = BOARD_PORTS[k];
  if (t === undefined) {
    const absent = new Set([...(fwCfgDma ? [] : ['fwcfg.dma']), ...(q35 && !acpiPciHotplug ? ['acpi-pci-hotplug'] : [])]);
    t = BOARD_PORTS[k] = (q35 ? Q35_PORTS : PC_PORTS).filter((p) => !absent.has(p[3]));
  }
  return t;
}
const BOARD_PORTS: (readonly Port[] | undefined)[] = [];

/**
 * The main RAM region's id. Its name is always pc.ram; only a NUMA memdev that is itself called pc.ram
 * (allowed: no default backend exists then) needs the container to take another id.
 */
function mainRamId(config: MachineConfig): string {
  return isNumaBacked(config) && config.backends.some((b) => b.id === MAIN_RAM_ID) ? `${MAIN_RAM_ID}#container` : MAIN_RAM_ID;
}

function isNumaBacked(config: MachineConfig): boolean {
  // numa_complete_configuration: any node with a memdev puts main RAM in memdev mode (memory-less nodes add nothing).
  return config.numa.some((n) => n.memdev !== undefined);
}

/**
 * The PAM aliases of the 13 segments, 4 each (pci, rom, pci-ram, ram), in the order they are mapped: the same for
 * every machine whose main RAM region has this id, so made once per id (`aliasOffset` is also where each is mapped).
 */
function pamSpecs(ram: string): readonly (Spec & { readonly aliasOffset: bigint })[] {
  let specs = PAM_SPECS.get(ram);
  if (specs === undefined) {
    const list: (Spec & { readonly aliasOffset: bigint })[] = [];
    for (let n = 0; n < PAM_COUNT; n++) {
      const [start, size] = n === 0 ? [0xf0000n, 0x10000n] : [0xc0000n + BigInt(n - 1) * 0x4000n, 0x4000n];
      list.push(
        { size, aliasOffset: start, enabled: false, priority: 1, id: PAM_IDS[n][0], name: 'pam-pci', kind: 'io', alias: PCI_ID },
        { size, aliasOffset: start, enabled: false, priority: 1, id: PAM_IDS[n][1], name: 'pam-rom', kind: 'ram', alias: ram, readonlyAlias: true },
        { size, aliasOffset: start, enabled: false, priority: 1, id: PAM_IDS[n][2], name: 'pam-pci', kind: 'ram', alias: ram },
        { size, aliasOffset: start, enabled: false, priority: 1, id: PAM_IDS[n][3], name: 'pam-ram', kind: 'ram', alias: ram },
      );
    }
    PAM_SPECS.set(ram, (specs = list));
  }
  return specs;
}
const PAM_SPECS = new Map<string, readonly (Spec & { readonly aliasOffset: bigint })[]>();

/** CPU `i`'s SMM address space under TCG: its root, the alias of system memory, the alias of SMRAM (made once per CPU index). */
function cpuAsSpecs(i: number): readonly [Spec, Spec, Spec] {
  let specs = CPU_AS_SPECS[i];
  if (specs === undefined) {
    CPU_AS_SPECS[i] = specs = [
      { id: `cpu${i}.as-root`, name: 'memory', size: U64_SPAN, kind: 'container' },
      { id: `cpu${i}.as-mem`, name: 'memory', size: U64_SPAN, kind: 'container', alias: SYSTEM_ID },
      { id: `cpu${i}.smram`, name: 'smram', size: GiB4, kind: 'container', alias: SMRAM_ID, priority: 1 },
    ];
  }
  return specs;
}
const CPU_AS_SPECS: (readonly [Spec, Spec, Spec] | undefined)[] = [];

/** Main RAM, memory backends and the static part of both address spaces (transaction 1). */
function staticTree(config: MachineConfig, layout: Layout): (t: RegionTree) => void {
  return (t) => {
    const accel = config.accel;
    const q35 = config.type === 'q35';
    // Root regions.
    create(t, { id: SYSTEM_ID, name: 'system', size: U64_SPAN, kind: 'container' });
    create(t, { id: IO_ID, name: 'io', size: 0x10000n, kind: 'io' });

    // Memory backends (unmapped until a pc-dimm or a NUMA node uses them); region id = object id.
    for (const b of config.backends) create(t, { id: b.id, name: backendRegionName(config, b.type, b.id), size: b.size, kind: 'ram' });
    // Main RAM: the pc.ram backend, or a pc.ram container of the NUMA memdevs in node order.
    if (isNumaBacked(config)) {
      create(t, { id: mainRamId(config), name: 'pc.ram', size: config.ramSize, kind: 'container' });
      let off = 0n;
      for (const node of [...config.numa].sort((a, b) => a.nodeid - b.nodeid)) {
        const dev = node.memdev;
        if (dev === undefined || !t.get(dev)) continue;
        t.addSubregion(mainRamId(config), off, dev, 0);
        off += t.get(dev)!.size;
      }
    } else {
      create(t, { id: mainRamId(config), name: 'pc.ram', size: config.ramSize, kind: 'ram' });
    }

    // The PCI window (empty for now) behind everything.
    map(t, SYSTEM_ID, 0n, { id: PCI_ID, name: 'pci', size: U64_SPAN, kind: 'container', priority: -1 });
    // Interrupt controllers and timers.
    map(t, SYSTEM_ID, IOAPIC_BASE, { id: 'ioapic', name: inKernelIrqchip(config) ? 'kvm-ioapic' : 'ioapic', size: IOAPIC_SIZE, kind: 'io' });
    if (config.hpet !== false) map(t, SYSTEM_ID, HPET_BASE, { id: HPET_ID, name: 'hpet', size: 0x400n, kind: 'io' });
    map(t, SYSTEM_ID, 0xfee00000n, { id: 'apic-msi', name: accel === 'kvm' ? 'kvm-apic-msi' : 'apic-msi', size: 0x100000n, kind: 'io', priority: 4096 });

    // Host bridge: SMRAM window, SMRAM as seen by SMM, PAM aliases (all disabled until reset programs them).
    const smm = hasSmmRanges(config);
    if (smm) map(t, SYSTEM_ID, SMRAM_C_BASE, { id: 'smram-region', name: 'smram-region', size: SMRAM_C_SIZE, kind: 'io', alias: PCI_ID, aliasOffset: SMRAM_C_BASE, priority: 1 });
    if (q35 && !smm) {
      // 10.0's MCH without SMM ranges: none of them
    } else if (q35) {
      create(t, { id: SMRAM_ID, name: 'smram', size: GiB4, kind: 'container' });
      map(t, SMRAM_ID, SMRAM_C_BASE, { id: 'smram-low', name: 'smram-low', size: SMRAM_C_SIZE, kind: 'ram', alias: mainRamId(config), aliasOffset: SMRAM_C_BASE, enabled: false });
      map(t, SMRAM_ID, HIGH_SMRAM, { id: 'smram-high', name: 'smram-high', size: SMRAM_C_SIZE, kind: 'ram', alias: mainRamId(config), aliasOffset: SMRAM_C_BASE, enabled: false });
      map(t, SYSTEM_ID, layout.below4g, { id: 'tseg-blackhole', name: 'tseg-blackhole', size: 0n, kind: 'io', priority: 1, enabled: false });
      map(t, SMRAM_ID, layout.below4g, { id: 'tseg-window', name: 'tseg-window', size: 0n, kind: 'ram', alias: mainRamId(config), aliasOffset: layout.below4g, enabled: false });
      map(t, SYSTEM_ID, SMBASE_ADDR, { id: 'smbase-blackhole', name: 'smbase-blackhole', size: SMBASE_SIZE, kind: 'io', priority: 1, enabled: false });
      map(t, SMRAM_ID, SMBASE_ADDR, { id: 'smbase-window', name: 'smbase-window', size: SMBASE_SIZE, kind: 'ram', alias: mainRamId(config), aliasOffset: SMBASE_ADDR, enabled: false });
    } else {
      create(t, { id: SMRAM_ID, name: 'smram', size: GiB4, kind: 'container', enabled: false });
      map(t, SMRAM_ID, SMRAM_C_BASE, { id: 'smram-low', name: 'smram-low', size: SMRAM_C_SIZE, kind: 'ram', alias: mainRamId(config), aliasOffset: SMRAM_C_BASE });
    }
    for (const s of pamSpecs(mainRamId(config))) map(t, SYSTEM_ID, s.aliasOffset, s);

    // Device memory.
    if (layout.deviceMemory) {
      map(t, SYSTEM_ID, layout.deviceMemory.base, { id: DEVICE_MEMORY_ID, name: 'device-memory', size: layout.deviceMemory.size, kind: 'container' });
    }

    // Each CPU's address spaces under TCG: a root holding SMRAM (prio 1) over all of system memory.
    if (accel === 'tcg') {
      for (let i = 0; i < cpuCount(config); i++) {
        const [root, mem, smram] = cpuAsSpecs(i);
        create(t, root);
        map(t, root.id, 0n, mem);
        map(t, root.id, 0n, smram);
      }
    }

    // PCI bus-master address spaces: bus mastering is off, so each alias of system memory is disabled.
    for (const as of busMasters(config)) {
      const [container, alias] = busMasterSpecs(as);
      create(t, container);
      map(t, as.root, 0n, alias);
    }

    // Port I/O.
    const pmAcpi = config.type === 'q35' || config.acpi;
    // Versioned machines: compat properties remove some fixed ports.
    mapPorts(t, IO_ID, boardPorts(q35, config.flags.fwCfgDma === true, config.flags.ich9AcpiPciHotplug === true), inKernelIrqchip(config) ? 'kvm' : 'tcg', config.qemu.regionNames);
    map(t, 'rtc', 0n, { id: 'rtc-index', name: 'rtc-index', size: 1n, kind: 'io' });
    if (!q35 && config.acpi) mapPorts(t, IO_ID, PC_ACPI_PORTS, accel);
    // The block belongs to the ACPI PM device: ICH9-LPC exists even with acpi=off, PIIX4_PM does not.
    if (config.ramSlots > 0n && config.memoryHotplugSupport && pmAcpi) {
      map(t, IO_ID, ACPI_MEMORY_HOTPLUG_BASE, { id: ACPI_MEM_HOTPLUG_ID, name: 'acpi-mem-hotplug', size: ACPI_MEMORY_HOTPLUG_LEN, kind: 'io' });
    }
    if (pmAcpi) {
      // Added last so that, at port 0, it precedes dma-chan in the list (newest first among equals).
      const block = q35 ? ICH9_PM_BLOCK : PIIX4_PM_BLOCK;
      const id = q35 ? ICH9_PM_ID : PIIX4_PM_ID;
      create(t, { id, name: id, size: BigInt(block.size), kind: 'container', enabled: false });
      mapPorts(t, id, block.children, accel);
      t.addSubregion(IO_ID, 0n, id, 0);
    }

    // Main RAM below 4 GiB.
    map(t, SYSTEM_ID, 0n, { id: RAM_BELOW_4G_ID, name: 'ram-below-4g', size: layout.below4g, kind: 'ram', alias: mainRamId(config), aliasOffset: 0n });
  };
}

/**
 * Every PCI function's bus-master address space (named by its type), the board's first, then -device ones: a
 * function of the config, made once per config (start-up reads it twice, the per-region build again). The address
 * spaces themselves are made once per board kind and device (immutable, shared by the machines that have them).
 */
function busMasters(config: MachineConfig): readonly AddressSpace[] {
  let list = BUS_MASTERS_OF.get(config);
  if (list === undefined) {
    const board = config.type === 'q35' ? BOARD_BUS_MASTERS.q35 : config.acpi ? BOARD_BUS_MASTERS.pc : BOARD_BUS_MASTERS.pcNoAcpi;
    const devices = [...config.passiveDevices].sort((a, b) => a.position - b.position).filter((d) => PASSIVE_DEVICES[d.driver].pci);
    list = devices.length === 0 ? board : [...board, ...devices.map((d, i) => deviceBusMaster(d.driver, i))];
    BUS_MASTERS_OF.set(config, list);
  }
  return list;
}
const BUS_MASTERS_OF = new WeakMap<MachineConfig, readonly AddressSpace[]>();
const boardBusMasters = (names: readonly string[]): readonly AddressSpace[] => names.map((name) => ({ name, root: `bm:${name}` }));
const BOARD_BUS_MASTERS = {
  q35: boardBusMasters(BUS_MASTERS.q35),
  pc: boardBusMasters(BUS_MASTERS.pc),
  pcNoAcpi: boardBusMasters(BUS_MASTERS.pc.filter((n) => n !== 'PIIX4_PM')),
};

/** The bus-master address space of the `i`th PCI -device (of type `driver`), made once per driver and position. */
function deviceBusMaster(driver: string, i: number): AddressSpace {
  let byIndex = DEVICE_BUS_MASTERS.get(driver);
  if (byIndex === undefined) DEVICE_BUS_MASTERS.set(driver, (byIndex = []));
  return (byIndex[i] ??= { name: driver, root: `bm:${driver}#${i}` });
}
const DEVICE_BUS_MASTERS = new Map<string, AddressSpace[]>();

/** A bus-master address space's regions: its container and the (disabled) alias of system memory, made once per address space. */
function busMasterSpecs(as: AddressSpace): readonly [Spec, Spec] {
  let specs = BUS_MASTER_SPECS.get(as);
  if (specs === undefined) {
    specs = [
      { id: as.root, name: 'bus master container', size: U64_SPAN, kind: 'container' },
      { id: `${as.root}:alias`, name: 'bus master', size: U64_SPAN, kind: 'container', alias: SYSTEM_ID, enabled: false },
    ];
    BUS_MASTER_SPECS.set(as, specs);
  }
  return specs;
}
const BUS_MASTER_SPECS = new WeakMap<AddressSpace, readonly [Spec, Spec]>();

/** CPU `i`'s address spaces: its memory (system memory) and, under TCG, its SMM one (made once per CPU index). */
function cpuAddressSpaces(i: number): readonly [AddressSpace, AddressSpace] {
  return (CPU_ASES[i] ??= [{ name: `cpu-memory-${i}`, root: SYSTEM_ID }, { name: `cpu-smm-${i}`, root: cpuAsSpecs(i)[0].id! }]);
}
const CPU_ASES: (readonly [AddressSpace, AddressSpace] | undefined)[] = [];
const MEMORY_AS: AddressSpace = { name: 'memory', root: SYSTEM_ID };
const IO_AS: AddressSpace = { name: 'I/O', root: IO_ID };
const DEVICE_MEMORY_AS: AddressSpace = { name: 'device-memory', root: DEVICE_MEMORY_ID };

function addressSpaces(config: MachineConfig, layout: Layout): AddressSpace[] {
  const list: AddressSpace[] = [MEMORY_AS, IO_AS];
  // each CPU's, in CPU order (-smp)
  for (let i = 0; i < cpuCount(config); i++) {
    const [mem, smm] = cpuAddressSpaces(i);
    list.push(mem);
    if (config.accel === 'tcg') list.push(smm);
  }
  const bm = [...busMasters(config)];
  // 10.0: the machine's device memory is an address space of its own, created with the RAM: after the i440FX
  // host's function on pc (realized first), before Q35's (realized after the RAM).
  if (layout.deviceMemory && config.qemu.deviceMemoryAddressSpace) bm.splice(config.type === 'pc' ? 1 : 0, 0, DEVICE_MEMORY_AS);
  list.push(...bm);
  return list;
}

/**
 * How start-up makes the memory state (the same state either way: test/region-builder.property.test.ts):
 * - `at-once`: every start-up change in one pass (RegionBuilder) and every view rendered once at the end
 *   (committedAtOnce), with no effects: the caller gives the start-up's trace from the `per-region` way when it is
 *   read (startMemory). Under KVM, whose slot ids depend on each commit's difference, the KVM listener is run on AS
 *   "memory"'s view after each transaction (startKvmMemory); buildMemory's `at-once` makes only the first
 *   transaction's tree in one pass, the commits following as below;
 * - `per-region`: QEMU's sequence of memory transactions, each region through the persistent table and each commit
 *   updating the views and (KVM) the slots, with its trace.
 */
export type TreeBuild = 'at-once' | 'per-region';

/**
 * The changes of the start-up's memory transactions, in QEMU's order (see the top of this file); the same calls
 * whichever way they are applied.
 */
function startupChanges(config: MachineConfig, layout: Layout): ((t: RegionTree) => void)[] {
  const changes = [staticTree(config, layout)];
  if (layout.above4g > 0n) {
    changes.push((r) => map(r, SYSTEM_ID, layout.aboveStart, {
      id: RAM_ABOVE_4G_ID, name: 'ram-above-4g', size: layout.above4g, kind: 'ram', alias: mainRamId(config), aliasOffset: layout.below4g,
    }));
  }
  changes.push((r) => {
    map(r, PCI_ID, PC_ROM_BASE, { id: 'pc.rom', name: 'pc.rom', size: PC_ROM_SIZE, kind: 'rom', priority: 1 });
    const bios = config.flags.biosSize ?? BIOS_SIZE;
    create(r, { id: 'pc.bios', name: 'pc.bios', size: bios, kind: 'rom' });
    map(r, PCI_ID, 0x100000n - ISA_BIOS_SIZE, {
      id: 'isa-bios', name: 'isa-bios', size: ISA_BIOS_SIZE, kind: 'rom', alias: 'pc.bios', aliasOffset: bios - ISA_BIOS_SIZE, priority: 1, readonlyAlias: true,
    });
    r.addSubregion(PCI_ID, GiB4 - bios, 'pc.bios', 0);
  });
  if (config.type === 'q35' && hasSmmRanges(config)) {
    changes.push((r) => map(r, SYSTEM_ID, HIGH_SMRAM, {
      id: 'smram-open-high', name: 'smram-open-high', size: SMRAM_C_SIZE, kind: 'ram', alias: mainRamId(config), aliasOffset: SMRAM_C_BASE, priority: 1,
    }));
    changes.push((r) => r.setEnabled('smram-open-high', false));
  }
  changes.push((r) => {
    for (let n = 0; n < PAM_COUNT; n++) r.setEnabled(PAM_IDS[n][0], true);
  });
  const bridges = config.passiveDevices.filter((d) => PASSIVE_DEVICES[d.driver].bridge);
  if (bridges.length) {
    const parent = (bus: string | undefined): number => bridges.findIndex((b) => b.id !== undefined && b.id === bus);
    changes.push((r) => bridges.forEach((b, n) => bridgeWindows(r, n, parent(b.bus))));
  }
  const legacy = [...config.passiveDevices].sort((a, b) => a.position - b.position).filter((d) => PASSIVE_DEVICES[d.driver].vgaLowmem || PASSIVE_DEVICES[d.driver].ports);
  if (legacy.length) changes.push((r) => legacy.forEach((d, n) => legacyRegions(r, d, n)));
  return changes;
}

/**
 * The initial memory state of a freshly created (paused) machine, with the commit trace of its construction: QEMU's
 * sequence of memory transactions (the first one's tree made in one pass unless `per-region`).
 */
export function buildMemory(config: MachineConfig, layout: Layout, how: TreeBuild = 'at-once'): Transition<MemoryState> {
  const accel = config.accel;
  const [first, ...rest] = startupChanges(config, layout);
  const tree = how === 'at-once'
    ? (): Regions => {
      const b = new RegionBuilder();
      first(b);
      return b.build();
    }
    : onTable(first);
  let t = memTransaction(emptyMemory(addressSpaces(config, layout)), tree, accel);
  for (const change of rest) t = then(t, (m) => memTransaction(m, onTable(change), accel));
  return t;
}

/**
 * The same state as buildMemory, made at once: every start-up change in one pass and every view rendered once at
 * the end; no trace (the caller has buildMemory's when it is read). Under KVM the slot ids depend on each commit's
 * difference: see startKvmMemory.
 */
export function startMemory(config: MachineConfig, layout: Layout): MemoryState {
  const changes = startupChanges(config, layout);
  if (config.accel === 'kvm') return startKvmMemory(addressSpaces(config, layout), changes);
  const b = new RegionBuilder();
  for (const change of changes) change(b);
  return committedAtOnce(addressSpaces(config, layout), b.build());
}

/**
 * startMemory under KVM: the region table each start-up transaction leaves (the first one's made in one pass, the
 * others' through the persistent table, as buildMemory makes them), the KVM memory listener run on the difference
 * of AS "memory"'s view at each commit (rendered whole: the one view the slots depend on), and every view rendered
 * once at the end. What buildMemory's commits also do, every other view updated at every commit, is left out.
 */
function startKvmMemory(ases: readonly AddressSpace[], changes: readonly ((t: RegionTree) => void)[]): MemoryState {
  const [first, ...rest] = changes;
  const b = new RegionBuilder();
  first(b);
  let regions = b.build();
  const kvmRoot = ases.find((as) => as.name === KVM_AS_NAME)?.root;
  let view: readonly FlatRange[] = [];
  let slots: readonly KvmSlot[] = [];
  const commit = (): void => {
    if (kvmRoot === undefined) return;
    const next = renderFlatView(regions, kvmRoot);
    const diff = diffFlatViews(view, next);
    slots = kvmApplyDiff(regions, slots, diff.removed, diff.added).slots;
    view = next;
  };
  commit();
  for (const change of rest) {
    const cursor = new RegionsCursor(regions);
    change(cursor);
    // memTransaction: a change that leaves the very same table commits nothing
    if (cursor.regions === regions) continue;
    regions = cursor.regions;
    commit();
  }
  return committedAtOnce(ases, regions, slots);
}

/**
 * A PCI bridge (libvirt's pcie-root-port) maps its forwarding windows into the parent bus as aliases of its
 * secondary bus: empty (size 0) until firmware programs the bridge, so they show in `info mtree` but never in
 * a flat view. pci_bridge_region_init adds the prefetchable window before the plain one, so the latter prints
 * first among equals.
 */
function bridgeWindows(r: RegionTree, n: number, parent: number): void {
  // A bridge behind another bridge maps its windows into that bridge's secondary bus.
  const mem = parent >= 0 ? `pci_bridge_pci#${parent}` : PCI_ID;
  const io = parent >= 0 ? `pci_bridge_io#${parent}` : IO_ID;
  create(r, { id: `pci_bridge_pci#${n}`, name: 'pci_bridge_pci', size: U64_SPAN, kind: 'container' });
  create(r, { id: `pci_bridge_io#${n}`, name: 'pci_bridge_io', size: 0x100000000n, kind: 'container' });
  map(r, io, 0n, { id: `pci_bridge_io_alias#${n}`, name: 'pci_bridge_io', size: 0n, kind: 'io', alias: `pci_bridge_io#${n}`, priority: 1 });
  map(r, mem, 0n, { id: `pci_bridge_pref_mem#${n}`, name: 'pci_bridge_pref_mem', size: 0n, kind: 'io', alias: `pci_bridge_pci#${n}`, priority: 1 });
  map(r, mem, 0n, { id: `pci_bridge_mem#${n}`, name: 'pci_bridge_mem', size: 0n, kind: 'io', alias: `pci_bridge_pci#${n}`, priority: 1 });
}

/** A VGA device's legacy window at 0xa0000 in the PCI window and the fixed ports of VGA and ISA devices. */
function legacyRegions(r: RegionTree, d: { readonly driver: string }, n: number): void {
  const kind = PASSIVE_DEVICES[d.driver];
  if (kind.vgaLowmemContainer) {
    map(r, PCI_ID, SMRAM_C_BASE, { id: `vga-lowmem-container#${n}`, name: kind.vgaLowmemContainer, size: SMRAM_C_SIZE, kind: 'container', priority: 1 });
    map(r, `vga-lowmem-container#${n}`, 0n, { id: `vga-lowmem#${n}`, name: kind.vgaLowmem!, size: SMRAM_C_SIZE, kind: 'io' });
  } else if (kind.vgaLowmem) {
    map(r, PCI_ID, SMRAM_C_BASE, { id: `vga-lowmem#${n}`, name: kind.vgaLowmem, size: SMRAM_C_SIZE, kind: 'io', priority: 1 });
  }
  (kind.ports ?? []).forEach(([port, size, name], i) => {
    map(r, IO_ID, BigInt(port), { id: `${d.driver}#${n}:port${i}`, name, size: BigInt(size), kind: 'io' });
  });
}

/** Which PM block this machine has: `piix4-pm` (pc), `ich9-pm` (q35), or none (pc without ACPI). */
export function pmBlockId(mem: MemoryState): string | undefined {
  if (mem.regions.get(ICH9_PM_ID)) return ICH9_PM_ID;
  if (mem.regions.get(PIIX4_PM_ID)) return PIIX4_PM_ID;
  return undefined;
}

/**
 * The guest programs the PM I/O base (PIIX4: PCI config 0x40 & 0xffc0, enable bit 0x80; ICH9: PMBASE, enabled
 * when non-zero and ACPI_EN): enable/disable the PM block and move it, in one transaction (enable, then move,
 * as pm_io_space_update / ich9_pm_iospace_update do). Works for both machine types; a no-op without PM block.
 */
/**
 * pam_update for the 13 PAM segments (i440fx_update_memory_mappings / mch_update_pam): each segment's 2-bit
 * attribute (PAM0's high nibble for 0xf0000; then the low, high nibble of each following register for the
 * 16 KiB segments from 0xc0000) enables one of its four aliases: 0 PCI, 1 RAM read-only, 2 PCI for reads
 * (RAM-backed `pam-pci`), 3 RAM.
 */
export function setPam(mem: MemoryState, regs: readonly number[], accel: MemAccel = 'tcg'): Transition<MemoryState> {
  return memTransaction(mem, (r0) => {
    let r = r0;
    for (let n = 0; n < PAM_COUNT; n++) {
      const attr = (regs[Math.ceil(n / 2)] >> (n & 1 ? 0 : 4)) & 3;
      const ids = PAM_IDS[n];
      ids.forEach((id, i) => { if (r.get(id)) r = setEnabled(r, id, i === attr); });
    }
    return r;
  }, accel);
}

/**
 * A PCI function's bus-master address space follows its command register's BUS_MASTER bit when the guest
 * writes the register (pci_default_write_config); a reset clears the bit but leaves the region as it was.
 */
export function setBusMaster(mem: MemoryState, fn: string, enabled: boolean, accel: MemAccel = 'tcg'): Transition<MemoryState> {
  const id = `bm:${fn}:alias`;
  const r = mem.regions.get(id);
  if (!r || r.enabled === enabled) return done(mem);
  return memTransaction(mem, (rs) => setEnabled(rs, id, enabled), accel);
}

export function setPmBase(mem: MemoryState, base: bigint, enabled: boolean, accel: MemAccel = 'tcg'): Transition<MemoryState> {
  const id = pmBlockId(mem);
  if (!id) return done(mem);
  return memTransaction(mem, (r) => setAddress(setEnabled(r, id, enabled), id, base), accel);
}
