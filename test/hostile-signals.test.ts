// Signals and orphans (issue: "no orphan"): QEMU dies with the process that drives it even when that process
// is SIGKILLed, and its socket directory goes too; `hotplug-scenarios run` and reports/run.ts forward SIGTERM
// and SIGINT to Cucumber, so nothing keeps running (or starting QEMUs) in the background.

import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { qemuAvailable, QEMU_NOT_FOUND } from '../backends/qemu';
import { NODE_ARGS, REPO_ROOT, repoPath } from '../paths';

const SKIP = qemuAvailable() ? false : `${QEMU_NOT_FOUND} (skipping the real-QEMU tests)`;

const isAlive = (pid: number) => {
  try {
    // A zombie is as good as gone (its parent has not reaped it yet).
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
async function waitGone(pids: number[], ms = 8000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter(isAlive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Every process below `pid`, with its command name. */
function descendants(pid: number): Array<{ pid: number; comm: string }> {
  const kids = new Map<number, Array<{ pid: number; comm: string }>>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^(\d+) \((.*)\) \S (\d+)/.exec(stat)!;
      const ppid = Number(m[3]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push({ pid: Number(m[1]), comm: m[2] });
    } catch {
      /* gone */
    }
  }
  const out: Array<{ pid: number; comm: string }> = [];
  const walk = (p: number) => { for (const k of kids.get(p) ?? []) { out.push(k); walk(k.pid); } };
  walk(pid);
  return out;
}
async function until<T>(f: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('no orphan', { skip: SKIP }, () => {
  it('SIGKILL of the driving process: QEMU dies and its socket directory is removed', async () => {
    const script = `
      const { QemuBackend } = require(${JSON.stringify(require.resolve('../backends/qemu'))});
      (async () => {
        const b = new QemuBackend();
        await b.start('-M pc -m 1G,slots=2,maxmem=2G');
        console.log('PID ' + b.pid + ' DIR ' + b.tempDir);
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, [...NODE_ARGS, '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => { out += d; });
    const [, pid, dir] = await until(() => /PID (\d+) DIR (\S+)/.exec(out) ?? undefined, 30_000, 'QEMU to start');
    assert.ok(isAlive(Number(pid)) && fs.existsSync(dir));
    child.kill('SIGKILL');
    assert.deepEqual(await waitGone([Number(pid)]), [], `QEMU ${pid} survived SIGKILL of its driver`);
    await until(() => (fs.existsSync(dir) ? undefined : true), 5000, `${dir} to be removed`);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to \`hotplug-scenarios run -p qemu\` reaches Cucumber: nothing keeps running`, async () => {
      const cli = spawn(process.execPath, [repoPath('bin', 'hotplug-scenarios.js'), 'run', '-p', 'quick', '--world-parameters', '{"backend":"qemu"}', repoPath('features', 'libvirt.feature')], { cwd: REPO_ROOT, stdio: 'ignore' });
      // Wait until the suite has started a QEMU, then signal the CLI process alone (not its process group).
      const tree = await until(() => {
        const d = descendants(cli.pid!);
        return d.some((p) => p.comm.startsWith('qemu-system')) ? d : undefined;
      }, 60_000, 'the suite to start QEMU');
      const exited = new Promise<NodeJS.Signals | null>((r) => cli.on('exit', (_c, s) => r(s)));
      cli.kill(signal);
      assert.equal(await exited, signal);
      const left = await waitGone(descendants(cli.pid!).concat(tree).map((p) => p.pid));
      assert.deepEqual(left, [], `still running after ${signal}: ${tree.filter((p) => left.includes(p.pid)).map((p) => `${p.pid} ${p.comm}`).join(', ')}`);
    });
  }
});
