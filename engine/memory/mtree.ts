// `info mtree` and `info mtree -f` text, byte for byte as QEMU 7.2's monitor returns it ("\r\n" line ends).
//
// Block order. QEMU walks GLib hash tables keyed by pointers, so the order of address-space blocks (tree) and
// FlatView blocks (-f) changes from run to run. We print one fixed order per machine type, taken from the
// fresh-machine captures in test/fixtures/mtree/{pc,q35}-canonical.*:
//   tree, pc : I/O, i440FX, piix3-ide, PIIX3, PIIX4_PM, cpu-memory-0+memory, cpu-smm-0
//   tree, q35: mch, ICH9-LPC, cpu-memory-0+memory, cpu-smm-0, I/O, ich9-ahci, ICH9-SMB
//   -f,   pc : memory (+cpu-memory-0), bus masters, I/O, cpu-smm-0
//   -f,   q35: bus masters, I/O, memory (+cpu-memory-0), cpu-smm-0
// Address spaces not in these lists follow, in the state's order. Everything else follows QEMU's rules:
// ASes sharing a root print together with names sorted; `memory-region:` blocks follow in the order their alias
// targets were first met (disabled aliases included); FlatView numbers count printed blocks; AS lines within a
// FlatView block follow address-space creation order.

import { flatViewRoot } from './flatview';
import { addressSpaceFlatView } from './transaction';
import { kvmHasMemory, KVM_AS_NAME } from './kvm';
import { regionType, type Region, type Regions } from './regions';
import type { AddressSpace, FlatRange, MemoryState } from './types';
import { hexPad } from '../units';
import { dispatchLines } from './dispatch-tree';

export interface MtreeOptions {
  /** `-f`: flat views instead of the region tree. */
  readonly flat: boolean;
  readonly accel: 'tcg' | 'kvm';
  /** `-D`: print disabled regions too, marked ` [disabled]` (tree only). */
  readonly disabled?: boolean;
  /** `-d` with `-f`: each rendered view's dispatch tree (dispatch-tree.ts). */
  readonly dispatch?: boolean;
  /** With `dispatch`: per address-space root region, the last address its view looked up since it was generated. */
  readonly mru?: Readonly<Record<string, bigint>>;
}

const EOL = '\r\n';
const U64 = (1n << 64n) - 1n;

const TREE_ORDER = {
  pc: ['I/O', 'i440FX', 'piix3-ide', 'PIIX3', 'PIIX4_PM', 'memory', 'cpu-memory-0', 'cpu-smm-0'],
  q35: ['mch', 'ICH9-LPC', 'memory', 'cpu-memory-0', 'cpu-smm-0', 'I/O', 'ich9-ahci', 'ICH9-SMB'],
} as const;
const FLAT_ORDER = {
  pc: ['memory', 'cpu-memory-0', 'i440FX', 'PIIX3', 'piix3-ide', 'PIIX4_PM', 'I/O', 'cpu-smm-0'],
  q35: ['mch', 'ICH9-LPC', 'ich9-ahci', 'ICH9-SMB', 'I/O', 'memory', 'cpu-memory-0', 'cpu-smm-0'],
} as const;

function machineKind(mem: MemoryState): 'pc' | 'q35' {
  return mem.addressSpaces.some((a) => a.name === 'mch' || a.name === 'ICH9-LPC') ? 'q35' : 'pc';
}

/** Sort groups by the best rank of their members; unknown names keep their first-appearance order after. */
function orderGroups<G>(groups: G[], names: (g: G) => readonly string[], order: readonly string[]): G[] {
  const rank = (g: G): number => {
    const ranks = names(g).map((n) => order.indexOf(n)).filter((i) => i >= 0);
    return ranks.length ? Math.min(...ranks) : order.length;
  };
  return groups.map((g, i) => ({ g, i, r: rank(g) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.g);
}

const TWO64 = 1n << 64n;
const mrSize = (size: bigint): bigint => (size === 0n ? 0n : (size - 1n) & U64);

/**
 * An address as `info mtree` prints it: 16 hex digits of `v & U64`. An address already in 0..U64 (nearly all
 * of them) is printed as it is, without the mask's new bigint (test/mtree-text.property.test.ts: the same text).
 */
export function mtreeAddr(v: bigint): string {
  return hexPad(v >= 0n && v <= U64 ? v : v & U64, 16);
}
const addr = mtreeAddr;

/** Each line followed by "\r\n" (`lines.map((l) => l + EOL).join('')` without a new string per line). */
export function crlfLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : lines.join(EOL) + EOL;
}

/**
 * `(start + mrSize(end - start)) & U64`, the last address of a flat range: `end - 1n` for a non-empty range
 * within 64 bits (every range a flat view holds), by one subtraction (test/mtree-text.property.test.ts).
 */
export function rangeLast(start: bigint, end: bigint): bigint {
  if (start >= 0n && end > start && end <= TWO64) return end - 1n;
  return (start + mrSize(end - start)) & U64;
}

class Printer {
  readonly lines: string[] = [];
  readonly aliasQueue: string[] = [];
  constructor(readonly regions: Regions, readonly showDisabled: boolean) {}

  region(id: string, level: number, base: bigint): void {
    const mr = this.regions.get(id);
    if (!mr) return;
    const curStart = (base + mr.addr) & U64;
    const curEnd = (curStart + mrSize(mr.size)) & U64;
    const overflow = curStart < base || curEnd < curStart ? '[DETECTED OVERFLOW!] ' : '';
    const indent = '  '.repeat(level);
    const type = regionType(this.regions, id);
    const dis = mr.enabled ? '' : ' [disabled]';
    if (mr.alias !== undefined) {
      if (!this.aliasQueue.includes(mr.alias)) this.aliasQueue.push(mr.alias);
      if (mr.enabled || this.showDisabled) {
        const target = this.regions.get(mr.alias);
        this.lines.push(
          `${overflow}${indent}${addr(curStart)}-${addr(curEnd)} (prio ${mr.priority}, ${type}): alias ${mr.name} @${target?.name ?? mr.alias} ` +
            `${addr(mr.aliasOffset)}-${addr(mr.aliasOffset + mrSize(mr.size))}${dis}`,
        );
      }
    } else if (mr.enabled || this.showDisabled) {
      this.lines.push(`${overflow}${indent}${addr(curStart)}-${addr(curEnd)} (prio ${mr.priority}, ${type}): ${mr.name}${dis}`);
    }
    // Children by address, then priority (higher first), then list order (a stable sort: QEMU inserts each
    // child before the first one it sorts ahead of).
    const queue: Region[] = [];
    for (const subId of mr.subregions) {
      const sub = this.regions.get(subId);
      if (sub) queue.push(sub);
    }
    queue.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : b.priority - a.priority));
    for (const sub of queue) this.region(sub.id, level + 1, curStart);
  }
}

function treeText(mem: MemoryState, showDisabled: boolean): string {
  const p = new Printer(mem.regions, showDisabled);
  const groups: { root: string; ases: AddressSpace[] }[] = [];
  for (const as of mem.addressSpaces) {
    const g = groups.find((x) => x.root === as.root);
    if (g) g.ases.push(as);
    else groups.push({ root: as.root, ases: [as] });
  }
  const ordered = orderGroups(groups, (g) => g.ases.map((a) => a.name), TREE_ORDER[machineKind(mem)]);
  for (const g of ordered) {
    const names = g.ases.map((a) => a.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) p.lines.push(`address-space: ${n}`);
    p.region(g.root, 1, 0n);
    p.lines.push('');
  }
  for (let i = 0; i < p.aliasQueue.length; i++) {
    const id = p.aliasQueue[i];
    p.lines.push(`memory-region: ${mem.regions.get(id)?.name ?? id}`);
    p.region(id, 1, 0n);
    p.lines.push('');
  }
  return crlfLines(p.lines);
}

function flatText(mem: MemoryState, accel: 'tcg' | 'kvm', dispatch = false, mru: Readonly<Record<string, bigint>> = {}): string {
  const regions = mem.regions;
  const groups: { key: string; physmr?: string; ases: AddressSpace[] }[] = [];
  for (const as of mem.addressSpaces) {
    const physmr = flatViewRoot(regions, as.root);
    const key = physmr ?? '';
    const g = groups.find((x) => x.key === key);
    if (g) g.ases.push(as);
    else groups.push({ key, physmr, ases: [as] });
  }
  const ordered = orderGroups(groups, (g) => g.ases.map((a) => a.name), FLAT_ORDER[machineKind(mem)]);
  const out: string[] = [];
  ordered.forEach((g, n) => {
    out.push(`FlatView #${n}`);
    for (const as of g.ases) {
      const root = regions.get(as.root);
      const aliasNote = root?.alias !== undefined ? `, alias ${regions.get(root.alias)?.name ?? root.alias}` : '';
      out.push(` AS "${as.name}", root: ${root?.name ?? as.root}${aliasNote}`);
    }
    out.push(` Root memory region: ${g.physmr !== undefined ? regions.get(g.physmr)?.name ?? g.physmr : '(none)'}`);
    // The kept view, or for an address space rooted at a mapped container (10.0's device-memory) the one rendered
    // from its flat-view root (addressSpaceFlatView, which flatView() answers too).
    const ranges = g.physmr === undefined ? [] : addressSpaceFlatView(mem, g.ases[0].root);
    if (ranges.length === 0) {
      out.push('  No rendered FlatView', '');
      return;
    }
    for (const r of ranges) {
      const mr = regions.get(r.region);
      const type = r.readonly ? 'rom' : mr ? regionType(regions, r.region) : 'i/o';
      let line = flatRangeLine(r, mr, type);
      if (accel === 'kvm') {
        for (const as of g.ases) {
          if (as.name === KVM_AS_NAME && kvmHasMemory(mem, r.start, r.end - r.start)) line += ' KVM';
        }
      }
      out.push(line);
    }
    if (dispatch && g.physmr !== undefined) {
      const looked = g.ases.map((a) => mru[a.root]).find((x) => x !== undefined);
      out.push(...dispatchLines(regions, g.physmr, ranges, looked));
    }
    out.push('');
  });
  return crlfLines(out);
}

/** A flat range's line of `info mtree -f` (without the KVM note): what it prints of the range, its region and type. */
function flatRangeLine(r: FlatRange, mr: Region | undefined, type: string): string {
  const memo = flatRangeLines.enabled && Object.isFrozen(r);
  if (memo) {
    const known = flatRangeLines.byRange.get(r);
    if (known !== undefined && known.mr === mr && known.type === type) return known.line;
  }
  const offset = r.offsetInRegion !== 0n ? ` @${addr(r.offsetInRegion)}` : '';
  const line = `  ${addr(r.start)}-${addr(rangeLast(r.start, r.end))} (prio ${mr?.priority ?? 0}, ${type}): ${mr?.name ?? r.region}${offset}`;
  if (memo) flatRangeLines.byRange.set(r, { mr, type, line });
  return line;
}

/**
 * Each flat range's line as last printed, with the region record and type it was printed from. A commit keeps the
 * range objects of every view it does not change (and of the unchanged parts of the views it does), and region
 * records are immutable: a state after a hot-add prints nearly all of the lines the state before it printed (the
 * texts are remembered per state below, but each action makes a new state). A line is taken again only for the very
 * same (frozen) range, the very same region record and the same type, which are all it is made of.
 * `enabled`: off, every line is made anew (test/mtree-text.property.test.ts compares the two).
 */
export const flatRangeLines = { enabled: true, byRange: new WeakMap<FlatRange, { readonly mr: Region | undefined; readonly type: string; readonly line: string }>() };

/**
 * The text of `info mtree` (`opts.flat` = `-f`) for every address space of the model, made now (infoMtree remembers
 * it per state).
 */
export function mtreeText(mem: MemoryState, opts: MtreeOptions): string {
  return opts.flat ? flatText(mem, opts.accel, opts.dispatch ?? false, opts.mru) : treeText(mem, opts.disabled ?? false);
}

/** HMP `info mtree` (`opts.flat` = `-f`) for every address space of the model. */
export function infoMtree(mem: MemoryState, opts: MtreeOptions): string {
  // A pure function of an immutable state: remembered per state (reports ask for it before and after every
  // scenario, and start-up states are shared by every scenario that starts the same machine).
  if (opts.flat && opts.dispatch) return flatText(mem, opts.accel, true, opts.mru);
  const key = opts.flat ? `f ${opts.accel}` : `t ${opts.disabled ?? false}`;
  let known = printed.get(mem);
  if (!known) printed.set(mem, (known = new Map()));
  let text = known.get(key);
  if (text === undefined) {
    text = mtreeText(mem, opts);
    known.set(key, text);
  }
  return text;
}

const printed = new WeakMap<MemoryState, Map<string, string>>();
