// The replay scenario (YAML) and transcript (JSON) formats of DESIGN.md "Replay", and the runner that
// turns one into the other on any Backend. Integers are read as bigint so 2^64-1 survives.

import { FileRefusal, MiB, readRegularFile } from '../files';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { QmpEvent } from '../engine/effects';
import type { Backend, QmpCommand, StartResult, StepResult, SyncSteps } from '../backends/types';
import { ScenarioError } from '../backends/types';
import { DEFAULT_TRACE_EVENTS } from '../engine/trace-events';
import { LIBVIRT_VERSION_NAMES } from '../libvirt/versions';
import { isQemuVersion, QEMU_VERSIONS, type QemuVersion } from '../engine/versions';

// ---------------------------------------------------------------------------------------------------
// Types

export type QmpStep = { readonly qmp: QmpCommand };
export type QtestStep = { readonly qtest: string };
export type HmpStep = { readonly hmp: string };
/** libvirt steps (`virsh attach-device` / `detach-device` XML); passed through, run by the libvirt runner. */
export type AttachStep = { readonly attach: unknown };
export type DetachStep = { readonly detach: unknown };
export type QemuStep = QmpStep | QtestStep | HmpStep;
export type ReplayStep = QemuStep | AttachStep | DetachStep;
export type StepKind = 'qmp' | 'qtest' | 'hmp' | 'attach' | 'detach';
export const STEP_KINDS: readonly StepKind[] = ['qmp', 'qtest', 'hmp', 'attach', 'detach'];

export interface ReplayScenario {
  /** Where it was loaded from, for messages (not part of the format). */
  readonly file?: string;
  /** `qemu-version:` (optional): the QEMU release the scenario is for; absent: the runner's default (7.2). */
  readonly qemuVersion?: QemuVersion;
  /** qemu-system-x86_64 options; absent in a libvirt scenario. */
  readonly machine?: string;
  /** libvirt domain (another engineer's work), passed through as given. */
  readonly domain?: unknown;
  /** `libvirt-version:` of a `domain` scenario (`9.0`, `11.3`); absent = the command line's or 9.0. */
  readonly libvirtVersion?: string;
  readonly steps: readonly ReplayStep[];
  /** 1-based source line of each step, when known. */
  readonly stepLines?: readonly (number | undefined)[];
}

/** What every transcript step carries after its request; `trace-events` only with `--trace-events`. */
export interface StepOutcome {
  readonly reply: unknown;
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
  readonly 'trace-events'?: readonly string[];
}

export type TranscriptStep =
  | ({ readonly qmp: QmpCommand } & StepOutcome)
  | ({ readonly qtest: string } & StepOutcome)
  | ({ readonly hmp: string } & StepOutcome);

/**
 * The trace-event selection a recorded transcript was made with: the default set when its steps carry
 * `trace-events` (the corpus is recorded with `scripts/record.sh --trace-events`), else none.
 */
export function recordedTraceEvents(transcript: unknown): readonly string[] | undefined {
  const steps = (transcript as { steps?: unknown })?.steps;
  return Array.isArray(steps) && steps.some((s) => typeof s === 'object' && s !== null && 'trace-events' in s) ? DEFAULT_TRACE_EVENTS : undefined;
}

/** A step's outcome in the transcript's key order (reply, events, irqs, trace-events). */
export function stepOutcome(r: StepResult): StepOutcome {
  return { reply: r.reply, events: r.events, irqs: r.irqs, ...(r.traceEvents ? { 'trace-events': r.traceEvents } : {}) };
}

export interface Transcript {
  readonly machine: string;
  readonly startup: StartResult;
  readonly steps: readonly TranscriptStep[];
}

export function stepKind(step: ReplayStep): StepKind {
  return STEP_KINDS.find((k) => k in step)!;
}

// ---------------------------------------------------------------------------------------------------
// Loading and validation

export function loadReplayScenario(file: string): ReplayScenario {
  let text: string;
  try {
    text = readRegularFile(file, MAX_SCENARIO_BYTES);
  } catch (e) {
    if (e instanceof FileRefusal) throw new ScenarioError(`cannot read scenario: ${e.message}`);
    throw e;
  }
  return parseReplayScenario(text, file);
}

/** A replay file is a few kilobytes; anything beyond this is refused unread. */
export const MAX_SCENARIO_BYTES = 16 * MiB;

const TOP_KEYS = new Set(['qemu-version', 'machine', 'domain', 'steps', 'libvirt-version']);

/** A `--qemu-version` / `qemu-version:` value, checked: 7.2 or 10.0 (a YAML number 10.0 would read as 10). */
export function qemuVersionOption(v: unknown, where?: string): QemuVersion {
  const text = typeof v === 'number' ? String(v) : v;
  if (isQemuVersion(text)) return text;
  throw new ScenarioError(`qemu-version must be ${QEMU_VERSIONS.map((x) => `"${x}"`).join(' or ')}, got ${typeof v === 'string' ? `'${v}'` : String(v)}`, where);
}

/** A version key's value: `"11.3"`, or a YAML number (`9.0` reads as 9, `11.3` as 11.3). */
function versionText(v: unknown): string | undefined {
  if (typeof v === 'string' && /^\d+\.\d+$/.test(v)) return v;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'bigint') return `${v}.0`;
  return undefined;
}

export function parseReplayScenario(text: string, file = '<scenario>'): ReplayScenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { intAsBigInt: true, lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as YamlNode | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const at = (line?: number) => (line ? `${file}:${line}` : file);

  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
    throw new ScenarioError(`malformed YAML: ${e.message.split('\n')[0]}`, at(line));
  }
  const root = doc.contents;
  if (!isMap(root)) throw new ScenarioError('a replay scenario must be a mapping with `machine` and `steps`', at(lineOf(root)));
  let top: Record<string, unknown>;
  try {
    top = doc.toJS({ mapAsMap: false }) as Record<string, unknown>;
  } catch (e) {
    // The yaml library refuses alias bombs ("billion laughs") while building the value.
    if (/alias/i.test((e as Error).message)) throw new ScenarioError('refused: too many YAML aliases (an alias bomb expands exponentially)', file);
    throw new ScenarioError(`malformed YAML: ${(e as Error).message.split('\n')[0]}`, file);
  }

  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.has(key)) {
      const pair = root.items.find((p) => (p.key as { value?: unknown })?.value === key);
      throw new ScenarioError(`unknown key '${key}' (expected qemu-version, machine, domain, steps, libvirt-version)`, at(lineOf(pair?.key)));
    }
  }
  const versionRaw = top['qemu-version'];
  // YAML reads an unquoted 7.2 as a number: accept it when its text is a known version.
  const versionNode = root.get('qemu-version', true) as { source?: string } | undefined;
  const qemuVersion = versionRaw === undefined ? undefined : qemuVersionOption(typeof versionRaw === 'number' || typeof versionRaw === 'bigint' ? versionNode?.source ?? String(versionRaw) : versionRaw, at(lineOf(versionNode)));
  const hasMachine = top.machine !== undefined && top.machine !== null;
  const hasDomain = top.domain !== undefined && top.domain !== null;
  if (!hasMachine && !hasDomain) throw new ScenarioError('missing `machine` (qemu-system-x86_64 options)', file);
  if (hasMachine && typeof top.machine !== 'string') {
    throw new ScenarioError('`machine` must be a string of qemu-system-x86_64 options', at(lineOf(root.get('machine', true))));
  }
  if (hasMachine && hasDomain) throw new ScenarioError('give either `machine` or `domain`, not both', file);
  let libvirtVersion: string | undefined;
  if (top['libvirt-version'] !== undefined) {
    const where = at(lineOf(root.get('libvirt-version', true)));
    if (!hasDomain) throw new ScenarioError('`libvirt-version` belongs to a `domain` scenario', where);
    libvirtVersion = versionText(top['libvirt-version']);
    if (libvirtVersion === undefined || !(LIBVIRT_VERSION_NAMES as readonly string[]).includes(libvirtVersion)) {
      throw new ScenarioError(`\`libvirt-version\` must be one of ${LIBVIRT_VERSION_NAMES.join(', ')}, got '${String(top['libvirt-version'])}'`, where);
    }
  }

  const stepsNode = root.get('steps', true);
  const stepsJs = top.steps ?? [];
  if (!Array.isArray(stepsJs)) throw new ScenarioError('`steps` must be a list', at(lineOf(stepsNode)));
  const stepNodes = isSeq(stepsNode) ? stepsNode.items : [];

  const steps: ReplayStep[] = [];
  const stepLines: (number | undefined)[] = [];
  stepsJs.forEach((raw: unknown, i: number) => {
    const line = lineOf(stepNodes[i]);
    const where = `${at(line)}: step ${i + 1}`;
    steps.push(validateStep(raw, where));
    stepLines.push(line);
  });

  return {
    file,
    ...(qemuVersion !== undefined ? { qemuVersion } : {}),
    ...(hasMachine ? { machine: top.machine as string } : { domain: top.domain }),
    ...(libvirtVersion !== undefined ? { libvirtVersion } : {}),
    steps,
    stepLines,
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateStep(raw: unknown, where: string): ReplayStep {
  if (!isPlainObject(raw)) throw new ScenarioError('a step must be a mapping with one of qmp, qtest, hmp, attach, detach', where);
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => !(STEP_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ScenarioError(`unknown step kind '${unknown[0]}' (expected qmp, qtest, hmp, attach or detach)`, where);
  }
  if (keys.length === 0) throw new ScenarioError('empty step (expected one of qmp, qtest, hmp, attach, detach)', where);
  if (keys.length > 1) throw new ScenarioError(`a step has exactly one kind, got ${keys.join(' and ')}`, where);
  const kind = keys[0] as StepKind;
  const value = raw[kind];
  switch (kind) {
    case 'qmp': {
      if (!isPlainObject(value)) throw new ScenarioError('a qmp step must be a mapping {execute, arguments?}', where);
      if (typeof value.execute !== 'string' || value.execute === '') {
        throw new ScenarioError('a qmp step needs `execute` (the command name)', where);
      }
      const extra = Object.keys(value).filter((k) => k !== 'execute' && k !== 'arguments');
      if (extra.length > 0) throw new ScenarioError(`a qmp step has only execute and arguments, got '${extra[0]}'`, where);
      if ('arguments' in value && !isPlainObject(value.arguments)) {
        throw new ScenarioError('qmp `arguments` must be a mapping', where);
      }
      return { qmp: value as unknown as QmpCommand };
    }
    case 'qtest':
    case 'hmp':
      if (typeof value !== 'string') throw new ScenarioError(`a ${kind} step must be a string (one command line)`, where);
      // A line break would smuggle a second command into QEMU's line-based qtest protocol.
      if (kind === 'qtest' && /[\r\n]/.test(value)) throw new ScenarioError('a qtest step is one line: it must not contain a line break (\\r or \\n)', where);
      return kind === 'qtest' ? { qtest: value } : { hmp: value };
    case 'attach':
      return { attach: value };
    case 'detach':
      return { detach: value };
  }
}

// ---------------------------------------------------------------------------------------------------
// Running

/**
 * Run a scenario on a backend and produce its transcript (DESIGN "Replay"). The backend is started and
 * always closed. Startup refusal gives `steps: []`. libvirt scenarios (`domain`, attach/detach) are not
 * runnable here.
 */
export async function runReplay(backend: Backend, scenario: ReplayScenario): Promise<Transcript> {
  const file = scenario.file ?? '<scenario>';
  if (scenario.machine === undefined) {
    throw new ScenarioError('a `domain` scenario needs the libvirt runner, not a QEMU backend', file);
  }
  const stepWhere = (i: number) => {
    const line = scenario.stepLines?.[i];
    return `${line ? `${file}:${line}` : file}: step ${i + 1}`;
  };
  const qemuSteps = scenario.steps as readonly QemuStep[];
  for (let i = 0; i < scenario.steps.length; i++) {
    const s = scenario.steps[i];
    if ('attach' in s || 'detach' in s) throw new ScenarioError(`'${stepKind(s)}' steps need the libvirt runner`, stepWhere(i));
  }
  const machine = scenario.machine;
  const sync = backend.sync?.();
  if (sync) return runSync(sync, scenario, machine, file, stepWhere);
  try {
    const startup = await atStep(`${file}: machine`, () => backend.start(machine, scenario.qemuVersion !== undefined ? { qemuVersion: scenario.qemuVersion } : {}));
    if (!startup.ok) return { machine, startup: { ok: false, error: startup.error }, steps: [] };
    const steps: TranscriptStep[] = [];
    for (let i = 0; i < qemuSteps.length; i++) {
      // As atStep, with the step's place only worked out when it is needed.
      try {
        steps.push(await runStep(backend, qemuSteps[i]));
      } catch (e) {
        throw located(e, stepWhere(i));
      }
    }
    return { machine, startup: { ok: true }, steps };
  } finally {
    await backend.close();
  }
}

/**
 * runReplay on a backend's synchronous steps (Backend.sync): the same transcript and the same errors, without a
 * promise per step (test/replay-sync.property.test.ts: against the asynchronous steps on generated scenarios).
 */
function runSync(backend: SyncSteps, scenario: ReplayScenario, machine: string, file: string, stepWhere: (i: number) => string): Transcript {
  const qemuSteps = scenario.steps as readonly QemuStep[];
  try {
    let startup: StartResult;
    try {
      startup = backend.start(machine, scenario.qemuVersion !== undefined ? { qemuVersion: scenario.qemuVersion } : {});
    } catch (e) {
      throw located(e, `${file}: machine`);
    }
    if (!startup.ok) return { machine, startup: { ok: false, error: startup.error }, steps: [] };
    const steps: TranscriptStep[] = [];
    for (let i = 0; i < qemuSteps.length; i++) {
      try {
        steps.push(syncStep(backend, qemuSteps[i]));
      } catch (e) {
        throw located(e, stepWhere(i));
      }
    }
    return { machine, startup: { ok: true }, steps };
  } finally {
    backend.close();
  }
}

/** runStep on synchronous steps: the transcript step built in one literal, in the transcript's key order. */
function syncStep(backend: SyncSteps, step: QemuStep): TranscriptStep {
  if ('qmp' in step) {
    const r = backend.qmp(step.qmp);
    const te = r.traceEvents;
    return te ? { qmp: step.qmp, reply: r.reply, events: r.events, irqs: r.irqs, 'trace-events': te } : { qmp: step.qmp, reply: r.reply, events: r.events, irqs: r.irqs };
  }
  if ('qtest' in step) {
    const r = backend.qtest(step.qtest);
    const te = r.traceEvents;
    return te ? { qtest: step.qtest, reply: r.reply, events: r.events, irqs: r.irqs, 'trace-events': te } : { qtest: step.qtest, reply: r.reply, events: r.events, irqs: r.irqs };
  }
  const r = backend.hmp(step.hmp);
  const te = r.traceEvents;
  return te ? { hmp: step.hmp, reply: r.reply, events: r.events, irqs: r.irqs, 'trace-events': te } : { hmp: step.hmp, reply: r.reply, events: r.events, irqs: r.irqs };
}

/** A scenario problem without a place gets `where`; anything else goes on as it is. */
function located(e: unknown, where: string): unknown {
  return e instanceof ScenarioError && e.where === undefined ? new ScenarioError(e.message, where) : e;
}

/** Run one step; a scenario problem (refused or malformed request) is reported with its file and step. */
export async function atStep<T>(where: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw located(e, where);
  }
}

async function runStep(backend: Backend, step: QemuStep): Promise<TranscriptStep> {
  if ('qmp' in step) {
    const r = await backend.qmp(step.qmp);
    return { qmp: step.qmp, ...stepOutcome(r) };
  }
  if ('qtest' in step) {
    const r = await backend.qtest(step.qtest);
    return { qtest: step.qtest, ...stepOutcome(r) };
  }
  const r = await backend.hmp(step.hmp);
  return { hmp: step.hmp, ...stepOutcome(r) };
}
