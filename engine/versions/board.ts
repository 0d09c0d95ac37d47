// The board devices of each release as data (engine/versions/data/board-*.ts, recorded by scripts/record-board.ts):
// `info qtree` of each board's default machine type, with markers where the configuration decides a line, and
// the line edits each older machine type's compat properties make. Parsed once per release, on first use.

// The data modules themselves are loaded on first use too (a run on one release reads none of the other's, and
// a run that asks for no board output none at all): require() below, not import.

/** [start, deleteCount, ...insertedLines] against the board's lines, in ascending order. */
export type Hunk = readonly [number, number, ...string[]];

export interface Board {
  /** `info qtree` lines of a machine type (split at \r\n; the last one empty), markers not yet filled in. */
  readonly qtreeLines: (type: 'pc' | 'q35', machineName: string) => readonly string[];
  /** `info qom-tree` (/machine) lines of a machine type booted with `-m 1G` and nothing else. */
  readonly qomTreeLines: (type: 'pc' | 'q35', machineName: string) => readonly string[];
  /**
   * The owner suffix `info mtree -o` prints for a region of a machine type (recorded with memory hotplug on), by key:
   * `T<TAB>block header<TAB>name[<TAB>start]` for the trees, `F<TAB>name[<TAB>start]` for the flat views.
   */
  readonly owner: (type: 'pc' | 'q35', machineName: string, key: string) => string | undefined;
  /**
   * `qom-list` of a board object (a path of the machine type's `info qom-tree` with `-m 1G` and nothing else, or with
   * memory hotplug on: `memhp`), in QEMU's order (recorded by scripts/record-qom-list.ts); undefined for a path not
   * recorded.
   */
  readonly qomList: (type: 'pc' | 'q35', machineName: string, path: string, memhp: boolean) => readonly QomProperty[] | undefined;
  /**
   * The order QEMU inserted the children of /machine/unattached into its property table (`R:NAME`: a removal), for a
   * machine type booted with `-m 1G` and one CPU, with or without the HPET and ACPI (recorded by
   * scripts/record-qom-order.ts); undefined for a machine type not recorded.
   */
  readonly unattachedOrder: (machineName: string, hpet: boolean, acpi: boolean) => readonly string[] | undefined;
}

interface UnattachedOrderData {
  readonly sequences: readonly string[];
  /** Per machine type, the sequence index of each shape: HPET+ACPI, no HPET, no ACPI, neither. */
  readonly machines: Readonly<Record<string, readonly number[]>>;
}

export interface QomProperty {
  readonly name: string;
  readonly type: string;
}

interface QomListData {
  readonly qomList: Readonly<Record<'pc' | 'q35', readonly string[]>>;
  readonly qomListEdits: Readonly<Record<string, readonly Hunk[]>>;
  /** Per machine type with memory hotplug, the edits `slots`/`maxmem` make to its own lines. */
  readonly qomListMemhpEdits: Readonly<Record<string, readonly Hunk[]>>;
}

interface BoardData {
  readonly qtree: Readonly<Record<'pc' | 'q35', readonly string[]>>;
  readonly qtreeEdits: Readonly<Record<string, readonly Hunk[]>>;
  readonly qomTree: Readonly<Record<'pc' | 'q35', readonly string[]>>;
  readonly qomTreeEdits: Readonly<Record<string, readonly Hunk[]>>;
  readonly owners: Readonly<Record<'pc' | 'q35', Readonly<Record<string, string>>>>;
  /** Per machine type, the owner keys that differ from its board's (null: not known there). */
  readonly ownerEdits: Readonly<Record<string, Readonly<Record<string, string | null>>>>;
}

/** A line QEMU prints from the configuration rather than the machine type: NUL, then what decides it. */
export const BOARD_MARKER = '\0';

export function applyHunks(lines: readonly string[], hunks: readonly Hunk[] | undefined): readonly string[] {
  if (!hunks) return lines;
  const out = [...lines];
  for (let i = hunks.length - 1; i >= 0; i--) {
    const [start, del, ...ins] = hunks[i];
    out.splice(start, del, ...ins);
  }
  return out;
}

/** The `@PATH` / `NAME<TAB>TYPE` lines of the recorded qom-list replies, by path. */
function qomListsByPath(lines: readonly string[]): Map<string, QomProperty[]> {
  const out = new Map<string, QomProperty[]>();
  let at: QomProperty[] = [];
  for (const l of lines) {
    if (l.startsWith('@')) out.set(l.slice(1), (at = []));
    else {
      const tab = l.indexOf('\t');
      at.push({ name: l.slice(0, tab), type: l.slice(tab + 1) });
    }
  }
  return out;
}

function load(text: string, qomListText: string, orderText: string): Board {
  const data = JSON.parse(text) as BoardData;
  const lists = JSON.parse(qomListText) as QomListData;
  const order = JSON.parse(orderText) as UnattachedOrderData;
  const orderCache = new Map<number, readonly string[]>();
  const listCache = new Map<string, Map<string, QomProperty[]>>();
  const cache = new Map<string, readonly string[]>();
  const lines = (what: 'qtree' | 'qomTree', type: 'pc' | 'q35', machineName: string) => {
    const key = `${what} ${machineName}`;
    let l = cache.get(key);
    if (!l) cache.set(key, (l = applyHunks(data[what][type], data[`${what}Edits`][machineName])));
    return l;
  };
  return {
    qtreeLines: (type, machineName) => lines('qtree', type, machineName),
    qomTreeLines: (type, machineName) => lines('qomTree', type, machineName),
    qomList: (type, machineName, path, memhp) => {
      const key = `${machineName} ${memhp}`;
      let m = listCache.get(key);
      if (!m) {
        const own = applyHunks(lists.qomList[type], lists.qomListEdits[machineName]);
        const hp = lists.qomListMemhpEdits[machineName];
        m = memhp && !hp ? new Map() : qomListsByPath(memhp ? applyHunks(own, hp) : own);
        listCache.set(key, m);
      }
      return m.get(path);
    },
    unattachedOrder: (machineName, hpet, acpi) => {
      const i = order.machines[machineName]?.[(acpi ? 0 : 2) + (hpet ? 0 : 1)];
      if (i === undefined) return undefined;
      let seq = orderCache.get(i);
      if (!seq) orderCache.set(i, (seq = order.sequences[i].split(' ')));
      return seq;
    },
    owner: (type, machineName, key) => {
      const edit = data.ownerEdits[machineName];
      if (edit && Object.prototype.hasOwnProperty.call(edit, key)) return edit[key] ?? undefined;
      return Object.prototype.hasOwnProperty.call(data.owners[type], key) ? data.owners[type][key] : undefined;
    },
  };
}

function lazy(text: () => string, qomListText: () => string, orderText: () => string): () => Board {
  let b: Board | undefined;
  return () => (b ??= load(text(), qomListText(), orderText()));
}

/* eslint-disable @typescript-eslint/no-var-requires */
export const board72 = lazy(
  () => (require('./data/board-7.2') as typeof import('./data/board-7.2')).BOARD_7_2,
  () => (require('./data/qom-list-7.2') as typeof import('./data/qom-list-7.2')).QOM_LIST_7_2,
  () => (require('./data/unattached-order-7.2') as typeof import('./data/unattached-order-7.2')).UNATTACHED_ORDER_7_2,
);
export const board100 = lazy(
  () => (require('./data/board-10.0') as typeof import('./data/board-10.0')).BOARD_10_0,
  () => (require('./data/qom-list-10.0') as typeof import('./data/qom-list-10.0')).QOM_LIST_10_0,
  () => (require('./data/unattached-order-10.0') as typeof import('./data/unattached-order-10.0')).UNATTACHED_ORDER_10_0,
);
/* eslint-enable @typescript-eslint/no-var-requires */
