// A QMP client over a UNIX socket: JSON lines, greeting + qmp_capabilities, an `id` on every command,
// asynchronous events collected in arrival order (timestamps dropped). Integers beyond 2^53 are parsed
// and sent exactly (bigint).

import * as net from 'node:net';
import { parseJson, stringifyJson } from '../../transcript/json';
import type { QmpEvent } from '../../engine/effects';
import type { QmpCommand } from '../types';

/** A QMP reply without its id: `{return: ...}` or `{error: {class, desc}}`. */
export type QmpReply = { readonly return: unknown } | { readonly error: { readonly class: string; readonly desc: string } };

interface Pending {
  readonly resolve: (reply: QmpReply) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly what: string;
}

export class QmpClient {
  /** Events received so far and not yet taken. */
  private events: QmpEvent[] = [];
  private readonly pending = new Map<string, Pending>();
  private buffer = '';
  private nextId = 1;
  private closedError: Error | undefined;
  private greeting: ((v: unknown) => void) | undefined;
  private onClosed: (() => Error) | undefined;
  private closedWaiters: ((e: Error) => void)[] = [];

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new Error(`QMP socket error: ${e.message}`)));
    socket.on('close', () => this.fail(this.onClosed?.() ?? new Error('QMP connection closed')));
  }

  /**
   * Connect, read the greeting and negotiate capabilities within `timeoutMs`. `describeClose` builds the
   * error used when the connection drops (e.g. QEMU died: its stderr and exit status). Each later
   * command times out after `requestTimeoutMs`.
   */
  static async connect(
    socketPath: string,
    timeoutMs: number,
    describeClose?: () => Error,
    requestTimeoutMs = timeoutMs,
  ): Promise<QmpClient> {
    const socket = net.createConnection(socketPath);
    const client = new QmpClient(socket, requestTimeoutMs);
    client.onClosed = describeClose;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`QMP greeting not received within ${timeoutMs} ms`)), timeoutMs);
      client.greeting = () => {
        clearTimeout(timer);
        resolve();
      };
      client.closedWaiters.push((e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const caps = await client.execute({ execute: 'qmp_capabilities' });
    if ('error' in caps) throw new Error(`qmp_capabilities failed: ${caps.error.desc}`);
    return client;
  }

  /** Send one command and wait for its reply (id removed). Rejects on time-out or if the connection drops. */
  execute(command: QmpCommand): Promise<QmpReply> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `hp${this.nextId++}`;
    const message: Record<string, unknown> = { execute: command.execute };
    if (command.arguments !== undefined) message.arguments = command.arguments;
    message.id = id;
    const line = stringifyJson(message) + '\n';
    return new Promise<QmpReply>((resolve, reject) => {
      const what = stringifyJson(command);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpTimeoutError(`QMP command timed out after ${this.timeoutMs} ms: ${what}`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, what });
      this.socket.write(line);
    });
  }

  /** Take (and forget) the events received so far. */
  takeEvents(): QmpEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  close(): void {
    this.closedError ??= new Error('QMP connection closed');
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = parseJson(line) as Record<string, unknown>;
    } catch (e) {
      this.fail(new Error(`QMP: unparsable line from QEMU: ${line}`));
      return;
    }
    if ('QMP' in msg) {
      this.greeting?.(msg);
      this.greeting = undefined;
      return;
    }
    if ('event' in msg) {
      const ev: { event: string; data?: unknown } = { event: msg.event as string };
      if ('data' in msg) ev.data = msg.data;
      this.events.push(ev);
      return;
    }
    const id = msg.id;
    if (typeof id === 'string' && this.pending.has(id)) {
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      clearTimeout(p.timer);
      const reply: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(msg)) if (k !== 'id') reply[k] = v;
      p.resolve(reply as QmpReply);
    }
  }

  private fail(e: Error): void {
    if (this.closedError && this.pending.size === 0 && this.closedWaiters.length === 0) return;
    this.closedError ??= e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
    for (const w of this.closedWaiters.splice(0)) w(e);
  }
}

export class QmpTimeoutError extends Error {}
