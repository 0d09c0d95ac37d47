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

import type { QmpEvent } from '../engine/effects';
import { ScenarioError, type Backend, type QmpCommand, type StepResult } from '../backends/types';
import { LE, type LibvirtError } from './errors';
import { defineDomain, startDomain, type DefineOptions, type DomainDef } from './domain';
import {
  insertMemory, objectDel, planAttach, planDetach, QOM_LIST_PERIPHERAL, QUERY_BALLOON, QUERY_MEMORY_DEVICES,
  refreshFromQuery, removeMemory,
} from './hotplug';
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
}

/** A step passed to QEMU beside libvirt (qmp / qtest / hmp) and libvirt's reaction to its events. */
export interface PassThroughResult {
  readonly reply: unknown;
  readonly qmp: readonly QmpCommand[];
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
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

/** Collects one operation's QMP, events and IRQ lines. */
class Session {
  readonly qmp: QmpCommand[] = [];
  readonly events: QmpEvent[] = [];
  readonly irqs: string[] = [];
  constructor(private readonly backend: Backend) {}

  private take(r: StepResult): StepResult {
    this.events.push(...r.events);
    this.irqs.push(...r.irqs);
    return r;
  }

  /** A command libvirt sends (recorded). */
  async send(cmd: QmpCommand): Promise<StepResult> {
    this.qmp.push(cmd);
    return this.take(await this.backend.qmp(cmd));
  }

  /**
   * A command libvirt sends and ignores the result of (ignore_value in libvirt): QEMU's error reply is
   * ignored, but a command the model does not model is not (a "not modelled" refusal is never swallowed).
   */
  async sendBestEffort(cmd: QmpCommand): Promise<StepResult | undefined> {
    this.qmp.push(cmd);
    return this.take(await this.backend.qmp(cmd));
  }

  /** Traffic that is not libvirt's (the guest, the observer): effects kept, command not recorded. */
  async aside(kind: 'qmp', cmd: QmpCommand): Promise<StepResult>;
  async aside(kind: 'qtest' | 'hmp', line: string): Promise<StepResult>;
  async aside(kind: 'qmp' | 'qtest' | 'hmp', arg: QmpCommand | string): Promise<StepResult> {
    if (kind === 'qmp') return this.take(await this.backend.qmp(arg as QmpCommand));
    if (kind === 'qtest') return this.take(await this.backend.qtest(arg as string));
    return this.take(await this.backend.hmp(arg as string));
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
    return { virsh, reply: virsh.reply, qmp: s.qmp, events: s.events, irqs: s.irqs };
  }

  /** libvirt's balloon refresh (qemuProcessRefreshBalloonState). */
  private async refreshBalloon(s: Session): Promise<void> {
    const live = this.running();
    if (!live.balloon) {
      this.liveDef = { ...live, curBalloonKiB: live.totalKiB };
      return;
    }
    const r = await s.sendBestEffort(QUERY_BALLOON);
    const actual = (r?.reply as { return?: { actual?: number | bigint } } | undefined)?.return?.actual;
    this.liveDef = { ...this.running(), curBalloonKiB: actual !== undefined ? BigInt(actual) / 1024n : this.running().totalKiB };
  }

  /** qemuDomainRemoveMemoryDevice after DEVICE_DELETED: object-del, drop the device, refresh the balloon. */
  private async removeDevice(s: Session, alias: string): Promise<boolean> {
    const r = await s.send(objectDel(`mem${alias}`));
    if (isError(r.reply)) return false;
    this.liveDef = removeMemory(this.running(), alias);
    await this.refreshBalloon(s);
    return true;
  }

  /** DEVICE_DELETED events for libvirt's dimms that nobody waits for (the event worker). */
  private async handleEvents(s: Session, from: number, skip?: string): Promise<void> {
    for (let i = from; i < s.events.length; i++) {
      const e = s.events[i];
      if (e.event !== 'DEVICE_DELETED') continue;
      const dev = (e.data as { device?: string } | undefined)?.device;
      if (!dev || dev === skip || !this.running().mems.some((m) => m.alias === dev)) continue;
      await this.removeDevice(s, dev);
    }
  }

  /** `virsh attach-device DOM FILE --live`. */
  async attach(xml: string, file = 'device.xml'): Promise<OperationResult> {
    const s = new Session(this.backend);
    const failed = `Failed to attach device from ${file}`;
    const plan = planAttach(this.running(), xml);
    if (!plan.ok) return this.result(s, virshFailure(failed, plan.error));
    const p = plan.plan;
    const added = await s.send(p.objectAdd);
    if (isError(added.reply)) return this.result(s, virshFailure(failed, LE.qemuCommand('object-add', added.reply.error.desc)));
    const dev = await s.send(p.deviceAdd);
    if (isError(dev.reply)) {
      await s.send(objectDel(p.backendId));
      return this.result(s, virshFailure(failed, LE.qemuCommand('device_add', dev.reply.error.desc)));
    }
    this.liveDef = insertMemory(this.running(), p.device);
    await this.refreshBalloon(s);
    const q = await s.sendBestEffort(QUERY_MEMORY_DEVICES);
    if (q) this.liveDef = refreshFromQuery(this.running(), q.reply);
    await s.sendBestEffort(QOM_LIST_PERIPHERAL);
    await this.handleEvents(s, 0);
    return this.result(s, virshSuccess(ATTACHED));
  }

  /** `virsh detach-device DOM FILE --live`; `guestEjects`: a guest ejects while libvirt waits its 5 s. */
  async detach(xml: string, opts: { guestEjects: boolean }, file = 'device.xml'): Promise<OperationResult> {
    const s = new Session(this.backend);
    const failed = `Failed to detach device from ${file}`;
    const plan = planDetach(this.running(), xml);
    if (!plan.ok) return this.result(s, virshFailure(failed, plan.error));
    const { alias } = plan.plan;
    const del = await s.send(plan.plan.deviceDel);
    if (isError(del.reply)) return this.result(s, virshFailure(failed, LE.qemuCommand('device_del', del.reply.error.desc)));
    const mark = s.events.length;
    if (opts.guestEjects) await this.guestEject(s, alias);
    const deleted = s.events.slice(mark).some((e) => e.event === 'DEVICE_DELETED' && (e.data as { device?: string } | undefined)?.device === alias);
    if (deleted) await this.removeDevice(s, alias);
    await s.sendBestEffort(QOM_LIST_PERIPHERAL);
    await this.handleEvents(s, mark, alias);
    return this.result(s, virshSuccess(DETACHED));
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
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs };
  }

  /** A qtest line on QEMU's side (the guest), and libvirt's reactions to what it causes. */
  async qtest(line: string): Promise<PassThroughResult> {
    const s = new Session(this.backend);
    const r = await s.aside('qtest', line);
    await this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs };
  }

  /** An HMP command (through libvirt's monitor), and libvirt's reactions. */
  async hmp(line: string): Promise<PassThroughResult> {
    const s = new Session(this.backend);
    const r = await s.aside('hmp', line);
    await this.handleEvents(s, 0);
    return { reply: r.reply, qmp: s.qmp, events: s.events, irqs: s.irqs };
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}

export type { LibvirtError };
