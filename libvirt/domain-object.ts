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
import { ScenarioError, type Backend, type QmpCommand, type StepResult } from '../backends/types';
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
  readonly trace: TraceEntry[] = [];
  private depth = 0;
  constructor(private readonly backend: Backend) {}

  private take(r: StepResult, depth: number): StepResult {
    this.events.push(...r.events);
    this.irqs.push(...r.irqs);
    for (const t of r.trace ?? []) this.trace.push({ ...t, depth: t.depth + depth });
    return r;
  }

  /** A libvirt function: its name in the trace, what it calls one level below. */
  async hop<T>(fn: string, note: string | undefined, body: () => Promise<T>): Promise<T> {
    this.trace.push(note !== undefined ? { fn, note, depth: this.depth } : { fn, depth: this.depth });
    this.depth++;
    try {
      return await body();
    } finally {
      this.depth--;
    }
  }

  /** A command libvirt sends (recorded). */
  async send(cmd: QmpCommand): Promise<StepResult> {
    this.qmp.push(cmd);
    return this.take(await this.backend.qmp(cmd), this.depth);
  }

  /**
   * A command libvirt sends and ignores the result of (ignore_value in libvirt): QEMU's error reply is
   * ignored, but a command the model does not model is not (a "not modelled" refusal is never swallowed).
   */
  async sendBestEffort(cmd: QmpCommand): Promise<StepResult | undefined> {
    this.qmp.push(cmd);
    return this.take(await this.backend.qmp(cmd), this.depth);
  }

  /**
   * Traffic that is not libvirt's (the guest, the observer): effects kept, command not recorded; its trace
   * at the top level, outside libvirt's calls (the guest acts while libvirt waits).
   */
  async aside(kind: 'qmp', cmd: QmpCommand): Promise<StepResult>;
  async aside(kind: 'qtest' | 'hmp', line: string): Promise<StepResult>;
  async aside(kind: 'qmp' | 'qtest' | 'hmp', arg: QmpCommand | string): Promise<StepResult> {
    if (kind === 'qmp') return this.take(await this.backend.qmp(arg as QmpCommand), 0);
    if (kind === 'qtest') return this.take(await this.backend.qtest(arg as string), 0);
    return this.take(await this.backend.hmp(arg as string), 0);
  }
}

const isError = (reply: unknown): reply is { error: { class: string; desc: string } } =>
  typeof reply === 'object' && reply !== null && 'error' in reply;

export class LibvirtDomain {
  private def?: DomainDef;
  private liveDef?: DomainDef;
  private readonly defaultDevices: boolean;
  private readonly versions: DefineOptions;

  constructor(readonly backend: Backend, options: LibvirtDomainOptions = {}) {
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

  private result(s: Session, virsh: VirshOutput): OperationResult {
    return { virsh, reply: virsh.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, trace: s.trace };
  }

  // libvirt's functions on the attach and detach paths, named as in libvirt 9.0 (src/libvirt-domain.c,
  // src/qemu/qemu_driver.c, qemu_hotplug.c, qemu_process.c, qemu_domain.c, qemu_monitor.c) so that grepping a
  // hop of the trace lands here. The decisions are the pure functions of hotplug.ts; these send what they say.

  /** qemuMonitorAddObject: `object-add`. */
  private qemuMonitorAddObject(s: Session, cmd: QmpCommand): Promise<StepResult> {
    return s.hop('qemuMonitorAddObject', String(cmd.arguments?.id), () => s.send(cmd));
  }

  /** qemuMonitorAddDeviceProps: `device_add` (libvirt 9.0's name for the props variant of qemuMonitorAddDevice). */
  private qemuMonitorAddDeviceProps(s: Session, cmd: QmpCommand): Promise<StepResult> {
    return s.hop('qemuMonitorAddDeviceProps', String(cmd.arguments?.id), () => s.send(cmd));
  }

  /** qemuMonitorDelObject: `object-del`. */
  private qemuMonitorDelObject(s: Session, id: string): Promise<StepResult> {
    return s.hop('qemuMonitorDelObject', id, () => s.send(objectDel(id)));
  }

  /** qemuMonitorDelDevice: `device_del`. */
  private qemuMonitorDelDevice(s: Session, cmd: QmpCommand): Promise<StepResult> {
    return s.hop('qemuMonitorDelDevice', String(cmd.arguments?.id), () => s.send(cmd));
  }

  /** qemuMonitorGetBalloonInfo: `query-balloon` (its callers ignore QEMU's error reply). */
  private qemuMonitorGetBalloonInfo(s: Session): Promise<StepResult | undefined> {
    return s.hop('qemuMonitorGetBalloonInfo', undefined, () => s.sendBestEffort(QUERY_BALLOON));
  }

  /** qemuMonitorGetMemoryDeviceInfo: `query-memory-devices` (error reply ignored). */
  private qemuMonitorGetMemoryDeviceInfo(s: Session): Promise<StepResult | undefined> {
    return s.hop('qemuMonitorGetMemoryDeviceInfo', undefined, () => s.sendBestEffort(QUERY_MEMORY_DEVICES));
  }

  /** qemuMonitorGetDeviceAliases: `qom-list /machine/peripheral` (error reply ignored). */
  private qemuMonitorGetDeviceAliases(s: Session): Promise<StepResult | undefined> {
    return s.hop('qemuMonitorGetDeviceAliases', undefined, () => s.sendBestEffort(QOM_LIST_PERIPHERAL));
  }

  /** qemuProcessRefreshBalloonState → qemuMonitorGetBalloonInfo (`query-balloon`, result ignored on error). */
  private qemuProcessRefreshBalloonState(s: Session): Promise<void> {
    return s.hop('qemuProcessRefreshBalloonState', undefined, async () => {
      const live = this.running();
      if (!live.balloon) {
        this.liveDef = { ...live, curBalloonKiB: live.totalKiB };
        return;
      }
      const r = await this.qemuMonitorGetBalloonInfo(s);
      const actual = (r?.reply as { return?: { actual?: number | bigint } } | undefined)?.return?.actual;
      this.liveDef = { ...this.running(), curBalloonKiB: actual !== undefined ? BigInt(actual) / 1024n : this.running().totalKiB };
    });
  }

  /** qemuDomainUpdateMemoryDeviceInfo → qemuMonitorGetMemoryDeviceInfo (`query-memory-devices`): slots and bases. */
  private qemuDomainUpdateMemoryDeviceInfo(s: Session): Promise<void> {
    return s.hop('qemuDomainUpdateMemoryDeviceInfo', undefined, async () => {
      const q = await this.qemuMonitorGetMemoryDeviceInfo(s);
      if (q) this.liveDef = refreshFromQuery(this.running(), q.reply);
    });
  }

  /** qemuDomainUpdateDeviceList → qemuMonitorGetDeviceAliases (`qom-list /machine/peripheral`). */
  private qemuDomainUpdateDeviceList(s: Session): Promise<void> {
    return s.hop('qemuDomainUpdateDeviceList', undefined, async () => {
      await this.qemuMonitorGetDeviceAliases(s);
    });
  }

  /** qemuDomainRemoveMemoryDevice (after DEVICE_DELETED): object-del, drop the device, refresh the balloon. */
  private qemuDomainRemoveMemoryDevice(s: Session, alias: string): Promise<boolean> {
    return s.hop('qemuDomainRemoveMemoryDevice', alias, async () => {
      const r = await this.qemuMonitorDelObject(s, `mem${alias}`);
      if (isError(r.reply)) return false;
      this.liveDef = removeMemory(this.running(), alias);
      await this.qemuProcessRefreshBalloonState(s);
      return true;
    });
  }

  /** qemuDomainRemoveDevice: the memory device's remover. */
  private qemuDomainRemoveDevice(s: Session, alias: string): Promise<boolean> {
    return s.hop('qemuDomainRemoveDevice', alias, () => this.qemuDomainRemoveMemoryDevice(s, alias));
  }

  /** processDeviceDeletedEvent: the event worker removes a device whose DEVICE_DELETED nobody waited for. */
  private processDeviceDeletedEvent(s: Session, alias: string): Promise<boolean> {
    return s.hop('processDeviceDeletedEvent', alias, () => this.qemuDomainRemoveDevice(s, alias));
  }

  /** qemuDomainDetachPrepMemory: which live device the XML means (planDetachMemory decides). */
  private qemuDomainDetachPrepMemory(s: Session, match: MemoryDeviceDef): Promise<Planned<DetachPlan>> {
    return s.hop('qemuDomainDetachPrepMemory', undefined, async () => planDetachMemory(this.running(), match));
  }

  /** qemuDomainDeleteDevice: device_del through qemuMonitorDelDevice. */
  private qemuDomainDeleteDevice(s: Session, p: DetachPlan): Promise<StepResult> {
    return s.hop('qemuDomainDeleteDevice', p.alias, () => this.qemuMonitorDelDevice(s, p.deviceDel));
  }

  /**
   * qemuDomainWaitForDeviceRemoval: libvirt's 5 s wait for DEVICE_DELETED; time is not modelled, so "the
   * guest ejects meanwhile" is the caller's (the guest's traffic is not libvirt's: its trace stands at the top level).
   */
  private qemuDomainWaitForDeviceRemoval(s: Session, alias: string, guestEjects: boolean): Promise<boolean> {
    const mark = s.events.length;
    return s.hop('qemuDomainWaitForDeviceRemoval', guestEjects ? 'the guest ejects meanwhile' : undefined, async () => {
      if (guestEjects) await this.guestEject(s, alias);
      return s.events.slice(mark).some((e) => e.event === 'DEVICE_DELETED' && (e.data as { device?: string } | undefined)?.device === alias);
    });
  }

  /**
   * DEVICE_DELETED events for libvirt's dimms that nobody waits for: qemuProcessHandleDeviceDeleted queues
   * them, the event worker's processDeviceDeletedEvent removes the device.
   */
  private async handleEvents(s: Session, from: number, skip?: string): Promise<void> {
    for (let i = from; i < s.events.length; i++) {
      const e = s.events[i];
      if (e.event !== 'DEVICE_DELETED') continue;
      const dev = (e.data as { device?: string } | undefined)?.device;
      if (!dev || dev === skip || !this.running().mems.some((m) => m.alias === dev)) continue;
      await this.processDeviceDeletedEvent(s, dev);
    }
  }

  /** `virsh attach-device DOM FILE --live`. */
  async attach(xml: string, file = 'device.xml'): Promise<OperationResult> {
    const s = new Session(this.backend);
    const virsh = await this.virDomainAttachDeviceFlags(s, xml, `Failed to attach device from ${file}`);
    return this.result(s, virsh);
  }

  /** virDomainAttachDeviceFlags(VIR_DOMAIN_AFFECT_LIVE): the public API virsh calls. */
  private virDomainAttachDeviceFlags(s: Session, xml: string, failed: string): Promise<VirshOutput> {
    return s.hop('virDomainAttachDeviceFlags', 'VIR_DOMAIN_AFFECT_LIVE', () => this.qemuDomainAttachDeviceFlags(s, xml, failed));
  }

  /**
   * qemuDomainAttachDeviceFlags → qemuDomainAttachDeviceLiveAndConfig (parse, validate, compatible) →
   * qemuDomainAttachDeviceLive → qemuDomainAttachMemory, then the device list refresh and the events.
   */
  private qemuDomainAttachDeviceFlags(s: Session, xml: string, failed: string): Promise<VirshOutput> {
    return s.hop('qemuDomainAttachDeviceFlags', undefined, async () => {
      const checked = checkAttach(this.running(), xml);
      if (!checked.ok) return virshFailure(failed, checked.error);
      const error = await this.qemuDomainAttachMemory(s, checked.plan);
      if (error) return virshFailure(failed, error);
      await this.qemuDomainUpdateDeviceList(s);
      await this.handleEvents(s, 0);
      return virshSuccess(ATTACHED);
    });
  }

  /** qemuDomainAttachMemory: align, validate, slot, alias (planAttachMemory), object-add + device_add, refresh. */
  private qemuDomainAttachMemory(s: Session, mem: MemoryDeviceDef): Promise<LibvirtError | undefined> {
    return s.hop('qemuDomainAttachMemory', undefined, async () => {
      const plan = planAttachMemory(this.running(), mem);
      if (!plan.ok) return plan.error;
      const p: AttachPlan = plan.plan;
      const added = await this.qemuMonitorAddObject(s, p.objectAdd);
      if (isError(added.reply)) return LE.qemuCommand('object-add', added.reply.error.desc);
      const dev = await this.qemuMonitorAddDeviceProps(s, p.deviceAdd);
      if (isError(dev.reply)) {
        await this.qemuMonitorDelObject(s, p.backendId);
        return LE.qemuCommand('device_add', dev.reply.error.desc);
      }
      this.liveDef = insertMemory(this.running(), p.device);
      await this.qemuProcessRefreshBalloonState(s);
      await this.qemuDomainUpdateMemoryDeviceInfo(s);
      return undefined;
    });
  }

  /** `virsh detach-device DOM FILE --live`; `guestEjects`: a guest ejects while libvirt waits its 5 s. */
  async detach(xml: string, opts: { guestEjects: boolean }, file = 'device.xml'): Promise<OperationResult> {
    const s = new Session(this.backend);
    const virsh = await this.virDomainDetachDeviceFlags(s, xml, opts.guestEjects, `Failed to detach device from ${file}`);
    return this.result(s, virsh);
  }

  /** virDomainDetachDeviceFlags(VIR_DOMAIN_AFFECT_LIVE). */
  private virDomainDetachDeviceFlags(s: Session, xml: string, guestEjects: boolean, failed: string): Promise<VirshOutput> {
    return s.hop('virDomainDetachDeviceFlags', 'VIR_DOMAIN_AFFECT_LIVE', () => this.qemuDomainDetachDeviceFlags(s, xml, guestEjects, failed));
  }

  /**
   * qemuDomainDetachDeviceFlags → qemuDomainDetachDeviceLiveAndConfig: parse (no validation), the live
   * detach, then the device list refresh and the DEVICE_DELETED events of other devices.
   */
  private qemuDomainDetachDeviceFlags(s: Session, xml: string, guestEjects: boolean, failed: string): Promise<VirshOutput> {
    return s.hop('qemuDomainDetachDeviceFlags', undefined, async () => {
      const parsed = parseDetach(this.running(), xml);
      if (!parsed.ok) return virshFailure(failed, parsed.error);
      const r = await this.qemuDomainDetachDeviceLive(s, parsed.plan, guestEjects);
      if (!r.ok) return virshFailure(failed, r.error);
      await this.qemuDomainUpdateDeviceList(s);
      await this.handleEvents(s, r.mark, r.alias);
      return virshSuccess(DETACHED);
    });
  }

  /**
   * qemuDomainDetachDeviceLive (`mark`: the events from here on are those after device_del's reply):
   * qemuDomainDetachPrepMemory finds the device, qemuDomainDeleteDevice sends
   * device_del, qemuDomainWaitForDeviceRemoval waits for DEVICE_DELETED (the guest's eject) and, if it came,
   * qemuDomainRemoveDevice removes the device.
   */
  private qemuDomainDetachDeviceLive(s: Session, match: MemoryDeviceDef, guestEjects: boolean): Promise<{ ok: true; alias: string; mark: number } | { ok: false; error: LibvirtError }> {
    return s.hop('qemuDomainDetachDeviceLive', undefined, async () => {
      const plan = await this.qemuDomainDetachPrepMemory(s, match);
      if (!plan.ok) return plan;
      const p: DetachPlan = plan.plan;
      const del = await this.qemuDomainDeleteDevice(s, p);
      if (isError(del.reply)) return { ok: false as const, error: LE.qemuCommand('device_del', del.reply.error.desc) };
      const mark = s.events.length;
      const deleted = await this.qemuDomainWaitForDeviceRemoval(s, p.alias, guestEjects);
      if (deleted) await this.qemuDomainRemoveDevice(s, p.alias);
      return { ok: true as const, alias: p.alias, mark };
    });
  }

  /** The recorder's guest stand-in: eject the slot of `alias` the way a guest's ACPI handler does. */
  private async guestEject(s: Session, alias: string): Promise<void> {
    const q = await s.aside('qmp', QUERY_MEMORY_DEVICES);
    const list = (q.reply as { return?: { data?: { id?: string; slot?: number | bigint } }[] }).return ?? [];
    const found = list.find((d) => d.data?.id === alias);
    if (!found || found.data?.slot === undefined) return;
    const slot = BigInt(found.data.slot);
    await s.aside('qtest', `outl 0xa00 0x${slot.toString(16)}`);
    const st = await s.aside('qtest', 'inb 0xa14');
    const m = /^OK (0x[0-9a-fA-F]+)/.exec(String(st.reply));
    if (!m || (Number(m[1]) & 4) === 0) throw new ScenarioError(`guest: slot ${slot} shows no remove request (${String(st.reply)})`);
    await s.aside('qtest', 'outb 0xa14 0x4');
    await s.aside('qtest', 'outb 0xa14 0x8');
  }

  /** A QMP command given to QEMU through libvirt (`virsh qemu-monitor-command`), and libvirt's reactions. */
  async qmp(cmd: QmpCommand): Promise<PassThroughResult> {
    const s = new Session(this.backend);
    const r = await s.aside('qmp', cmd);
    await this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, trace: s.trace };
  }

  /** A qtest line on QEMU's side (the guest), and libvirt's reactions to what it causes. */
  async qtest(line: string): Promise<PassThroughResult> {
    const s = new Session(this.backend);
    const r = await s.aside('qtest', line);
    await this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, trace: s.trace };
  }

  /** An HMP command (through libvirt's monitor), and libvirt's reactions. */
  async hmp(line: string): Promise<PassThroughResult> {
    const s = new Session(this.backend);
    const r = await s.aside('hmp', line);
    await this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs, trace: s.trace };
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}

export type { LibvirtError };
