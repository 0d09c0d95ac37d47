// The model backend: the pure engine behind the Backend interface. It keeps the state history so
// steps and reports can show the machine before and after each action.

import type { Backend, ImmediateSteps, QmpCommand, StartOptions, StartResult, StepResult, SyncSteps } from '../types';
import { DEFAULT_QEMU_VERSION, type QemuVersion } from '../../engine/versions';
import { ScenarioError } from '../types';
import type { MachineState } from '../../engine/state';
import { buildFromCommandLine } from '../../engine/machine/build';
import { reduceFx, reduceFxUnrecorded, reduceResult, type Action, type ReduceResult, type Reduction } from '../../engine/reduce';
import { ModelLimit } from '../../engine/errors';
import { selectTraceEvents } from '../../engine/trace-events';
import type { Effects, Unrecorded } from '../../engine/effects';

export interface ModelBackendOptions {
  /**
   * Trace-event patterns (QEMU's `-trace` syntax) whose lines each step reports in `traceEvents`, as the
   * qemu backend's log would; undefined: none (checked with checkTraceEventPatterns by the caller).
   */
  readonly traceEvents?: readonly string[];
  /** The release start() models unless told otherwise. */
  readonly qemuVersion?: QemuVersion;
}

export interface HistoryEntry {
  readonly action: Action;
  readonly before: MachineState;
  readonly result: ReduceResult;
}

export class ModelBackend implements Backend {
  readonly name = 'model' as const;
  /** The model accepts libvirt's default -device options (balloon, USB, root ports) as QOM children. */
  readonly libvirtDefaultDevices = true;
  private current?: MachineState;
  /**
   * Each step's action, the state before and what the engine made of it (made into a HistoryEntry when read);
   * `unrecorded`: made without the trace (sync steps), which is made again from `before` when the history is read.
   */
  private readonly log: { readonly action: Action; readonly before: MachineState; readonly r: Reduction; readonly unrecorded: boolean; entry?: HistoryEntry }[] = [];
  /** Start-up warnings QEMU would print on stderr. */
  warnings: readonly string[] = [];
  private readonly traceEvents?: readonly string[];
  /** The release start() models unless told otherwise. */
  readonly qemuVersion: QemuVersion;

  constructor(options: ModelBackendOptions = {}) {
    this.traceEvents = options.traceEvents;
    this.qemuVersion = options.qemuVersion ?? DEFAULT_QEMU_VERSION;
  }

  /**
   * A backend whose machine is `state`, as if it had been started and driven there (its history is empty): what a
   * state answers can be asked later, without the backend that made it (steps/snapshot.ts deferredFingerprint).
   */
  static at(state: MachineState, options: ModelBackendOptions = {}): ModelBackend {
    const b = new ModelBackend({ ...options, qemuVersion: state.config.qemu.version });
    b.current = state;
    return b;
  }

  /** The release of the running machine (or the default one before start). */
  get version(): QemuVersion {
    return this.current?.config.qemu.version ?? this.qemuVersion;
  }

  /** The current engine state (model-only observations: trace, KVM slots under TCG, internals). */
  get state(): MachineState {
    if (!this.current) throw new ScenarioError('the machine has not been started');
    return this.current;
  }

  get started(): boolean {
    return this.current !== undefined;
  }

  get history(): readonly HistoryEntry[] {
    return this.log.map((e) => (e.entry ??= { action: e.action, before: e.before, result: reduceResult(e.unrecorded ? { ...e.r, fx: reduceFx(e.before, e.action).fx } : e.r) }));
  }

  async start(machine: string, options: StartOptions = {}): Promise<StartResult> {
    return this.startSync(machine, options);
  }

  startSync(machine: string, options: StartOptions = {}): StartResult {
    const r = buildFromCommandLine(machine, options.qemuVersion ?? this.qemuVersion);
    if (!r.ok) {
      if (r.kind === 'unsupported') throw new ScenarioError(r.message, 'machine');
      this.current = undefined;
      return { ok: false, error: r.error.desc };
    }
    this.current = r.state;
    this.warnings = r.warnings;
    return { ok: true };
  }

  apply(action: Action): StepResult {
    return this.stepResult(this.step(action), false);
  }

  /** Reduce one action on the current state and keep it in the history. */
  private step(action: Action, keep?: Unrecorded): Reduction {
    const before = this.state;
    let r: Reduction;
    try {
      r = keep === undefined ? reduceFx(before, action) : reduceFxUnrecorded(before, action, keep);
    } catch (e) {
      if (e instanceof ModelLimit) throw new ScenarioError(e.message);
      throw e;
    }
    this.log.push({ action, before, r, unrecorded: keep !== undefined });
    this.current = r.state;
    return r;
  }

  /**
   * What a step shows. The trace and the selected trace-event lines are own enumerable getters, computed on first
   * read (a step rarely reads them; the result still spreads, serialises and compares as a plain object).
   * `hmpText`: the reply is the text of a human-monitor-command.
   */
  private stepResult(r: Reduction, hmpText: boolean): StepResult {
    const fx = r.fx;
    const reply = hmpText ? (r.reply as { return?: unknown }).return ?? r.reply : r.reply;
    const patterns = this.traceEvents;
    // Shared getters over hidden keys, not an object literal with getters: V8 keeps a literal's accessor pairs
    // outside the young generation, which kept every step's result alive until the next full collection.
    // One defineProperty per key: defineProperties with a descriptor map costs about twice as much.
    const out = { reply, events: fx.events, irqs: fx.irqs };
    Object.defineProperty(out, FX, { value: fx });
    Object.defineProperty(out, 'trace', TRACE);
    if (!patterns) return out as StepResult;
    Object.defineProperty(out, PATTERNS, { value: patterns });
    return Object.defineProperty(out, 'traceEvents', TRACE_EVENTS) as StepResult;
  }

  async qmp(command: QmpCommand): Promise<StepResult> {
    return this.apply({ kind: 'qmp', command });
  }

  async qtest(line: string): Promise<StepResult> {
    return this.apply({ kind: 'qtest', line });
  }

  async hmp(commandLine: string): Promise<StepResult> {
    return this.hmpResult(commandLine);
  }

  /** What hmp resolves to, at once. */
  hmpResult(commandLine: string): StepResult {
    return this.stepResult(this.step({ kind: 'qmp', command: { execute: 'human-monitor-command', arguments: { 'command-line': commandLine } } }), true);
  }

  async close(): Promise<void> {
    this.closeNow();
  }

  /** What close does, at once. */
  closeNow(): void {
    this.current = undefined;
  }

  /**
   * The steps without a promise each (Backend.sync), answering as the methods above do; none when a subclass
   * overrides one of the methods a step goes through (a planted bug, a wrapper), so a runner that prefers these
   * still sees what the subclass answers.
   */
  sync(): SyncSteps | undefined {
    if (!this.ownSteps() || this.close !== ModelBackend.prototype.close) return undefined;
    return new ModelSteps(this, this.traceEvents);
  }

  /**
   * start, qmp, qtest, hmp and close answered at once (Backend.immediate): the very results the asynchronous methods
   * resolve to, trace included; none when a subclass overrides one of the methods they go through.
   */
  immediate(): ImmediateSteps | undefined {
    const own = ModelBackend.prototype;
    return this.ownSteps() && this.hmpResult === own.hmpResult && this.close === own.close && this.closeNow === own.closeNow ? new ModelImmediate(this) : undefined;
  }

  /** Whether the methods a step goes through are this class's own (no subclass or instance overrides them). */
  private ownSteps(): boolean {
    const own = ModelBackend.prototype;
    return this.start === own.start && this.startSync === own.startSync && this.apply === own.apply && this.qmp === own.qmp &&
      this.qtest === own.qtest && this.hmp === own.hmp;
  }

  /**
   * What a step shows, as stepResult, without the trace and with the trace-event lines selected now (sync steps): the
   * engine makes no trace, nor trace points unless some are selected (the history makes them again when read).
   */
  outcome(action: Action, hmpText: boolean, patterns: readonly string[] | undefined): StepResult {
    const r = this.step(action, patterns === undefined ? NO_POINTS : POINTS);
    const fx = r.fx;
    const reply = hmpText ? (r.reply as { return?: unknown }).return ?? r.reply : r.reply;
    return patterns === undefined ? { reply, events: fx.events, irqs: fx.irqs } : { reply, events: fx.events, irqs: fx.irqs, traceEvents: selectTraceEvents(fx.traceEvents, patterns) };
  }
}

/** ModelBackend's start, qmp, qtest and hmp answered at once (ModelBackend.immediate). */
class ModelImmediate implements ImmediateSteps {
  constructor(private readonly b: ModelBackend) {}
  start(machine: string, options?: StartOptions): StartResult {
    return this.b.startSync(machine, options);
  }
  qmp(command: QmpCommand): StepResult {
    return this.b.apply({ kind: 'qmp', command });
  }
  qtest(line: string): StepResult {
    return this.b.apply({ kind: 'qtest', line });
  }
  hmp(commandLine: string): StepResult {
    return this.b.hmpResult(commandLine);
  }
  close(): void {
    this.b.closeNow();
  }
}

/** ModelBackend's steps without a promise each (ModelBackend.sync). */
class ModelSteps implements SyncSteps {
  constructor(private readonly b: ModelBackend, private readonly patterns: readonly string[] | undefined) {}
  start(machine: string, options?: StartOptions): StartResult {
    return this.b.startSync(machine, options);
  }
  qmp(command: QmpCommand): StepResult {
    return this.b.outcome({ kind: 'qmp', command }, false, this.patterns);
  }
  qtest(line: string): StepResult {
    return this.b.outcome({ kind: 'qtest', line }, false, this.patterns);
  }
  hmp(commandLine: string): StepResult {
    return this.b.outcome({ kind: 'qmp', command: { execute: 'human-monitor-command', arguments: { 'command-line': commandLine } } }, true, this.patterns);
  }
  close(): void {
    void this.b.close();
  }
}

const NO_POINTS: Unrecorded = { points: false };
const POINTS: Unrecorded = { points: true };
const FX = Symbol('effects');
const PATTERNS = Symbol('patterns');
const SELECTED = Symbol('selected');
type Hidden = { readonly [FX]: Effects; readonly [PATTERNS]: readonly string[]; [SELECTED]?: string[] };
const TRACE: PropertyDescriptor = { get(this: Hidden) { return this[FX].trace; }, enumerable: true, configurable: true };
const TRACE_EVENTS: PropertyDescriptor = {
  get(this: Hidden) {
    let selected = this[SELECTED];
    if (selected === undefined) Object.defineProperty(this, SELECTED, { value: (selected = selectTraceEvents(this[FX].traceEvents, this[PATTERNS])) });
    return selected;
  },
  enumerable: true,
  configurable: true,
};
