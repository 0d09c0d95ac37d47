// The QMP facade: a command object in, QEMU's reply object out, over the pure engine. Argument
// validation speaks QAPI's words ("Parameter 'x' is missing", "Invalid parameter type ..."), so a
// malformed command gets the same answer from the model as from QEMU.

import { cpuQomPath, vcpus, type Vcpu } from '../machine/cpus';
import type { MachineState } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { NO_EFFECTS, trace, type Effects, merge, nest } from '../effects';
import type { Outcome } from '../outcome';
import { deleteBackend } from '../devices/backends';
import { objectAdd as addObject } from '../devices/object-add';
import { addDevice, addDeviceFromJson, qmp_device_del } from '../devices/qdev';
import { isIdentifier } from '../config/parse';
import {
  pluggedMemory, qint, queryMemoryDevices, queryMemorySizeSummary,
} from '../selectors';
import { qdictOrder } from '../qom/qdict';
import { firstUnvisited } from '../qom/unvisited';
import { queryMemdev } from '../qom/objects';
import { qomGet, qomList, qomSet } from './qmp-qom';
import { systemReset } from '../machine/reset';
import { queryAcpiOspmStatus } from '../acpi/ospm';
import { hmp } from './hmp';
import { CPU_THREAD_ID_PLACEHOLDER } from './cpu';
import { queryVersion } from './build-info';
import { systemPowerdown } from '../acpi/power-button';

export interface QmpCommandIn {
  readonly execute?: unknown;
  readonly arguments?: unknown;
}

/** What one reduced step produced. `state` is the input object itself when nothing changed. */
export interface Reduced {
  readonly state: MachineState;
  readonly reply: unknown;
  readonly fx: Effects;
}

export const qmpError = (e: QemuError) => ({ error: { class: e.class, desc: e.desc } });

const answer = (state: MachineState, ret: unknown, fx: Effects = NO_EFFECTS): Reduced => ({ state, reply: { return: ret }, fx });
const refused = (state: MachineState, e: QemuError, fx: Effects = NO_EFFECTS): Reduced => ({ state, reply: qmpError(e), fx });

function fromOutcome(state: MachineState, o: Outcome<MachineState>): Reduced {
  return o.ok ? answer(o.state, {}, o.fx) : refused(state, o.error, o.fx);
}

type Args = Readonly<Record<string, unknown>>;

const isInt = (v: unknown): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

/** QAPI string argument: missing or of another type is refused with QAPI's wording. */
function str(args: Args, name: string): { ok: true; value: string } | { ok: false; error: QemuError } {
  const v = args[name];
  if (v === undefined) return { ok: false, error: E.parameterMissing(name) };
  if (typeof v !== 'string') return { ok: false, error: E.invalidParameterType(name, 'string') };
  return { ok: true, value: v };
}

/** QemuOpts conversion of a device_add argument (qemu_opts_from_qdict): numbers and booleans become text. */
function optText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isInt(v)) return v.toString();
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return undefined; // dicts, lists and null are dropped by the conversion
}

function objectAdd(state: MachineState, args: Args): Reduced {
  const r = addObject(state, { mode: 'json', args, order: Object.keys(args) });
  // QEMU 10.0 keeps a failed memfd's fd registered (r.state): the one refusal that changes the state.
  if (!r.ok) return refused(r.state ?? state, r.error);
  return answer(r.state, {}, trace('user_creatable_add_type', () => `${r.type} ${r.id}`));
}

function objectDel(state: MachineState, args: Args): Reduced {
  const id = str(args, 'id');
  if (!id.ok) return refused(state, id.error);
  const r = deleteBackend(state, id.value);
  const t = trace('user_creatable_del', id.value);
  return r.ok ? answer(r.state, {}, t) : refused(state, r.error, t);
}

function deviceAdd(state: MachineState, args: Args): Reduced {
  if (state.config.qemu.deviceAddFromJson) return deviceAdded(state, addDeviceFromJson(state, args));
  // qemu_opts_from_qdict: the id (only a string one) is checked when the QemuOpts are created, before
  // anything else; the other entries become QemuOpts in QDict order (non-scalar values are dropped).
  const id = typeof args['id'] === 'string' ? args['id'] : undefined;
  if (id !== undefined && !isIdentifier(id)) return refused(state, E.parameterType('id', 'an identifier'));
  const props: Array<[string, string]> = [];
  let driver: string | undefined;
  for (const k of qdictOrder(Object.keys(args))) {
    if (k === 'id') continue;
    const text = optText(args[k]);
    if (text === undefined) continue;
    if (k === 'driver') driver = text;
    else props.push([k, text]);
  }
  return deviceAdded(state, addDevice(state, { driver, id, props }, true));
}

/**
 * device_add's reply, its trace rooted under the QMP handler QEMU enters first (qmp_device_add). The effects are
 * given to the reply directly, not through a copy of the outcome: a spread there saw outcomes of many shapes.
 */
function deviceAdded(state: MachineState, o: Outcome<MachineState>): Reduced {
  const fx = merge(trace('qmp_device_add'), nest(o.fx));
  return o.ok ? answer(o.state, {}, fx) : refused(state, o.error, fx);
}

function deviceDel(state: MachineState, args: Args): Reduced {
  const id = str(args, 'id');
  if (!id.ok) return refused(state, id.error);
  return fromOutcome(state, qmp_device_del(state, id.value));
}

function qomGetCmd(state: MachineState, args: Args): Reduced {
  const path = str(args, 'path');
  if (!path.ok) return refused(state, path.error);
  const prop = str(args, 'property');
  if (!prop.ok) return refused(state, prop.error);
  const r = qomGet(state, path.value, prop.value);
  return r.ok ? answer(state, r.value) : refused(state, r.error);
}

function qomSetCmd(state: MachineState, args: Args): Reduced {
  const path = str(args, 'path');
  if (!path.ok) return refused(state, path.error);
  const prop = str(args, 'property');
  if (!prop.ok) return refused(state, prop.error);
  if (!('value' in args)) return refused(state, E.parameterMissing('value'));
  const r = qomSet(state, path.value, prop.value, args['value']);
  return r.ok ? answer(r.value, {}) : refused(state, r.error);
}

function qomListCmd(state: MachineState, args: Args): Reduced {
  const path = str(args, 'path');
  if (!path.ok) return refused(state, path.error);
  const r = qomList(state, path.value);
  return r.ok ? answer(state, r.value) : refused(state, r.error);
}

/** QOM type introspection for the types the model knows; any other type is not modelled. */
function deviceListProperties(state: MachineState, args: Args): Reduced {
  const t = str(args, 'typename');
  if (!t.ok) return refused(state, t.error);
  const known = state.config.qemu.monitor.replies.deviceListProperties[t.value];
  if (known) return answer(state, known);
  if (['memory-backend', 'memory-backend-ram', 'memory-backend-memfd'].includes(t.value)) {
    return refused(state, E.notADeviceType());
  }
  throw new ModelLimit(`device-list-properties of '${t.value}'`);
}

function qomListProperties(state: MachineState, args: Args): Reduced {
  const t = str(args, 'typename');
  if (!t.ok) return refused(state, t.error);
  const known = state.config.qemu.monitor.replies.qomListProperties[t.value];
  if (known) return answer(state, known);
  throw new ModelLimit(`qom-list-properties of '${t.value}'`);
}

function qomListTypes(state: MachineState, args: Args): Reduced {
  const impl = args['implements'];
  const abs = args['abstract'];
  if (impl !== undefined && typeof impl !== 'string') return refused(state, E.invalidParameterType('implements', 'string'));
  if (abs !== undefined && typeof abs !== 'boolean') return refused(state, E.invalidParameterType('abstract', 'boolean'));
  if (impl === undefined) throw new ModelLimit('qom-list-types of every type');
  const known = state.config.qemu.monitor.replies.qomListTypes[abs ? `${impl} abstract` : impl];
  if (known) return answer(state, known);
  throw new ModelLimit(`qom-list-types implementing '${impl}'`);
}

/** A vCPU's topology ids, with its node when the machine has NUMA nodes (explicit or implied by memory hotplug). */
function cpuProps(state: MachineState, cpu: Vcpu) {
  const node = state.layout.cpuNodes?.[cpu.index] ?? state.layout.cpuNode ?? 0;
  return state.layout.numNodes > 0
    ? { 'core-id': cpu.core, 'thread-id': cpu.thread, 'node-id': node, 'socket-id': cpu.socket }
    : { 'core-id': cpu.core, 'thread-id': cpu.thread, 'socket-id': cpu.socket };
}

/** The possible CPUs, last first (all present: maxcpus = cpus). */
function queryHotpluggableCpus(state: MachineState): unknown[] {
  return vcpus(state.config).reverse().map((c) => ({ props: cpuProps(state, c), 'vcpus-count': 1, 'qom-path': cpuQomPath(c.index), type: 'qemu64-x86_64-cpu' }));
}


function queryCpusFast(state: MachineState): unknown[] {
  return vcpus(state.config).map((c) => ({ 'thread-id': CPU_THREAD_ID_PLACEHOLDER, props: cpuProps(state, c), 'qom-path': cpuQomPath(c.index), 'cpu-index': c.index, target: 'x86_64' }));
}

/** The QAPI type names of QEMU's "Invalid parameter type" message, for the builtin types of the schema. */
const QAPI_TYPE: Readonly<Record<string, { name: string; ok: (v: unknown) => boolean }>> = {
  str: { name: 'string', ok: (v) => typeof v === 'string' },
  int: { name: 'integer', ok: isInt },
  bool: { name: 'boolean', ok: (v) => typeof v === 'boolean' },
  any: { name: 'any', ok: () => true },
};

/**
 * QAPI's input visitor over a command's arguments, as the build's schema declares them: each declared member in
 * order (missing, or of another builtin type), then an argument the command does not declare (the first in QDict
 * order). device_add and object-add are visited by their own code (their extra arguments are properties).
 */
function visitArguments(state: MachineState, name: string, args: Args): QemuError | undefined {
  if (name === 'device_add' || name === 'object-add' || name === 'qmp_capabilities') return undefined;
  const members = state.config.qemu.monitor.qmpSchema().commandMembers(name);
  if (!members) return undefined;
  for (const m of members) {
    const v = args[m.name];
    if (v === undefined) {
      if (!m.optional) return E.parameterMissing(m.name);
      continue;
    }
    const t = QAPI_TYPE[m.type];
    if (t && !t.ok(v)) return E.invalidParameterType(m.name, t.name);
  }
  // qobject_input_start_struct copies the QDict's keys into a GHashTable, each visited member is removed from it,
  // and check_struct names the first key left in hash-table order.
  const extra = undeclaredArgument(args, members);
  return extra === undefined ? undefined : E.parameterUnexpected(extra);
}

/**
 * `firstUnvisited(the keys given a value, the members given a value)`: the argument check_struct names. When
 * every key given a value is a member given one (as many own keys as own members with a value: almost every
 * request), none is left, found without the lists (test/qmp-visit.property.test.ts: the same answer).
 */
export function undeclaredArgument(args: Args, members: readonly { readonly name: string }[]): string | undefined {
  const keys = Object.keys(args);
  let given = 0;
  for (const k of keys) if (args[k] !== undefined) given++;
  let seen = 0;
  for (const m of members) if (args[m.name] !== undefined && Object.prototype.hasOwnProperty.call(args, m.name)) seen++;
  if (given === seen) return undefined;
  return firstUnvisited(keys.filter((k) => args[k] !== undefined), members.filter((m) => args[m.name] !== undefined).map((m) => m.name));
}

/** query-balloon: `actual` is the guest's memory size (boot RAM plus plugged DIMMs) while no guest driver runs. */
function queryBalloon(state: MachineState): Reduced {
  if (!state.config.passiveDevices.some((d) => d.driver === 'virtio-balloon-pci')) {
    return refused(state, E.noBalloon());
  }
  return answer(state, { actual: qint(state.config.ramSize + pluggedMemory(state)) });
}

function humanMonitorCommand(state: MachineState, args: Args): Reduced {
  const line = str(args, 'command-line');
  if (!line.ok) return refused(state, line.error);
  const r = hmp(state, line.value);
  return { state: r.state, reply: { return: r.reply }, fx: r.fx };
}

type Handler = (state: MachineState, args: Args) => Reduced;

/** The QMP commands the model answers: the one list its dispatcher and the qemu backend's allowlist use. */
const COMMANDS: Readonly<Record<string, Handler>> = {
  qmp_capabilities: (s) => refused(s, E.capabilitiesDone()),
  'query-balloon': queryBalloon,
  system_reset: (s) => {
    const r = systemReset(s);
    return answer(r.state, {}, r.fx);
  },
  'query-status': (s) => answer(s, s.config.qemu.monitor.statusSinglestep ? { status: 'prelaunch', singlestep: false, running: false } : { status: 'prelaunch', running: false }),
  'query-version': (s) => answer(s, queryVersion(s.config.qemu.monitor.build)),
  'query-current-machine': (s) => answer(s, { 'wakeup-suspend-support': s.acpi.device !== 'none' }),
  'query-hotpluggable-cpus': (s) => answer(s, queryHotpluggableCpus(s)),
  'query-cpus-fast': (s) => answer(s, queryCpusFast(s)),
  'query-qmp-schema': (s) => answer(s, s.config.qemu.monitor.qmpSchema().entries),
  'query-machines': (s) => answer(s, s.config.qemu.monitor.replies.queryMachines),
  'query-commands': (s) => answer(s, s.config.qemu.monitor.replies.queryCommands.map((name) => ({ name }))),
  'device-list-properties': deviceListProperties,
  'qom-list-properties': qomListProperties,
  'qom-list-types': qomListTypes,
  system_powerdown: (s) => {
    const r = systemPowerdown(s);
    return answer(r.state, {}, r.fx);
  },
  'object-add': objectAdd,
  'object-del': objectDel,
  device_add: deviceAdd,
  device_del: deviceDel,
  'query-memory-devices': (s) => answer(s, queryMemoryDevices(s)),
  'query-memory-size-summary': (s) => answer(s, queryMemorySizeSummary(s)),
  'query-acpi-ospm-status': (s) => {
    const r = queryAcpiOspmStatus(s);
    return r.ok ? answer(s, r.value) : refused(s, r.error);
  },
  'qom-get': qomGetCmd,
  'qom-list': qomListCmd,
  'qom-set': qomSetCmd,
  'query-memdev': (s) => answer(s, queryMemdev(s)),
  'human-monitor-command': humanMonitorCommand,
};

export const MODELLED_QMP_COMMANDS: readonly string[] = Object.keys(COMMANDS);
/** The handlers by name in a Map: a look-up by a name V8 has not seen at this site is cheaper than an own-property check and load on the literal. */
const HANDLERS: ReadonlyMap<string, Handler> = new Map(Object.entries(COMMANDS));

/** Commands QEMU has that the model does not answer (listed so they fail as "not modelled", not "not found"). */
const UNMODELLED = new Set(['cont', 'stop', 'quit', 'x-query-irq', 'query-pci']);

export function qmp(state: MachineState, command: QmpCommandIn): Reduced {
  if (typeof command !== 'object' || command === null || typeof command.execute !== 'string') {
    return refused(state, E.qmpExecuteNotString());
  }
  const name = command.execute;
  const handler = HANDLERS.get(name);
  if (!handler) {
    // A command this QEMU has (query-commands) that the model does not answer is not modelled; others are unknown.
    if (UNMODELLED.has(name) || state.config.qemu.monitor.replies.queryCommands.includes(name)) throw new ModelLimit(`QMP command '${name}'`);
    return refused(state, E.commandNotFound(name));
  }
  const args = command.arguments ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return refused(state, E.qmpArgumentsNotObject());
  }
  const bad = visitArguments(state, name, args as Args);
  if (bad) return refused(state, bad);
  return handler(state, args as Args);
}
