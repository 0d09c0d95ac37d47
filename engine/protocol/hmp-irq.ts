// HMP `info pic` and `info irq` in QEMU 7.2's exact text (\r\n line ends, as human-monitor-command
// returns it). Providers print in object-tree order: the IOAPIC (below the host bridge) and the i8259s (below
// /machine/unattached) in the order /machine's hash table gives those two, the i8259s in the order of
// /machine/unattached's (masterFirst).

import type { MachineState } from '../state';
import type { IoapicState, PicState } from '../irq/types';
import { GSI_NUM_PINS } from '../irq/types';
import { ModelLimit } from '../errors';
import { child, machineQomTree } from '../qom/board-tree';
import { defaultPicNames, qomListUnattached, unattachedListing } from '../qom/board-order';
import { boardDevicePath, hostBridgeWalkedFirst } from '../qom/machine';

const DELIVERY = ['fixed', 'lowest', 'SMI', '...', 'NMI', 'INIT', '...', 'extINT'];
const hex2 = (v: number) => v.toString(16).padStart(2, '0');
const padEnd = (s: string, n: number) => s.padEnd(n, ' ');

function irrDump(name: string, bitmap: number): string {
  let s = padEnd(name, 10) + ' ';
  if (bitmap === 0) return s + '(none)\r\n';
  for (let i = 0; i < GSI_NUM_PINS; i++) if (bitmap & (1 << i)) s += padEnd(String(i), 2) + ' ';
  return s + '\r\n';
}

export function ioapicInfo(io: IoapicState): string {
  let out = `ioapic0: ver=0x${io.version.toString(16)} id=0x${hex2(io.id)} sel=0x${hex2(io.ioregsel)}`;
  // (ioregsel - 0x10) >> 1 printed with %u: selectors below 0x10 wrap around.
  out += io.ioregsel ? ` (redir[${((io.ioregsel - 0x10) >> 1) >>> 0}])\r\n` : '\r\n';
  let remote = 0;
  for (let i = 0; i < GSI_NUM_PINS; i++) {
    const e = io.redtbl[i];
    // The entry's fields from its two 32-bit halves as numbers: one bigint operation each instead of one per
    // field (test/hmp-irq.property.test.ts: the same text as the fields taken from the bigint).
    const lo = Number(e & 0xffffffffn);
    const hi = Number((e >> 32n) & 0xffffffffn);
    const logical = (lo >>> 11) & 1;
    const dest = (hi >>> 24) & (logical ? 0xff : 0xf);
    const vec = lo & 0xff;
    const level = (lo >>> 15) & 1;
    out += `  pin ${padEnd(String(i), 2)} 0x${e.toString(16).padStart(16, '0')} dest=${dest.toString(16)}`
      + ` vec=${padEnd(String(vec), 3)} ${(lo >>> 13) & 1 ? 'active-lo' : 'active-hi'} ${padEnd(level ? 'level' : 'edge', 5)}`
      + ` ${padEnd((lo >>> 16) & 1 ? 'masked' : '', 6)} ${padEnd(DELIVERY[(lo >>> 8) & 7], 6)} ${logical ? 'logical' : 'physical'}\r\n`;
    if (level && (lo >>> 14) & 1) remote |= 1 << i;
  }
  return out + irrDump('  IRR', io.irr) + irrDump('  Remote IRR', remote);
}

function picLine(s: PicState): string {
  return `pic${s.master ? 0 : 1}: irr=${hex2(s.irr)} imr=${hex2(s.imr)} isr=${hex2(s.isr)} hprio=${s.priorityAdd}`
    + ` irq_base=${hex2(s.irqBase)} rr_sel=${s.readRegSelect} elcr=${hex2(s.elcr)} fnm=${s.specialFullyNestedMode}\r\n`;
}

const masterFirstOf = new WeakMap<object, boolean>();

/**
 * Whether `info pic` prints the master i8259 first: the monitor walks the object tree (object_child_foreach_recursive),
 * so the two i8259s of /machine/unattached come in its hash table's iteration order, the reverse of qom-list's
 * (engine/qom/board-order.ts replays it for this machine). Where that order is not modelled (KVM's devices, libvirt's
 * -device options) the recorded default machines' order stands: slave first, except 10.0's q35.
 */
function masterFirst(state: MachineState): boolean {
  const c = state.config;
  const known = masterFirstOf.get(c);
  if (known !== undefined) return known;
  let first = c.type === 'q35' && c.qemu.q35InfoPicMasterFirst;
  if (c.accel === 'kvm') {
    // KVM's board is not drawn (info qom-tree), but its /machine/unattached insertions are known.
    const listed = unattachedListing(state);
    const pics = defaultPicNames(state).map((n) => boardDevicePath(state, `/machine/unattached/${n}`).slice('/machine/unattached/'.length));
    if (listed && pics.length === 2 && pics.every((p) => listed.includes(p))) first = listed.indexOf(pics[0]) > listed.indexOf(pics[1]);
    masterFirstOf.set(c, first);
    return first;
  }
  try {
    const unattached = child(machineQomTree(state, () => []), 'unattached');
    const pics = (unattached?.children ?? []).filter((n) => n.type === 'isa-i8259').map((n) => n.name);
    if (unattached && pics.length === 2) {
      const number = (name: string) => Number(/\[(\d+)\]/.exec(name)?.[1]);
      const [master, slave] = pics.sort((a, b) => number(a) - number(b));
      const listed = qomListUnattached(state, unattached).map((p) => p.name);
      // qom-list prepends while iterating: the one listed later was met first.
      first = listed.indexOf(master) > listed.indexOf(slave);
    }
  } catch (e) {
    if (!(e instanceof ModelLimit)) throw e;
  }
  masterFirstOf.set(c, first);
  return first;
}

/** `info pic`: the IOAPIC (a child of the host bridge) and the i8259s (of /machine/unattached) as /machine's walk meets them. */
export function infoPic(state: MachineState): string {
  const irq = state.irq;
  const pics = masterFirst(state) ? picLine(irq.pic[0]) + picLine(irq.pic[1]) : picLine(irq.pic[1]) + picLine(irq.pic[0]);
  return hostBridgeWalkedFirst(state) ? ioapicInfo(irq.ioapic) + pics : pics + ioapicInfo(irq.ioapic);
}

/** `info irq`: rising-edge counts per provider (the slave PIC reports none of its own). */
export function infoIrq(state: MachineState): string {
  const irq = state.irq;
  const kvm = irq.mode === 'kvm';
  const block = (name: string, counts: readonly number[]) =>
    `IRQ statistics for ${name}:\r\n` + counts.map((c, i) => (c > 0 ? `${String(i).padStart(2, ' ')}: ${c}\r\n` : '')).join('');
  const ioapic = block(kvm ? 'kvm-ioapic' : 'ioapic', irq.ioapicStats.count);
  const pic = block(kvm ? 'kvm-i8259' : 'isa-i8259', irq.picStats.count);
  return hostBridgeWalkedFirst(state) ? ioapic + pic : pic + ioapic;
}
