// Records what the board devices of every machine type show on each QEMU release and writes it as data for the
// model (engine/versions/data/board-RELEASE.ts): `info qtree` and `info qom-tree` (/machine) of `-M TYPE -m 1G`
// for every versioned pc and q35 type, kept as one text per board (the release's default type) plus, per machine
// type, the line edits its compat properties make. The lines that follow the configuration rather than the type are stored as markers
// the model fills in (engine/protocol/hmp-qtree.ts): the RAM split of the host bridge and PIIX4_PM's
// memory-hotplug-support; the QOM tree's configuration-dependent nodes are added by engine/qom/board-tree.ts.
//
//   node scripts/build.js && node dist/scripts/record-board.js [7.2|10.0]...     (default: both)

import * as fs from 'node:fs';
import { diffArrays } from 'diff';
import { QemuBackend, qemuAvailable, qemuInstall } from '../backends/qemu';
import { runReplay } from '../transcript/replay-format';
import { qemuVersionData, QEMU_VERSIONS, type QemuVersion } from '../engine/versions';
import { repoPath } from '../paths';

/** [start, deleteCount, ...insertedLines] against the board's text, in ascending order. */
export type Hunk = [number, number, ...string[]];

/** The lines that follow the configuration: replaced by markers (a NUL, then the marker's name). */
function normalise(lines: string[]): string[] {
  return lines.map((l) => {
    const m = /^(\s*)(below-4g-mem-size|above-4g-mem-size|memory-hotplug-support) = /.exec(l);
    return m ? `${m[1]}\0${m[2]}` : l;
  });
}

export function hunks(base: string[], other: string[]): Hunk[] {
  const out: Hunk[] = [];
  let at = 0;
  let pending: Hunk | undefined;
  for (const part of diffArrays(base, other)) {
    if (!part.added && !part.removed) {
      if (pending) out.push(pending);
      pending = undefined;
      at += part.value.length;
      continue;
    }
    pending ??= [at, 0];
    if (part.removed) {
      pending[1] += part.value.length;
      at += part.value.length;
    } else pending.push(...part.value);
  }
  if (pending) out.push(pending);
  return out;
}

/**
 * `info qtree` and `info qom-tree` (the /machine tree) of `-M MACHINE -m 1G`, as lines; the owners `info mtree -o` and
 * `info mtree -f -o` print for its regions, with memory hotplug on (`slots=2,maxmem=4G`: the hotplug block shows).
 */
async function board(version: QemuVersion, machine: string): Promise<{ qtree: string[]; qomTree: string[]; owners: Record<string, string> }> {
  const run = async (mem: string, steps: string[]) => {
    const t = await runReplay(new QemuBackend({ qemuVersion: version, raw: true }), {
      file: `${machine}.yaml`, machine: `-M ${machine} -m ${mem}`, steps: steps.map((hmp) => ({ hmp })),
    } as never);
    if (!t.startup.ok) throw new Error(`${machine}: ${t.startup.error}`);
    return t.steps.map((st) => (st.reply as string).split('\r\n'));
  };
  const [qtree, qomTree] = await run('1G', ['info qtree', 'info qom-tree']);
  // Machine types without memory hotplug (pc up to 2.0) refuse slots: their regions as they are.
  const [tree, flat] = await run('1G,slots=2,maxmem=4G', ['info mtree -o -D', 'info mtree -f -o'])
    .catch(() => run('1G', ['info mtree -o -D', 'info mtree -f -o']));
  return { qtree, qomTree, owners: ownerMap(tree, flat) };
}

/** A region line of `info mtree -o`: its start, name and owner suffix (undefined for other lines). */
export function ownerLine(line: string): { start: string; name: string; owner: string } | undefined {
  const m = /^\s*([0-9a-f]{16})-[0-9a-f]{16} \(prio -?\d+, [a-z/]+\): (.*?)((?: owner:\{[^}]*\})?(?: parent:\{[^}]*\})?(?: orphan)?)$/.exec(line);
  if (!m) return undefined;
  let text = m[2].replace(/ \[disabled\]$/, '');
  if (text.startsWith('alias ')) text = text.slice(6, text.indexOf(' @'));
  else if (text.includes(' @')) text = text.slice(0, text.indexOf(' @'));
  return { start: m[1], name: text, owner: m[3] };
}

/**
 * Owner suffixes by key: tree lines by `T<TAB>block header<TAB>name<TAB>start` and `T<TAB>header<TAB>name` (when every
 * region of that name in that block has the same owner), flat-view lines by `F<TAB>name<TAB>start` and `F<TAB>name`.
 */
function ownerMap(tree: string[], flat: string[]): Record<string, string> {
  const seen = new Map<string, Set<string>>();
  const note = (key: string, owner: string) => {
    if (!seen.has(key)) seen.set(key, new Set());
    seen.get(key)!.add(owner);
  };
  let header = '';
  for (const l of tree) {
    if (/^(address-space|memory-region): /.test(l)) header = l;
    const r = ownerLine(l);
    if (!r) continue;
    note(`T\t${header}\t${r.name}\t${r.start}`, r.owner);
    note(`T\t${header}\t${r.name}`, r.owner);
  }
  for (const l of flat) {
    const r = ownerLine(l);
    if (!r) continue;
    note(`F\t${r.name}\t${r.start}`, r.owner);
    note(`F\t${r.name}`, r.owner);
  }
  // Keys in one sorted order: QEMU prints the address spaces in an order that varies from run to run.
  const out: Record<string, string> = {};
  for (const k of sortedKeys(seen.keys())) {
    const v = seen.get(k)!;
    if (v.size === 1) out[k] = [...v][0];
  }
  return out;
}

async function record(version: QemuVersion): Promise<void> {
  const data = qemuVersionData(version);
  const boards: Record<string, string[]> = {};
  const trees: Record<string, string[]> = {};
  const owners: Record<string, Record<string, string>> = {};
  for (const type of ['pc', 'q35'] as const) {
    const b = await board(version, data.aliases[type]);
    boards[type] = normalise(b.qtree);
    trees[type] = b.qomTree;
    owners[type] = b.owners;
  }
  const edits: Record<string, Hunk[]> = {};
  const treeEdits: Record<string, Hunk[]> = {};
  // Per machine type, the owner keys that differ from its board's (null: the key is ambiguous or absent there).
  const ownerEdits: Record<string, Record<string, string | null>> = {};
  for (const t of data.machineTypes) {
    const b = await board(version, t.name);
    const h = hunks(boards[t.type], normalise(b.qtree));
    if (h.length) edits[t.name] = h;
    const th = hunks(trees[t.type], b.qomTree);
    if (th.length) treeEdits[t.name] = th;
    const oe: Record<string, string | null> = {};
    for (const k of sortedKeys(new Set([...Object.keys(owners[t.type]), ...Object.keys(b.owners)]))) {
      if (owners[t.type][k] !== b.owners[k]) oe[k] = b.owners[k] ?? null;
    }
    if (Object.keys(oe).length) ownerEdits[t.name] = oe;
  }
  const json = JSON.stringify({ qtree: boards, qtreeEdits: edits, qomTree: trees, qomTreeEdits: treeEdits, owners, ownerEdits });
  const file = repoPath('engine', 'versions', 'data', `board-${version}.ts`);
  const name = `BOARD_${version.replace('.', '_')}`;
  writeDataModule(file, name, [
    `What the board devices of QEMU ${data.release} show, recorded by scripts/record-board.ts (data, not code): \`info qtree\``,
    `and \`info qom-tree\` of each board's default machine type, and the line edits of every other machine type.`,
    'A JSON string, parsed on first use (engine/versions/board.ts).',
  ], json);
  console.log(`wrote ${file} (${Object.keys(edits).length} machine types with edits)`);
}

/** Keys in code-unit order (not the locale's), so that a re-recording writes the same bytes. */
function sortedKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Writes a recorded data module: `export const NAME = "<json>"` under a header comment (data, not code). */
export function writeDataModule(file: string, name: string, header: string[], json: string): void {
  fs.writeFileSync(file, header.map((l) => `// ${l}\n`).join('') + `\nexport const ${name} = ${JSON.stringify(json)};\n`);
}

/** Runs a recorder for the releases named on the command line (all by default); 2 when a QEMU is missing. */
export async function recordEachVersion(record: (v: QemuVersion) => Promise<void>): Promise<number> {
  const versions = (process.argv.length > 2 ? process.argv.slice(2) : [...QEMU_VERSIONS]) as QemuVersion[];
  for (const v of versions) {
    if (!qemuAvailable(v)) {
      console.error(qemuInstall(v).notFound);
      return 2;
    }
    await record(v);
  }
  return 0;
}

if (require.main === module) recordEachVersion(record).then((code) => process.exit(code));
