// Records `qom-list` of every object of the board (/machine and everything below it in `info qom-tree`) on each QEMU
// release and writes it as data for the model (engine/versions/data/qom-list-RELEASE.ts): QEMU lists an object's
// properties in the order of its property hash table, which the model cannot derive, so the replies are kept as
// recorded for `-M TYPE -m 1G`. One text per board (the release's default type: `@PATH` lines, each followed by its
// `NAME<TAB>TYPE` lines in QEMU's order) plus, per older machine type, the line edits against it, and per machine type
// the edits memory hotplug (`-m 1G,slots=2,maxmem=4G`) makes to its lines.
//
//   node scripts/build.js && node dist/scripts/record-qom-list.js [7.2|10.0]...     (default: both)

import { QemuBackend } from '../backends/qemu';
import { runReplay } from '../transcript/replay-format';
import { qemuVersionData, type QemuVersion } from '../engine/versions';
import { repoPath } from '../paths';
import { hunks, recordEachVersion, writeDataModule, type Hunk } from './record-board';

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

async function lists(version: QemuVersion, machine: string, mem = '1G'): Promise<string[]> {
  const run = async (steps: unknown[]) => {
    const t = await runReplay(new QemuBackend({ qemuVersion: version, raw: true }), {
      file: `${machine}.yaml`, machine: `-M ${machine} -m ${mem}`, steps,
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

/** Memory hotplug on: what `slots` and `maxmem` add to the board's objects. */
const MEMHP = '1G,slots=2,maxmem=4G';

async function record(version: QemuVersion): Promise<void> {
  const data = qemuVersionData(version);
  const boards: Record<string, string[]> = {};
  for (const type of ['pc', 'q35'] as const) boards[type] = await lists(version, data.aliases[type]);
  const edits: Record<string, Hunk[]> = {};
  // With memory hotplug on (slots, maxmem) the ACPI device has its hotplug block: per machine type, the edits
  // against its own lines without (machine types without memory hotplug refuse slots: none).
  const memhp: Record<string, Hunk[]> = {};
  for (const t of data.machineTypes) {
    const own = await lists(version, t.name);
    const h = hunks(boards[t.type], own);
    if (h.length) edits[t.name] = h;
    const hp = await lists(version, t.name, MEMHP).catch(() => undefined);
    if (hp) memhp[t.name] = hunks(own, hp);
  }
  const json = JSON.stringify({ qomList: boards, qomListEdits: edits, qomListMemhpEdits: memhp });
  const file = repoPath('engine', 'versions', 'data', `qom-list-${version}.ts`);
  const name = `QOM_LIST_${version.replace('.', '_')}`;
  writeDataModule(file, name, [
    `qom-list of every board object on QEMU ${data.release}, recorded by scripts/record-qom-list.ts (data, not code):`,
    "the default machine type's replies per board, and the line edits of every other machine type.",
    'A JSON string, parsed on first use (engine/versions/board.ts).',
  ], json);
  console.log(`wrote ${file} (${Object.keys(edits).length} machine types with edits)`);
}

if (require.main === module) recordEachVersion(record).then((code) => process.exit(code));
