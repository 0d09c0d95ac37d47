// QEMU 10.0 (Debian 13's 10.0.2, recorded from bookworm-backports' build): how it differs from 7.2, found
// by recording every referee scenario on both releases and diffing (test/replay-10.0/).

import { generic } from '../errors';
import { QOM_10_0 } from './qemu-10.0-qom';
import { hex } from '../units';
import { qemuReleases, versionedTypes, versionLe, type QemuVersionData } from './types';

export const QEMU_10_0: QemuVersionData = {
  version: '10.0',
  release: '10.0.2',
  // `-M help`: pc-i440fx-2.4 ... 10.0 and pc-q35-2.4 ... 10.0 (+ pc-q35-4.0.1); up to 7.0 deprecated
  // ("machines more than 3 years old are subject to deletion after 6 years"); pc-i440fx-1.4 ... 2.3 removed.
  machineTypes: [
    ...versionedTypes('pc', qemuReleases([2, 4], [10, 0]), [7, 0]),
    ...versionedTypes('q35', qemuReleases([2, 4], [10, 0]), [7, 0], [{ suffix: '4.0.1', version: [4, 0] }]),
  ],
  aliases: { pc: 'pc-i440fx-10.0', q35: 'pc-q35-10.0' },
  messages: {
    // find_device_state
    notHotpluggableDevice: (id) => generic('not-hotpluggable-device', `${id} is not a device`),
    // memory_device_pre_plug / memory_device_check_addable
    deviceMemoryNotEnabled: () => generic('devmem-disabled', 'the configuration is not prepared for memory devices (e.g., for memory hotplug), consider specifying the maxmem option'),
    noKvmSlots: () => generic('no-kvm-slots', 'hypervisor has not enough free memory slots left'),
    // create_default_memdev
    reservedRamName: (id) => generic('reserved-ram-name', `object's id '${id}' is reserved for the default RAM backend, it can't be used for any other purposes`),
    // qemu_ram_alloc_from_fd: the memfd's file is smaller than the page-aligned size (named by its region)
    backingStoreMismatch: (fileSize, size, name) =>
      generic('backing-store-mismatch', `${name} backing store size ${hex(fileSize)} is too small for 'size' option ${hex(size)} plus 'offset' option 0x0`),
  },
  unsupportedMachine: (name) => `unsupported machine type: "${name}"`,
  // The machine's device-memory-region-size property is gone (qom-get: Property '...' not found).
  deviceAddFromJson: true,
  build: { major: 10, minor: 0, micro: 2, package: 'Debian 1:10.0.2+ds-2+deb13u1~bpo12+1' },
  statusSinglestep: false,
  infoPicMasterFirstOnQ35: true,
  pitResetPulse: false,
  // PIIX4_PM is now the `pm` child of the PIIX3 south bridge (/machine/unattached/device[3]).
  acpiDevicePath: { pc: '/machine/unattached/device[3]/pm', q35: '/machine/unattached/device[2]' },
  machineQom: QOM_10_0,
  // 32-bit entry point up to the 8.0 types, 64-bit for 8.1 and 8.2, auto from 9.0 on.
  smbiosEntryPointType: (m) => (versionLe(m, [8, 0]) ? '32' : versionLe(m, [8, 2]) ? '64' : 'auto'),
  machinePropertyValues: {
    smp: { modules: 1, cpus: 1, maxcpus: 1, books: 1, threads: 1, cores: 1, dies: 1, sockets: 1, clusters: 1, drawers: 1 },
  },
  removedDeviceProperties: [{ machine: 'q35', driver: 'ICH9-LPC', prop: 'memory-hotplug-support' }],
  memfdCprFds: true,
  memoryDeviceSizeCheckFirst: true,
  qtestDeviceCastAborts: true,
  removedMachineProperties: ['device-memory-region-size', 'rtc_state'],
};
