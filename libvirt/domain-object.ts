// LibvirtDomain: a libvirt-like management layer over any Backend (the model or real QEMU). It owns the
// domain definition and the live definition, and for each operation returns what virsh printed, the QMP
// libvirt sent (in order, without ids) and the events / IRQ lines the backend reported. All decisions come
// from the pure modules (domain.ts, hotplug.ts); this file only sends what they say and threads the state.
//
// Time is not modelled: libvirt's 5 s unplug wait is "did the guest eject while libvirt waited?", given
// by the caller (`guestEjects`). The guest stand-in is the recorder's (record-libvirt-replay.py): after a
// successful device_del it looks up the DIMM's slot, then over qtest `outl 0xa00 S`, `inb 0xa14` (the
// remove request, bit 2, must be set), `outb 0xa14 0x4` (clear it), `outb 0xa14 0x8` (eject). None of
// the guest's traffic is libvirt's, so none of it is in `qmp`; its events and IRQ lines are.

import type { QmpEvent, TraceEntry } from '../engine/effects';
import { ScenarioError, type Backend, type ImmediateSteps, type QmpCommand, type StepResult } from '../backends/types';
import { call, drive, type Flow } from '../flow';
import { LE, type LibvirtError } from './errors';
import { defineDomain, startDomain, type DefineOptions, type DomainDef } from './domain';
import {
  checkAttach, insertMemory, objectDel, parseDetach, planAttachMemory, planDetachMemory, QOM_LIST_PERIPHERAL,
  QUERY_BALLOON, QUERY_MEMORY_DEVICES, refreshFromQuery, removeMemory, type AttachPlan, type DetachPlan, type Planned,
} from './hotplug';
import type { MemoryDeviceDef } from './device';
import { domainXml } from './livexml';
import { ATTACHED, DETACHED, virshFailure, virshSuccess, type VirshOutput, type VirshReply } from './virsh';

export interface OperationResult {
  readonly virsh: VirshOutput;
  /** The transcript reply: `{ok: line}` or `{error: lines}`. */
  readonly reply: VirshReply;
  /** QMP commands libvirt sent, in order, without ids. */
  readonly qmp: readonly QmpCommand[];
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
  /**
   * The causal path: libvirt's functions (virDomainAttachDeviceFlags → ... → qemuMonitorAddObject), each
   * QMP command's own trace from the backend (the model's) one level below the qemuMonitor* call that sent it.
   */
  readonly trace: readonly TraceEntry[];
}

/** A step passed to QEMU beside libvirt (qmp / qtest / hmp) and libvirt's reaction to its events. */
export interface PassThroughResult {
  readonly reply: unknown;
  readonly qmp: readonly QmpCommand[];
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
  /** QEMU's trace of the step, then libvirt's reactions (processDeviceDeletedEvent ...). */
  readonly trace: readonly TraceEntry[];
}

export type StartupResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface LibvirtDomainOptions extends DefineOptions {
  /**
   * Start QEMU with libvirt's default devices that show in its QMP (balloon0, usb, q35 root ports).
   * Default: on for the real QEMU backend, and on any backend that declares
   * `libvirtDefaultDevices = true` (the model, once it understands those `-device` options).
   */
  readonly defaultDevices?: boolean;
  /**
   * The backend's qmp/qtest/hmp answered at once: the very results its promises resolve to (a recording view of the
   * model: steps/libvirt-world.ts). Default: the backend's own Backend.immediate, if any. Attach, detach and the
   * pass-through then make no promise until the public async method hands its result over (the *Flow bodies none).
   */
  readonly exchanges?: MonitorExchanges;
  /** Read each answer's trace as it comes, not when the operation's trace is read (for the test that compares both). */
  readonly traceAtOnce?: boolean;
}

/**
 * Collects one operation's QMP, events, IRQ lines and causal trace. Each libvirt function of the operation
 * enters its hop (`hop`), so the trace is the call tree of libvirt's functions with the backend's trace of
 * every command one level below the monitor call that sent it.
 */
class Session {
  readonly qmp: QmpCommand[] = [];
  readonly events: QmpEvent[] = [];
  readonly irqs: string[] = [];
  /**
   * The trace in the making: libvirt's hops, and each answer whose own trace goes below them (read when the trace
   * is: the model computes a step's trace on first read, and a step rarely has it read).
   */
  private readonly parts: (TraceEntry | { readonly r: StepResult; readonly depth: number })[] = [];
  private built?: TraceEntry[];
  private depth = 0;
  /** `now`: the backend's answers at once (the model's), else its promises are waited for. */
  constructor(private readonly backend: Backend, private readonly now: MonitorExchanges | undefined, private readonly traceAtOnce = false) {}

  private take(r: StepResult, depth: number): StepResult {
    this.events.push(...r.events);
    this.irqs.push(...r.irqs);
    if (this.traceAtOnce) {
      for (const t of r.trace ?? []) this.parts.push({ ...t, depth: t.depth + depth });
    } else this.parts.push({ r, depth });
    this.built = undefined;
    return r;
  }

  /** The causal trace: each hop, with the trace of every answer taken inside it one level below (made on first read). */
  get trace(): TraceEntry[] {
    if (this.built !== undefined) return this.built;
    const out: TraceEntry[] = [];
    for (const p of this.parts) {
      if (!('r' in p)) out.push(p);
      else for (const t of p.r.trace ?? []) out.push({ ...t, depth: t.depth + p.depth });
    }
    return (this.built = out);
  }

  /**
   * A libvirt function: its name in the trace, `body` (not started yet) one level below. The body is a generator of a
   * method, never a `function*` made at the call: each such closure has a prototype of its own, which gives every
   * generator it makes a new shape (≈ 1.4 µs a hop against ≈ 0.07, warm).
   */
  *hop<T>(fn: string, note: string | undefined, body: Flow<T>): Flow<T> {
    this.parts.push(note !== undefined ? { fn, note, depth: this.depth } : { fn, depth: this.depth });
    this.built = undefined;
    this.depth++;
    try {
      return yield* body;
    } finally {
      this.depth--;
    }
  }

  private *exchange(kind: 'qmp' | 'qtest' | 'hmp', arg: QmpCommand | string): Flow<StepResult> {
    const now = this.now;
    if (kind === 'qmp') return now ? now.qmp(arg as QmpCommand) : yield* call(this.backend.qmp(arg as QmpCommand));
    if (kind === 'qtest') return now ? now.qtest(arg as string) : yield* call(this.backend.qtest(arg as string));
    return now ? now.hmp(arg as string) : yield* call(this.backend.hmp(arg as string));
  }

  /** A command libvirt sends (recorded). */
  *send(cmd: QmpCommand): Flow<StepResult> {
    this.qmp.push(cmd);
    const r = yield* this.exchange('qmp', cmd);
    return this.take(r, this.depth);
  }

  /**
   * A command libvirt sends and ignores the result of (ignore_value in libvirt): QEMU's error reply is
   * ignored, but a command the model does not model is not (a "not modelled" refusal is never swallowed).
   */
  *sendBestEffort(cmd: QmpCommand): Flow<StepResult | undefined> {
    return yield* this.send(cmd);
  }

  /**
   * Traffic that is not libvirt's (the guest, the observer): effects kept, command not recorded; its trace
   * at the top level, outside libvirt's calls (the guest acts while libvirt waits).
   */
  aside(kind: 'qmp', cmd: QmpCommand): Flow<StepResult>;
  aside(kind: 'qtest' | 'hmp', line: string): Flow<StepResult>;
  *aside(kind: 'qmp' | 'qtest' | 'hmp', arg: QmpCommand | string): Flow<StepResult> {
    const r = yield* this.exchange(kind, arg);
    return this.take(r, 0);
  }
}

/**
 * A backend's monitor exchanges answered at once: the very results its qmp/qtest/hmp promises resolve to, the same
 * errors thrown (Backend.immediate's, or a recording view's: steps/libvirt-world.ts).
 */
export type MonitorExchanges = Pick<ImmediateSteps, 'qmp' | 'qtest' | 'hmp'>;

const isError = (reply: unknown): reply is { error: { class: string; desc: string } } =>
  typeof reply === 'object' && reply !== null && 'error' in reply;

export class LibvirtDomain {
  private def?: DomainDef;
  private liveDef?: DomainDef;
  private readonly defaultDevices: boolean;
  private readonly versions: DefineOptions;

  private readonly exchanges?: MonitorExchanges;
  private readonly traceAtOnce: boolean;

  constructor(readonly backend: Backend, options: LibvirtDomainOptions = {}) {
    this.exchanges = options.exchanges;
    this.traceAtOnce = options.traceAtOnce === true;
    this.versions = { ...(options.libvirt !== undefined ? { libvirt: options.libvirt } : {}), ...(options.qemu !== undefined ? { qemu: options.qemu } : {}) };
    this.defaultDevices = options.defaultDevices ?? (backend.name === 'qemu' || (backend as { libvirtDefaultDevices?: boolean }).libvirtDefaultDevices === true);
  }

  /** The pure part of `virsh define`: errors, or the definition and the QEMU options start will use. */
  static define(xml: string, options: DefineOptions = {}) {
    const d = defineDomain(xml, options);
    if (!d.ok) return d;
    const s = startDomain(d.def);
    return s.ok ? { ok: true as const, def: d.def, live: s.live, qemuOptions: s.qemuOptions, deviceOptions: s.deviceOptions, commandLine: s.commandLine } : s;
  }

  /** `virsh define FILE`. */
  define(xml: string, file = 'domain.xml'): VirshOutput {
    const d = defineDomain(xml, this.versions);
    if (!d.ok) return virshFailure(`Failed to define domain from ${file}`, d.error);
    this.def = d.def;
    return virshSuccess(`Domain '${d.def.name}' defined from ${file}`);
  }

  /** `virsh start --paused NAME`: align sizes, build the command line, start QEMU through the backend. */
  async start(): Promise<VirshOutput> {
    if (!this.def) throw new ScenarioError('start before a successful define');
    const failed = `Failed to start domain '${this.def.name}'`;
    const s = startDomain(this.def);
    if (!s.ok) return virshFailure(failed, s.error, true);
    const options = this.defaultDevices && s.deviceOptions ? s.commandLine : s.qemuOptions;
    // the QEMU release this libvirt drives (its Debian pair unless told otherwise)
    const r = await this.backend.start(options, { qemuVersion: this.def.qemu });
    if (!r.ok) return virshFailure(failed, LE.processExited(r.error), true);
    this.liveDef = s.live;
    // qemuProcessLaunch ends with qemuDomainUpdateMemoryDeviceInfo: cold-plugged DIMMs learn their base
    if (s.live.mems.length > 0) {
      const q = await this.backend.qmp(QUERY_MEMORY_DEVICES);
      this.liveDef = refreshFromQuery(this.liveDef, q.reply);
    }
    return virshSuccess(`Domain '${this.def.name}' started`);
  }

  /** define + start, as a transcript's `startup`. */
  async defineAndStart(xml: string): Promise<StartupResult> {
    const d = this.define(xml);
    if (d.exitCode !== 0) return { ok: false, error: (d.reply as { error: string }).error };
    const s = await this.start();
    if (s.exitCode !== 0) return { ok: false, error: (s.reply as { error: string }).error };
    return { ok: true };
  }

  get live(): DomainDef | undefined {
    return this.liveDef;
  }

  get persistent(): DomainDef | undefined {
    return this.def;
  }

  /** `virsh dumpxml` of the running domain. */
  liveXml(): string {
    if (!this.liveDef) throw new ScenarioError('the domain is not running');
    return domainXml(this.liveDef, true);
  }

  private running(): DomainDef {
    if (!this.liveDef) throw new ScenarioError('the domain is not running');
    return this.liveDef;
  }

  /** The backend's monitor exchanges at once (asked once), or undefined: its promises are waited for. */
  private monitorNow?: MonitorExchanges | null;

  private session(): Session {
    if (this.monitorNow === undefined) this.monitorNow = this.exchanges ?? this.backend.immediate?.() ?? null;
    return new Session(this.backend, this.monitorNow ?? undefined, this.traceAtOnce);
  }

  private result(s: Session, virsh: VirshOutput): OperationResult {
    // the trace made when read (an own enumerable getter: the result spreads, serialises and compares as before)
    return { virsh, reply: virsh.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, get trace() { return s.trace; } };
  }

  // libvirt's functions on the attach and detach paths, named as in libvirt 9.0 (src/libvirt-domain.c,
  // src/qemu/qemu_driver.c, qemu_hotplug.c, qemu_process.c, qemu_domain.c, qemu_monitor.c) so that grepping a
  // hop of the trace lands here. The decisions are the pure functions of hotplug.ts; these send what they say.

  /** qemuMonitorAddObject: `object-add`. */
  private qemuMonitorAddObject(s: Session, cmd: QmpCommand): Flow<StepResult> {
    return s.hop('qemuMonitorAddObject', String(cmd.arguments?.id), s.send(cmd));
  }

  /** qemuMonitorAddDeviceProps: `device_add` (libvirt 9.0's name for the props variant of qemuMonitorAddDevice). */
  private qemuMonitorAddDeviceProps(s: Session, cmd: QmpCommand): Flow<StepResult> {
    return s.hop('qemuMonitorAddDeviceProps', String(cmd.arguments?.id), s.send(cmd));
  }

  /** qemuMonitorDelObject: `object-del`. */
  private qemuMonitorDelObject(s: Session, id: string): Flow<StepResult> {
    return s.hop('qemuMonitorDelObject', id, s.send(objectDel(id)));
  }

  /** qemuMonitorDelDevice: `device_del`. */
  private qemuMonitorDelDevice(s: Session, cmd: QmpCommand): Flow<StepResult> {
    return s.hop('qemuMonitorDelDevice', String(cmd.arguments?.id), s.send(cmd));
  }

  /** qemuMonitorGetBalloonInfo: `query-balloon` (its callers ignore QEMU's error reply). */
  private qemuMonitorGetBalloonInfo(s: Session): Flow<StepResult | undefined> {
    return s.hop('qemuMonitorGetBalloonInfo', undefined, s.sendBestEffort(QUERY_BALLOON));
  }

  /** qemuMonitorGetMemoryDeviceInfo: `query-memory-devices` (error reply ignored). */
  private qemuMonitorGetMemoryDeviceInfo(s: Session): Flow<StepResult | undefined> {
    return s.hop('qemuMonitorGetMemoryDeviceInfo', undefined, s.sendBestEffort(QUERY_MEMORY_DEVICES));
  }

  /** qemuMonitorGetDeviceAliases: `qom-list /machine/peripheral` (error reply ignored). */
  private qemuMonitorGetDeviceAliases(s: Session): Flow<StepResult | undefined> {
    return s.hop('qemuMonitorGetDeviceAliases', undefined, s.sendBestEffort(QOM_LIST_PERIPHERAL));
  }

  /** qemuProcessRefreshBalloonState → qemuMonitorGetBalloonInfo (`query-balloon`, result ignored on error). */
  private qemuProcessRefreshBalloonState(s: Session): Flow<void> {
    return s.hop('qemuProcessRefreshBalloonState', undefined, this.qemuProcessRefreshBalloonStateBody(s));
  }

  private *qemuProcessRefreshBalloonStateBody(s: Session): Flow<void> {
    const live = this.running();
    if (!live.balloon) {
      this.liveDef = { ...live, curBalloonKiB: live.totalKiB };
      return;
    }
    const r = yield* this.qemuMonitorGetBalloonInfo(s);
    const actual = (r?.reply as { return?: { actual?: number | bigint } } | undefined)?.return?.actual;
    this.liveDef = { ...this.running(), curBalloonKiB: actual !== undefined ? BigInt(actual) / 1024n : this.running().totalKiB };
  }

  /** qemuDomainUpdateMemoryDeviceInfo → qemuMonitorGetMemoryDeviceInfo (`query-memory-devices`): slots and bases. */
  private qemuDomainUpdateMemoryDeviceInfo(s: Session): Flow<void> {
    return s.hop('qemuDomainUpdateMemoryDeviceInfo', undefined, this.qemuDomainUpdateMemoryDeviceInfoBody(s));
  }

  private *qemuDomainUpdateMemoryDeviceInfoBody(s: Session): Flow<void> {
    const q = yield* this.qemuMonitorGetMemoryDeviceInfo(s);
    if (q) this.liveDef = refreshFromQuery(this.running(), q.reply);
  }

  /** qemuDomainUpdateDeviceList → qemuMonitorGetDeviceAliases (`qom-list /machine/peripheral`). */
  private qemuDomainUpdateDeviceList(s: Session): Flow<void> {
    return s.hop('qemuDomainUpdateDeviceList', undefined, this.qemuDomainUpdateDeviceListBody(s));
  }

  private *qemuDomainUpdateDeviceListBody(s: Session): Flow<void> {
    yield* this.qemuMonitorGetDeviceAliases(s);
  }

  /** qemuDomainRemoveMemoryDevice (after DEVICE_DELETED): object-del, drop the device, refresh the balloon. */
  private qemuDomainRemoveMemoryDevice(s: Session, alias: string): Flow<boolean> {
    return s.hop('qemuDomainRemoveMemoryDevice', alias, this.qemuDomainRemoveMemoryDeviceBody(s, alias));
  }

  private *qemuDomainRemoveMemoryDeviceBody(s: Session, alias: string): Flow<boolean> {
    const r = yield* this.qemuMonitorDelObject(s, `mem${alias}`);
    if (isError(r.reply)) return false;
    this.liveDef = removeMemory(this.running(), alias);
    yield* this.qemuProcessRefreshBalloonState(s);
    return true;
  }

  /** qemuDomainRemoveDevice: the memory device's remover. */
  private qemuDomainRemoveDevice(s: Session, alias: string): Flow<boolean> {
    return s.hop('qemuDomainRemoveDevice', alias, this.qemuDomainRemoveMemoryDevice(s, alias));
  }

  /** processDeviceDeletedEvent: the event worker removes a device whose DEVICE_DELETED nobody waited for. */
  private processDeviceDeletedEvent(s: Session, alias: string): Flow<boolean> {
    return s.hop('processDeviceDeletedEvent', alias, this.qemuDomainRemoveDevice(s, alias));
  }

  /** qemuDomainDetachPrepMemory: which live device the XML means (planDetachMemory decides). */
  private qemuDomainDetachPrepMemory(s: Session, match: MemoryDeviceDef): Flow<Planned<DetachPlan>> {
    return s.hop('qemuDomainDetachPrepMemory', undefined, this.qemuDomainDetachPrepMemoryBody(s, match));
  }

  private *qemuDomainDetachPrepMemoryBody(s: Session, match: MemoryDeviceDef): Flow<Planned<DetachPlan>> {
    return planDetachMemory(this.running(), match);
  }

  /** qemuDomainDeleteDevice: device_del through qemuMonitorDelDevice. */
  private qemuDomainDeleteDevice(s: Session, p: DetachPlan): Flow<StepResult> {
    return s.hop('qemuDomainDeleteDevice', p.alias, this.qemuMonitorDelDevice(s, p.deviceDel));
  }

  /**
   * qemuDomainWaitForDeviceRemoval: libvirt's 5 s wait for DEVICE_DELETED; time is not modelled, so "the
   * guest ejects meanwhile" is the caller's (the guest's traffic is not libvirt's: its trace stands at the top level).
   */
  private qemuDomainWaitForDeviceRemoval(s: Session, alias: string, guestEjects: boolean): Flow<boolean> {
    return s.hop('qemuDomainWaitForDeviceRemoval', guestEjects ? 'the guest ejects meanwhile' : undefined, this.qemuDomainWaitForDeviceRemovalBody(s, alias, guestEjects));
  }

  private *qemuDomainWaitForDeviceRemovalBody(s: Session, alias: string, guestEjects: boolean): Flow<boolean> {
    const mark = s.events.length;
    if (guestEjects) yield* this.guestEject(s, alias);
    return s.events.slice(mark).some((e) => e.event === 'DEVICE_DELETED' && (e.data as { device?: string } | undefined)?.device === alias);
  }

  /**
   * DEVICE_DELETED events for libvirt's dimms that nobody waits for: qemuProcessHandleDeviceDeleted queues
   * them, the event worker's processDeviceDeletedEvent removes the device.
   */
  private *handleEvents(s: Session, from: number, skip?: string): Flow<void> {
    for (let i = from; i < s.events.length; i++) {
      const e = s.events[i];
      if (e.event !== 'DEVICE_DELETED') continue;
      const dev = (e.data as { device?: string } | undefined)?.device;
      if (!dev || dev === skip || !this.running().mems.some((m) => m.alias === dev)) continue;
      yield* this.processDeviceDeletedEvent(s, dev);
    }
  }

  /** `virsh attach-device DOM FILE --live`. */
  async attach(xml: string, file = 'device.xml'): Promise<OperationResult> {
    return drive(this.attachFlow(xml, file));
  }

  /** attach as a step body (steps/flow.ts): without a promise when the backend answers at once. */
  *attachFlow(xml: string, file = 'device.xml'): Flow<OperationResult> {
    const s = this.session();
    const virsh = yield* this.virDomainAttachDeviceFlags(s, xml, `Failed to attach device from ${file}`);
    return this.result(s, virsh);
  }

  /** virDomainAttachDeviceFlags(VIR_DOMAIN_AFFECT_LIVE): the public API virsh calls. */
  private virDomainAttachDeviceFlags(s: Session, xml: string, failed: string): Flow<VirshOutput> {
    return s.hop('virDomainAttachDeviceFlags', 'VIR_DOMAIN_AFFECT_LIVE', this.qemuDomainAttachDeviceFlags(s, xml, failed));
  }

  /**
   * qemuDomainAttachDeviceFlags → qemuDomainAttachDeviceLiveAndConfig (parse, validate, compatible) →
   * qemuDomainAttachDeviceLive → qemuDomainAttachMemory, then the device list refresh and the events.
   */
  private qemuDomainAttachDeviceFlags(s: Session, xml: string, failed: string): Flow<VirshOutput> {
    return s.hop('qemuDomainAttachDeviceFlags', undefined, this.qemuDomainAttachDeviceFlagsBody(s, xml, failed));
  }

  private *qemuDomainAttachDeviceFlagsBody(s: Session, xml: string, failed: string): Flow<VirshOutput> {
    const checked = checkAttach(this.running(), xml);
    if (!checked.ok) return virshFailure(failed, checked.error);
    const error = yield* this.qemuDomainAttachMemory(s, checked.plan);
    if (error) return virshFailure(failed, error);
    yield* this.qemuDomainUpdateDeviceList(s);
    yield* this.handleEvents(s, 0);
    return virshSuccess(ATTACHED);
  }

  /** qemuDomainAttachMemory: align, validate, slot, alias (planAttachMemory), object-add + device_add, refresh. */
  private qemuDomainAttachMemory(s: Session, mem: MemoryDeviceDef): Flow<LibvirtError | undefined> {
    return s.hop('qemuDomainAttachMemory', undefined, this.qemuDomainAttachMemoryBody(s, mem));
  }

  private *qemuDomainAttachMemoryBody(s: Session, mem: MemoryDeviceDef): Flow<LibvirtError | undefined> {
    const plan = planAttachMemory(this.running(), mem);
    if (!plan.ok) return plan.error;
    const p: AttachPlan = plan.plan;
    const added = yield* this.qemuMonitorAddObject(s, p.objectAdd);
    if (isError(added.reply)) return LE.qemuCommand('object-add', added.reply.error.desc);
    const dev = yield* this.qemuMonitorAddDeviceProps(s, p.deviceAdd);
    if (isError(dev.reply)) {
      yield* this.qemuMonitorDelObject(s, p.backendId);
      return LE.qemuCommand('device_add', dev.reply.error.desc);
    }
    this.liveDef = insertMemory(this.running(), p.device);
    yield* this.qemuProcessRefreshBalloonState(s);
    yield* this.qemuDomainUpdateMemoryDeviceInfo(s);
    return undefined;
  }

  /** `virsh detach-device DOM FILE --live`; `guestEjects`: a guest ejects while libvirt waits its 5 s. */
  async detach(xml: string, opts: { guestEjects: boolean }, file = 'device.xml'): Promise<OperationResult> {
    return drive(this.detachFlow(xml, opts, file));
  }

  /** detach as a step body (steps/flow.ts). */
  *detachFlow(xml: string, opts: { guestEjects: boolean }, file = 'device.xml'): Flow<OperationResult> {
    const s = this.session();
    const virsh = yield* this.virDomainDetachDeviceFlags(s, xml, opts.guestEjects, `Failed to detach device from ${file}`);
    return this.result(s, virsh);
  }

  /** virDomainDetachDeviceFlags(VIR_DOMAIN_AFFECT_LIVE). */
  private virDomainDetachDeviceFlags(s: Session, xml: string, guestEjects: boolean, failed: string): Flow<VirshOutput> {
    return s.hop('virDomainDetachDeviceFlags', 'VIR_DOMAIN_AFFECT_LIVE', this.qemuDomainDetachDeviceFlags(s, xml, guestEjects, failed));
  }

  /**
   * qemuDomainDetachDeviceFlags → qemuDomainDetachDeviceLiveAndConfig: parse (no validation), the live
   * detach, then the device list refresh and the DEVICE_DELETED events of other devices.
   */
  private qemuDomainDetachDeviceFlags(s: Session, xml: string, guestEjects: boolean, failed: string): Flow<VirshOutput> {
    return s.hop('qemuDomainDetachDeviceFlags', undefined, this.qemuDomainDetachDeviceFlagsBody(s, xml, guestEjects, failed));
  }

  private *qemuDomainDetachDeviceFlagsBody(s: Session, xml: string, guestEjects: boolean, failed: string): Flow<VirshOutput> {
    const parsed = parseDetach(this.running(), xml);
    if (!parsed.ok) return virshFailure(failed, parsed.error);
    const r = yield* this.qemuDomainDetachDeviceLive(s, parsed.plan, guestEjects);
    if (!r.ok) return virshFailure(failed, r.error);
    yield* this.qemuDomainUpdateDeviceList(s);
    yield* this.handleEvents(s, r.mark, r.alias);
    return virshSuccess(DETACHED);
  }

  /**
   * qemuDomainDetachDeviceLive (`mark`: the events from here on are those after device_del's reply):
   * qemuDomainDetachPrepMemory finds the device, qemuDomainDeleteDevice sends
   * device_del, qemuDomainWaitForDeviceRemoval waits for DEVICE_DELETED (the guest's eject) and, if it came,
   * qemuDomainRemoveDevice removes the device.
   */
  private qemuDomainDetachDeviceLive(s: Session, match: MemoryDeviceDef, guestEjects: boolean): Flow<{ ok: true; alias: string; mark: number } | { ok: false; error: LibvirtError }> {
    return s.hop('qemuDomainDetachDeviceLive', undefined, this.qemuDomainDetachDeviceLiveBody(s, match, guestEjects));
  }

  private *qemuDomainDetachDeviceLiveBody(s: Session, match: MemoryDeviceDef, guestEjects: boolean): Flow<{ ok: true; alias: string; mark: number } | { ok: false; error: LibvirtError }> {
    const plan = yield* this.qemuDomainDetachPrepMemory(s, match);
    if (!plan.ok) return plan;
    const p: DetachPlan = plan.plan;
    const del = yield* this.qemuDomainDeleteDevice(s, p);
    if (isError(del.reply)) return { ok: false as const, error: LE.qemuCommand('device_del', del.reply.error.desc) };
    const mark = s.events.length;
    const deleted = yield* this.qemuDomainWaitForDeviceRemoval(s, p.alias, guestEjects);
    if (deleted) yield* this.qemuDomainRemoveDevice(s, p.alias);
    return { ok: true as const, alias: p.alias, mark };
  }

  /** The recorder's guest stand-in: eject the slot of `alias` the way a guest's ACPI handler does. */
  private *guestEject(s: Session, alias: string): Flow<void> {
    const q = yield* s.aside('qmp', QUERY_MEMORY_DEVICES);
    const list = (q.reply as { return?: { data?: { id?: string; slot?: number | bigint } }[] }).return ?? [];
    const found = list.find((d) => d.data?.id === alias);
    if (!found || found.data?.slot === undefined) return;
    const slot = BigInt(found.data.slot);
    yield* s.aside('qtest', `outl 0xa00 0x${slot.toString(16)}`);
    const st = yield* s.aside('qtest', 'inb 0xa14');
    const m = /^OK (0x[0-9a-fA-F]+)/.exec(String(st.reply));
    if (!m || (Number(m[1]) & 4) === 0) throw new ScenarioError(`guest: slot ${slot} shows no remove request (${String(st.reply)})`);
    yield* s.aside('qtest', 'outb 0xa14 0x4');
    yield* s.aside('qtest', 'outb 0xa14 0x8');
  }

  /** A QMP command given to QEMU through libvirt (`virsh qemu-monitor-command`), and libvirt's reactions. */
  async qmp(cmd: QmpCommand): Promise<PassThroughResult> {
    return drive(this.qmpFlow(cmd));
  }

  /** qmp as a step body (steps/flow.ts). */
  *qmpFlow(cmd: QmpCommand): Flow<PassThroughResult> {
    const s = this.session();
    const r = yield* s.aside('qmp', cmd);
    yield* this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, get trace() { return s.trace; } };
  }

  /** A qtest line on QEMU's side (the guest), and libvirt's reactions to what it causes. */
  async qtest(line: string): Promise<PassThroughResult> {
    return drive(this.qtestFlow(line));
  }

  /** qtest as a step body (steps/flow.ts). */
  *qtestFlow(line: string): Flow<PassThroughResult> {
    const s = this.session();
    const r = yield* s.aside('qtest', line);
    yield* this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, get trace() { return s.trace; } };
  }

  /** An HMP command (through libvirt's monitor), and libvirt's reactions. */
  async hmp(line: string): Promise<PassThroughResult> {
    return drive(this.hmpFlow(line));
  }

  /** hmp as a step body (steps/flow.ts). */
  *hmpFlow(line: string): Flow<PassThroughResult> {
    const s = this.session();
    const r = yield* s.aside('hmp', line);
    yield* this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, get trace() { return s.trace; } };
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}

export type { LibvirtError };
