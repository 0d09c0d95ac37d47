// /machine as QOM shows it: qom-list (class properties of machine, x86-machine and pc-machine, then the
// instance's own properties and children in hash-table order) and qom-get of each. The instance part's
// order depends on which optional children exist (device-memory[0], pc.ram[0] in NUMA memdev mode) and was
// recorded from each QEMU release for each combination (engine/versions/monitor.ts); `acpi-device` is absent
// from pc with acpi=off.

import type { MachineState } from '../state';
import { cpuCount } from '../machine/cpus';
import { hasSmmRanges } from '../machine/smm';
import { E, ModelLimit, type QemuError } from '../errors';
import type { Checked } from '../outcome';
import { resolvePathAt } from './tree';
import { deviceMemoryRegionSize, machineMemoryProperty, qint } from '../selectors';
import type { Prop } from '../versions/monitor';

const INSTANCE_TYPES: Readonly<Record<string, string>> = {
  unattached: 'child<container>', fw_cfg: 'child<fw_cfg_io>', qtest: 'child<qtest>', 'peripheral-anon': 'child<container>',
  nvdimm: 'bool', peripheral: 'child<container>', 'nvdimm-persistence': 'string', rtc_state: 'link<isa-device>',
  smram: 'link<memory-region>', 'cxl-fmw': 'CXLFixedMemoryWindow', 'rtc-time': 'struct tm', 'acpi-device': 'link<hotplug-handler>',
  hmat: 'bool', cxl: 'bool', 'pcspk-audiodev': 'str', i440fx: 'child<i440FX-pcihost>', q35: 'child<q35-pcihost>',
  'pc.ram[0]': 'child<memory-region>', 'device-memory[0]': 'child<memory-region>', 'x-south-bridge': 'PCSouthBridgeOption',
};

/** NUMA memdev mode: main RAM is a container owned by the machine (pc.ram[0]) instead of the pc.ram backend. */
export function numaMemdevMode(state: MachineState): boolean {
  return state.config.numa.some((n) => n.memdev !== undefined);
}

function instanceProps(state: MachineState): string[] {
  const c = state.config;
  const key = [c.type, state.layout.deviceMemory ? 'D' : '', numaMemdevMode(state) ? 'R' : ''].filter(Boolean).join(' ');
  // pc_init1 links acpi-device only when ACPI is on; q35 always has its ICH9-LPC.
  // Without SMM ranges there is no smram link: its own recorded order where removing it moves the others.
  const order = (!hasSmmRanges(c) && c.qemu.monitor.machineInstanceOrder[`${key} no-smram`]) || c.qemu.monitor.machineInstanceOrder[key];
  return order.split(' ').filter((p) => !(p === 'acpi-device' && c.type === 'pc' && !c.acpi) && (p !== 'smram' || hasSmmRanges(c)));
}

/**
 * Whether a walk of /machine's children (object_child_foreach: its table's iteration order, the reverse of
 * qom-list's) meets the host bridge (`i440fx` / `q35`, the IOAPIC's parent) before `unattached` (the i8259s').
 */
export function hostBridgeWalkedFirst(state: MachineState): boolean {
  const order = instanceProps(state);
  return order.lastIndexOf(state.config.type === 'pc' ? 'i440fx' : 'q35') > order.lastIndexOf('unattached');
}

export function machineTypeName(state: MachineState): string {
  return `${state.config.machineName}-machine`;
}

/** The class properties of this machine's QEMU release (some are gone in later releases, some are new). */
function classProps(state: MachineState): readonly Prop[] {
  const removed = state.config.qemu.removedMachineProperties;
  const props = state.config.qemu.monitor.machineClassProps;
  return removed.length ? props.filter(([n]) => !removed.includes(n)) : props;
}

/** qom-list /machine. */
export function qomListMachine(state: MachineState): unknown[] {
  return [
    { name: 'type', type: 'string' },
    ...classProps(state).map(([name, type]) => ({ name, type })),
    ...instanceProps(state).map((name) => ({ name, type: INSTANCE_TYPES[name] })),
  ];
}

/** The ACPI device's QOM path (/machine/unattached/device[N], fixed by the board's creation order). */
export function acpiDevicePath(state: MachineState): string {
  return boardDevicePath(state, state.config.type === 'pc' ? state.config.qemu.monitor.pcAcpiDevicePath : '/machine/unattached/device[2]');
}

const hpetIndexOf = new WeakMap<readonly string[], number | undefined>();

/**
 * The HPET's number among the board's devices in /machine/unattached (device[N], in creation order), as the
 * recorded `info qom-tree` of the machine type (default machine: one CPU, the HPET on) shows it; undefined
 * without one there. The one source of that number: without the HPET the devices created after it move down one.
 */
export function hpetUnattachedIndex(state: MachineState): number | undefined {
  const c = state.config;
  const lines = c.qemu.monitor.board().qomTreeLines(c.type, c.machineName);
  if (hpetIndexOf.has(lines)) return hpetIndexOf.get(lines);
  let parent = '';
  let found: number | undefined;
  for (const line of lines) {
    const m = /^( *)\/(\S+) \((.*)\)$/.exec(line);
    if (!m) continue;
    if (m[1].length === 2) parent = m[2];
    const d = m[1].length === 4 && parent === 'unattached' && m[3] === 'hpet' ? /^device\[(\d+)\]$/.exec(m[2]) : null;
    if (d) { found = Number(d[1]); break; }
  }
  hpetIndexOf.set(lines, found);
  return found;
}

/**
 * A board device's path `/machine/unattached/device[N]...` as numbered on the default machine, renumbered
 * for this one: QEMU numbers the devices it creates without a parent in creation order, so every further CPU
 * (-smp) moves the board's devices up one, so does the kvmclock under KVM, and without an HPET (`hpet=off`, `-no-hpet`) the devices created
 * after it move down one.
 */
export function boardDevicePath(state: MachineState, path: string): string {
  const m = /^\/machine\/unattached\/device\[(\d+)\](.*)$/.exec(path);
  if (!m) return path;
  const n = Number(m[1]);
  const hpetIndex = state.config.hpet === false ? hpetUnattachedIndex(state) ?? Infinity : Infinity;
  // CPUs 1..N-1 come right after the kvmvapic (device[1]), and under KVM the kvmclock after them; without an HPET
  // the devices after it move down one
  const shift = (n >= 2 ? cpuCount(state.config) - 1 + (state.config.accel === 'kvm' ? 1 : 0) : 0) + (n > hpetIndex ? -1 : 0);
  return `/machine/unattached/device[${n + shift}]${m[2]}`;
}

function machineVersion(state: MachineState): [number, number] {
  const m = /(\d+)\.(\d+)(?:\.\d+)?$/.exec(state.config.machineName);
  return m ? [Number(m[1]), Number(m[2])] : [99, 0];
}

/** qom-get /machine PROPERTY. */
export function qomGetMachine(state: MachineState, prop: string): Checked<unknown> {
  const c = state.config;
  const pc = c.type === 'pc';
  const [major, minor] = machineVersion(state);
  if (prop === 'rtc-time') throw new ModelLimit("qom-get of /machine property 'rtc-time' (the host's wall clock)");
  if (prop !== 'type' && !classProps(state).some(([n]) => n === prop) && !instanceProps(state).includes(prop)) {
    return { ok: false, error: E.propertyNotFound(machineTypeName(state), prop) };
  }
  const values: Record<string, unknown> = {
    type: machineTypeName(state), kernel: '', 'dt-compatible': '', boot: { order: 'cad' }, memory: machineMemoryProperty(state),
    initrd: '', 'confidential-guest-support': '', graphics: true, usb: false,
    // Machine-type default options: the 256 KiB SeaBIOS from pc 2.0 on; suppress-vmdesc on for pc 2.0 to 2.2.
    firmware: pc && major < 2 ? '' : 'bios-256k.bin',
    'memory-encryption': '', smp: { ...c.qemu.monitor.machineSmp, ...(c.smp ? { cpus: c.smp.cpus, maxcpus: c.smp.cpus, sockets: c.smp.sockets, cores: c.smp.cores, threads: c.smp.threads } : {}) },
    'dump-guest-core': c.dumpGuestCore !== false, 'phandle-start': 0, dumpdtb: '', 'memory-backend': numaMemdevMode(state) ? '' : '/objects/pc.ram',
    dtb: '', 'mem-merge': true, append: '', 'suppress-vmdesc': pc && major === 2 && minor <= 2, smm: 'auto', acpi: c.acpiOption ?? 'auto', pit: 'auto',
    pic: 'auto', 'x-oem-table-id': 'BXPC    ', 'bus-lock-ratelimit': 0, 'sgx-epc': [], 'x-oem-id': 'BOCHS ',
    'max-fw-size': 8388608, 'default-bus-bypass-iommu': false, 'device-memory-region-size': qint(deviceMemoryRegionSize(state)),
    sata: true, vmport: 'on', i8042: true, hpet: c.hpet !== false, 'smbios-entry-point-type': c.qemu.monitor.smbiosEntryPointType([major, minor]),
    'max-ram-below-4g': qint(c.maxRamBelow4g ?? (pc ? 0xe0000000n : 1n << 32n)), smbus: true,
    unattached: '/machine/unattached', fw_cfg: '/machine/fw_cfg', qtest: '/machine/qtest', 'peripheral-anon': '/machine/peripheral-anon',
    nvdimm: false, peripheral: '/machine/peripheral', 'nvdimm-persistence': '',
    rtc_state: boardDevicePath(state, pc ? '/machine/unattached/device[9]' : '/machine/unattached/device[8]'),
    smram: pc ? boardDevicePath(state, '/machine/unattached/device[2]/smram[0]') : '/machine/q35/mch/smram[0]',
    'cxl-fmw': [], 'acpi-device': acpiDevicePath(state), hmat: false, cxl: false, 'pcspk-audiodev': '',
    i440fx: '/machine/i440fx', q35: '/machine/q35', 'pc.ram[0]': '/machine/pc.ram[0]', 'device-memory[0]': '/machine/device-memory[0]',
    ...c.qemu.monitor.machineExtraValues(c.type),
  };
  if (state.machineProps && Object.prototype.hasOwnProperty.call(state.machineProps, prop)) return { ok: true, value: state.machineProps[prop] };
  return { ok: true, value: values[prop] };
}

const ON_OFF_AUTO = ['on', 'off', 'auto'];
const isInt = (v: unknown): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * qom-set /machine PROPERTY VALUE after the machine was created. Most machine properties are plain fields its
 * setters store without looking at the realized board (qom-get reads them back; nothing the model shows changes),
 * with the setters' own checks; children and constant links are not writable. Properties whose setters reach
 * further (memory, smp, boot, lists) are not modelled.
 */
export function qomSetMachine(state: MachineState, prop: string, value: unknown): Checked<MachineState> {
  const name = machineTypeName(state);
  const fail = (error: QemuError) => ({ ok: false as const, error });
  const set = (v: unknown) => ({ ok: true as const, value: { ...state, machineProps: { ...state.machineProps, [prop]: v } } });
  if (prop === 'type') return fail(E.propertyNotWritable(name, prop));
  const classType = classProps(state).find(([n]) => n === prop)?.[1];
  const type = classType ?? (instanceProps(state).includes(prop) ? INSTANCE_TYPES[prop] : undefined);
  if (type === undefined) return fail(E.propertyNotFound(name, prop));
  const notModelled = () => {
    throw new ModelLimit(`qom-set of /machine property '${prop}' to ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  };
  if (type.startsWith('child<') || prop === 'smram') return fail(E.propertyNotWritable(name, prop));
  if (prop === 'device-memory-region-size') return fail(E.propertyNotWritable(name, prop));
  // An alias of the RTC's read-only date / of the realized PC speaker's audiodev.
  if (prop === 'rtc-time') return fail(E.propertyNotWritable('mc146818rtc', 'date'));
  if (prop === 'pcspk-audiodev') {
    return typeof value === 'string'
      ? fail(E.setAnonymousPropertyAfterRealize('audiodev', 'isa-pcspk'))
      : notModelled();
  }
  if (type.startsWith('link<')) {
    if (typeof value !== 'string') return notModelled();
    const current = qomGetMachine(state, prop);
    if (value === '' || (current.ok && current.value === value)) return set(value);
    if (!value.startsWith('/')) return notModelled();
    if (!resolvePathAt(state, { kind: 'root' }, value)) return fail(E.deviceNotFound(value));
    return notModelled();
  }
  switch (type) {
    case 'bool':
      return typeof value === 'boolean' ? set(value) : fail(E.invalidParameterType(prop, 'boolean'));
    case 'string':
    case 'str': {
      if (typeof value !== 'string') return fail(E.invalidParameterType(prop, 'string'));
      if (prop === 'x-oem-id' && bytes(value) > 6) return fail(E.oemIdTooLong('x-oem-id', 6));
      if (prop === 'x-oem-table-id' && bytes(value) > 8) return fail(E.oemIdTooLong('x-oem-table-id', 8));
      if (prop === 'memory-encryption') return value === '' ? notModelled() : fail(E.noMemoryEncryptionObject(value));
      if (prop === 'smbios-entry-point-type') {
        const allowed = state.config.qemu.version === '7.2' ? ['32', '64'] : ['32', '64', 'auto'];
        return allowed.includes(value) ? set(value) : fail(E.parameterValue(prop, value));
      }
      if (prop === 'nvdimm-persistence') {
        return ['cpu', 'mem-ctrl'].includes(value) ? set(value) : fail(E.nvdimmPersistence(value));
      }
      return set(value);
    }
    case 'OnOffAuto':
      if (typeof value !== 'string') return fail(E.invalidParameterType(prop, 'string'));
      return ON_OFF_AUTO.includes(value) ? set(value) : fail(E.parameterValue(prop, value));
    case 'int':
      return isInt(value) ? set(value) : notModelled();
    case 'uint64_t':
    case 'size': {
      if (!isInt(value) || BigInt(value) < 0n) return notModelled();
      const v = BigInt(value);
      if (prop === 'max-ram-below-4g' && v > 1n << 32n) {
        return fail(E.maxRamBelow4gTooBig(v));
      }
      if (prop === 'max-fw-size' && v > 16n << 20n) return notModelled();
      return set(value);
    }
    default:
      return notModelled();
  }
}
