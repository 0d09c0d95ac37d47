// QEMU 7.2 (Debian 12's 7.2.22): the release the engine was first written against. engine/errors.ts holds
// its messages, so it overrides none; the other modules of this folder say how later releases differ.

import { qemuReleases, versionedTypes, type QemuVersionData } from './types';

export const QEMU_7_2: QemuVersionData = {
  version: '7.2',
  release: '7.2.22',
  // `-M help`: pc-i440fx-1.4 ... 7.2 (1.4-1.7 deprecated), pc-q35-2.4 ... 7.2 and pc-q35-4.0.1.
  machineTypes: [
    ...versionedTypes('pc', qemuReleases([1, 4], [7, 2]), [1, 7]),
    ...versionedTypes('q35', qemuReleases([2, 4], [7, 2]), undefined, [{ suffix: '4.0.1', version: [4, 0] }]),
  ],
  aliases: { pc: 'pc-i440fx-7.2', q35: 'pc-q35-7.2' },
  messages: {},
  unsupportedMachine: () => 'unsupported machine type',
  deviceAddFromJson: false,
  build: { major: 7, minor: 2, micro: 22, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' },
  statusSinglestep: true,
  infoPicMasterFirstOnQ35: false,
  pitResetPulse: true,
  acpiDevicePath: { pc: '/machine/unattached/device[18]', q35: '/machine/unattached/device[2]' },
  smbiosEntryPointType: () => '32',
  machinePropertyValues: {},
  removedDeviceProperties: [],
  memfdCprFds: false,
  memoryDeviceSizeCheckFirst: false,
  qtestDeviceCastAborts: false,
  removedMachineProperties: [],
};
