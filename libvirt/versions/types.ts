// What differs between the libvirt versions the model knows, as data (the way QEMU keeps compat
// properties): one code path in libvirt/*.ts, each difference a named field here, one file per version.
// Every field was found by recording real libvirt (scripts/record-libvirt.sh --libvirt-version V) and
// reading that version's sources for where the check sits; see README "libvirt versions".

export type LibvirtVersionName = '9.0' | '11.3';
/** The QEMU versions a libvirt layer can drive (the engine's versions). */
export type QemuVersionName = '7.2' | '10.0';

export interface LibvirtVersion {
  readonly name: LibvirtVersionName;
  /** The QEMU of the same Debian release, which this libvirt was recorded driving. */
  readonly qemu: QemuVersionName;
  /** libxml2 parse errors (catchXMLError). */
  readonly xmlErrors: {
    /** `(device_definition):LINE: ...` (the document's name) or `at line LINE: ...`. */
    readonly location: 'document-name' | 'at-line';
    /** At the end of the input: an empty context `(null)` (9.0) or the last line of text (11.3 steps back over the NUL). */
    readonly contextAtEnd: 'empty' | 'last-line';
  };
  /** `<address type=...>` of a device. */
  readonly addressType: {
    /** Absent: `internal error: No type specified for device address` or `XML error: Missing required attribute 'type' ...`. */
    readonly missing: 'internal-error' | 'missing-attribute';
    /** Unknown: `unsupported configuration: unknown address type 'X'` or `XML error: Invalid value for attribute 'type' ...`. */
    readonly unknown: 'unsupported-configuration' | 'invalid-attribute';
  };
  /** Define-time post-parse (qemuDomainDefPostParse, virDomainDefPostParseMemory). */
  readonly define: {
    /** maxMemory without <numa>: libvirt adds NUMA node 0 holding the initial memory (qemuDomainDefNumaAutoAdd). */
    readonly numaAutoAdd: boolean;
    /** `<maxMemory>` needs `slots` (and slots need a size): `both maximum memory size and memory slot count must be specified`. */
    readonly maxMemoryNeedsSlots: boolean;
  };
  /**
   * What the QEMU libvirt probed lacks (its capabilities), checked in device validation: videos first, then
   * graphics. The recorded QEMU 10.0 is the recorder's unpacked qemu-system-x86 without the spice module package.
   */
  readonly qemuLacks: {
    readonly videoModels: readonly string[];
    readonly graphics: readonly string[];
  };
  /**
   * Watchdog models a machine type cannot have (qemuValidateDomainDeviceDefWatchdog, after the videos): 11.3 refuses
   * the ISA ib700 on q35 (`ib700 model of watchdog cannot be used with this machine type`); 9.0 starts it.
   */
  readonly watchdogRefused: { readonly q35: readonly string[] };
  /**
   * The `-machine` option (qemuBuildMachineCommandLine), besides `usb=off,dump-guest-core=off` which both write:
   * `<timer name='hpet' present='no'/>` as QEMU 7.2's `-no-hpet` (9.0) or as the machine property `hpet=off`
   * (11.3; QEMU 10.0 has no -no-hpet), and whether `<acpi/>` is written as `acpi=on` (11.3; qom-get
   * /machine acpi then says "on", not "auto").
   */
  readonly machineOption: { readonly hpet: 'no-hpet' | 'machine-property'; readonly acpiOn: boolean };
  /** Memory device checks (qemuDomainDefValidateMemoryHotplug and friends). */
  readonly memory: {
    /**
     * Where two dimms clash: `slot-then-base` = in the hotplug validation, per other device the same slot,
     * then the same base (9.0: qemuCheckMemoryDimmConflict); `address-ranges` = in device validation
     * (virDomainMemoryDefCheckConflict, before maxMemory is even looked at), the same slot, then any
     * overlap of [base, base+size) with another device that has a base.
     */
    readonly conflicts: 'slot-then-base' | 'address-ranges';
    /** `target NUMA node needs to be specified` before the address checks (9.0) or after them (11.3). */
    readonly targetNodeCheck: 'before-address' | 'after-address';
    /** The slot count check: before the per-device checks with `memory device count` (9.0) or after them with `count of memory devices requiring memory slots` (11.3). */
    readonly slotCount: 'device-count-first' | 'slots-needed-last';
  };
}
