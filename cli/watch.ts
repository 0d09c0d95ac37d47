// `hotplug-scenarios run --watch`: the inner loop of writing features. Runs the suite once, then watches
// features/ (and the project's own step definitions under it): saving a .feature file re-runs that file;
// saving a step definition file re-runs the feature run last. Ctrl-C stops. Runs in the project directory,
// through reports/run.ts, so the reports are rebuilt each time.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Runs `args` (+ a feature file) through reports/run.ts in `cwd`; resolves with the exit code. */
function runOnce(cwd: string, args: readonly string[]): Promise<number> {
  const { NODE_ARGS } = require('../paths') as typeof import('../paths');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_ARGS, require.resolve('../reports/run'), ...args], { stdio: 'inherit', cwd });
    child.on('exit', (code) => resolve(code ?? 3));
  });
}

export async function watch(cwd: string, args: readonly string[], opts: { once?: (file: string) => boolean; log?: (s: string) => void } = {}): Promise<number> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const dir = path.join(cwd, 'features');
  if (!fs.existsSync(dir)) {
    const { ScenarioError } = await import('../backends/types');
    throw new ScenarioError(`run --watch: no features/ directory in ${cwd}`);
  }
  await runOnce(cwd, args);
  let last: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let queued: string | undefined;
  return new Promise<number>((resolve) => {
    const go = async (file: string): Promise<void> => {
      if (running) {
        queued = file;
        return;
      }
      running = true;
      const target = file.endsWith('.feature') ? file : last;
      if (target) {
        last = target;
        log(`\nwatch: ${path.relative(cwd, file)} changed: running ${path.relative(cwd, target)}`);
        await runOnce(cwd, [...args, path.relative(cwd, target)]);
      } else {
        log(`\nwatch: ${path.relative(cwd, file)} changed: running all features`);
        await runOnce(cwd, args);
      }
      running = false;
      if (opts.once?.(file)) {
        watcher.close();
        resolve(0);
        return;
      }
      if (queued) {
        const q = queued;
        queued = undefined;
        void go(q);
      } else log('watch: waiting for a feature file to be saved (Ctrl-C stops)');
    };
    const watcher = fs.watch(dir, { recursive: true }, (_event, name) => {
      if (!name || !/\.(feature|js|ts|ya?ml|xml)$/.test(String(name))) return;
      const file = path.join(dir, String(name));
      if (!fs.existsSync(file)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void go(file), 150); // editors write a file in several steps
    });
    log('watch: waiting for a feature file to be saved (Ctrl-C stops)');
    process.once('SIGINT', () => {
      watcher.close();
      resolve(130);
    });
  });
}
