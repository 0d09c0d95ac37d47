// The libvirt side of a scenario: one LibvirtDomain per world (held in a WeakMap, so world.ts stays
// unaware of libvirt), on the world's backend (model, real QEMU or both in lockstep).
//
// - Every QMP command libvirt sends and every guest qtest line of the recorder's guest stand-in is recorded
//   in the world's history as an ordinary exchange, so events, IRQ lines and the report timeline work as for
//   any other step; the commands libvirt sent in the current action are also kept for "libvirt sent ...".
// - Once the domain runs, the world's backend is swapped for a view that sends the scenario's own QMP,
//   qtest and HMP through the domain (`virsh qemu-monitor-command`, the qtest socket beside libvirt), so
//   libvirt reacts to what they cause (a guest eject → DEVICE_DELETED → object-del + query-balloon).
// - A virsh refusal (define, start, attach, detach) goes through the world's error rule: it fails a Given
//   step, and after a When it must be claimed by `Then it fails with ...` or `Then virsh fails with:`.

import type * as messages from '@cucumber/messages';
import { skipChecks } from './hooks';
import { LibvirtDomain, domainXml, type OperationResult, type VirshOutput } from '../libvirt';
import type { MonitorExchanges } from '../libvirt/domain-object';
import type { DomainDef } from '../libvirt/domain-def';
import { libvirtForQemu, libvirtVersion } from '../libvirt/versions';
import type { Backend, QmpCommand, StartResult, StepResult } from '../backends/types';
import type { TraceEntry } from '../engine/effects';
import { fingerprintFlow } from './snapshot';
import type { Flow } from './flow';
import type { HotplugWorld } from './world';
import { repoPath } from '../paths';
import { FileRefusal, MiB, readSuiteFile } from '../files';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where `a domain defined by the file "x.xml"` and `I attach the device file "x.xml"` look. */
export const DOMAIN_DIR = repoPath('features', 'domains');

export interface VirshRun {
  /** e.g. `virsh attach-device hp-pc dimm-seed.xml --live` (for messages and the report). */
  readonly command: string;
  readonly output: VirshOutput;
}

export class LibvirtScenario {
  domain?: LibvirtDomain;
  /** The backend the domain talks to (the world's backend before the swap). */
  raw?: Backend;
  /** Off while a pass-through runs: the world records that exchange itself. */
  recording = true;
  /** QMP libvirt sent during the current action (attach, detach, reactions to pass-through traffic). */
  actionQmp: QmpCommand[] = [];
  /** virsh commands of the current action, in order. */
  actionVirsh: VirshRun[] = [];
  /** The live definition before the first libvirt operation of the current action (immutable; its XML is made when read). */
  liveDefBefore?: DomainDef;

  /** The live XML before the first libvirt operation of the current action. */
  get liveXmlBefore(): string | undefined {
    return this.liveDefBefore === undefined ? undefined : domainXml(this.liveDefBefore, true);
  }
  /**
   * The causal trace of the current action's virsh operations: libvirt's functions with the QEMU trace of
   * each command it sent below the call that sent it (what `the trace ...` steps read for them).
   */
  get actionTrace(): TraceEntry[] {
    return this.actionOperations.flatMap((r) => r.trace);
  }
  /** The current action's virsh operations (their traces are made when read). */
  actionOperations: OperationResult[] = [];
  /** The domain's name once defined. */
  name = '';
  /** `Given libvirt 11.3 on QEMU 10.0`: this scenario's versions, over the world parameter. */
  version?: string;

  /** A new action step begins. */
  resetAction(): void {
    this.actionQmp = [];
    this.actionVirsh = [];
    this.actionOperations = [];
    this.liveDefBefore = undefined;
  }

  get lastVirsh(): VirshRun | undefined {
    return this.actionVirsh[this.actionVirsh.length - 1];
  }
}

const scenarios = new WeakMap<HotplugWorld, LibvirtScenario>();

/** The libvirt state of this world (created on first use). */
export function libvirt(world: HotplugWorld): LibvirtScenario {
  let s = scenarios.get(world);
  if (!s) {
    s = new LibvirtScenario();
    scenarios.set(world, s);
  }
  return s;
}

/** The libvirt state of this world if it has any (not created). */
export function libvirtState(world: HotplugWorld): LibvirtScenario | undefined {
  return scenarios.get(world);
}

/** The causal trace of the current action's virsh operations, or undefined when it had none. */
export function libvirtActionTrace(world: HotplugWorld): readonly TraceEntry[] | undefined {
  const s = scenarios.get(world);
  return s && s.actionVirsh.length > 0 ? s.actionTrace : undefined;
}

/** The running domain, or a clear error naming the step to add. */
export function requireDomain(world: HotplugWorld): LibvirtDomain {
  const s = scenarios.get(world);
  if (!s?.domain) throw new Error('no libvirt domain: define one first, e.g. Given a domain defined by the file "pc.xml"');
  if (!s.domain.live) {
    throw new Error(world.startError !== undefined || world.pending ? 'the domain did not start (see the refusal above)' : 'the domain is not running');
  }
  return s.domain;
}

/** A domain or device XML file: features/domains/ of the project running the features, then the bundled ones. */
export function readDomainFile(world: HotplugWorld, name: string): string {
  try {
    // The project's own features/domains/ first (a project using this package as a dependency), then the bundled ones.
    const own = path.resolve('features', 'domains');
    const dir = fs.existsSync(path.join(own, name)) ? own : DOMAIN_DIR;
    // virsh reads XML files of up to 10 MiB (VSH_MAX_XML_FILE).
    return readSuiteFile(dir, name, 10 * MiB, 'features/domains/');
  } catch (e) {
    if (!(e instanceof FileRefusal)) throw e;
    throw new Error(`${world.uri}${world.stepLocation ? ':' + world.stepLocation.line : ''}: ${e.message}`);
  }
}

/** The text after virsh's `error: Failed to <verb> ...` line, without the first `error: ` (what `it fails with` compares). */
export function refusalText(out: VirshOutput): string {
  const rest = out.lines.slice(1);
  return rest.join('\n').replace(/^error: /, '');
}

/** The lines the transcripts record for a refusal (the `Failed to ...` line left out, except for start). */
export function transcriptError(out: VirshOutput): string | undefined {
  return 'error' in out.reply ? out.reply.error : undefined;
}

function noteVirsh(world: HotplugWorld, s: LibvirtScenario, command: string, output: VirshOutput): void {
  s.actionVirsh.push({ command, output });
  world.log(`$ ${command}\n${output.lines.join('\n')}\n[exit ${output.exitCode}]`);
  if (output.exitCode !== 0) {
    // A QEMU start-up failure under libvirt was already noted by world.start; virsh's message replaces it.
    if (world.pending && !world.pending.checked && world.pending.where === 'start-up') world.pending = undefined;
    world.noteError(command, undefined, refusalText(output));
  }
}

/**
 * The backend LibvirtDomain sees: the world's backend, each exchange recorded in the world's history; and, on the
 * model, its qmp/qtest/hmp at once (LibvirtDomainOptions.exchanges), recorded the same way.
 */
function recordingBackend(world: HotplugWorld, s: LibvirtScenario, raw: Backend): { view: Backend; exchanges?: MonitorExchanges } {
  // The model's answers at once (the world's, Backend.immediate: the very results its promises resolve to):
  // LibvirtDomain takes them as they are; the async methods hand them over as a settled promise.
  const now = world.backend === raw ? world.immediate() : undefined;
  const exchanges: MonitorExchanges | undefined = now && {
    qmp: (cmd: QmpCommand) => recorded('qmp', cmd, now.qmp(cmd)),
    qtest: (line: string) => recorded('qtest', line, now.qtest(line)),
    hmp: (line: string) => recorded('hmp', line, now.hmp(line)),
  };
  const recorded = (kind: 'qmp' | 'qtest' | 'hmp', input: QmpCommand | string, r: StepResult): StepResult => {
    if (s.recording) world.record(kind, input, r, false);
    return r;
  };
  const rec = (kind: 'qmp' | 'qtest' | 'hmp', input: QmpCommand | string, run: () => Promise<StepResult>, at?: () => StepResult): Promise<StepResult> => {
    if (at === undefined) return recAsync(kind, input, run);
    try {
      return Promise.resolve(at());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const recAsync = async (kind: 'qmp' | 'qtest' | 'hmp', input: QmpCommand | string, run: () => Promise<StepResult>): Promise<StepResult> => {
    const r = await run();
    if (s.recording) world.record(kind, input, r, false);
    return r;
  };
  const view = {
    name: raw.name,
    libvirtDefaultDevices: (raw as { libvirtDefaultDevices?: boolean }).libvirtDefaultDevices,
    // The world starts the machine: machine type, history, IRQ intercept, the report's "before" snapshot.
    async start(options: string): Promise<StartResult> {
      await world.start(options);
      return world.started ? { ok: true } : { ok: false, error: world.startError ?? 'QEMU did not start' };
    },
    qmp: (cmd: QmpCommand) => rec('qmp', cmd, () => raw.qmp(cmd), exchanges && (() => exchanges.qmp(cmd))),
    qtest: (line: string) => rec('qtest', line, () => raw.qtest(line), exchanges && (() => exchanges.qtest(line))),
    hmp: (line: string) => rec('hmp', line, () => raw.hmp(line), exchanges && (() => exchanges.hmp(line))),
    close: () => raw.close(),
  };
  return { view: view as Backend, ...(exchanges ? { exchanges } : {}) };
}

/** The world's backend once the domain runs: the scenario's own commands go through libvirt. */
function throughDomain(s: LibvirtScenario, dom: LibvirtDomain, raw: Backend): Backend {
  const pass = async (run: () => ReturnType<LibvirtDomain['qmp']>): Promise<StepResult> => {
    s.recording = false;
    try {
      const r = await run();
      s.actionQmp.push(...r.qmp);
      return { reply: r.reply, events: r.events, irqs: r.irqs, get trace() { return r.trace; } };
    } finally {
      s.recording = true;
    }
  };
  return new Proxy(raw, {
    get(target, prop) {
      if (prop === 'qmp') return (cmd: QmpCommand) => pass(() => dom.qmp(cmd));
      if (prop === 'qtest') return (line: string) => pass(() => dom.qtest(line));
      if (prop === 'hmp') return (line: string) => pass(() => dom.hmp(line));
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** The libvirt version of this run (world parameter `libvirtVersion`, e.g. `-p libvirt-11.3`). */
export function worldLibvirtVersion(world: HotplugWorld): { libvirt?: string; qemu?: string } {
  const chosen = scenarios.get(world)?.version;
  if (chosen !== undefined) return { libvirt: chosen };
  const v = world.parameters.libvirtVersion;
  const q = world.parameters.qemuVersion;
  return { ...(v !== undefined ? { libvirt: v } : {}), ...(q !== undefined ? { qemu: q } : {}) };
}

/** `virsh define FILE` + `virsh start --paused NAME` on the world's backend. */
export async function defineAndStart(world: HotplugWorld, xml: string, file: string): Promise<void> {
  const s = libvirt(world);
  if (s.domain) throw new Error('a scenario defines one domain');
  const raw = world.getBackend();
  s.raw = raw;
  const { view, exchanges } = recordingBackend(world, s, raw);
  const dom = new LibvirtDomain(view, { ...worldLibvirtVersion(world), ...(exchanges ? { exchanges } : {}) });
  s.domain = dom;
  const defined = dom.define(xml, file);
  const name = dom.persistent?.name ?? '';
  s.name = name;
  noteVirsh(world, s, `virsh define ${file}`, defined);
  if (defined.exitCode !== 0) return;
  const started = await dom.start();
  if (world.skipReason) return; // the backend cannot run this domain here: the step skips the scenario
  noteVirsh(world, s, `virsh start --paused ${name}`, started);
  if (started.exitCode !== 0) return;
  world.backend = throughDomain(s, dom, raw);
}

function* beforeOperation(world: HotplugWorld, s: LibvirtScenario, dom: LibvirtDomain): Flow<void> {
  if (s.liveDefBefore === undefined) s.liveDefBefore = dom.live;
  if (world.needsFingerprint && world.currentType !== 'Outcome') world.fingerprintBefore = yield* fingerprintFlow(world);
}

function afterOperation(world: HotplugWorld, s: LibvirtScenario, command: string, r: OperationResult): void {
  s.actionQmp.push(...r.qmp);
  s.actionOperations.push(r);
  noteVirsh(world, s, command, r.virsh);
}

/** `virsh attach-device NAME FILE --live` (a step body: steps/flow.ts). */
export function* attach(world: HotplugWorld, xml: string, file = 'device.xml'): Flow<void> {
  const dom = requireDomain(world);
  const s = libvirt(world);
  yield* beforeOperation(world, s, dom);
  const r = yield* dom.attachFlow(xml, file);
  afterOperation(world, s, `virsh attach-device ${s.name} ${file} --live`, r);
}

/** `virsh detach-device NAME FILE --live`; `guestEjects`: the guest stand-in ejects while libvirt waits. */
export function* detach(world: HotplugWorld, xml: string, guestEjects: boolean, file = 'device.xml'): Flow<void> {
  const dom = requireDomain(world);
  const s = libvirt(world);
  yield* beforeOperation(world, s, dom);
  const r = yield* dom.detachFlow(xml, { guestEjects }, file);
  afterOperation(world, s, `virsh detach-device ${s.name} ${file} --live`, r);
}

// Version-specific scenarios: `@libvirt-9.0` / `@libvirt-11.3` run only on that libvirt version (the
// world parameter libvirtVersion, else the qemuVersion's pair, 9.0 by default); elsewhere they are skipped.
// Asked by steps/hooks.ts's Before hook after the scenario's set-up (it was a Before hook of its own, run then).
skipChecks.push(function libvirtVersionCheck(world: HotplugWorld, pickle: messages.Pickle): 'skipped' | undefined {
  const wanted = pickle.tags.map((t) => /^@libvirt-(\d+\.\d+)$/.exec(t.name)?.[1]).filter((v): v is string => v !== undefined);
  if (wanted.length === 0) return undefined;
  const p = world.parameters;
  const running = (p.libvirtVersion !== undefined ? libvirtVersion(p.libvirtVersion) : libvirtForQemu(p.qemuVersion)).name;
  return wanted.includes(running) ? undefined : 'skipped';
});
