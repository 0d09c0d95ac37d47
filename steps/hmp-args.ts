// HMP-style lines (`device_add pc-dimm,node=0,memdev=ram0,id=dimm0,slot=0`, as libvirt logs them in the seed)
// turned into the QMP command QEMU would run, with QEMU's property types: numbers for integer properties,
// sizes through the one units module, booleans for on/off, strings otherwise. A value that does not fit its
// type is passed on as the string it was, so the backend answers with QEMU's own type error.

import { splitOptParts } from '../engine/config/parse';
import type { QmpCommand } from '../backends/types';
import { parseQemuSize } from '../engine/units';

export class HmpArgsError extends Error {}

type PropType = 'int' | 'uint' | 'size' | 'bool' | 'str';

/** Property types of the objects the framework models (hw/mem/pc-dimm.c, backends/hostmem*.c). */
const TYPES: Readonly<Record<string, Readonly<Record<string, PropType>>>> = {
  'pc-dimm': { addr: 'uint', node: 'uint', slot: 'int', size: 'uint', memdev: 'str', id: 'str' },
  'memory-backend-ram': { size: 'size', share: 'bool', reserve: 'bool', prealloc: 'bool', merge: 'bool', dump: 'bool', id: 'str' },
  'memory-backend-memfd': { size: 'size', share: 'bool', reserve: 'bool', prealloc: 'bool', merge: 'bool', dump: 'bool', hugetlb: 'bool', seal: 'bool', hugetlbsize: 'size', id: 'str' },
  'memory-backend-file': { size: 'size', share: 'bool', reserve: 'bool', prealloc: 'bool', merge: 'bool', dump: 'bool', 'mem-path': 'str', align: 'size', id: 'str' },
};

/** Split a QemuOpts string: `a=1,b=x,,y` (`,,` is an escaped comma); a leading bare word is the implied key. */
export function splitOpts(text: string, impliedKey: string): [string, string][] {
  return splitOptParts(text).map((p, i): [string, string] => {
    const eq = p.indexOf('=');
    if (eq < 0) {
      if (i === 0) return [impliedKey, p];
      throw new HmpArgsError(`option '${p}' has no value (expected key=value) in ${JSON.stringify(text)}`);
    }
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}

const num = (v: bigint): number | bigint => (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** Convert one value to its QMP type, or leave the string for QEMU to refuse. */
export function typeValue(type: PropType, value: string): unknown {
  switch (type) {
    case 'int':
      return /^-?(?:0x[0-9a-f]+|\d+)$/i.test(value) ? num(value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value)) : value;
    case 'uint':
      return /^(?:0x[0-9a-f]+|\d+)$/i.test(value) ? num(BigInt(value)) : value;
    case 'size': {
      const v = parseQemuSize(value);
      return v === undefined ? value : num(v);
    }
    case 'bool':
      if (['on', 'yes', 'true', 'y'].includes(value)) return true;
      if (['off', 'no', 'false', 'n'].includes(value)) return false;
      return value;
    case 'str':
      return value;
  }
}

function typed(kind: string, pairs: [string, string][]): Record<string, unknown> {
  const types = Object.prototype.hasOwnProperty.call(TYPES, kind) ? TYPES[kind] : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    // Own keys only: `constructor=1` or `__proto__=1` are options like any other, not Object's members.
    if (Object.prototype.hasOwnProperty.call(out, k)) throw new HmpArgsError(`option '${k}' given twice`);
    const type = Object.prototype.hasOwnProperty.call(types, k) ? types[k] : 'str';
    Object.defineProperty(out, k, { value: typeValue(type, v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `pc-dimm,id=d0,memdev=m0,slot=1` → `{driver: 'pc-dimm', id: 'd0', memdev: 'm0', slot: 1}`. */
export function deviceAddArgs(opts: string): Record<string, unknown> {
  const pairs = splitOpts(opts.trim(), 'driver');
  const driver = pairs.find(([k]) => k === 'driver')?.[1] ?? '';
  const args = typed(driver, pairs.filter(([k]) => k !== 'driver'));
  return { driver, ...args };
}

/** `memory-backend-ram,id=m0,size=1G` → `{'qom-type': 'memory-backend-ram', id: 'm0', size: 1073741824}`. */
export function objectAddArgs(opts: string): Record<string, unknown> {
  const pairs = splitOpts(opts.trim(), 'qom-type');
  const type = pairs.find(([k]) => k === 'qom-type')?.[1] ?? '';
  return { 'qom-type': type, ...typed(type, pairs.filter(([k]) => k !== 'qom-type')) };
}

export type HmpDispatch = { readonly kind: 'qmp'; readonly command: QmpCommand } | { readonly kind: 'hmp'; readonly line: string };

/**
 * An HMP-style line as the QMP command QEMU runs for it (`device_add`, `device_del`, `object_add`, `object_del`),
 * or plain HMP for everything else (`info mtree -f`, `info pic`, ...).
 */
export function hmpLineToCommand(line: string): HmpDispatch {
  const m = /^\s*(\S+)\s*(.*)$/.exec(line);
  if (!m) throw new HmpArgsError('empty command line');
  const [, verb, rest] = m;
  const arg = rest.trim();
  switch (verb) {
    case 'device_add':
      return { kind: 'qmp', command: { execute: 'device_add', arguments: deviceAddArgs(arg) } };
    case 'object_add':
      return { kind: 'qmp', command: { execute: 'object-add', arguments: objectAddArgs(arg) } };
    case 'device_del':
      return { kind: 'qmp', command: { execute: 'device_del', arguments: { id: arg } } };
    case 'object_del':
      return { kind: 'qmp', command: { execute: 'object-del', arguments: { id: arg } } };
    default:
      return { kind: 'hmp', line: line.trim() };
  }
}
