// The machine as the command line describes it, before QEMU derives anything from it.

import type { MachineType, QemuVersionData } from '../versions/types';

export type { MachineType } from '../versions/types';
export type Accel = 'tcg' | 'kvm';
export type BackendType = 'memory-backend-ram' | 'memory-backend-memfd' | 'memory-backend-file';

/** Machine-class compatibility flags that depend on the versioned machine name (hw/i386/pc*.c). */
export interface MachineClassFlags {
  readonly hasReservedMemory: boolean;
  readonly enforceAlignedDimm: boolean;
  readonly brokenReservedEnd: boolean;
  readonly gigabyteAlign: boolean;
  readonly enforceAmd1TbHole: boolean;
  readonly autoEnableNumaWithMemhp: boolean;
  readonly autoEnableNumaWithMemdev: boolean;
  /** hw_compat_3_1: file/memfd backends name their RAM region by the canonical path (`/objects/ID`). */
  readonly canonicalPathRamblockId: boolean;
  /** hw_compat_2_4 turns fw_cfg's DMA port (fwcfg.dma at 0x514) off. */
  readonly fwCfgDma: boolean;
  /** pc_compat_6_0: ICH9-LPC without ACPI PCI hotplug (no acpi-pci-hotplug at 0xcc0); q35 only. */
  readonly ich9AcpiPciHotplug: boolean;
  /** pc_compat_2_7: the (TCG) IOAPIC is version 0x11 instead of 0x20 (no EOI register). */
  readonly ioapicVersion: number;
  /** The default firmware's size: bios-256k.bin, or bios.bin (128 KiB) where the type has no default firmware (pc ≤ 1.7). */
  readonly biosSize: bigint;
  /**
   * hw_compat_5_2: PIIX4_PM/ICH9-LPC `smm-compat=on` (types up to 5.2): PM1 control is not in ACPI-only mode even
   * without SMM (under the model's KVM), so SCI_EN is clear at reset and the APM commands change it.
   */
  readonly smmCompat?: boolean;
  /**
   * The machine type's default `kernel-irqchip` is `split` (pc-q35-4.0 only): under KVM only the local APICs are in
   * the kernel; the i8259s, the IOAPIC and the PIT are QEMU's own, as under TCG.
   */
  readonly kernelIrqchipSplit?: boolean;
  /** `-numa node,mem=` is accepted (numa_mem_supported: machine types up to 5.0). */
  readonly numaMemSupported?: boolean;
}

export interface BackendOption {
  readonly type: BackendType;
  readonly id: string;
  readonly size: bigint;
  /** Boolean properties given on the command line (share, merge, dump, prealloc, reserve). */
  readonly bools?: Readonly<Record<string, boolean>>;
  /** memory-backend-file's `mem-path`. */
  readonly memPath?: string;
  /** policy= and host-nodes= (host node 0 only). */
  readonly policy?: 'default' | 'preferred' | 'bind' | 'interleave';
  readonly hostNodes?: readonly number[];
  /** The option text as given, for error prefixes. */
  readonly text: string;
}

export interface SmpConfig {
  readonly cpus: number;
  readonly sockets: number;
  readonly cores: number;
  readonly threads: number;
}

export interface NumaNodeOption {
  readonly nodeid: number;
  readonly memdev?: string;
  /**
   * Legacy `mem=SIZE` (suffix-less: MiB), only for machine types up to 5.0 (numa_mem_supported; libvirt writes it
   * there when a cell needs no backend): the node's share of the ordinary pc.ram, no backend object.
   */
  readonly mem?: bigint;
  /** `cpus=N[-M]` (repeatable): the CPU indexes this node takes, in the order given. */
  readonly cpus?: readonly number[];
  readonly text: string;
}

export interface DimmOption {
  readonly id?: string;
  readonly memdev?: string;
  readonly slot?: bigint;
  readonly addr?: bigint;
  readonly node?: bigint;
  /** Every property but driver and id, as given (QEMU checks them when it creates the device). */
  readonly props: ReadonlyArray<readonly [string, string]>;
  /** The option text as given (`pc-dimm,id=d0,...`), for QEMU's `-device ...: ` error prefix. */
  readonly text: string;
  /** Position among all -device options (QEMU creates them in command-line order). */
  readonly position: number;
}

/**
 * Devices libvirt puts on its command line beside the DIMMs (controllers, disks, NICs, video, sound, ...).
 * The model keeps them as QOM children of /machine/peripheral (qom-list) and adds what they show in the
 * memory map of a paused machine (no firmware ran, so no BAR is mapped): a PCI function's bus-master address
 * space, a bridge's forwarding windows, a VGA device's legacy window at 0xa0000, an ISA device's ports.
 * Their hardware is not modelled: they touch no memory hotplug path.
 */
export interface PassiveDeviceKind {
  /** A PCI function: a bus-master address space named after its type. */
  readonly pci: boolean;
  /** A PCI-PCI bridge (pcie-root-port, pci-bridge, ...): empty forwarding windows. */
  readonly bridge?: boolean;
  /** VGA-compatible: the legacy window at 0xa0000 (prio 1 in the PCI window) has this name. */
  readonly vgaLowmem?: string;
  /** cirrus-vga: the legacy window is this container (prio 1) holding `vgaLowmem` (prio 0). */
  readonly vgaLowmemContainer?: string;
  /** Fixed port I/O regions [port, size, name] (ISA devices, VGA ports). */
  readonly ports?: readonly (readonly [number, number, string])[];
  /** An audio front end with an `audiodev` property (AC97, the HDA codecs): needs an audio backend. */
  readonly audio?: boolean;
}

const VGA_PORTS: readonly (readonly [number, number, string])[] = [
  [0x1ce, 0x4, 'vbe'], [0x3b4, 0x2, 'vga'], [0x3ba, 0x1, 'vga'], [0x3c0, 0x10, 'vga'], [0x3d4, 0x2, 'vga'], [0x3da, 0x1, 'vga'],
];
const PCI: PassiveDeviceKind = { pci: true };
const NOT_PCI: PassiveDeviceKind = { pci: false };
const BRIDGE: PassiveDeviceKind = { pci: true, bridge: true };
const HDA_CODEC: PassiveDeviceKind = { pci: false, audio: true };

export const PASSIVE_DEVICES: Readonly<Record<string, PassiveDeviceKind>> = {
  // controllers
  'pcie-root-port': BRIDGE, 'pci-bridge': BRIDGE, 'pcie-pci-bridge': BRIDGE, 'i82801b11-bridge': BRIDGE,
  'piix3-usb-uhci': PCI, 'qemu-xhci': PCI, 'nec-usb-xhci': PCI, 'ich9-usb-ehci1': PCI, 'ich9-usb-uhci1': PCI,
  'ich9-usb-uhci2': PCI, 'ich9-usb-uhci3': PCI, 'piix4-usb-uhci': PCI, 'usb-ehci': PCI,
  'virtio-scsi-pci': PCI, 'lsi': PCI, 'virtio-serial-pci': PCI, 'ich9-ahci': PCI,
  // PCI devices
  'virtio-balloon-pci': PCI, 'virtio-blk-pci': PCI, 'virtio-net-pci': PCI, e1000: PCI, e1000e: PCI, rtl8139: PCI,
  'virtio-rng-pci': PCI, i6300esb: PCI, 'intel-hda': PCI, 'ich9-intel-hda': PCI, AC97: { pci: true, audio: true },
  'virtio-keyboard-pci': PCI, 'virtio-mouse-pci': PCI, 'virtio-tablet-pci': PCI,
  VGA: { pci: true, vgaLowmem: 'vga-lowmem', ports: VGA_PORTS },
  'qxl-vga': { pci: true, vgaLowmem: 'vga-lowmem', ports: VGA_PORTS },
  'virtio-vga': { pci: true, vgaLowmem: 'vga-lowmem', ports: VGA_PORTS },
  'cirrus-vga': { pci: true, vgaLowmem: 'cirrus-low-memory', vgaLowmemContainer: 'cirrus-lowmem-container' },
  qxl: PCI, 'virtio-gpu-pci': PCI, 'bochs-display': PCI,
  // devices on other buses
  'ide-hd': NOT_PCI, 'ide-cd': NOT_PCI, 'scsi-hd': NOT_PCI, 'scsi-cd': NOT_PCI, 'usb-tablet': NOT_PCI, 'usb-mouse': NOT_PCI,
  'usb-kbd': NOT_PCI, 'virtserialport': NOT_PCI, 'virtconsole': NOT_PCI, 'hda-duplex': HDA_CODEC, 'hda-micro': HDA_CODEC,
  'hda-output': HDA_CODEC, 'isa-serial': { pci: false, ports: [[0x3f8, 0x8, 'serial']] }, 'usb-redir': NOT_PCI, ib700: NOT_PCI,
  pvpanic: { pci: false, ports: [[0x505, 0x1, 'pvpanic']] },
};
export type PassiveDriver = string;

export interface PassiveDeviceOption {
  readonly driver: PassiveDriver;
  readonly id?: string;
  /** `bus=`: the bus it plugs into (a bridge behind another bridge maps its windows there). */
  readonly bus?: string;
  /** `audiodev=` of an audio front end (AC97, the HDA codecs). */
  readonly audiodev?: string;
  readonly text: string;
  readonly position: number;
}

export interface MachineConfig {
  /** The QEMU release this machine is built by (its machine types, words and defaults: engine/versions/). */
  readonly qemu: QemuVersionData;
  readonly type: MachineType;
  /** Resolved machine name, e.g. `pc-i440fx-7.2`, `pc-q35-7.2`. */
  readonly machineName: string;
  readonly flags: MachineClassFlags;
  /** `-m` size, rounded up to 8 KiB. */
  readonly ramSize: bigint;
  /** `slots=` (0 when absent). */
  readonly ramSlots: bigint;
  /** `maxmem=` or ramSize. */
  readonly maxramSize: bigint;
  readonly maxRamBelow4g?: bigint;
  readonly acpi: boolean;
  /** `acpi=on|off` as given (qom-get shows "auto" otherwise). */
  readonly acpiOption?: 'on' | 'off';
  /** PIIX4_PM / ICH9-LPC `memory-hotplug-support`. */
  readonly memoryHotplugSupport: boolean;
  /** A `-global` QEMU cannot apply to the board's device in this release (refused when the device is created). */
  readonly badGlobal?: { readonly text: string; readonly property: string };
  readonly accel: Accel;
  readonly backends: readonly BackendOption[];
  readonly numa: readonly NumaNodeOption[];
  readonly dimms: readonly DimmOption[];
  readonly passiveDevices: readonly PassiveDeviceOption[];
  /**
   * `-M ...,hpet=off` (7.2 and 10.0) or 7.2's `-no-hpet` (libvirt: `<timer name='hpet' present='no'/>`) removes
   * the HPET: no region at 0xfed00000, qom-get /machine hpet false, one device fewer in /machine/unattached.
   */
  readonly hpet?: boolean;
  /**
   * `-smp` (libvirt: `<vcpu>` and `<cpu><topology>`): the CPU topology; all CPUs present (maxcpus = cpus), one die.
   * Absent: one CPU.
   */
  readonly smp?: SmpConfig;
  /** `-M ...,dump-guest-core=off` (libvirt writes it): qom-get /machine dump-guest-core. */
  readonly dumpGuestCore?: boolean;
  /**
   * `-object secret,id=ID,format=raw,data=...` (libvirt's masterKey0) and `-object rng-random|rng-builtin` (an
   * <rng>'s objrng0): children of /objects in command-line order among the backends (`before`: how many backends
   * precede it); nothing else of them is modelled.
   */
  readonly otherObjects?: readonly { readonly id: string; readonly type: string; readonly before: number }[];
  /** `-audiodev none,id=ID` backends, by id (no QOM object; a sound device's `audiodev=` must name one). */
  readonly audiodevs?: readonly string[];
  /** The command line as given. */
  readonly commandLine: string;
}
