// qom-get on the board's objects (/machine/unattached/device[N], /machine/i440fx/ioapic, ...): `type` from the QOM
// tree, and a device's qdev properties as `info qtree` prints them (recorded per release and machine type,
// engine/versions/board.ts): integers, sizes, booleans and strings. A device whose type shows more than once in the
// tree, other kinds of values and the objects' other properties are not modelled.

import type { MachineState } from '../state';
import { E, ModelLimit, type QemuError } from '../errors';
import { qint } from '../selectors';
import { child, machineQomTree, type BoardNode } from './board-tree';
import { infoQtree } from '../protocol/hmp-qtree';

type Answer = { ok: true; value: unknown } | { ok: false; error: QemuError };

/** Whether `path` names one of the board's objects (below /machine, outside the containers the model builds). */
export function isBoardObjectPath(path: string): boolean {
  return /^\/machine\/(unattached|i440fx|q35|fw_cfg)\/./.test(path) || /^\/machine\/(i440fx|q35|fw_cfg)$/.test(path);
}

/** The qdev properties of the one device of this type in `info qtree`, as [name, printed value]. */
function qtreeProps(state: MachineState, type: string): Map<string, string> {
  const lines = infoQtree(state).split('\r\n');
  const at = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() === `dev: ${type}, id ""`);
  if (at.length !== 1) throw new ModelLimit(`qom-get of a '${type}' board device (${at.length === 0 ? 'not on a bus' : 'more than one'})`);
  const start = at[0][1];
  const indent = lines[start].length - lines[start].trimStart().length + 2;
  const props = new Map<string, string>();
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    const ind = l.length - l.trimStart().length;
    if (l === '' || ind < indent) break;
    if (ind !== indent) continue;
    const m = /^(\S+) = (.*)$/.exec(l.trimStart());
    if (m) props.set(m[1], m[2]);
    if (l.trimStart().startsWith('bus: ')) break;
  }
  return props;
}

/** A printed qdev value as qom-get returns it; undefined when the model does not know the property's type. */
function qdevValue(prop: string, printed: string): unknown {
  if (printed === 'true' || printed === 'false') return printed === 'true';
  // A PCI function's address (slot.function) is its devfn.
  let a = /^([0-9a-f]{2})\.([0-7])$/.exec(printed);
  if (a && prop === 'addr') return parseInt(a[1], 16) * 8 + Number(a[2]);
  // -1 is printed alike for signed and unsigned properties: only rombar's (int32) is known here.
  if (prop === 'rombar' && printed === '-1 (0xffffffffffffffff)') return -1;
  let m = /^(\d+) \(0x[0-9a-f]+\)$/.exec(printed);
  if (m) return qint(BigInt(m[1]));
  m = /^(\d+) \(\d+(?:\.\d+)? [KMGTPE]?i?B\)$/.exec(printed);
  if (m) return qint(BigInt(m[1]));
  m = /^"([^"\\]*)"$/.exec(printed);
  if (m) return m[1];
  return undefined;
}

export function boardObjectProperty(state: MachineState, path: string, prop: string): Answer {
  let n: BoardNode | undefined = machineQomTree(state, () => []);
  for (const part of path.slice('/machine/'.length).split('/').filter(Boolean)) n = child(n, part);
  if (!n) return { ok: false, error: E.deviceNotFound(path) };
  if (prop === 'type') return { ok: true, value: n.type };
  if (n.type === 'memory-region' || n.type === 'irq' || n.type === 'container') throw new ModelLimit(`qom-get of ${n.type} property '${prop}'`);
  const printed = qtreeProps(state, n.type).get(prop);
  const value = printed === undefined ? undefined : qdevValue(prop, printed);
  if (value === undefined) throw new ModelLimit(`qom-get of ${n.type} property '${prop}'`);
  return { ok: true, value };
}
