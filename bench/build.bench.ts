// Machine start-up (buildFromCommandLine) over the machines the quick suites start: bench/suite-machines.json holds
// their distinct command lines and releases, collected once. "First build": each built once in a fresh process, in
// the suite's order, as a suite pays for it (every machine built once, then remembered; V8 compiles the build path
// on the first ones). "Warm": each parsed and built again and again (nothing remembered), the cost once compiled
// (after three untimed passes).
// Run as a program it prints its figures as JSON; buildBench runs it in fresh processes.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CODE_ROOT, repoPath } from '../paths';
import { nowUs, summarize, type Summary } from './stats';

interface Figures {
  readonly machines: number;
  /** Each machine's first build, ms, in the suite's order. */
  readonly first: readonly number[];
  /** ms per build, once compiled: the median over passes of the whole list. */
  readonly warm: number;
}

function machines(): [string, string][] {
  return (JSON.parse(readFileSync(repoPath('bench', 'suite-machines.json'), 'utf8')) as { machines: [string, string][] }).machines;
}

async function measure(passes: number): Promise<Figures> {
  // Loaded here, not at the top: the first build's figure includes nothing of this process but the engine.
  const { buildFromCommandLine, buildMachine } = await import('../engine/machine/build');
  const { parseMachine } = await import('../engine/config/parse');
  const list = machines() as [string, '7.2' | '10.0'][];
  const first: number[] = [];
  for (const [line, version] of list) {
    const t0 = nowUs();
    buildFromCommandLine(line, version);
    first.push((nowUs() - t0) / 1000);
  }
  const build = (): void => {
    for (const [line, version] of list) {
      const parsed = parseMachine(line, version);
      if (parsed.ok) buildMachine(parsed.config);
    }
  };
  for (let p = 0; p < 3; p++) build(); // untimed: V8 compiles the rest of the path
  const perBuild: number[] = [];
  for (let p = 0; p < passes; p++) {
    const t0 = nowUs();
    build();
    perBuild.push((nowUs() - t0) / 1000 / list.length);
  }
  return { machines: list.length, first, warm: summarize(perBuild).median };
}

export interface BuildFigures {
  readonly machines: number;
  /** All first builds of a process, ms (one sample per process). */
  readonly firstTotal: Summary;
  /** Every first build, ms (all processes). */
  readonly firstEach: Summary;
  /** The very first build of a process (the one `replay ONE.yaml` pays), ms. */
  readonly firstOfProcess: Summary;
  /** ms per build once compiled (one sample per process). */
  readonly warm: Summary;
}

export function buildBench(runs: number, quick: boolean): BuildFigures {
  const totals: number[] = [];
  const each: number[] = [];
  const firsts: number[] = [];
  const warm: number[] = [];
  let n = 0;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [path.join(CODE_ROOT, 'bench', 'build.bench.js'), quick ? '3' : '20'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build bench failed: ${r.stderr}`);
    const f = JSON.parse(r.stdout) as Figures;
    n = f.machines;
    totals.push(f.first.reduce((a, b) => a + b, 0));
    each.push(...f.first);
    firsts.push(f.first[0]);
    warm.push(f.warm);
  }
  return { machines: n, firstTotal: summarize(totals), firstEach: summarize(each), firstOfProcess: summarize(firsts), warm: summarize(warm) };
}

if (require.main === module) {
  measure(Number(process.argv[2] ?? 20)).then(
    (f) => process.stdout.write(`${JSON.stringify(f)}\n`),
    (e: Error) => {
      process.stderr.write(`${e.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
