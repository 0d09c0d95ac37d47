// qdev_device_add for the one device the model knows: driver, bus and id checks, then properties in QDict
// order (QEMU 7.2 turns QMP arguments into QemuOpts strings, so every value is parsed from text), then
// realize (device_set_realized: the machine's hotplug handler around pc_dimm_realize). Property errors
// therefore come before any pre_plug check (e.g. an unknown memdev). And the way out: qmp_device_del →
// qdev_unplug → the machine's unplug request (softmmu/qdev-monitor.c, hw/core/qdev.c).

import type { Dimm, MachineState } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { qdictOrder, qdictOrderShared } from '../qom/qdict';
import { ghashHas, ghashInsert } from '../qom/ghash';
import { PERIPHERAL, resolvePathAt } from '../qom/tree';
import { merge, nest, trace, type Effects } from '../effects';
import { refuse, succeed, type Outcome } from '../outcome';
import { isIdentifier, parseInt64 } from '../config/parse';
import { messagesOf, qemuOf } from '../versions';
import { findBackend, setMapped } from './backends';
import { pc_dimm_realize, peripheralPath, type DimmRequest } from './pc-dimm';
import { withDimm } from './placement';
import { pc_machine_device_plug_cb, pc_machine_device_pre_plug_cb, pc_machine_device_unplug_request_cb } from '../machine/pc';
import { stateWithDimms } from '../records';

export interface DeviceAddRequest {
  readonly driver?: string;
  readonly id?: string;
  /**
   * Remaining properties as QemuOpts key/value strings, in QemuOpts order (a repeated key: the last value
   * wins). QEMU applies them in QDict order (see qom/qdict.ts), which is what decides between two errors.
   */
  readonly props: ReadonlyArray<readonly [string, string]>;
}

/** The device the model plugs (device_add / -device): the qemu backend's allowlist uses the same constant. */
export const MODELLED_DEVICE = 'pc-dimm';

/** Real QEMU devices the model does not model: refusing them with QEMU's words would be a lie. */
export const KNOWN_UNMODELLED = new Set(['nvdimm', 'virtio-mem-pci', 'virtio-pmem-pci', 'virtio-balloon-pci', 'e1000', 'virtio-net-pci']);

const U32_MAX = (1n << 32n) - 1n;
const U64 = 1n << 64n;
/** 2^63: an int64's bound (made once). */
const I63 = 1n << 63n;
const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;

function parseU64(text: string): bigint | undefined {
  const v = parseInt64(text);
  if (v === undefined) return undefined;
  if (v < 0n) return v < -U64 + 1n ? undefined : v + U64; // strtoull wraps negatives
  return v >= U64 ? undefined : v;
}

/** The buses of a -nodefaults pc / q35 board (`info qtree`), by name → QOM type. */
function boardBuses(state: MachineState): ReadonlyMap<string, string> {
  const m = new Map<string, string>([['main-system-bus', 'System'], ['isa.0', 'ISA'], ['i2c', 'i2c-bus']]);
  if (state.config.type === 'pc') {
    m.set('pci.0', 'PCI');
    for (const n of [0, 1]) m.set(`ide.${n}`, 'IDE');
  } else {
    m.set('pcie.0', 'PCIE');
    for (const n of [0, 1, 2, 3, 4, 5]) m.set(`ide.${n}`, 'IDE');
  }
  return m;
}

/** qbus_find for a `bus` argument, then the bus-type check: pc-dimm has no bus type, so every bus refuses it. */
function busError(state: MachineState, driver: string, path: string): QemuError {
  const first = path.split('/')[0];
  if (path.startsWith('/') || path.includes('/') || first === 'floppy-bus.0') throw new ModelLimit(`device_add bus path '${path}'`);
  const type = boardBuses(state).get(first);
  if (type !== undefined) return E.busWrongType(driver, type);
  if (state.config.passiveDevices.length > 0) throw new ModelLimit(`device_add bus '${path}' next to -device ${state.config.passiveDevices[0].driver}`);
  return E.busNotFound(first);
}

const isQnumInt = (v: unknown): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

/**
 * How a property's value is read: QEMU's visitors. The string input visitor parses QemuOpts text (7.2's
 * qmp_device_add, HMP device_add, -device); the QObject input visitor takes typed JSON (10.0's qmp_device_add).
 */
interface PropertyVisitor {
  str(name: string, v: unknown): string | QemuError;
  int64(name: string, v: unknown): bigint | QemuError;
  uint64(name: string, v: unknown): bigint | QemuError;
}

const STRING_INPUT_VISITOR: PropertyVisitor = {
  str: (_name, v) => String(v),
  int64: (name, v) => parseInt64(String(v)) ?? E.parameterType(name, 'integer'),
  uint64: (name, v) => parseU64(String(v)) ?? E.parameterType(name, 'integer'),
};

const QOBJECT_INPUT_VISITOR: PropertyVisitor = {
  str: (name, v) => (typeof v === 'string' ? v : E.invalidParameterType(name, 'string')),
  int64: (name, v) => {
    if (!isQnumInt(v)) return E.invalidParameterType(name, 'integer');
    const n = BigInt(v);
    return n < -I63 || n >= I63 ? E.invalidParameterType(name, 'integer') : n;
  },
  uint64: (name, v) => {
    if (!isQnumInt(v)) return E.parameterType(name, 'uint64');
    const n = BigInt(v);
    if (n >= U64 || n < -I63) return E.parameterType(name, 'uint64');
    return n < 0n ? n + U64 : n; // negatives accepted for backward compatibility
  },
};

/** Partial QOM paths that name objects every machine has (containers, the PCI host, its IOAPIC, unattached devices). */
const QOM_NAMES_NOT_BACKENDS = /^(\/|\/machine(\/(peripheral|peripheral-anon|unattached|fw_cfg|i440fx|q35))?|machine|objects|chardevs|peripheral|peripheral-anon|unattached|fw_cfg|qtest|i440fx|q35|ioapic|pci\.0|pcie\.0|isa\.0|device\[\d\]|\/objects)$/;

/**
 * Whether a realized DIMM has this id. Every such id is a child of /machine/peripheral (`state.peripheral`, a hash
 * table): an id not there is no DIMM's, without a walk over the DIMMs.
 */
function hasDimmId(state: MachineState, id: string): boolean {
  return ghashHas(state.peripheral, id) && state.dimms.some((d) => d.id === id);
}

/** pc-dimm's property setters (memdev, slot, addr, node; size is read-only): the first refusal, or none. */
function setDimmProperty(
  state: MachineState,
  dimm: { -readonly [K in keyof DimmRequest]: DimmRequest[K] },
  key: string,
  value: unknown,
  visit: PropertyVisitor,
): QemuError | undefined {
  switch (key) {
    case 'memdev': {
      const v = visit.str('memdev', value);
      if (typeof v !== 'string') return v;
      // object_set_link_property: an empty path clears the link (realize then wants a memdev).
      if (v === '') {
        dimm.memdev = undefined;
        return undefined;
      }
      // object_resolve_link: a path naming a backend (its id, or /objects/ID), else another object (a wrong type), else none.
      const id = v.startsWith('/objects/') ? v.slice('/objects/'.length) : v;
      if (!findBackend(state, id)) {
        if (state.dimms.some((d) => d.id === v || d.path === v) || QOM_NAMES_NOT_BACKENDS.test(v)) return E.invalidParameterType('memdev', 'memory-backend');
        return E.memdevUnknown(v);
      }
      dimm.memdev = id;
      return undefined;
    }
    case 'slot': {
      const v = visit.int64('slot', value);
      if (typeof v !== 'bigint') return v;
      if (v < I32_MIN || v > I32_MAX) return E.parameterType('slot', 'int32_t');
      dimm.slot = v;
      return undefined;
    }
    case 'addr': {
      const v = visit.uint64('addr', value);
      if (typeof v !== 'bigint') return v;
      dimm.addr = v;
      return undefined;
    }
    case 'node': {
      const v = visit.uint64('node', value);
      if (typeof v !== 'bigint') return v;
      if (v > U32_MAX) return E.parameterType('node', 'uint32_t');
      dimm.node = v;
      return undefined;
    }
    case 'size':
      return E.propertyNotWritable('pc-dimm', 'size');
    default:
      return E.propertyNotFound('pc-dimm', key);
  }
}

/**
 * qmp_device_add of QEMU releases that hand the QMP arguments to qdev_device_add_from_qdict as they are
 * (`from_json`, 10.0): the driver must be a string, the id is any string (no identifier rule; a non-string
 * id makes an anonymous device) and each property goes through the QObject input visitor, typed.
 */
export function addDeviceFromJson(state: MachineState, args: Readonly<Record<string, unknown>>): Outcome<MachineState> {
  const driver = typeof args['driver'] === 'string' ? args['driver'] : undefined;
  const t = trace('qdev_device_add_from_qdict', driver);
  if (driver === undefined) return refuse(E.driverMissing(), t);
  if (driver !== MODELLED_DEVICE) {
    if (KNOWN_UNMODELLED.has(driver)) throw new ModelLimit(`device '${driver}' (the model knows pc-dimm)`);
    return refuse(E.invalidDriver(driver), t);
  }
  const bus = typeof args['bus'] === 'string' ? args['bus'] : undefined;
  if (bus !== undefined) return refuse(busError(state, driver, bus), t);
  const id = typeof args['id'] === 'string' ? args['id'] : undefined;
  if (id !== undefined) {
    // object_property_try_add_child: `[*]` numbers the name, `/` makes a path that resolves elsewhere.
    if (id.includes('/') || id.endsWith('[*]')) throw new ModelLimit(`device_add with the id '${id}' (a QOM path or an auto-numbered name)`);
    if (hasDimmId(state, id) || state.config.passiveDevices.some((d) => d.id === id)) return refuse(E.duplicateDeviceId(id), t);
  }
  const dimm: { -readonly [K in keyof DimmRequest]: DimmRequest[K] } = { id, slot: -1n, addr: 0n, node: 0n };
  // object_set_properties_from_keyval: the QDict's entries in its order, each through the input visitor.
  const keys = qdictOrder(Object.keys(args)).filter((k) => k !== 'driver' && k !== 'bus' && k !== 'id');
  for (const key of keys) {
    const err = setDimmProperty(state, dimm, key, args[key], QOBJECT_INPUT_VISITOR);
    if (err) return refuse(err, t);
  }
  const r = device_set_realized(state, dimm, true);
  return r.ok ? { ...r, fx: merge(t, nest(r.fx)) } : r;
}

/** The last value given for option `key` (what qemu_opts_to_qdict keeps), or undefined. */
export function lastOption(props: DeviceAddRequest['props'], key: string): string | undefined {
  for (let i = props.length - 1; i >= 0; i--) if (props[i][0] === key) return props[i][1];
  return undefined;
}

/**
 * The option keys in the order qdev_device_add applies them: the QDict qemu_opts_to_qdict makes (the id first, then
 * each option) in QDict order; 'id' is among them (the caller skips it). Shared, not a copy.
 */
export function optionKeysInQdictOrder(props: DeviceAddRequest['props']): readonly string[] {
  const keys = new Array<string>(props.length + 1);
  keys[0] = 'id';
  for (let i = 0; i < props.length; i++) keys[i + 1] = props[i][0];
  return qdictOrderShared(keys);
}

export function addDevice(state: MachineState, req: DeviceAddRequest, hotplugged: boolean): Outcome<MachineState> {
  const t = trace('qdev_device_add', req.driver);
  if (req.driver === undefined) return refuse(E.driverMissing(), t);
  if (req.driver !== MODELLED_DEVICE) {
    if (KNOWN_UNMODELLED.has(req.driver)) throw new ModelLimit(`device '${req.driver}' (the model knows pc-dimm)`);
    return refuse(E.invalidDriver(req.driver), t);
  }
  // qemu_opts_to_qdict: one entry per key, the last value given (a device has a handful of options: found by a
  // scan from the end, without a Map or intermediate lists; test/qdev-options.property.test.ts).
  const props = req.props;
  const bus = lastOption(props, 'bus');
  if (bus !== undefined) return refuse(busError(state, req.driver, bus), t);
  if (req.id !== undefined) {
    if (!isIdentifier(req.id)) return refuse(E.parameterType('id', 'an identifier'), t);
    if (hasDimmId(state, req.id) || state.config.passiveDevices.some((d) => d.id === req.id)) {
      return refuse(E.duplicateDeviceId(req.id), t);
    }
  }
  const ordered = optionKeysInQdictOrder(props);
  const dimm: { -readonly [K in keyof DimmRequest]: DimmRequest[K] } = { id: req.id, slot: -1n, addr: 0n, node: 0n };
  for (let i = 0; i < ordered.length; i++) {
    const key = ordered[i];
    if (key === 'id') continue;
    const value = lastOption(props, key);
    if (value === undefined) continue;
    const err = setDimmProperty(state, dimm, key, value, STRING_INPUT_VISITOR);
    if (err) return refuse(err, t);
  }
  // Known divergence: QEMU's qdev_set_id consumes a peripheral-anon index even when realize fails; the
  // engine keeps a refused action's state untouched, so only successful anonymous devices count.
  const r = device_set_realized(state, dimm, hotplugged);
  // `{ ...r, fx }` as a literal of the shape succeed() gives.
  return r.ok ? { ok: true, state: r.state, fx: merge(t, nest(r.fx)) } : r;
}

/**
 * device_set_realized(pc-dimm, true): hotplug_handler_pre_plug (the machine's pc_machine_device_pre_plug_cb),
 * the device's realize (pc_dimm_realize), then hotplug_handler_plug (pc_machine_device_plug_cb). `hotplugged`
 * is true for device_add after machine init (even paused) and false for `-device` on the command line. The
 * caller (qdev_device_add) has already checked the id and resolved memdev.
 */
export function device_set_realized(state: MachineState, req: DimmRequest, hotplugged: boolean): Outcome<MachineState> {
  let fx: Effects = trace('device_set_realized', () => `pc-dimm ${req.id ?? 'anonymous'}`, 0);
  const pre = pc_machine_device_pre_plug_cb(state, req, 1);
  fx = merge(fx, pre.fx);
  if (!pre.ok) return refuse(pre.error, fx);
  const { slot, addr, backend } = pre.value;
  const realized = pc_dimm_realize(state, req, backend, 1);
  fx = merge(fx, realized.fx);
  if (realized.error) return refuse(realized.error, fx);
  const dimm: Dimm = { id: req.id, path: peripheralPath(state, req.id), memdev: backend.id, slot, addr, node: req.node, size: backend.size, hotplugged };
  let next: MachineState = setMapped(state, backend.id, true);
  next = stateWithDimms(
    next,
    withDimm(next.dimms, dimm),
    req.id === undefined ? next.peripheral : ghashInsert(next.peripheral, req.id),
    req.id === undefined ? next.anonCount + 1 : next.anonCount,
  );
  const plugged = pc_machine_device_plug_cb(next, dimm, 1);
  return succeed(plugged.state, merge(fx, plugged.fx));
}

/** qmp_device_del (HMP's device_del too): find the device, qdev_unplug. Repeats are accepted and re-raise the GPE. */
export function qmp_device_del(state: MachineState, id: string): Outcome<MachineState> {
  // find_device_state: the id is a QOM path relative to /machine/peripheral (or absolute).
  const node = resolvePathAt(state, PERIPHERAL, id);
  if (!node) return refuse(E.deviceNotFound(id), trace('qmp_device_del', () => `no device '${id}' under /machine/peripheral`));
  if (node.kind === 'passive') throw new ModelLimit(`device_del of ${node.driver}`);
  if (node.kind !== 'dimm') return refuse(messagesOf(qemuOf(state.config)).notHotpluggableDevice(id), trace('qmp_device_del', () => `'${id}' is not a device`));
  const r = qdev_unplug(state, node.dimm, 1);
  const fx = merge(trace('qmp_device_del', node.dimm.id ?? node.dimm.path), r.fx);
  return r.ok ? succeed(r.state, fx) : refuse(r.error, fx);
}

/** qdev_unplug: hotplug_handler_unplug_request of the DIMM's handler, the machine (pc_machine_device_unplug_request_cb). */
export function qdev_unplug(state: MachineState, dimm: Dimm, depth: number): ReturnType<typeof pc_machine_device_unplug_request_cb> {
  const r = pc_machine_device_unplug_request_cb(state, dimm, depth + 1);
  return { ...r, fx: merge(trace('qdev_unplug', undefined, depth), r.fx) };
}
