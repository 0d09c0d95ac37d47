// libvirt 9.0.0 (Debian 12 bookworm, 9.0.0-4+deb12u2) driving QEMU 7.2: the reference the model started from.

import type { LibvirtVersion } from './types';

export const LIBVIRT_9_0: LibvirtVersion = {
  name: '9.0',
  qemu: '7.2',
  xmlErrors: { location: 'document-name', contextAtEnd: 'empty' },
  addressType: { missing: 'internal-error', unknown: 'unsupported-configuration' },
  define: { numaAutoAdd: false, maxMemoryNeedsSlots: true },
  qemuLacks: { videoModels: [], graphics: [] },
  // the recorder's QEMU log: -machine pc-i440fx-7.2,usb=off,dump-guest-core=off -no-hpet
  watchdogRefused: { q35: [] },
  machineOption: { hpet: 'no-hpet', acpiOn: false },
  memory: { conflicts: 'slot-then-base', targetNodeCheck: 'before-address', slotCount: 'device-count-first' },
};
