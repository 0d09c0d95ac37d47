// The /machine QOM tree as `info qom-tree` prints it: the board's objects of the machine type (recorded per release,
// engine/versions/board.ts, for `-m 1G` and nothing else) with what the configuration and the run add or take away:
// the CPUs of -smp, no HPET (hpet=off), the device-memory region (maxmem above -m), RAM above 4 GiB (ram-above-4g),
// main RAM as a NUMA-memdev container (pc.ram), the ACPI device's memory hotplug block, the DIMMs under peripheral /
// peripheral-anon, and acpi=off.

import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { numaMemdevMode } from './machine';
import { cpuCount } from '../machine/cpus';

export interface BoardNode {
  readonly name: string;
  readonly type: string;
  readonly children: BoardNode[];
}

/** The tree of `info qom-tree` lines (two spaces per level, `/NAME (TYPE)`). */
export function parseQomTree(lines: readonly string[]): BoardNode {
  const stack: BoardNode[] = [];
  let root: BoardNode | undefined;
  for (const line of lines) {
    if (line === '') continue;
    const depth = (line.length - line.trimStart().length) / 2;
    const text = line.trimStart();
    const at = text.lastIndexOf(' (');
    const node: BoardNode = { name: text.slice(1, at), type: text.slice(at + 2, -1), children: [] };
    if (depth === 0) root = node;
    else stack[depth - 1].children.push(node);
    stack[depth] = node;
    stack.length = depth + 1;
  }
  if (!root) throw new Error('board data: empty QOM tree');
  return root;
}

/** g_strcmp0 on the names: byte order. */
const byName = (a: BoardNode, b: BoardNode) => Buffer.from(a.name).compare(Buffer.from(b.name));

function add(parent: BoardNode | undefined, name: string, type: string): void {
  if (!parent) return;
  const node: BoardNode = { name, type, children: [] };
  const at = parent.children.findIndex((c) => byName(node, c) < 0);
  if (at < 0) parent.children.push(node);
  else parent.children.splice(at, 0, node);
}

function removeWhere(parent: BoardNode | undefined, pred: (n: BoardNode) => boolean): void {
  if (!parent) return;
  for (let i = parent.children.length - 1; i >= 0; i--) if (pred(parent.children[i])) parent.children.splice(i, 1);
}

export const child = (n: BoardNode | undefined, name: string) => n?.children.find((c) => c.name === name);

function findType(n: BoardNode, type: string): { node: BoardNode; parent?: BoardNode } | undefined {
  for (const c of n.children) {
    if (c.type === type) return { node: c, parent: n };
    const r = findType(c, type);
    if (r) return r;
  }
  return undefined;
}

/**
 * Without the HPET (`hpet=off`, 7.2's `-no-hpet`) QEMU never creates it: its device[N] (with its region and
 * interrupt lines) is gone from /machine/unattached, and every device created after it is numbered one lower.
 */
function withoutHpet(unattached: BoardNode | undefined): void {
  const hpet = unattached?.children.find((n) => n.type === 'hpet');
  if (!unattached || !hpet) return;
  const at = deviceNumber(hpet.name);
  if (at === undefined) return;
  const renumbered = unattached.children
    .filter((n) => n !== hpet)
    .map((n) => {
      const k = deviceNumber(n.name);
      return k !== undefined && k > at ? { ...n, name: `device[${k - 1}]` } : n;
    })
    .sort(byName);
  unattached.children.splice(0, unattached.children.length, ...renumbered);
}

/**
 * `-smp N`: CPUs 1..N-1 are created right after the first CPU's kvmvapic (device[1]), as device[2..N] with the
 * first CPU's children; every board device after them is numbered N-1 higher.
 */
function withCpus(unattached: BoardNode | undefined, cpus: number): void {
  const first = unattached?.children.find((n) => n.name === 'device[0]');
  if (!unattached || !first || cpus < 2) return;
  const more = cpus - 1;
  const renumbered = unattached.children.map((n) => {
    const k = deviceNumber(n.name);
    return k !== undefined && k >= 2 ? { ...n, name: `device[${k + more}]` } : n;
  });
  for (let i = 0; i < more; i++) renumbered.push({ ...first, name: `device[${2 + i}]` });
  unattached.children.splice(0, unattached.children.length, ...renumbered.sort(byName));
}

const deviceNumber = (name: string) => {
  const m = /^device\[(\d+)\]$/.exec(name);
  return m ? Number(m[1]) : undefined;
};

export function printQomTree(n: BoardNode, depth = 0): string {
  return `${'  '.repeat(depth)}/${n.name} (${n.type})\r\n` + n.children.map((c) => printQomTree(c, depth + 1)).join('');
}

/** The whole /machine tree of this machine, now. */
export function machineQomTree(state: MachineState, dimmKids: (anon: boolean) => readonly { name: string; type: string }[]): BoardNode {
  const c = state.config;
  if (c.accel === 'kvm') throw new ModelLimit("'info qom-tree' with -accel kvm (the in-kernel irqchip devices)");
  const root = parseQomTree(c.qemu.monitor.board().qomTreeLines(c.type, c.machineName));
  const unattached = child(root, 'unattached');
  const acpiType = c.type === 'pc' ? 'PIIX4_PM' : 'ICH9-LPC';
  if (!c.acpi) {
    removeWhere(child(root, 'fw_cfg'), (n) => n.name.startsWith('\\x2from@etc\\x2f'));
    if (c.type === 'pc') {
      // No PIIX4_PM: neither its SMBus EEPROMs nor the SCI interrupt line.
      const pm = findType(root, 'PIIX4_PM');
      if (pm) removeWhere(pm.parent, (n) => n === pm.node);
      removeWhere(unattached, (n) => n.type === 'smbus-eeprom' || n.name === 'non-qdev-gpio[27]');
    }
  }
  if (c.hpet === false) {
    withoutHpet(unattached);
    if (c.type === 'pc') {
      const keep = c.acpi ? c.qemu.pcNoHpetNonQdevGpios.acpi : c.qemu.pcNoHpetNonQdevGpios.noAcpi;
      removeWhere(unattached, (n) => { const m = /^non-qdev-gpio\[(\d+)\]$/.exec(n.name); return !!m && Number(m[1]) >= keep; });
    }
  }
  withCpus(unattached, cpuCount(c));
  if (state.layout.deviceMemory) add(root, 'device-memory[0]', 'memory-region');
  if (numaMemdevMode(state)) add(root, 'pc.ram[0]', 'memory-region');
  if (state.layout.above4g > 0n) add(unattached, 'ram-above-4g[0]', 'memory-region');
  if (state.acpi.memhp) add(findType(root, acpiType)?.node, 'acpi-mem-hotplug[0]', 'memory-region');
  for (const [container, anon] of [['peripheral', false], ['peripheral-anon', true]] as const) {
    for (const k of dimmKids(anon)) add(child(root, container), k.name, k.type);
  }
  return root;
}
