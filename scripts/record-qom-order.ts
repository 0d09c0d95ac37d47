// Records the order in which QEMU inserts the children of /machine/unattached into its property hash table, per
// release, machine type and board shape (HPET on/off, ACPI on/off), and writes it as data for the model
// (engine/versions/data/unattached-order-RELEASE.ts). `qom-list /machine/unattached` lists the table in GLib's
// hash-table order, which follows from these insertions (engine/qom/ghash.ts): with the sequence the model answers
// for shapes the board data (scripts/record-qom-list.ts, `-m 1G` only) does not hold: further CPUs, RAM above 4 GiB,
// no HPET, no ACPI. The sequence is observed through scripts/ghash-log.c, a preloaded library that logs GLib's
// g_hash_table_insert/remove calls (compiled here with the host's C compiler).
//
//   node scripts/build.js && node dist/scripts/record-qom-order.js [7.2|10.0]...     (default: both)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { QemuBackend } from '../backends/qemu';
import { runReplay } from '../transcript/replay-format';
import { qemuVersionData, type QemuVersion } from '../engine/versions';
import { repoPath } from '../paths';
import { recordEachVersion, writeDataModule } from './record-board';

/** The board shapes recorded, in the order of the data's per-machine index lists. */
export const SHAPES = [',hpet=on,acpi=on', ',hpet=off,acpi=on', ',hpet=on,acpi=off', ',hpet=off,acpi=off'] as const;

let shim: string | undefined;
function shimLibrary(): string {
  if (shim) return shim;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ghash-log-'));
  shim = path.join(dir, 'ghash-log.so');
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', shim, repoPath('scripts', 'ghash-log.c'), '-ldl']);
  return shim;
}

/** The insertions (and `R:` removals) of the table that received `sysbus` (the /machine/unattached container). */
export function unattachedOps(log: string): string[] {
  const ops = log.split('\n').filter(Boolean).map((l) => {
    const m = /^(\w) (\S+) ?(.*)$/.exec(l)!;
    return { op: m[1], t: m[2], k: m[3] };
  });
  const first = ops.findIndex((o) => o.op === 'I' && o.k === 'sysbus');
  if (first < 0) throw new Error('no hash table received sysbus');
  const table = ops[first].t;
  let start = 0;
  for (let i = 0; i < first; i++) if (ops[i].t === table && ops[i].op === 'N') start = i;
  return ops.slice(start).filter((o) => o.t === table && 'IPAR'.includes(o.op) && o.op !== 'N').map((o) => (o.op === 'R' ? `R:${o.k}` : o.k));
}

async function sequence(version: QemuVersion, machine: string): Promise<string> {
  const log = path.join(path.dirname(shimLibrary()), 'ht.log');
  fs.rmSync(log, { force: true });
  process.env.LD_PRELOAD = shimLibrary();
  process.env.HT_LOG = log;
  try {
    const t = await runReplay(new QemuBackend({ qemuVersion: version, raw: true }), {
      file: 'x.yaml', machine: `-M ${machine} -m 1G`, steps: [{ qmp: { execute: 'query-status' } }],
    } as never);
    if (!t.startup.ok) throw new Error(`${machine}: ${t.startup.error}`);
  } finally {
    delete process.env.LD_PRELOAD;
    delete process.env.HT_LOG;
  }
  return unattachedOps(fs.readFileSync(log, 'utf8')).join(' ');
}

async function record(version: QemuVersion): Promise<void> {
  const data = qemuVersionData(version);
  const sequences: string[] = [];
  const machines: Record<string, number[]> = {};
  const indexOf = (s: string) => {
    let i = sequences.indexOf(s);
    if (i < 0) i = sequences.push(s) - 1;
    return i;
  };
  for (const t of data.machineTypes) {
    const idx: number[] = [];
    for (const shape of SHAPES) idx.push(indexOf(await sequence(version, t.name + shape)));
    machines[t.name] = idx;
  }
  const file = repoPath('engine', 'versions', 'data', `unattached-order-${version}.ts`);
  writeDataModule(file, `UNATTACHED_ORDER_${version.replace('.', '_')}`, [
    `The order QEMU ${data.release} inserts the children of /machine/unattached into its property table, recorded by`,
    'scripts/record-qom-order.ts (data, not code): the distinct sequences (space-separated names, `R:NAME` a removal) and,',
    `per machine type, the sequence of each board shape (${SHAPES.map((s) => s.slice(1)).join(' | ')}), with -m 1G and one CPU.`,
    'A JSON string, parsed on first use (engine/versions/board.ts).',
  ], JSON.stringify({ sequences, machines }));
  console.log(`wrote ${file} (${sequences.length} distinct sequences)`);
}

if (require.main === module) recordEachVersion(record).then((code) => process.exit(code));
