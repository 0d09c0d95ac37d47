// Parsers for QEMU's `info mtree` text, shared by the steps, the reports and the qemu backend.
// QEMU prints the FlatView blocks of `info mtree -f` in hash-table order with unstable numbers, so a view is
// selected by the `AS "<name>"` line of its header, never by its number (qemu-oracle-recipe.md §4, §12.5).

/** One range of a FlatView as printed: `START-END (prio P, KIND): NAME[ @OFFSET][ KVM]`. `end` is inclusive. */
export interface FlatRangeLine {
  readonly start: bigint;
  readonly end: bigint;
  readonly prio: number;
  /** `ram`, `rom`, `i/o`, `romd`, `ramd`, possibly `nv-` prefixed. */
  readonly kind: string;
  readonly name: string;
  /** Offset inside the region (`@%016llx`), 0n when not printed. */
  readonly offset: bigint;
  /** ` KVM` suffix: the range is backed by a KVM memory slot. */
  readonly kvm: boolean;
}

export interface FlatViewBlock {
  /** The number QEMU printed (`FlatView #N`); unstable between calls. */
  readonly number: number;
  readonly addressSpaces: readonly { readonly name: string; readonly root: string }[];
  readonly root: string | undefined;
  readonly ranges: readonly FlatRangeLine[];
  /** The range lines exactly as printed (trimmed), for text comparison. */
  readonly lines: readonly string[];
}

export class MtreeParseError extends Error {}

const RANGE_RE = /^([0-9a-f]{16})-([0-9a-f]{16}) \(prio (-?\d+), ([a-z/-]+)\): (.+?)(?: @([0-9a-f]{16}))?( KVM)?$/;

/** Parse one flat-view range line (leading blanks allowed). */
export function parseFlatRangeLine(line: string): FlatRangeLine | undefined {
  const m = RANGE_RE.exec(line.trim());
  if (!m) return undefined;
  return {
    start: BigInt('0x' + m[1]),
    end: BigInt('0x' + m[2]),
    prio: Number(m[3]),
    kind: m[4],
    name: m[5],
    offset: m[6] ? BigInt('0x' + m[6]) : 0n,
    kvm: m[7] !== undefined,
  };
}

/**
 * The last few texts parsed and what they gave: a suite reads `info mtree` of the same few machines (the start-up
 * states every scenario of a machine shares) again and again, and the model answers with the very same text.
 * Parsing is pure; the results are shared between callers and must not be modified (their types are readonly).
 */
function remembered<T>(parse: (text: string) => T): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    let r = kept.get(text);
    if (r === undefined) {
      r = parse(text);
      if (kept.size >= 16) kept.delete(kept.keys().next().value!);
      kept.set(text, r);
    }
    return r;
  };
}

/** Split `info mtree -f` text into its FlatView blocks. */
export function parseFlatViews(text: string): readonly FlatViewBlock[] {
  return parseFlatViewsRemembered(text);
}

const parseFlatViewsRemembered = remembered(parseFlatViewsOnce);

function parseFlatViewsOnce(text: string): readonly FlatViewBlock[] {
  const blocks: FlatViewBlock[] = [];
  let cur: { number: number; addressSpaces: { name: string; root: string }[]; root?: string; ranges: FlatRangeLine[]; lines: string[] } | undefined;
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '') return;
    const head = /^FlatView #(\d+)$/.exec(line.trim());
    if (head) {
      cur = { number: Number(head[1]), addressSpaces: [], ranges: [], lines: [] };
      blocks.push(cur as FlatViewBlock);
      return;
    }
    if (!cur) throw new MtreeParseError(`info mtree -f line ${i + 1}: expected "FlatView #N", got ${JSON.stringify(line)}`);
    const as = /^\s*AS "([^"]*)", root: (.*)$/.exec(line);
    if (as) { cur.addressSpaces.push({ name: as[1], root: as[2].trim() }); return; }
    const root = /^\s*Root memory region: (.*)$/.exec(line);
    if (root) { cur.root = root[1].trim() === '(none)' ? undefined : root[1].trim(); return; }
    if (/^\s*No rendered FlatView/.test(line)) return;
    const r = parseFlatRangeLine(line);
    if (!r) throw new MtreeParseError(`info mtree -f line ${i + 1}: cannot read ${JSON.stringify(line.trim())}`);
    cur.ranges.push(r);
    cur.lines.push(line.trim());
  });
  return blocks;
}

/** The FlatView whose header lists `AS "<as>"` (default: the system memory address space "memory"). */
export function selectFlatView(text: string, as = 'memory'): FlatViewBlock {
  const block = parseFlatViews(text).find((b) => b.addressSpaces.some((a) => a.name === as));
  if (!block) throw new MtreeParseError(`info mtree -f: no FlatView lists AS "${as}"`);
  return block;
}

/** Ranges of the AS "memory" flat view: `{start, end, prio, kind, name, offset}` with bigints. */
export function parseMemoryFlatView(text: string): FlatRangeLine[] {
  return [...selectFlatView(text, 'memory').ranges];
}

/** One line of the `info mtree` tree (`address-space:` / `memory-region:` blocks). */
export interface TreeRegionLine {
  /** Nesting level: 1 for the root of an address space. */
  readonly depth: number;
  readonly start: bigint;
  readonly end: bigint;
  readonly prio: number;
  readonly kind: string;
  readonly name: string;
  /** For `alias NAME @TARGET TSTART-TEND`. */
  readonly alias?: { readonly target: string; readonly start: bigint; readonly end: bigint };
}

export interface TreeBlock {
  /** `address-space` or `memory-region`. */
  readonly kind: 'address-space' | 'memory-region';
  /** Consecutive headers share one root (`address-space: cpu-memory-0` + `address-space: memory`). */
  readonly names: readonly string[];
  readonly regions: readonly TreeRegionLine[];
}

const TREE_RE = /^( *)([0-9a-f]{16})-([0-9a-f]{16}) \(prio (-?\d+), ([a-z/-]+)\): (alias )?(.+?)(?: @(\S+) ([0-9a-f]{16})-([0-9a-f]{16}))?(?: \[disabled\])?$/;

/** Parse `info mtree` (tree form) into blocks of regions with their nesting depth. */
export function parseMtreeTree(text: string): readonly TreeBlock[] {
  return parseMtreeTreeRemembered(text);
}

const parseMtreeTreeRemembered = remembered(parseMtreeTreeOnce);

function parseMtreeTreeOnce(text: string): readonly TreeBlock[] {
  const blocks: { kind: TreeBlock['kind']; names: string[]; regions: TreeRegionLine[] }[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let cur: (typeof blocks)[number] | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '') return;
    const head = /^(address-space|memory-region): (.*)$/.exec(line);
    if (head) {
      if (cur && cur.regions.length === 0 && cur.kind === head[1]) cur.names.push(head[2].trim());
      else {
        cur = { kind: head[1] as TreeBlock['kind'], names: [head[2].trim()], regions: [] };
        blocks.push(cur);
      }
      return;
    }
    const m = TREE_RE.exec(line);
    if (!m || !cur) throw new MtreeParseError(`info mtree line ${i + 1}: cannot read ${JSON.stringify(line)}`);
    cur.regions.push({
      depth: m[1].length / 2,
      start: BigInt('0x' + m[2]),
      end: BigInt('0x' + m[3]),
      prio: Number(m[4]),
      kind: m[5],
      name: m[7],
      ...(m[6] ? { alias: { target: m[8], start: BigInt('0x' + m[9]), end: BigInt('0x' + m[10]) } } : {}),
    });
  });
  return blocks;
}

/** The first region named `name` under `address-space: <as>` of an `info mtree` dump. */
export function findTreeRegion(text: string, name: string, as = 'memory'): TreeRegionLine | undefined {
  for (const b of parseMtreeTree(text)) {
    if (b.kind !== 'address-space' || !b.names.includes(as)) continue;
    const r = b.regions.find((x) => x.name === name);
    if (r) return r;
  }
  return undefined;
}

/** Print a range the way `info mtree -f` does (without the leading indent). */
export function formatFlatRangeLine(r: Omit<FlatRangeLine, 'kvm'> & { kvm?: boolean }): string {
  const h = (v: bigint) => v.toString(16).padStart(16, '0');
  return `${h(r.start)}-${h(r.end)} (prio ${r.prio}, ${r.kind}): ${r.name}${r.offset ? ` @${h(r.offset)}` : ''}${r.kvm ? ' KVM' : ''}`;
}
