// The machine as the command line describes it, before QEMU derives anything from it.

import type { QemuVersion } from '../versions/types';

export type MachineType = 'pc' | 'q35';
export type Accel = 'tcg' | 'kvm';
export type BackendType = 'memory-backend-ram' | 'memory-backend-memfd';

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
}

export interface BackendOption {
  readonly type: BackendType;
  readonly id: string;
  readonly size: bigint;
  /** Boolean properties given on the command line (share, merge, dump, prealloc, reserve). */
  readonly bools?: Readonly<Record<string, boolean>>;
  /** The option text as given, for error prefixes. */
  readonly text: string;
}

export interface NumaNodeOption {
  readonly nodeid: number;
  readonly memdev?: string;
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
 * Devices libvirt adds to every domain (balloon, USB controller, PCIe root ports). The model keeps them as
 * QOM children (qom-list, query-balloon) without modelling their hardware: they touch no memory hotplug path.
 */
export const PASSIVE_DEVICES = ['virtio-balloon-pci', 'piix3-usb-uhci', 'qemu-xhci', 'pcie-root-port'] as const;
export type PassiveDriver = (typeof PASSIVE_DEVICES)[number];

export interface PassiveDeviceOption {
  readonly driver: PassiveDriver;
  readonly id?: string;
  readonly text: string;
  readonly position: number;
}

export interface MachineConfig {
  /** The QEMU release this machine is built by; its data (machine types, words, defaults): qemuOf(config). */
  readonly qemuVersion: QemuVersion;
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
  readonly accel: Accel;
  readonly backends: readonly BackendOption[];
  readonly numa: readonly NumaNodeOption[];
  readonly dimms: readonly DimmOption[];
  readonly passiveDevices: readonly PassiveDeviceOption[];
  /** The -global options as given (`ICH9-LPC.memory-hotplug-support=off`), in order. */
  readonly globals?: readonly string[];
  /** The command line as given. */
  readonly commandLine: string;
}
