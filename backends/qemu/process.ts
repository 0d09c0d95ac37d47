// Spawning and reaping qemu-system-x86_64. Every child is registered by PID and killed by PID on close,
// on errors and time-outs, and from process 'exit' / SIGINT / SIGTERM handlers, so no paused QEMU survives
// its driver (QEMU does not exit when its sockets close). Each QEMU runs in a private mkdtemp directory
// that holds its QMP and qtest sockets and is removed with it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackendUnavailable, ScenarioError } from '../types';

export const QEMU_BINARY = 'qemu-system-x86_64';
export const QEMU_NOT_FOUND = `${QEMU_BINARY} not found: install it with \`apt-get install qemu-system-x86\``;
const ERROR_PREFIX = `${QEMU_BINARY}: `;

let availability: boolean | undefined;

/** Whether qemu-system-x86_64 can be run here (cached). */
export function qemuAvailable(): boolean {
  if (availability === undefined) {
    const r = spawnSync(QEMU_BINARY, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    availability = !r.error && r.status === 0;
  }
  return availability;
}

/** The KVM device checked for `-accel kvm` (HOTPLUG_KVM_DEVICE overrides /dev/kvm, e.g. to test a host without KVM). */
export const kvmDevice = (): string => process.env.HOTPLUG_KVM_DEVICE || '/dev/kvm';

export function kvmAvailable(): boolean {
  try {
    fs.accessSync(kvmDevice(), fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// The registry of live children and the handlers that reap them.

const live = new Map<number, QemuProcess>();
let handlersInstalled = false;

function killAllLive(): void {
  for (const [pid, q] of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    q.removeDirSync();
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllLive();
  uninstallHandlers();
  // Re-raise so the default action (terminate with the signal) still happens.
  process.kill(process.pid, signal);
}
const onSigint = () => onSignal('SIGINT');
const onSigterm = () => onSignal('SIGTERM');
const onExit = () => killAllLive();

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
}

/** PIDs of the QEMU processes this Node process started and has not reaped yet. */
export function livePids(): number[] {
  return [...live.keys()];
}

// ---------------------------------------------------------------------------------------------------
// Command line.

/** Options the backend owns; a scenario may not set them. */
const RESERVED = new Set([
  '-qmp', '-qtest', '-qtest-log', '-monitor', '-mon', '-chardev', '-serial', '-display', '-nodefaults', '-S',
  '-daemonize', '-pidfile', '-nographic', '-vnc', '-incoming', '-loadvm', '-qmp-pretty', '-D', '-d',
]);

/** Split `-M pc -m 1G,slots=4,maxmem=8G ...` into argv words (single or double quotes group words). */
export function splitOptions(options: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(options)) !== null) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

export interface QemuCommandLine {
  readonly args: string[];
  readonly accel: 'tcg' | 'kvm';
}

/**
 * The scenario's options plus the backend's own: paused (`-S`), TCG (or KVM when asked for; refused with
 * BackendUnavailable without /dev/kvm), no display, no default devices, QMP and qtest servers on UNIX sockets in `dir`.
 */
export function buildCommandLine(machine: string, dir: string): QemuCommandLine {
  const words = splitOptions(machine);
  const rest: string[] = [];
  let accel: 'tcg' | 'kvm' = 'tcg';
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-accel' || w === '--accel') {
      const v = words[++i];
      if (v !== 'tcg' && v !== 'kvm') throw new ScenarioError(`unsupported accelerator '${v ?? ''}' (use -accel tcg|kvm)`);
      // Never a silent TCG run under a KVM label: without KVM the scenario cannot run here, and says so.
      if (v === 'kvm' && !kvmAvailable()) {
        throw new BackendUnavailable(`-accel kvm needs KVM, and ${kvmDevice()} is missing or not readable and writable on this host: not run on real QEMU`);
      }
      accel = v;
      continue;
    }
    if (RESERVED.has(w) || RESERVED.has(w.replace(/^--/, '-'))) {
      throw new ScenarioError(`option ${w} is set by the qemu backend and cannot be given in a scenario`);
    }
    rest.push(w);
  }
  const args = [
    '-S', '-accel', accel, '-display', 'none', '-nodefaults',
    '-qmp', `unix:${path.join(dir, 'qmp.sock')},server=on,wait=off`,
    '-qtest', `unix:${path.join(dir, 'qtest.sock')},server=on,wait=off`, '-qtest-log', 'none',
    ...rest,
  ];
  return { args, accel };
}

/** QEMU's first error line (warnings skipped) without the leading `qemu-system-x86_64: `. */
export function firstErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const strip = (l: string) => (l.startsWith(ERROR_PREFIX) ? l.slice(ERROR_PREFIX.length) : l);
  const err = lines.find((l) => !strip(l).startsWith('warning:'));
  return strip(err ?? lines[0] ?? '');
}

// ---------------------------------------------------------------------------------------------------
// One QEMU process.

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function describeExit(s: ExitStatus): string {
  return s.signal ? `killed by signal ${s.signal}` : `exit status ${s.code}`;
}

export class QemuProcess {
  readonly pid: number;
  readonly qmpPath: string;
  readonly qtestPath: string;
  readonly accel: 'tcg' | 'kvm';
  /** Resolves when the process has exited and its stderr is fully read. */
  readonly exited: Promise<ExitStatus>;
  private stderrText = '';
  private exitStatus: ExitStatus | undefined;
  private dirRemoved = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    accel: 'tcg' | 'kvm',
  ) {
    this.pid = child.pid!;
    this.accel = accel;
    this.qmpPath = path.join(dir, 'qmp.sock');
    this.qtestPath = path.join(dir, 'qtest.sock');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (this.stderrText.length < 1 << 20) this.stderrText += s;
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitStatus = { code, signal };
        live.delete(this.pid);
        this.removeDirSync();
        resolve(this.exitStatus);
      });
    });
    live.set(this.pid, this);
  }

  /** Spawn QEMU with the scenario's machine options. Throws ScenarioError if the binary is missing. */
  static async spawn(machine: string): Promise<QemuProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotplug-qemu-'));
    let cmd: QemuCommandLine;
    try {
      cmd = buildCommandLine(machine, dir);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    installHandlers();
    const child = spawn(QEMU_BINARY, cmd.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const spawned = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (e) => resolve(e));
    });
    if (spawned) {
      fs.rmSync(dir, { recursive: true, force: true });
      if ((spawned as NodeJS.ErrnoException).code === 'ENOENT') throw new ScenarioError(QEMU_NOT_FOUND);
      throw spawned;
    }
    return new QemuProcess(child, dir, cmd.accel);
  }

  get stderr(): string {
    return this.stderrText;
  }

  get status(): ExitStatus | undefined {
    return this.exitStatus;
  }

  get alive(): boolean {
    return this.exitStatus === undefined;
  }

  /**
   * Wait until both socket files exist (polling with a bounded deadline). Resolves false if QEMU exits
   * first; throws on time-out.
   */
  async waitForSockets(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let delay = 1;
    for (;;) {
      if (!this.alive) return false;
      if (fs.existsSync(this.qmpPath) && fs.existsSync(this.qtestPath)) return true;
      if (Date.now() > deadline) {
        throw new Error(`QEMU (pid ${this.pid}) did not create its sockets within ${timeoutMs} ms; stderr: ${this.stderr.trim() || '(empty)'}`);
      }
      const exited = await Promise.race([this.exited.then(() => true), sleep(delay).then(() => false)]);
      if (exited) return false;
      delay = Math.min(delay * 2, 20);
    }
  }

  /** SIGKILL by PID (idempotent) and wait for the exit. */
  async kill(): Promise<ExitStatus> {
    if (this.alive) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    return this.exited;
  }

  removeDirSync(): void {
    if (this.dirRemoved) return;
    this.dirRemoved = true;
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
