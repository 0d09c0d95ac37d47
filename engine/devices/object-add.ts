// object-add / object_add / -object of a memory backend, in QEMU 7.2's order: the QAPI visit of
// ObjectOptions (qom-type, id, then the branch's members in schema order, then "unexpected" leftovers in
// GHashTable order), then user_creatable_add_type (id syntax, properties, the child under /objects, and
// completion, where a memfd's size is checked against its page-aligned RAM block).

import type { BackendPolicy, MachineState } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { isIdentifier } from '../config/parse';
import { firstUnvisited } from '../qom/unvisited';
import { parseQemuSize } from '../units';
import { addBackend, backendProps, type BackendType } from './backends';

/** QAPI's ObjectType enum (qapi/qom.json): any other qom-type is refused by the visitor. */
export const OBJECT_TYPES: ReadonlySet<string> = new Set([
  'authz-list', 'authz-listfile', 'authz-pam', 'authz-simple', 'can-bus', 'can-host-socketcan', 'colo-compare',
  'cryptodev-backend', 'cryptodev-backend-builtin', 'cryptodev-backend-lkcf', 'cryptodev-vhost-user', 'dbus-vmstate',
  'filter-buffer', 'filter-dump', 'filter-mirror', 'filter-redirector', 'filter-replay', 'filter-rewriter',
  'input-barrier', 'input-linux', 'iothread', 'main-loop', 'memory-backend-epc', 'memory-backend-file',
  'memory-backend-memfd', 'memory-backend-ram', 'pef-guest', 'pr-manager-helper', 'qtest', 'rng-builtin', 'rng-egd',
  'rng-random', 'secret', 'secret_keyring', 'sev-guest', 'thread-context', 's390-pv-guest', 'throttle-group',
  'tls-creds-anon', 'tls-creds-psk', 'tls-creds-x509', 'tls-cipher-suites', 'x-remote-object',
]);

/** The object types the model creates: the one list object-add and the qemu backend's allowlist use. */
export const MODELLED_OBJECT_TYPES: readonly BackendType[] = ['memory-backend-ram', 'memory-backend-memfd', 'memory-backend-file'];

/** MemoryBackendProperties, then MemoryBackendMemfdProperties' own members, in schema order. */
const BACKEND_MEMBERS = ['dump', 'host-nodes', 'merge', 'policy', 'prealloc', 'prealloc-threads', 'prealloc-context', 'share', 'reserve', 'size', 'x-use-canonical-path-for-ramblock-id'];
const MEMFD_MEMBERS = ['hugetlb', 'hugetlbsize', 'seal'];
/** MemoryBackendFileProperties' own members, in schema order (QEMU 7.2). */
const FILE_MEMBERS = ['align', 'discard-data', 'mem-path', 'pmem', 'readonly'];
/** The members a backend type's visitor takes, in its order: the common ones, then the type's own (made once). */
const MEMFD_VISITED: readonly string[] = [...BACKEND_MEMBERS, ...MEMFD_MEMBERS];
const FILE_VISITED: readonly string[] = [...BACKEND_MEMBERS, ...FILE_MEMBERS];
/** Members the model accepts without modelling them (they change nothing it shows). */
const BOOL_MEMBERS = new Set(['dump', 'merge', 'prealloc', 'share', 'reserve', 'seal', 'hugetlb', 'discard-data']);

/** `json`: QMP arguments (typed JSON values); `keyval`: HMP object_add text (every value a string). */
export type ObjectAddInput = { readonly mode: 'json' | 'keyval'; readonly args: Readonly<Record<string, unknown>>; readonly order: readonly string[] };

export type ObjectAddResult =
  | { readonly ok: true; readonly state: MachineState; readonly type: BackendType; readonly id: string }
  | { readonly ok: false; readonly error: QemuError; readonly hint?: string; readonly state?: MachineState };

/** 2^64 and 2^63: a uint64's and an int64's bounds (made once, not at every object-add). */
const U64 = 1n << 64n;
const I63 = 1n << 63n;

const fail = (error: QemuError, hint?: string): ObjectAddResult => ({ ok: false, error, hint });
const ID_HINT = "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.";

function visitStr(input: ObjectAddInput, name: string): { ok: true; value: string } | { ok: false; error: QemuError } {
  const v = input.args[name];
  if (v === undefined) return { ok: false, error: E.parameterMissing(name) };
  if (typeof v !== 'string') return { ok: false, error: E.invalidParameterType(name, 'string') };
  return { ok: true, value: v };
}

function visitBool(input: ObjectAddInput, name: string): QemuError | undefined {
  const v = input.args[name];
  if (input.mode === 'json') return typeof v === 'boolean' ? undefined : E.invalidParameterType(name, 'boolean');
  return typeof v === 'string' && ['on', 'yes', 'true', 'y', 'off', 'no', 'false', 'n'].includes(v) ? undefined : E.parameterType(name, "'on' or 'off'");
}

function visitSize(input: ObjectAddInput): { ok: true; value: bigint } | { ok: false; error: QemuError } {
  const v = input.args['size'];
  if (v === undefined) return { ok: false, error: E.parameterMissing('size') };
  if (input.mode === 'keyval') {
    const s = typeof v === 'string' && !/^\s*-/.test(v) ? parseQemuSize(v) : undefined;
    return s === undefined ? { ok: false, error: E.parameterType('size', 'size') } : { ok: true, value: s };
  }
  if (!(typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) return { ok: false, error: E.parameterType('size', 'uint64') };
  const n = BigInt(v);
  if (n >= U64 || n < -I63) return { ok: false, error: E.parameterType('size', 'uint64') };
  return { ok: true, value: n < 0n ? n + U64 : n }; // negatives accepted for uint64 (backward compatibility)
}

/**
 * keyval's list syntax (`host-nodes.0=0,host-nodes.1=1`): the indexed keys become one list member, in index
 * order; anything else with a dot (other indexes, nested keys) is not modelled.
 */
function keyvalLists(input: ObjectAddInput): ObjectAddInput {
  if (input.mode !== 'keyval' || !input.order.some((k) => k.includes('.'))) return input;
  const items: string[] = [];
  const args: Record<string, unknown> = {};
  const order: string[] = [];
  for (const k of input.order) {
    const m = /^host-nodes\.(\d+)$/.exec(k);
    if (!m) {
      if (k.includes('.')) throw new ModelLimit(`object_add key '${k}' (keyval's nested syntax)`);
      args[k] = input.args[k];
      order.push(k);
      continue;
    }
    if (Number(m[1]) !== items.length) throw new ModelLimit(`object_add key '${k}' (keyval list indexes out of order)`);
    items.push(String(input.args[k]));
    if (!order.includes('host-nodes')) order.push('host-nodes');
  }
  args['host-nodes'] = items;
  return { ...input, args, order };
}

/**
 * Whether member `m` was given a value: `args[m] !== undefined`, for the arguments the callers pass (plain objects: QMP's
 * JSON, HMP's keyval), whose own keys `keys` are listed once. Most members are absent, and looking an absent key up on
 * objects of many shapes takes V8's slow path (≈ 3% of a replay's time); the list is searched first
 * (test/object-add-members.property.test.ts).
 */
export function memberGiven(args: Readonly<Record<string, unknown>>, keys: readonly string[], m: string): boolean {
  return keys.includes(m) && args[m] !== undefined;
}

export function objectAdd(state: MachineState, input0: ObjectAddInput): ObjectAddResult {
  const input = keyvalLists(input0);
  // The visitor's table of not-yet-visited keys (engine/qom/unvisited.ts): the members visited, in order.
  const visited: string[] = [];
  const visit = (k: string) => { visited.push(k); };

  const type = visitStr(input, 'qom-type');
  if (!type.ok) return fail(type.error);
  visit('qom-type');
  if (!OBJECT_TYPES.has(type.value)) return fail(E.parameterValue('qom-type', type.value));
  const id = visitStr(input, 'id');
  if (!id.ok) return fail(id.error);
  visit('id');
  if (!(MODELLED_OBJECT_TYPES as readonly string[]).includes(type.value)) {
    throw new ModelLimit(`object type '${type.value}' (the model knows ${MODELLED_OBJECT_TYPES.join(' and ')})`);
  }
  let size = 0n;
  const bools: Record<string, boolean> = {};
  let memPath: string | undefined;
  let policy: BackendPolicy | undefined;
  let hostNodes: number[] | undefined;
  const keys = Object.keys(input.args);
  for (const m of type.value === 'memory-backend-memfd' ? MEMFD_VISITED : type.value === 'memory-backend-file' ? FILE_VISITED : BACKEND_MEMBERS) {
    if (m === 'size') {
      const s = visitSize(input);
      if (!s.ok) return fail(s.error);
      size = s.value;
    } else if (m === 'mem-path') {
      const s = visitStr(input, m);
      if (!s.ok) return fail(s.error);
      memPath = s.value;
    } else if (!memberGiven(input.args, keys, m)) {
      continue;
    } else if (m === 'host-nodes' || m === 'policy') {
      // Host NUMA binding: host memory policy is not modelled; it changes nothing the guest sees. Bindings to a
      // node other than 0 depend on the host (mbind), so they are a model limit.
      const v = input.args[m];
      if (m === 'policy') {
        if (typeof v !== 'string') return fail(E.invalidParameterType(m, 'string'));
        if (!['default', 'preferred', 'bind', 'interleave'].includes(v)) return fail(E.parameterValue(m, v));
        policy = v as BackendPolicy;
      } else {
        // keyval (HMP object_add) writes a list as host-nodes.0=...; a plain host-nodes=N is a string where QAPI wants a list.
        if (input.mode === 'keyval' && typeof v === 'string') return fail(E.invalidParameterType(m, 'array'));
        const list = v;
        if (!Array.isArray(list) || !list.every((x) => typeof x === 'number' || typeof x === 'bigint' || (typeof x === 'string' && /^\d+$/.test(x)))) {
          throw new ModelLimit(`object-add host-nodes ${JSON.stringify(v)}`);
        }
        if (list.some((x) => Number(x) !== 0)) throw new ModelLimit(`object-add host-nodes ${JSON.stringify(v)} (a binding to a host node other than 0)`);
        hostNodes = list.length ? [0] : [];
      }
    } else if (BOOL_MEMBERS.has(m)) {
      const e = visitBool(input, m);
      if (e) return fail(e);
      const v = input.args[m];
      bools[m] = v === true || (typeof v === 'string' && ['on', 'yes', 'true', 'y'].includes(v));
      if (m === 'hugetlb' && (v === true || (typeof v === 'string' && ['on', 'yes', 'true', 'y'].includes(v)))) {
        throw new ModelLimit(`object-add of a hugetlb memfd (its alignment is the host's huge page size)`);
      }
    } else {
      throw new ModelLimit(`object-add member '${m}' of ${type.value}`);
    }
    visit(m);
  }
  const leftover = firstUnvisited(input.order, visited);
  if (leftover !== undefined) return fail(E.parameterUnexpected(leftover));

  // user_creatable_add_type
  if (!isIdentifier(id.value)) return fail(E.parameterType('id', 'an identifier'), ID_HINT);
  if (size >= I63) throw new ModelLimit(`a ${size}-byte backend (real QEMU aborts allocating it)`);
  const backendType = type.value as BackendType;
  const file = backendType === 'memory-backend-file' ? { memPath: memPath!, discardData: bools['discard-data'] ?? false } : undefined;
  // host_memory_backend_init: merge and dump start from the machine's mem-merge and dump-guest-core (qom-set may have changed them).
  // What was given over them: `{ ...machineDefaults, ...bools }` without a spread of the keyed-up `bools` (slow path).
  const given: Record<string, boolean> = {
    merge: bools.merge ?? state.machineProps?.['mem-merge'] !== false,
    dump: bools.dump ?? (state.machineProps?.['dump-guest-core'] ?? state.config.dumpGuestCore) !== false,
  };
  for (const k in bools) if (k !== 'merge' && k !== 'dump') given[k] = bools[k];
  const r = addBackend(state, backendType, id.value, size, false, backendProps(backendType, given, { policy, hostNodes }), file);
  return r.ok ? { ok: true, state: r.state, type: backendType, id: id.value } : { ok: false, error: r.error, ...(r.state ? { state: r.state } : {}) };
}
