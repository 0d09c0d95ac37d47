// Start-up benchmarks, timed from outside as a user meets them: the CLI replaying one file against `node -e 0`
// (run in turn, the ratio taken pair by pair), and the Gherkin suite: one scenario (start-up) and all of them.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoPath, REPO_ROOT } from '../paths';
import { nowUs, summarize, type Summary } from './stats';

function wallMs(cmd: string, args: readonly string[]): { ms: number; out: string; status: number | null } {
  const t0 = nowUs();
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  return { ms: (nowUs() - t0) / 1000, out: `${r.stdout}${r.stderr}`, status: r.status };
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
  return { ms: r.ms, scenarios, stepsMs };
}

/** One scenario, `runs` times (start-up), then the whole suite once unless `quick`. */
export function suiteBench(runs: number, quick: boolean): { one: Summary; all?: SuiteRun } {
  const one: number[] = [];
  for (let i = 0; i < runs; i++) one.push(suite(['--name', 'the first DIMM lands at the bottom of device memory']).ms);
  return { one: summarize(one), all: quick ? undefined : suite([]) };
}
