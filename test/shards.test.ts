// The suite beyond one machine: run as 3 shards (cucumber-js --shard i/3) and merged with
// `hotplug-scenarios report merge`, it gives exactly the scenarios and results of one run; and the qemu profile
// under --parallel 2 gives the results of a serial run and leaves no QEMU behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, repoPath } from '../paths';
import { parseNdjson, readRun } from '../reports/messages';
import { qemuAvailable, QEMU_NOT_FOUND } from '../backends/qemu';

const CUCUMBER = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');

function cucumber(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; out: string } {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, [CUCUMBER, ...args, '--format', `message:${join(dir, 'messages.ndjson')}`, '--format', `junit:${join(dir, 'junit.xml')}`], {
    cwd: REPO_ROOT, encoding: 'utf8', env, timeout: 600_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Each scenario (file:line, name, Examples row) with its result, sorted. */
function results(dir: string): string[] {
  const run = readRun(parseNdjson(readFileSync(join(dir, 'messages.ndjson'), 'utf8')));
  return run.scenarios.map((s) => `${s.uri}:${s.line} ${s.name}${s.example ? ` [${s.example}]` : ''} → ${s.status} (${s.steps.map((st) => st.status[0]).join('')})`).sort();
}

/** The JUnit test cases (class, name, outcome), sorted, and the suite's counters. */
function junit(dir: string): { cases: string[]; counts: string } {
  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? '';
  const counts = ['tests', 'skipped', 'failures', 'errors'].map((k) => `${k}=${new RegExp(`\\s${k}="(\\d+)"`).exec(suite)?.[1]}`).join(' ');
  const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)]
    .map((m) => `${m[1]} / ${m[2]} ${/<failure/.test(m[4] ?? '') ? 'failure' : /<skipped/.test(m[4] ?? '') ? 'skipped' : 'ok'}`)
    .sort();
  return { cases, counts };
}

test('the suite as 3 shards, merged, gives exactly the scenarios and results of one run', () => {
  const base = mkdtempSync(join(tmpdir(), 'shards-'));
  const one = cucumber(join(base, 'one'), ['-p', 'quick']);
  assert.equal(one.code, 0, one.out.slice(-3000));
  const shards = [1, 2, 3].map((i) => {
    const dir = join(base, `shard${i}`);
    const r = cucumber(dir, ['-p', 'quick', '--shard', `${i}/3`]);
    assert.equal(r.code, 0, r.out.slice(-3000));
    return dir;
  });
  // every shard ran some and none ran the same scenario twice
  const perShard = shards.map(results);
  assert.ok(perShard.every((s) => s.length > 0));
  const merge = spawnSync(process.execPath, [repoPath('bin', 'hotplug-scenarios.js'), 'report', 'merge', ...shards, '--out', join(base, 'merged')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(merge.status, 0, merge.stdout + merge.stderr);
  assert.match(merge.stdout, /merged 3 report directories/);
  const all = results(join(base, 'one'));
  assert.ok(all.length > 100, `the whole suite ran (${all.length} scenarios)`);
  assert.deepEqual(results(join(base, 'merged')), all);
  assert.deepEqual(perShard.flat().sort(), all);
  assert.deepEqual(junit(join(base, 'merged')), junit(join(base, 'one')));
  assert.ok(existsSync(join(base, 'merged', 'index.html')));
  assert.match(readFileSync(join(base, 'merged', 'index.html'), 'utf8'), /hotplug-scenarios \(merged\)/);
});

/** Live (not zombie) processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (cmd.includes(text) && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') pids.push(Number(p));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

test('the qemu profile under --parallel 2 gives the serial results and leaves no QEMU behind', { skip: qemuAvailable() ? false : QEMU_NOT_FOUND }, () => {
  const base = mkdtempSync(join(tmpdir(), 'parallel-'));
  // QEMU's private directories go under this TMPDIR, so its command lines name it: that finds any left behind.
  const tmp = mkdtempSync(join(tmpdir(), 'parallel-qemu-tmp-'));
  const env = { ...process.env, TMPDIR: tmp };
  const features = ['features/memory-hotplug-pc.feature', 'features/acpi-gpe-sci.feature'].filter((f) => existsSync(repoPath(f)));
  assert.ok(features.length > 0);
  const serial = cucumber(join(base, 'serial'), ['-p', 'qemu', ...features], env);
  assert.equal(serial.code, 0, serial.out.slice(-3000));
  const parallel = cucumber(join(base, 'parallel'), ['-p', 'qemu', '--parallel', '2', ...features], env);
  assert.equal(parallel.code, 0, parallel.out.slice(-3000));
  assert.deepEqual(results(join(base, 'parallel')), results(join(base, 'serial')));
  assert.ok(results(join(base, 'serial')).length > 0);
  assert.deepEqual(processesMentioning(tmp), [], 'no QEMU left running');
  assert.deepEqual(readdirSync(tmp).filter((d) => d.startsWith('hotplug-qemu-')), [], 'no QEMU directory left behind');
});
