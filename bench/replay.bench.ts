// Replay benchmark: the recorded referee corpus (test/replay/qemu, qemu-acpi) run in this one process on the
// model and, when installed, on real QEMU (a qemu-system-x86_64 started, driven and stopped per scenario).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadReplayScenario, runReplay, type ReplayScenario } from '../transcript/replay-format';
import { ModelBackend } from '../backends/model';
import type { Backend } from '../backends/types';
import { repoPath } from '../paths';
import { nowUs, summarize, type Summary } from './stats';

export function corpus(limit = Infinity): ReplayScenario[] {
  const root = repoPath('test', 'replay');
  return ['qemu', 'qemu-acpi']
    .flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(root, d, f)))
    .slice(0, limit)
    .map((f) => loadReplayScenario(f));
}

/** Per-scenario wall times in ms (each scenario once). */
export async function timeCorpus(scenarios: readonly ReplayScenario[], make: () => Backend): Promise<Summary & { total: number; times: number[] }> {
  const xs: number[] = [];
  for (const s of scenarios) {
    const t0 = nowUs();
    await runReplay(make(), s);
    xs.push((nowUs() - t0) / 1000);
  }
  return { ...summarize(xs), total: xs.reduce((a, b) => a + b, 0), times: xs };
}

export interface ReplayFigures {
  readonly scenarios: number;
  readonly steps: number;
  /** First pass: every machine started for the first time in this process. */
  readonly modelCold: Summary & { total: number };
  /** Second pass: machines already started once (start-up results are remembered), as in a suite. */
  readonly model: Summary & { total: number };
  /**
   * `passes` more passes after `warmup` untimed ones, every scenario's time in each (V8 has compiled the engine's
   * code by then, as in a suite that has run a thousand scenarios; start-up still remembered), and the CPU time of
   * a pass (all of the process's threads: the compiler's and the collector's too).
   */
  readonly modelWarm: Summary & { warmup: number; passes: number; cpuMsPerPass: number };
  readonly qemu?: Summary & { total: number };
}

export async function replayBench(limit: number, withQemu: boolean, warm = { warmup: 10, passes: 10 }): Promise<ReplayFigures> {
  const scenarios = corpus(limit);
  const modelCold = await timeCorpus(scenarios, () => new ModelBackend());
  const model = await timeCorpus(scenarios, () => new ModelBackend());
  for (let i = 0; i < warm.warmup; i++) await timeCorpus(scenarios, () => new ModelBackend());
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < warm.passes; i++) times.push(...(await timeCorpus(scenarios, () => new ModelBackend())).times);
  const cpu = process.cpuUsage(cpu0);
  const modelWarm = { ...summarize(times), ...warm, cpuMsPerPass: (cpu.user + cpu.system) / 1000 / warm.passes };
  const steps = scenarios.reduce((n, s) => n + s.steps.length, 0);
  const figures = { scenarios: scenarios.length, steps, modelCold, model, modelWarm };
  if (!withQemu) return figures;
  const { qemuAvailable, QemuBackend } = await import('../backends/qemu');
  if (!qemuAvailable()) return figures;
  const qemu = await timeCorpus(scenarios, () => new QemuBackend());
  return { ...figures, qemu };
}
