// The one interface both backends implement: QEMU's own languages (QMP JSON, qtest lines, HMP text).
// The model answers from the pure engine, the qemu backend from a real qemu-system-x86_64, so every
// scenario and replay file runs unchanged on either.

import type { QmpEvent, TraceEntry } from '../engine/effects';
import type { QemuVersion } from '../engine/versions';

/** A QMP command as sent (`{execute, arguments?}`), numbers beyond 2^53 as bigint. */
export type QmpCommand = { readonly execute: string; readonly arguments?: Readonly<Record<string, unknown>> };

export interface StepResult {
  /** QMP reply object (`{return}` / `{error: {class, desc}}`), the qtest response line, or HMP text (\r\n line ends). */
  readonly reply: unknown;
  /** QMP events the step caused, without timestamps, in arrival order. */
  readonly events: readonly QmpEvent[];
  /** qtest `IRQ raise N` / `IRQ lower N` lines the step caused. */
  readonly irqs: readonly string[];
  /** The causal path (model backend only). */
  readonly trace?: readonly TraceEntry[];
  /**
   * QEMU trace-point lines the step caused (`-trace`/`-D` log lines), only when the backend was asked for
   * trace events; the model keeps exactly those its selection enables.
   */
  readonly traceEvents?: readonly string[];
}

/** How to start: the QEMU release (default: the backend's own, 7.2 unless it was built for another). */
export interface StartOptions {
  readonly qemuVersion?: QemuVersion;
}

export type StartResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface Backend {
  readonly name: 'model' | 'qemu' | 'diff';
  /** Start a machine from qemu-system-x86_64 options (`-M pc -m 1G,slots=4,maxmem=8G ...`). */
  start(machine: string, options?: StartOptions): Promise<StartResult>;
  qmp(command: QmpCommand): Promise<StepResult>;
  qtest(line: string): Promise<StepResult>;
  /** HMP through `human-monitor-command`; the reply is its text. */
  hmp(commandLine: string): Promise<StepResult>;
  /** Stop the machine and free everything (idempotent). */
  close(): Promise<void>;
  /**
   * The same backend's steps answered synchronously, for a backend that computes them (the model), or undefined.
   * Only when they are exactly what the asynchronous methods above answer (a subclass that overrides one of those
   * gets none), so a runner may use either; runReplay uses these to spare a promise per step.
   */
  sync?(): SyncSteps | undefined;
  /**
   * The very results the asynchronous methods above resolve to (`trace` included), answered at once, for a backend
   * that computes them (the model), or undefined; as with `sync`, none for a subclass that overrides one of those
   * methods. The step library's world uses these so that a step on the model makes no promise (steps/flow.ts).
   */
  immediate?(): ImmediateSteps | undefined;
}

/** A Backend's start, qmp, qtest, hmp and close answered at once (see Backend.immediate): the same results, the same errors, thrown. */
export interface ImmediateSteps {
  start(machine: string, options?: StartOptions): StartResult;
  qmp(command: QmpCommand): StepResult;
  qtest(line: string): StepResult;
  hmp(commandLine: string): StepResult;
  close(): void;
}

/**
 * A Backend's steps without a promise each (see Backend.sync): the same replies, events, IRQ lines and trace-event
 * lines as the asynchronous methods, and the same errors, thrown. The step results need not carry `trace`.
 */
export interface SyncSteps {
  start(machine: string, options?: StartOptions): StartResult;
  qmp(command: QmpCommand): StepResult;
  qtest(line: string): StepResult;
  hmp(commandLine: string): StepResult;
  close(): void;
}

/** A model-vs-setup problem that is not QEMU's answer (unsupported option, malformed input): exit code 2. */
export class ScenarioError extends Error {
  constructor(message: string, readonly where?: string) {
    super(where ? `${where}: ${message}` : message);
  }
}

/**
 * The backend cannot run this scenario on this host (a missing host feature such as /dev/kvm for
 * `-accel kvm`). The command line refuses with it (exit 2); the step library skips the scenario and shows
 * the message as the reason in every report.
 */
export class BackendUnavailable extends ScenarioError {}
