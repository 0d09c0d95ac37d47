// The real-QEMU Backend: one paused qemu-system-x86_64 per scenario, driven over QMP and qtest.
// Events and IRQ lines are attributed to the step that caused them with barriers, never sleeps: QEMU's
// main loop is single-threaded and writes both sockets synchronously, so once a step's reply is in, a
// cheap request on each channel (qtest `endianness`, QMP `query-status`) flushes everything the step caused.

import * as fs from 'node:fs';
import type { QmpEvent } from '../../engine/effects';
import type { Backend, QmpCommand, StartOptions, StartResult, StepResult } from '../types';
import { ScenarioError } from '../types';
import { describeExit, firstErrorLine, QemuProcess, qemuAvailable, qemuInstall } from './process';
import { DEFAULT_QEMU_VERSION, type QemuVersion } from '../../engine/versions';
import { QmpClient } from './qmp-client';
import { QtestClient } from './qtest-client';
import { checkHmp, checkMachine, checkQmp, checkQtest, type Verdict } from '../../engine/protocol/allowlist';

export { qemuAvailable, kvmAvailable, livePids, QEMU_NOT_FOUND, qemuInstall, qemuEnvVar } from './process';
export { qtestLineProblem } from './qtest-client';

export interface QemuBackendOptions {
  /** Per-request time-out (QMP command, qtest line, barrier), default 10 s. */
  readonly timeoutMs?: number;
  /** Time-out for QEMU to come up (sockets + QMP greeting), default 10 s. */
  readonly startTimeoutMs?: number;
  /** The QEMU release to run when start() does not say (default 7.2). */
  readonly qemuVersion?: QemuVersion;
  /**
   * Trace-event patterns (`-trace enable=PATTERN`, log backend, `-D` in the private dir): each step then
   * reports the log lines written while it ran (start-up excluded) in `traceEvents`.
   */
  readonly traceEvents?: readonly string[];
  /**
   * Raw access: send QMP commands, HMP lines, qtest commands and machine options the model does not model
   * (default: the environment variable HOTPLUG_SCENARIOS_RAW_QEMU=1). Off, they are refused before QEMU
   * sees them, since a scenario could otherwise run host commands through QEMU (`migrate` to `exec:`).
   */
  readonly raw?: boolean;
}

/** The opt-in for raw access to QEMU, as documented in the README. */
export const RAW_QEMU_ENV = 'HOTPLUG_SCENARIOS_RAW_QEMU';
export const rawQemuFromEnv = (): boolean => process.env[RAW_QEMU_ENV] === '1';

/** The refusal of a request outside the allowlist (a ScenarioError: exit code 2, no stack trace). */
export function notAllowed(what: string): ScenarioError {
  return new ScenarioError(`not modelled: ${what}; refused before QEMU sees it (raw access to QEMU: --raw-qemu or ${RAW_QEMU_ENV}=1)`);
}

/** The log backend's optional `PID@SECONDS.MICROS:` prefix (`-msg timestamp=on`), stripped from lines. */
const LOG_PREFIX = /^\d+@\d+\.\d+:/;

export class QemuBackend implements Backend {
  readonly name = 'qemu' as const;
  private proc: QemuProcess | undefined;
  private qmpClient: QmpClient | undefined;
  private qtestClient: QtestClient | undefined;
  private readonly timeoutMs: number;
  private readonly startTimeoutMs: number;
  private failure: Error | undefined;
  private readonly traceEvents?: readonly string[];
  /** Bytes of the trace log already attributed to earlier steps (or start-up). */
  private traceOffset = 0;
  private traceFd: number | undefined;
  /** The release start() runs unless told otherwise. */
  readonly qemuVersion: QemuVersion;
  private readonly raw: boolean;
  private qomTypes = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(options: QemuBackendOptions = {}) {
    this.qemuVersion = options.qemuVersion ?? DEFAULT_QEMU_VERSION;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.traceEvents = options.traceEvents;
    this.raw = options.raw ?? rawQemuFromEnv();
  }

  /** PID of the running QEMU, if any. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The accelerator in use (`-accel kvm` without /dev/kvm is refused, never run as TCG). */
  get accel(): 'tcg' | 'kvm' | undefined {
    return this.proc?.accel;
  }

  /** The private temp dir holding QEMU's sockets (removed when QEMU is gone). */
  get tempDir(): string | undefined {
    return this.proc?.dir;
  }

  /** QEMU's stderr so far. */
  get stderr(): string {
    return this.proc?.stderr ?? '';
  }

  /** The release of the running QEMU (or the default one before start). */
  get version(): QemuVersion {
    return this.proc?.version ?? this.qemuVersion;
  }

  async start(machine: string, options: StartOptions = {}): Promise<StartResult> {
    if (this.proc) throw new ScenarioError('qemu backend: start() called twice; close() first');
    const version = options.qemuVersion ?? this.qemuVersion;
    if (!this.raw) {
      const v = checkMachine(machine, version);
      if (v.ok !== true) throw notAllowed(v.what);
    }
    if (!qemuAvailable(version)) throw new ScenarioError(qemuInstall(version).notFound);
    this.failure = undefined;
    this.qomTypes = new Map();
    const proc = await QemuProcess.spawn(machine, version, this.traceEvents);
    this.proc = proc;
    try {
      if (!(await proc.waitForSockets(this.startTimeoutMs))) return await this.startupFailure(proc);
      const onClose = () => this.deathError();
      try {
        this.qmpClient = await QmpClient.connect(proc.qmpPath, this.startTimeoutMs, onClose, this.timeoutMs);
      } catch (e) {
        // QEMU refuses most bad command lines after creating its sockets: the greeting never comes.
        const exited = await Promise.race([proc.exited.then(() => true), delay(this.startTimeoutMs).then(() => false)]);
        if (exited) return await this.startupFailure(proc);
        throw e;
      }
      this.qtestClient = await QtestClient.connect(proc.qtestPath, this.startTimeoutMs, onClose, this.timeoutMs);
      if (this.traceEvents) {
        // Start-up's lines (device resets, the PIT) are not part of any step.
        await this.barriers();
        this.traceFd = fs.openSync(proc.traceLogPath, 'r');
        this.traceOffset = fs.fstatSync(this.traceFd).size;
      }
      return { ok: true };
    } catch (e) {
      const err = this.withStderr(e as Error);
      await this.close();
      throw err;
    }
  }

  async qmp(command: QmpCommand): Promise<StepResult> {
    if (!command || typeof command.execute !== 'string') throw new ScenarioError('a qmp step needs `execute`');
    const { qmp, qtest } = this.running();
    await this.allow(checkQmp(command));
    return this.guard(async () => {
      const reply = await qmp.execute(command);
      if (command.execute === 'quit' && 'return' in reply) {
        await Promise.race([this.proc!.exited, delay(this.timeoutMs)]);
        return this.result(reply, qmp.takeEvents(), qtest.takeIrqs());
      }
      await this.barriers();
      return this.result(reply, qmp.takeEvents(), qtest.takeIrqs());
    });
  }

  async qtest(line: string): Promise<StepResult> {
    const { qmp, qtest } = this.running();
    if (typeof line === 'string') await this.allow(checkQtest(line));
    // Validation errors (ScenarioError) leave QEMU running: the line was never sent.
    const response = await qtest.request(line).catch((e: Error) => {
      if (e instanceof ScenarioError) throw e;
      return this.guard(() => Promise.reject(e));
    });
    return this.guard(async () => {
      await this.barriers();
      return this.result(response, qmp.takeEvents(), qtest.takeIrqs());
    });
  }

  async hmp(commandLine: string): Promise<StepResult> {
    if (typeof commandLine !== 'string') throw new ScenarioError('an hmp step must be a string');
    const { qmp, qtest } = this.running();
    await this.allow(checkHmp(commandLine));
    return this.guard(async () => {
      const reply = await qmp.execute({ execute: 'human-monitor-command', arguments: { 'command-line': commandLine } });
      await this.barriers();
      const text = 'return' in reply ? reply.return : reply;
      return this.result(text, qmp.takeEvents(), qtest.takeIrqs());
    });
  }

  async close(): Promise<void> {
    if (this.traceFd !== undefined) {
      fs.closeSync(this.traceFd);
      this.traceFd = undefined;
    }
    this.qmpClient?.close();
    this.qtestClient?.close();
    this.qmpClient = undefined;
    this.qtestClient = undefined;
    const proc = this.proc;
    this.proc = undefined;
    if (proc) await proc.kill();
  }

  // -------------------------------------------------------------------------------------------------

  private result(reply: unknown, events: QmpEvent[], irqs: string[]): StepResult {
    return this.traceEvents ? { reply, events, irqs, traceEvents: this.takeTraceLines() } : { reply, events, irqs };
  }

  /**
   * The trace log's complete lines written since the last call. QEMU's log backend flushes every line and
   * runs in the main loop, so after the barriers the step's lines are all in the file.
   */
  private takeTraceLines(): string[] {
    if (this.traceFd === undefined) return [];
    const size = fs.fstatSync(this.traceFd).size;
    if (size <= this.traceOffset) return [];
    const buf = Buffer.alloc(size - this.traceOffset);
    fs.readSync(this.traceFd, buf, 0, buf.length, this.traceOffset);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n') + 1;
    this.traceOffset += Buffer.byteLength(text.slice(0, end));
    return text.slice(0, end).split('\n').filter((l) => l !== '').map((l) => l.replace(LOG_PREFIX, ''));
  }

  /** Refuse what the model does not model, unless raw access was asked for. */
  private async allow(v: Verdict): Promise<void> {
    if (this.raw || v.ok === true) return;
    if (v.ok === false) throw notAllowed(v.what);
    const types = await this.qemuTypes(v.implements);
    if (types.has(v.name)) throw notAllowed(v.what);
  }

  /** QEMU's QOM type names implementing an interface (qom-list-types, asked once per machine). */
  private qemuTypes(implementsType: string): Promise<ReadonlySet<string>> {
    let p = this.qomTypes.get(implementsType);
    if (!p) {
      const { qmp } = this.running();
      p = this.guard(async () => {
        const r = await qmp.execute({ execute: 'qom-list-types', arguments: { implements: implementsType, abstract: true } });
        if (!('return' in r) || !Array.isArray(r.return)) throw new Error(`qom-list-types failed: ${JSON.stringify(r)}`);
        return new Set((r.return as { name: string }[]).map((t) => t.name));
      });
      this.qomTypes.set(implementsType, p);
    }
    return p;
  }

  /** One request on each channel, issued after the step's reply: flushes its events and IRQ lines. */
  private async barriers(): Promise<void> {
    const { qmp, qtest } = this.running();
    const [status] = await Promise.all([qmp.execute({ execute: 'query-status' }), qtest.request('endianness')]);
    if ('error' in status) throw new Error(`QMP barrier failed: ${status.error.desc}`);
  }

  private running(): { qmp: QmpClient; qtest: QtestClient } {
    if (this.failure) throw this.failure;
    if (!this.proc || !this.qmpClient || !this.qtestClient) throw new ScenarioError('qemu backend: not started');
    if (!this.proc.alive) throw this.deathError();
    return { qmp: this.qmpClient, qtest: this.qtestClient };
  }

  /** Run a step; on any failure (time-out, QEMU died) kill QEMU and throw a clear error with its stderr. */
  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof ScenarioError) throw e;
      const proc = this.proc;
      // Give a dying QEMU a moment to finish so its exit status and last words are known.
      if (proc) await Promise.race([proc.exited, delay(2000)]);
      const err = proc && !proc.alive ? this.deathError() : this.withStderr(e as Error);
      this.failure = err;
      await this.close();
      throw err;
    }
  }

  private deathError(): Error {
    const proc = this.proc;
    if (!proc) return new Error('QEMU is not running');
    const status = proc.status ? describeExit(proc.status) : 'still running';
    return new Error(`QEMU (pid ${proc.pid}) died: ${status}; stderr: ${proc.stderr.trim() || '(empty)'}`);
  }

  private withStderr(e: Error): Error {
    const stderr = this.proc?.stderr.trim();
    if (!stderr || e.message.includes(stderr)) return e;
    const err = new Error(`${e.message}; QEMU stderr: ${stderr}`);
    err.name = e.name;
    return err;
  }

  private async startupFailure(proc: QemuProcess): Promise<StartResult> {
    const status = await proc.exited;
    this.proc = undefined;
    const line = firstErrorLine(proc.stderr);
    if (status.code === 1 && line) return { ok: false, error: line };
    throw new Error(`QEMU (pid ${proc.pid}) failed to start: ${describeExit(status)}; stderr: ${proc.stderr.trim() || '(empty)'}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
