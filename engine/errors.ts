// The error catalogue. Errors are values with a code, QMP class and QEMU's exact wording (typos
// included: "no slots where allocated", "must by aligned"). Nothing else in the engine spells a message.

import { hex } from './units';

export type ErrorClass = 'GenericError' | 'DeviceNotFound' | 'CommandNotFound' | 'DeviceNotActive';

export interface QemuError {
  readonly code: string;
  readonly class: ErrorClass;
  readonly desc: string;
}

export const generic = (code: string, desc: string): QemuError => ({ code, class: 'GenericError', desc });

/** `%llu` of a possibly negative int64 printed as uint64, as QEMU does for `ram_slots - 1`. */
const u64 = (v: bigint): string => (v < 0n ? (v + (1n << 64n)).toString() : v.toString());

export const E = {
  // --- start-up (machine_set_mem, pc_memory_init, numa) ---
  slotsWithoutMaxmem: () => generic('slots-without-maxmem', 'slots specified but no max-size'),
  maxmemBelowSize: (maxmem: bigint, size: bigint) =>
    generic('maxmem-below-size', `invalid value of maxmem: maximum memory size (${hex(maxmem)}) must be at least the initial memory size (${hex(size)})`),
  maxmemEqualsSize: (maxmem: bigint, size: bigint) =>
    generic('maxmem-equals-size', `invalid value of maxmem: memory slots were specified but maximum memory size (${hex(maxmem)}) is equal to the initial memory size (${hex(size)})`),
  ramTooLarge: () => generic('ram-too-large', 'ram size too large'),
  tooManySlots: (slots: bigint) => generic('too-many-slots', `unsupported amount of memory slots: ${slots}`),
  maxmemUnaligned: () => generic('maxmem-unaligned', 'maximum memory size must by aligned to multiple of 4096 bytes'),
  maxmemOverflow: (maxmem: bigint) => generic('maxmem-overflow', `unsupported amount of maximum memory: ${hex(maxmem)}`),
  physBitsTooLow: (limit: bigint, used: bigint, bits: number) =>
    generic('phys-bits', `Address space limit ${hex(limit)} < ${hex(used)} phys-bits too low (${bits})`),
  memoryNotSupported: (machine: string) => generic('memory-not-supported', `"-memory 'slots|maxmem'" is not supported by: ${machine}`),
  numaTotalMismatch: (total: bigint, ram: bigint) =>
    generic('numa-total', `total memory for NUMA nodes (${hex(total)}) should equal RAM size (${hex(ram)})`),
  reservedRamName: (id: string) =>
    generic('reserved-ram-name', `object name '${id}' is reserved for the default RAM backend, it can't be used for any other purposes. Change the object's 'id' to something else`),
  numaMaxNodes: (node: number) => generic('numa-max-nodes', `Max number of NUMA nodes reached: ${node}`),
  numaDuplicateNode: (node: number) => generic('numa-duplicate-node', `Duplicate NUMA nodeid: ${node}`),
  numaMemMixed: () => generic('numa-mem-mixed', 'numa configuration should use either mem= or memdev=,mixing both is not allowed'),
  numaMemUnsupported: () => generic('numa-mem-unsupported', 'Parameter -numa node,mem is not supported by this machine type'),
  numaNodeMissing: (node: number) => generic('numa-node-missing', `numa: Node ID missing: ${node}`),
  numaCpuIndex: (cpu: number, max: number) => generic('numa-cpu-index', `CPU index (${cpu}) should be smaller than maxcpus (${max})`),
  numaCpuAssigned: (node: number) => generic('numa-cpu-assigned', `CPU is already assigned to node-id: ${node}`),
  numaMemdevAmbiguous: (memdev: string) => generic('numa-memdev', `memdev=${memdev} is ambiguous`),
  invalidAccelerator: (name: string) => generic('invalid-accel', `invalid accelerator ${name}`),

  // --- QMP generic / qdev ---
  commandNotFound: (cmd: string) => ({ code: 'command-not-found', class: 'CommandNotFound' as const, desc: `The command ${cmd} has not been found` }),
  parameterMissing: (name: string) => generic('parameter-missing', `Parameter '${name}' is missing`),
  parameterType: (name: string, type: string) => generic('parameter-type', `Parameter '${name}' expects ${type}`),
  parameterValue: (name: string, value: string) => generic('parameter-value', `Parameter '${name}' does not accept value '${value}'`),
  invalidParameter: (name: string) => generic('invalid-parameter', `Invalid parameter '${name}'`),
  invalidParameterType: (name: string, type: string) => generic('invalid-parameter-type', `Invalid parameter type for '${name}', expected: ${type}`),
  parameterUnexpected: (name: string) => generic('parameter-unexpected', `Parameter '${name}' is unexpected`),
  deviceNotFound: (id: string) => ({ code: 'device-not-found', class: 'DeviceNotFound' as const, desc: `Device '${id}' not found` }),
  notHotpluggableDevice: (id: string) => generic('not-hotpluggable-device', `${id} is not a hotpluggable device`),
  duplicateOptsId: (id: string, list: 'object' | 'device') => generic('duplicate-opts-id', `Duplicate ID '${id}' for ${list}`),
  duplicateDeviceId: (id: string) => generic('duplicate-device-id', `Duplicate device ID '${id}'`),
  propertyNotFound: (driver: string, prop: string) => generic('property-not-found', `Property '${driver}.${prop}' not found`),
  propertyNotWritable: (driver: string, prop: string) => generic('property-not-writable', `Property '${driver}.${prop}' is not writable`),
  driverMissing: () => generic('driver-missing', "Parameter 'driver' is missing"),
  busNotFound: (bus: string) => generic('bus-not-found', `Bus '${bus}' not found`),
  busWrongType: (driver: string, busType: string) => generic('bus-wrong-type', `Device '${driver}' can't go on ${busType} bus`),
  invalidDriver: (driver: string) => generic('invalid-driver', `'${driver}' is not a valid device model name`),
  notADeviceType: () => generic('not-a-device', "Parameter 'typename' expects a non-abstract device type"),
  noBalloon: () => ({ code: 'no-balloon', class: 'DeviceNotActive' as const, desc: 'No balloon device has been activated' }),
  capabilitiesDone: () => ({ code: 'caps-done', class: 'CommandNotFound' as const, desc: 'Capabilities negotiation is already complete, command ignored' }),
  qmpExecuteNotString: () => generic('qmp-malformed', "QMP input member 'execute' must be a string"),
  qmpArgumentsNotObject: () => generic('qmp-malformed', "QMP input member 'arguments' must be an object"),
  globalNotApplied: (text: string, property: string) => generic('global-not-applied', `can't apply global ${text}: Property '${property}' not found`),
  /** A machine type QEMU refuses to start, in the words of the version data (engine/versions/). */
  unsupportedMachine: (desc: string) => generic('unsupported-machine', desc),

  // --- QOM properties (qom-set) ---
  cannotChangeSize: (type: string) => generic('cannot-change-size', `cannot change property size of ${type} `),
  cannotChangeValue: () => generic('cannot-change', 'cannot change property value'),
  setLinkAfterRealize: (id: string | undefined, prop: string) =>
    generic('set-after-realize', `Attempt to set link property '${prop}' on device '${id}' (type 'pc-dimm') after it was realized`),
  setPropertyAfterRealize: (id: string | undefined, prop: string) =>
    generic('set-after-realize', `Attempt to set property '${prop}' on device '${id}' (type 'pc-dimm') after it was realized`),
  setAnonymousPropertyAfterRealize: (prop: string, type: string) =>
    generic('set-after-realize', `Attempt to set property '${prop}' on anonymous device (type '${type}') after it was realized`),

  // --- /machine properties (qom-set) ---
  oemIdTooLong: (prop: 'x-oem-id' | 'x-oem-table-id', max: number) => generic(prop === 'x-oem-id' ? 'oem-id' : 'oem-table-id', `User specified ${prop} value is bigger than ${max} bytes in size`),
  noMemoryEncryptionObject: (id: string) => generic('memory-encryption', `No such memory encryption object '${id}'`),
  nvdimmPersistence: (value: string) => generic('nvdimm-persistence', `-machine nvdimm-persistence=${value}: unsupported option`),
  maxRamBelow4gTooBig: (v: bigint) => generic('max-ram-below-4g', `Machine option 'max-ram-below-4g=${v}' expects size less than or equal to 4G`),

  // --- backends (object-add / object-del) ---
  backendSizeZero: (type: string) => generic('backend-size-zero', `property 'size' of ${type} doesn't take value '0'`),
  duplicateObject: (id: string) => generic('duplicate-object', `attempt to add duplicate property '${id}' to object (type 'container')`),
  objectInUse: (id: string) => generic('object-in-use', `object '${id}' is in use, can not be deleted`),
  objectNotFound: (id: string) => generic('object-not-found', `object '${id}' not found`),
  invalidObjectType: (type: string) => generic('invalid-object-type', `invalid object type: ${type}`),
  /** `name` is the RAM region's name (the id, or /objects/ID up to 3.1 machine types); 7.2 does not print it. */
  backingStoreMismatch: (fileSize: bigint, size: bigint, _name?: string) =>
    generic('backing-store-mismatch', `backing store size ${hex(fileSize)} does not match 'size' option ${hex(size)}`),
  backendSizeNotPageMultiple: (type: string, page: string) => generic('backend-size-page', `backend '${type}' memory size must be multiple of ${page}`),
  cannotAllocate: (id: string) => generic('cannot-allocate', `cannot set up guest memory '${id}': Cannot allocate memory`),
  /** host_memory_backend_set_prealloc / set_reserve refuse the pair whichever is set second. */
  preallocReserve: () => generic('prealloc-reserve', "'prealloc=on' and 'reserve=off' are incompatible"),
  hostNodesForDefault: () => generic('host-nodes-default', 'host-nodes must be empty for policy default, or you should explicitly specify a policy other than default'),
  hostNodesUnset: (policy: string) => generic('host-nodes-unset', `host-nodes must be set for policy ${policy}`),

  // --- pc-dimm pre_plug / realize (in QEMU's check order) ---
  acpiMissing: () => generic('acpi-missing', 'memory hotplug is not enabled: missing acpi device or acpi disabled'),
  memhpOff: (dev: 'PIIX4_PM' | 'ICH9-LPC') => generic('memhp-off', `memory hotplug is not enabled: ${dev}.memory-hotplug-support is not set`),
  invalidSlot: (slot: bigint, ramSlots: bigint) => generic('invalid-slot', `invalid slot number ${slot}, valid range is [0-${u64(ramSlots - 1n)}]`),
  noSlotsAllocated: () => generic('no-slots', "no slots where allocated, please specify the 'slots' option"),
  slotBusy: (slot: bigint) => generic('slot-busy', `slot ${slot} is busy`),
  noFreeSlots: () => generic('no-free-slots', 'no free slots available'),
  memdevNotSet: () => generic('memdev-not-set', "'memdev' property must be set"),
  memdevUnknown: (id: string) => ({ code: 'memdev-unknown', class: 'DeviceNotFound' as const, desc: `Device '${id}' not found` }),
  deviceMemoryNotEnabled: () => generic('devmem-disabled', 'memory devices (e.g. for memory hotplug) are not enabled, please specify the maxmem option'),
  noKvmSlots: () => generic('no-kvm-slots', 'hypervisor has no free memory slots left'),
  notEnoughSpace: (used: bigint, total: bigint) =>
    generic('not-enough-space', `not enough space, currently ${hex(used)} in use of total space for memory devices ${hex(total)}`),
  addrUnaligned: (align: bigint) => generic('addr-unaligned', `address must be aligned to ${hex(align)} bytes`),
  sizeUnaligned: (align: bigint) => generic('size-unaligned', `backend memory size must be multiple of ${hex(align)}`),
  addrOutOfRange: (addr: bigint, size: bigint, base: bigint, space: bigint) =>
    generic('addr-out-of-range', `can't add memory device [${hex(addr)}:${hex(size)}], usable range for memory devices [${hex(base)}:${hex(space)}]`),
  deviceTooBig: () => generic('device-too-big', "can't add memory device, device too big"),
  addrConflict: (id: string | undefined) => generic('addr-conflict', `address range conflicts with memory device id='${id ?? '(unnamed)'}'`),
  fragmented: () => generic('fragmented', 'could not find position in guest address space for memory device - memory fragmented due to alignments'),
  nodeOutOfRange: (node: bigint, nodes: number) =>
    generic('node-out-of-range', `'DIMM property node has value ${node}' which exceeds the number of numa nodes: ${nodes}`),
  memdevBusy: (id: string) => generic('memdev-busy', `can't use already busy memdev: ${id}`),

  // --- audio (sound devices' audiodev property) ---
  audiodevNotFound: (driver: string, id: string) => generic('audiodev-not-found', `Property '${driver}.audiodev' can't find value '${id}'`),
  noDefaultAudioDriver: () => generic('no-default-audio-driver', 'no default audio driver available'),
  invalidOption: (option: string) => generic('invalid-option', `${option}: invalid option`),

  // --- ACPI ---
  noAcpiDevice: () => generic('no-acpi-device', 'command is not supported, missing ACPI device'),
  /** acpi_memory_slot_status (error_setg; the callers' callers ignore it). */
  invalidMemorySlot: (path: string, slot: bigint) => generic('invalid-memory-slot', `acpi_memory_slot_status: device [${path}] returned invalid memory slot[${slot}]`),
} as const;

/**
 * qtest's own reply lines (softmmu/qtest.c) and the model's `FAIL` for a line that makes real QEMU abort
 * (g_assert on a malformed request): the model answers instead of aborting, and says so.
 */
export const QTEST = {
  unknownDevice: () => 'FAIL Unknown device',
  interceptAlreadyEnabled: () => 'FAIL IRQ intercept already enabled',
  unknownCommand: (cmd: string) => `FAIL Unknown command '${cmd}'`,
  invalidArgumentSize: () => 'ERR invalid argument size',
  /** A request real QEMU aborts on: `FAIL <why> (QEMU would abort)`. */
  wouldAbort: (why: string) => `FAIL ${why} (QEMU would abort)`,
  /** A request beyond what the model holds (buffers, GPIOs): `FAIL <why>`. */
  beyondModel: (why: string) => `FAIL ${why}`,
} as const;

/** HMP's own messages (monitor/hmp.c): the text the monitor prints, "\r\n" line ends. */
export const HMP = {
  error: (msg: string) => `Error: ${msg}\r\n`,
  /** `cmd` as typed: a command, or `info NAME`. */
  unknownCommand: (cmd: string) => `unknown command: '${cmd}'\r\n`,
  tryHelp: (cmd: string) => `Try "help ${cmd}" for more information\r\n`,
  /** A missing required string argument (args_type `s`). */
  stringExpected: (cmd: string) => `${cmd}: string expected\r\n` + HMP.tryHelp(cmd),
  /** A bad argument of `name` (the monitor's parse error, then the hint for `help`, e.g. `info mtree`). */
  badArgument: (name: string, why: string, help: string = name) => `${name}: ${why}\r\n` + HMP.tryHelp(help),
};

export type ErrorCode = ReturnType<(typeof E)[keyof typeof E]>['code'];

/** Prefix a start-up error caused by one option, as QEMU's error location does (`-device pc-dimm,...: `). */
export function atOption(option: string, err: QemuError): QemuError {
  return { ...err, desc: `${option}: ${err.desc}` };
}

/**
 * Thrown (never returned) when a request is valid QEMU but outside what the model models: answering it
 * with an invented reply would be a lie, so the scenario fails with this message instead.
 */
export class ModelLimit extends Error {
  constructor(message: string) {
    super(`not modelled: ${message}`);
  }
}
