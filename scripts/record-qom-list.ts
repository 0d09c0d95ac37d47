// Records `qom-list` of every object of the board (/machine and everything below it in `info qom-tree`) on each QEMU
// release and writes it as data for the model (engine/versions/data/qom-list-RELEASE.ts): QEMU lists an object's
// properties in the order of its property hash table, which the model cannot derive, so the replies are kept as
// recorded for `-M TYPE -m 1G`. One text per board (the release's default type: `@PATH` lines, each followed by its
// `NAME<TAB>TYPE` lines in QEMU's order) plus, per older machine type, the line edits against it.
//
//   node scripts/build.js && node dist/scripts/record-qom-list.js [7.2|10.0]...     (default: both)

import * as fs from 'node:fs';
import { QemuBackend, qemuAvailable, qemuInstall } from '../backends/qemu';
import { runReplay } from '../transcript/replay-format';
import { qemuVersionData, QEMU_VERSIONS, type QemuVersion } from '../engine/versions';
import { repoPath } from '../paths';
import { hunks, type Hunk } from './record-board';

/** The paths of `info qom-tree` lines, in the order printed. */
export function qomTreePaths(lines: readonly string[]): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const depth = (line.length - line.trimStart().length) / 2;
    const text = line.trimStart();
    const name = text.slice(1, text.lastIndexOf(' ('));
    stack[depth] = name;
    stack.length = depth + 1;
    out.push('/' + stack.join('/'));
  }
  return out;
}

async function lists(version: QemuVersion, machine: string): Promise<string[]> {
  const run = async (steps: unknown[]) => {
    const t = await runReplay(new QemuBackend({ qemuVersion: version, raw: true }), {
      file: `${machine}.yaml`, machine: `-M ${machine} -m 1G`, steps,
    } as never);
    if (!t.startup.ok) throw new Error(`${machine}: ${t.startup.error}`);
    return t.steps.map((st) => st.reply);
  };
  const [tree] = await run([{ hmp: 'info qom-tree' }]);
  const paths = qomTreePaths((tree as string).split('\r\n'));
  const replies = await run(paths.map((path) => ({ qmp: { execute: 'qom-list', arguments: { path } } })));
  const out: string[] = [];
  paths.forEach((p, i) => {
    const r = replies[i] as { return?: { name: string; type: string }[] };
    if (!r.return) throw new Error(`${machine}: qom-list ${p}: ${JSON.stringify(r)}`);
    out.push(`@${p}`, ...r.return.map((x) => `${x.name}\t${x.type}`));
  });
  return out;
}

async function record(version: QemuVersion): Promise<void> {
  const data = qemuVersionData(version);
  const boards: Record<string, string[]> = {};
  for (const type of ['pc', 'q35'] as const) boards[type] = await lists(version, data.aliases[type]);
  const edits: Record<string, Hunk[]> = {};
  for (const t of data.machineTypes) {
    const h = hunks(boards[t.type], await lists(version, t.name));
    if (h.length) edits[t.name] = h;
  }
  const json = JSON.stringify({ qomList: boards, qomListEdits: edits });
  const file = repoPath('engine', 'versions', 'data', `qom-list-${version}.ts`);
  const name = `QOM_LIST_${version.replace('.', '_')}`;
  fs.writeFileSync(file, `// qom-list of every board object on QEMU ${data.release}, recorded by scripts/record-qom-list.ts (data, not code):\n` +
    `// the default machine type's replies per board, and the line edits of every other machine type.\n` +
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
