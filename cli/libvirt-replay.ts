// Replay of `domain:` scenarios: libvirt (the LibvirtDomain layer) on top of any Backend. Produces the
// transcript format of the libvirt issue, key order as in shared/examples/libvirt/seed-replay.libvirt.json:
//   {domain, startup, steps: [{attach|detach: <as given>, reply: {ok}|{error}, qmp, events, irqs},
//                             {qtest, reply, qmp, events, irqs}, {qmp, reply, events, irqs}, {hmp, reply, qmp, events, irqs}]}

import { ScenarioError, type Backend, type QmpCommand } from '../backends/types';
import type { TraceEntry } from '../engine/effects';
import { LibvirtDomain, type LibvirtDomainOptions } from '../libvirt/domain-object';
import { atStep, type ReplayScenario } from '../transcript/replay-format';

export interface LibvirtTranscript {
  readonly domain: string;
  readonly startup: { readonly ok: true } | { readonly ok: false; readonly error: string };
  readonly steps: readonly Record<string, unknown>[];
}

/** A libvirt transcript and each step's causal trace (libvirt's functions, QEMU's below them), for `--trace`. */
export interface LibvirtReplay {
  readonly transcript: LibvirtTranscript;
  readonly traces: readonly (readonly TraceEntry[])[];
}

function detachArg(v: unknown, where: string): { xml: string; guestEjects: boolean } {
  if (typeof v === 'string') return { xml: v, guestEjects: false };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort().join(',');
    if (keys === 'guest,xml' && typeof o.xml === 'string' && o.guest === 'eject') return { xml: o.xml, guestEjects: true };
  }
  throw new ScenarioError('detach must be an XML string or {xml: XML, guest: eject}', where);
}

export async function runLibvirtReplay(backend: Backend, scenario: ReplayScenario, options: LibvirtDomainOptions = {}): Promise<LibvirtTranscript> {
  return (await runLibvirtReplayTraced(backend, scenario, options)).transcript;
}

/** runLibvirtReplay with each step's causal trace (`replay --trace`). */
export async function runLibvirtReplayTraced(backend: Backend, scenario: ReplayScenario, options: LibvirtDomainOptions = {}): Promise<LibvirtReplay> {
  const file = scenario.file ?? '<scenario>';
  if (typeof scenario.domain !== 'string') throw new ScenarioError('`domain` must be a libvirt domain XML string', file);
  const domain = scenario.domain;
  // the scenario's own `libvirt-version:` wins over the command line's
  const dom = new LibvirtDomain(backend, { ...options, ...(scenario.libvirtVersion !== undefined ? { libvirt: scenario.libvirtVersion } : {}) });
  try {
    const startup = await atStep(`${file}: domain`, () => dom.defineAndStart(domain));
    if (!startup.ok) return { transcript: { domain, startup, steps: [] }, traces: [] };
    const steps: Record<string, unknown>[] = [];
    const traces: (readonly TraceEntry[])[] = [];
    for (const [n, step] of scenario.steps.entries()) {
      const where = `${file}: step ${n}`;
      const s = step as Record<string, unknown>;
      await atStep(where, async () => {
        if ('attach' in s) {
          if (typeof s.attach !== 'string') throw new ScenarioError('attach must be an XML string', where);
          const r = await dom.attach(s.attach, `step${n}.xml`);
          steps.push({ attach: s.attach, reply: r.reply, qmp: r.qmp, events: r.events, irqs: r.irqs });
          traces.push(r.trace);
        } else if ('detach' in s) {
          const { xml, guestEjects } = detachArg(s.detach, where);
          const r = await dom.detach(xml, { guestEjects }, `step${n}.xml`);
          steps.push({ detach: s.detach, reply: r.reply, qmp: r.qmp, events: r.events, irqs: r.irqs });
          traces.push(r.trace);
        } else if ('qtest' in s) {
          const r = await dom.qtest(s.qtest as string);
          steps.push({ qtest: s.qtest, reply: r.reply, qmp: r.qmp, events: r.events, irqs: r.irqs });
          traces.push(r.trace);
        } else if ('hmp' in s) {
          const r = await dom.hmp(s.hmp as string);
          steps.push({ hmp: s.hmp, reply: r.reply, qmp: r.qmp, events: r.events, irqs: r.irqs });
          traces.push(r.trace);
        } else if ('qmp' in s) {
          // virsh qemu-monitor-command: the command is libvirt's only traffic (the recorder checks it), so a
          // qmp step has no separate "qmp" list.
          const r = await dom.qmp(s.qmp as QmpCommand);
          steps.push({ qmp: s.qmp, reply: stripId(r.reply), events: r.events, irqs: r.irqs });
          traces.push(r.trace);
        } else {
          throw new ScenarioError(`unknown step kind '${Object.keys(s)[0]}' (attach, detach, qmp, qtest, hmp)`, where);
        }
      });
    }
    return { transcript: { domain, startup, steps }, traces };
  } finally {
    await dom.close();
  }
}

function stripId(reply: unknown): unknown {
  if (typeof reply !== 'object' || reply === null || !('id' in reply)) return reply;
  const { id: _id, ...rest } = reply as Record<string, unknown>;
  return rest;
}
