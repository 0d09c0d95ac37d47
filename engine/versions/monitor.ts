// What the monitor shows that differs between QEMU releases, as data: the build's version strings, the
// query-status reply, the QOM root's children and the machine object's properties (qom-list order and the
// values that are not derived from the machine's configuration). Recorded from both releases on every machine
// shape (test/replay/qemu-monitor, test/replay-10.0/qemu-monitor).

import { STATIC_10_0, STATIC_7_2, type MonitorStatic } from './monitor-static';
import { qmpSchema100, qmpSchema72, type QmpSchema } from './qmp-schema';
import { board100, board72, type Board } from './board';

export type Prop = readonly [name: string, type: string];

export interface MonitorData {
  /** query-version's numbers and QEMU_PKGVERSION (`info version` prints them run together). */
  readonly build: { readonly major: number; readonly minor: number; readonly micro: number; readonly package: string };
  /** query-status still has the deprecated `singlestep` member. */
  readonly statusSinglestep: boolean;
  /** qom-list / after `type`: the root's container children in the order QEMU lists them. */
  readonly rootChildren: readonly string[];
  /** The machine object's class properties after `type`, in qom-list order. */
  readonly machineClassProps: readonly Prop[];
  /**
   * Its own properties after the class ones, in qom-list order, by machine shape: board, device memory (D),
   * main RAM as a NUMA-memdev container owned by the machine (R).
   */
  readonly machineInstanceOrder: Readonly<Record<string, string>>;
  /** Values of machine properties this release has on top of the common ones. */
  readonly machineExtraValues: (type: 'pc' | 'q35') => Readonly<Record<string, unknown>>;
  readonly machineSmp: Readonly<Record<string, number>>;
  /** smbios-entry-point-type's default for a machine type of this release. */
  readonly smbiosEntryPointType: (version: readonly [number, number]) => string;
  /** The PIIX4 PM's QOM path on pc (the machine's acpi-device link). */
  readonly pcAcpiDevicePath: string;
  /** Replies that depend on the build only (engine/versions/monitor-static.ts). */
  readonly replies: MonitorStatic;
  /** query-qmp-schema and the command arguments it declares (engine/versions/data/), parsed on first use. */
  readonly qmpSchema: () => QmpSchema;
  /** The board devices of every machine type (`info qtree`), recorded (engine/versions/data/board-*.ts). */
  readonly board: () => Board;
}

export const MONITOR_7_2: MonitorData = {
  build: { major: 7, minor: 2, micro: 22, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' },
  statusSinglestep: true,
  rootChildren: ['objects', 'machine', 'chardevs'],
  machineClassProps: [
    ['kernel', 'string'], ['dt-compatible', 'string'], ['boot', 'BootConfiguration'], ['memory', 'MemorySizeConfiguration'],
    ['initrd', 'string'], ['confidential-guest-support', 'link<confidential-guest-support>'], ['graphics', 'bool'], ['usb', 'bool'],
    ['firmware', 'string'], ['memory-encryption', 'string'], ['smp', 'SMPConfiguration'], ['dump-guest-core', 'bool'],
    ['phandle-start', 'int'], ['dumpdtb', 'string'], ['memory-backend', 'link<memory-backend>'], ['dtb', 'string'],
    ['mem-merge', 'bool'], ['append', 'string'], ['suppress-vmdesc', 'bool'], ['smm', 'OnOffAuto'], ['acpi', 'OnOffAuto'],
    ['pit', 'OnOffAuto'], ['pic', 'OnOffAuto'], ['x-oem-table-id', 'string'], ['bus-lock-ratelimit', 'uint64_t'],
    ['sgx-epc', 'SgxEPC'], ['x-oem-id', 'string'], ['max-fw-size', 'size'], ['default-bus-bypass-iommu', 'bool'],
    ['device-memory-region-size', 'int'], ['sata', 'bool'], ['vmport', 'OnOffAuto'], ['i8042', 'bool'], ['hpet', 'bool'],
    ['smbios-entry-point-type', 'str'], ['max-ram-below-4g', 'size'], ['smbus', 'bool'],
  ],
  machineInstanceOrder: {
    'pc': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence rtc_state smram cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
    'pc D': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state nvdimm-persistence smram device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
    'pc R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state nvdimm-persistence pc.ram[0] smram cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
    'pc D R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state smram nvdimm-persistence pc.ram[0] device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev i440fx',
    'q35': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state nvdimm-persistence q35 smram cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
    'q35 D': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state smram nvdimm-persistence q35 device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
    'q35 R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state smram nvdimm-persistence pc.ram[0] q35 cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
    'q35 D R': 'smram unattached fw_cfg qtest peripheral-anon nvdimm peripheral rtc_state q35 nvdimm-persistence pc.ram[0] device-memory[0] cxl-fmw rtc-time acpi-device hmat cxl pcspk-audiodev',
  },
  machineExtraValues: () => ({}),
  machineSmp: { cpus: 1, maxcpus: 1, threads: 1, cores: 1, dies: 1, sockets: 1, clusters: 1 },
  smbiosEntryPointType: () => '32',
  pcAcpiDevicePath: '/machine/unattached/device[18]',
  replies: STATIC_7_2,
  qmpSchema: qmpSchema72,
  board: board72,
};

export const MONITOR_10_0: MonitorData = {
  build: { major: 10, minor: 0, micro: 2, package: 'Debian 1:10.0.2+ds-2+deb13u1~bpo12+1' },
  statusSinglestep: false,
  rootChildren: ['backend', 'machine', 'objects', 'chardevs'],
  machineClassProps: [
    ['kernel', 'string'], ['dt-compatible', 'string'], ['boot', 'BootConfiguration'], ['memory', 'MemorySizeConfiguration'],
    ['initrd', 'string'], ['confidential-guest-support', 'link<confidential-guest-support>'], ['aux-ram-share', 'bool'],
    ['graphics', 'bool'], ['usb', 'bool'], ['firmware', 'string'], ['memory-encryption', 'string'], ['dump-guest-core', 'bool'],
    ['smp', 'SMPConfiguration'], ['shim', 'string'], ['smp-cache', 'SmpCachePropertiesWrapper'], ['dumpdtb', 'string'],
    ['phandle-start', 'int'], ['memory-backend', 'link<memory-backend>'], ['mem-merge', 'bool'], ['dtb', 'string'],
    ['append', 'string'], ['suppress-vmdesc', 'bool'], ['smm', 'OnOffAuto'], ['acpi', 'OnOffAuto'], ['pit', 'OnOffAuto'],
    ['pic', 'OnOffAuto'], ['x-oem-table-id', 'string'], ['bus-lock-ratelimit', 'uint64_t'], ['sgx-epc', 'SgxEPC'],
    ['x-oem-id', 'string'], ['max-fw-size', 'size'], ['default-bus-bypass-iommu', 'bool'], ['sata', 'bool'],
    ['vmport', 'OnOffAuto'], ['i8042', 'bool'], ['hpet', 'bool'], ['smbios-entry-point-type', 'str'],
    ['max-ram-below-4g', 'size'], ['fd-bootchk', 'bool'], ['smbus', 'bool'],
  ],
  // x-south-bridge is the i440FX machine class's own property; the RTC link (rtc_state) is gone.
  machineInstanceOrder: {
    'pc': 'x-south-bridge unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence smram cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat i440fx',
    'pc D': 'x-south-bridge unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence device-memory[0] smram cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat i440fx',
    'pc R': 'x-south-bridge unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence pc.ram[0] smram cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat i440fx',
    'pc D R': 'x-south-bridge device-memory[0] unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence pc.ram[0] smram cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat i440fx',
    'q35': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral nvdimm-persistence q35 smram cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat',
    'q35 D': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral smram nvdimm-persistence device-memory[0] q35 cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat',
    'q35 R': 'unattached fw_cfg qtest peripheral-anon nvdimm peripheral smram nvdimm-persistence pc.ram[0] q35 cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat',
    'q35 D R': 'smram unattached fw_cfg qtest peripheral-anon nvdimm peripheral q35 nvdimm-persistence pc.ram[0] device-memory[0] cxl-fmw rtc-time acpi-device cxl pcspk-audiodev hmat',
    // q35 without SMM ranges (under KVM here): no smram link, and the others in another order (recorded); the other
    // shapes without it keep their order (recorded too).
    'q35 no-smram': 'peripheral-anon qtest q35 fw_cfg peripheral rtc-time cxl unattached pcspk-audiodev nvdimm hmat cxl-fmw nvdimm-persistence acpi-device',
  },
  machineExtraValues: (type) => ({
    'aux-ram-share': false,
    shim: '',
    'smp-cache': ['l1d', 'l1i', 'l2', 'l3'].map((cache) => ({ topology: 'default', cache })),
    'fd-bootchk': true,
    ...(type === 'pc' ? { 'x-south-bridge': 'PIIX3' } : {}),
  }),
  machineSmp: { modules: 1, cpus: 1, maxcpus: 1, books: 1, threads: 1, cores: 1, dies: 1, sockets: 1, clusters: 1, drawers: 1 },
  // pc_*_machine_options: SMBIOS 3.0 (64-bit) entry point from the 8.1 types, "auto" from 9.0.
  smbiosEntryPointType: ([major, minor]) => (major >= 9 ? 'auto' : major === 8 && minor >= 1 ? '64' : '32'),
  pcAcpiDevicePath: '/machine/unattached/device[3]/pm',
  replies: STATIC_10_0,
  qmpSchema: qmpSchema100,
  board: board100,
};
