// hotplug-scenarios: the command line. `replay` runs replay scenarios (DESIGN "Replay") on the model or
// on real QEMU and prints the transcript; `diff` runs both and shows where they disagree.

import type { Backend, StartOptions, StepResult } from '../backends/types';
import { DEFAULT_QEMU_VERSION, type QemuVersion } from '../engine/versions';
import { ScenarioError } from '../backends/types';
import type { TraceEntry } from '../engine/effects';
import { ModelBackend } from '../backends/model';
import { loadReplayScenario, qemuVersionOption, runReplay, type ReplayScenario, type Transcript } from './replay-format';
import { stringifyJson } from './json';
import { renderTranscript } from './render';

const USAGE = `usage: hotplug-scenarios <command> [options]

commands:
  run [cucumber-js options]
        run the bundled Gherkin suite (features/) on the model and write reports/out/
        (-p qemu: on real QEMU; -p diff: model and QEMU side by side)
  replay FILE.yaml... [--json] [--trace] [--backend model|qemu] [--qemu-version 7.2|10.0]
        run replay scenarios and print their transcripts (--json: one JSON object per line,
        the transcript format of the README; --trace: add each step's causal path, model only;
        --qemu-version: the QEMU release for files without a \`qemu-version:\` key, default 7.2)
  diff FILE.yaml... [--qemu-version 7.2|10.0]
        run each scenario on the model and on real QEMU and show the differences (exit 1 if any)
  fuzz [--runs N] [--seed S] [--steps N] [--machine pc|q35|any] [--out DIR] [--kvm] [--path P] [--qemu-version 7.2|10.0]
        random scenarios on the model and on real QEMU; a difference is shrunk, written to DIR
        (default fuzz-out/) as a replay file and shown (exit 1); no qemu-system-x86_64: exit 2
  help  this text

exit codes: 0 success, 1 differences found (diff, fuzz), 2 bad input (scenario, options), 3 internal error`;

interface Options {
  qemuVersion: QemuVersion;
  json: boolean;
  trace: boolean;
  backend: 'model' | 'qemu';
  files: string[];
}

function parseArgs(args: string[]): Options {
  const o: Options = { qemuVersion: DEFAULT_QEMU_VERSION, json: false, trace: false, backend: 'model', files: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') o.json = true;
    else if (a === '--trace') o.trace = true;
    else if (a === '--qemu-version' || a.startsWith('--qemu-version=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      o.qemuVersion = qemuVersionOption(v ?? '', '--qemu-version');
    }
    else if (a === '--backend' || a.startsWith('--backend=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v !== 'model' && v !== 'qemu') throw new ScenarioError(`--backend expects 'model' or 'qemu', got '${v ?? ''}'`);
      o.backend = v;
    } else if (a.startsWith('-')) throw new ScenarioError(`unknown option '${a}'\n\n${USAGE}`);
    else o.files.push(a);
  }
  if (o.files.length === 0) throw new ScenarioError(`no scenario files given\n\n${USAGE}`);
  if (o.trace && o.backend !== 'model') throw new ScenarioError('--trace is model-only: real QEMU has no causal trace');
  return o;
}

/** A backend of this kind for this QEMU release (a scenario's own `qemu-version:` still wins at start). */
export async function makeBackend(kind: 'model' | 'qemu', qemuVersion: QemuVersion = DEFAULT_QEMU_VERSION): Promise<Backend> {
  if (kind === 'model') return new ModelBackend({ qemuVersion });
  const { QemuBackend } = await import('../backends/qemu');
  return new QemuBackend({ qemuVersion });
}

/** Wraps a backend to keep each step's trace, in order, for `--trace`. */
class TraceRecorder implements Backend {
  readonly traces: (readonly TraceEntry[] | undefined)[] = [];
  constructor(private readonly inner: Backend) {}
  get name() { return this.inner.name; }
  start(m: string, o?: StartOptions) { return this.inner.start(m, o); }
  private keep(p: Promise<StepResult>) { return p.then((r) => { this.traces.push(r.trace); return r; }); }
  qmp(c: Parameters<Backend['qmp']>[0]) { return this.keep(this.inner.qmp(c)); }
  qtest(l: string) { return this.keep(this.inner.qtest(l)); }
  hmp(l: string) { return this.keep(this.inner.hmp(l)); }
  close() { return this.inner.close(); }
}

export async function runScenario(scenario: ReplayScenario, backend: Backend): Promise<{ transcript: Transcript; traces: TraceRecorder['traces'] }> {
  if (scenario.domain !== undefined) {
    const { runLibvirtReplay } = await import('./libvirt-replay');
    const transcript = (await runLibvirtReplay(backend, scenario)) as unknown as Transcript;
    // libvirt steps make several backend calls each: per-step traces would not line up, so none are kept.
    return { transcript, traces: [] };
  }
  const rec = new TraceRecorder(backend);
  return { transcript: await runReplay(rec, scenario), traces: rec.traces };
}

function withTraces(t: Transcript, traces: TraceRecorder['traces']): unknown {
  return { ...t, steps: t.steps.map((s, i) => ({ ...s, trace: (traces[i] ?? []).map((e) => ({ ...e })) })) };
}

async function replay(args: string[], out: (s: string) => void): Promise<number> {
  const o = parseArgs(args);
  // Load every file first: a malformed one stops the run before anything starts.
  const scenarios = o.files.map((f) => loadReplayScenario(f));
  for (const [i, scenario] of scenarios.entries()) {
    const backend = await makeBackend(o.backend, o.qemuVersion);
    const { transcript, traces } = await runScenario(scenario, backend);
    if (o.json) out(stringifyJson(o.trace ? withTraces(transcript, traces) : transcript));
    else out(renderTranscript(o.files[i], transcript, traces));
  }
  return 0;
}

async function diff(args: string[], out: (s: string) => void): Promise<number> {
  const { compareTranscripts, formatDifferences } = await import('./compare');
  const o = parseArgs(args);
  const scenarios = o.files.map((f) => loadReplayScenario(f));
  let differing = 0;
  for (const [i, scenario] of scenarios.entries()) {
    const model = (await runScenario(scenario, await makeBackend('model', o.qemuVersion))).transcript;
    const qemu = (await runScenario(scenario, await makeBackend('qemu', o.qemuVersion))).transcript;
    const diffs = compareTranscripts(qemu, model);
    if (diffs.length === 0) out(`✓ ${o.files[i]}: model and QEMU agree`);
    else {
      differing++;
      out(`✗ ${o.files[i]}: ${diffs.length} difference(s) (- QEMU, + model)`);
      out(formatDifferences(diffs));
    }
  }
  out(`${scenarios.length - differing} agree, ${differing} differ`);
  return differing ? 1 : 0;
}

/** `run`: the Gherkin suite through reports/run.ts (Cucumber + our reports), with its exit code. */
function runSuite(args: string[]): number {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const path = require('node:path') as typeof import('node:path');
  const root = path.join(__dirname, '..');
  const r = spawnSync(process.execPath, ['--require', 'ts-node/register', path.join(root, 'reports', 'run.ts'), ...args], { stdio: 'inherit', cwd: root });
  return r.status ?? 3;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay':
        return await replay(rest, out);
      case 'diff':
        return await diff(rest, out);
      case 'fuzz':
        return await (await import('./fuzz')).fuzzCommand(rest, out);
      case 'run':
        return runSuite(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new ScenarioError(`unknown command '${command}'\n\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`hotplug-scenarios: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`hotplug-scenarios: internal error: ${(e as Error).message}\n`);
    if (process.env.HOTPLUG_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 3;
  }
}
