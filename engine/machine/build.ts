// Machine start-up: command line → initial MachineState, with QEMU's start-up refusals in the order
// QEMU meets them (machine_set_mem, backends, NUMA, pc_memory_init, then -device cold plug).

import type { MachineConfig, PassiveDeviceOption } from '../config/types';
import { PASSIVE_DEVICES } from '../config/types';
import type { MachineState } from '../state';
import { parseMachine } from '../config/parse';
import { E, atOption, type QemuError } from '../errors';
import { computeLayout } from './layout';
import { cpuCount } from './cpus';
import { buildMemory, startMemory, SYSTEM_ID, type TreeBuild } from './memory-map';
import { noteLookup } from './dispatch';
import { initAcpi, initIrq } from '../acpi/init';
import { inKernelIrqchip } from './smm';
import { addBackend, backendProps, hostBindingError, backendRegionName } from '../devices/backends';
import { addDevice } from '../devices/qdev';
import { emptyGHash, ghashInsert } from '../qom/ghash';
import { merge, NO_EFFECTS, traceOnly, type Effects, type QmpEvent, type TraceEntry } from '../effects';
import { DEFAULT_QEMU_VERSION, type QemuVersion, messagesOf } from '../versions';
import { RecentBy } from '../recent';

export type BuildResult =
  | { readonly ok: true; readonly state: MachineState; readonly fx: Effects; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly kind: 'refused'; readonly error: QemuError }
  | { readonly ok: false; readonly kind: 'unsupported'; readonly message: string };

/** Start a machine from qemu-system-x86_64 options as the given QEMU release would (default 7.2). */
export function buildFromCommandLine(commandLine: string, version: QemuVersion = DEFAULT_QEMU_VERSION): BuildResult {
  // Start-up is a pure function of the command line and the release, and its result is immutable: the
  // machines most recently started are remembered (suites start the same few machines over and over).
  return started.of(version).get(commandLine, () => {
    const parsed = parseMachine(commandLine, version);
    return Object.freeze(parsed.ok ? buildMachine(parsed.config) : parsed);
  });
}

const started = new RecentBy<QemuVersion, BuildResult>(64);

const refused = (error: QemuError): BuildResult => ({ ok: false, kind: 'refused', error });

/**
 * Start a parsed machine. The release is part of the config (`config.qemu`, from parseMachine); `version`
 * rebuilds a config parsed for another release (the command line is parsed again for that release).
 */
export function buildMachine(config: MachineConfig, version?: QemuVersion): BuildResult {
  if (version !== undefined && version !== config.qemu.version) return buildFromCommandLine(config.commandLine, version);
  return buildMachineWith(config, 'at-once');
}

/** buildMachine with the initial region tree made one way or the other (the same machine: tests compare them). */
export function buildMachineWith(config: MachineConfig, how: TreeBuild): BuildResult {
  // qemu_create_late_backends: memory backends are completed after the machine options (no option
  // location any more, so no prefix). Ids were already checked while the options were parsed.
  for (const b of config.backends) {
    if (b.bools?.prealloc && b.bools.reserve === false) return refused(E.preallocReserve());
    if (b.size === 0n) return refused(E.backendSizeZero(b.type));
    if (b.type === 'memory-backend-memfd' && b.size % 4096n !== 0n) return refused(messagesOf(config.qemu).backingStoreMismatch(b.size, ((b.size + 4095n) / 4096n) * 4096n, backendRegionName(config, b.type, b.id)));
    const bind = hostBindingError(backendProps(b.type, b.bools, { policy: b.policy, hostNodes: b.hostNodes }));
    if (bind) return refused(bind);
  }
  // parse_numa_opts: each -numa node in order, with its option as the error location.
  const numaMemdevs = config.numa.filter((n) => n.memdev !== undefined);
  const present = new Set<number>();
  const cpuNodeOf = new Map<number, number>();
  let haveMemdevs = false;
  let haveMem = false;
  for (const n of config.numa) {
    const at = (e: QemuError) => refused(atOption(`-numa ${n.text}`, e));
    if (n.nodeid >= 128) return at(E.numaMaxNodes(n.nodeid));
    if (present.has(n.nodeid)) return at(E.numaDuplicateNode(n.nodeid));
    // parse_numa_node: each cpus= index against max_cpus (-smp 1), then machine_set_cpu_numa_node.
    for (const cpu of n.cpus ?? []) {
      if (cpu >= cpuCount(config)) return at(E.numaCpuIndex(cpu, cpuCount(config)));
      const was = cpuNodeOf.get(cpu);
      if (was !== undefined && was !== n.nodeid) return at(E.numaCpuAssigned(was));
      cpuNodeOf.set(cpu, n.nodeid);
    }
    haveMemdevs ||= n.memdev !== undefined;
    haveMem ||= n.mem !== undefined;
    if ((n.mem !== undefined && haveMemdevs) || (n.memdev !== undefined && haveMem)) return at(E.numaMemMixed());
    if (n.mem !== undefined && !config.flags.numaMemSupported) return at(E.numaMemUnsupported());
    if (n.memdev !== undefined && !config.backends.some((b) => b.id === n.memdev)) return at(E.numaMemdevAmbiguous(n.memdev));
    present.add(n.nodeid);
  }
  // numa_complete_configuration: with -numa nodes, the nodes' memory must add up to -m.
  // No sparse node ids: the largest missing one is reported first.
  for (let i = Math.max(-1, ...config.numa.map((n) => n.nodeid)); i >= 0; i--) {
    if (!present.has(i)) return refused(E.numaNodeMissing(i));
  }
  if (config.numa.length > 0) {
    const total = numaMemdevs.reduce((s, n) => s + config.backends.find((b) => b.id === n.memdev)!.size, 0n)
      + config.numa.reduce((s, n) => s + (n.mem ?? 0n), 0n);
    if (total !== config.ramSize) return refused(E.numaTotalMismatch(total, config.ramSize));
  } else if (config.backends.some((b) => b.id === 'pc.ram')) {
    // create_default_memdev
    return refused(messagesOf(config.qemu).reservedRamName('pc.ram'));
  }
  const laid = computeLayout(config);
  if (!laid.ok) return refused(laid.error);
  if (config.badGlobal) {
    const g = config.badGlobal;
    return refused(E.globalNotApplied(g.text, g.property));
  }
  const layout = laid.value;

  // Made at once, the memory state comes without its commits' trace: the start-up's effects are then the
  // per-region build's, made if and when they are read (nobody running scenarios reads them).
  const atOnce = how === 'at-once' ? startMemory(config, layout) : undefined;
  const mem = atOnce !== undefined ? { state: atOnce, fx: NO_EFFECTS } : buildMemory(config, layout, how);
  let state: MachineState = {
    config,
    layout,
    mem: mem.state,
    backends: [],
    dimms: [],
    objects: emptyGHash(),
    peripheral: emptyGHash(),
    anonCount: 0,
    acpi: initAcpi(config, layout),
    irq: initialIrq(config),
    qtest: { levels: NO_LEVELS },
  };
  // The main RAM backend: pc.ram, or the -numa memdevs (mapped by the board, so never pluggable).
  if (numaMemdevs.length === 0) {
    const r = addBackend(state, 'memory-backend-ram', 'pc.ram', config.ramSize, true, backendProps('memory-backend-ram', { dump: config.dumpGuestCore !== false }));
    if (!r.ok) return refused(r.error);
    state = r.state;
  }
  for (const b of config.backends) {
    const internal = numaMemdevs.some((n) => n.memdev === b.id);
    const file = b.type === 'memory-backend-file' ? { memPath: b.memPath ?? '', discardData: b.bools?.['discard-data'] ?? false } : undefined;
    // host_memory_backend_init: dump starts from the machine's dump-guest-core.
    const r = addBackend(state, b.type, b.id, b.size, internal, backendProps(b.type, { dump: config.dumpGuestCore !== false, ...b.bools }, { policy: b.policy, hostNodes: b.hostNodes }), file);
    if (!r.ok) return refused(atOption(`-object ${b.text}`, r.error));
    state = r.state;
  }
  // /objects in QEMU's order: the -object backends, then the default RAM backend made by the board.
  let objects = emptyGHash();
  const others = config.otherObjects ?? [];
  const objectIds = config.backends.flatMap((b, i) => [...others.filter((x) => x.before === i).map((x) => x.id), b.id]);
  objectIds.push(...others.filter((x) => x.before >= config.backends.length).map((x) => x.id));
  for (const id of [...objectIds, ...(numaMemdevs.length === 0 ? ['pc.ram'] : [])]) objects = ghashInsert(objects, id);
  state = { ...state, objects };
  let fx = mem.fx;
  // -device options are created in command-line order; DIMMs join /machine/peripheral when realized.
  const passiveFirst = [...config.passiveDevices];
  const insertPassiveBefore = (position: number): QemuError | undefined => {
    // The run's ids join /machine/peripheral one by one; the state takes the table once, at the end of the run.
    let peripheral = state.peripheral;
    while (passiveFirst.length && passiveFirst[0].position < position) {
      const p = passiveFirst.shift()!;
      const err = audioBackendError(config, p);
      if (err) return atOption(`-device ${p.text}`, err);
      if (p.id !== undefined) peripheral = ghashInsert(peripheral, p.id);
    }
    if (peripheral !== state.peripheral) state = { ...state, peripheral };
    return undefined;
  };
  for (const d of config.dimms) {
    const before = insertPassiveBefore(d.position);
    if (before) return refused(before);
    const r = addDevice(state, { driver: 'pc-dimm', id: d.id, props: d.props }, false);
    if (!r.ok) return refused(atOption(`-device ${d.text}`, r.error));
    state = r.state;
    fx = merge(fx, traceOnly(r.fx));
  }
  const last = insertPassiveBefore(Number.MAX_SAFE_INTEGER);
  if (last) return refused(last);
  // The system reset at start-up writes the BIOS image (rom_reset, address_space_write_rom) into the ROM below
  // 4 GiB: the memory view's last lookup is its last byte (info mtree -f -d marks that section [MRU]).
  state = noteLookup(state, SYSTEM_ID, 0xffffffffn);
  return { ok: true, state, fx: atOnce === undefined ? fx : new StartupEffects(config), warnings: layout.warnings };
}

/** qtest's cache of the 24 IOAPIC input levels at start-up: all low (immutable, shared by every machine started). */
const NO_LEVELS: readonly number[] = Array.from({ length: 24 }, () => 0);

/**
 * initIrq(config): a function of what it reads of the config (the irqchip's place, the TCG IOAPIC's version, the
 * HPET, the release's i8259 LTIM), so made once per combination and shared (immutable) by every machine started
 * with it. test/startup-shared.property.test.ts compares it with initIrq on every command line of the suites and
 * the corpus and on generated ones.
 */
export function initialIrq(config: MachineConfig): MachineState['irq'] {
  const key = (inKernelIrqchip(config) ? 8 : 0) + (config.hpet !== false ? 4 : 0) + (config.qemu.i8259Ltim ? 2 : 0);
  let byVersion = IRQ_AT_START[key];
  if (byVersion === undefined) IRQ_AT_START[key] = byVersion = new Map();
  let irq = byVersion.get(config.flags.ioapicVersion);
  if (irq === undefined) byVersion.set(config.flags.ioapicVersion, (irq = initIrq(config)));
  return irq;
}
const IRQ_AT_START: (Map<number, MachineState['irq']> | undefined)[] = [];

/** The effects of a start-up made at once: the per-region build's (the same machine), made on first read. */
class StartupEffects implements Effects {
  private made?: Effects;
  constructor(private readonly config: MachineConfig) {}
  private get fx(): Effects {
    if (this.made === undefined) {
      const r = buildMachineWith(this.config, 'per-region');
      this.made = r.ok ? r.fx : NO_EFFECTS;
    }
    return this.made;
  }
  get events(): readonly QmpEvent[] { return this.fx.events; }
  get irqs(): readonly string[] { return this.fx.irqs; }
  get trace(): readonly TraceEntry[] { return this.fx.trace; }
  get traceEvents(): readonly string[] { return this.fx.traceEvents; }
}

/** An audio front end's backend (its audiodev property, set while the device is created): named, or the release's default. */
function audioBackendError(config: MachineConfig, p: PassiveDeviceOption): QemuError | undefined {
  if (!PASSIVE_DEVICES[p.driver].audio) return undefined;
  const msg = messagesOf(config.qemu);
  if (p.audiodev === undefined) return config.qemu.defaultAudioBackend ? undefined : msg.noDefaultAudioDriver();
  return (config.audiodevs ?? []).includes(p.audiodev) ? undefined : msg.audiodevNotFound(p.driver, p.audiodev);
}

