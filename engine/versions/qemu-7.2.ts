// QEMU 7.2 (Debian 12's 7.2.22): the release the engine was first written against. engine/errors.ts holds
// its messages, so it overrides none; the other modules of this folder say how later releases differ.

import { MONITOR_7_2 } from './monitor';
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
  removedMachineProperties: [],
  gpeTracepoints: 'piix4',
  reset: { pitLevels: [0, 0, 0, 1], isaOrder: ['i8042', 'rtc', 'i8259'] },
  ich9MemoryHotplugProperty: true,
  q35InfoPicMasterFirst: false,
  deviceAddFromJson: false,
  memoryDeviceSizeCheckFirst: false,
  memfdCprFds: false,
  qtestDeviceCastAborts: false,
  pciCommandHookCoversWord: false,
  pm1CntByteOffsets: false,
  removedOptions: [],
  // qom-list /machine/unattached: device[8] (pc) / device[7] (q35) is the hpet
  // info qom-tree /machine/unattached of -M pc,hpet=off: non-qdev-gpio[0..8] (acpi=off: [0..6])
  pcNoHpetNonQdevGpios: { acpi: 9, noAcpi: 7 },
  defaultAudioBackend: true,
  q35SmmRangesNeedSmm: false,
  i8259Ltim: false,
  monitor: MONITOR_7_2,
};
