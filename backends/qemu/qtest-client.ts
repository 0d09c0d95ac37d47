// A client for QEMU's qtest protocol (softmmu/qtest.c, 7.2): one request line, one response line, with
// asynchronous `IRQ raise N` / `IRQ lower N` lines interleaved anywhere; those are filtered into an IRQ
// list. QEMU g_asserts on malformed requests (a missing argument, a bad number, a port > 0xffff, an empty
// line) and aborts, so every line is validated here and refused before it is sent.

import * as net from 'node:net';
import { ScenarioError } from '../types';
// read/write/b64read/b64write allocate `len` bytes in QEMU: the same bound as the model's
import { MAX_BUFFER } from '../../engine/protocol/qtest';

const IRQ_LINE = /^IRQ (raise|lower) -?\d+$/;

// ---------------------------------------------------------------------------------------------------
// Validation: mirrors the g_asserts of qtest_process_command.

const U64_MAX = (1n << 64n) - 1n;

/** A number as QEMU's qemu_strtoul/qemu_strtou64(…, NULL, 0, …) accepts it (whole word, base 0). */
function parseUnsigned(word: string | undefined): bigint | undefined {
  if (word === undefined || !/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(word)) return undefined;
  const v = /^0[0-7]+$/.test(word) ? BigInt('0o' + word.slice(1)) : BigInt(word);
  return v <= U64_MAX ? v : undefined;
}

/** qemu_strtoi (set_irq_in NUM LEVEL): a signed 32-bit integer. */
function parseInt32(word: string | undefined): bigint | undefined {
  if (word === undefined) return undefined;
  const neg = word.startsWith('-');
  const v = parseUnsigned(neg ? word.slice(1) : word);
  if (v === undefined) return undefined;
  const s = neg ? -v : v;
  return s >= -(1n << 31n) && s < 1n << 31n ? s : undefined;
}

type ArgKind = 'port' | 'u64' | 'ulong' | 'len' | 'len1' | 'i32' | 'word';

const SIGNATURES: Readonly<Record<string, readonly ArgKind[]>> = {
  outb: ['port', 'ulong'], outw: ['port', 'ulong'], outl: ['port', 'ulong'],
  inb: ['port'], inw: ['port'], inl: ['port'],
  writeb: ['u64', 'u64'], writew: ['u64', 'u64'], writel: ['u64', 'u64'], writeq: ['u64', 'u64'],
  readb: ['u64'], readw: ['u64'], readl: ['u64'], readq: ['u64'],
  read: ['u64', 'len1'],
  b64read: ['u64', 'len'],
  write: ['u64', 'len', 'word'],
  b64write: ['u64', 'len', 'word'],
  memset: ['u64', 'len', 'ulong'],
  irq_intercept_in: ['word'], irq_intercept_out: ['word'],
  set_irq_in: ['word', 'word', 'i32', 'i32'],
  module_load: ['word', 'word'],
  endianness: [],
};

const ARG_NAMES: Readonly<Record<ArgKind, string>> = {
  port: 'a port number 0..0xffff',
  u64: 'an unsigned 64-bit number (decimal, 0x hex or 0 octal)',
  ulong: 'an unsigned 64-bit number (decimal, 0x hex or 0 octal)',
  len: `a length up to ${MAX_BUFFER}`,
  len1: `a length 1..${MAX_BUFFER}`,
  i32: 'a signed 32-bit integer',
  word: 'a non-empty word',
};

/**
 * Why QEMU would abort on this qtest request line, or undefined if it is safe to send. Unknown commands
 * are safe (QEMU answers `FAIL Unknown command '...'`); extra trailing words are ignored by QEMU.
 */
export function qtestLineProblem(line: string): string | undefined {
  if (typeof line !== 'string') return 'a qtest line must be a string';
  if (line === '') return 'empty qtest line';
  if (/[\r\n]/.test(line)) return 'a qtest line must not contain line breaks';
  if (/[^\x20-\x7e]/.test(line)) return 'a qtest line must be printable ASCII (words separated by single spaces)';
  const words = line.split(' ');
  const sig = SIGNATURES[words[0]];
  if (words[0] === '') return 'a qtest line must not start with a space';
  if (!sig) return undefined;
  for (let i = 0; i < sig.length; i++) {
    const w = words[i + 1];
    const kind = sig[i];
    const want = `argument ${i + 1} of '${words[0]}' must be ${ARG_NAMES[kind]}`;
    if (w === undefined) return `missing ${want}`;
    if (w === '') return `${want} (empty word: use single spaces)`;
    switch (kind) {
      case 'port': {
        const v = parseUnsigned(w);
        if (v === undefined || v > 0xffffn) return `${want}, got '${w}'`;
        break;
      }
      case 'u64':
      case 'ulong':
        if (parseUnsigned(w) === undefined) return `${want}, got '${w}'`;
        break;
      case 'len':
      case 'len1': {
        const v = parseUnsigned(w);
        if (v === undefined || v > MAX_BUFFER || (kind === 'len1' && v === 0n)) return `${want}, got '${w}'`;
        break;
      }
      case 'i32':
        if (parseInt32(w) === undefined) return `${want}, got '${w}'`;
        break;
      case 'word':
        break;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------

interface Pending {
  readonly resolve: (line: string) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class QtestTimeoutError extends Error {}

export class QtestClient {
  private irqs: string[] = [];
  private readonly queue: Pending[] = [];
  private buffer = '';
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
    private readonly describeClose?: () => Error,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new Error(`qtest socket error: ${e.message}`)));
    socket.on('close', () => this.fail(this.describeClose?.() ?? new Error('qtest connection closed')));
  }

  static async connect(
    socketPath: string,
    timeoutMs: number,
    describeClose?: () => Error,
    requestTimeoutMs = timeoutMs,
  ): Promise<QtestClient> {
    const socket = net.createConnection(socketPath);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`qtest connection not established within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return new QtestClient(socket, requestTimeoutMs, describeClose);
  }

  /** Send one request line (validated first) and wait for its response line. */
  request(line: string): Promise<string> {
    const problem = qtestLineProblem(line);
    if (problem) return Promise.reject(new ScenarioError(`refused qtest line ${JSON.stringify(line)}: ${problem}`));
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.queue.findIndex((p) => p.timer === timer);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new QtestTimeoutError(`qtest request timed out after ${this.timeoutMs} ms: ${line}`));
      }, this.timeoutMs);
      this.queue.push({ resolve, reject, timer });
      this.socket.write(line + '\n');
    });
  }

  /** Take (and forget) the IRQ lines received so far. */
  takeIrqs(): string[] {
    const i = this.irqs;
    this.irqs = [];
    return i;
  }

  close(): void {
    this.closedError ??= new Error('qtest connection closed');
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (IRQ_LINE.test(line)) {
        this.irqs.push(line);
        continue;
      }
      const p = this.queue.shift();
      if (p) {
        clearTimeout(p.timer);
        p.resolve(line);
      }
    }
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }
}
