// The order of `qom-list` replies of board objects whose children the configuration changes, derived the way QEMU
// comes to it: an object's properties live in a GLib hash table, and qom-list walks it (prepending, so the reply is
// the table's iteration order reversed, after the class property `type`). The table's layout follows from the keys
// and the order they went in (engine/qom/ghash.ts), so the model replays the insertions:
//  - /machine/unattached: the recorded order its children were created in, per release, machine type and board
//    shape (engine/versions/data/unattached-order-*.ts), edited for what the shape recorded lacks: each further CPU
//    (`device[2..N]` right after the first CPU's kvmvapic, the board's devices after it renumbered), the RAM above
//    4 GiB (`ram-above-4g[0]` right after `ram-below-4g[0]`);
//  - a bus: `hotplug-handler`, `realized`, then a `child[N]` link per device in the order the devices were plugged,
//    then what the bus gained later (PCI hotplug's `acpi-pcihp-bsel` on i440FX's pci.0 with ACPI), as recorded for
//    the machine type, with the devices this configuration plugs: no HPET on the system bus, no PIIX4_PM without
//    ACPI, and each `-device …,bus=BUS` after the board's.

import type { MachineState } from '../state';
import { ModelLimit } from '../errors';
import { emptyGHash, ghashInsert, ghashKeys, ghashRemove } from './ghash';
import { cpuCount } from '../machine/cpus';
import { inKernelIrqchip } from '../machine/smm';
import { hpetUnattachedIndex } from './machine';
import type { BoardNode } from './board-tree';
import type { QomProperty } from '../versions/board';

/** The reply order of a table filled by `inserts` (`R:NAME` a removal): `type` first, then the keys reversed. */
function listingOrder(inserts: readonly string[]): string[] {
  let t = emptyGHash();
  for (const k of inserts) t = k.startsWith('R:') ? ghashRemove(t, k.slice(2)) : ghashInsert(t, k);
  return ghashKeys(t).reverse();
}

/** The i8259s' names in /machine/unattached on the machine type's default board (one CPU, the HPET): master first. */
export function defaultPicNames(state: MachineState): string[] {
  const c = state.config;
  const names: string[] = [];
  let parent = '';
  for (const line of c.qemu.monitor.board().qomTreeLines(c.type, c.machineName)) {
    const m = /^( *)\/(\S+) \((.*)\)$/.exec(line);
    if (!m) continue;
    if (m[1].length === 2) parent = m[2];
    if (m[1].length === 4 && parent === 'unattached' && m[3] === 'isa-i8259') names.push(m[2]);
  }
  return names.sort((a, b) => deviceIndex(a) - deviceIndex(b));
}

/**
 * The insertions into /machine/unattached's property table on this machine, or undefined where they are not known.
 * Under KVM the kvmclock is created right after the CPUs (the board's devices one higher), and with the in-kernel
 * irqchip the master i8259 gets no CPU interrupt line of QEMU's own: the `non-qdev-gpio[N]` named right after it
 * under TCG is not created (the later ones one lower).
 */
export function unattachedInsertions(state: MachineState): string[] | undefined {
  const c = state.config;
  const recorded = c.qemu.monitor.board().unattachedOrder(c.machineName, c.hpet !== false, c.acpi);
  if (!recorded) return undefined;
  let shape = recorded;
  if (inKernelIrqchip(c)) {
    const master = defaultPicNames(state)[0];
    if (master === undefined) return undefined;
    const hpetAt = c.hpet === false ? hpetUnattachedIndex(state) : undefined;
    const n = deviceIndex(master);
    const at = recorded.indexOf(`device[${hpetAt !== undefined && n > hpetAt ? n - 1 : n}]`);
    const gpio = /^non-qdev-gpio\[(\d+)\]$/.exec(recorded[at + 1] ?? '');
    if (at < 0 || !gpio) return undefined;
    const dropped = Number(gpio[1]);
    shape = recorded.filter((_, i) => i !== at + 1).map((k) => {
      const g = /^(R:)?non-qdev-gpio\[(\d+)\]$/.exec(k);
      return g && Number(g[2]) > dropped ? `${g[1] ?? ''}non-qdev-gpio[${Number(g[2]) - 1}]` : k;
    });
  }
  const more = cpuCount(c) - 1 + (c.accel === 'kvm' ? 1 : 0);
  const seq: string[] = [];
  for (const k of shape) {
    const m = /^(R:)?device\[(\d+)\]$/.exec(k);
    const n = m ? Number(m[2]) : -1;
    seq.push(n >= 2 ? `${m![1] ?? ''}device[${n + more}]` : k);
    if (k === 'device[1]') for (let i = 0; i < more; i++) seq.push(`device[${2 + i}]`);
    if (k === 'ram-below-4g[0]' && state.layout.above4g > 0n) seq.push('ram-above-4g[0]');
  }
  return seq;
}

/** The names of /machine/unattached's children in qom-list's order (the table's iteration order reversed). */
export function unattachedListing(state: MachineState): string[] | undefined {
  const seq = unattachedInsertions(state);
  return seq && listingOrder(seq);
}

const deviceIndex = (name: string) => Number(/\[(\d+)\]/.exec(name)?.[1] ?? -1);

/** qom-list /machine/unattached: its children (`node`, as this machine has them) in QEMU's order. */
export function qomListUnattached(state: MachineState, node: BoardNode): QomProperty[] {
  const c = state.config;
  if (c.passiveDevices.length) throw new ModelLimit("qom-list of '/machine/unattached' with -device options other than pc-dimm");
  const seq = unattachedInsertions(state);
  if (!seq) throw new ModelLimit(`qom-list of '/machine/unattached' on ${c.machineName}`);
  const order = listingOrder(seq);
  const types = new Map(node.children.map((k) => [k.name, k.type]));
  if (order.length !== types.size || order.some((k) => !types.has(k))) {
    throw new ModelLimit("qom-list of '/machine/unattached' with this configuration's children");
  }
  return [{ name: 'type', type: 'string' }, ...order.map((name) => ({ name, type: `child<${types.get(name)}>` }))];
}

const isLink = (p: QomProperty) => /^child\[\d+\]$/.test(p.name) && p.type.startsWith('link<');

/** Whether a recorded listing is a bus's (its hotplug handler; the links to its devices, if it has any). */
export function isBusListing(props: readonly QomProperty[]): boolean {
  return props.some((p) => p.name === 'hotplug-handler');
}

/** qom-list of a board bus (`path`, recorded as `props` for the machine type with -m 1G) with this machine's devices. */
export function qomListBus(state: MachineState, path: string, props: readonly QomProperty[]): QomProperty[] {
  const c = state.config;
  const own = new Set(['type', 'hotplug-handler', 'realized']);
  const links = props.filter(isLink).sort((a, b) => index(a.name) - index(b.name));
  const later = props.filter((p) => !own.has(p.name) && !isLink(p));
  const orderOf = (devs: readonly unknown[], extra: readonly QomProperty[]) =>
    listingOrder(['hotplug-handler', 'realized', ...devs.map((_, i) => `child[${i}]`), ...extra.map((p) => p.name)]);
  // The rule must give back what was recorded before it answers for anything else.
  const recorded = props.map((p) => p.name);
  if (recorded[0] !== 'type' || orderOf(links, later).join('/') !== recorded.slice(1).join('/')) {
    throw new ModelLimit(`qom-list of the bus '${path}' with this configuration's devices`);
  }
  let devices = links.map((p) => p.type.slice('link<'.length, -1));
  let extra = later;
  if (c.hpet === false) devices = devices.filter((t) => t !== 'hpet');
  if (!c.acpi) {
    devices = devices.filter((t) => t !== 'PIIX4_PM');
    extra = extra.filter((p) => p.name !== 'acpi-pcihp-bsel');
  }
  const busName = path.slice(path.lastIndexOf('/') + 1);
  for (const d of c.passiveDevices) {
    if (d.bus === undefined) throw new ModelLimit(`qom-list of the bus '${path}' with a -device without bus= (${d.driver})`);
    if (d.bus === busName) devices.push(d.driver);
  }
  const types = new Map<string, string>([['hotplug-handler', 'link<hotplug-handler>'], ['realized', 'bool']]);
  devices.forEach((t, i) => types.set(`child[${i}]`, `link<${t}>`));
  for (const p of extra) types.set(p.name, p.type);
  for (const p of props) if (own.has(p.name)) types.set(p.name, p.type);
  return [props[0], ...orderOf(devices, extra).map((name) => ({ name, type: types.get(name)! }))];
}

function index(name: string): number {
  return Number(/\[(\d+)\]/.exec(name)![1]);
}
