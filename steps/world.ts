// One World per scenario: the backend (the model by default, real QEMU with world parameter
// {"backend":"qemu"}), the machine history and every reply, event and IRQ line. Steps call `qmp`, `qtest`
// and `hmp` here; this class records, tracks IRQ levels and enforces "an error must be asserted".

import { LOG_FILE_NAME } from '../reports/messages';
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import { BackendUnavailable, type Backend, type ImmediateSteps, type QmpCommand, type StartResult, type StepResult } from '../backends/types';
import { call, drive, type Flow } from './flow';
import { stringifyJson } from '../transcript/json';
import type { QmpEvent } from '../engine/effects';
import type { TimelineEntry } from '../reports/topology';
import { DEFAULT_TRACE_EVENTS } from '../engine/trace-events';
import { DEFAULT_QEMU_VERSION, isQemuVersion, QEMU_VERSIONS, type QemuVersion } from '../engine/versions';
import type { Fingerprint } from './snapshot';
import { setRunBackend } from './time-limit';
import { hmpTextOf, portValueOf } from './monitor-text';

export interface WorldParams {
  /** `model` (default) or `qemu`. */
  readonly backend?: 'model' | 'qemu' | 'diff';
  /** The QEMU release the scenarios run on, model and real QEMU alike: "7.2" (default) or "10.0". */
  readonly qemuVersion?: string;
  /** Attach SVG memory maps and the topology JSON (default true). */
  readonly attachments?: boolean;
  /** The libvirt version of the libvirt steps (`9.0`, `11.3`; default: the QEMU version's pair, 9.0 on 7.2). */
  readonly libvirtVersion?: string;
}

export type Kind = 'start' | 'qmp' | 'qtest' | 'hmp';

export interface Entry {
  readonly kind: Kind;
  /** The command as sent: QMP object, qtest line, HMP line, or the machine options. */
  readonly input: QmpCommand | string;
  readonly result: StepResult;
  /** Gherkin text of the step that issued it. */
  readonly step: string;
  /** Issued by the world itself (IRQ intercept, fingerprints, report snapshots). */
  readonly internal: boolean;
}

/** A refusal that a `Then it fails with ...` step has to claim. */
export interface PendingError {
  readonly where: string;
  readonly errorClass?: string;
  readonly desc: string;
  checked: boolean;
}

export type StepType = 'Context' | 'Action' | 'Outcome' | 'Unknown';

/** QMP reply `{"error": {...}}` → its class and desc. */
export function qmpError(reply: unknown): { class: string; desc: string } | undefined {
  if (reply && typeof reply === 'object' && 'error' in reply) {
    const e = (reply as { error: { class: string; desc: string } }).error;
    return { class: e.class, desc: e.desc };
  }
  return undefined;
}

/** A qtest reply `FAIL ...` is an error too. */
export function qtestError(reply: unknown): string | undefined {
  return typeof reply === 'string' && reply.startsWith('FAIL') ? reply : undefined;
}

export function describeInput(kind: Kind, input: QmpCommand | string): string {
  return typeof input === 'string' ? input : stringifyJson(input);
}

export class HotplugWorld extends World<WorldParams> {
  backend?: Backend;
  /** `-M ...` options the machine was started with. */
  machine?: string;
  machineType: 'pc' | 'q35' = 'pc';
  started = false;
  startError?: string;
  readonly history: Entry[] = [];
  /** Entries of the current (or last) action step: what `Then it fails`, events and IRQ assertions read. */
  action: Entry[] = [];
  pending?: PendingError;
  /** Level per IOAPIC input as reported by `IRQ raise/lower N` (the world intercepts at start). */
  readonly irqLevels = new Map<number, number>();
  /** q35: PMBASE and ACPI_EN were programmed (the GPE block is decoded). pc: PM I/O at 0xb000 enabled. */
  pmProgrammed = false;
  currentStep = '';
  currentType: StepType = 'Unknown';
  /** Feature file of the scenario, and the current step's line (and doc string line) in it. */
  uri = '';
  stepLocation?: { line: number; docStringLine?: number };
  /** Fingerprint taken before the last action, for "the machine is unchanged". */
  fingerprintBefore?: Fingerprint;
  needsFingerprint = false;
  /** Text and SVG snapshots for the report. */
  topologyBefore?: import('../reports/topology').MemorySnapshot;

  constructor(options: IWorldOptions<WorldParams>) {
    super(options);
    setRunBackend(this.backendName);
    // Cucumber's html report renders `log` attachments (text/x.cucumber.log+plain) as HTML: virsh output or an
    // XML parse error quoting a domain name like `<img src=x onerror=...>` would run as script when the report
    // is opened. Everything a step logs is attached as plain text instead, which every report shows as text.
    // With attachments off (the quick profiles: nothing there shows them) a log makes none, like the After hook's.
    (this as { log: (text: string) => void }).log = this.attachmentsEnabled ? (text: string) => this.attach(String(text), { mediaType: 'text/plain', fileName: LOG_FILE_NAME }) : () => undefined;
  }

  get backendName(): 'model' | 'qemu' | 'diff' {
    const b = this.parameters.backend;
    return b === 'qemu' || b === 'diff' ? b : 'model';
  }

  /** `Given QEMU 10.0` / `Given libvirt 11.3 on QEMU 10.0`: this scenario's release, over the world parameter. */
  qemuOverride?: QemuVersion;

  /** The QEMU release of this run (world parameter `qemuVersion`, set by the *-10.0 profiles). */
  get qemuVersion(): QemuVersion {
    const v = this.qemuOverride ?? this.parameters.qemuVersion ?? DEFAULT_QEMU_VERSION;
    if (!isQemuVersion(v)) throw new Error(`world parameter qemuVersion must be one of ${QEMU_VERSIONS.join(', ')}, got '${v}'`);
    return v;
  }

  /** The backend for this scenario, created on first use. */
  getBackend(): Backend {
    if (!this.backend) this.backend = this.madeBackend = createBackend(this.backendName, this.qemuVersion);
    return this.backend;
  }

  /** The backend getBackend made (steps/libvirt-world.ts puts a view of libvirt in its place once a domain runs). */
  private madeBackend?: Backend;
  /** Its answers at once (Backend.immediate), or null: asked once. */
  private madeImmediate?: ImmediateSteps | null;

  /**
   * The backend's answers at once while the world's backend is still the one it made and that backend computes them
   * (the model), or those a view put in its place offers under VIEW_IMMEDIATE (libvirt's, on the model); else
   * undefined, and the world waits for the backend's promises.
   */
  immediate(): ImmediateSteps | undefined {
    const b = this.backend;
    if (b === undefined) return undefined;
    if (b !== this.madeBackend) return (b as { [VIEW_IMMEDIATE]?: ImmediateSteps })[VIEW_IMMEDIATE];
    if (this.madeImmediate === undefined) this.madeImmediate = b.immediate?.() ?? null;
    return this.madeImmediate ?? undefined;
  }

  /** Record one exchange (public for layers that talk to the backend themselves, e.g. steps/libvirt-world.ts). */
  record(kind: Kind, input: QmpCommand | string, result: StepResult, internal: boolean, cleanup = false): Entry {
    const entry: Entry = { kind, input, result, step: this.currentStep, internal };
    if (!internal) this.lastFailed = false;
    this.history.push(entry);
    // A cleanup is shown in the timeline but is not the action's outcome ("the reply is", events, IRQ lines).
    if (!internal && !cleanup && this.currentType !== 'Outcome') this.action.push(entry);
    for (const line of result.irqs) {
      const m = /^IRQ (raise|lower) (\d+)$/.exec(line);
      if (m) this.irqLevels.set(Number(m[2]), m[1] === 'raise' ? 1 : 0);
    }
    return entry;
  }

  /** Why this scenario cannot run on this host's backend (e.g. `-accel kvm` without /dev/kvm): it is skipped. */
  skipReason?: string;

  /**
   * Start the machine. In a Given step a refusal fails the step; otherwise it is recorded for `Then`.
   * Returns 'skipped' when the backend cannot run the scenario here; a step returns that to Cucumber.
   */
  async start(options: string): Promise<'skipped' | undefined> {
    return drive(this.startFlow(options));
  }

  /** start as a step body (steps/flow.ts): without a promise on the model. */
  *startFlow(options: string): Flow<'skipped' | undefined> {
    if (this.started) throw new Error(`the machine is already started (with "${this.machine}"); a scenario starts one machine`);
    this.machine = options.trim();
    this.machineType = /(?:^|\s)-(?:M|machine)\s+(?:type=)?(?:q35|pc-q35)/.test(this.machine) ? 'q35' : 'pc';
    let res: StartResult;
    try {
      const backend = this.getBackend();
      const now = this.immediate();
      res = now ? now.start(this.machine) : yield* call(backend.start(this.machine));
    } catch (e) {
      if (e instanceof BackendUnavailable) {
        this.skipReason = e.message;
        this.log(`skipped: ${e.message}`);
        return 'skipped';
      }
      // Not QEMU's answer but a problem with the options (unsupported, malformed): name the feature line.
      throw new Error(`${this.uri}${this.stepLocation ? ':' + this.stepLocation.line : ''}: ${(e as Error).message}`);
    }
    this.record('start', this.machine, { reply: res.ok ? 'started' : res.error, events: [], irqs: [] }, false);
    if (!res.ok) {
      this.startError = res.error;
      this.noteError('start-up', undefined, res.error);
      return undefined;
    }
    this.started = true;
    // Observe GSI levels from the start: qtest reports `IRQ raise/lower N` on every level change.
    yield* this.qtestFlow('irq_intercept_in ioapic', { internal: true });
    if (this.attachmentsEnabled) {
      const { memorySnapshot } = (snapshotModule ??= yield* call(import('./snapshot')));
      this.topologyBefore = yield* call(memorySnapshot(this, 'before'));
    }
    return undefined;
  }

  get attachmentsEnabled(): boolean {
    return this.parameters.attachments !== false;
  }

  requireStarted(): void {
    if (this.startError !== undefined) throw new Error(`the machine did not start: ${this.startError}`);
    if (!this.started) throw new Error('no machine yet: start one first, e.g. Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"');
  }

  /** Value of the last worded register read ("the guest reads the slot's status"). */
  lastRead?: number;

  /** True when the last command of this step was refused (multi-command steps stop there). */
  lastFailed = false;

  /** A refusal: fails a Given/Then step, else is kept for `Then it fails with ...` (public for steps/libvirt-world.ts). */
  noteError(where: string, errorClass: string | undefined, desc: string): void {
    this.lastFailed = true;
    if (this.currentType === 'Context' || this.currentType === 'Outcome') {
      const what = this.currentType === 'Context' ? 'a Given step' : 'a Then step';
      throw new Error(`${where} failed in ${what}: ${errorClass ? errorClass + ': ' : ''}${desc}`);
    }
    this.checkNoPendingError();
    this.pending = { where, errorClass, desc, checked: false };
  }

  /** Fail when an earlier refusal was never asserted (called before the next action and after the scenario). */
  checkNoPendingError(): void {
    if (this.pending && !this.pending.checked) {
      const p = this.pending;
      this.pending = undefined;
      throw new Error(`${p.where} failed and no step asserted it: ${p.errorClass ? p.errorClass + ': ' : ''}${p.desc}\n` +
        `Add "Then it fails with \"${p.desc}\"" (or "Then QEMU refuses to start with ...") after the step.`);
    }
  }

  /**
   * Before the first command of an action step, remember how the machine looked (only for scenarios that
   * ask): "the machine is unchanged" covers everything the step did, e.g. the backend a worded hot-add made.
   */
  private fingerprintNeeded(internal: boolean | undefined): boolean {
    return !internal && this.needsFingerprint && this.currentType !== 'Outcome' && this.action.length === 0;
  }

  private *beforeCommand(): Flow<void> {
    const { deferredFingerprintFlow, fingerprintFlow } = (snapshotModule ??= yield* call(import('./snapshot')));
    // On the model its text is made only when "the machine is unchanged" reads it: a scenario that asks takes one
    // before every action step, and only the last action step's is compared.
    this.fingerprintBefore = (this.immediate() && (yield* deferredFingerprintFlow(this))) || (yield* fingerprintFlow(this));
  }

  // Each exchange below is written once, as a step body (steps/flow.ts: `yield* world.qmpFlow(...)` in a step runs
  // without a promise on the model), and offered as the async method it always was (`await world.qmp(...)`).

  /** `cleanup`: a step undoing its own partial work after a refusal (recorded, shown, never an error of its own). */
  async qmp(command: QmpCommand, opts: { internal?: boolean; cleanup?: boolean } = {}): Promise<StepResult> {
    return drive(this.qmpFlow(command, opts));
  }

  *qmpFlow(command: QmpCommand, opts: { internal?: boolean; cleanup?: boolean } = {}): Flow<StepResult> {
    this.requireStarted();
    if (this.fingerprintNeeded(opts.internal)) yield* this.beforeCommand();
    const failed = this.lastFailed;
    const now = this.immediate();
    const res = now ? now.qmp(command) : yield* call(this.getBackend().qmp(command));
    this.record('qmp', command, res, !!opts.internal, !!opts.cleanup);
    const err = qmpError(res.reply);
    if (opts.cleanup) this.lastFailed = failed;
    else if (err && !opts.internal) this.noteError(describeInput('qmp', command), err.class, err.desc);
    return res;
  }

  async qtest(line: string, opts: { internal?: boolean } = {}): Promise<StepResult> {
    return drive(this.qtestFlow(line, opts));
  }

  *qtestFlow(line: string, opts: { internal?: boolean } = {}): Flow<StepResult> {
    this.requireStarted();
    if (this.fingerprintNeeded(opts.internal)) yield* this.beforeCommand();
    const now = this.immediate();
    const res = now ? now.qtest(line) : yield* call(this.getBackend().qtest(line));
    this.record('qtest', line, res, !!opts.internal);
    const err = qtestError(res.reply);
    if (err && !opts.internal) this.noteError(line, undefined, err);
    return res;
  }

  async hmp(line: string, opts: { internal?: boolean } = {}): Promise<StepResult> {
    return drive(this.hmpFlow(line, opts));
  }

  *hmpFlow(line: string, opts: { internal?: boolean } = {}): Flow<StepResult> {
    this.requireStarted();
    if (this.fingerprintNeeded(opts.internal)) yield* this.beforeCommand();
    const now = this.immediate();
    const res = now ? now.hmp(line) : yield* call(this.getBackend().hmp(line));
    this.record('hmp', line, res, !!opts.internal);
    const text = typeof res.reply === 'string' ? res.reply : '';
    const err = qmpError(res.reply) ?? (/^Error: /.test(text) ? { class: 'GenericError', desc: text.replace(/^Error: /, '').trim() } : undefined);
    if (err && !opts.internal) this.noteError(line, err.class, err.desc);
    return res;
  }

  /** HMP text with \r\n normalised. */
  async hmpText(line: string, internal = false): Promise<string> {
    return drive(this.hmpTextFlow(line, internal));
  }

  *hmpTextFlow(line: string, internal = false): Flow<string> {
    const r = yield* this.hmpFlow(line, { internal });
    return hmpTextOf(line, r.reply);
  }

  /** `inb`/`inw`/`inl` through qtest → the value (`OK 0x0008` → 8). */
  async portRead(width: 'b' | 'w' | 'l', port: number, internal = false): Promise<number> {
    return drive(this.portReadFlow(width, port, internal));
  }

  *portReadFlow(width: 'b' | 'w' | 'l', port: number, internal = false): Flow<number> {
    const r = yield* this.qtestFlow(`in${width} 0x${port.toString(16)}`, { internal });
    return portValueOf(width, port, r.reply);
  }

  async portWrite(width: 'b' | 'w' | 'l', port: number, value: number | bigint, internal = false): Promise<void> {
    return drive(this.portWriteFlow(width, port, value, internal));
  }

  *portWriteFlow(width: 'b' | 'w' | 'l', port: number, value: number | bigint, internal = false): Flow<void> {
    // Never `outl 0xa00 0x-1`: a value must be what the guest can write with that access.
    const max = width === 'b' ? 0xffn : width === 'w' ? 0xffffn : 0xffffffffn;
    const v = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : undefined;
    if (v === undefined || v < 0n || v > max) throw new Error(`out${width}: the value ${value} does not fit (0 to 0x${max.toString(16)})`);
    yield* this.qtestFlow(`out${width} 0x${port.toString(16)} 0x${value.toString(16)}`, { internal });
  }

  /** All QMP events of the current action. */
  get actionEvents(): QmpEvent[] {
    return this.action.flatMap((e) => [...e.result.events]);
  }

  get actionIrqs(): string[] {
    return this.action.flatMap((e) => [...e.result.irqs]);
  }

  /** The QEMU trace-event lines of the current action (default set), in order. */
  get actionTraceEvents(): string[] {
    return this.action.flatMap((e) => [...(e.result.traceEvents ?? [])]);
  }

  get allEvents(): QmpEvent[] {
    return this.history.flatMap((e) => [...e.result.events]);
  }

  /** The last non-internal entry of the current action. */
  get lastEntry(): Entry | undefined {
    return this.action[this.action.length - 1];
  }

  /** What the scenario sent (the world's own reads are left out to keep reports small). */
  timeline(): TimelineEntry[] {
    return this.history.filter((e) => !e.internal).map((e) => ({
      step: e.step,
      kind: e.kind,
      input: describeInput(e.kind, e.input),
      reply: clip(typeof e.result.reply === 'string' ? e.result.reply : stringifyJson(e.result.reply)),
      events: e.result.events.map((v) => stringifyJson(v)),
      irqs: [...e.result.irqs],
      trace: (e.result.trace ?? []).map((t) => `${'  '.repeat(t.depth)}${t.fn}${t.note ? ` (${t.note})` : ''}`),
      ...(e.result.traceEvents?.length ? { traceEvents: [...e.result.traceEvents] } : {}),
      ...(e.internal ? { internal: true } : {}),
    }));
  }

  async close(): Promise<void> {
    return drive(this.closeFlow());
  }

  *closeFlow(): Flow<void> {
    const now = this.immediate();
    if (now) now.close();
    else yield* call(this.backend?.close());
  }
}


/**
 * The key under which a view put in the place of the world's backend (steps/libvirt-world.ts: the scenario's commands
 * through the libvirt domain) offers its answers at once: the very results its promises resolve to, the same errors
 * thrown. A view's own key: a Proxy of the backend does not reach the backend's Backend.immediate through it.
 */
export const VIEW_IMMEDIATE: unique symbol = Symbol('a backend view\'s answers at once');

/** steps/snapshot.ts once loaded (a dynamic import requires it again at every call: the path is resolved each time). */
let snapshotModule: typeof import('./snapshot') | undefined;

function clip(s: string, max = 16000): string {
  return s.length > max ? s.slice(0, max) + `\n… (${s.length - max} more characters)` : s;
}

/**
 * The backend by name; modules are loaded on demand so a run needs only the backend it uses. Every backend
 * reports the default trace-event set (`the trace events were:`); the diff backend compares them too.
 */
export function createBackend(name: 'model' | 'qemu' | 'diff', qemuVersion: QemuVersion = DEFAULT_QEMU_VERSION): Backend {
  type Ctor = new (o: { qemuVersion: QemuVersion; traceEvents: readonly string[] }) => Backend;
  const options = { qemuVersion, traceEvents: DEFAULT_TRACE_EVENTS };
  if (name === 'diff') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { DiffBackend } = require('../backends/diff') as { DiffBackend: Ctor };
    return new DiffBackend(options);
  }
  if (name === 'qemu') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { QemuBackend } = require('../backends/qemu') as { QemuBackend: Ctor };
    return new QemuBackend(options);
  }
  // Asked once per scenario: the constructor is kept rather than required again (a cached require still resolves
  // the path, ≈ 5-20 µs).
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  modelBackend ??= (require('../backends/model') as { ModelBackend: new (o: { qemuVersion: QemuVersion; traceEvents: readonly string[] }) => Backend }).ModelBackend;
  return new modelBackend(options);
}
let modelBackend: (new (o: { qemuVersion: QemuVersion; traceEvents: readonly string[] }) => Backend) | undefined;

setWorldConstructor(HotplugWorld);

// The model is what nearly every run uses (the model profiles, and diff beside QEMU): its modules are loaded while
// Cucumber sets the run up (reading and parsing the features), not inside the first scenario's first step,
// unless the command line names a real-QEMU-only profile. Only a matter of when: createBackend requires it anyway.
{
  const argv = process.argv;
  const profile = argv.flatMap((a, i) => (a === '-p' || a === '--profile' ? [argv[i + 1]] : a.startsWith('--profile=') ? [a.slice(10)] : []));
  if (!profile.some((p) => /^qemu(-|$)/.test(p ?? ''))) setImmediate(() => require('../backends/model'));
}
