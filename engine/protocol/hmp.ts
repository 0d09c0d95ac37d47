// HMP (through human-monitor-command): the `info` texts people read, and the classic
// device_add/object_add lines. Output uses "\r\n" line ends, as the monitor writes them.

import type { MachineState } from '../state';
import { E, HMP, ModelLimit } from '../errors';
import { NO_EFFECTS, type Effects } from '../effects';
import { isIdentifier, splitOpts } from '../config/parse';
import { infoMemoryDevices, infoNuma, queryMemorySizeSummary } from '../selectors';
import { infoMemdev } from '../qom/objects';
import { infoVersion } from './build-info';
import { systemPowerdown } from '../acpi/power-button';
import { systemReset } from '../machine/reset';
import { infoQomTree, qomGet, qomList, qomSet } from './qmp-qom';
import { infoMtree } from '../memory/mtree';
import { cpuCount } from '../machine/cpus';
import { dispatchLookups } from '../machine/dispatch';
import { infoIrq, infoPic } from './hmp-irq';
import { infoQtree } from './hmp-qtree';
import { CPU_THREAD_ID_PLACEHOLDER } from './cpu';
import { withOwners } from './hmp-mtree-owners';
import { deleteBackend } from '../devices/backends';
import { objectAdd } from '../devices/object-add';
import { addDevice, qmp_device_del } from '../devices/qdev';

export interface HmpResult {
  readonly state: MachineState;
  readonly reply: string;
  readonly fx: Effects;
}

const text = (state: MachineState, reply: string, fx: Effects = NO_EFFECTS): HmpResult => ({ state, reply, fx });
const errorLine = HMP.error;

type InfoHandler = (state: MachineState, flags: string[]) => HmpResult;

/** The `info` sub-commands the model answers: the one list its dispatcher and the qemu backend's allowlist use. */
const INFO: Readonly<Record<string, InfoHandler>> = {
  mtree: (state, flags) => {
    const f = mtreeFlags(flags);
    if (typeof f === 'string') return text(state, HMP.badArgument('mtree', f, 'info mtree'));
    const flat = f.has('f');
    // -d (the dispatch tree) only means something with -f: without it QEMU prints the plain tree.
    const dispatch = flat && f.has('d');
    // Under KVM the start-up leaves the memory view's most-recently-used section in low RAM, by a lookup not modelled.
    if (dispatch && state.config.accel === 'kvm') throw new ModelLimit(`'info mtree ${flags.join(' ')}' under -accel kvm (the dispatch tree's MRU section after start-up)`);
    const out = infoMtree(state.mem, { flat, accel: state.config.accel, disabled: f.has('D'), dispatch, mru: dispatch ? dispatchLookups(state) : undefined });
    return text(state, f.has('o') ? withOwners(state, out, flat) : out);
  },
  memdev: (state) => text(state, infoMemdev(state)),
  'qom-tree': (state, args) => text(state, infoQomTree(state, args[0])),
  qtree: (state) => text(state, infoQtree(state)),
  memory_size_summary: (state) => {
    const s = queryMemorySizeSummary(state) as { 'base-memory': number | bigint; 'plugged-memory': number | bigint };
    return text(state, `base memory: ${s['base-memory']}\r\nplugged memory: ${s['plugged-memory']}\r\n`);
  },
  status: (state) => text(state, 'VM status: paused (prelaunch)\r\n'),
  version: (state) => text(state, infoVersion(state.config.qemu.monitor.build)),
  'memory-devices': (state) => text(state, infoMemoryDevices(state)),
  numa: (state) => text(state, infoNuma(state)),
  pic: (state) => text(state, infoPic(state)),
  // The boot CPU (the monitor's current one, `*`); its thread is the host's: 0 here, masked by the comparison.
  // Every CPU of -smp, the current one (the boot CPU) marked `*`.
  cpus: (state) => text(state, Array.from({ length: cpuCount(state.config) }, (_, i) => `${i === 0 ? '*' : ' '} CPU #${i}: thread_id=${CPU_THREAD_ID_PLACEHOLDER}\r\n`).join('')),
  irq: (state) => text(state, infoIrq(state)),
};

export const MODELLED_HMP_INFO: readonly string[] = Object.keys(INFO);

/**
 * The monitor's parse of `info mtree`'s flags (args_type "flatview:-f,dispatch_tree:-d,owner:-o,disabled:-D"):
 * each flag in that order, a flag that only comes later skips the current one, one that cannot come any more is
 * an unsupported option, and whatever is left is extraneous. The flags given, or the monitor's complaint.
 */
function mtreeFlags(words: readonly string[]): Set<string> | string {
  const order = ['f', 'd', 'o', 'D'];
  const set = new Set<string>();
  let at = 0;
  for (let i = 0; i < order.length; i++) {
    const w = words[at];
    if (w === undefined || !w.startsWith('-')) continue;
    if (w.length !== 2) throw new ModelLimit(`'info mtree ${words.join(' ')}'`);
    if (w[1] === order[i]) {
      set.add(w[1]);
      at++;
    } else if (!order.slice(i + 1).includes(w[1])) return `unsupported option ${w}`;
  }
  return at < words.length ? 'extraneous characters at the end of line' : set;
}

function info(state: MachineState, args: string[]): HmpResult {
  const [what, ...flags] = args;
  if (what !== undefined && Object.prototype.hasOwnProperty.call(INFO, what)) return INFO[what](state, flags);
  if (what !== undefined && !HMP_INFO_COMMANDS.has(what)) return text(state, HMP.unknownCommand(`info ${what}`));
  throw new ModelLimit(`HMP 'info ${what ?? ''}'`);
}

/** Every HMP command name of QEMU 7.2 (hmp-commands.hx, `|` separating aliases): others are unknown. */
export const HMP_COMMANDS: ReadonlySet<string> = new Set((
  'help ? commit quit q exit_preconfig block_resize block_stream block_job_set_speed block_job_cancel block_job_complete ' +
  'block_job_pause block_job_resume eject drive_del change screendump logfile trace-event trace-file log savevm loadvm ' +
  'delvm singlestep stop s cont c system_wakeup gdbserver x xp gpa2hva gpa2hpa gva2gpa print p i o sendkey sync-profile ' +
  'system_reset system_powerdown sum device_add device_del cpu mouse_move mouse_button mouse_set wavcapture stopcapture ' +
  'memsave pmemsave boot_set nmi ringbuf_write ringbuf_read announce_self migrate migrate_cancel migrate_continue ' +
  'migrate_incoming migrate_recover migrate_pause migrate_set_capability migrate_set_parameter migrate_start_postcopy ' +
  'x_colo_lost_heartbeat client_migrate_info dump-guest-memory dump-skeys migration_mode snapshot_blkdev ' +
  'snapshot_blkdev_internal snapshot_delete_blkdev_internal drive_mirror drive_backup drive_add pcie_aer_inject_error ' +
  'netdev_add netdev_del object_add object_del hostfwd_add hostfwd_remove balloon set_link watchdog_action ' +
  'nbd_server_start nbd_server_add nbd_server_remove nbd_server_stop mce getfd closefd block_set_io_throttle set_password ' +
  'expire_password chardev-add chardev-change chardev-remove chardev-send-break qemu-io qom-list qom-get qom-set ' +
  'replay_break replay_delete_break replay_seek calc_dirty_rate set_vcpu_dirty_limit cancel_vcpu_dirty_limit info dumpdtb'
).split(' '));

/** The `info` sub-commands of QEMU 7.2 (hmp-commands-info.hx). */
export const HMP_INFO_COMMANDS: ReadonlySet<string> = new Set((
  'version network chardev block blockstats block-jobs registers lapic cpus history irq pic rdma pci tlb mem mtree jit ' +
  'opcount sync-profile kvm numa usb usbhost profile capture snapshots status mice vnc spice name uuid usernet migrate ' +
  'migrate_capabilities migrate_parameters balloon qtree qdm qom-tree roms trace-events tpm memdev memory-devices ' +
  'iothreads rocker rocker-ports rocker-of-dpa-flows rocker-of-dpa-groups skeys cmma dump ramblock hotpluggable-cpus ' +
  'vm-generation-id memory_size_summary sev replay dirty_rate vcpu_dirty_limit sgx via stats virtio virtio-status ' +
  'virtio-queue-status virtio-vhost-queue-status virtio-queue-element'
).split(' '));

/** A required string argument (args_type `s`) that is missing. */
const stringExpected = (state: MachineState, cmd: string) => text(state, HMP.stringExpected(cmd));

type HmpHandler = (state: MachineState, rest: string[], cmd: string) => HmpResult;

/** The HMP commands the model answers: the one list its dispatcher and the qemu backend's allowlist use. */
const COMMANDS: Readonly<Record<string, HmpHandler>> = {
  info: (state, rest) => info(state, rest),
  device_add: (state, rest) => {
    const kv = rest.length ? splitOpts(rest.join(' '), 'driver') : [];
    // The `O` argument is parsed into QemuOpts first: a bad id is reported there (on stderr, not here).
    const optsId = kv.find(([k]) => k === 'id')?.[1];
    if (optsId !== undefined && !isIdentifier(optsId)) return text(state, HMP.tryHelp('device_add'));
    const driver = kv.find(([k]) => k === 'driver')?.[1];
    const id = kv.find(([k]) => k === 'id')?.[1];
    const props = kv.filter(([k]) => k !== 'driver' && k !== 'id');
    const r = addDevice(state, { driver, id, props }, true);
    return r.ok ? text(r.state, '', r.fx) : text(state, errorLine(r.error.desc), r.fx);
  },
  device_del: (state, rest, cmd) => {
    if (rest[0] === undefined) return stringExpected(state, cmd);
    const r = qmp_device_del(state, rest[0] ?? '');
    return r.ok ? text(r.state, '', r.fx) : text(state, errorLine(r.error.desc), r.fx);
  },
  object_add: (state, rest, cmd) => {
    if (rest[0] === undefined) return stringExpected(state, cmd);
    // user_creatable_parse_str: keyval_parse with the implied key qom-type, then the QAPI visit.
    const kv = splitOpts(rest.join(' '), 'qom-type');
    const args: Record<string, string> = {};
    for (const [k, v] of kv) args[k] = v;
    const r = objectAdd(state, { mode: 'keyval', args, order: kv.map(([k]) => k) });
    if (r.ok) return text(r.state, '');
    return text(r.state ?? state, errorLine(r.error.desc) + (r.hint ? `${r.hint}\r\n` : ''));
  },
  'qom-list': (state, rest) => {
    if (rest[0] === undefined) return text(state, '/\r\n');
    const r = qomList(state, rest[0]);
    if (!r.ok) return text(state, errorLine(r.error.desc));
    return text(state, (r.value as { name: string; type: string }[]).map((p) => `${p.name} (${p.type})\r\n`).join(''));
  },
  'qom-get': (state, rest, cmd) => {
    if (rest.length < 2) return stringExpected(state, cmd);
    const r = qomGet(state, rest[0], rest[1]);
    if (!r.ok) return text(state, errorLine(r.error.desc));
    const v = r.value;
    // qobject_to_json_pretty: scalars print as JSON; dicts and lists are pretty-printed (not modelled).
    if (typeof v === 'object' && v !== null && typeof v !== 'bigint') throw new ModelLimit(`HMP 'qom-get' of a structured value (${rest[1]})`);
    return text(state, `${typeof v === 'string' ? JSON.stringify(v) : String(v)}\r\n`);
  },
  'qom-set': (state, rest, cmd) => {
    // qom-set [-j] path property value: the value is JSON with -j, else a string parsed for the property's type.
    const json = rest[0] === '-j';
    const args = json ? rest.slice(1) : rest;
    if (args.length < 3) return stringExpected(state, cmd);
    const [path, prop] = args;
    const raw = args.slice(2).join(' ');
    const current = qomGet(state, path, prop);
    if (!current.ok) return text(state, errorLine(current.error.desc));
    let value: unknown = raw;
    if (json) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new ModelLimit(`HMP 'qom-set -j' with the value ${raw}`);
      }
    } else if (typeof current.value === 'boolean') {
      const b = ['on', 'yes', 'true', 'y'].includes(raw) ? true : ['off', 'no', 'false', 'n'].includes(raw) ? false : undefined;
      if (b === undefined) return text(state, errorLine(E.parameterType(prop, "'on' or 'off'").desc));
      value = b;
    } else if (typeof current.value === 'number' || typeof current.value === 'bigint') {
      // The string input visitor's integers; other spellings (sizes, ranges) stay text, which the setters that
      // take them refuse or leave not modelled.
      if (/^-?\d+$/.test(raw)) value = BigInt(raw);
    } else if (typeof current.value === 'object' && current.value !== null) {
      throw new ModelLimit(`HMP 'qom-set' of the structured property ${prop}`);
    }
    // Other properties the model lets be set take strings (policy); the rest are refused whatever the value.
    const r = qomSet(state, path, prop, value);
    return r.ok ? text(r.value, '') : text(state, errorLine(r.error.desc));
  },
  system_powerdown: (state) => {
    const r = systemPowerdown(state);
    return text(r.state, '', r.fx);
  },
  system_reset: (state) => {
    const r = systemReset(state);
    return text(r.state, '', r.fx);
  },
  object_del: (state, rest, cmd) => {
    if (rest[0] === undefined) return stringExpected(state, cmd);
    const r = deleteBackend(state, rest[0] ?? '');
    return r.ok ? text(r.state, '') : text(state, errorLine(r.error.desc));
  },
};

export const MODELLED_HMP_COMMANDS: readonly string[] = Object.keys(COMMANDS);

export function hmp(state: MachineState, line: string): HmpResult {
  const words = line.trim().split(/\s+/);
  const [cmd, ...rest] = words;
  if (cmd !== undefined && Object.prototype.hasOwnProperty.call(COMMANDS, cmd)) return COMMANDS[cmd](state, rest, cmd);
  if (cmd === undefined || cmd === '') return text(state, '');
  if (!HMP_COMMANDS.has(cmd)) return text(state, HMP.unknownCommand(cmd));
  throw new ModelLimit(`HMP command '${cmd}'`);
}
