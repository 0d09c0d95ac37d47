// The non-memory devices of a domain (`<devices>`): what libvirt 9.0 does with the XML virt-install,
// virt-manager, Nova and `virsh dumpxml` write. Pure.
//
// For each device: its alias (qemuAssignDeviceAliases), libvirt's PCI address (qemuDomainAssignPCIAddresses:
// explicit addresses are kept, the rest are assigned in libvirt's order: PCI controllers, nets, sounds,
// controllers, virtio disks, balloon, rngs, watchdog, other videos, virtio inputs; on q35 every PCIe device
// gets its own pcie-root-port and conventional PCI devices go behind a pcie-to-pci-bridge, plus one spare
// root port), and the `-device` option QEMU sees, in libvirt's command-line order (controllers, then memory
// devices, then disks, nets, serials, channels, consoles, inputs, videos, sounds, watchdog, balloon, rng).
// What QEMU shows of them (QOM child of /machine/peripheral, bus-master address space, legacy VGA window,
// ISA ports) is the engine's business (engine/config/types.ts PASSIVE_DEVICES).
//
// Elements that change nothing QEMU shows to a memory-hotplug scenario are carried (graphics, audio, ps2
// inputs, consoles on a serial port...). Anything neither modelled nor carried is refused naming the element.

import { ScenarioError } from '../backends/types';
import { LE, type LibvirtError } from './errors';
import { child, childrenNamed, type XmlElement } from './xml';

export type MachineKind = 'pc' | 'q35';

export interface PciAddress {
  readonly bus: number;
  readonly slot: number;
  readonly fn: number;
  readonly multifunction?: boolean;
}

/** One `-device` libvirt puts on the command line (only what the model needs: driver, id, bus, address). */
export interface QemuDevice {
  readonly driver: string;
  readonly id?: string;
  readonly bus?: string;
  readonly addr?: PciAddress;
  /** Other properties (pcie-root-port: port, chassis; drives: unit...). */
  readonly props?: readonly (readonly [string, string])[];
  /** A block node the device needs (a null-co node stands in for the image). */
  readonly blockdev?: string;
  /** A character device it needs (a null chardev stands in for libvirt's spicevmc one). */
  readonly chardev?: string;
  /** An object it needs, as `-object` text before it (an <rng>'s backend). */
  readonly object?: string;
}

export interface DeviceSet {
  /** Controllers' -device options (before the memory devices on libvirt's command line). */
  readonly controllers: readonly QemuDevice[];
  /** Everything after the memory devices. */
  readonly others: readonly QemuDevice[];
  /** `<memballoon model='virtio'>` present. */
  readonly balloon: boolean;
  /** The default USB controller is there (not model='none'). */
  readonly usb: boolean;
  /** `<timer name='hpet' present='no'/>` → -no-hpet (libvirt 9.0) / `-machine ...,hpet=off` (11.3). */
  readonly hpet: boolean;
  /**
   * The audio backends the sound devices use (`audio1` for `<audio id='1'/>`, libvirt's implicit one when
   * none is given): `-audiodev none,id=...` (the backend's own type changes nothing QEMU shows a hotplug
   * scenario; QEMU 10.0 has no default backend, so a sound device needs one).
   */
  readonly audiodevs: readonly string[];
  /** Device elements other than `<memory>`, `<emulator>`, as given (for the printed XML). */
  readonly carried: readonly XmlElement[];
  /** An `<interface type='network'>`: starting needs libvirt's network driver. */
  readonly usesNetworkDriver: boolean;
}

export type DevicesResult = { readonly ok: true; readonly set: DeviceSet } | { readonly ok: false; readonly error: LibvirtError };

/** Elements of `<devices>` that produce no QEMU device the model could observe. */
const CARRIED = new Set(['graphics', 'audio', 'hub']);
const CODEC_DRIVER: Readonly<Record<string, string>> = { duplex: 'hda-duplex', micro: 'hda-micro', output: 'hda-output' };
const REFUSED = new Set(['hostdev', 'filesystem', 'tpm', 'smartcard', 'redirfilter', 'shmem', 'vsock', 'iommu', 'lease', 'nvram', 'parallel', 'crypto']);

// ---------------------------------------------------------------------------------------------- parsing

interface Slotted {
  readonly alias: string;
  readonly driver: string;
  /** How it connects: 'pcie' needs a PCIe (root-port) slot, 'pci' a conventional one, 'fixed' a given slot. */
  readonly connect: 'pcie' | 'pci';
  addr?: PciAddress;
  readonly order: number;
  /** Assignment phase (libvirt's order in qemuDomainAssignDevicePCISlots). */
  readonly phase: number;
  props?: (readonly [string, string])[];
  bus?: string;
  readonly emitGroup: number;
}

const PHASE = { pciController: 0, net: 1, sound: 2, controller: 3, disk: 4, balloon: 5, rng: 6, watchdog: 7, video: 8, input: 9 } as const;
/** Emission order on libvirt's command line (after the memory devices). */
const EMIT = { controller: 0, disk: 1, net: 2, serial: 3, channel: 4, console: 5, input: 6, video: 7, sound: 8, watchdog: 9, balloon: 10, rng: 11 } as const;

function hexOrDec(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  return Number.isNaN(n) ? undefined : n;
}

/** A device's `<address type='pci'>`, or undefined; other address types are returned as 'other'. */
function pciAddress(el: XmlElement): PciAddress | 'other' | undefined {
  const a = child(el, 'address');
  if (!a) return undefined;
  if (a.attrs.type !== 'pci') return 'other';
  const dom = hexOrDec(a.attrs.domain ?? '0');
  const bus = hexOrDec(a.attrs.bus ?? '0');
  const slot = hexOrDec(a.attrs.slot ?? '0');
  const fn = hexOrDec(a.attrs.function ?? '0');
  if (dom !== 0 || bus === undefined || slot === undefined || fn === undefined || slot > 31 || fn > 7) {
    throw new ScenarioError(`<${el.name}><address type='pci' ...> with domain/bus/slot/function ${JSON.stringify(a.attrs)} is not modelled`);
  }
  return { bus, slot, fn, ...(a.attrs.multifunction === 'on' ? { multifunction: true } : {}) };
}

/** `sda` → 0, `vdb` → 1, `hdc` → 2, `sdaa` → 26 (virDiskNameToIndex). */
function diskIndex(dev: string): number {
  const m = /^(?:[shv]d|xvd|ubd)([a-z]+)$/.exec(dev);
  if (!m) throw new ScenarioError(`disk target dev='${dev}' is not modelled`);
  let idx = 0;
  for (const ch of m[1]) idx = idx * 26 + (ch.charCodeAt(0) - 96);
  return idx - 1;
}

interface Controller {
  readonly type: string;
  readonly index: number;
  readonly model?: string;
  readonly el?: XmlElement;
  readonly master?: boolean;
  readonly addr?: PciAddress;
}

/** libvirt's controllers list insertion (virDomainControllerInsertPreAlloced): grouped by type, by index. */
function insertController(list: Controller[], c: Controller): void {
  let at = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    const cur = list[i];
    if (cur.type !== c.type) continue;
    if (cur.index > c.index) at = i;
    else if (!c.master && cur.master && cur.index === c.index) at = i;
    else if (at === -1) {
      at = i + 1;
      break;
    }
  }
  if (at === -1) list.push(c);
  else list.splice(at, 0, c);
}

const USB_DRIVER: Readonly<Record<string, string>> = {
  'piix3-uhci': 'piix3-usb-uhci', 'piix4-uhci': 'piix4-usb-uhci', 'qemu-xhci': 'qemu-xhci', 'nec-xhci': 'nec-usb-xhci',
  ehci: 'usb-ehci', 'ich9-ehci1': 'ich9-usb-ehci1', 'ich9-uhci1': 'ich9-usb-uhci1', 'ich9-uhci2': 'ich9-usb-uhci2', 'ich9-uhci3': 'ich9-usb-uhci3',
};
const PCIE_DRIVERS = new Set([
  'qemu-xhci', 'nec-usb-xhci', 'virtio-scsi-pci', 'virtio-serial-pci', 'virtio-blk-pci', 'virtio-net-pci', 'e1000e', 'virtio-balloon-pci',
  'virtio-rng-pci', 'virtio-keyboard-pci', 'virtio-mouse-pci', 'virtio-tablet-pci', 'virtio-gpu-pci', 'virtio-vga', 'ich9-ahci', 'bochs-display',
]);
const NET_DRIVER: Readonly<Record<string, string>> = { virtio: 'virtio-net-pci', e1000: 'e1000', e1000e: 'e1000e', rtl8139: 'rtl8139' };
const SOUND_DRIVER: Readonly<Record<string, string>> = { ich6: 'intel-hda', ich9: 'ich9-intel-hda', ac97: 'AC97' };
const VIDEO_DRIVER: Readonly<Record<string, [string, string]>> = {
  vga: ['VGA', 'VGA'], cirrus: ['cirrus-vga', 'cirrus-vga'], qxl: ['qxl-vga', 'qxl'], virtio: ['virtio-vga', 'virtio-gpu-pci'], bochs: ['bochs-display', 'bochs-display'],
};
/**
 * Interface types: `user` (slirp) is modelled; `network` needs libvirt's network driver, which the referee's
 * private libvirtd does not load, so start fails there (NETWORK_DRIVER_MISSING); bridge/ethernet/direct depend on
 * the host's devices and are not modelled.
 */
const NET_TYPES = new Set(['user', 'network', 'ethernet']);
const CHR_SOURCES = new Set(['pty', 'unix', 'null', 'file', 'tcp', 'udp', 'vc', 'stdio', 'spicevmc', 'dev', 'pipe', 'spiceport', 'qemu-vdagent']);

/** Parse `<devices>` (without `<memory>` and `<emulator>`), add libvirt's defaults, assign aliases and PCI addresses. */
export function domainDevices(devices: readonly XmlElement[], machine: MachineKind, hpet: boolean): DevicesResult {
  const q35 = machine === 'q35';
  const controllers: Controller[] = [];
  const disks: { el: XmlElement; bus: string; device: string; dev: string; idx: number; addr?: PciAddress }[] = [];
  const nets: { driver: string; addr?: PciAddress }[] = [];
  let usesNetworkDriver = false;
  const sounds: { driver: string; codecs: string[]; addr?: PciAddress; audio?: string }[] = [];
  const audioIds: string[] = [];
  let redirdevs = 0;
  let panic = false;
  let graphics = false;
  const videos: { model: string; primary: boolean; addr?: PciAddress }[] = [];
  const inputs: { type: string; bus: string; addr?: PciAddress }[] = [];
  const serials: { targetType: string }[] = [];
  const channels: { virtio: boolean; name?: string }[] = [];
  const consoles: { targetType: string }[] = [];
  const rngs: { addr?: PciAddress; backend: 'rng-random' | 'rng-builtin' }[] = [];
  let watchdog: { model: string; addr?: PciAddress } | undefined;
  let balloon: { model: string; addr?: PciAddress } | undefined;
  const carried: XmlElement[] = [];

  const pciOnly = (el: XmlElement): PciAddress | undefined => {
    const a = pciAddress(el);
    if (a === 'other') throw new ScenarioError(`<${el.name}> with <address type='${child(el, 'address')!.attrs.type}'> is not modelled (pci)`);
    return a;
  };

  for (const d of devices) {
    carried.push(d);
    switch (d.name) {
      case 'disk': {
        const device = d.attrs.device ?? 'disk';
        const target = child(d, 'target');
        if (!target?.attrs.dev) return { ok: false, error: LE.missingElementOrAttr('target') };
        if (device !== 'disk' && device !== 'cdrom') throw new ScenarioError(`<disk device='${device}'> is not modelled (disk, cdrom)`);
        const type = d.attrs.type ?? 'file';
        if (!['file', 'block', 'network', 'volume'].includes(type)) throw new ScenarioError(`<disk type='${type}'> is not modelled`);
        const dev = target.attrs.dev;
        const bus = target.attrs.bus ?? (dev.startsWith('vd') ? 'virtio' : dev.startsWith('hd') ? 'ide' : dev.startsWith('sd') ? (q35 ? 'sata' : 'scsi') : '');
        if (!['virtio', 'ide', 'sata', 'scsi'].includes(bus)) throw new ScenarioError(`<disk><target bus='${bus}'> is not modelled (virtio, ide, sata, scsi)`);
        if (bus === 'ide' && q35) return { ok: false, error: { key: 'ide-q35', code: 'CONFIG_UNSUPPORTED', domain: 'QEMU', message: 'IDE controllers are unsupported for this QEMU binary or machine type' } };
        if (bus === 'sata' && !q35) throw new ScenarioError('a sata disk on a pc machine (an ich9-ahci controller) is not modelled');
        const addr = bus === 'virtio' ? pciOnly(d) : undefined;
        if (bus !== 'virtio') {
          const a = child(d, 'address');
          if (a && a.attrs.type !== 'drive') throw new ScenarioError(`<disk bus='${bus}'> with <address type='${a.attrs.type}'> is not modelled`);
          if (a && (a.attrs.controller ?? '0') !== '0') throw new ScenarioError(`<disk> on controller ${a.attrs.controller} is not modelled`);
        }
        const idx = diskIndex(dev);
        // virDomainDiskInsert: disks of one bus stay sorted by their target's index
        let at = disks.length;
        for (let i = disks.length - 1; i >= 0; i--) {
          if (disks[i].bus === bus && disks[i].idx > idx) at = i;
          else if (disks[i].bus === bus) break;
        }
        disks.splice(at, 0, { el: d, bus, device, dev, idx, ...(addr ? { addr } : {}) });
        break;
      }
      case 'controller': {
        const type = d.attrs.type;
        const index = hexOrDec(d.attrs.index ?? '0');
        if (type === undefined) return { ok: false, error: LE.missingAttr('type', 'controller') };
        if (index === undefined) throw new ScenarioError(`<controller index='${d.attrs.index}'> is not modelled`);
        const master = !!child(d, 'master');
        const a = pciAddress(d);
        if (a === 'other') throw new ScenarioError(`<controller type='${type}'> with a non-PCI address is not modelled`);
        if (!['usb', 'pci', 'ide', 'sata', 'scsi', 'virtio-serial', 'fdc'].includes(type)) throw new ScenarioError(`<controller type='${type}'> is not modelled`);
        insertController(controllers, { type, index, ...(d.attrs.model ? { model: d.attrs.model } : {}), el: d, master, ...(a ? { addr: a } : {}) });
        break;
      }
      case 'interface': {
        const type = d.attrs.type;
        if (!type || !NET_TYPES.has(type)) throw new ScenarioError(`<interface type='${type ?? ''}'> is not modelled (${[...NET_TYPES].join(', ')})`);
        if (type === 'network') usesNetworkDriver = true;
        const model = child(d, 'model')?.attrs.type ?? 'rtl8139';
        const driver = NET_DRIVER[model];
        if (!driver) throw new ScenarioError(`<interface><model type='${model}'> is not modelled`);
        const addr = pciOnly(d);
        nets.push({ driver, ...(addr ? { addr } : {}) });
        break;
      }
      case 'sound': {
        const driver = SOUND_DRIVER[d.attrs.model ?? ''];
        if (!driver) throw new ScenarioError(`<sound model='${d.attrs.model ?? ''}'> is not modelled (ich6, ich9, ac97)`);
        const addr = pciOnly(d);
        const codecs = childrenNamed(d, 'codec').map((c) => {
          const drv = CODEC_DRIVER[c.attrs.type ?? ''];
          if (!drv) throw new ScenarioError(`<sound><codec type='${c.attrs.type ?? ''}'> is not modelled`);
          return drv;
        });
        const audio = child(d, 'audio')?.attrs.id;
        sounds.push({ driver, codecs: codecs.length ? codecs : ['hda-duplex'], ...(addr ? { addr } : {}), ...(audio !== undefined ? { audio } : {}) });
        break;
      }
      case 'video': {
        const model = child(d, 'model')?.attrs.type ?? 'cirrus';
        if (model !== 'none' && !VIDEO_DRIVER[model]) throw new ScenarioError(`<video><model type='${model}'> is not modelled`);
        const addr = pciOnly(d);
        videos.push({ model, primary: child(d, 'model')?.attrs.primary === 'yes', ...(addr ? { addr } : {}) });
        break;
      }
      case 'input': {
        const type = d.attrs.type ?? '';
        const bus = d.attrs.bus ?? (type === 'tablet' ? 'usb' : 'ps2');
        if (!['mouse', 'keyboard', 'tablet'].includes(type) || !['ps2', 'usb', 'virtio'].includes(bus)) throw new ScenarioError(`<input type='${type}' bus='${bus}'> is not modelled`);
        const addr = bus === 'virtio' ? pciOnly(d) : undefined;
        inputs.push({ type, bus, ...(addr ? { addr } : {}) });
        break;
      }
      case 'serial': {
        if (!CHR_SOURCES.has(d.attrs.type ?? '')) throw new ScenarioError(`<serial type='${d.attrs.type ?? ''}'> is not modelled`);
        const t = child(d, 'target');
        const targetType = t?.attrs.type ?? 'isa-serial';
        if (targetType !== 'isa-serial') throw new ScenarioError(`<serial><target type='${targetType}'> is not modelled (isa-serial)`);
        if (serials.length > 0) throw new ScenarioError('more than one <serial> is not modelled');
        serials.push({ targetType });
        break;
      }
      case 'console': {
        const targetType = child(d, 'target')?.attrs.type ?? 'serial';
        if (targetType !== 'serial' && targetType !== 'virtio') throw new ScenarioError(`<console><target type='${targetType}'> is not modelled (serial, virtio)`);
        consoles.push({ targetType });
        break;
      }
      case 'channel': {
        const t = child(d, 'target');
        if (t?.attrs.type !== 'virtio') throw new ScenarioError(`<channel><target type='${t?.attrs.type ?? ''}'> is not modelled (virtio)`);
        if (!CHR_SOURCES.has(d.attrs.type ?? '')) throw new ScenarioError(`<channel type='${d.attrs.type ?? ''}'> is not modelled`);
        channels.push({ virtio: true, ...(t.attrs.name ? { name: t.attrs.name } : {}) });
        break;
      }
      case 'rng': {
        if (d.attrs.model !== 'virtio') throw new ScenarioError(`<rng model='${d.attrs.model ?? ''}'> is not modelled (virtio)`);
        const addr = pciOnly(d);
        // the backend object libvirt creates (objrngN): /dev/urandom or QEMU's built-in generator
        const be = child(d, 'backend');
        const file = be?.text.trim() || '/dev/urandom';
        if (be?.attrs.model !== 'random' && be?.attrs.model !== 'builtin') throw new ScenarioError(`<rng><backend model='${be?.attrs.model ?? ''}'> is not modelled (random, builtin)`);
        if (be.attrs.model === 'random' && file !== '/dev/urandom') throw new ScenarioError(`<rng><backend model='random'>${file}</backend> is not modelled (/dev/urandom)`);
        rngs.push({ ...(addr ? { addr } : {}), backend: be.attrs.model === 'random' ? 'rng-random' : 'rng-builtin' });
        break;
      }
      case 'watchdog': {
        const model = d.attrs.model ?? '';
        if (model === 'ib700') {
          watchdog = { model };
          break;
        }
        if (model !== 'i6300esb') {
          if (model === 'itco') return { ok: false, error: { key: 'watchdog-model', code: 'CONFIG_UNSUPPORTED', domain: 'DOMAIN', message: "unknown watchdog model 'itco'" } };
          throw new ScenarioError(`<watchdog model='${model}'> is not modelled (i6300esb)`);
        }
        const addr = pciOnly(d);
        watchdog = { model, ...(addr ? { addr } : {}) };
        break;
      }
      case 'memballoon': {
        const model = d.attrs.model;
        if (model === undefined) return { ok: false, error: LE.missingAttr('model', 'memballoon') };
        if (model !== 'virtio' && model !== 'none') throw new ScenarioError(`<memballoon model='${model}'> is not modelled`);
        for (const c of d.children) if (!['stats', 'address', 'alias', 'driver'].includes(c.name)) throw new ScenarioError(`<memballoon><${c.name}> is not modelled`);
        const addr = pciOnly(d);
        balloon = { model, ...(addr ? { addr } : {}) };
        break;
      }
      case 'redirdev': {
        if (d.attrs.bus !== 'usb' || !['spicevmc', 'tcp'].includes(d.attrs.type ?? '')) throw new ScenarioError(`<redirdev bus='${d.attrs.bus ?? ''}' type='${d.attrs.type ?? ''}'> is not modelled (usb, spicevmc)`);
        redirdevs++;
        break;
      }
      case 'panic': {
        if ((d.attrs.model ?? 'isa') !== 'isa') throw new ScenarioError(`<panic model='${d.attrs.model}'> is not modelled (isa)`);
        panic = true;
        break;
      }
      default:
        if (d.name === 'graphics') graphics = true;
        if (d.name === 'audio' && d.attrs.id !== undefined) audioIds.push(d.attrs.id);
        if (CARRIED.has(d.name)) break;
        if (REFUSED.has(d.name)) throw new ScenarioError(`device <${d.name}> is not modelled`);
        throw new ScenarioError(`device <${d.name}> is not modelled`);
    }
  }

  // --- post-parse defaults (qemuDomainDefAddDefaultDevices), then implicit controllers ---
  // a graphics console without a video device gets libvirt's default video (cirrus with QEMU 7.2)
  if (graphics && videos.length === 0) videos.push({ model: 'cirrus', primary: true });
  if (!controllers.some((c) => c.type === 'usb' && c.index === 0)) insertController(controllers, { type: 'usb', index: 0, model: q35 ? 'qemu-xhci' : 'piix3-uhci' });
  if (q35 && !controllers.some((c) => c.type === 'sata' && c.index === 0)) insertController(controllers, { type: 'sata', index: 0 });
  if (!controllers.some((c) => c.type === 'pci' && c.index === 0)) insertController(controllers, { type: 'pci', index: 0, model: q35 ? 'pcie-root' : 'pci-root' });
  if (!balloon) balloon = { model: 'virtio' };
  if (disks.some((d) => d.bus === 'ide') && !controllers.some((c) => c.type === 'ide')) insertController(controllers, { type: 'ide', index: 0 });
  if (disks.some((d) => d.bus === 'scsi') && !controllers.some((c) => c.type === 'scsi')) {
    throw new ScenarioError("a scsi <disk> without a <controller type='scsi'> (libvirt's implicit SCSI controller model) is not modelled");
  }
  if ((channels.length > 0 || consoles.some((c) => c.targetType === 'virtio')) && !controllers.some((c) => c.type === 'virtio-serial')) {
    insertController(controllers, { type: 'virtio-serial', index: 0 });
  }
  const pciRoot = controllers.find((c) => c.type === 'pci' && c.index === 0)!;
  if ((pciRoot.model ?? (q35 ? 'pcie-root' : 'pci-root')) !== (q35 ? 'pcie-root' : 'pci-root')) {
    throw new ScenarioError(`<controller type='pci' index='0' model='${pciRoot.model}'> on ${machine} is not modelled`);
  }

  // --- every PCI device with its connect type, alias and (explicit) address ---
  const slotted: Slotted[] = [];
  let order = 0;
  const add = (s: Omit<Slotted, 'order' | 'connect'> & { connect?: 'pcie' | 'pci' }) => {
    const connect = s.connect ?? (q35 && PCIE_DRIVERS.has(s.driver) ? 'pcie' : 'pci');
    const x: Slotted = { ...s, connect, order: order++ };
    slotted.push(x);
    return x;
  };
  const counters = new Map<string, number>();
  const next = (prefix: string) => {
    const n = counters.get(prefix) ?? 0;
    counters.set(prefix, n + 1);
    return n;
  };

  // PCI controllers other than the root
  const pciControllers = controllers.filter((c) => c.type === 'pci' && c.index > 0);
  const maxIdx = Math.max(0, ...controllers.filter((c) => c.type === 'pci').map((c) => c.index));
  for (const c of pciControllers) {
    const model = c.model ?? '';
    const driver = { 'pcie-root-port': 'pcie-root-port', 'pci-bridge': 'pci-bridge', 'pcie-to-pci-bridge': 'pcie-pci-bridge', 'dmi-to-pci-bridge': 'i82801b11-bridge' }[model];
    if (!driver) throw new ScenarioError(`<controller type='pci' model='${model}'> is not modelled`);
    const target = c.el && child(c.el, 'target');
    const props: [string, string][] = [];
    if (driver === 'pcie-root-port') {
      const port = hexOrDec(target?.attrs.port);
      const chassis = hexOrDec(target?.attrs.chassis) ?? c.index;
      props.push(['port', String(port ?? -1)], ['chassis', String(chassis)]);
    } else if (driver === 'pci-bridge') props.push(['chassis_nr', String(hexOrDec(target?.attrs.chassisNr) ?? c.index)]);
    add({
      alias: `pci.${c.index}`, driver, phase: PHASE.pciController, emitGroup: EMIT.controller, props,
      connect: driver === 'pci-bridge' ? 'pci' : 'pcie', ...(c.addr ? { addr: c.addr } : {}),
    });
  }
  for (const n of nets) add({ alias: `net${next('net')}`, driver: n.driver, phase: PHASE.net, emitGroup: EMIT.net, ...(n.addr ? { addr: n.addr } : {}) });
  for (const s of sounds) {
    const i = next('sound');
    const fixed = s.driver === 'ich9-intel-hda' && q35 && !s.addr ? { bus: 0, slot: 0x1b, fn: 0 } : s.addr;
    add({ alias: `sound${i}`, driver: s.driver, phase: PHASE.sound, emitGroup: EMIT.sound, ...(fixed ? { addr: fixed } : {}) });
  }
  // controllers with a PCI function (libvirt's aliases: usb / usbN, scsiN, virtio-serialN)
  const usbGroups = new Map<number, Controller[]>();
  for (const c of controllers) {
    if (c.type === 'usb') {
      if (c.model === 'none') continue;
      const g = usbGroups.get(c.index) ?? [];
      g.push(c);
      usbGroups.set(c.index, g);
    }
  }
  let usbPresent = false;
  for (const c of controllers) {
    if (c.type === 'usb') {
      if (c.model === 'none' || !usbGroups.has(c.index)) continue;
      const group = usbGroups.get(c.index)!;
      usbGroups.delete(c.index);
      usbPresent = true;
      const alias = c.index === 0 ? 'usb' : `usb${c.index}`;
      if (group.length === 1) {
        const model = c.model ?? (q35 ? 'qemu-xhci' : 'piix3-uhci');
        const driver = USB_DRIVER[model];
        if (!driver) throw new ScenarioError(`<controller type='usb' model='${model}'> is not modelled`);
        const fixed = model === 'piix3-uhci' && !q35 && !c.addr && c.index === 0 ? { bus: 0, slot: 1, fn: 2 } : c.addr;
        add({ alias, driver, phase: PHASE.controller, emitGroup: EMIT.controller, ...(fixed ? { addr: fixed } : {}) });
      } else {
        // an EHCI master with UHCI companions: one slot, the companions at functions 0-2, the master at 7
        const members = group.map((m) => ({ m, driver: USB_DRIVER[m.model ?? ''] }));
        for (const { m, driver } of members) if (!driver || !/^ich9-/.test(m.model ?? '')) throw new ScenarioError(`USB companion controller model '${m.model ?? ''}' is not modelled (ich9-ehci1 with ich9-uhci1..3)`);
        const head = add({ alias, driver: members[0].driver, phase: PHASE.controller, emitGroup: EMIT.controller, connect: 'pci' });
        (head as { group?: { driver: string; fn: number; id: boolean; master: boolean }[] }).group = members.map(({ m, driver }) => ({
          driver, fn: m.model === 'ich9-ehci1' ? 7 : Number(m.model!.slice(-1)) - 1, id: !m.master, master: !!m.master,
        }));
        if (group.some((m) => m.addr)) throw new ScenarioError('USB companion controllers with explicit addresses are not modelled');
      }
    } else if (c.type === 'scsi') {
      const model = c.model ?? '';
      if (model !== 'virtio-scsi' && model !== 'lsilogic') throw new ScenarioError(`<controller type='scsi' model='${model}'> is not modelled (virtio-scsi, lsilogic)`);
      add({ alias: `scsi${c.index}`, driver: model === 'virtio-scsi' ? 'virtio-scsi-pci' : 'lsi', phase: PHASE.controller, emitGroup: EMIT.controller, ...(c.addr ? { addr: c.addr } : {}) });
    } else if (c.type === 'virtio-serial') {
      add({ alias: `virtio-serial${c.index}`, driver: 'virtio-serial-pci', phase: PHASE.controller, emitGroup: EMIT.controller, ...(c.addr ? { addr: c.addr } : {}) });
    } else if (c.type === 'sata') {
      if (!q35 || c.index !== 0) throw new ScenarioError(`<controller type='sata' index='${c.index}'> is not modelled (q35's built-in one)`);
    } else if (c.type === 'ide') {
      if (q35 || c.index !== 0) throw new ScenarioError(`<controller type='ide' index='${c.index}'> is not modelled (pc's built-in one)`);
    } else if (c.type === 'fdc') {
      throw new ScenarioError("<controller type='fdc'> is not modelled");
    }
  }
  for (const d of disks) {
    if (d.bus !== 'virtio') continue;
    add({ alias: `virtio-disk${d.idx}`, driver: 'virtio-blk-pci', phase: PHASE.disk, emitGroup: EMIT.disk, ...(d.addr ? { addr: d.addr } : {}), bus: `disk:${d.dev}` });
  }
  if (balloon.model === 'virtio') add({ alias: 'balloon0', driver: 'virtio-balloon-pci', phase: PHASE.balloon, emitGroup: EMIT.balloon, ...(balloon.addr ? { addr: balloon.addr } : {}) });
  rngs.forEach((r, i) => add({ alias: `rng${i}`, driver: 'virtio-rng-pci', phase: PHASE.rng, emitGroup: EMIT.rng, props: [['rng', `objrng${i}`]], ...(r.addr ? { addr: r.addr } : {}) }));
  if (watchdog && watchdog.model === 'i6300esb') add({ alias: 'watchdog0', driver: 'i6300esb', phase: PHASE.watchdog, emitGroup: EMIT.watchdog, ...(watchdog.addr ? { addr: watchdog.addr } : {}) });
  const primaryAt = videos.findIndex((v) => v.primary) >= 0 ? videos.findIndex((v) => v.primary) : 0;
  videos.forEach((v, i) => {
    if (v.model === 'none') return;
    const [primaryDriver, secondary] = VIDEO_DRIVER[v.model];
    const primary = i === primaryAt;
    const fixed = primary && !v.addr ? { bus: 0, slot: q35 ? 1 : 2, fn: 0 } : v.addr;
    add({ alias: `video${i}`, driver: primary ? primaryDriver : secondary, phase: PHASE.video, emitGroup: EMIT.video, ...(fixed ? { addr: fixed } : {}), connect: q35 && primary ? 'pcie' : undefined });
  });
  inputs.forEach((inp, i) => {
    if (inp.bus !== 'virtio') return;
    add({ alias: `input${i}`, driver: `virtio-${inp.type}-pci`, phase: PHASE.input, emitGroup: EMIT.input, ...(inp.addr ? { addr: inp.addr } : {}) });
  });

  // --- PCI addresses ---
  const newControllers = assignPci(slotted, machine, maxIdx, pciControllers.length > 0);

  // --- -device options in libvirt's command-line order ---
  const busName = (bus: number) => (bus === 0 ? (q35 ? 'pcie.0' : 'pci.0') : `pci.${bus}`);
  const toQemu = (s: Slotted): QemuDevice[] => {
    const group = (s as { group?: { driver: string; fn: number; id: boolean; master: boolean }[] }).group;
    if (group) {
      return group.map((g) => ({
        driver: g.driver, ...(g.id ? { id: s.alias } : {}), bus: busName(s.addr!.bus),
        addr: { bus: s.addr!.bus, slot: s.addr!.slot, fn: g.fn, ...(g.fn === 0 ? { multifunction: true } : {}) },
      }));
    }
    return [{ driver: s.driver, id: s.alias, bus: busName(s.addr!.bus), addr: s.addr!, ...(s.props ? { props: s.props } : {}) }];
  };
  const all = [...newControllers, ...slotted];
  const pciCtl = all.filter((s) => s.phase === PHASE.pciController).sort((a, b) => Number(a.alias.slice(4)) - Number(b.alias.slice(4)));
  const ctlOrder = ['usb', 'scsi', 'virtio-serial'];
  const otherCtl = slotted.filter((s) => s.phase === PHASE.controller).sort((a, b) => ctlOrder.indexOf(ctlType(a.alias)) - ctlOrder.indexOf(ctlType(b.alias)) || a.order - b.order);
  const controllerDevices = [...pciCtl, ...otherCtl].flatMap(toQemu);

  const others: QemuDevice[] = [];
  const byGroup = (g: number) => slotted.filter((s) => s.emitGroup === g && s.phase !== PHASE.controller && s.phase !== PHASE.pciController);
  // disks: in the disks list's order
  const drive = (id: string) => `drive-${id}`;
  for (const d of disks) {
    if (d.bus === 'virtio') {
      const s = slotted.find((x) => x.bus === `disk:${d.dev}`)!;
      const [q] = toQemu(s);
      others.push({ ...q, blockdev: drive(s.alias) });
    } else if (d.bus === 'ide') {
      const bus = Math.floor(d.idx / 2);
      const unit = d.idx % 2;
      if (bus > 1) throw new ScenarioError(`ide disk '${d.dev}' beyond hdd is not modelled`);
      const id = `ide0-${bus}-${unit}`;
      others.push({ driver: d.device === 'cdrom' ? 'ide-cd' : 'ide-hd', id, bus: `ide.${bus}`, props: [['unit', String(unit)]], ...(d.device === 'disk' ? { blockdev: drive(id) } : {}) });
    } else if (d.bus === 'sata') {
      // libvirt's SATA drive address: bus 0, unit = the disk's index (QEMU bus ide.<unit> of the AHCI)
      const bus = d.idx % 6;
      const id = `sata0-0-${bus}`;
      others.push({ driver: d.device === 'cdrom' ? 'ide-cd' : 'ide-hd', id, bus: `ide.${bus}`, ...(d.device === 'disk' ? { blockdev: drive(id) } : {}) });
    } else {
      const unit = d.idx % 7;
      const ctl = Math.floor(d.idx / 7);
      const id = `scsi${ctl}-0-0-${unit}`;
      others.push({ driver: d.device === 'cdrom' ? 'scsi-cd' : 'scsi-hd', id, bus: `scsi${ctl}.0`, props: [['channel', '0'], ['scsi-id', '0'], ['lun', String(unit)]], ...(d.device === 'disk' ? { blockdev: drive(id) } : {}) });
    }
  }
  for (const s of byGroup(EMIT.net)) others.push(...toQemu(s));
  serials.forEach((_, i) => others.push({ driver: 'isa-serial', id: `serial${i}` }));
  channels.forEach((_, i) => others.push({ driver: 'virtserialport', id: `channel${i}`, bus: 'virtio-serial0.0', props: [['nr', String(i + 1)]] }));
  consoles.forEach((c, i) => {
    if (c.targetType === 'virtio') others.push({ driver: 'virtconsole', id: `console${i}`, bus: 'virtio-serial0.0', props: [['nr', '0']] });
  });
  inputs.forEach((inp, i) => {
    if (inp.bus === 'usb') {
      if (!usbPresent) throw new ScenarioError('a USB input without a USB controller is not modelled');
      others.push({ driver: `usb-${inp.type === 'keyboard' ? 'kbd' : inp.type}`, id: `input${i}`, bus: 'usb.0' });
    } else if (inp.bus === 'virtio') others.push(...toQemu(slotted.find((s) => s.alias === `input${i}`)!));
  });
  for (const s of byGroup(EMIT.video)) others.push(...toQemu(s));
  // A sound device's backend: its <audio id=.../>, else the domain's first <audio>, else libvirt's implicit audio1.
  const audiodevs: string[] = [];
  for (const s of byGroup(EMIT.sound)) {
    const snd = sounds[Number(s.alias.slice(5))];
    const audiodev = `audio${snd?.audio ?? audioIds[0] ?? '1'}`;
    if (!audiodevs.includes(audiodev)) audiodevs.push(audiodev);
    const [dev] = toQemu(s);
    others.push(s.driver === 'AC97' ? { ...dev, props: [...(dev.props ?? []), ['audiodev', audiodev]] } : dev);
    const codecs = snd?.codecs ?? ['hda-duplex'];
    if (s.driver !== 'AC97') codecs.forEach((drv, i) => others.push({ driver: drv, id: `${s.alias}-codec${i}`, bus: `${s.alias}.0`, props: [['cad', String(i)], ['audiodev', audiodev]] }));
  }
  for (const s of byGroup(EMIT.watchdog)) others.push(...toQemu(s));
  if (watchdog?.model === 'ib700') others.push({ driver: 'ib700', id: 'watchdog0' });
  for (let i = 0; i < redirdevs; i++) {
    if (!usbPresent) throw new ScenarioError('a <redirdev> without a USB controller is not modelled');
    others.push({ driver: 'usb-redir', id: `redir${i}`, bus: 'usb.0', chardev: `charredir${i}` });
  }
  for (const s of byGroup(EMIT.balloon)) others.push(...toQemu(s));
  for (const s of byGroup(EMIT.rng)) {
    const i = Number(s.alias.slice(3));
    const backend = rngs[i]?.backend ?? 'rng-random';
    others.push(...toQemu(s).map((q) => ({ ...q, object: `${backend},id=objrng${i}${backend === 'rng-random' ? ',filename=/dev/urandom' : ''}` })));
  }
  if (panic) others.push({ driver: 'pvpanic' });

  return {
    ok: true,
    set: { controllers: controllerDevices, others, balloon: balloon.model === 'virtio', usb: usbPresent, hpet, audiodevs, carried, usesNetworkDriver },
  };
}

function ctlType(alias: string): string {
  return alias.startsWith('usb') ? 'usb' : alias.startsWith('scsi') ? 'scsi' : 'virtio-serial';
}

// ------------------------------------------------------------------------------------- PCI assignment

interface Bus {
  readonly index: number;
  readonly model: 'root' | 'pcie-root-port' | 'pcie-to-pci-bridge' | 'pci-bridge' | 'dmi-to-pci-bridge';
  /** used[slot] = bitmask of functions in use. */
  readonly used: number[];
}

function newBus(index: number, model: Bus['model']): Bus {
  const used = new Array<number>(32).fill(0);
  // bridges with SHPC reserve slot 0 (pci-bridge, pcie-to-pci-bridge)
  if (model === 'pci-bridge' || model === 'pcie-to-pci-bridge') used[0] = 0xff;
  return { index, model, used };
}

/**
 * qemuDomainAssignPCIAddresses for the devices without an address (modifies `slotted` in place) and the
 * controllers libvirt adds (returned): pc puts everything on pci.0 (slot 1 is the PIIX3, slot 2 the primary
 * video); q35 gives each PCIe device a new pcie-root-port, conventional PCI devices a pcie-to-pci-bridge,
 * and, when it added buses to a domain without PCI controllers, one spare root port.
 */
function assignPci(slotted: Slotted[], machine: MachineKind, maxIdx: number, hasPciControllers: boolean): Slotted[] {
  const q35 = machine === 'q35';
  const sorted = [...slotted].sort((a, b) => a.phase - b.phase || a.order - b.order);
  const root = newBus(0, 'root');
  root.used[0] = 0xff;
  if (!q35) root.used[1] = 0xff;
  else root.used[0x1f] = 0xff;
  const buses = new Map<number, Bus>([[0, root]]);
  for (const s of slotted) {
    if (s.phase !== PHASE.pciController) continue;
    const model = s.driver === 'pcie-root-port' ? 'pcie-root-port' : s.driver === 'pcie-pci-bridge' ? 'pcie-to-pci-bridge' : s.driver === 'pci-bridge' ? 'pci-bridge' : 'dmi-to-pci-bridge';
    buses.set(Number(s.alias.slice(4)), newBus(Number(s.alias.slice(4)), model));
  }
  // explicit addresses first
  for (const s of slotted) {
    if (!s.addr) continue;
    const bus = buses.get(s.addr.bus);
    if (!bus) throw new ScenarioError(`${s.alias}: PCI bus ${s.addr.bus} does not exist (auto-added buses with explicit addresses are not modelled)`);
    const group = (s as { group?: unknown[] }).group;
    bus.used[s.addr.slot] |= group ? 0x87 : 1 << s.addr.fn;
  }
  if (!q35) {
    for (const s of sorted) {
      if (s.addr) continue;
      const bus = [...buses.values()].sort((a, b) => a.index - b.index).find((b) => b.model !== 'pcie-root-port' && b.used.some((u) => u === 0));
      if (!bus) throw new ScenarioError('a full PCI bus (libvirt would add a pci-bridge) is not modelled');
      const slot = bus.used.findIndex((u, i) => u === 0 && (bus.index !== 0 || i !== 2 || !slotted.some((x) => x.phase === PHASE.video)));
      const use = slot >= 0 ? slot : bus.used.findIndex((u) => u === 0);
      bus.used[use] = 0xff;
      s.addr = { bus: bus.index, slot: use, fn: 0 };
    }
    return [];
  }

  // q35: pass 1 counts the buses libvirt must add, pass 2 places the new controllers, then the devices.
  const added: Slotted[] = [];
  let nextIndex = maxIdx + 1;
  const freePcie = () => [...buses.values()].sort((a, b) => a.index - b.index).find((b) => b.model === 'pcie-root-port' && b.used[0] === 0 && !pendingOn.has(b.index));
  const pendingOn = new Set<number>();
  const plan: { s: Slotted; bus?: number }[] = [];
  const addRootPort = (): Bus => {
    const b = newBus(nextIndex++, 'pcie-root-port');
    buses.set(b.index, b);
    added.push({ alias: `pci.${b.index}`, driver: 'pcie-root-port', connect: 'pcie', phase: PHASE.pciController, emitGroup: EMIT.controller, order: -1, props: [] });
    return b;
  };
  const pciSlotBus = (): Bus | undefined => [...buses.values()].sort((a, b) => a.index - b.index).find((b) => (b.model === 'pcie-to-pci-bridge' || b.model === 'pci-bridge') && b.used.some((u) => u === 0));
  let grew = false;
  for (const s of sorted) {
    if (s.addr) continue;
    if (s.connect === 'pcie') {
      let b = freePcie();
      if (!b) {
        b = addRootPort();
        grew = true;
      }
      b.used[0] = 0xff;
      plan.push({ s, bus: b.index });
    } else {
      let b = pciSlotBus();
      if (!b) {
        // a pcie-to-pci-bridge behind a new root port
        const rp = freePcie() ?? addRootPort();
        rp.used[0] = 0xff;
        b = newBus(nextIndex++, 'pcie-to-pci-bridge');
        buses.set(b.index, b);
        added.push({ alias: `pci.${b.index}`, driver: 'pcie-pci-bridge', connect: 'pcie', phase: PHASE.pciController, emitGroup: EMIT.controller, order: -1, props: [] });
        grew = true;
      }
      const slot = b.used.findIndex((u) => u === 0);
      b.used[slot] = 0xff;
      plan.push({ s, bus: b.index });
    }
  }
  if (grew && maxIdx <= 0 && !hasPciControllers && !freePcie()) addRootPort();
  else if (grew && maxIdx <= 0 && !hasPciControllers) addRootPort();

  // pass 2: fresh slot maps; controllers (existing without address, then added) first, then devices
  const fresh = new Map<number, Bus>();
  for (const b of buses.values()) fresh.set(b.index, newBus(b.index, b.model));
  fresh.get(0)!.used[0] = 0xff;
  fresh.get(0)!.used[0x1f] = 0xff;
  for (const s of [...slotted, ...added]) if (s.addr) fresh.get(s.addr.bus)!.used[s.addr.slot] |= 1 << s.addr.fn;
  // root ports: pcie.0 functions 0..7 of the first free slots (aggregated), from slot 1
  let rpSlot = -1;
  let rpFn = 8;
  const allCtl = [...slotted.filter((s) => s.phase === PHASE.pciController && !s.addr), ...added].sort((a, b) => Number(a.alias.slice(4)) - Number(b.alias.slice(4)));
  // the videos' reserved slot (00:01.0) is taken before the controllers are placed
  for (const s of slotted) if (s.phase === PHASE.video && s.addr) fresh.get(0)!.used[s.addr.slot] |= 1 << s.addr.fn;
  for (const c of allCtl) {
    if (c.driver === 'pcie-root-port') {
      if (rpFn > 7) {
        rpSlot = fresh.get(0)!.used.findIndex((u, i) => i > 0 && u === 0);
        rpFn = 0;
      }
      fresh.get(0)!.used[rpSlot] |= 1 << rpFn;
      const idx = Number(c.alias.slice(4));
      c.addr = { bus: 0, slot: rpSlot, fn: rpFn, ...(rpFn === 0 ? { multifunction: true } : {}) };
      c.props = [['port', String(rpSlot * 8 + rpFn)], ['chassis', String(idx)]];
      rpFn++;
    } else {
      const b = [...fresh.values()].sort((x, y) => x.index - y.index).find((x) => x.model === 'pcie-root-port' && x.used[0] === 0 && x.index !== Number(c.alias.slice(4)));
      if (!b) throw new ScenarioError(`no free root port for ${c.alias}`);
      b.used[0] = 0xff;
      c.addr = { bus: b.index, slot: 0, fn: 0 };
    }
  }
  for (const { s } of plan) {
    const pool = [...fresh.values()].sort((x, y) => x.index - y.index);
    const b = s.connect === 'pcie' ? pool.find((x) => x.model === 'pcie-root-port' && x.used[0] === 0) : pool.find((x) => (x.model === 'pcie-to-pci-bridge' || x.model === 'pci-bridge') && x.used.some((u) => u === 0));
    if (!b) throw new ScenarioError(`no free PCI slot for ${s.alias}`);
    const slot = b.used.findIndex((u) => u === 0);
    b.used[slot] = 0xff;
    s.addr = { bus: b.index, slot, fn: 0 };
  }
  return added;
}

/** The `-device` option text of a device (and the -blockdev it needs), as the model's command line. */
export function deviceOptionText(d: QemuDevice): string {
  const parts = [d.driver];
  for (const [k, v] of d.props ?? []) parts.push(`${k}=${v}`);
  if (d.blockdev) parts.push(`drive=${d.blockdev}`);
  if (d.id) parts.push(`id=${d.id}`);
  if (d.bus) parts.push(`bus=${d.bus}`);
  if (d.addr && !d.bus?.startsWith('ide') && !d.bus?.startsWith('scsi') && !d.bus?.startsWith('usb')) {
    parts.push(...(d.addr.multifunction ? ['multifunction=on'] : []), `addr=0x${d.addr.slot.toString(16)}${d.addr.fn ? `.0x${d.addr.fn}` : ''}`);
  }
  if (d.chardev) parts.splice(1, 0, `chardev=${d.chardev}`);
  const dev = `-device ${parts.join(',')}`;
  if (d.object) return `-object ${d.object} ${dev}`;
  if (d.chardev) return `-chardev null,id=${d.chardev} ${dev}`;
  return d.blockdev ? `-blockdev driver=null-co,node-name=${d.blockdev} ${dev}` : dev;
}

export { childrenNamed };
