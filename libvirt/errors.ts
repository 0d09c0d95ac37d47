// libvirt's errors as values: an error code (virErrorNumber), the libvirt error domain it is reported
// from, and the message. `formatLibvirtError` adds the code's prefix exactly as libvirt's virerror.c does
// ("unsupported configuration: ...", "XML error: ...", none for XML_DETAIL), which is what virsh prints
// after "error: ". Every libvirt message the model produces is spelled in this file.

export type LibvirtErrorCode =
  | 'INTERNAL_ERROR'
  | 'INVALID_ARG'
  | 'XML_ERROR'
  | 'XML_DETAIL'
  | 'CONFIG_UNSUPPORTED'
  | 'OPERATION_INVALID'
  | 'DEVICE_MISSING'
  | 'OVERFLOW'
  | 'NO_NAME'
  | 'NO_CONNECT';

export type LibvirtErrorDomain = 'QEMU' | 'DOMAIN' | 'XML' | 'NONE';

export interface LibvirtError {
  readonly code: LibvirtErrorCode;
  readonly domain: LibvirtErrorDomain;
  /** The message without the code's prefix. */
  readonly message: string;
  /** A short stable key for tests and reports (`slot-busy`, `exceeds-maxmemory`...). */
  readonly key: string;
}

const PREFIX: Readonly<Record<LibvirtErrorCode, string>> = {
  INTERNAL_ERROR: 'internal error: ',
  INVALID_ARG: 'invalid argument: ',
  XML_ERROR: 'XML error: ',
  XML_DETAIL: '',
  CONFIG_UNSUPPORTED: 'unsupported configuration: ',
  OPERATION_INVALID: 'Requested operation is not valid: ',
  DEVICE_MISSING: 'device not found: ',
  OVERFLOW: 'numerical overflow: ',
  NO_NAME: '',
  NO_CONNECT: '',
};

/** The text virsh prints after `error: ` (may span lines, e.g. libxml2 parse errors). */
export function formatLibvirtError(e: LibvirtError): string {
  return PREFIX[e.code] + e.message;
}

export class LibvirtFailure extends Error {
  constructor(readonly error: LibvirtError) {
    super(formatLibvirtError(error));
  }
}

const err = (key: string, code: LibvirtErrorCode, domain: LibvirtErrorDomain, message: string): LibvirtError => ({ key, code, domain, message });

/** The catalogue (wording verified against real libvirt 9.0 where the recipe or test/libvirt has it). */
export const LE = {
  // --- XML (virxml.c, libxml2 through catchXMLError) ---
  /** `where`: `(device_definition):LINE` (libvirt 9.0) or `at line LINE` (11.3). */
  xmlParse: (where: string, message: string, context: string, pointer: string) =>
    err('xml-parse', 'XML_DETAIL', 'XML', `${where}: ${message}${context}\n${pointer}`),
  rootElement: (expected: string, got: string) => err('root-element', 'XML_ERROR', 'DOMAIN', `expecting root element of '${expected}', not '${got}'`),
  missingAttr: (attr: string, element: string) => err('missing-attr', 'XML_ERROR', 'XML', `Missing required attribute '${attr}' in element '${element}'`),
  invalidAttrEnum: (attr: string, element: string, value: string) =>
    err('invalid-attr', 'XML_ERROR', 'XML', `Invalid value for attribute '${attr}' in element '${element}': '${value}'.`),
  invalidAttrUInt: (attr: string, element: string, value: string) =>
    err('invalid-attr', 'XML_ERROR', 'XML', `Invalid value for attribute '${attr}' in element '${element}': '${value}'. Expected non-negative integer value`),
  missingElementOrAttr: (xpath: string) => err('missing-value', 'XML_ERROR', 'XML', `missing element or attribute '${xpath}'`),
  invalidElementOrAttr: (value: string, xpath: string) => err('invalid-value', 'XML_ERROR', 'XML', `Invalid value '${value}' for element or attribute '${xpath}'`),
  unknownSuffix: (suffix: string) => err('unknown-suffix', 'INVALID_ARG', 'NONE', `unknown suffix '${suffix}'`),
  valueTooLarge: (value: string, suffix: string) => err('value-too-large', 'OVERFLOW', 'NONE', `value too large: ${value}${suffix}`),
  sizeTooLarge: () => err('size-too-large', 'OVERFLOW', 'DOMAIN', 'size value too large'),

  // --- domain definition (domain_conf.c, numa_conf.c, domain_postparse.c) ---
  missingName: () => err('missing-name', 'NO_NAME', 'DOMAIN', 'missing name information'),
  slotCountParse: () => err('slots-parse', 'XML_ERROR', 'DOMAIN', 'Failed to parse memory slot count'),
  numaWithoutCells: () => err('numa-no-cells', 'XML_ERROR', 'DOMAIN', 'NUMA topology defined without NUMA cells'),
  numaCellOrder: () =>
    err('numa-cell-order', 'XML_ERROR', 'DOMAIN', "Exactly one 'cell' element per guest NUMA cell allowed, non-contiguous ranges or ranges not starting from 0 are not allowed"),
  numaCellDuplicate: (id: number) => err('numa-cell-dup', 'XML_ERROR', 'DOMAIN', `Duplicate NUMA cell info for cell id '${id}'`),
  watchdogMachine: (model: string) => err('watchdog-machine', 'CONFIG_UNSUPPORTED', 'DOMAIN', `${model} model of watchdog cannot be used with this machine type`),
  numaCpusOverlap: (cell: number, other: number) => err('numa-cpus-overlap', 'CONFIG_UNSUPPORTED', 'DOMAIN', `NUMA cells ${cell} and ${other} have overlapping vCPU ids`),
  numaCpusExceedVcpus: () => err('numa-cpus', 'INTERNAL_ERROR', 'DOMAIN', 'Number of CPUs in <numa> exceeds the <vcpu> count'),
  numaCpuIdsExceedVcpus: () => err('numa-cpu-ids', 'INTERNAL_ERROR', 'DOMAIN', 'CPU IDs in <numa> exceed the <vcpu> count'),
  dimmsExceedTotal: () => err('dimms-exceed-total', 'XML_ERROR', 'DOMAIN', 'Total size of memory devices exceeds the total memory size'),
  memorySizeMissing: () => err('memory-missing', 'XML_ERROR', 'DOMAIN', 'Memory size must be specified via <memory> or in the <numa> configuration'),
  maxMemoryAndSlots: () => err('max-and-slots', 'XML_ERROR', 'DOMAIN', 'both maximum memory size and memory slot count must be specified'),
  /** libvirt ≥ 10: `<maxMemory slots=...>` of size 0. */
  maxMemoryForSlots: () => err('max-for-slots', 'XML_ERROR', 'DOMAIN', 'maximum memory size must be specified when specifying number of memory slots'),
  maxMemoryBelowMemory: () => err('max-below-memory', 'XML_ERROR', 'DOMAIN', 'maximum memory size must be equal or greater than the actual memory size'),
  unknownOsType: (t: string) => err('os-type', 'INTERNAL_ERROR', 'DOMAIN', `unknown OS type '${t}'`),
  machineNotSupported: (emulator: string, machine: string) =>
    err('machine', 'CONFIG_UNSUPPORTED', 'QEMU', `Emulator '${emulator}' does not support machine type '${machine}'`),
  videoModelUnsupported: (model: string) => err('video-model', 'CONFIG_UNSUPPORTED', 'QEMU', `domain configuration does not support video model '${model}'`),
  graphicsUnsupported: (type: string) => err('graphics', 'CONFIG_UNSUPPORTED', 'QEMU', `${type} graphics are not supported with this QEMU`),
  noPciBuses: () => err('no-pci-buses', 'XML_ERROR', 'DOMAIN', 'No PCI buses available'),
  noEmptySlot: () => err('no-empty-slot', 'INTERNAL_ERROR', 'QEMU', 'failed to find an empty memory slot'),

  // --- memory devices (domain_conf.c, domain_validate.c, qemu_domain.c) ---
  missingTarget: () => err('missing-target', 'XML_ERROR', 'DOMAIN', 'missing <target> element for <memory> device'),
  invalidNode: () => err('invalid-node', 'XML_ERROR', 'DOMAIN', 'invalid value of memory device node'),
  noAddressType: () => err('no-address-type', 'INTERNAL_ERROR', 'DOMAIN', 'No type specified for device address'),
  unknownAddressType: (t: string) => err('unknown-address-type', 'CONFIG_UNSUPPORTED', 'DOMAIN', `unknown address type '${t}'`),
  noNumaForNode: () => err('no-numa-for-node', 'XML_DETAIL', 'DOMAIN', "can't add memory backend as guest has no NUMA nodes configured"),
  nodeOutOfRange: (node: number, count: number) =>
    err('node-out-of-range', 'XML_DETAIL', 'DOMAIN', `can't add memory backend for guest node '${node}' as the guest has only '${count}' NUMA nodes configured`),
  noMaxMemory: () => err('no-maxmemory', 'CONFIG_UNSUPPORTED', 'DOMAIN', "cannot use/hotplug a memory device when domain 'maxMemory' is not defined"),
  exceedsMaxMemory: (sizeKiB: bigint, maxKiB: bigint) =>
    err('exceeds-maxmemory', 'CONFIG_UNSUPPORTED', 'DOMAIN', `Attaching memory device with size '${sizeKiB}' would exceed domain's maxMemory config size '${maxKiB}'`),
  onlyDimmAddresses: () => err('only-dimm-addresses', 'CONFIG_UNSUPPORTED', 'QEMU', "only 'dimm' addresses are supported for the pc-dimm device"),
  targetNodeRequired: () => err('target-node-required', 'CONFIG_UNSUPPORTED', 'QEMU', 'target NUMA node needs to be specified for memory device'),
  slotExceeds: (slot: number, slots: number) => err('slot-exceeds', 'CONFIG_UNSUPPORTED', 'QEMU', `memory device slot '${slot}' exceeds slots count '${slots}'`),
  slotBusy: (slot: number) => err('slot-busy', 'CONFIG_UNSUPPORTED', 'QEMU', `memory device slot '${slot}' is already being used by another memory device`),
  /** libvirt ≥ 10 (virDomainMemoryDefCheckConflict): [start:end] in bytes, end exclusive. */
  addressOverlap: (start: bigint, end: bigint, otherStart: bigint) =>
    err('address-overlap', 'CONFIG_UNSUPPORTED', 'DOMAIN', `memory device address [0x${start.toString(16)}:0x${end.toString(16)}] overlaps with other memory device (0x${otherStart.toString(16)})`),
  baseBusy: (base: bigint) => err('base-busy', 'CONFIG_UNSUPPORTED', 'QEMU', `memory device base '0x${base.toString(16)}' is already being used by another memory device`),
  numaRequired: () => err('numa-required', 'CONFIG_UNSUPPORTED', 'QEMU', 'At least one numa node has to be configured when enabling memory hotplug'),
  countExceedsSlots: (count: number, slots: number) => err('count-exceeds-slots', 'CONFIG_UNSUPPORTED', 'QEMU', `memory device count '${count}' exceeds slots count '${slots}'`),
  /** libvirt ≥ 10. */
  slotsNeededExceedSlots: (count: number, slots: number) =>
    err('count-exceeds-slots', 'CONFIG_UNSUPPORTED', 'QEMU', `count of memory devices requiring memory slots '${count}' exceeds slots count '${slots}'`),
  hotplugSpace: () => err('hotplug-space', 'CONFIG_UNSUPPORTED', 'QEMU', 'memory device total size exceeds hotplug space'),
  notPresent: (model: string) => err('not-present', 'DEVICE_MISSING', 'QEMU', `model '${model}' memory device not present in the domain configuration`),
  qemuCommand: (command: string, desc: string) => err('qemu-command', 'INTERNAL_ERROR', 'QEMU', `unable to execute QEMU command '${command}': ${desc}`),
  notRunning: () => err('not-running', 'OPERATION_INVALID', 'DOMAIN', 'domain is not running'),
  processExited: (qemuError: string) => err('process-exited', 'INTERNAL_ERROR', 'QEMU', `process exited while connecting to monitor: qemu-system-x86_64: ${qemuError}`),
  /** The referee's private libvirtd loads only the QEMU driver (shared/reference recipe §2 f). */
  noNetworkDriver: () => err('no-network-driver', 'NO_CONNECT', 'NONE', 'no connection driver available for network:///system'),
  hostNodeUnavailable: (node: number) => err('host-node-unavailable', 'CONFIG_UNSUPPORTED', 'QEMU', `NUMA node ${node} is unavailable`),
  noHugetlbfs: () => err('no-hugetlbfs', 'INTERNAL_ERROR', 'QEMU', 'hugetlbfs filesystem is not mounted or disabled by administrator config'),
  alignOverflow: (what: string) => err('align-overflow', 'CONFIG_UNSUPPORTED', 'QEMU', `${what} overflowed after alignment`),
} as const;
