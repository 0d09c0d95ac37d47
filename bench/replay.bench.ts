// Replay benchmark: the recorded referee corpus run on the model and (when installed) on real QEMU.
// Prints wall time per scenario and the model's speed-up; asserts nothing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadReplayScenario, runReplay, type ReplayScenario } from '../cli/replay-format';
import { ModelBackend } from '../backends/model';
import type { Backend } from '../backends/types';
import { repoPath } from '../paths';

const ROOT = repoPath('test', 'replay');
const scenarios: ReplayScenario[] = ['qemu', 'qemu-acpi']
  .flatMap((d) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, d, f)))
  .map((f) => loadReplayScenario(f));

async function timeAll(make: () => Backend): Promise<number> {
  const t0 = performance.now();
  for (const s of scenarios) await runReplay(make(), s);
  return performance.now() - t0;
}

(async () => {
  await timeAll(() => new ModelBackend()); // warm-up
  const model = await timeAll(() => new ModelBackend());
  const steps = scenarios.reduce((n, s) => n + s.steps.length, 0);
  console.log(`replay corpus: ${scenarios.length} scenarios, ${steps} steps`);
  console.log(`model        ${(model / scenarios.length).toFixed(2).padStart(8)} ms/scenario  ${((model * 1000) / steps).toFixed(0).padStart(6)} µs/step`);
  const { qemuAvailable, QemuBackend } = await import('../backends/qemu');
  if (!qemuAvailable()) {
    console.log('real QEMU    (not installed: apt-get install qemu-system-x86)');
    return;
  }
  const qemu = await timeAll(() => new QemuBackend());
  console.log(`real QEMU    ${(qemu / scenarios.length).toFixed(2).padStart(8)} ms/scenario  ${((qemu * 1000) / steps).toFixed(0).padStart(6)} µs/step`);
  console.log(`model is ${(qemu / model).toFixed(0)}× faster than starting and driving real QEMU`);
})();
