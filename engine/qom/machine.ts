// /machine as QOM shows it: qom-list (class properties of machine, x86-machine and pc-machine, then the
// instance's own properties and children in hash-table order) and qom-get of each. The instance part's
// order depends on which optional children exist (device-memory[0], pc.ram[0] in NUMA memdev mode) and was
// recorded from QEMU 7.2 for each combination; `acpi-device` is absent from pc with acpi=off.

import { qemuOf } from '../versions';
import type { MachineState } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { deviceMemoryRegionSize, machineMemoryProperty, qint } from '../selectors';

type Prop = readonly [name: string, type: string];

/** Class properties, after `type`, in the order qom-list prints them. */
const CLASS_PROPS: readonly Prop[] = [
  ['kernel', 'string'], ['dt-compatible', 'string'], ['boot', 'BootConfiguration'], ['memory', 'MemorySizeConfiguration'],
  ['initrd', 'string'], ['confidential-guest-support', 'link<confidential-guest-support>'], ['graphics', 'bool'], ['usb', 'bool'],
  ['firmware', 'string'], ['memory-encryption', 'string'], ['smp', 'SMPConfiguration'], ['dump-guest-core', 'bool'],
  ['phandle-start', 'int'], ['dumpdtb', 'string'], ['memory-backend', 'link<memory-backend>'], ['dtb', 'string'],
  ['mem-merge', 'bool'], ['append', 'string'], ['suppress-vmdesc', 'bool'], ['smm', 'OnOffAuto'], ['acpi', 'OnOffAuto'],
  ['pit', 'OnOffAuto'], ['pic', 'OnOffAuto'], ['x-oem-table-id', 'string'], ['bus-lock-ratelimit', 'uint64_t'],
  ['sgx-epc', 'SgxEPC'], ['x-oem-id', 'string'], ['max-fw-size', 'size'], ['default-bus-bypass-iommu', 'bool'],
  ['device-memory-region-size', 'int'], ['sata', 'bool'], ['vmport', 'OnOffAuto'], ['i8042', 'bool'], ['hpet', 'bool'],
  ['smbios-entry-point-type', 'str'], ['max-ram-below-4g', 'size'], ['smbus', 'bool'],
];

const INSTANCE_TYPES: Readonly<Record<string, string>> = {
  unattached: 'child<container>', fw_cfg: 'child<fw_cfg_io>', qtest: 'child<qtest>', 'peripheral-anon': 'child<container>',
  nvdimm: 'bool', peripheral: 'child<container>', 'nvdimm-persistence': 'string', rtc_state: 'link<isa-device>',
  smram: 'link<memory-region>', 'cxl-fmw': 'CXLFixedMemoryWindow', 'rtc-time': 'struct tm', 'acpi-device': 'link<hotplug-handler>',
  hmat: 'bool', cxl: 'bool', 'pcspk-audiodev': 'str', i440fx: 'child<i440FX-pcihost>', q35: 'child<q35-pcihost>',
  'pc.ram[0]': 'child<memory-region>', 'device-memory[0]': 'child<memory-region>',
};

/** The instance properties in qom-list order, by machine type, device memory (D) and NUMA-memdev RAM container (R). */
const INSTANCE_ORDER: Readonly<Record<string, string>> = {
  'pc': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence rtc_state smram cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
  'pc D': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state nvdimm-persistence smram device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
  'pc R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state nvdimm-persistence pc.ram[0] smram cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
  'pc D R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state smram nvdimm-persistence pc.ram[0] device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
  'q35': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state nvdimm-persistence q35 smram cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
  'q35 D': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state smram nvdimm-persistence q35 device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
  'q35 R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state smram nvdimm-persistence pc.ram[0] q35 cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
  'q35 D R': 'smram unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state q35 nvdimm-persistence pc.ram[0] device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
};

/** NUMA memdev mode: main RAM is a container owned by the machine (pc.ram[0]) instead of the pc.ram backend. */
export function numaMemdevMode(state: MachineState): boolean {
  return state.config.numa.some((n) => n.memdev !== undefined);
}

function instanceProps(state: MachineState): string[] {
  const c = state.config;
  const key = [c.type, state.layout.deviceMemory ? 'D' : '', numaMemdevMode(state) ? 'R' : ''].filter(Boolean).join(' ');
  // pc_init1 links acpi-device only when ACPI is on; q35 always has its ICH9-LPC.
  return (qemuOf(c).machineQom?.instanceOrder ?? INSTANCE_ORDER)[key].split(' ').filter((p) => !(p === 'acpi-device' && c.type === 'pc' && !c.acpi));
}

export function machineTypeName(state: MachineState): string {
  return `${state.config.machineName}-machine`;
}

/** The class properties of this machine's QEMU release (some are gone in later releases). */
function classProps(state: MachineState): readonly Prop[] {
  const release = qemuOf(state.config).machineQom;
  if (release) return release.classProps;
  const removed = qemuOf(state.config).removedMachineProperties;
  return removed.length ? CLASS_PROPS.filter(([n]) => !removed.includes(n)) : CLASS_PROPS;
}

/** qom-list /machine. */
export function qomListMachine(state: MachineState): unknown[] {
  return [
    { name: 'type', type: 'string' },
    ...classProps(state).map(([name, type]) => ({ name, type })),
    ...instanceProps(state).map((name) => ({ name, type: (qemuOf(state.config).machineQom?.instanceTypes ?? INSTANCE_TYPES)[name] })),
  ];
}

/** The ACPI device's QOM path (/machine/unattached/device[N], fixed by the board's creation order). */
export function acpiDevicePath(state: MachineState): string {
  return qemuOf(state.config).acpiDevicePath[state.config.type];
}

function machineVersion(state: MachineState): [number, number] {
  const m = /-(\d+)\.(\d+)(?:\.\d+)?$/.exec(state.config.machineName);
  return m ? [Number(m[1]), Number(m[2])] : [99, 0];
}

/** qom-get /machine PROPERTY. */
export function qomGetMachine(state: MachineState, prop: string): { ok: true; value: unknown } | { ok: false; error: QemuError } {
  const c = state.config;
  const pc = c.type === 'pc';
  const [major, minor] = machineVersion(state);
  if (prop === 'rtc-time') throw new ModelLimit("qom-get of /machine property 'rtc-time' (the host's wall clock)");
  if (prop !== 'type' && ((!classProps(state).some(([n]) => n === prop) && !instanceProps(state).includes(prop)) || qemuOf(c).removedMachineProperties.includes(prop))) {
    return { ok: false, error: E.propertyNotFound(machineTypeName(state), prop) };
  }
  const values: Record<string, unknown> = {
    type: machineTypeName(state), kernel: '', 'dt-compatible': '', boot: { order: 'cad' }, memory: machineMemoryProperty(state),
    initrd: '', 'confidential-guest-support': '', graphics: true, usb: false,
    // Machine-type default options: the 256 KiB SeaBIOS from pc 2.0 on; suppress-vmdesc on for pc 2.0 to 2.2.
    firmware: pc && major < 2 ? '' : 'bios-256k.bin',
    'memory-encryption': '', smp: { cpus: 1, maxcpus: 1, threads: 1, cores: 1, dies: 1, sockets: 1, clusters: 1 },
    'dump-guest-core': true, 'phandle-start': 0, dumpdtb: '', 'memory-backend': numaMemdevMode(state) ? '' : '/objects/pc.ram',
    dtb: '', 'mem-merge': true, append: '', 'suppress-vmdesc': pc && major === 2 && minor <= 2, smm: 'auto', acpi: c.acpiOption ?? 'auto', pit: 'auto',
    pic: 'auto', 'x-oem-table-id': 'BXPC    ', 'bus-lock-ratelimit': 0, 'sgx-epc': [], 'x-oem-id': 'BOCHS ',
    'max-fw-size': 8388608, 'default-bus-bypass-iommu': false, 'device-memory-region-size': qint(deviceMemoryRegionSize(state)),
    sata: true, vmport: 'on', i8042: true, hpet: true, 'smbios-entry-point-type': qemuOf(c).smbiosEntryPointType([major, minor]),
    'max-ram-below-4g': qint(c.maxRamBelow4g ?? (pc ? 0xe0000000n : 1n << 32n)), smbus: true,
    unattached: '/machine/unattached', fw_cfg: '/machine/fw_cfg', qtest: '/machine/qtest', 'peripheral-anon': '/machine/peripheral-anon',
    nvdimm: false, peripheral: '/machine/peripheral', 'nvdimm-persistence': '',
    rtc_state: pc ? '/machine/unattached/device[9]' : '/machine/unattached/device[8]',
    smram: pc ? '/machine/unattached/device[2]/smram[0]' : '/machine/q35/mch/smram[0]',
    'cxl-fmw': [], 'acpi-device': acpiDevicePath(state), hmat: false, cxl: false, 'pcspk-audiodev': '',
    i440fx: '/machine/i440fx', q35: '/machine/q35', 'pc.ram[0]': '/machine/pc.ram[0]', 'device-memory[0]': '/machine/device-memory[0]',
  };
  const release = qemuOf(c).machinePropertyValues;
  const value = prop in release ? release[prop] : values[prop];
  if (value === undefined) throw new ModelLimit(`qom-get of ${machineTypeName(state)} property '${prop}' (QEMU ${qemuOf(c).version})`);
  return { ok: true, value };
}
