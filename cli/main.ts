// hotplug-scenarios: the command line. `replay` runs replay scenarios (DESIGN "Replay") on the model or
// on real QEMU and prints the transcript; `diff` runs both and shows where they disagree.

import type { Backend } from '../backends/types';
import { DEFAULT_QEMU_VERSION, QEMU_VERSIONS, type QemuVersion } from '../engine/versions';
import { ScenarioError } from '../backends/types';
import { ModelBackend } from '../backends/model';
import { loadReplayScenario, type Transcript } from '../transcript/replay-format';
import { stringifyJson } from '../transcript/json';
import { visible } from '../reports/preflight';
import { renderTranscript } from './render';
import { runScenario, type RunOptions, type TraceRecorder } from './run-scenario';

export { runScenario, type RunOptions } from './run-scenario';
import { commandHelp, integerAtLeast, parseCommand, type CommandSpec, type OptionSpec, type Parsed } from './args';
import { DEFAULT_TRACE_EVENTS, traceEventSelectionProblem } from '../engine/trace-events';
import { LIBVIRT_VERSION_NAMES } from '../libvirt/versions';

/** A backend of this kind for this QEMU release (a scenario's own `qemu-version:` still wins at start). */
export async function makeBackend(
  kind: 'model' | 'qemu',
  opts: { rawQemu?: boolean; traceEvents?: readonly string[]; qemuVersion?: QemuVersion } = {},
): Promise<Backend> {
  const qemuVersion = opts.qemuVersion ?? DEFAULT_QEMU_VERSION;
  if (kind === 'model') return new ModelBackend({ qemuVersion, traceEvents: opts.traceEvents });
  const { QemuBackend, rawQemuFromEnv } = await import('../backends/qemu');
  return new QemuBackend({ raw: opts.rawQemu || rawQemuFromEnv(), qemuVersion, traceEvents: opts.traceEvents });
}

function withTraces(t: Transcript, traces: TraceRecorder['traces']): unknown {
  return { ...t, steps: t.steps.map((s, i) => ({ ...s, trace: (traces[i] ?? []).map((e) => ({ ...e })) })) };
}

/** `--trace-events` (the default set) or `--trace-events=P,...` as parsed; undefined when not given. */
export function traceEventPatterns(v: string | boolean | string[] | undefined): readonly string[] | undefined {
  if (v === undefined || v === false) return undefined;
  return v === true ? [...DEFAULT_TRACE_EVENTS] : String(v).split(',').map((x) => x.trim());
}

/** The option every transcript-producing command shares (replay, diff, fuzz). */
export const TRACE_EVENTS_OPTION = {
  type: 'boolean',
  optionalValue: true,
  value: 'PATTERN,...',
  help: "add each step's QEMU trace-event log lines; alone: mhp_acpi_*, piix4_gpe_*, pic_set_irq,\n" +
    '                                pic_ioport_read/write, ioapic_set_irq, ioapic_mem_read/write; =PATTERN,... as\n' +
    "                                QEMU's -trace (events the model cannot fire are refused)",
  check: (v: string) => {
    const problem = traceEventSelectionProblem(v.split(',').map((x) => x.trim()));
    return problem ? `events the model fires (${problem})` : undefined;
  },
} as const;

interface ReplayOptions {
  /** The QEMU release for files without a `qemu-version:` key. */
  qemuVersion: QemuVersion;
  json: boolean;
  trace: boolean;
  traceEvents?: readonly string[];
  backend: 'model' | 'qemu';
  /** libvirt version for `domain` scenarios without their own `libvirt-version:`. */
  libvirtVersion?: string;
  /** Raw access to real QEMU (unmodelled commands and options go through). */
  rawQemu: boolean;
  files: readonly string[];
}

/** `--qemu-version` (one line in each command's option table): the release for files that do not say. */
export const QEMU_VERSION_OPTION: OptionSpec = {
  type: 'string', value: 'V', choices: QEMU_VERSIONS,
  help: `the QEMU release for scenarios without a qemu-version: key (default ${DEFAULT_QEMU_VERSION})`,
};

/** The versions given on the command line (none given: undefined, so a libvirt scenario runs on its libvirt's pair). */
function explicitVersions(p: Parsed): RunOptions {
  const q = p.values['qemu-version'];
  const l = p.values['libvirt-version'];
  return { ...(typeof q === 'string' ? { qemuVersion: q } : {}), ...(typeof l === 'string' ? { libvirtVersion: l } : {}) };
}

export const qemuVersionOf = (p: Parsed): QemuVersion => (p.values['qemu-version'] as QemuVersion | undefined) ?? DEFAULT_QEMU_VERSION;

function replayOptions(p: Parsed): ReplayOptions {
  const o: ReplayOptions = {
    qemuVersion: qemuVersionOf(p),
    json: p.values.json === true,
    trace: p.values.trace === true,
    traceEvents: traceEventPatterns(p.values['trace-events']),
    backend: (p.values.backend as 'model' | 'qemu' | undefined) ?? 'model',
    rawQemu: p.values['raw-qemu'] === true,
    files: p.positionals,
    ...(typeof p.values['libvirt-version'] === 'string' ? { libvirtVersion: p.values['libvirt-version'] } : {}),
  };
  if (o.trace && o.backend !== 'model') throw new ScenarioError('replay: --trace is model-only: real QEMU has no causal trace');
  return o;
}

async function replay(p: Parsed, out: (s: string) => void): Promise<number> {
  const o = replayOptions(p);
  // Each file on its own: one that stops (malformed, not modelled) gets an error line naming the file and
  // the step on stderr, every other file still prints its transcript, and the exit code (2) says one stopped.
  let stopped = 0;
  for (const file of o.files) {
    try {
      const scenario = loadReplayScenario(file);
      const backend = await makeBackend(o.backend, { rawQemu: o.rawQemu, traceEvents: o.traceEvents, qemuVersion: o.qemuVersion });
      const { transcript, traces } = await runScenario(scenario, backend, explicitVersions(p));
      if (o.json) out(stringifyJson(o.trace ? withTraces(transcript, traces) : transcript));
      else out(renderTranscript(file, transcript, traces));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      stopped++;
      process.stderr.write(visible(`hotplug-scenarios: ${e.message.startsWith(file) ? '' : `${file}: `}${e.message}`) + '\n');
    }
  }
  return stopped ? 2 : 0;
}

async function diff(p: Parsed, out: (s: string) => void): Promise<number> {
  const { compareTranscripts, formatDifferences } = await import('../transcript/compare');
  const o = {
    files: p.positionals,
    rawQemu: p.values['raw-qemu'] === true,
    qemuVersion: qemuVersionOf(p),
    traceEvents: traceEventPatterns(p.values['trace-events']),
    ...(typeof p.values['libvirt-version'] === 'string' ? { libvirtVersion: p.values['libvirt-version'] } : {}),
  };
  const scenarios = o.files.map((f) => loadReplayScenario(f));
  let differing = 0;
  for (const [i, scenario] of scenarios.entries()) {
    const model = (await runScenario(scenario, await makeBackend('model', { traceEvents: o.traceEvents, qemuVersion: o.qemuVersion }), explicitVersions(p))).transcript;
    const qemu = (await runScenario(scenario, await makeBackend('qemu', { rawQemu: o.rawQemu, traceEvents: o.traceEvents, qemuVersion: o.qemuVersion }), explicitVersions(p))).transcript;
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

/**
 * `run`: Cucumber + our reports (reports/run.ts), with Cucumber's exit code. It runs in the project that
 * holds the nearest cucumber-js configuration (cucumber.yaml, written by `init`) from the current directory
 * upwards, so a project using this package as a dependency runs its own features; without one, this
 * package's bundled suite.
 */
function runSuite(p: Parsed): number | Promise<number> {
  const args = p.rest;
  const { NODE_ARGS, REPO_ROOT } = require('../paths') as typeof import('../paths');
  const { exitLike, forwardSignalsUntilExit, spawnTied } = require('../children') as typeof import('../children');
  const { findProjectDir } = require('./init') as typeof import('./init');
  const cwd = findProjectDir(process.cwd()) ?? REPO_ROOT;
  if (p.values.watch === true) return watchSuite(cwd, args);
  // The suite dies with this process, SIGINT/SIGTERM are forwarded to it, and a suite ended by a signal ends
  // this process by the same signal.
  const child = spawnTied(process.execPath, [...NODE_ARGS, require.resolve('../reports/run'), ...args], { stdio: 'inherit', cwd });
  return forwardSignalsUntilExit(child).then((status) => (status.signal ? exitLike(status) : status.code ?? 3));
}

/** `run --watch`: run once, then re-run a feature file when it is saved (a step file: the last feature run). */
function watchSuite(cwd: string, args: readonly string[]): Promise<number> {
  return import('./watch').then(({ watch }) => watch(cwd, args));
}

// ---------------------------------------------------------------------------------------------------
// The commands. Each has a table of options (cli/args.ts); to add an option, add a line to its table and
// read it from `p.values` in the handler. To add a command, add an entry here.

const LIBVIRT_VERSION_OPTION = {
  type: 'string', value: 'V', choices: LIBVIRT_VERSION_NAMES,
  help: 'libvirt of `domain` scenarios without a libvirt-version: key (default: the QEMU version\'s,\n' +
    '9.0 with 7.2, 11.3 with 10.0)',
} as const;

interface Command {
  readonly spec: CommandSpec;
  readonly run: (p: Parsed, out: (s: string) => void) => Promise<number> | number;
}

const COMMANDS: Record<string, Command> = {
  run: {
    spec: {
      name: 'run',
      args: '[cucumber-js options] [FEATURE...]',
      summary: 'Run the Gherkin features with Cucumber on the model and write reports/out/ (Cucumber\'s html,\n' +
        'JUnit XML, message stream and the topology report index.html).',
      details: 'Any other option goes to cucumber-js unchanged: -p qemu (real QEMU), -p diff (model and QEMU\n' +
        'side by side), --tags, --name, --parallel N, --format, --dry-run, and feature files or FILE:LINE.',
      options: {
        watch: { type: 'boolean', help: 'keep running: re-run a feature file each time it is saved (Ctrl-C stops)' },
      },
      passThrough: true,
    },
    run: (p) => runSuite(p),
  },
  init: {
    spec: {
      name: 'init',
      summary: 'Set up this directory (a project with hotplug-scenarios as a dev dependency): cucumber.yaml, an\n' +
        'example feature and an example of your own step definitions. Then: npx hotplug-scenarios run.',
      maxArgs: 0,
      options: {
        force: { type: 'boolean', help: 'overwrite files that exist' },
      },
    },
    run: (p, out) => {
      const { initProject } = require('./init') as typeof import('./init');
      const written = initProject(process.cwd(), p.values.force === true);
      out(`wrote ${written.join(', ')}`);
      out('next: npx hotplug-scenarios run            (the features on the model; reports/out/index.html)');
      out('      npx hotplug-scenarios run -p qemu    (on real QEMU), -p diff (both side by side)');
      out('      npx cucumber-js -p quick features/example.feature');
      return 0;
    },
  },
  replay: {
    spec: {
      name: 'replay',
      args: 'FILE.yaml...',
      summary: 'Run replay scenarios and print their transcripts.',
      minArgs: 1,
      options: {
        json: { type: 'boolean', help: 'one JSON transcript object per line (the transcript format, docs/replay.md)' },
        trace: { type: 'boolean', help: "add each step's causal path (model only)" },
        'trace-events': TRACE_EVENTS_OPTION,
        backend: { type: 'string', value: 'NAME', choices: ['model', 'qemu'], help: 'where to run (default model)' },
        'qemu-version': QEMU_VERSION_OPTION,
        'libvirt-version': LIBVIRT_VERSION_OPTION,
        'raw-qemu': { type: 'boolean', help: 'let real QEMU receive commands and options the model does not model (trusted files only;\n' +
          'also HOTPLUG_SCENARIOS_RAW_QEMU=1); by default they are refused before QEMU sees them' },
      },
    },
    run: replay,
  },
  diff: {
    spec: {
      name: 'diff',
      args: 'FILE.yaml...',
      summary: 'Run each replay scenario on the model and on real QEMU and show the differences (exit 1 if any).',
      minArgs: 1,
      options: {
        'trace-events': TRACE_EVENTS_OPTION,
        'qemu-version': QEMU_VERSION_OPTION,
        'libvirt-version': LIBVIRT_VERSION_OPTION,
        'raw-qemu': { type: 'boolean', help: 'let real QEMU receive commands and options the model does not model (trusted files only;\n' +
          'also HOTPLUG_SCENARIOS_RAW_QEMU=1); by default they are refused before QEMU sees them' },
      },
    },
    run: diff,
  },
  fuzz: {
    spec: {
      name: 'fuzz',
      summary: 'Random scenarios on the model and on real QEMU; a difference is shrunk, written to the --out\n' +
        'directory as a replay file and shown (exit 1); no qemu-system-x86_64: exit 2.',
      maxArgs: 0,
      options: {
        runs: { type: 'string', value: 'N', check: integerAtLeast(1), help: 'scenarios to generate (default 50)' },
        seed: { type: 'string', value: 'S', check: integerAtLeast(-0x80000000), help: 'random seed (default: random; printed to rerun)' },
        steps: { type: 'string', value: 'N', check: integerAtLeast(1), help: 'most steps per scenario (default 12)' },
        machine: { type: 'string', value: 'M', choices: ['pc', 'q35', 'any'], help: 'machine type (default any)' },
        out: { type: 'string', value: 'DIR', help: 'where the minimal failing scenario is written (default fuzz-out/)' },
        kvm: { type: 'boolean', help: 'run QEMU with -accel kvm (needs /dev/kvm)' },
        'qemu-version': { ...QEMU_VERSION_OPTION, help: `the QEMU release of the model and of real QEMU (default ${DEFAULT_QEMU_VERSION})` },
        'trace-events': TRACE_EVENTS_OPTION,
        path: { type: 'string', value: 'P', check: (v) => (/^\d+(:\d+)*$/.test(v) ? undefined : 'a fast-check path like 12:0:3'), help: 'replay one fast-check path (printed with a failure)' },
      },
    },
    run: async (p, out) => (await import('./fuzz')).fuzzCommand(p, out),
  },
  report: {
    spec: {
      name: 'report',
      args: 'merge DIR...',
      summary: 'Merge the reports of a suite run in shards (cucumber-js --shard i/n, each writing its own DIR of\n' +
        'messages.ndjson and junit.xml) into one messages.ndjson, junit.xml and topology report index.html.',
      details: 'Example: three machines run `npm run scenarios -- --shard 1/3` ... `--shard 3/3`; collect their\n' +
        'reports/out/ as shard1/ shard2/ shard3/, then `hotplug-scenarios report merge shard1 shard2 shard3`.\n' +
        'Exit 1 when a shard\'s run did not succeed (as cucumber-js decided it).',
      minArgs: 2,
      options: {
        out: { type: 'string', value: 'DIR', help: 'where to write the merged reports (default reports/out/merged)' },
        title: { type: 'string', value: 'TEXT', help: 'the topology report\'s title (default: hotplug-scenarios (merged))' },
      },
    },
    run: async (p, out) => {
      const [sub, ...dirs] = p.positionals;
      if (sub !== 'merge') throw new ScenarioError(`report: unknown subcommand '${sub}' (expected: merge DIR...)`);
      const { mergeReports } = await import('../reports/merge');
      const outDir = typeof p.values.out === 'string' ? p.values.out : 'reports/out/merged';
      let r;
      try {
        r = mergeReports(dirs, outDir, typeof p.values.title === 'string' ? p.values.title : 'hotplug-scenarios (merged)');
      } catch (e) {
        throw new ScenarioError(`report merge: ${(e as Error).message}`);
      }
      const count = (st: string) => r.run?.scenarios.filter((s) => s.status === st).length ?? 0;
      const passed = count('PASSED');
      const skipped = count('SKIPPED');
      if (r.run) out(`scenarios: ${passed} passed, ${r.run.scenarios.length - passed - skipped} failed${skipped ? `, ${skipped} skipped` : ''}`);
      out(`merged ${dirs.length} report directories into ${outDir}/: ${r.wrote.join(', ')}`);
      // as cucumber-js: a run fails when a shard's run did not succeed
      return r.run && !r.run.success ? 1 : 0;
    },
  },
  versions: {
    spec: {
      name: 'versions',
      args: 'FILE...',
      summary: 'The upgrade report: run each replay scenario (.yaml) or feature (.feature) on QEMU 7.2 / libvirt 9.0\n' +
        'and on QEMU 10.0 / libvirt 11.3 and show, step by step, what differs (unified diffs).',
      details: 'Replay scenarios are compared by their transcripts (replies, the QMP libvirt sent, events, IRQ lines);\n' +
        "features by each step's outcome (passed, or failed with QEMU's or libvirt's words). The scenario's own\n" +
        'qemu-version:/libvirt-version: keys are overridden. Exit 0 whether or not they differ.\n' +
        '--html reports/out/versions.html: the topology report (npm run scenarios) then shows it as its upgrade section.',
      minArgs: 1,
      options: {
        json: { type: 'boolean', help: 'one JSON object per scenario and line (steps with before, after, same, diff)' },
        backend: { type: 'string', value: 'NAME', choices: ['model', 'qemu'], help: 'the model (default) or real QEMU 7.2 and 10.0 (libvirt stays the model)' },
        html: { type: 'string', value: 'FILE', help: 'also write the HTML page (matrix + diffs) and its .json (see below)' },
      },
    },
    run: async (p, out) => {
      const { versionsCommand, checkVersionsFiles } = await import('./versions');
      checkVersionsFiles(p.positionals);
      const backend = (p.values.backend as 'model' | 'qemu' | undefined) ?? 'model';
      return versionsCommand(
        { backend, json: p.values.json === true, ...(typeof p.values.html === 'string' ? { html: p.values.html } : {}), files: p.positionals },
        (kind, pair) => makeVersionedBackend(kind, pair.qemu),
        out,
      );
    },
  },
};

/** A backend of the given kind for one QEMU version. */
async function makeVersionedBackend(kind: 'model' | 'qemu', qemu: QemuVersion): Promise<Backend> {
  return makeBackend(kind, { qemuVersion: qemu });
}

function version(): string {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { repoPath } = require('../paths') as typeof import('../paths');
  try {
    return (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function usage(): string {
  const rows = Object.values(COMMANDS).map(({ spec }) => `  ${spec.name}${spec.args ? ' ' + spec.args : ''}\n${spec.summary.replace(/^/gm, '        ')}`);
  return [
    'usage: hotplug-scenarios <command> [options]',
    '',
    'commands:',
    ...rows,
    "  help [COMMAND]\n        this text, or a command's options (also: hotplug-scenarios COMMAND --help)",
    '',
    'options: --version (the version), --help',
    'exit codes: 0 success, 1 differences found (diff, fuzz) or failed scenarios (run), 2 bad input (scenario,',
    'options), 3 internal error',
  ].join('\n');
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  // Scenario files may carry terminal escape sequences or binary bytes: never print them raw.
  const rawOut = out;
  out = (s: string) => rawOut(visible(s));
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      out(usage());
      return 2;
    }
    if (command === '--version' || command === '-V' || command === 'version') {
      out(version());
      return 0;
    }
    if (command === 'help' || command === '--help' || command === '-h') {
      const about = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
      if (rest[0] !== undefined && !about) throw new ScenarioError(`unknown command '${rest[0]}'\n\n${usage()}`);
      out(about ? commandHelp(about.spec) : usage());
      return 0;
    }
    const cmd = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!cmd) throw new ScenarioError(`unknown command '${command}'\n\n${usage()}`);
    const p = parseCommand(cmd.spec, rest);
    if (p.help) {
      out(commandHelp(cmd.spec));
      return 0;
    }
    return await cmd.run(p, out);
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(visible(`hotplug-scenarios: ${e.message}`) + '\n');
      return 2;
    }
    process.stderr.write(visible(`hotplug-scenarios: internal error: ${(e as Error).message}`) + '\n');
    if (process.env.HOTPLUG_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 3;
  }
}
