// The dispatch tree of a FlatView, as `info mtree -f -d` prints it under each rendered view ("Dispatch"): the
// physical sections (the unassigned section, then each flat range cut into page-sized pieces: a head and a tail
// that share a 4 KiB page with something else become subpages, whose container section comes first) and the
// radix map from page numbers to sections (9 bits per level, 6 levels for x86's 4 KiB pages and 64-bit
// addresses), built and compacted as QEMU builds it at every generate_memory_topology. Written from the
// behaviour QEMU documents and prints (identical in 7.2 and 10.0), checked against recorded output.
//
// The MRU mark (` [MRU]`) is the section of the view's last lookup since the view was generated: the page-level
// section (a whole-page section, a subpage container, or the unassigned one) holding the last byte the last
// access touched; the caller says which address that was, if any.

import type { Regions } from './regions';
import type { FlatRange } from './types';
import { hexPad } from '../units';

const PAGE_BITS = 12n;
const PAGE = 1n << PAGE_BITS;
const L2_BITS = 9;
const L2_SIZE = 1 << L2_BITS;
/** ((64 - 12 - 1) / 9) + 1 */
const LEVELS = 6;
/** The 26-bit "no node" pointer. */
const NIL = (1 << 26) - 1;
const U64 = (1n << 64n) - 1n;
const SPACE = 1n << 64n;

interface Section {
  readonly start: bigint;
  readonly size: bigint;
  /** The region's name; undefined for the unassigned section and subpage containers (printed "(noname)"). */
  readonly name?: string;
  readonly region?: string;
  /** A page-level section (the ones a lookup lands on first): whole pages, a subpage container, unassigned. */
  readonly pageLevel: boolean;
}

/** One radix node: 512 entries of (skip, ptr). */
interface Node {
  readonly skip: Uint8Array;
  readonly ptr: Uint32Array;
}

class Dispatch {
  readonly sections: Section[] = [{ start: 0n, size: SPACE, pageLevel: true }];
  readonly nodes: Node[] = [];
  /** The root entry (phys_map). */
  root = { skip: 1, ptr: NIL };
  private readonly subpages = new Set<bigint>();

  private alloc(leaf: boolean): number {
    const skip = new Uint8Array(L2_SIZE).fill(leaf ? 0 : 1);
    const ptr = new Uint32Array(L2_SIZE).fill(leaf ? 0 : NIL);
    this.nodes.push({ skip, ptr });
    return this.nodes.length - 1;
  }

  private add(s: Section): number {
    this.sections.push(s);
    return this.sections.length - 1;
  }

  /** phys_page_set_level, with the entry given as (node, slot) or the root. */
  private setLevel(entry: { get: () => { skip: number; ptr: number }; set: (skip: number, ptr: number) => void }, pos: { index: bigint; nb: bigint }, leaf: number, level: number): void {
    const step = 1n << BigInt(level * L2_BITS);
    let e = entry.get();
    if (e.skip && e.ptr === NIL) {
      entry.set(e.skip, this.alloc(level === 0));
      e = entry.get();
    }
    const node = this.nodes[e.ptr];
    let slot = Number((pos.index >> BigInt(level * L2_BITS)) & BigInt(L2_SIZE - 1));
    while (pos.nb > 0n && slot < L2_SIZE) {
      if ((pos.index & (step - 1n)) === 0n && pos.nb >= step) {
        node.skip[slot] = 0;
        node.ptr[slot] = leaf;
        pos.index += step;
        pos.nb -= step;
      } else {
        const s = slot;
        this.setLevel({ get: () => ({ skip: node.skip[s], ptr: node.ptr[s] }), set: (k, p) => { node.skip[s] = k; node.ptr[s] = p; } }, pos, leaf, level - 1);
      }
      slot++;
    }
  }

  private pageSet(index: bigint, nb: bigint, leaf: number): void {
    const rootEntry = { get: () => this.root, set: (skip: number, ptr: number) => { this.root = { skip, ptr }; } };
    this.setLevel(rootEntry, { index, nb }, leaf, LEVELS - 1);
  }

  private registerSubpage(start: bigint, size: bigint, region: string, name: string): void {
    const base = start & ~(PAGE - 1n);
    if (!this.subpages.has(base)) {
      this.subpages.add(base);
      this.pageSet(base >> PAGE_BITS, 1n, this.add({ start: base, size: PAGE, pageLevel: true }));
    }
    this.add({ start, size, region, name, pageLevel: false });
  }

  /** flatview_add_to_dispatch: |subpage|whole pages|subpage|. */
  addRange(start: bigint, size: bigint, region: string, name: string): void {
    let s = start;
    let left = size;
    if (s & (PAGE - 1n)) {
      const head = ((s + PAGE - 1n) & ~(PAGE - 1n)) - s;
      const now = head < left ? head : left;
      this.registerSubpage(s, now, region, name);
      if (now === left) return;
      left -= now;
      s += now;
    }
    if (left >= PAGE) {
      const whole = left & ~(PAGE - 1n);
      this.pageSet(s >> PAGE_BITS, whole >> PAGE_BITS, this.add({ start: s, size: whole, region, name, pageLevel: true }));
      if (whole === left) return;
      left -= whole;
      s += whole;
    }
    this.registerSubpage(s, left, region, name);
  }

  /** phys_page_compact on an entry (given by accessors), recursively. */
  private compactEntry(get: () => { skip: number; ptr: number }, set: (skip: number, ptr: number) => void): void {
    const e = get();
    if (e.ptr === NIL) return;
    const node = this.nodes[e.ptr];
    let valid = 0;
    let validAt = L2_SIZE;
    for (let i = 0; i < L2_SIZE; i++) {
      if (node.ptr[i] === NIL) continue;
      validAt = i;
      valid++;
      if (node.skip[i]) {
        const k = i;
        this.compactEntry(() => ({ skip: node.skip[k], ptr: node.ptr[k] }), (skip, ptr) => { node.skip[k] = skip; node.ptr[k] = ptr; });
      }
    }
    if (valid !== 1) return;
    const childSkip = node.skip[validAt];
    const childPtr = node.ptr[validAt];
    set(childSkip === 0 ? 0 : e.skip + childSkip, childPtr);
  }

  compact(): void {
    if (this.root.skip) this.compactEntry(() => this.root, (skip, ptr) => { this.root = { skip, ptr }; });
  }
}

const SECTION_NOTES = [' [unassigned]', ' [not dirty]', ' [ROM]', ' [watch]'];

function entryText(start: number, end: number, skip: number, ptr: number): string {
  const at = start === end - 1 ? `${String(start).padStart(3)}      ` : `${String(start).padStart(3)}..${String(end - 1).padEnd(3)} `;
  const to = ptr === NIL ? ' ptr=NIL' : skip === 0 ? ` ptr=#${ptr}` : ` ptr=[${ptr}]`;
  return `\t${at} skip=${skip} ${to}`;
}

/**
 * The "Dispatch" lines of a rendered flat view (`ranges`, non-empty) whose root region is `rootId`; `mruAddr`: the
 * last address the view looked up since it was generated, if any.
 */
export function dispatchLines(regions: Regions, rootId: string, ranges: readonly FlatRange[], mruAddr?: bigint): string[] {
  const d = new Dispatch();
  for (const r of ranges) d.addRange(r.start, r.end - r.start, r.region, regions.get(r.region)?.name ?? r.region);
  d.compact();
  let mru = -1;
  if (mruAddr !== undefined) {
    mru = 0;
    d.sections.forEach((s, i) => {
      if (i > 0 && s.pageLevel && mruAddr >= s.start && mruAddr < s.start + s.size) mru = i;
    });
  }
  const out = ['  Dispatch', '    Physical sections'];
  d.sections.forEach((s, i) => {
    const last = (s.start + (s.size === 0n ? 0n : s.size - 1n)) & U64;
    out.push(
      `      #${i} @${hexPad(s.start, 16)}..${hexPad(last, 16)} ${s.name ?? '(noname)'}${SECTION_NOTES[i] ?? ''}` +
        `${s.region !== undefined && s.region === rootId ? ' [ROOT]' : ''}${i === mru ? ' [MRU]' : ''}`,
    );
  });
  out.push(`    Nodes (${L2_BITS} bits per level, ${LEVELS} levels) ptr=[${d.root.ptr}] skip=${d.root.skip}`);
  d.nodes.forEach((n, i) => {
    out.push(`      [${i}]`);
    let from = 0;
    for (let j = 1; j <= L2_SIZE; j++) {
      if (j < L2_SIZE && n.skip[j] === n.skip[from] && n.ptr[j] === n.ptr[from]) continue;
      out.push(entryText(from, j, n.skip[from], n.ptr[from]));
      from = j;
    }
  });
  return out;
}
