// The diff backend: every request goes to the model and to a real QEMU; the first step where their answers
// differ (reply, events, IRQ lines or trace events; `info mtree -f` by its AS "memory" block) fails with a readable diff.
// Scenarios then assert on the model's answers, so one run checks the scenario and the model together.

import type { Backend, QmpCommand, StartOptions, StartResult, StepResult } from '../types';
import { ModelBackend } from '../model';
import { QemuBackend, type QemuBackendOptions } from '../qemu';
import { compareTranscripts, formatDifferences } from '../../transcript/compare';
import type { MachineState } from '../../engine/state';
import { stepOutcome } from '../../transcript/replay-format';

export class DivergenceError extends Error {
  constructor(readonly request: string, readonly diffText: string) {
    super(`model and QEMU disagree on ${request} (- QEMU, + model):\n${diffText}`);
  }
}

type Kind = 'qmp' | 'qtest' | 'hmp';

export interface DiffBackendOptions {
  /** Trace-event patterns both sides report and the comparison includes (undefined: none). */
  readonly traceEvents?: readonly string[];
}

export class DiffBackend implements Backend {
  readonly name = 'diff' as const;
  readonly libvirtDefaultDevices = true;
  readonly model: ModelBackend;
  readonly qemu: QemuBackend;
  /** Steps compared so far, for reports. */
  compared = 0;

  constructor(options: DiffBackendOptions & QemuBackendOptions = {}) {
    this.model = new ModelBackend({ qemuVersion: options.qemuVersion, traceEvents: options.traceEvents });
    this.qemu = new QemuBackend(options);
  }

  get state(): MachineState {
    return this.model.state;
  }

  async start(machine: string, options: StartOptions = {}): Promise<StartResult> {
    const [q, m] = [await this.qemu.start(machine, options), await this.model.start(machine, options)];
    const diffs = compareTranscripts({ startup: q }, { startup: m });
    if (diffs.length) throw new DivergenceError(`start-up with '${machine}'`, formatDifferences(diffs));
    return m;
  }

  private async both(kind: Kind, request: unknown, run: (b: Backend) => Promise<StepResult>): Promise<StepResult> {
    const q = await run(this.qemu);
    const m = await run(this.model);
    const step = (r: StepResult) => ({ [kind]: request, ...stepOutcome(r) });
    const diffs = compareTranscripts({ steps: [step(q)] }, { steps: [step(m)] });
    this.compared++;
    if (diffs.length) throw new DivergenceError(typeof request === 'string' ? request : JSON.stringify(request, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)), formatDifferences(diffs));
    return m;
  }

  qmp(command: QmpCommand): Promise<StepResult> {
    return this.both('qmp', command, (b) => b.qmp(command));
  }

  qtest(line: string): Promise<StepResult> {
    return this.both('qtest', line, (b) => b.qtest(line));
  }

  hmp(commandLine: string): Promise<StepResult> {
    return this.both('hmp', commandLine, (b) => b.hmp(commandLine));
  }

  async close(): Promise<void> {
    await Promise.all([this.model.close(), this.qemu.close()]);
  }
}
