// What the model models, as a yes/no question on a request before anyone runs it: the qemu backend's
// allowlist. A scenario or replay file may come from anywhere; real QEMU will do whatever it is told
// (`migrate` to `exec:CMD` runs a host command, `pmemsave` writes any file, `-debugcon file:PATH` creates
// one), so only what the model answers goes through. The lists are the dispatchers' own tables
// (MODELLED_*), so a command added to the model is allowed to QEMU at the same time.
//
// Names QEMU does not have at all are allowed: QEMU refuses them in its own words, as the model does.
// For device drivers and user-creatable object types that answer depends on the QEMU binary, so the
// verdict asks the caller to look the name up in QEMU's QOM type list (`qom-list-types`).

import type { QemuVersion } from '../versions';
import { parseMachine, splitOpts, tokenize } from '../config/parse';
import { MODELLED_DEVICE } from '../devices/qdev';
import { MODELLED_OBJECT_TYPES, OBJECT_TYPES } from '../devices/object-add';
import { HMP_COMMANDS, HMP_INFO_COMMANDS, MODELLED_HMP_COMMANDS, MODELLED_HMP_INFO } from './hmp';
import { MODELLED_QMP_COMMANDS } from './qmp';
import { MODELLED_QTEST_COMMANDS, QEMU_QTEST_COMMANDS } from './qtest';

export type Verdict =
  | { readonly ok: true }
  /** Not modelled: `what` names it ("QMP command 'migrate'"). */
  | { readonly ok: false; readonly what: string }
  /** Allowed only if QEMU has no QOM type `name` implementing `implements` (then QEMU refuses it too). */
  | { readonly ok: 'unless-qemu-type'; readonly name: string; readonly implements: 'device' | 'user-creatable'; readonly what: string };

const OK: Verdict = { ok: true };
const no = (what: string): Verdict => ({ ok: false, what });

/** HMP command names QEMU 10.0 added to 7.2's (hmp-commands.hx), also not modelled. */
const HMP_COMMANDS_10 = ['one-insn-per-tb', 'xen-event-inject', 'xen-event-list'];
const HMP_INFO_COMMANDS_10 = ['cryptodev'];

const has = (list: readonly string[], name: string) => list.includes(name);

function deviceDriver(driver: unknown, what: string): Verdict {
  if (typeof driver !== 'string' || driver === MODELLED_DEVICE) return OK;
  if (driver === 'help' || driver === '?' || driver.startsWith('{')) return no(what);
  return { ok: 'unless-qemu-type', name: driver, implements: 'device', what };
}

function objectType(type: unknown, what: string): Verdict {
  // memory-backend-file is modelled, but on real QEMU its mem-path creates a file on the host: not from a scenario file
  if (type === 'memory-backend-file') return no(what);
  if (typeof type !== 'string' || has(MODELLED_OBJECT_TYPES, type)) return OK;
  if (OBJECT_TYPES.has(type) || type === 'help' || type.startsWith('{')) return no(what);
  return { ok: 'unless-qemu-type', name: type, implements: 'user-creatable', what };
}

/** A QMP command object as a scenario gives it. */
export function checkQmp(command: unknown): Verdict {
  if (typeof command !== 'object' || command === null) return OK; // malformed: refused by QMP itself
  const { execute, arguments: args } = command as { execute?: unknown; arguments?: unknown };
  if (typeof execute !== 'string') return OK;
  if (!has(MODELLED_QMP_COMMANDS, execute)) return no(`QMP command '${execute}'`);
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  switch (execute) {
    case 'device_add':
      return deviceDriver(a['driver'], `device_add of '${String(a['driver'])}'`);
    case 'object-add':
      return objectType(a['qom-type'], `object-add of '${String(a['qom-type'])}'`);
    case 'human-monitor-command':
      return typeof a['command-line'] === 'string' ? checkHmp(a['command-line']) : OK;
    default:
      return OK;
  }
}

/** QEMU's HMP command name: up to white space or '/' (the format suffix of `x/10x`). */
function hmpWord(text: string): { word: string; rest: string } {
  const m = /^[ \t\n\v\f\r]*([^ \t\n\v\f\r/]*)(.*)$/s.exec(text)!;
  return { word: m[1], rest: m[2] };
}

/** One HMP command line (`info mtree -f`, `device_add pc-dimm,id=d0,memdev=m0`). */
export function checkHmp(line: string): Verdict {
  const { word, rest } = hmpWord(line);
  if (word === '') return rest.trim() === '' ? OK : no(`HMP line '${line.trim()}'`);
  const known = HMP_COMMANDS.has(word) || has(HMP_COMMANDS_10, word);
  if (!has(MODELLED_HMP_COMMANDS, word)) return known ? no(`HMP command '${word}'`) : OK;
  if (rest.startsWith('/')) return no(`HMP command '${word}${rest.split(/\s/)[0]}'`);
  const args = rest.trim();
  switch (word) {
    case 'info': {
      const sub = hmpWord(args);
      if (sub.word === '' || sub.rest.startsWith('/')) return no(`HMP 'info ${args}'`);
      if (has(MODELLED_HMP_INFO, sub.word)) return OK;
      return HMP_INFO_COMMANDS.has(sub.word) || has(HMP_INFO_COMMANDS_10, sub.word) ? no(`HMP 'info ${sub.word}'`) : OK;
    }
    case 'device_add': {
      if (args === '') return OK;
      const drivers = splitOpts(args, 'driver').filter(([k]) => k === 'driver');
      if (drivers.length > 1) return no(`HMP device_add with ${drivers.length} drivers`);
      const driver = drivers[0]?.[1];
      return deviceDriver(args.startsWith('{') ? '{' : driver, `HMP device_add of '${driver ?? args}'`);
    }
    case 'object_add': {
      if (args === '') return OK;
      const types = splitOpts(args, 'qom-type').filter(([k]) => k === 'qom-type');
      if (types.length > 1) return no(`HMP object_add with ${types.length} qom-types`);
      const type = types[0]?.[1];
      return objectType(args.startsWith('{') ? '{' : type, `HMP object_add of '${type ?? args}'`);
    }
    default:
      return OK;
  }
}

/** One qtest request line. */
export function checkQtest(line: string): Verdict {
  const word = line.split(' ')[0];
  if (has(MODELLED_QTEST_COMMANDS, word) || !has(QEMU_QTEST_COMMANDS, word)) return OK;
  return no(`qtest command '${word}'`);
}

/** qemu-system-x86_64 options: every option must be one the model parses (QEMU's own refusals are fine). */
export function checkMachine(options: string, version?: QemuVersion): Verdict {
  const r = parseMachine(options, version);
  if (!r.ok && r.kind === 'unsupported') return no(`machine options: ${r.message}`);
  // Every -object, also on a line QEMU refuses (it may create backends before it refuses the line).
  const words = tokenize(options);
  for (let i = 0; i < words.length - 1; i++) {
    if (words[i].replace(/^--?/, '-') === '-object' && splitOpts(words[i + 1], 'qom-type')[0]?.[1] === 'memory-backend-file') {
      return no('machine options: -object memory-backend-file (its mem-path is a file on the host)');
    }
  }
  return OK;
}
