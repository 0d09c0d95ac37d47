// Start-up benchmarks, timed from outside as a user meets them: the CLI replaying one file against `node -e 0`
// (run in turn, the ratio taken pair by pair), and the Gherkin suite: one scenario (start-up) and all of them.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoPath, REPO_ROOT } from '../paths';
import { nowUs, summarize, type Summary } from './stats';

/**
 * CPU time (user + system) of the waited-for children of this process so far, in ms: Linux's /proc/self/stat
 * cutime + cstime (clock ticks, 100 a second on Linux); undefined elsewhere. The difference around a run is what
 * it and every process it started cost, whatever else the machine is doing.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}

function wallMs(cmd: string, args: readonly string[]): { ms: number; cpuMs?: number; out: string; status: number | null } {
  const c0 = childrenCpuMs();
  const t0 = nowUs();
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = (nowUs() - t0) / 1000;
  const c1 = childrenCpuMs();
  return { ms, ...(c0 !== undefined && c1 !== undefined ? { cpuMs: c1 - c0 } : {}), out: `${r.stdout}${r.stderr}`, status: r.status };
}

export const CLI_ARGS = [repoPath('bin', 'hotplug-scenarios.js'), 'replay', repoPath('test', 'replay', 'examples', 'plug-one-dimm-pc.yaml'), '--json'];

export function cliStartup(runs: number): { cli: Summary; node: Summary; ratio: Summary } {
  wallMs(process.execPath, CLI_ARGS); // warm the file cache
  const cli: number[] = [];
  const node: number[] = [];
  const ratio: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = wallMs(process.execPath, CLI_ARGS);
    if (a.status !== 0) throw new Error(`the CLI failed: ${a.out}`);
    const b = wallMs(process.execPath, ['-e', '0']);
    cli.push(a.ms);
    node.push(b.ms);
    ratio.push(a.ms / b.ms);
  }
  return { cli: summarize(cli), node: summarize(node), ratio: summarize(ratio) };
}

const CUCUMBER = path.join(path.dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');

export interface SuiteRun {
  readonly ms: number;
  /** CPU time of the run and its children (Linux only). */
  readonly cpuMs?: number;
  readonly scenarios: number;
  /** Cucumber's own "executing steps" time. */
  readonly stepsMs: number;
}

function suite(extra: readonly string[]): SuiteRun {
  const r = wallMs(process.execPath, [CUCUMBER, '-p', 'quick', '--format', 'summary', ...extra]);
  const scenarios = Number(/(\d+) scenarios? \(/.exec(r.out)?.[1] ?? 0);
  const m = /executing steps: (\d+)m(\d+(?:\.\d+)?)s/.exec(r.out);
  const stepsMs = m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
  if (r.status !== 0) throw new Error(`cucumber-js failed (exit ${r.status}):\n${r.out.slice(-2000)}`);
  return { ms: r.ms, ...(r.cpuMs !== undefined ? { cpuMs: r.cpuMs } : {}), scenarios, stepsMs };
}

/**
 * What `npm run scenarios` does, end to end: dist/reports/run.js (the preflight, cucumber-js with the default
 * profile's progress bar, cucumber.html, JUnit and message stream, then our index.html), reports in reports/out/.
 */
export function scenariosRun(): SuiteRun {
  const r = wallMs(process.execPath, ['--enable-source-maps', path.join(REPO_ROOT, 'dist', 'reports', 'run.js')]);
  if (r.status !== 0) throw new Error(`npm run scenarios failed (exit ${r.status}):\n${r.out.slice(-2000)}`);
  const m = /scenarios: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(r.out);
  const scenarios = m ? Number(m[1]) + Number(m[2]) + Number(m[3]) : 0;
  return { ms: r.ms, ...(r.cpuMs !== undefined ? { cpuMs: r.cpuMs } : {}), scenarios, stepsMs: NaN };
}

/** The run with the median wall time of `n` (n ≥ 1), the runs in turn with the other measurement's. */
function medianRun(runs: SuiteRun[]): SuiteRun {
  return [...runs].sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)];
}

/**
 * One scenario, `runs` times (start-up), then unless `quick` the whole suite and the whole `npm run scenarios`,
 * `wholeRuns` times each in turn (the run with the median wall time of each is reported).
 */
export function suiteBench(runs: number, quick: boolean, wholeRuns = 1): { one: Summary; oneCpu?: Summary; all?: SuiteRun; scenarios?: SuiteRun; wholeRuns: number } {
  const one: number[] = [];
  const oneCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = suite(['--name', 'the first DIMM lands at the bottom of device memory']);
    one.push(r.ms);
    if (r.cpuMs !== undefined) oneCpu.push(r.cpuMs);
  }
  const base = { one: summarize(one), ...(oneCpu.length ? { oneCpu: summarize(oneCpu) } : {}), wholeRuns };
  if (quick) return base;
  const all: SuiteRun[] = [];
  const scenarios: SuiteRun[] = [];
  for (let i = 0; i < wholeRuns; i++) {
    all.push(suite([]));
    scenarios.push(scenariosRun());
  }
  return { ...base, all: medianRun(all), scenarios: medianRun(scenarios) };
}
