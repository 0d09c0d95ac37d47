// Spawning and reaping qemu-system-x86_64. Every child is registered by PID and killed by PID on close,
// on errors and time-outs, and from process 'exit' / SIGINT / SIGTERM handlers, so no paused QEMU survives
// its driver (QEMU does not exit when its sockets close). Each QEMU runs in a private mkdtemp directory
// that holds its QMP and qtest sockets and is removed with it.

import { spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackendUnavailable, ScenarioError } from '../types';
import { DEFAULT_QEMU_VERSION, type QemuVersion } from '../../engine/versions';
import { commandExists, spawnTied, watchdog } from '../../children';

export const QEMU_BINARY = 'qemu-system-x86_64';
export const QEMU_NOT_FOUND = `${QEMU_BINARY} not found: install it with \`apt-get install qemu-system-x86\``;
const ERROR_PREFIX = `${QEMU_BINARY}: `;

/**
 * How to run one QEMU release: 7.2 is the system's qemu-system-x86_64 (on PATH, or HOTPLUG_QEMU_7_2);
 * other releases live in a private prefix that scripts/install-qemu.sh fills
 * (${HOTPLUG_SCENARIOS_CACHE:-~/.cache/hotplug-scenarios}/qemu-X.Y/root, or HOTPLUG_QEMU_X_Y = the binary),
 * run with that prefix's firmware folders (-L) and its own loadable modules (QEMU_MODULE_DIR).
 */
export interface QemuInstall {
  readonly version: QemuVersion;
  readonly binary: string;
  /** Options before the scenario's: `-L` firmware folders of a private prefix. */
  readonly args: readonly string[];
  /** Extra environment (QEMU_MODULE_DIR of a private prefix). */
  readonly env: Readonly<Record<string, string>>;
  /** The message for a missing binary, naming the install command. */
  readonly notFound: string;
}

/** The environment variable that overrides the binary of a release: HOTPLUG_QEMU_10_0 for 10.0. */
export const qemuEnvVar = (version: QemuVersion): string => `HOTPLUG_QEMU_${version.replace('.', '_')}`;

export function qemuInstall(version: QemuVersion = DEFAULT_QEMU_VERSION): QemuInstall {
  const override = process.env[qemuEnvVar(version)];
  if (version === '7.2') {
    return { version, binary: override || QEMU_BINARY, args: [], env: {}, notFound: override ? `${override} (${qemuEnvVar(version)}) not found: install QEMU 7.2 with \`apt-get install qemu-system-x86\`` : QEMU_NOT_FOUND };
  }
  const cache = process.env.HOTPLUG_SCENARIOS_CACHE || path.join(os.homedir(), '.cache', 'hotplug-scenarios');
  // A binary given by the environment variable: its prefix is two folders up (PREFIX/usr/bin/qemu-...).
  const binary = override || path.join(cache, `qemu-${version}`, 'root', 'usr', 'bin', QEMU_BINARY);
  const root = path.resolve(path.dirname(binary), '..', '..');
  const args: string[] = [];
  for (const d of [path.join(root, 'usr', 'share', 'qemu'), path.join(root, 'usr', 'share', 'seabios')]) if (fs.existsSync(d)) args.push('-L', d);
  const moduleDir = path.join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'qemu');
  return {
    version,
    binary,
    args,
    env: fs.existsSync(moduleDir) ? { QEMU_MODULE_DIR: moduleDir } : {},
    notFound: `QEMU ${version} not found at ${binary}: install it with \`scripts/install-qemu.sh ${version}\` (or set ${qemuEnvVar(version)} to its qemu-system-x86_64)`,
  };
}

const availability = new Map<string, boolean>();

/** Whether the QEMU of this release (default 7.2) can be run here (cached per binary). */
export function qemuAvailable(version: QemuVersion = DEFAULT_QEMU_VERSION): boolean {
  const q = qemuInstall(version);
  let ok = availability.get(q.binary);
  if (ok === undefined) {
    const r = spawnSync(q.binary, [...q.args, '--version'], { stdio: 'ignore', timeout: 10_000, env: { ...process.env, ...q.env } });
    ok = !r.error && r.status === 0;
    availability.set(q.binary, ok);
  }
  return ok;
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
  '-daemonize', '-pidfile', '-nographic', '-vnc', '-incoming', '-loadvm', '-qmp-pretty', '-D', '-d', '-trace',
]);

/** The log file `-D` names when trace events are asked for (inside the private temp dir). */
export const TRACE_LOG = 'trace.log';

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
export function buildCommandLine(machine: string, dir: string, traceEvents?: readonly string[]): QemuCommandLine {
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
    // A null character device (libvirt's spicevmc chardevs' stand-in) touches nothing on the host.
    if (w === '-chardev' && /^null,id=[A-Za-z][\w.-]*$/.test(words[i + 1] ?? '')) {
      rest.push(w, words[++i]);
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
    // Trace events through the log backend: one line per event, flushed as written.
    ...(traceEvents ? [...traceEvents.flatMap((p) => ['-trace', `enable=${p}`]), '-D', path.join(dir, TRACE_LOG)] : []),
    ...rest,
  ];
  return { args, accel };
}

/**
 * QEMU's first error line (warnings skipped, also those with an option's location before them, such as
 * `-numa node,mem=1024: warning: Parameter -numa node,mem is deprecated ...`) without the leading `qemu-system-x86_64: `.
 */
export function firstErrorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  const strip = (l: string) => (l.startsWith(ERROR_PREFIX) ? l.slice(ERROR_PREFIX.length) : l);
  const err = lines.find((l) => !/^(-[^\s:][^:]*: )?warning: /.test(strip(l)));
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
  /** The QEMU release running. */
  version: QemuVersion = DEFAULT_QEMU_VERSION;
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
  static async spawn(machine: string, version: QemuVersion = DEFAULT_QEMU_VERSION, traceEvents?: readonly string[]): Promise<QemuProcess> {
    const install = qemuInstall(version);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotplug-qemu-'));
    let cmd: QemuCommandLine;
    try {
      cmd = buildCommandLine(machine, dir, traceEvents);
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    installHandlers();
    if (!commandExists(install.binary)) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new ScenarioError(install.notFound);
    }
    // QEMU dies with this process even on SIGKILL (PR_SET_PDEATHSIG through setpriv), and a watchdog on a pipe
    // from this process kills it and removes its socket directory should this process die first.
    const child = spawnTied(install.binary, [...install.args, ...cmd.args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...install.env } });
    const spawned = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (e) => resolve(e));
    });
    if (spawned) {
      fs.rmSync(dir, { recursive: true, force: true });
      if ((spawned as NodeJS.ErrnoException).code === 'ENOENT') throw new ScenarioError(install.notFound);
      throw spawned;
    }
    const proc = new QemuProcess(child, dir, cmd.accel);
    proc.version = version;
    const guard = watchdog(proc.pid, dir);
    void proc.exited.then(() => guard.cancel());
    return proc;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** The `-D` trace log (present only when trace events were asked for). */
  get traceLogPath(): string {
    return path.join(this.dir, TRACE_LOG);
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
