// Child processes that do not outlive their parent. A child is started through util-linux's `setpriv
// --pdeathsig KILL` when it is installed (it sets PR_SET_PDEATHSIG and execs the command, so the child keeps
// its PID and exit status): the kernel kills it when this process dies, even by SIGKILL. SIGINT and SIGTERM
// sent to this process are forwarded to the child, which then ends as it would have on its own.

import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

let setprivPath: string | null | undefined;

/** util-linux's setpriv, if it can set the parent-death signal here (cached). */
export function setpriv(): string | null {
  if (setprivPath === undefined) {
    const r = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5000 });
    setprivPath = !r.error && r.status === 0 ? 'setpriv' : null;
  }
  return setprivPath;
}

/** Spawn `command` so that it is killed (SIGKILL) when this process dies, however it dies (when setpriv exists). */
export function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const sp = setpriv();
  return sp ? spawn(sp, ['--pdeathsig', 'KILL', '--', command, ...args], options) : spawn(command, [...args], options);
}

/**
 * Forward SIGINT and SIGTERM to `child` until it exits. Resolves with its exit code, or re-raises the signal
 * that ended it on this process (so this process ends the same way), after `beforeSignalExit`.
 */
export function forwardSignalsUntilExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve({ code, signal });
    });
  });
}

/** End this process the way `status` says its child ended: the same exit code, or the same signal. */
export function exitLike(status: { code: number | null; signal: NodeJS.Signals | null }): never {
  if (status.signal) {
    process.kill(process.pid, status.signal);
    // Should the signal be ignored here, still end.
  }
  process.exit(status.code ?? 1);
}

/** Whether `command` can be executed: a path that exists, or a name found on PATH. */
export function commandExists(command: string): boolean {
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const ok = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return ok(command);
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && ok(path.join(d, command)));
}

/**
 * A watchdog on a pipe from this process: a tiny `sh` that blocks reading the pipe, which ends only when this
 * process is gone (however it died, SIGKILL included); it then kills `pid` and removes `dir`. Immune to the
 * terminal's SIGINT/SIGTERM/SIGHUP (it must outlive this process), and cancelled once `pid` has been reaped.
 */
export function watchdog(pid: number, dir: string): { cancel(): void } {
  const script = 'trap "" INT TERM HUP; read _; kill -9 "$1" 2>/dev/null; rm -rf -- "$2"';
  const w = spawn('sh', ['-c', script, 'hotplug-scenarios-watchdog', String(pid), dir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  w.on('error', () => undefined);
  w.unref();
  (w.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    cancel: () => {
      try {
        if (w.pid !== undefined && w.exitCode === null) process.kill(w.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}
