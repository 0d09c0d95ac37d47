// One replay scenario on one backend: a QEMU scenario step by step (runReplay), a libvirt one through the
// libvirt layer; with each step's causal trace kept for `--trace`.

import type { Backend, StartOptions, StepResult } from '../backends/types';
import type { TraceEntry } from '../engine/effects';
import { runReplay, type ReplayScenario, type Transcript } from '../transcript/replay-format';

/** Wraps a backend to keep each step's trace, in order, for `--trace`. */
export class TraceRecorder implements Backend {
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

export interface RunOptions {
  /** libvirt version of `domain` scenarios without their own `libvirt-version:` key (default: the QEMU version's pair, 9.0). */
  readonly libvirtVersion?: string;
  /** QEMU version given explicitly (`--qemu-version`); libvirt scenarios otherwise run on their libvirt's pair. */
  readonly qemuVersion?: string;
}

export async function runScenario(scenario: ReplayScenario, backend: Backend, options: RunOptions = {}): Promise<{ transcript: Transcript; traces: TraceRecorder['traces'] }> {
  if (scenario.domain !== undefined) {
    const { runLibvirtReplayTraced } = await import('./libvirt-replay');
    // the QEMU of a libvirt scenario: its own qemu-version: key, else --qemu-version, else its libvirt's pair
    const qemu = scenario.qemuVersion ?? options.qemuVersion;
    const libvirt = {
      ...(options.libvirtVersion !== undefined ? { libvirt: options.libvirtVersion } : {}),
      ...(qemu !== undefined ? { qemu } : {}),
    };
    // each step's trace: libvirt's functions, the QEMU trace of every command below the call that sent it
    const { transcript, traces } = await runLibvirtReplayTraced(backend, scenario, libvirt);
    return { transcript: transcript as unknown as Transcript, traces: [...traces] };
  }
  const rec = new TraceRecorder(backend);
  return { transcript: await runReplay(rec, scenario), traces: rec.traces };
}

