// Domain XML → libvirt 9.0's domain definition (parse, post-parse, define-time validation), and the
// start-up step: libvirt's size alignment and the QEMU options the engine understands. Pure.
//
// What is modelled is the memory-hotplug part of a domain: <memory>, <currentMemory>, <maxMemory>,
// <vcpu>, <os><type machine=>, <features><acpi/>, <cpu><numa><cell>, and in <devices>: <emulator>,
// <memory model='dimm'>, <memballoon>, <controller type='usb'>. Elements that change nothing here are
// accepted (IGNORED); anything else is a ScenarioError naming the element, never silently dropped.

import { ScenarioError } from '../backends/types';
import { LE, type LibvirtError } from './errors';
import { memoryDeviceFromElement, parseNodeset, type MemoryDeviceDef } from './device';
import { child, childrenNamed, DOMAIN_DOC, parseXml, xpathString, type XmlElement } from './xml';
import { parseMemoryKiB, roundUp } from './scaled';
import { deviceOptionText, domainDevices, type DeviceSet } from './devices';
import { memoryBackend, type BackendHost } from './memory-backend';
import { libvirtForQemu, libvirtVersion, pairedQemu, qemuMachineTypes, resolveMachineAlias, type LibvirtVersion, type QemuVersionName } from './versions';
import { RecentBy } from '../engine/recent';

export type { DomainDef, MachineType, NumaCell, NumaMode, Numatune } from './domain-def';
import type { CellMemoryAttrs, DomainDef, MachineType, MemoryBackingDef, NumaCell, NumaMode, Numatune } from './domain-def';

/** The host the referee recordings were made on: one NUMA node (0), no hugetlbfs mount (host facts, as data). */
export const REFEREE_HOST = { numaNodes: [0] as readonly number[], hugetlbfs: false } as const;

/** libvirt's backend host facts on the referee: no hugetlbfs mount, memory_backing_dir, the short name `1-NAME`. */
export function refereeBackendHost(name: string): BackendHost {
  return { hugetlbfs: new Map(), memoryBackingDir: '/var/lib/libvirt/qemu/ram', shortName: `1-${name}` };
}

/** host-nodes / policy of a memory backend for guest cell `cell` (qemuBuildMemoryBackendProps), or none. */
export function backendNumaProps(def: DomainDef, cell: number, sourceNodes?: readonly number[]): { hostNodes: readonly number[]; policy: string } | undefined {
  const memnode = def.numatune?.memnodes.find((m) => m.cellid === cell);
  const mode = memnode?.mode ?? def.numatune?.mode ?? 'strict';
  const nodes = sourceNodes ?? memnode?.nodeset ?? def.numatune?.nodeset;
  if (!nodes || mode === 'restrictive') return undefined;
  return { hostNodes: nodes, policy: mode === 'strict' ? 'bind' : mode };
}

export type Defined = { readonly ok: true; readonly def: DomainDef } | { readonly ok: false; readonly error: LibvirtError };

/** Top-level elements that change nothing QEMU shows a memory-hotplug scenario: carried as given. */
const IGNORED_TOP = new Set([
  'uuid', 'title', 'description', 'metadata', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'on_lockfailure', 'pm', 'genid',
  'iothreads', 'iothreadids', 'cputune', 'numatune', 'resource', 'sysinfo', 'seclabel', 'idmap', 'blkiotune', 'memtune',
  'keywrap', 'perf', 'vcpus', 'bootloader', 'bootloader_args',
]);
/** <features> children carried (their QEMU options touch no memory region of the model: vmport only drops an I/O port). */
const CARRIED_FEATURES = new Set(['acpi', 'apic', 'pae', 'vmport', 'hyperv', 'kvm', 'pmu', 'hap', 'privnet', 'viridian', 'ioapic', 'vmcoreinfo', 'htm', 'msrs', 'pvspinlock', 'gic']);
/** <os> children carried. */
const CARRIED_OS = new Set(['type', 'boot', 'bootmenu', 'smbios', 'bios']);
/** <cpu> children carried besides <numa>. */
const CARRIED_CPU = new Set(['numa', 'model', 'vendor', 'topology', 'feature', 'cache', 'maxphysaddr']);
/** <memoryBacking> children with no effect on what the model shows. */
const CARRIED_MEMORY_BACKING = new Set(['nosharepages', 'locked']);

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
  // A definition is a pure function of the text and the versions, and its result is never changed (the live
  // definition is derived by copies): the texts most recently defined are remembered (suites define the same
  // few domain files scenario after scenario). What throws (not modelled) is not remembered: it throws again.
  return defined.of(libvirt).get(qemu + '\n' + xml, () => defineFresh(xml, libvirt, qemu));
}

const defined = new RecentBy<LibvirtVersion, Defined>(64);

/** defineDomain without the remembered results (for the test that compares both). */
export function defineDomainFresh(xml: string, options: DefineOptions = {}): Defined {
  const libvirt = options.libvirt !== undefined ? libvirtVersion(options.libvirt) : libvirtForQemu(options.qemu);
  return defineFresh(xml, libvirt, pairedQemu(libvirt, options.qemu));
}

function defineFresh(xml: string, libvirt: LibvirtVersion, qemu: QemuVersionName): Defined {
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
    if (c.name === 'memoryBacking') {
      for (const b of c.children) if (!CARRIED_MEMORY_BACKING.has(b.name) && !['hugepages', 'source', 'access', 'discard', 'allocation'].includes(b.name)) throw new ScenarioError(`<memoryBacking><${b.name}> is not modelled`);
    } else if (!['name', 'memory', 'currentMemory', 'maxMemory', 'vcpu', 'os', 'features', 'cpu', 'devices'].includes(c.name) && !IGNORED_TOP.has(c.name)) {
      throw new ScenarioError(`domain element <${c.name}> is not modelled`);
    }
  }
  const carriedTop = root.children.filter((c) => IGNORED_TOP.has(c.name) || c.name === 'memoryBacking');
  const mb = child(root, 'memoryBacking');
  let memoryBacking: MemoryBackingDef | undefined;
  if (mb) {
    const hp = child(mb, 'hugepages');
    const hugepages = hp
      ? childrenNamed(hp, 'page').map((p) => {
          const size = p.attrs.size !== undefined ? parseMemoryKiB(p.attrs.size, p.attrs.unit, './@size', true) : undefined;
          if (size && !size.ok) throw new ScenarioError(`<hugepages><page size='${p.attrs.size}'> is not modelled`);
          const nodeset = p.attrs.nodeset !== undefined ? parseNodeset(p.attrs.nodeset) : undefined;
          if (p.attrs.nodeset !== undefined && !nodeset) throw new ScenarioError(`<hugepages><page nodeset='${p.attrs.nodeset}'> is not modelled`);
          return { ...(size?.ok ? { sizeKiB: size.value } : {}), ...(nodeset ? { nodeset } : {}) };
        })
      : undefined;
    const source = child(mb, 'source')?.attrs.type;
    if (source !== undefined && !['file', 'anonymous', 'memfd'].includes(source)) throw new ScenarioError(`<memoryBacking><source type='${source}'> is not modelled`);
    const access = child(mb, 'access')?.attrs.mode;
    if (access !== undefined && access !== 'shared' && access !== 'private') throw new ScenarioError(`<memoryBacking><access mode='${access}'> is not modelled`);
    memoryBacking = {
      ...(hugepages ? { hugepages } : {}), ...(source ? { source: source as 'file' } : {}), ...(access ? { access: access as 'shared' } : {}),
      ...(child(mb, 'discard') ? { discard: true } : {}), ...(child(mb, 'allocation')?.attrs.mode === 'immediate' ? { allocationImmediate: true } : {}),
    };
  }
  const name = xpathString(root, 'name');
  if (name === undefined) return { ok: false, error: LE.missingName() };

  const memEl = child(root, 'memory');
  // dumpCore decides -machine dump-guest-core (libvirt writes =off without it)
  if (memEl?.attrs.dumpCore !== undefined) throw new ScenarioError(`<memory dumpCore='${memEl.attrs.dumpCore}'> is not modelled`);
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
  // i686 guests run on the same pc/q35 boards (qemu-system-i386; libvirt's own test inputs use it)
  const arch = osType.attrs.arch ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'i686') throw new ScenarioError(`arch '${arch}' is not modelled (x86_64, i686)`);
  for (const c of os!.children) if (!CARRIED_OS.has(c.name)) throw new ScenarioError(`<os><${c.name}> is not modelled`);
  if (os!.attrs.firmware !== undefined) throw new ScenarioError(`<os firmware='${os!.attrs.firmware}'> is not modelled`);
  const machineChoice = classifyMachine(osType.attrs.machine ?? 'pc', qemu);

  const features = child(root, 'features');
  for (const f of features?.children ?? []) {
    if (f.name === 'smm' && (f.attrs.state ?? 'on') === 'on') continue;
    if (!CARRIED_FEATURES.has(f.name)) throw new ScenarioError(`<features><${f.name}/> is not modelled`);
  }
  const acpi = !!(features && child(features, 'acpi'));

  // <cpu><numa>
  const cells: NumaCell[] = [];
  const cpu = child(root, 'cpu');
  for (const c of cpu?.children ?? []) if (!CARRIED_CPU.has(c.name)) throw new ScenarioError(`<cpu><${c.name}> is not modelled`);
  if (cpu?.attrs.mode !== undefined && cpu.attrs.mode !== 'custom') throw new ScenarioError(`<cpu mode='${cpu.attrs.mode}'> is not modelled under TCG (custom)`);
  const topoEl = cpu && child(cpu, 'topology');
  let topology: DomainDef['topology'];
  if (topoEl) {
    for (const a of Object.keys(topoEl.attrs)) if (!['sockets', 'dies', 'clusters', 'cores', 'threads'].includes(a)) throw new ScenarioError(`<topology ${a}=...> is not modelled`);
    const n = (a: string) => (topoEl.attrs[a] === undefined ? 1 : uintText(topoEl.attrs[a]));
    const [sockets, dies, clusters, cores, threads] = ['sockets', 'dies', 'clusters', 'cores', 'threads'].map(n);
    if ([sockets, cores, threads].some((v) => v === undefined || Number.isNaN(v) || v === 0) || dies !== 1 || clusters !== 1) throw new ScenarioError(`<topology> with more than one die or cluster (or zero values) is not modelled`);
    if (sockets! * cores! * threads! !== vcpus) throw new ScenarioError(`a <topology> whose product is not the <vcpu> count is not modelled`);
    topology = { sockets: sockets!, cores: cores!, threads: threads! };
  }
  const numa = cpu && child(cpu, 'numa');
  const cellAttrs: CellMemoryAttrs[] = [];
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
      // virDomainNumaDefParseXML: a cell's vCPUs against every earlier cell's (both 9.0 and 11.3)
      for (let j = 0; j < i; j++) {
        const other = cellEls[j].attrs.cpus;
        if (other !== undefined && parseCpus(other).some((c) => cpus.includes(c))) return { ok: false, error: LE.numaCpusOverlap(id, j) };
      }
      const mem = parseMemoryKiB(el.attrs.memory === '' ? undefined : el.attrs.memory, el.attrs.unit, './@memory', true);
      if (!mem.ok) return mem;
      for (const a of Object.keys(el.attrs)) if (!['id', 'cpus', 'memory', 'unit', 'memAccess', 'discard'].includes(a)) throw new ScenarioError(`<cell ${a}=...> is not modelled`);
      const memAccess = el.attrs.memAccess;
      if (memAccess !== undefined && memAccess !== 'shared' && memAccess !== 'private') return { ok: false, error: LE.invalidAttrEnum('memAccess', 'cell', memAccess) };
      const discard = el.attrs.discard;
      if (discard !== undefined && discard !== 'yes' && discard !== 'no') return { ok: false, error: LE.invalidAttrEnum('discard', 'cell', discard) };
      cellAttrs[id] = { ...(memAccess ? { memAccess: memAccess as 'shared' } : {}), ...(discard ? { discard: discard === 'yes' } : {}) };
      for (const c of el.children) throw new ScenarioError(`<cell><${c.name}> is not modelled`);
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
  let emulator = '/usr/bin/qemu-system-x86_64';
  const others: XmlElement[] = [];
  for (const d of devices?.children ?? []) {
    if (d.name === 'memory') {
      const m = memoryDeviceFromElement(d, false, libvirt);
      if (m.ok && m.device.userAlias) throw new ScenarioError('a user alias (ua-...) on a cold-plugged DIMM is not modelled');
      if (!m.ok) return m;
      mems.push(m.device);
    } else if (d.name === 'emulator') {
      emulator = d.text.trim();
      if (emulator !== '/usr/bin/qemu-system-x86_64' && !(arch === 'i686' && emulator === '/usr/bin/qemu-system-i386')) throw new ScenarioError(`emulator '${emulator}' is not modelled`);
    } else {
      others.push(d);
    }
  }
  const clock = child(root, 'clock');
  for (const t of clock ? childrenNamed(clock, 'timer') : []) {
    if (!['rtc', 'pit', 'hpet', 'kvmclock', 'hypervclock', 'tsc'].includes(t.attrs.name ?? '')) throw new ScenarioError(`<clock><timer name='${t.attrs.name ?? ''}'> is not modelled`);
  }
  let numatune: Numatune | undefined;
  const nt = child(root, 'numatune');
  if (nt) {
    const modes = ['strict', 'preferred', 'interleave', 'restrictive'];
    const mem = child(nt, 'memory');
    if (mem && (mem.attrs.placement ?? 'static') !== 'static') throw new ScenarioError(`<numatune><memory placement='${mem.attrs.placement}'> is not modelled (static)`);
    if (mem?.attrs.mode && !modes.includes(mem.attrs.mode)) throw new ScenarioError(`<numatune><memory mode='${mem.attrs.mode}'> is not modelled`);
    const nodeset = mem?.attrs.nodeset !== undefined ? parseNodeset(mem.attrs.nodeset) : undefined;
    if (mem?.attrs.nodeset !== undefined && !nodeset) throw new ScenarioError(`<numatune><memory nodeset='${mem.attrs.nodeset}'> is not modelled`);
    const memnodes = childrenNamed(nt, 'memnode').map((m) => {
      const ns = parseNodeset(m.attrs.nodeset ?? '');
      if (!ns || m.attrs.cellid === undefined) throw new ScenarioError(`<memnode cellid='${m.attrs.cellid ?? ''}' nodeset='${m.attrs.nodeset ?? ''}'> is not modelled`);
      return { cellid: Number(m.attrs.cellid), mode: (m.attrs.mode ?? 'strict') as NumaMode, nodeset: ns };
    });
    for (const c of nt.children) if (c.name !== 'memory' && c.name !== 'memnode') throw new ScenarioError(`<numatune><${c.name}> is not modelled`);
    numatune = { ...(mem?.attrs.mode ? { mode: mem.attrs.mode as NumaMode } : {}), ...(nodeset ? { nodeset } : {}), memnodes };
  }
  const hpet = !(clock && childrenNamed(clock, 'timer').some((t) => t.attrs.name === 'hpet' && t.attrs.present === 'no'));
  let deviceSet: DeviceSet | undefined;
  if (machineChoice.type) {
    const ds = domainDevices(others, machineChoice.type, hpet);
    if (!ds.ok) return ds;
    deviceSet = ds.set;
  }
  const balloon = deviceSet?.balloon ?? true;
  const usb = deviceSet?.usb ?? true;

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
    totalKiB, curBalloonKiB, maxMemoryKiB: maxKiB, slots: slotCount, vcpus, ...(topology ? { topology } : {}), cells, mems: assigned, balloon, usb,
    ...(deviceSet ? { devices: deviceSet } : {}), ...(numatune ? { numatune } : {}), carriedTop,
    ...(memoryBacking ? { memoryBacking } : {}), ...(cellAttrs.some((a) => a && Object.keys(a).length > 0) ? { cellAttrs } : {}), ...(arch !== 'x86_64' ? { arch: arch as 'i686' } : {}), osEl: os!, ...(features ? { featuresEl: features } : {}), ...(cpu ? { cpuEl: cpu } : {}),
  };

  // --- validation: qemuValidateDomainDef, then each device (virDomainMemoryDefValidate) ---
  if (!machineChoice.exists) return { ok: false, error: LE.machineNotSupported(emulator, machineChoice.canonical) };
  const hp = validateMemoryHotplug(def, undefined);
  if (hp) return { ok: false, error: hp };
  // device validation against what the QEMU offers: videos are iterated before graphics
  const lacks = libvirt.qemuLacks;
  for (const v of childrenNamed(devices ?? { name: 'devices', attrs: {}, children: [], text: '' }, 'video')) {
    const model = child(v, 'model')?.attrs.type;
    if (model && lacks.videoModels.includes(model)) return { ok: false, error: LE.videoModelUnsupported(model) };
  }
  for (const w of childrenNamed(devices ?? { name: 'devices', attrs: {}, children: [], text: '' }, 'watchdog')) {
    if (machineChoice.type === 'q35' && libvirt.watchdogRefused.q35.includes(w.attrs.model ?? '')) return { ok: false, error: LE.watchdogMachine(w.attrs.model!) };
  }
  for (const g of childrenNamed(devices ?? { name: 'devices', attrs: {}, children: [], text: '' }, 'graphics')) {
    if (g.attrs.type && lacks.graphics.includes(g.attrs.type)) return { ok: false, error: LE.graphicsUnsupported(g.attrs.type) };
  }
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
  /** The options of libvirt's other devices (controllers, disks, NICs, balloon, ...), in its order. */
  readonly deviceOptions: string;
  /** The whole command line in libvirt's order: machine and memory, controllers, memory devices, other devices. */
  readonly commandLine: string;
}

/** qemuDomainAlignMemorySizes: the definition QEMU is started from (sizes aligned, DIMM aliases), host-independent. */
export function alignForStart(def: DomainDef): { readonly ok: true; readonly live: DomainDef; readonly initialKiB: bigint } | { readonly ok: false; readonly error: LibvirtError } {
  let initial = 0n;
  const cells = def.cells.map((c, i) => {
    const mem = roundUp(c.memKiB, MiB_KiB);
    initial += mem;
    return { ...c, memKiB: mem };
  });
  const overflowed = cells.findIndex((c) => c.memKiB > MAX_KiB);
  if (overflowed >= 0) return { ok: false, error: LE.alignOverflow(`memory size of NUMA node '${overflowed}'`) };
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
  return { ok: true, live: { ...def, cells, maxMemoryKiB, mems, totalKiB, curBalloonKiB: totalKiB }, initialKiB: initial };
}

/** qemuDomainAlignMemorySizes + qemuBuildCommandLine (the memory-relevant part) on the referee host. */
export function startDomain(def: DomainDef): Started | { readonly ok: false; readonly error: LibvirtError } {
  // Pure in the definition, which is never changed: remembered per definition object (a remembered
  // definition starts again and again).
  const known = startedOf.get(def);
  if (known) return known;
  const s = startDomainFresh(def);
  startedOf.set(def, s);
  return s;
}
const startedOf = new WeakMap<DomainDef, Started | { readonly ok: false; readonly error: LibvirtError }>();

/** startDomain without the remembered results (for the test that compares both). */
export function startDomainFresh(def: DomainDef): Started | { readonly ok: false; readonly error: LibvirtError } {
  const aligned = alignForStart(def);
  if (!aligned.ok) return aligned;
  const { cells, mems } = aligned.live;
  const initial = aligned.initialKiB;
  if (def.devices?.usesNetworkDriver) return { ok: false, error: LE.noNetworkDriver() };
  // qemuProcessPrepareDomain checks <numatune>'s host nodes; building each backend checks hugetlbfs, then the
  // DIMM's own <nodemask> (the referee host: node 0 only, no hugetlbfs mount).
  const tuneNodes = [...(def.numatune?.nodeset ?? []), ...(def.numatune?.memnodes.flatMap((m) => m.nodeset) ?? [])];
  const missing = tuneNodes.find((n) => !REFEREE_HOST.numaNodes.includes(n));
  if (missing !== undefined) return { ok: false, error: LE.hostNodeUnavailable(missing) };
  const host = refereeBackendHost(def.name);
  const backends: { id: string; alias: string; cell: number; sizeBytes: bigint; dimm?: MemoryDeviceDef }[] = [
    ...cells.map((c) => ({ id: `ram-node${c.id}`, alias: `ram-node${c.id}`, cell: c.id, sizeBytes: c.memKiB * 1024n })),
    ...mems.map((m) => ({ id: `mem${m.alias ?? ''}`, alias: m.alias ?? '', cell: m.targetNode, sizeBytes: m.sizeKiB * 1024n, dimm: m })),
  ];
  for (const b of backends) {
    const r = memoryBackend(def, b, host);
    if (!r.ok) return { ok: false, error: LE.noHugetlbfs() };
    const bad = b.dimm?.sourceNodes?.find((n) => !REFEREE_HOST.numaNodes.includes(n));
    if (bad !== undefined) return { ok: false, error: LE.hostNodeUnavailable(bad) };
    if (r.backend.threadContext) throw new ScenarioError(`${b.id}: a thread-context for preallocation (prealloc-context) is not modelled`);
  }
  if (cells.length === 0 && def.memoryBacking && (def.memoryBacking.hugepages || def.memoryBacking.access || def.memoryBacking.source === 'file' || def.memoryBacking.source === 'memfd' || def.memoryBacking.discard)) {
    const r = memoryBackend(def, { id: 'pc.ram', alias: 'pc.ram', cell: -1, sizeBytes: initial * 1024n }, host);
    if (!r.ok) return { ok: false, error: LE.noHugetlbfs() };
    throw new ScenarioError(`pc.ram: a ${r.backend.qomType} main RAM is not modelled by the engine`);
  }
  const live = aligned.live;
  const base = qemuOptions(live, initial);
  const dimms = dimmOptions(live);
  const ctl = (live.devices?.controllers ?? []).map(deviceOptionText);
  const rest = (live.devices?.others ?? []).map(deviceOptionText);
  const audio = (live.devices?.audiodevs ?? []).map((id) => `-audiodev none,id=${id}`);
  // libvirt's master key (qemuBuildMasterKeyCommandLine): the first -object, a child of /objects (here inline data
  // stands in for its key file under the domain's private directory)
  const commandLine = [MASTER_KEY, base, ...audio, ...ctl, ...dimms, ...rest].join(' ');
  // qemuOptions(live, initial, true) and deviceOptions(live), from the parts made above (made once, not again)
  return { ok: true, live, qemuOptions: [base, ...dimms].join(' '), deviceOptions: live.devices ? [...audio, ...ctl, ...rest].join(' ') : '', commandLine };
}

const MASTER_KEY = '-object secret,id=masterKey0,format=raw,data=bWFzdGVyS2V5MA==';

function kib(v: bigint): string {
  if (v % (1024n * 1024n) === 0n) return `${v / (1024n * 1024n)}G`;
  if (v % 1024n === 0n) return `${v / 1024n}M`;
  return `${v}K`;
}

/** A backend as the engine's keyval `-object` text (libvirt's properties in its order). */
function backendKeyval(def: DomainDef, what: { id: string; alias: string; cell: number; sizeBytes: bigint; dimm?: MemoryDeviceDef }): string {
  const r = memoryBackend(def, what, refereeBackendHost(def.name));
  if (!r.ok) throw new ScenarioError(`${what.id}: ${r.reason}`);
  const parts: string[] = [];
  for (const [k, v] of r.backend.props) {
    if (k === 'qom-type') parts.unshift(String(v));
    else if (Array.isArray(v)) for (const n of v) parts.push(`${k}=${n}`);
    else if (typeof v === 'boolean') parts.push(`${k}=${v ? 'on' : 'off'}`);
    else parts.push(`${k}=${v}`);
  }
  return `-object ${parts.join(',')}`;
}

/**
 * qemuBuildNumaCommandLine: the cells as legacy `-numa node,mem=MiB` (no backend objects; the main RAM stays the
 * plain pc.ram) when the machine type still accepts it (numa_mem_supported: pc/q35 up to 5.0) and no cell needs
 * a backend of its own (each would be a bare memory-backend-ram: no file/memfd, access, discard, binding, prealloc).
 */
function legacyNumaMem(def: DomainDef): boolean {
  const m = /-(\d+)\.(\d+)(?:\.\d+)?$/.exec(def.machine);
  if (!m || Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) > 0)) return false;
  return def.cells.every((c) => {
    if (c.memKiB % 1024n !== 0n) return false;
    const r = memoryBackend(def, { id: `ram-node${c.id}`, alias: `ram-node${c.id}`, cell: c.id, sizeBytes: c.memKiB * 1024n }, refereeBackendHost(def.name));
    return r.ok && r.backend.qomType === 'memory-backend-ram' && !r.backend.threadContext && r.backend.props.every(([k]) => k === 'qom-type' || k === 'id' || k === 'size');
  });
}

/** A cell's vCPUs as QEMU's repeatable `cpus=A[-B]` (libvirt: one per run of the cell's cpuset). */
function cellCpus(c: NumaCell): string {
  if (c.cpus === undefined) return '';
  const ids = [...new Set(parseCpus(c.cpus))].sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out += `,cpus=${ids[i]}${j > i ? `-${ids[j]}` : ''}`;
    i = j + 1;
  }
  return out;
}

/** The options before the devices: -M, -accel, -smp, -m and the NUMA cells (the DIMMs' follow: dimmOptions). */
function qemuOptions(def: DomainDef, initial: bigint): string {
  const o: string[] = [];
  // `-M pc` / `-M q35` when libvirt resolved the alias (the engine resolves it the same way on that QEMU)
  const machine = def.machine === resolveMachineAlias(def.machineType, def.qemu) ? def.machineType : def.machine;
  // <timer name='hpet' present='no'/>: 9.0 writes QEMU 7.2's -no-hpet, 11.3 the machine's hpet property (QEMU 10.0 has no -no-hpet)
  const noHpet = def.devices !== undefined && !def.devices.hpet;
  const mo = def.libvirt.machineOption;
  const props = ['usb=off', 'dump-guest-core=off', ...(noHpet && mo.hpet === 'machine-property' ? ['hpet=off'] : []), ...(def.acpi ? (mo.acpiOn ? ['acpi=on'] : []) : ['acpi=off'])];
  o.push(`-M ${machine},${props.join(',')}`);
  o.push(`-accel ${def.virtType === 'kvm' ? 'kvm' : 'tcg'}`);
  if (noHpet && mo.hpet === 'no-hpet') o.push('-no-hpet');
  // qemuBuildSmpCommandLine: `-smp N,sockets=,cores=,threads=` (every vCPU a socket without <topology>)
  if (def.vcpus > 1) {
    const t = def.topology ?? { sockets: def.vcpus, cores: 1, threads: 1 };
    o.push(`-smp ${def.vcpus},sockets=${t.sockets},cores=${t.cores},threads=${t.threads}`);
  }
  o.push(`-m ${kib(initial)}${def.maxMemoryKiB > 0n ? `,slots=${def.slots},maxmem=${kib(def.maxMemoryKiB)}` : ''}`);
  const legacy = legacyNumaMem(def);
  for (const c of def.cells) {
    if (legacy) {
      o.push(`-numa node,nodeid=${c.id}${cellCpus(c)},mem=${c.memKiB / 1024n}`);
      continue;
    }
    o.push(backendKeyval(def, { id: `ram-node${c.id}`, alias: `ram-node${c.id}`, cell: c.id, sizeBytes: c.memKiB * 1024n }));
    o.push(`-numa node,nodeid=${c.id}${cellCpus(c)},memdev=ram-node${c.id}`);
  }
  return o.join(' ');
}

function dimmOptions(def: DomainDef): string[] {
  const o: string[] = [];
  for (const m of def.mems) {
    if (m.address?.type !== 'dimm' || !m.alias) continue;
    o.push(backendKeyval(def, { id: `mem${m.alias}`, alias: m.alias, cell: m.targetNode, sizeBytes: m.sizeKiB * 1024n, dimm: m }));
    const node = m.targetNode >= 0 ? `,node=${m.targetNode}` : '';
    const addr = m.address.base !== 0n ? `,addr=${m.address.base}` : '';
    o.push(`-device pc-dimm${node},memdev=mem${m.alias},id=${m.alias},slot=${m.address.slot}${addr}`);
  }
  return o;
}

