// `hotplug-scenarios fuzz`: differential fuzzing of the model against real QEMU. fast-check generates replay
// scenarios (cli/fuzz-gen.ts), each runs on the model and on QEMU (runReplay), and the transcripts are compared
// (compareTranscripts). On a difference fast-check shrinks the intents; then the concrete steps are trimmed
// once more (everything after the first difference, then each step that is not needed), and the minimal
// scenario is written as a replay YAML file, printed with its unified diff, the seed and the fast-check path.
// Steps the model does not model (ScenarioError "not modelled: ...") end the comparison of that scenario at
// that step: they are counted and listed, never reported as divergences.

import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Backend, QmpCommand, StepResult } from '../backends/types';
import { ScenarioError } from '../backends/types';
import { ModelBackend } from '../backends/model';
import { compareTranscripts, formatDifferences, type Difference } from '../transcript/compare';
import { parseReplayScenario, runReplay, type QemuStep, type Transcript } from '../transcript/replay-format';
import type { Parsed } from './args';
import type { StartOptions } from '../backends/types';
import type { QemuVersion } from '../engine/versions';
import { DEFAULT_TRACE_EVENTS } from '../engine/trace-events';
import { scenarioArb, scenarioYaml, type GeneratedScenario, type GenOptions } from './fuzz-gen';

export interface FuzzOptions extends GenOptions {
  readonly runs: number;
  readonly seed: number;
  /** fast-check path of a reported counterexample: replays exactly it. */
  readonly path?: string;
  readonly outDir: string;
  /** The backend under test (default: the model). */
  readonly makeModel?: () => Backend;
  /** The referee (default: real QEMU). */
  readonly makeReference?: () => Promise<Backend> | Backend;
  readonly onProgress?: (p: FuzzProgress) => void;
  /** Trace-event patterns both backends log and the comparison includes (`--trace-events`); absent: none. */
  readonly traceEvents?: readonly string[];
}


export interface FuzzProgress {
  readonly phase: 'run' | 'shrink' | 'trim';
  /** Scenarios run so far in this phase. */
  readonly done: number;
  readonly total: number;
  readonly steps: number;
  /** Steps of the smallest failing scenario so far (shrink, trim). */
  readonly failingSteps?: number;
}

export interface FuzzFailure {
  readonly scenario: GeneratedScenario;
  /** The scenario as written (with its header comment). */
  readonly yaml: string;
  readonly file: string;
  /** Differences (- QEMU, + model); empty when a backend failed instead (see `error`). */
  readonly diffs: readonly Difference[];
  readonly error?: string;
  readonly seed: number;
  readonly path: string;
  readonly shrinks: number;
}

export interface FuzzReport {
  readonly seed: number;
  readonly scenarios: number;
  readonly steps: number;
  readonly byMachine: Readonly<Record<string, number>>;
  readonly referenceMs: number;
  readonly modelMs: number;
  /** "not modelled: ..." messages met, with how many scenarios were cut short by each. */
  readonly notModelled: ReadonlyMap<string, number>;
  readonly failure?: FuzzFailure;
}

type Outcome =
  | { readonly kind: 'agree'; readonly compared: number }
  | { readonly kind: 'differ'; readonly diffs: readonly Difference[]; readonly firstStep: number }
  | { readonly kind: 'error'; readonly error: string; readonly firstStep: number };

/** Counts the steps a backend answered, so a "not modelled" throw can be placed. */
class Counting implements Backend {
  answered = 0;
  constructor(private readonly inner: Backend) {}
  get name() { return this.inner.name; }
  start(m: string, o?: StartOptions) { return this.inner.start(m, o); }
  private count(p: Promise<StepResult>) { return p.then((r) => { this.answered++; return r; }); }
  qmp(c: QmpCommand) { return this.count(this.inner.qmp(c)); }
  qtest(l: string) { return this.count(this.inner.qtest(l)); }
  hmp(l: string) { return this.count(this.inner.hmp(l)); }
  close() { return this.inner.close(); }
}

const NOT_MODELLED = /not modelled: (.*)$/s;

export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  const traceEvents = o.traceEvents;
  const makeModel = o.makeModel ?? (() => new ModelBackend(traceEvents ? { traceEvents } : {}));
  const makeReference =
    o.makeReference ??
    (async () => {
      const { QemuBackend } = await import('../backends/qemu');
      return new QemuBackend(traceEvents ? { traceEvents } : {});
    });
  const notModelled = new Map<string, number>();
  const byMachine: Record<string, number> = {};
  let referenceMs = 0;
  let modelMs = 0;
  let scenarios = 0;
  let steps = 0;
  const cache = new Map<string, Outcome>();

  /** Run one scenario on both; `count` adds it to the statistics (not for shrink/trim attempts). */
  async function runBoth(sc: GeneratedScenario, count: boolean): Promise<Outcome> {
    const yaml = scenarioYaml(o.qemuVersion ? { ...sc, qemuVersion: o.qemuVersion } : sc);
    const hit = cache.get(yaml);
    if (hit) return hit;
    // Through YAML and back: exactly what the written file will replay.
    const parsed = parseReplayScenario(yaml, '<fuzz>');
    let scenario = parsed;
    let t0 = performance.now();
    let model: Transcript;
    const m = new Counting(makeModel());
    try {
      model = await runReplay(m, scenario);
    } catch (e) {
      const limit = e instanceof ScenarioError ? NOT_MODELLED.exec(e.message) : null;
      if (!limit) {
        const out: Outcome = { kind: 'error', error: `the model failed: ${(e as Error).message}`, firstStep: m.answered };
        cache.set(yaml, out);
        return out;
      }
      notModelled.set(limit[1], (notModelled.get(limit[1]) ?? 0) + (count ? 1 : 0));
      // Compare what came before the step the model cannot answer.
      scenario = { ...parsed, steps: parsed.steps.slice(0, m.answered), stepLines: parsed.stepLines?.slice(0, m.answered) };
      model = await runReplay(makeModel(), scenario);
    }
    modelMs += count ? performance.now() - t0 : 0;
    t0 = performance.now();
    let reference: Transcript;
    const r = new Counting(await makeReference());
    try {
      reference = await runReplay(r, scenario);
    } catch (e) {
      const out: Outcome = { kind: 'error', error: `the referee failed: ${(e as Error).message}`, firstStep: r.answered };
      cache.set(yaml, out);
      return out;
    }
    referenceMs += count ? performance.now() - t0 : 0;
    if (count) {
      scenarios++;
      steps += scenario.steps.length;
      const type = sc.machine.split(' ')[1];
      byMachine[type] = (byMachine[type] ?? 0) + 1;
    }
    const diffs = compareTranscripts(reference, model);
    const out: Outcome = diffs.length
      ? { kind: 'differ', diffs, firstStep: Math.min(...diffs.map((d) => d.step ?? (d.field === 'steps' ? Math.min(reference.steps.length, model.steps.length) : 0))) }
      : { kind: 'agree', compared: scenario.steps.length };
    cache.set(yaml, out);
    return out;
  }

  let phase: 'run' | 'shrink' = 'run';
  let done = 0;
  let shrinkTries = 0;
  let smallest: number | undefined;
  const progress = (p: FuzzProgress) => o.onProgress?.(p);

  const property = fc.asyncProperty(scenarioArb({ startupMistakes: true, ...o }), async (sc) => {
    if (phase === 'shrink') shrinkTries++;
    const out = await runBoth(sc, phase === 'run');
    if (phase === 'run') done++;
    if (out.kind !== 'agree') {
      phase = 'shrink';
      smallest = Math.min(smallest ?? Infinity, sc.steps.length);
    }
    progress(phase === 'run' ? { phase, done, total: o.runs, steps } : { phase, done: shrinkTries, total: 0, steps, failingSteps: smallest });
    return out.kind === 'agree';
  });

  const details = await fc.check(property, { seed: o.seed, numRuns: o.runs, ...(o.path ? { path: o.path } : {}) });
  const base = { seed: o.seed, scenarios, steps, byMachine, referenceMs, modelMs, notModelled };
  if (!details.failed) return base;
  if (!details.counterexample) throw new Error(`fast-check failed without a counterexample: ${String(details.errorInstance)}`);
  const [counterexample] = details.counterexample;
  const trimmed = await trim(counterexample, (sc) => runBoth(sc, false), (n, smallestSteps) => progress({ phase: 'trim', done: n, total: 0, steps, failingSteps: smallestSteps }));
  const outcome = (await runBoth(trimmed, false)) as Exclude<Outcome, { kind: 'agree' }>;
  const header = [
    `Found by hotplug-scenarios fuzz --seed ${o.seed} --path ${details.counterexamplePath} (${details.numShrinks} shrinks):`,
    ...(outcome.kind === 'differ' ? outcome.diffs.map((d) => d.message) : [outcome.error.split('\n')[0]]),
    `Replay it with: npx hotplug-scenarios diff${o.traceEvents ? ' --trace-events' + (o.traceEvents.join(',') === DEFAULT_TRACE_EVENTS.join(',') ? '' : `=${o.traceEvents.join(',')}`) : ''} FILE`,
  ].join('\n');
  const yaml = scenarioYaml(o.qemuVersion ? { ...trimmed, qemuVersion: o.qemuVersion } : trimmed, header);
  fs.mkdirSync(o.outDir, { recursive: true });
  const file = path.join(o.outDir, `divergence-${o.seed}-${details.counterexamplePath.replace(/:/g, '-')}.yaml`);
  fs.writeFileSync(file, yaml);
  return {
    ...base,
    failure: {
      scenario: trimmed,
      yaml,
      file,
      diffs: outcome.kind === 'differ' ? outcome.diffs : [],
      ...(outcome.kind === 'error' ? { error: outcome.error } : {}),
      seed: o.seed,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}

/**
 * Trim a failing scenario at the level of concrete steps (fast-check shrinks intents, whose steps are
 * re-derived from the state, so some steps can survive that a plain deletion would remove): drop everything
 * after the first difference, then try dropping each earlier step, keeping a deletion while it still fails
 * at the (new) last step.
 */
async function trim(
  sc: GeneratedScenario,
  run: (sc: GeneratedScenario) => Promise<Outcome>,
  onTry: (tries: number, steps: number) => void,
): Promise<GeneratedScenario> {
  const first = await run(sc);
  if (first.kind === 'agree') return sc; // cannot happen with a deterministic referee; keep what fast-check found
  let best: GeneratedScenario = { ...sc, steps: sc.steps.slice(0, first.firstStep + 1) };
  const stillFails = async (cand: GeneratedScenario) => {
    const out = await run(cand);
    return out.kind !== 'agree' && out.firstStep >= cand.steps.length - 1;
  };
  if (!(await stillFails(best))) best = sc;
  let tries = 0;
  for (let i = best.steps.length - 2; i >= 0; i--) {
    const cand: GeneratedScenario = { ...best, steps: best.steps.filter((_s: QemuStep, j: number) => j !== i) };
    onTry(++tries, best.steps.length);
    if (await stillFails(cand)) best = cand;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------
// The command

interface CliOptions {
  runs: number;
  seed: number;
  steps: number;
  machine: 'pc' | 'q35' | 'any';
  out: string;
  kvm: boolean;
  path?: string;
  qemuVersion?: QemuVersion;
  traceEvents?: readonly string[];
}

/** The options of `fuzz`, parsed and checked by the table in cli/main.ts. */
function fuzzOptions(p: Parsed): CliOptions {
  const v = p.values;
  return {
    runs: v.runs !== undefined ? Number(v.runs) : 50,
    seed: v.seed !== undefined ? Number(v.seed) | 0 : Math.floor(Math.random() * 0x7fffffff),
    steps: v.steps !== undefined ? Number(v.steps) : 12,
    machine: (v.machine as CliOptions['machine'] | undefined) ?? 'any',
    out: (v.out as string | undefined) || 'fuzz-out',
    kvm: v.kvm === true,
    ...(v.path !== undefined ? { path: v.path as string } : {}),
    ...(v['qemu-version'] !== undefined ? { qemuVersion: v['qemu-version'] as QemuVersion } : {}),
    ...(v['trace-events'] !== undefined && v['trace-events'] !== false
      ? { traceEvents: v['trace-events'] === true ? [...DEFAULT_TRACE_EVENTS] : String(v['trace-events']).split(',').map((x) => x.trim()) }
      : {}),
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function fuzzCommand(p: Parsed, out: (s: string) => void, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const o = fuzzOptions(p);
  const { qemuAvailable, kvmAvailable, qemuInstall } = await import('../backends/qemu');
  if (!qemuAvailable(o.qemuVersion)) {
    err.write(`hotplug-scenarios fuzz: ${qemuInstall(o.qemuVersion).notFound}; fuzzing needs real QEMU as the referee\n`);
    return 2;
  }
  if (o.kvm && !kvmAvailable()) throw new ScenarioError('--kvm: /dev/kvm is not available (or not readable and writable) here');

  const tty = err.isTTY === true;
  let lastLine = 0;
  const onProgress = (p: FuzzProgress) => {
    const text =
      p.phase === 'run'
        ? `fuzz: ${p.done}/${p.total} scenarios, ${p.steps} steps`
        : p.phase === 'shrink'
          ? `fuzz: difference found; shrinking (${p.done} tries, smallest ${p.failingSteps} steps)`
          : `fuzz: trimming steps (${p.done} tries, ${p.failingSteps} steps)`;
    if (tty) err.write(`\r\x1b[K${text}`);
    else if (p.phase === 'run' ? p.done % 10 === 0 || p.done === p.total : p.done % 25 === 1) {
      if (p.done !== lastLine) err.write(text + '\n');
      lastLine = p.done;
    }
  };
  const report = await fuzz({ ...o, maxSteps: o.steps, outDir: o.out, onProgress });
  if (tty) err.write('\r\x1b[K');

  const machines = Object.entries(report.byMachine).sort().map(([k, v]) => `${k} ${v}`).join(', ');
  const rerun = `npx hotplug-scenarios fuzz --seed ${report.seed} --runs ${o.runs} --steps ${o.steps} --machine ${o.machine}${o.kvm ? ' --kvm' : ''}${o.qemuVersion ? ` --qemu-version ${o.qemuVersion}` : ''}${o.traceEvents ? ` --trace-events${o.traceEvents.join(',') === DEFAULT_TRACE_EVENTS.join(',') ? '' : `=${o.traceEvents.join(',')}`}` : ''}`;
  const notModelled = [...report.notModelled].map(([msg, n]) => `  not modelled (comparison stopped there, not a divergence): ${msg}${n ? ` (${n} scenario${n > 1 ? 's' : ''})` : ''}`);
  if (report.failure) {
    const f = report.failure;
    out(`✗ model and QEMU differ (after ${report.scenarios} scenarios; ${f.shrinks} shrinks). Minimal scenario, written to ${f.file}:\n`);
    out(f.yaml);
    out(f.error ? f.error : `${f.diffs.length} difference(s) (- QEMU, + model):\n${formatDifferences(f.diffs)}`);
    out(`\nseed ${f.seed}, path ${f.path}`);
    out(`reproduce: npx hotplug-scenarios diff${o.traceEvents ? ' --trace-events' + (o.traceEvents.join(',') === DEFAULT_TRACE_EVENTS.join(',') ? '' : `=${o.traceEvents.join(',')}`) : ''} ${f.file}`);
    out(`      or: ${rerun} --path ${f.path}`);
    for (const l of notModelled) out(l);
    return 1;
  }
  const ratio = report.modelMs > 0 ? `${Math.round(report.referenceMs / report.modelMs)}×` : '∞';
  out(`✓ ${report.scenarios} scenarios (${machines}), ${report.steps} steps: model and QEMU agree`);
  out(`  QEMU ${secs(report.referenceMs)}, model ${secs(report.modelMs)} (the model is ${ratio} faster)`);
  for (const l of notModelled) out(l);
  out(`  seed ${report.seed} (rerun: ${rerun})`);
  return 0;
}
