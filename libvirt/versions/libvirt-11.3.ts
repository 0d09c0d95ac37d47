// libvirt 11.3.0 (Debian 13 trixie's, from bookworm-backports 11.3.0-2~bpo12+1) driving QEMU 10.0.2.
// Each value differs from 9.0 and is pinned by a recording under test/libvirt-11.3/.

import type { LibvirtVersion } from './types';

export const LIBVIRT_11_3: LibvirtVersion = {
  name: '11.3',
  qemu: '10.0',
  // xml-refusals: "error: at line 1: Premature end of data ..." and, at the end of the input, the last line
  xmlErrors: { location: 'at-line', contextAtEnd: 'last-line' },
  // xml-refusals, address-type: virXMLPropEnum(type, REQUIRED | NONZERO)
  addressType: { missing: 'missing-attribute', unknown: 'invalid-attribute' },
  // define-max-no-numa, numa-auto-add*: started with node 0; define-max-no-slots, max-no-slots-*: started
  define: { numaAutoAdd: true, maxMemoryNeedsSlots: false },
  // real-q35-legacy-pci, real-q35-spice-desktop (qxl first), real-vi-fedora-q35: the recorded QEMU 10.0.2 has no
  // spice module (qemu-system-modules-spice is not part of the recorder's tree), so no qxl and no spice
  qemuLacks: { videoModels: ['qxl'], graphics: ['spice'] },
  // the recorder's QEMU log: -machine pc-i440fx-7.2,usb=off,dump-guest-core=off,hpet=off,acpi=on (machine-props-*)
  // rw-q35-spice-redirdev / real-q35-ib700-watchdog: ib700 on q35 refused before the graphics check
  watchdogRefused: { q35: ['ib700'] },
  machineOption: { hpet: 'machine-property', acpiOn: true },
  // base-inside-dimm, busy-slot-base, overlap-*, define-overlap-cold; order-slot-before-node; slot-count
  memory: { conflicts: 'address-ranges', targetNodeCheck: 'after-address', slotCount: 'slots-needed-last' },
};
