// qemu-system-x86_64 command-line options → MachineConfig. Two kinds of failure:
//  - `unsupported`: an option the model does not model (a scenario problem, never silently ignored);
//  - `refused`: QEMU itself would refuse to start, with its message (machine_set_mem and friends).

import type { SmpConfig, BackendOption, DimmOption, MachineClassFlags, MachineConfig, MachineType, NumaNodeOption, Accel, PassiveDeviceOption, PassiveDriver } from './types';
import { PASSIVE_DEVICES } from './types';
import { E, atOption, type QemuError } from '../errors';
import { MiB, parseQemuSize, U64_MAX } from '../units';
import { DEFAULT_QEMU_VERSION, qemuVersionData, type QemuVersion, type QemuVersionData } from '../versions';
import { versionLe } from '../versions/types';

export type ParseResult =
  | { readonly ok: true; readonly config: MachineConfig }
  | { readonly ok: false; readonly kind: 'refused'; readonly error: QemuError }
  | { readonly ok: false; readonly kind: 'unsupported'; readonly message: string };

const unsupported = (message: string): ParseResult => ({ ok: false, kind: 'unsupported', message });
const refused = (error: QemuError): ParseResult => ({ ok: false, kind: 'refused', error });

/** Split on whitespace; single or double quotes group (for values with spaces, which QEMU options rarely have). */
export function tokenize(commandLine: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(commandLine); m; m = re.exec(commandLine)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/**
 * The comma-separated parts of a QemuOpts string, `,,` being an escaped comma. From comma to comma (a character at a
 * time, each part was a string grown by one character per step); test/config-split.property.test.ts compares it with
 * the character walk.
 */
export function splitOptParts(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let from = 0;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i)) {
    if (text.charCodeAt(i + 1) === 44) {
      // `,,`: one comma of the part, and on after both
      cur += text.slice(from, i + 1);
      i += 2;
    } else {
      parts.push(cur + text.slice(from, i));
      cur = '';
      i += 1;
    }
    from = i;
  }
  parts.push(cur + text.slice(from));
  return parts;
}

/** QEMU's option syntax `a=b,c=d` with `,,` escaping a comma; a leading bare value is the implied key. */
export function splitOpts(text: string, implied?: string): Array<[string, string]> {
  return splitOptParts(text).map((p, i) => {
    const eq = p.indexOf('=');
    if (eq < 0) return i === 0 && implied ? [implied, p] : [p, 'on'];
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}

interface MachineName { type: MachineType; name: string; version: readonly [number, number] }

/** Machine types the model does not model (QEMU has them; the model answers "unsupported", never guesses). */
const UNMODELLED_MACHINES = new Set(['microvm', 'isapc', 'none', 'x-remote', 'help', '?']);

/**
 * `-M NAME` against the release's list: `pc`/`q35` are aliases of its newest types; a versioned name
 * the release lacks is its start-up refusal; anything else the model does not model.
 */
function resolveMachine(name: string, q: QemuVersionData): MachineName | { refused: string } | undefined {
  const wanted = name === 'pc' ? q.aliases.pc : name === 'q35' ? q.aliases.q35 : name;
  const t = q.machineTypes.find((m) => m.name === wanted);
  if (t) return { type: t.type, name: t.name, version: t.version };
  if (UNMODELLED_MACHINES.has(name)) return undefined;
  return { refused: q.unsupportedMachine(name) };
}

/**
 * A machine type's flags: they depend on the type alone (its name gives its kind and version), so each is made once
 * and shared by its configs (readonly).
 */
function machineFlags(m: MachineName): MachineClassFlags {
  let f = flagsByType.get(m.name);
  if (f === undefined) flagsByType.set(m.name, (f = flagsOf(m)));
  return f;
}

const flagsByType = new Map<string, MachineClassFlags>();

function flagsOf(m: MachineName): MachineClassFlags {
  const le = (maj: number, min: number) => versionLe(m.version, [maj, min]);
  const pc = m.type === 'pc';
  return {
    hasReservedMemory: !(pc && le(2, 0)),
    enforceAlignedDimm: !(pc && le(2, 1)),
    brokenReservedEnd: le(2, 4),
    gigabyteAlign: !(pc && le(1, 7)),
    enforceAmd1TbHole: !le(7, 0),
    autoEnableNumaWithMemhp: !le(2, 10),
    autoEnableNumaWithMemdev: !le(5, 0),
    canonicalPathRamblockId: le(3, 1),
    fwCfgDma: !le(2, 4),
    ich9AcpiPciHotplug: !le(6, 0),
    ioapicVersion: le(2, 7) ? 0x11 : 0x20,
    biosSize: pc && le(1, 7) ? 0x20000n : 0x40000n,
    numaMemSupported: le(5, 0),
    smmCompat: le(5, 2),
    // pc_q35_4_0_machine_options: the one type whose default kernel irqchip is split (4.0.1 reverts it)
    kernelIrqchipSplit: m.name === 'pc-q35-4.0',
  };
}

const isIdentifier = (s: string) => /^[A-Za-z][A-Za-z0-9_.-]*$/.test(s);

function parseInt64(text: string): bigint | undefined {
  // QEMU parses integers with strtoll base 0: decimal, 0x hex, leading 0 octal.
  const t = text.trim();
  if (/^[-+]?0x[0-9a-f]+$/i.test(t)) return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t.replace('+', ''));
  if (/^[-+]?0[0-7]+$/.test(t)) { const neg = t.startsWith('-'); const v = BigInt('0o' + t.replace(/^[-+]?0/, '')); return neg ? -v : v; }
  if (/^[-+]?\d+$/.test(t)) return BigInt(t);
  return undefined;
}

interface Acc {
  qemu: QemuVersionData;
  machine?: MachineName;
  /** A -M type the release does not have: refused when the machine is created (after option parsing). */
  machineRefused?: string;
  maxRamBelow4g?: bigint;
  acpi: boolean;
  acpiGiven?: boolean;
  mem?: { size?: string; slots?: string; maxmem?: string; text: string };
  backends: BackendOption[];
  numa: NumaNodeOption[];
  dimms: DimmOption[];
  passive: PassiveDeviceOption[];
  memhp: { PIIX4_PM?: boolean; 'ICH9-LPC'?: boolean };
  /** `-global` texts as given, by driver (for QEMU's "can't apply global" message). */
  globals: { PIIX4_PM?: string; 'ICH9-LPC'?: string };
  accel: Accel;
  hpet?: boolean;
  dumpGuestCore?: boolean;
  /** `-smp`: the CPU count, and the topology when given in full. */
  smp?: { cpus: number; sockets?: number; cores?: number; threads?: number };
  /** `-audiodev none,id=ID` ids, in order (QEMU accepts a repeated one). */
  audiodevs: string[];
  /** `-object secret|rng-random|rng-builtin` ids and types, each with the number of backends before it. */
  otherObjects: { id: string; type: string; before: number }[];
  /** Ids of the `object` and `device` QemuOpts lists: a repeated id is refused while the option is parsed. */
  optIds: { object: Set<string>; device: Set<string> };
}

/** qapi_bool_parse: a bool QOM property's string value. */
function qapiBool(v: string): boolean | undefined {
  if (v === 'on' || v === 'yes' || v === 'true' || v === 'y') return true;
  if (v === 'off' || v === 'no' || v === 'false' || v === 'n') return false;
  return undefined;
}

function onOff(v: string): boolean | undefined {
  if (v === 'on' || v === 'true' || v === 'yes') return true;
  if (v === 'off' || v === 'false' || v === 'no') return false;
  return undefined;
}

/** The options the model reads, each with an argument. */
const NEEDS_ARG: readonly string[] = ['-M', '-machine', '-m', '-object', '-numa', '-device', '-global', '-accel', '-blockdev', '-audiodev', '-smp'];

/** What a passive (libvirt) device may be given besides its driver (audiodev for audio devices, rng for virtio-rng-pci). */
const PASSIVE_PROPS: ReadonlySet<string> = new Set(['id', 'bus', 'addr', 'port', 'chassis', 'multifunction', 'masterbus', 'firstport', 'unit', 'drive', 'chassis_nr', 'chardev', 'lun', 'scsi-id', 'channel', 'nr', 'name', 'cad', 'index']);

/** Parse a command line for one QEMU release (default 7.2): machine types, defaults and words are the release's. */
export function parseMachine(commandLine: string, version: QemuVersion = DEFAULT_QEMU_VERSION): ParseResult {
  const tokens = tokenize(commandLine);
  const acc: Acc = { qemu: qemuVersionData(version), acpi: true, backends: [], numa: [], dimms: [], passive: [], memhp: {}, globals: {}, accel: 'tcg', audiodevs: [], otherObjects: [], optIds: { object: new Set(), device: new Set() } };
  let firstRefusal: ParseResult | undefined;
  let invalidOption: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const opt = tokens[i];
    if (!opt.startsWith('-')) return unsupported(`unexpected argument '${opt}' (options start with '-')`);
    const name = opt.replace(/^--?/, '-');
    if (name === '-chardev' && /^null,id=[A-Za-z][\w.-]*$/.test(tokens[i + 1] ?? '')) {
      // a null character device (libvirt's spicevmc channels stand-in): nothing QEMU shows a hotplug scenario
      i++;
      continue;
    }
    if (name === '-no-hpet') {
      // 7.2: the same as -M ...,hpet=off; 10.0 no longer has it (its first option pass stops there)
      if (acc.qemu.removedOptions.includes(name)) invalidOption ??= opt;
      else acc.hpet = false;
      continue;
    }
    const arg = tokens[i + 1];
    if (!NEEDS_ARG.includes(name)) return unsupported(`unsupported option '${opt}': the model understands ${NEEDS_ARG.join(', ')}, -no-hpet`);
    if (arg === undefined) return unsupported(`option '${opt}' needs an argument`);
    i++;
    // QEMU refuses at the first bad option, but every later option is still checked for being modelled:
    // a line with an unmodelled option is unsupported as a whole (the qemu backend's allowlist relies on it).
    const r = applyOption(acc, name, arg);
    if (r && (r.ok || r.kind === 'unsupported')) return r;
    firstRefusal ??= r;
  }
  const done = finish(acc, commandLine);
  if (done.ok || done.kind !== 'unsupported') {
    // qemu_init's first pass over argv (lookup_opt) refuses an option the release lacks before anything else
    if (invalidOption !== undefined) return refused(E.invalidOption(invalidOption));
    if (firstRefusal) return firstRefusal;
  }
  return done;
}

/** qemu_opts_create: the id must be an identifier and new to its option list (checked at parse time). */
function optsId(acc: Acc, list: 'object' | 'device', option: string, arg: string, kv: ReadonlyArray<readonly [string, string]>): ParseResult | undefined {
  const id = kv.find(([k]) => k === 'id')?.[1];
  if (id === undefined) return undefined;
  if (!isIdentifier(id)) return refused(atOption(`${option} ${arg}`, E.parameterType('id', 'an identifier')));
  if (acc.optIds[list].has(id)) return refused(atOption(`${option} ${arg}`, E.duplicateOptsId(id, list)));
  acc.optIds[list].add(id);
  return undefined;
}

function applyOption(acc: Acc, name: string, arg: string): ParseResult | undefined {
  switch (name) {
    case '-M':
    case '-machine': {
      for (const [k, v] of splitOpts(arg, 'type')) {
        if (k === 'type') {
          const m = resolveMachine(v, acc.qemu);
          if (!m) return unsupported(`unsupported machine '${v}': the model knows pc, q35, pc-i440fx-X.Y and pc-q35-X.Y (QEMU ${acc.qemu.version}: up to ${acc.qemu.aliases.pc} / ${acc.qemu.aliases.q35})`);
          if ('refused' in m) { acc.machineRefused = m.refused; acc.machine = undefined; }
          else { acc.machine = m; acc.machineRefused = undefined; }
        } else if (k === 'max-ram-below-4g') {
          const s = parseQemuSize(v);
          if (s === undefined) return unsupported(`-M max-ram-below-4g: invalid size '${v}'`);
          acc.maxRamBelow4g = s;
        } else if (k === 'acpi') {
          const b = onOff(v);
          if (b === undefined) return unsupported(`-M acpi: expected on or off, got '${v}'`);
          acc.acpi = b;
          acc.acpiGiven = true;
        } else if (k === 'hpet' || k === 'dump-guest-core') {
          // bool machine properties (qapi_bool_parse: on/yes/true/y, off/no/false/n)
          const b = qapiBool(v);
          if (b === undefined) return unsupported(`-M ${k}: expected on or off, got '${v}'`);
          if (k === 'hpet') acc.hpet = b;
          else acc.dumpGuestCore = b;
        } else if (k === 'usb' && qapiBool(v) === false) {
          // usb=off is the default (no USB controller of the board's own); usb=on is not modelled
        } else return unsupported(`unsupported machine property '${k}' in '-M ${arg}'`);
      }
      return undefined;
    }
    case '-m': {
      const mem: NonNullable<Acc['mem']> = { text: arg };
      for (const [k, v] of splitOpts(arg, 'size')) {
        if (k === 'size' || k === 'slots' || k === 'maxmem') mem[k] = v;
        else return unsupported(`unsupported -m property '${k}' in '-m ${arg}'`);
      }
      acc.mem = mem;
      return undefined;
    }
    case '-object': {
      const kv = splitOpts(arg, 'qom-type');
      const type = kv[0][1];
      const idErr = optsId(acc, 'object', '-object', arg, kv);
      if (idErr) return idErr;
      if (type === 'secret' || type === 'rng-random' || type === 'rng-builtin') {
        // libvirt's master key (masterKey0, inline data only: file= would read a host file) and an <rng>'s backend
        // (objrng0, from /dev/urandom or built in): children of /objects, nothing else a hotplug scenario sees.
        const allowed = (k: string, v: string) => k === 'id' || (type === 'secret' ? (k === 'format' && v === 'raw') || k === 'data' : type === 'rng-random' && k === 'filename' && v === '/dev/urandom');
        const bad = kv.slice(1).find(([k, v]) => !allowed(k, v));
        if (bad) return unsupported(`unsupported property '${bad[0]}' in '-object ${arg}'`);
        const id = kv.find(([k]) => k === 'id')?.[1];
        if (id === undefined || (type === 'secret' && !kv.some(([k]) => k === 'data'))) return unsupported(`-object ${arg}: without id (or a secret's data) is not modelled`);
        acc.otherObjects.push({ id, type, before: acc.backends.length });
        return undefined;
      }
      if (type !== 'memory-backend-ram' && type !== 'memory-backend-memfd' && type !== 'memory-backend-file') {
        return unsupported(`unsupported object type '${type}': the model knows memory-backend-ram, memory-backend-memfd and memory-backend-file`);
      }
      let memPath: string | undefined;
      let policy: BackendOption['policy'];
      let hostNodes: number[] | undefined;
      let id: string | undefined;
      let size: bigint | undefined;
      const bools: Record<string, boolean> = {};
      for (const [k, v] of kv.slice(1)) {
        if (k === 'id') id = v;
        else if (k === 'size') {
          size = parseQemuSize(v);
          if (size === undefined) return unsupported(`-object ${arg}: invalid size '${v}'`);
        } else if (k === 'mem-path' && type === 'memory-backend-file') {
          memPath = v;
        } else if (k === 'reserve' || k === 'prealloc' || k === 'share' || k === 'merge' || k === 'dump' || (k === 'discard-data' && type === 'memory-backend-file') || (k === 'seal' && type === 'memory-backend-memfd')) {
          const b = onOff(v);
          if (b === undefined) return unsupported(`-object ${arg}: '${k}' expects on or off`);
          bools[k] = b;
        } else if (k === 'host-nodes' || k === 'policy') {
          // host NUMA binding (libvirt's <numatune>): the host's memory policy is not modelled, nothing the guest sees
          if (k === 'host-nodes' && !/^\d+(-\d+)?$/.test(v)) return unsupported(`-object ${arg}: host-nodes '${v}'`);
          if (k === 'host-nodes' && !/^0(-0)?$/.test(v)) return unsupported(`-object ${arg}: host-nodes '${v}' (a binding to a host node other than 0 depends on the host)`);
          if (k === 'policy' && !['default', 'preferred', 'bind', 'interleave'].includes(v)) return unsupported(`-object ${arg}: policy '${v}'`);
          if (k === 'policy') policy = v as NonNullable<BackendOption['policy']>;
          else hostNodes = [0];
        } else return unsupported(`unsupported property '${k}' in '-object ${arg}'`);
      }
      // The QAPI visit of ObjectOptions: id, then the members (size) in schema order.
      if (id === undefined) return refused(atOption(`-object ${arg}`, E.parameterMissing('id')));
      if (size === undefined) return refused(atOption(`-object ${arg}`, E.parameterMissing('size')));
      if (type === 'memory-backend-file' && memPath === undefined) return refused(atOption(`-object ${arg}`, E.parameterMissing('mem-path')));
      acc.backends.push({ type, id, size, text: arg, bools, ...(memPath !== undefined ? { memPath } : {}), ...(policy ? { policy } : {}), ...(hostNodes ? { hostNodes } : {}) });
      return undefined;
    }
    case '-numa': {
      const kv = splitOpts(arg, 'type');
      if (kv[0][1] !== 'node') return unsupported(`unsupported -numa type '${kv[0][1]}': the model knows 'node'`);
      let nodeid: number | undefined;
      let memdev: string | undefined;
      const cpus: number[] = [];
      let mem: bigint | undefined;
      for (const [k, v] of kv.slice(1)) {
        if (k === 'nodeid') {
          if (!/^\d+$/.test(v)) return unsupported(`-numa ${arg}: nodeid must be a number`);
          nodeid = Number(v);
        } else if (k === 'memdev') memdev = v;
        else if (k === 'mem') {
          // parse_numa: the legacy suffix-less format is MiB (qemu_strtosz_MiB).
          mem = parseQemuSize(v, 'M');
          if (mem === undefined) return unsupported(`-numa ${arg}: invalid size '${v}'`);
        }
        else if (k === 'cpus') {
          const r = /^(\d+)(?:-(\d+))?$/.exec(v);
          if (!r || Number(r[2] ?? r[1]) < Number(r[1]) || Number(r[2] ?? r[1]) > 0xffff) return unsupported(`-numa ${arg}: cpus '${v}' (the model reads cpus=N or cpus=N-M)`);
          for (let c = Number(r[1]); c <= Number(r[2] ?? r[1]); c++) cpus.push(c);
        }
        else return unsupported(`unsupported property '${k}' in '-numa ${arg}'`);
      }
      acc.numa.push({ nodeid: nodeid ?? acc.numa.length, memdev, text: arg, ...(cpus.length ? { cpus } : {}), ...(mem !== undefined ? { mem } : {}) });
      return undefined;
    }
    case '-device': {
      const kv = splitOpts(arg, 'driver');
      // QemuOpts keeps every value and qdev uses the last `driver=`: a second one would name another device.
      if (kv.slice(1).some(([k]) => k === 'driver')) return unsupported(`'-device ${arg}' names the driver twice`);
      const idErr = optsId(acc, 'device', '-device', arg, kv);
      if (idErr) return idErr;
      if (Object.prototype.hasOwnProperty.call(PASSIVE_DEVICES, kv[0][1])) {
        const audio = PASSIVE_DEVICES[kv[0][1]].audio === true;
        const bad = kv.slice(1).find(([k]) => !PASSIVE_PROPS.has(k) && !(audio && k === 'audiodev') && !(k === 'rng' && kv[0][1] === 'virtio-rng-pci'));
        if (bad) return unsupported(`unsupported property '${bad[0]}' in '-device ${arg}'`);
        const audiodev = audio ? kv.find(([k]) => k === 'audiodev')?.[1] : undefined;
        acc.passive.push({ driver: kv[0][1] as PassiveDriver, id: kv.find(([k]) => k === 'id')?.[1], bus: kv.find(([k]) => k === 'bus')?.[1], ...(audiodev !== undefined ? { audiodev } : {}), text: arg, position: acc.dimms.length + acc.passive.length });
        return undefined;
      }
      if (kv[0][1] !== 'pc-dimm') return unsupported(`unsupported device '${kv[0][1]}': the model knows pc-dimm (and libvirt's ${Object.keys(PASSIVE_DEVICES).join(', ')})`);
      const props = kv.slice(1).filter(([k]) => k !== 'id');
      const d: { -readonly [K in keyof DimmOption]: DimmOption[K] } = { text: arg, position: acc.dimms.length + acc.passive.length, props };
      // Property values are checked when the device is created (qdev_device_add), in QEMU's order.
      for (const [k, v] of kv.slice(1)) {
        if (k === 'id' || k === 'memdev') d[k] = v;
        else if (k === 'slot' || k === 'addr' || k === 'node') {
          const n = parseInt64(v);
          if (n !== undefined) d[k] = n;
        }
      }
      acc.dimms.push(d);
      return undefined;
    }
    case '-global': {
      const m = /^(PIIX4_PM|ICH9-LPC)\.memory-hotplug-support=(\w+)$/.exec(arg);
      const b = m ? onOff(m[2]) : undefined;
      if (!m || b === undefined) return unsupported(`unsupported -global '${arg}': the model knows PIIX4_PM.memory-hotplug-support and ICH9-LPC.memory-hotplug-support`);
      acc.memhp[m[1] as 'PIIX4_PM' | 'ICH9-LPC'] = b;
      acc.globals[m[1] as 'PIIX4_PM' | 'ICH9-LPC'] = arg;
      return undefined;
    }
    case '-smp': {
      // smp_parse: either just the CPU count, or the whole topology (sockets, cores, threads; one die); every CPU
      // present at start (maxcpus = cpus). Partial topologies and CPU hotplug are not modelled.
      const kv = splitOpts(arg, 'cpus');
      const n: Record<string, number> = {};
      for (const [k, v] of kv) {
        if (!['cpus', 'sockets', 'dies', 'cores', 'threads', 'maxcpus'].includes(k) || !/^[1-9]\d{0,3}$/.test(v)) return unsupported(`-smp ${arg}: '${k}=${v}' is not modelled`);
        n[k] = Number(v);
      }
      if ((n.dies ?? 1) !== 1) return unsupported(`-smp ${arg}: more than one die is not modelled`);
      const all = n.sockets !== undefined && n.cores !== undefined && n.threads !== undefined;
      if (!all && (n.sockets !== undefined || n.cores !== undefined || n.threads !== undefined)) return unsupported(`-smp ${arg}: a partial topology is not modelled (give sockets, cores and threads)`);
      const cpus = n.cpus ?? (all ? n.sockets * n.cores * n.threads : undefined);
      if (cpus === undefined) return unsupported(`-smp ${arg}: no CPU count`);
      if (all && n.sockets * n.cores * n.threads !== cpus) return unsupported(`-smp ${arg}: a topology that does not multiply to the CPU count is not modelled`);
      if ((n.maxcpus ?? cpus) !== cpus) return unsupported(`-smp ${arg}: maxcpus above cpus (CPU hotplug) is not modelled`);
      if (cpus > 255) return unsupported(`-smp ${arg}: more than 255 CPUs is not modelled`);
      acc.smp = all ? { cpus, sockets: n.sockets, cores: n.cores, threads: n.threads } : { cpus };
      return undefined;
    }
    case '-audiodev': {
      // An audio backend (audio_parse_option, at option-parsing time). Only the `none` driver is modelled: the
      // others play through the host's sound system. It is no QOM object; nothing a hotplug scenario sees.
      const kv = splitOpts(arg, 'driver');
      const driver = kv.find(([k]) => k === 'driver')?.[1];
      if (driver !== 'none') return unsupported(`-audiodev driver '${driver ?? ''}' is not modelled (none; the others use the host's sound system)`);
      const bad = kv.find(([k]) => k !== 'driver' && k !== 'id');
      if (bad) return unsupported(`unsupported property '${bad[0]}' in '-audiodev ${arg}'`);
      const id = kv.find(([k]) => k === 'id')?.[1];
      if (id === undefined) return refused(atOption(`-audiodev ${arg}`, E.parameterMissing('id')));
      acc.audiodevs.push(id);
      return undefined;
    }
    case '-blockdev': {
      // A block node (libvirt's disks; the model's stand-in is null-co): not a QOM object, nothing QEMU shows of it here.
      const kv = splitOpts(arg, 'driver');
      if (kv[0][1] !== 'null-co') return unsupported(`-blockdev driver '${kv[0][1]}' is not modelled (null-co)`);
      return undefined;
    }
    case '-accel': {
      const kv = splitOpts(arg, 'accel');
      const a = kv[0][1];
      if (a !== 'tcg' && a !== 'kvm') return refused(E.invalidAccelerator(a));
      if (kv.length > 1) return unsupported(`unsupported accelerator property in '-accel ${arg}'`);
      acc.accel = a;
      return undefined;
    }
  }
  return unsupported(`unsupported option '${name}'`);
}

function finish(acc: Acc, commandLine: string): ParseResult {
  // select_machine runs before the memory options are applied.
  if (acc.machineRefused !== undefined) return refused(E.unsupportedMachine(acc.machineRefused));
  const machine = (acc.machine ?? resolveMachine('pc', acc.qemu)) as MachineName;
  const flags = machineFlags(machine);
  // CPUs partly mapped to nodes (the rest on default nodes, with QEMU's deprecation warning) are not modelled
  const mapped = new Set(acc.numa.flatMap((n) => n.cpus ?? []));
  const cpusGiven = acc.smp?.cpus ?? 1;
  if (cpusGiven > 1 && mapped.size > 0 && [...mapped].every((c) => c < cpusGiven) && Array.from({ length: cpusGiven }, (_, i) => i).some((i) => !mapped.has(i))) {
    return unsupported('-numa cpus= naming only some of the CPUs (a partial NUMA mapping) is not modelled');
  }
  // machine_set_mem: suffix-less size means MiB; rounded up to 8 KiB.
  let ramSize = 128n * MiB;
  let ramSlots = 0n;
  let maxramSize: bigint;
  const mem = acc.mem;
  if (mem?.size !== undefined) {
    const s = parseQemuSize(mem.size, /\d$/.test(mem.size) ? 'M' : 'B');
    if (s === undefined) return unsupported(`-m ${mem.text}: invalid size '${mem.size}'`);
    if (s !== 0n) ramSize = s;
  }
  ramSize = ((ramSize + 8191n) / 8192n) * 8192n;
  if (ramSize > U64_MAX) return refused(E.ramTooLarge());
  let slotsGiven = false;
  if (mem?.slots !== undefined) {
    const n = parseInt64(mem.slots);
    if (n === undefined || n < 0n) return unsupported(`-m ${mem.text}: invalid slots '${mem.slots}'`);
    ramSlots = n;
    slotsGiven = true;
  }
  if (mem?.maxmem !== undefined) {
    const mx = parseQemuSize(mem.maxmem);
    if (mx === undefined) return unsupported(`-m ${mem.text}: invalid maxmem '${mem.maxmem}'`);
    if (mx < ramSize) return refused(E.maxmemBelowSize(mx, ramSize));
    if (slotsGiven && ramSlots > 0n && mx === ramSize) return refused(E.maxmemEqualsSize(mx, ramSize));
    maxramSize = mx;
  } else {
    if (slotsGiven) return refused(E.slotsWithoutMaxmem());
    maxramSize = ramSize;
  }
  // pc_compat_2_0 turns PIIX4_PM's memory-hotplug-support off (memory hotplug came with the 2.1 types).
  const pcMemhpDefault = !(machine.version[0] < 2 || (machine.version[0] === 2 && machine.version[1] === 0));
  const memhpSupport = machine.type === 'pc' ? acc.memhp.PIIX4_PM ?? pcMemhpDefault : acc.memhp['ICH9-LPC'] ?? true;
  return {
    ok: true,
    config: {
      qemu: acc.qemu,
      type: machine.type,
      machineName: machine.name,
      flags,
      ramSize,
      ramSlots,
      maxramSize,
      maxRamBelow4g: acc.maxRamBelow4g,
      acpi: acc.acpi,
      ...(acc.acpiGiven ? { acpiOption: acc.acpi ? 'on' as const : 'off' as const } : {}),
      memoryHotplugSupport: memhpSupport,
      // A -global for a property the board's device lacks in this release fails when the device is created.
      ...(machine.type === 'q35' && acc.globals['ICH9-LPC'] !== undefined && !acc.qemu.ich9MemoryHotplugProperty
        ? { badGlobal: { text: acc.globals['ICH9-LPC'], property: 'ICH9-LPC.memory-hotplug-support' } } : {}),
      accel: acc.accel,
      backends: acc.backends,
      numa: acc.numa,
      dimms: acc.dimms,
      passiveDevices: acc.passive,
      ...(acc.hpet === false ? { hpet: false } : {}),
      ...(acc.dumpGuestCore === false ? { dumpGuestCore: false } : {}),
      ...(acc.smp && acc.smp.cpus > 1 ? { smp: smpTopology(acc.smp, machine) } : {}),
      ...(acc.audiodevs.length ? { audiodevs: acc.audiodevs } : {}),
      ...(acc.otherObjects.length ? { otherObjects: acc.otherObjects } : {}),
      commandLine,
    },
  };
}

/** smp_parse with only a CPU count: machine types before 6.2 prefer sockets (smp_props.prefer_sockets), later ones cores. */
function smpTopology(smp: NonNullable<Acc['smp']>, machine: MachineName): SmpConfig {
  if (smp.sockets !== undefined && smp.cores !== undefined && smp.threads !== undefined) return { cpus: smp.cpus, sockets: smp.sockets, cores: smp.cores, threads: smp.threads };
  return versionLe(machine.version, [6, 1]) ? { cpus: smp.cpus, sockets: smp.cpus, cores: 1, threads: 1 } : { cpus: smp.cpus, sockets: 1, cores: smp.cpus, threads: 1 };
}

export { isIdentifier, parseInt64 };
