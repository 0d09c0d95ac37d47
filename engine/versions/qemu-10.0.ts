// QEMU 10.0 (Debian 13's 10.0.2, recorded from bookworm-backports' build): how it differs from 7.2, found
// by recording every referee scenario on both releases and diffing (test/replay-10.0/).

import { generic } from '../errors';
import { hex } from '../units';
import { MONITOR_10_0 } from './monitor';
import { qemuReleases, versionedTypes, type QemuVersionData } from './types';

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
    // the audiodev property's setter (audio_be_by_name)
    audiodevNotFound: (_driver, id) => generic('audiodev-not-found', `audiodev '${id}' not found`),
  },
  unsupportedMachine: (name) => `unsupported machine type: "${name}"`,
  // The machine's device-memory-region-size property is gone (qom-get: Property '...' not found).
  removedMachineProperties: ['device-memory-region-size'],
  // The GPE trace points moved from PIIX4's accessors into the ACPI core (hw/acpi/trace-events).
  gpeTracepoints: 'acpi-core',
  // Recorded with trace events: the PIT only raises IRQ 0 (no falling edge: `IRQ raise 0` only when it was
  // low), and the i8259 pair resets (slave cascade lowered) before the RTC lowers IRQ 8.
  reset: { pitLevels: [1], isaOrder: ['i8042', 'i8259', 'rtc'] },
  ich9MemoryHotplugProperty: false,
  q35InfoPicMasterFirst: true,
  // qmp_device_add hands the arguments to qdev_device_add_from_qdict as JSON (typed errors, no id rule).
  deviceAddFromJson: true,
  // memory_device_pre_plug: the region size against its alignment before the address hint.
  memoryDeviceSizeCheckFirst: true,
  // memfd backends register their fd for CPR by name; a failed one leaves it for the next of that name.
  memfdCprFds: true,
  // irq_intercept_in on a bus: DEVICE() asserts and QEMU aborts.
  qtestDeviceCastAborts: true,
  pciCommandHookCoversWord: true,
  pm1CntByteOffsets: true,
  // -no-hpet is gone (deprecated in 8.0, removed in 9.0): libvirt 11.3 writes `-machine ...,hpet=off` instead.
  removedOptions: ['-no-hpet'],
  // The i440FX south bridge's reset control (0xcf9) is PIIX's now, shared by PIIX3 and PIIX4.
  regionNames: { 'piix3-reset-control': 'piix-reset-control' },
  deviceMemoryAddressSpace: true,
  // qom-list /machine/unattached: device[6] (pc) / device[5] (q35) is the hpet
  // info qom-tree /machine/unattached of -M pc,hpet=off: non-qdev-gpio[0..19] (acpi=off: [0..18])
  pcNoHpetNonQdevGpios: { acpi: 20, noAcpi: 19 },
  // audio_get_default_audio_be finds no driver on the referee host: every sound device needs audiodev=.
  defaultAudioBackend: false,
  q35SmmRangesNeedSmm: true,
  i8259Ltim: true,
  monitor: MONITOR_10_0,
};
