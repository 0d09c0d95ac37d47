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

function hunks(base: string[], other: string[]): Hunk[] {
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

/** `info qtree` and `info qom-tree` (the /machine tree) of `-M MACHINE -m 1G`, as lines. */
async function board(version: QemuVersion, machine: string): Promise<{ qtree: string[]; qomTree: string[] }> {
  const t = await runReplay(new QemuBackend({ qemuVersion: version, raw: true }), {
    file: `${machine}.yaml`, machine: `-M ${machine} -m 1G`, steps: [{ hmp: 'info qtree' }, { hmp: 'info qom-tree' }],
  } as never);
  if (!t.startup.ok) throw new Error(`${machine}: ${t.startup.error}`);
  const lines = (i: number) => (t.steps[i].reply as string).split('\r\n');
  return { qtree: lines(0), qomTree: lines(1) };
}

async function record(version: QemuVersion): Promise<void> {
  const data = qemuVersionData(version);
  const boards: Record<string, string[]> = {};
  const trees: Record<string, string[]> = {};
  for (const type of ['pc', 'q35'] as const) {
    const b = await board(version, data.aliases[type]);
    boards[type] = normalise(b.qtree);
    trees[type] = b.qomTree;
  }
  const edits: Record<string, Hunk[]> = {};
  const treeEdits: Record<string, Hunk[]> = {};
  for (const t of data.machineTypes) {
    const b = await board(version, t.name);
    const h = hunks(boards[t.type], normalise(b.qtree));
    if (h.length) edits[t.name] = h;
    const th = hunks(trees[t.type], b.qomTree);
    if (th.length) treeEdits[t.name] = th;
  }
  const json = JSON.stringify({ qtree: boards, qtreeEdits: edits, qomTree: trees, qomTreeEdits: treeEdits });
  const file = repoPath('engine', 'versions', 'data', `board-${version}.ts`);
  const name = `BOARD_${version.replace('.', '_')}`;
  fs.writeFileSync(file, `// What the board devices of QEMU ${data.release} show, recorded by scripts/record-board.ts (data, not code): \`info qtree\`\n` +
    `// and \`info qom-tree\` of each board's default machine type, and the line edits of every other machine type.\n` +
    `// A JSON string, parsed on first use (engine/versions/board.ts).\n\nexport const ${name} = ${JSON.stringify(json)};\n`);
  console.log(`wrote ${file} (${Object.keys(edits).length} machine types with edits)`);
}

async function main(): Promise<number> {
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

if (require.main === module) main().then((code) => process.exit(code));
