// `npm run bench [-- --quick]`: engine per-action cost, the memory of a long history, the replay corpus on the
// model and on real QEMU, CLI and suite start-up. Every figure is a median with its spread, printed with a
// description of the machine. Asserts nothing; --quick is the smoke run `npm test` does (small sizes, few runs);
// --engine stops after the engine and memory figures; --replay runs only the replay corpus (model and real QEMU);
// --startup runs only the start-up and suite figures (the CLI, machine start-up, one scenario, the quick suite,
// `npm run scenarios`).

import { spawnSync } from 'node:child_process';
import { CODE_ROOT } from '../paths';
import * as path from 'node:path';
import { engineBench, sequenceBench } from './engine.bench';
import { replayBench } from './replay.bench';
import { cliStartup, suiteBench } from './startup.bench';
import { buildBench } from './build.bench';
import { machineDescription, show } from './stats';

const quick = process.argv.includes('--quick');
/** `--engine`: only the engine figures (per action, in sequence) and the memory of a history. */
const engineOnly = process.argv.includes('--engine');
/** `--replay`: only the replay corpus, on the model and on real QEMU. */
const replayOnly = process.argv.includes('--replay');
/** `--startup`: only the start-up and suite figures. */
const startupOnly = process.argv.includes('--startup');
const out = (s = '') => process.stdout.write(s + '\n');

async function replaySection(): Promise<void> {
  out('\n## replay corpus (test/replay/qemu, qemu-acpi) in this process, ms per scenario');
  const rep = await replayBench(quick ? 5 : Infinity, !quick, quick ? { warmup: 1, passes: 2 } : { warmup: 10, passes: 10 });
  const w = rep.modelWarm;
  out(`${rep.scenarios} scenarios, ${rep.steps} steps`);
  out(`model, first pass (every machine started for the first time) ${show(rep.modelCold, 'ms', 3)}; total ${(rep.modelCold.total / 1000).toFixed(2)} s`);
  out(`model, second pass (machines started before: remembered) ${show(rep.model, 'ms', 3)}; total ${(rep.model.total / 1000).toFixed(2)} s`);
  out(`model, ${w.passes} passes after ${w.warmup} more (warm: V8 has compiled the engine, as in a longer suite) ${show(w, 'ms', 3)}; CPU per corpus pass ${w.cpuMsPerPass.toFixed(1)} ms`);
  if (rep.qemu) {
    out(`real QEMU  ${show(rep.qemu, 'ms', 1)}; total ${(rep.qemu.total / 1000).toFixed(2)} s`);
    out(`model vs real QEMU per scenario (medians): ${(rep.qemu.median / w.median).toFixed(0)}× warm, ${(rep.qemu.median / rep.model.median).toFixed(0)}× second pass; for the corpus: ${(rep.qemu.total / rep.model.total).toFixed(0)}× second pass, ${(rep.qemu.total / rep.modelCold.total).toFixed(0)}× first pass`);
  } else if (!quick) out('real QEMU  (not installed: apt-get install qemu-system-x86)');
}

async function main(): Promise<void> {
  out(`hotplug-scenarios bench${quick ? ' --quick (smoke run: small sizes, few runs)' : ''}${engineOnly ? ' --engine (engine and memory only)' : ''}${replayOnly ? ' --replay (the replay corpus only)' : ''}${startupOnly ? ' --startup (start-up and suite only)' : ''}`);
  out(machineDescription());
  if (replayOnly) return replaySection();
  if (startupOnly) return startupSection();

  out('\n## engine: one action on a pc machine with n DIMMs (the same state each time), µs');
  const rows = engineBench(quick ? [8] : [8, 32, 128, 256], quick ? 50 : 1000);
  const cols: [string, keyof (typeof rows)[number]][] = [
    ['device_add (plug)', 'plug'],
    ['device_del (unplug request)', 'unplugRequest'],
    ['guest eject (outb 0xa14 0x08)', 'eject'],
    ['GPE0 status read (inb 0xafe0)', 'gpeRead'],
    ['flat view of a state (AS memory; kept current by every commit)', 'flatViewOfState'],
    ['flat view update a plug commits (changed ranges only, every AS)', 'flatViewUpdate'],
    ['flat view render (AS memory, whole, from the region table)', 'flatView'],
  ];
  for (const [label, key] of cols) {
    out(`${label}`);
    for (const r of rows) out(`  ${String(r.dimms).padStart(3)} DIMMs ${show(r[key] as never, 'µs')}`);
  }

  const seqN = quick ? 8 : 256;
  out(`\n## engine: each action on the state the previous one made (a ${seqN}-DIMM machine, DIMM after DIMM: unplug request, select, eject, plug; no state reused or kept), µs`);
  out('reading each result as a replay does (reply, events, IRQ lines; the trace is not read, so not assembled)');
  for (const [label, x] of Object.entries(sequenceBench(seqN, quick ? 40 : 8000, 'replay'))) out(`  ${label.padEnd(26)} ${show(x, 'µs')}`);
  out('reading the trace as well (replay --trace, the reports, libvirt\'s domain log: its notes are formatted then)');
  for (const [label, x] of Object.entries(sequenceBench(seqN, quick ? 40 : 8000, 'trace'))) out(`  ${label.padEnd(26)} ${show(x, 'µs')}`);

  out('\n## memory: a history of successive states of a 256-DIMM machine, every state kept');
  const states = quick ? 200 : 10000;
  const h = spawnSync(process.execPath, ['--expose-gc', path.join(CODE_ROOT, 'bench', 'history.bench.js'), String(states), quick ? '32' : '256'], { encoding: 'utf8' });
  if (h.status === 0) {
    const f = JSON.parse(h.stdout) as { states: number; dimms: number; retainedBytes: number; ms: number };
    out(`${f.states} states of a ${f.dimms}-DIMM machine retain ${(f.retainedBytes / 2 ** 20).toFixed(1)} MiB (${(f.retainedBytes / f.states / 1024).toFixed(1)} KiB/state), built in ${(f.ms / 1000).toFixed(1)} s`);
  } else out(`history bench failed: ${h.stderr}`);
  if (engineOnly) return;

  await replaySection();
  await startupSection();
}

async function startupSection(): Promise<void> {
  out('\n## start-up, wall time from outside');
  const cli = cliStartup(quick ? 2 : 10);
  out(`hotplug-scenarios replay ONE.yaml --json ${show(cli.cli, 'ms', 0)}`);
  out(`node -e 0                                ${show(cli.node, 'ms', 0)}`);
  out(`ratio (pair by pair)                     ${show(cli.ratio, '× ', 2)}`);
  const b = buildBench(quick ? 1 : 5, quick);
  out(`machine start-up (buildFromCommandLine), the ${b.machines} machines the quick suites start, each built once in a fresh process:`);
  out(`  all of them                            ${show(b.firstTotal, 'ms', 1)}`);
  out(`  each                                   ${show(b.firstEach, 'ms', 2)}`);
  out(`  the first of a process                 ${show(b.firstOfProcess, 'ms', 1)}`);
  out(`  warm (once compiled), per build        ${show(b.warm, 'ms', 3)}`);
  const s = suiteBench(quick ? 1 : 5, quick, startupOnly ? 3 : 1);
  const median = s.wholeRuns > 1 ? ` (median of ${s.wholeRuns})` : '';
  out(`cucumber-js -p quick, one scenario       ${show(s.one, 'ms', 0)}`);
  if (s.oneCpu) out(`  its CPU time (user + system)           ${show(s.oneCpu, 'ms', 0)}`);
  const cpu = (r: { cpuMs?: number }) => (r.cpuMs !== undefined ? `, CPU ${r.cpuMs.toFixed(0)} ms` : '');
  if (s.all) {
    out(`cucumber-js -p quick, whole suite        ${s.all.ms.toFixed(0).padStart(8)} ms  (${s.all.scenarios} scenarios${cpu(s.all)})${median}`);
    out(`scenarios per second                     ${(s.all.scenarios / (s.all.stepsMs / 1000)).toFixed(0).padStart(8)} (steps only: ${(s.all.stepsMs / 1000).toFixed(2)} s); ${(s.all.scenarios / (s.all.ms / 1000)).toFixed(0)} with start-up`);
  }
  if (s.scenarios) out(`npm run scenarios (all reports)          ${s.scenarios.ms.toFixed(0).padStart(8)} ms  (${s.scenarios.scenarios} scenarios${cpu(s.scenarios)})${median}`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
