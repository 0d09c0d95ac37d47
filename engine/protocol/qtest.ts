// The qtest protocol (softmmu/qtest.c) over the model: the request line's words, port I/O and guest-physical
// reads/writes (dispatched through the memory map by machine/dispatch.ts, guest RAM in memory/ram-overlay.ts),
// IRQ intercepts and the exact reply formats.
// Malformed lines, which make real QEMU abort, answer `FAIL <reason>` here. What is not modelled (a guest
// reset through 0xcf9, SMI and TCO writes, sleep requests) throws ModelLimit instead of answering.

import { qemuOf } from '../versions';
import type { MachineState, QtestState } from '../state';
import { ModelLimit, QTEST } from '../errors';
import { NO_EFFECTS, merge, nest, recordsTrace, trace, type Effects } from '../effects';
import { memRead, memWrite, portRead, portWrite } from '../machine/dispatch';
import { ioapicInput } from '../irq/gsi';
import { qtestWithIntercept, stateWithQtest } from '../records';

export interface QtestResult {
  readonly state: MachineState;
  readonly reply: string;
  readonly fx: Effects;
}

/** Largest buffer `read`/`write`/`memset`/`b64*` accept in the model (QEMU allocates `len` bytes). */
export const MAX_BUFFER = 16n << 20n;

const mask = (bytes: number): bigint => (1n << BigInt(8 * bytes)) - 1n;

// ---------------------------------------------------------------------------------------------------
// The protocol.

/** qemu_strtoul / qemu_strtou64 with base 0: 0x hex, 0 octal, decimal, optional sign (negatives wrap). */
export function parseQemuUnsigned(word: string | undefined, bits = 64): bigint | undefined {
  if (word === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
  if (!m) return undefined;
  const body = m[2];
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  const limit = 1n << BigInt(bits);
  if (v >= limit) return undefined;
  return m[1] === '-' ? (limit - v) % limit : v;
}

/**
 * parseQemuUnsigned's value for the words qtest lines nearly always carry (`0x` and 1-13 hex digits, `0`, a
 * decimal number of up to 15 digits without a sign or leading blanks) as a number: all of them are below 2^53.
 * Undefined for any other word, which takes parseQemuUnsigned (test/qtest-parse.property.test.ts: for every
 * word this answers, parseQemuUnsigned answers the same value).
 */
export function quickUnsigned(word: string): number | undefined {
  const n = word.length;
  if (n === 0 || n > 15) return undefined;
  const c0 = word.charCodeAt(0);
  let v = 0;
  if (c0 === 0x30) {
    if (n === 1) return 0;
    const c1 = word.charCodeAt(1);
    if ((c1 !== 0x78 && c1 !== 0x58) || n === 2) return undefined; // octal, or a bare 0x: the general parse
    for (let i = 2; i < n; i++) {
      const c = word.charCodeAt(i);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) return undefined;
      v = v * 16 + d;
    }
    return v;
  }
  for (let i = 0; i < n; i++) {
    const c = word.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** A port or value word: a number when quickUnsigned reads it, else parseQemuUnsigned's bigint (or undefined). */
function unsignedWord(word: string): number | bigint | undefined {
  return quickUnsigned(word) ?? parseQemuUnsigned(word);
}

/** `v & mask(bytes)` as a number. */
function masked(v: number | bigint, bytes: number): number {
  if (typeof v === 'bigint') return Number(v & mask(bytes));
  // v is an integer below 2^53: the bitwise operators see it modulo 2^32, which keeps the low 4 bytes exact.
  return bytes === 1 ? v & 0xff : bytes === 2 ? v & 0xffff : bytes === 4 ? v >>> 0 : Number(BigInt(v) & mask(bytes));
}

/** 2^31: an int32's bound (made once). */
const I31 = 1n << 31n;

function parseInt32(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
  if (!m) return undefined;
  const b = m[2];
  const v = /^0[xX]/.test(b) ? BigInt(b) : b.length > 1 && b[0] === '0' ? BigInt('0o' + b.slice(1)) : BigInt(b);
  const s = m[1] === '-' ? -v : v;
  if (s < -I31 || s >= I31) return undefined;
  return Number(s);
}

const ok = (state: MachineState, reply: string, fx: Effects = NO_EFFECTS): QtestResult => ({ state, reply, fx });
/** A reply line of the catalogue (QTEST) for a request the model answers without acting. */
const fail = (state: MachineState, reply: string): QtestResult => ({ state, reply, fx: NO_EFFECTS });
const hexPad = (v: bigint | number, width: number) => v.toString(16).padStart(width, '0');

/**
 * What `irq_intercept_*` / `set_irq_in` resolve a QOM path to: the IOAPIC (the only device whose GPIOs are
 * modelled), a few other objects QEMU resolves (host bridge, root bus, pc-dimms: they have no unnamed GPIOs),
 * or nothing (`FAIL Unknown device`, e.g. the ambiguous `i8259`).
 */
function resolveDevice(state: MachineState, path: string): string | undefined {
  const host = state.config.type === 'pc' ? 'i440fx' : 'q35';
  if (path === 'ioapic' || path === `/machine/${host}/ioapic`) return 'ioapic';
  if (path === `/machine/${host}` || path === `/machine/${host}/${host === 'q35' ? 'pcie.0' : 'pci.0'}`) return path;
  for (const d of state.dimms) if (d.path === path) return path;
  return undefined;
}

function intercept(state: MachineState, words: string[]): QtestResult {
  const kind = words[0] === 'irq_intercept_in' ? 'in' : 'out';
  if (words[1] === undefined) return fail(state, QTEST.wouldAbort(`${words[0]}: missing QOM path`));
  const dev = resolveDevice(state, words[1]);
  if (!dev) return ok(state, QTEST.unknownDevice());
  if (qemuOf(state.config).qtestDeviceCastAborts && /\/(pci|pcie)\.0$/.test(dev)) {
    throw new ModelLimit(`${words[0]} on ${dev}, a bus: QEMU ${qemuOf(state.config).version} aborts (its DEVICE() cast asserts)`);
  }
  if (state.qtest.intercept) {
    return state.qtest.intercept.target === dev ? ok(state, 'OK') : ok(state, QTEST.interceptAlreadyEnabled());
  }
  // The IOAPIC has only unnamed GPIO inputs: intercepting its outputs installs nothing; other devices have none.
  const qtest: QtestState = qtestWithIntercept(state.qtest, { kind: dev === 'ioapic' ? kind : 'out', target: dev });
  const note = dev === 'ioapic' && kind === 'in' ? 'ioapic: 24 inputs' : `${dev}: nothing to intercept`;
  return ok(stateWithQtest(state, qtest), 'OK', trace(kind === 'in' ? 'qemu_irq_intercept_in' : 'qdev_intercept_gpio_out', note));
}

const WIDTH: Readonly<Record<string, number>> = { b: 1, w: 2, l: 4, q: 8 };

/**
 * The low `len` bytes (1..8) of `value`, least significant first: `Number((value >> BigInt(8 * i)) & 0xffn)` for
 * each, taken from the value's two 32-bit halves as numbers (test/qtest-bytes.property.test.ts).
 */
export function leBytes(value: bigint, len: number): number[] {
  const lo = Number(value & 0xffffffffn);
  const hi = len > 4 ? Number((value >> 32n) & 0xffffffffn) : 0;
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(i < 4 ? (lo >>> (8 * i)) & 0xff : (hi >>> (8 * (i - 4))) & 0xff);
  return out;
}

/**
 * `hexPad(bytes.reduce((acc, b, i) => acc | (BigInt(b) << BigInt(8 * i)), 0n), 16)` for up to 8 bytes of
 * 0..255 (a memory read's bytes), by two 32-bit numbers (test/qtest-bytes.property.test.ts).
 */
export function leHex16(bytes: readonly number[]): string {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (i < 4) lo = (lo | (bytes[i] << (8 * i))) >>> 0;
    else hi = (hi | (bytes[i] << (8 * (i - 4)))) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/**
 * `line.split(' ')` (the words of a request line, empty ones between repeated blanks included), by indexOf: V8's
 * split costs about twice as much on these short lines, and every qtest step splits one
 * (test/qtest-parse.property.test.ts: the same words as split for any line).
 */
export function qtestWords(line: string): string[] {
  const words: string[] = [];
  let from = 0;
  for (;;) {
    const i = line.indexOf(' ', from);
    if (i < 0) {
      words.push(from === 0 ? line : line.slice(from));
      return words;
    }
    words.push(line.slice(from, i));
    from = i + 1;
  }
}

function run(state: MachineState, line: string): QtestResult {
  const words = qtestWords(line);
  const cmd = words[0];
  if (line === '' || cmd === undefined) return fail(state, QTEST.wouldAbort('empty line'));
  switch (cmd) {
    case 'irq_intercept_in':
    case 'irq_intercept_out':
      return intercept(state, words);
    case 'set_irq_in': {
      if (words.length < 5) return fail(state, QTEST.wouldAbort('set_irq_in: expected PATH NAME NUM LEVEL'));
      const dev = resolveDevice(state, words[1]);
      if (!dev) return ok(state, QTEST.unknownDevice());
      if (dev !== 'ioapic') return fail(state, QTEST.beyondModel(`set_irq_in: ${dev} has no GPIO inputs in the model`));
      const num = parseInt32(words[3]);
      const level = parseInt32(words[4]);
      if (num === undefined || level === undefined) return fail(state, QTEST.wouldAbort('set_irq_in: NUM and LEVEL must be integers'));
      if (words[2] !== 'unnamed-gpio-in' || num < 0 || num >= 24) return fail(state, QTEST.wouldAbort(`set_irq_in: ${dev} has no input '${words[2]}' ${num}`));
      const t = ioapicInput(state, num, level, 0);
      return ok(t.state, 'OK', t.fx);
    }
    case 'outb':
    case 'outw':
    case 'outl': {
      if (words[1] === undefined || words[2] === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: expected PORT VALUE`));
      const port = unsignedWord(words[1]);
      const value = unsignedWord(words[2]);
      if (port === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: bad port '${words[1]}'`));
      if (value === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: bad value '${words[2]}'`));
      if (port > 0xffff) return fail(state, QTEST.wouldAbort(`${cmd}: port ${words[1]} > 0xffff`));
      const len = WIDTH[cmd[3]];
      const v = masked(value, len);
      const t = portWrite(state, Number(port), len, v);
      // Unrecorded (engine/effects.ts), the access's own effects are all there is (nest only moves trace entries).
      return ok(t.state, 'OK', recordsTrace() ? merge(trace(`cpu_${cmd}`, () => `0x${hexPad(port, 4)} 0x${hexPad(v, 2 * len)}`), nest(t.fx)) : t.fx);
    }
    case 'inb':
    case 'inw':
    case 'inl': {
      if (words[1] === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: expected PORT`));
      const port = unsignedWord(words[1]);
      if (port === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: bad port '${words[1]}'`));
      if (port > 0xffff) return fail(state, QTEST.wouldAbort(`${cmd}: port ${words[1]} > 0xffff`));
      const r = portRead(state, Number(port), WIDTH[cmd[2]]);
      return ok(r.state, `OK 0x${hexPad(r.value >>> 0, 4)}`, recordsTrace() ? merge(trace(`cpu_${cmd}`, () => `0x${hexPad(port, 4)} → 0x${hexPad(r.value >>> 0, 4)}`), nest(r.fx)) : r.fx);
    }
    case 'writeb':
    case 'writew':
    case 'writel':
    case 'writeq': {
      if (words[1] === undefined || words[2] === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: expected ADDR VALUE`));
      const addr = parseQemuUnsigned(words[1]);
      const value = parseQemuUnsigned(words[2]);
      if (addr === undefined || value === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: bad number`));
      const len = WIDTH[cmd[5]];
      const data = leBytes(value, len);
      const t = memWrite(state, addr, data);
      return ok(t.state, 'OK', recordsTrace() ? merge(trace('address_space_write', () => `0x${addr.toString(16)} (${len})`), nest(t.fx)) : t.fx);
    }
    case 'readb':
    case 'readw':
    case 'readl':
    case 'readq': {
      if (words[1] === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: expected ADDR`));
      const addr = parseQemuUnsigned(words[1]);
      if (addr === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: bad address '${words[1]}'`));
      const len = WIDTH[cmd[4]];
      const r = memRead(state, addr, len);
      return ok(r.state, `OK 0x${leHex16(r.bytes)}`, r.fx);
    }
    case 'read':
    case 'b64read': {
      const addr = parseQemuUnsigned(words[1]);
      const len = parseQemuUnsigned(words[2]);
      if (addr === undefined || len === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: expected ADDR SIZE`));
      if (cmd === 'read' && len === 0n) return fail(state, QTEST.wouldAbort('read: SIZE 0'));
      if (len > MAX_BUFFER) return fail(state, QTEST.beyondModel(`${cmd}: SIZE larger than the model's ${MAX_BUFFER} bytes`));
      const r = memRead(state, addr, Number(len));
      const reply = cmd === 'read' ? `OK 0x${r.bytes.map((b) => hexPad(b, 2)).join('')}` : `OK ${Buffer.from(r.bytes).toString('base64')}`;
      return ok(r.state, reply, r.fx);
    }
    case 'write':
    case 'b64write': {
      const addr = parseQemuUnsigned(words[1]);
      const len = parseQemuUnsigned(words[2]);
      if (addr === undefined || len === undefined || words[3] === undefined) return fail(state, QTEST.wouldAbort(`${cmd}: expected ADDR SIZE DATA`));
      if (len > MAX_BUFFER) return fail(state, QTEST.beyondModel(`${cmd}: SIZE larger than the model's ${MAX_BUFFER} bytes`));
      if (words[3].length < 3) return ok(state, QTEST.invalidArgumentSize());
      let data: number[];
      if (cmd === 'write') {
        const nib = (c: string) => { const v = parseInt(c, 16); return Number.isNaN(v) ? 0xff : v; };
        data = Array.from({ length: Number(len) }, (_, i) => (i * 2 + 4 <= words[3].length ? ((nib(words[3][i * 2 + 2]) << 4) | nib(words[3][i * 2 + 3])) & 0xff : 0));
      } else {
        const dec = [...Buffer.from(words[3], 'base64')];
        data = Array.from({ length: Number(len) }, (_, i) => dec[i] ?? 0);
      }
      const t = memWrite(state, addr, data);
      return ok(t.state, 'OK', t.fx);
    }
    case 'memset': {
      const addr = parseQemuUnsigned(words[1]);
      const len = parseQemuUnsigned(words[2]);
      const pattern = parseQemuUnsigned(words[3]);
      if (addr === undefined || len === undefined || pattern === undefined) return fail(state, QTEST.wouldAbort('memset: expected ADDR SIZE VALUE'));
      if (len === 0n) return ok(state, 'OK');
      const t = memWrite(state, addr, { fill: Number(pattern & 0xffn), len });
      return ok(t.state, 'OK', t.fx);
    }
    case 'endianness':
      return ok(state, 'OK little');
    default:
      return ok(state, QTEST.unknownCommand(cmd));
  }
}

/**
 * The qtest commands the model answers (the cases of `run`). `clock_step`/`clock_set` are answered as QEMU does
 * without the qtest accelerator (an unknown command); the backends never use `-accel qtest`.
 */
export const MODELLED_QTEST_COMMANDS: readonly string[] = [
  'irq_intercept_in', 'irq_intercept_out', 'set_irq_in', 'outb', 'outw', 'outl', 'inb', 'inw', 'inl',
  'writeb', 'writew', 'writel', 'writeq', 'readb', 'readw', 'readl', 'readq', 'read', 'b64read', 'write', 'b64write',
  'memset', 'endianness', 'clock_step', 'clock_set',
];

/** Every qtest command of QEMU 7.2 and 10.0 (system/qtest.c): a word outside this list is unknown to QEMU. */
export const QEMU_QTEST_COMMANDS: readonly string[] = [...MODELLED_QTEST_COMMANDS, 'module_load', 'rtas', 'log'];

/**
 * One qtest request line → the model's response line (without "\n"), new state and effects. What the model
 * does not model throws ModelLimit ("not modelled: ..."), and an engine bug throws too: neither may look like
 * QEMU's own `FAIL` answer.
 */
export function qtestLine(state: MachineState, line: string): QtestResult {
  return run(state, line);
}


