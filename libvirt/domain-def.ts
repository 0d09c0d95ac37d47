// libvirt's domain definition as data (virDomainDef's memory-hotplug part): what domain.ts parses and
// validates, hotplug.ts and memory-backend.ts read, and livexml.ts prints. Types only, importing no module
// that reads them, so none of those modules import each other for a type.

import type { MemoryDeviceDef } from './device';
import type { DeviceSet } from './devices';
import type { XmlElement } from './xml';
import type { LibvirtVersion, QemuVersionName } from './versions';

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
  /** `<cpu><topology>` (one die): libvirt's -smp; without it every vCPU is a socket of its own. */
  readonly topology?: { readonly sockets: number; readonly cores: number; readonly threads: number };
  readonly cells: readonly NumaCell[];
  /** Memory devices in definition order. */
  readonly mems: readonly MemoryDeviceDef[];
  /** `<memballoon model='virtio'>` (libvirt's default) vs `model='none'`. */
  readonly balloon: boolean;
  /** The default USB controller (`piix3-uhci` on pc, `qemu-xhci` on q35) vs `model='none'`. */
  readonly usb: boolean;
  /** `<memoryBacking>` (hugepages, source, access, discard, allocation). */
  readonly memoryBacking?: MemoryBackingDef;
  /** Per cell: memAccess, discard. */
  readonly cellAttrs?: readonly CellMemoryAttrs[];
  readonly arch?: 'x86_64' | 'i686';
  /** `<numatune>`: the default memory mode/nodeset and per-cell `<memnode>`s. */
  readonly numatune?: Numatune;
  /** Every other device: aliases, PCI addresses, -device options (libvirt/devices.ts). */
  readonly devices?: DeviceSet;
  /** Top-level elements carried as given (printed back by the XML writer). */
  readonly carriedTop?: readonly XmlElement[];
  /** `<os>`, `<features>`, `<cpu>` as given (printed back). */
  readonly osEl?: XmlElement;
  readonly featuresEl?: XmlElement;
  readonly cpuEl?: XmlElement;
}

export type NumaMode = 'strict' | 'preferred' | 'interleave' | 'restrictive';
export interface Numatune {
  readonly mode?: NumaMode;
  readonly nodeset?: readonly number[];
  readonly memnodes: readonly { readonly cellid: number; readonly mode: NumaMode; readonly nodeset: readonly number[] }[];
}

export interface MemoryBackingDef {
  /** `<hugepages>`: each `<page size nodeset>`; `[]` for a bare `<hugepages/>`. */
  readonly hugepages?: readonly { readonly sizeKiB?: bigint; readonly nodeset?: readonly number[] }[];
  readonly source?: 'file' | 'anonymous' | 'memfd';
  readonly access?: 'shared' | 'private';
  readonly discard?: boolean;
  readonly allocationImmediate?: boolean;
}

export interface CellMemoryAttrs {
  readonly memAccess?: 'shared' | 'private';
  readonly discard?: boolean;
}
