// Domain XML → libvirt 9.0's domain definition (parse, post-parse, define-time validation), and the
// start-up step: libvirt's size alignment and the QEMU options the engine understands. Pure.
//
// What is modelled is the memory-hotplug part of a domain: <memory>, <currentMemory>, <maxMemory>,
// <vcpu>, <os><type machine=>, <features><acpi/>, <cpu><numa><cell>, and in <devices>: <emulator>,
// <memory model='dimm'>, <memballoon>, <controller type='usb'>. Elements that change nothing here are
// accepted (IGNORED); anything else is a ScenarioError naming the element, never silently dropped.

import { ScenarioError } from '../backends/types';
import { LE, type LibvirtError } from './errors';
import { memoryDeviceFromElement, type MemoryDeviceDef } from './device';
import { child, childrenNamed, DOMAIN_DOC, parseXml, xpathString } from './xml';
import { parseMemoryKiB, roundUp } from './scaled';
import { libvirtForQemu, libvirtVersion, pairedQemu, qemuMachineTypes, resolveMachineAlias, type LibvirtVersion, type QemuVersionName } from './versions';

export type MachineType = 'pc' | 'q35';

export interface NumaCell {
  readonly id: number;
  readonly cpus?: string;
  readonly memKiB: bigint;
}

export interface DomainDef {
  /** The libvirt version whose behaviour this definition follows (libvirt/versions/). */
  readonly libvirt: LibvirtVersion;
  /** The QEMU it runs on (its machine types; the engine version). */
  readonly qemu: QemuVersionName;
  readonly name: string;
  readonly virtType: 'qemu' | 'kvm';
  readonly emulator: string;
  /** Canonical machine name (`pc` → `pc-i440fx-7.2` on QEMU 7.2, `pc-i440fx-10.0` on 10.0). */
  readonly machine: string;
  readonly machineType: MachineType;
  readonly acpi: boolean;
  /** `<memory>`: initial memory + all memory devices, KiB. */
  readonly totalKiB: bigint;
  /** `<currentMemory>`, KiB. */
  readonly curBalloonKiB: bigint;
  /** `<maxMemory>` in KiB and its `slots`; both 0 when absent. */
  readonly maxMemoryKiB: bigint;
  readonly slots: number;
  readonly vcpus: number;
  readonly cells: readonly NumaCell[];
  /** Memory devices in definition order. */
  readonly mems: readonly MemoryDeviceDef[];
  /** `<memballoon model='virtio'>` (libvirt's default) vs `model='none'`. */
  readonly balloon: boolean;
  /** The default USB controller (`piix3-uhci` on pc, `qemu-xhci` on q35) vs `model='none'`. */
  readonly usb: boolean;
}

export type Defined = { readonly ok: true; readonly def: DomainDef } | { readonly ok: false; readonly error: LibvirtError };

const IGNORED_TOP = new Set(['uuid', 'title', 'description', 'metadata', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'pm', 'genid']);
const IGNORED_DEVICES = new Set(['emulator', 'input', 'audio', 'graphics', 'video', 'serial', 'console']);

interface MachineChoice {
  readonly type?: MachineType;
  readonly canonical: string;
  readonly exists: boolean;
}

/** The machine as libvirt resolves it on that QEMU: the alias' target, i440fx/q35 by name, and whether QEMU has it. */
function classifyMachine(name: string, qemu: QemuVersionName): MachineChoice {
  const canonical = resolveMachineAlias(name, qemu);
  const exists = qemuMachineTypes(qemu).has(canonical);
  if (canonical.startsWith('pc-q35-')) return { type: 'q35', canonical, exists };
  if (canonical.startsWith('pc-i440fx-')) return { type: 'pc', canonical, exists };
  // libvirt treats other `pc-<anything>` names as i440fx by name, but without a PCI bus; none exist in QEMU.
  return { canonical, exists: false };
}

function uintText(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^[ \t\n]*(\d+)$/.exec(text);
  return m && Number(m[1]) <= 0xffffffff ? Number(m[1]) : NaN;
}

function parseCpus(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const r = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!r) throw new ScenarioError(`cell cpus='${text}' is not modelled (only lists and ranges like 0-1,3)`);
    const a = Number(r[1]);
    const b = r[2] === undefined ? a : Number(r[2]);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

export interface DefineOptions {
  /** libvirt version (default: the QEMU version's pair; 9.0 when neither is given). */
  readonly libvirt?: LibvirtVersion | string;
  /** QEMU version (default: the libvirt version's own, 7.2 for 9.0 and 10.0 for 11.3). */
  readonly qemu?: string;
}

/** virDomainDefParseXML + post-parse + validation for `virsh define` (parse flags INACTIVE|ABI_UPDATE). */
export function defineDomain(xml: string, options: DefineOptions = {}): Defined {
  const libvirt = options.libvirt !== undefined ? libvirtVersion(options.libvirt) : libvirtForQemu(options.qemu);
  const qemu = pairedQemu(libvirt, options.qemu);
  const doc = parseXml(xml, DOMAIN_DOC, libvirt.xmlErrors);
  if (!doc.ok) return doc;
  const root = doc.root;
  if (root.name !== 'domain') return { ok: false, error: LE.rootElement('domain', root.name) };
  const type = root.attrs.type;
  if (type === undefined) return { ok: false, error: LE.missingAttr('type', 'domain') };
  if (type !== 'qemu' && type !== 'kvm') {
    throw new ScenarioError(`<domain type='${type}'> is not modelled (qemu or kvm)`);
  }
  for (const c of root.children) {
    if (!['name', 'memory', 'currentMemory', 'maxMemory', 'vcpu', 'os', 'features', 'cpu', 'devices'].includes(c.name) && !IGNORED_TOP.has(c.name)) {
      throw new ScenarioError(`domain element <${c.name}> is not modelled`);
    }
  }
  const name = xpathString(root, 'name');
  if (name === undefined) return { ok: false, error: LE.missingName() };

  const memEl = child(root, 'memory');
  const total = parseMemoryKiB(memEl && xpathString(root, 'memory'), memEl?.attrs.unit, './memory[1]', false);
  if (!total.ok) return total;
  const maxEl = child(root, 'maxMemory');
  const max = parseMemoryKiB(maxEl && xpathString(root, 'maxMemory'), maxEl?.attrs.unit, './maxMemory[1]', false);
  if (!max.ok) return max;
  const slots = uintText(maxEl?.attrs.slots);
  if (Number.isNaN(slots)) return { ok: false, error: LE.slotCountParse() };
  const curEl = child(root, 'currentMemory');
  const cur = parseMemoryKiB(curEl && xpathString(root, 'currentMemory'), curEl?.attrs.unit, './currentMemory[1]', false);
  if (!cur.ok) return cur;

  const vcpuText = xpathString(root, 'vcpu');
  const vcpus = vcpuText === undefined ? 1 : uintText(vcpuText);
  if (vcpus === undefined || Number.isNaN(vcpus) || vcpus === 0) throw new ScenarioError(`<vcpu>${vcpuText}</vcpu> is not modelled`);

  const os = child(root, 'os');
  const osType = os && child(os, 'type');
  if (!osType) throw new ScenarioError('a domain without <os><type> is not modelled');
  if (osType.text.trim() !== 'hvm') return { ok: false, error: LE.unknownOsType(osType.text.trim()) };
  if ((osType.attrs.arch ?? 'x86_64') !== 'x86_64') throw new ScenarioError(`arch '${osType.attrs.arch}' is not modelled (x86_64)`);
  for (const c of os!.children) if (c.name !== 'type' && c.name !== 'boot') throw new ScenarioError(`<os><${c.name}> is not modelled`);
  const machineChoice = classifyMachine(osType.attrs.machine ?? 'pc', qemu);

  const features = child(root, 'features');
  for (const f of features?.children ?? []) if (f.name !== 'acpi' && f.name !== 'apic' && f.name !== 'pae') throw new ScenarioError(`<features><${f.name}/> is not modelled`);
  const acpi = !!(features && child(features, 'acpi'));

  // <cpu><numa>
  const cells: NumaCell[] = [];
  const cpu = child(root, 'cpu');
  for (const c of cpu?.children ?? []) if (c.name !== 'numa') throw new ScenarioError(`<cpu><${c.name}> is not modelled`);
  const numa = cpu && child(cpu, 'numa');
  let numaCpuCount = 0;
  let numaMaxCpu = -1;
  if (numa) {
    const cellEls = childrenNamed(numa, 'cell');
    if (cellEls.length === 0) return { ok: false, error: LE.numaWithoutCells() };
    const byId: (NumaCell | undefined)[] = new Array(cellEls.length).fill(undefined);
    for (let i = 0; i < cellEls.length; i++) {
      const el = cellEls[i];
      const idText = el.attrs.id;
      const id = idText === undefined ? i : uintText(idText);
      if (id === undefined || Number.isNaN(id)) return { ok: false, error: LE.invalidAttrUInt('id', 'cell', idText!) };
      if (id >= cellEls.length) return { ok: false, error: LE.numaCellOrder() };
      if (byId[id]) return { ok: false, error: LE.numaCellDuplicate(id) };
      const cpus = el.attrs.cpus !== undefined ? parseCpus(el.attrs.cpus) : [];
      const mem = parseMemoryKiB(el.attrs.memory === '' ? undefined : el.attrs.memory, el.attrs.unit, './@memory', true);
      if (!mem.ok) return mem;
      for (const a of Object.keys(el.attrs)) if (!['id', 'cpus', 'memory', 'unit'].includes(a)) throw new ScenarioError(`<cell ${a}=...> is not modelled`);
      numaCpuCount += cpus.length;
      numaMaxCpu = Math.max(numaMaxCpu, ...cpus);
      byId[id] = { id, ...(el.attrs.cpus !== undefined ? { cpus: el.attrs.cpus } : {}), memKiB: mem.value! };
    }
    cells.push(...(byId as NumaCell[]));
    if (numaCpuCount > vcpus) return { ok: false, error: LE.numaCpusExceedVcpus() };
    if (numaMaxCpu >= vcpus) return { ok: false, error: LE.numaCpuIdsExceedVcpus() };
  }

  // <devices>
  const devices = child(root, 'devices');
  const mems: MemoryDeviceDef[] = [];
  let balloon = true;
  let usb = true;
  let emulator = '/usr/bin/qemu-system-x86_64';
  for (const d of devices?.children ?? []) {
    if (d.name === 'memory') {
      const m = memoryDeviceFromElement(d, false, libvirt);
      if (!m.ok) return m;
      mems.push(m.device);
    } else if (d.name === 'memballoon') {
      const model = d.attrs.model;
      if (model === undefined) return { ok: false, error: LE.missingAttr('model', 'memballoon') };
      if (model !== 'virtio' && model !== 'none') throw new ScenarioError(`<memballoon model='${model}'> is not modelled`);
      balloon = model === 'virtio';
    } else if (d.name === 'controller' && d.attrs.type === 'usb') {
      if (d.attrs.model !== 'none') throw new ScenarioError(`<controller type='usb' model='${d.attrs.model ?? ''}'> is not modelled (default or none)`);
      usb = false;
    } else if (d.name === 'emulator') {
      emulator = d.text.trim();
      if (emulator !== '/usr/bin/qemu-system-x86_64') throw new ScenarioError(`emulator '${emulator}' is not modelled`);
    } else if (!IGNORED_DEVICES.has(d.name)) {
      throw new ScenarioError(`device <${d.name}> is not modelled`);
    }
  }

  // --- post-parse: the driver's first (qemuDomainDefNumaAutoAdd), then memory (virDomainDefPostParseMemory with ABI_UPDATE) ---
  const maxKiB = max.value ?? 0n;
  const slotCount = slots ?? 0;
  if (libvirt.define.numaAutoAdd && cells.length === 0 && (maxKiB > 0n || slotCount > 0)) {
    // memory hotplug without <numa>: one node with what the memory devices leave of <memory>, and the
    // devices without a node on it
    let nodeKiB = total.value ?? 0n;
    for (const [i, m] of mems.entries()) {
      if (m.sizeKiB > nodeKiB) return { ok: false, error: LE.dimmsExceedTotal() };
      nodeKiB -= m.sizeKiB;
      if (m.targetNode === -1) mems[i] = { ...m, targetNode: 0 };
    }
    cells.push({ id: 0, cpus: vcpus === 1 ? '0' : `0-${vcpus - 1}`, memKiB: nodeKiB });
  }
  const numaKiB = cells.reduce((s, c) => s + c.memKiB, 0n);
  const hotplugKiB = mems.reduce((s, m) => s + m.sizeKiB, 0n);
  let totalKiB = total.value ?? 0n;
  if (numaKiB > 0n) totalKiB = numaKiB + hotplugKiB;
  else if (hotplugKiB > totalKiB) return { ok: false, error: LE.dimmsExceedTotal() };
  if (totalKiB - hotplugKiB === 0n) return { ok: false, error: LE.memorySizeMissing() };
  let curBalloonKiB = cur.value ?? 0n;
  if (curBalloonKiB > totalKiB || curBalloonKiB === 0n) curBalloonKiB = totalKiB;
  if (libvirt.define.maxMemoryNeedsSlots) {
    if ((maxKiB > 0n || slotCount > 0) && !(maxKiB > 0n && slotCount > 0)) return { ok: false, error: LE.maxMemoryAndSlots() };
  } else if (maxKiB === 0n && slotCount > 0) return { ok: false, error: LE.maxMemoryForSlots() };
  if (maxKiB > 0n && maxKiB < totalKiB) return { ok: false, error: LE.maxMemoryBelowMemory() };

  // --- address assignment: PCI (a machine libvirt does not know as i440fx/q35 has no PCI bus), dimm slots ---
  if (!machineChoice.type) return { ok: false, error: LE.noPciBuses() };
  let assigned = mems;
  if (maxKiB > 0n) {
    const slotMap = slotBitmap(mems, slotCount);
    const out: MemoryDeviceDef[] = [];
    for (const m of mems) {
      if (m.address?.type === 'dimm') {
        out.push(m);
        continue;
      }
      const free = slotMap.indexOf(false);
      if (free < 0) return { ok: false, error: LE.noEmptySlot() };
      slotMap[free] = true;
      out.push({ ...m, address: { type: 'dimm', slot: free, base: 0n } });
    }
    assigned = out;
  }

  const def: DomainDef = {
    libvirt, qemu, name, virtType: type, emulator, machine: machineChoice.canonical, machineType: machineChoice.type, acpi,
    totalKiB, curBalloonKiB, maxMemoryKiB: maxKiB, slots: slotCount, vcpus, cells, mems: assigned, balloon, usb,
  };

  // --- validation: qemuValidateDomainDef, then each device (virDomainMemoryDefValidate) ---
  if (!machineChoice.exists) return { ok: false, error: LE.machineNotSupported(emulator, machineChoice.canonical) };
  const hp = validateMemoryHotplug(def, undefined);
  if (hp) return { ok: false, error: hp };
  for (const m of def.mems) {
    const e = validateMemoryDevice(def, m);
    if (e) return { ok: false, error: e };
  }
  return { ok: true, def };
}

/** libvirt's slot bitmap (qemuDomainGetMemorySlotMap): slots of devices with a dimm address. */
export function slotBitmap(mems: readonly MemoryDeviceDef[], slots: number): boolean[] {
  const map = new Array<boolean>(slots).fill(false);
  for (const m of mems) if (m.address?.type === 'dimm' && m.address.slot < slots) map[m.address.slot] = true;
  return map;
}

/**
 * virDomainMemoryDefValidate (device validation: at define for each device, at attach against the live
 * definition): the target node against the guest's NUMA cells; from libvirt 11 also the clash with the
 * other devices (virDomainMemoryDefCheckConflict).
 */
export function validateMemoryDevice(def: DomainDef, mem: MemoryDeviceDef): LibvirtError | undefined {
  if (mem.targetNode !== -1) {
    if (def.cells.length === 0) return LE.noNumaForNode();
    if (mem.targetNode >= def.cells.length) return LE.nodeOutOfRange(mem.targetNode, def.cells.length);
  }
  if (def.libvirt.memory.conflicts === 'address-ranges') return addressRangeConflict(def, mem);
  return undefined;
}

/**
 * libvirt 11's clash check: the same slot as another dimm, else [base, base + size) overlapping another
 * device that has a base (devices without a base never clash by address).
 */
function addressRangeConflict(def: DomainDef, mem: MemoryDeviceDef): LibvirtError | undefined {
  const addr = mem.address?.type === 'dimm' ? mem.address : undefined;
  const start = addr?.base ?? 0n;
  if (!addr) return undefined;
  const end = start + mem.sizeKiB * 1024n;
  for (const o of def.mems) {
    if (o === mem) continue;
    const other = o.address?.type === 'dimm' ? o.address : undefined;
    if (other && addr.slot === other.slot) return LE.slotBusy(addr.slot);
    const oStart = other?.base ?? 0n;
    if (start === 0n || oStart === 0n) continue;
    const oEnd = oStart + o.sizeKiB * 1024n;
    if ((start <= oStart && end > oStart) || (oStart <= start && oEnd > start)) return LE.addressOverlap(start, end, oStart);
  }
  return undefined;
}

/** qemuDomainDefValidateMemoryHotplugDevice (dimm); 9.0 also checks the clash here (qemuCheckMemoryDimmConflict). */
function validateHotplugDevice(def: DomainDef, mem: MemoryDeviceDef, others: readonly MemoryDeviceDef[]): LibvirtError | undefined {
  const v = def.libvirt.memory;
  if (mem.address && mem.address.type !== 'dimm') return LE.onlyDimmAddresses();
  const nodeMissing = def.cells.length > 0 && mem.targetNode === -1;
  if (v.targetNodeCheck === 'before-address' && nodeMissing) return LE.targetNodeRequired();
  if (mem.address?.type === 'dimm') {
    if (mem.address.slot >= def.slots) return LE.slotExceeds(mem.address.slot, def.slots);
    if (v.conflicts === 'slot-then-base') {
      // per other device, slot first, then base
      for (const o of others) {
        if (o === mem || o.address?.type !== 'dimm') continue;
        if (mem.address.slot === o.address.slot) return LE.slotBusy(mem.address.slot);
        if (mem.address.base !== 0n && mem.address.base === o.address.base) return LE.baseBusy(mem.address.base);
      }
    }
  }
  if (v.targetNodeCheck === 'after-address' && nodeMissing) return LE.targetNodeRequired();
  return undefined;
}

/** qemuDomainDefValidateMemoryHotplug(def, mem): at define/start (mem undefined) and at hotplug. */
export function validateMemoryHotplug(def: DomainDef, mem: MemoryDeviceDef | undefined): LibvirtError | undefined {
  const v = def.libvirt.memory;
  let nmems = def.mems.length;
  let hotplugKiB = 0n;
  if (mem) {
    nmems++;
    hotplugKiB = mem.sizeKiB;
    const e = validateHotplugDevice(def, mem, def.mems);
    if (e) return e;
  }
  if (def.maxMemoryKiB === 0n && def.slots === 0) return nmems > 0 ? LE.noMaxMemory() : undefined;
  if (def.cells.length === 0) return LE.numaRequired();
  if (v.slotCount === 'device-count-first' && nmems > def.slots) return LE.countExceedsSlots(nmems, def.slots);
  for (const m of def.mems) {
    hotplugKiB += m.sizeKiB;
    if (!mem) {
      const e = validateHotplugDevice(def, m, def.mems);
      if (e) return e;
    }
  }
  // every memory device here is a dimm, and each needs a slot
  if (v.slotCount === 'slots-needed-last' && nmems > def.slots) return LE.slotsNeededExceedSlots(nmems, def.slots);
  const space = def.maxMemoryKiB - initialKiB(def);
  if (hotplugKiB > space) return LE.hotplugSpace();
  return undefined;
}

/** virDomainDefGetMemoryInitial: total minus the memory devices. */
export function initialKiB(def: DomainDef): bigint {
  return def.mems.reduce((s, m) => s - m.sizeKiB, def.totalKiB);
}

// ----------------------------------------------------------------------------------------------------
// Start-up

const MiB_KiB = 1024n;
const DIMM_ALIGN_KiB = 2048n;
const MAX_KiB = ((1n << 63n) - 1n) >> 10n;

export interface Started {
  readonly ok: true;
  /** The live definition: aligned sizes, aliases `dimm<slot>`, slots assigned. */
  readonly live: DomainDef;
  /** The QEMU options the engine understands (DESIGN's `machine:` syntax). */
  readonly qemuOptions: string;
  /** The options of libvirt's default devices that matter to its QMP (balloon, USB, PCIe root ports). */
  readonly deviceOptions: string;
}

/** qemuDomainAlignMemorySizes + qemuBuildCommandLine (the memory-relevant part). */
export function startDomain(def: DomainDef): Started | { readonly ok: false; readonly error: LibvirtError } {
  let initial = 0n;
  const cells = def.cells.map((c, i) => {
    const mem = roundUp(c.memKiB, MiB_KiB);
    initial += mem;
    if (mem > MAX_KiB) throw new ScenarioError(`memory size of NUMA node '${i}' overflowed after alignment`);
    return { ...c, memKiB: mem };
  });
  if (initial === 0n) initial = roundUp(initialKiB(def), MiB_KiB);
  if (initial > MAX_KiB) return { ok: false, error: LE.alignOverflow('initial memory size') };
  const maxMemoryKiB = roundUp(def.maxMemoryKiB, MiB_KiB);
  if (maxMemoryKiB > MAX_KiB) return { ok: false, error: LE.alignOverflow('maximum memory size') };
  const mems = def.mems.map((m) => {
    const sized = { ...m, sizeKiB: roundUp(m.sizeKiB, DIMM_ALIGN_KiB) };
    return m.address?.type === 'dimm' ? { ...sized, alias: `dimm${m.address.slot}` } : sized;
  });
  const hotplug = mems.reduce((s, m) => s + m.sizeKiB, 0n);
  const totalKiB = initial + hotplug;
  const live: DomainDef = { ...def, cells, maxMemoryKiB, mems, totalKiB, curBalloonKiB: totalKiB };
  return { ok: true, live, qemuOptions: qemuOptions(live, initial), deviceOptions: deviceOptions(live) };
}

function kib(v: bigint): string {
  if (v % (1024n * 1024n) === 0n) return `${v / (1024n * 1024n)}G`;
  if (v % 1024n === 0n) return `${v / 1024n}M`;
  return `${v}K`;
}

function qemuOptions(def: DomainDef, initial: bigint): string {
  const o: string[] = [];
  // `-M pc` / `-M q35` when libvirt resolved the alias (the engine resolves it the same way on that QEMU)
  const machine = def.machine === resolveMachineAlias(def.machineType, def.qemu) ? def.machineType : def.machine;
  o.push(`-M ${machine}${def.acpi ? '' : ',acpi=off'}`);
  o.push(`-accel ${def.virtType === 'kvm' ? 'kvm' : 'tcg'}`);
  o.push(`-m ${kib(initial)}${def.maxMemoryKiB > 0n ? `,slots=${def.slots},maxmem=${kib(def.maxMemoryKiB)}` : ''}`);
  for (const c of def.cells) {
    o.push(`-object memory-backend-ram,id=ram-node${c.id},size=${c.memKiB * 1024n}`);
    o.push(`-numa node,nodeid=${c.id},memdev=ram-node${c.id}`);
  }
  for (const m of def.mems) {
    if (m.address?.type !== 'dimm' || !m.alias) continue;
    o.push(`-object memory-backend-ram,id=mem${m.alias},size=${m.sizeKiB * 1024n}`);
    const node = m.targetNode >= 0 ? `,node=${m.targetNode}` : '';
    const addr = m.address.base !== 0n ? `,addr=${m.address.base}` : '';
    o.push(`-device pc-dimm${node},memdev=mem${m.alias},id=${m.alias},slot=${m.address.slot}${addr}`);
  }
  return o.join(' ');
}

/**
 * libvirt's default devices as QEMU options, as libvirt 9.0 writes them (ids, buses, addresses). On q35
 * each PCI device sits behind its own pcie-root-port, plus one spare root port (pci.1 ... pci.N+1).
 */
function deviceOptions(def: DomainDef): string {
  const o: string[] = [];
  const pci: [string, string][] = [];
  if (def.usb) pci.push(def.machineType === 'q35' ? ['qemu-xhci', 'usb'] : ['piix3-usb-uhci', 'usb']);
  if (def.balloon) pci.push(['virtio-balloon-pci', 'balloon0']);
  if (def.machineType === 'q35') {
    if (pci.length === 0) return '';
    for (let i = 1; i <= pci.length + 1; i++) {
      const fn = i - 1;
      o.push(`-device pcie-root-port,port=${7 + i},chassis=${i},id=pci.${i},bus=pcie.0${fn === 0 ? ',multifunction=on' : ''},addr=0x1${fn === 0 ? '' : `.0x${fn}`}`);
    }
    pci.forEach(([driver, id], i) => o.push(`-device ${driver},id=${id},bus=pci.${i + 1},addr=0x0`));
  } else {
    // pc: USB is function 2 of the PIIX3 (slot 1), the balloon takes the next free slot
    for (const [driver, id] of pci) o.push(`-device ${driver},id=${id},bus=pci.0,addr=${id === 'usb' ? '0x1.0x2' : '0x2'}`);
  }
  return o.join(' ');
}
