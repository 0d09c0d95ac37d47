// `hotplug-scenarios fuzz`: the generator (deterministic, valid scenarios that round-trip through YAML), a short
// run against real QEMU, and a planted divergence that must be found, shrunk and written as a replay file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { scenarioArb, scenarioYaml, interpret, type GenOptions } from '../cli/fuzz-gen';
import { fuzz } from '../cli/fuzz';
import { loadReplayScenario, parseReplayScenario, runReplay } from '../transcript/replay-format';
import { compareTranscripts, jsonEqual } from '../transcript/compare';
import { ModelBackend } from '../backends/model';
import type { QmpCommand, StepResult } from '../backends/types';
import { qemuAvailable } from '../backends/qemu/process';
import { main } from '../cli/main';
import { repoPath } from '../paths';

const GEN: GenOptions = { machine: 'any', maxSteps: 12, kvm: false };
const skipQemu = qemuAvailable() ? false : 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';

test('the generator is deterministic for a seed', () => {
  const a = fc.sample(scenarioArb(GEN), { seed: 42, numRuns: 40 });
  const b = fc.sample(scenarioArb(GEN), { seed: 42, numRuns: 40 });
  assert.deepEqual(a, b);
  const c = fc.sample(scenarioArb(GEN), { seed: 43, numRuns: 40 });
  assert.notDeepEqual(a, c);
});

test('generated scenarios parse after going through YAML, start on the model and are fully modelled', async () => {
  const all = fc.sample(scenarioArb(GEN), { seed: 7, numRuns: 250 });
  const kinds = new Set<string>();
  for (const sc of all) {
    const yaml = scenarioYaml(sc, 'a comment\nover two lines');
    const parsed = parseReplayScenario(yaml, 'generated.yaml');
    assert.equal(parsed.machine, sc.machine);
    assert.ok(jsonEqual(parsed.steps, sc.steps), yaml);
    assert.ok(sc.steps.length >= 1 && sc.steps.length <= GEN.maxSteps + 4, `${sc.steps.length} steps`);
    // runReplay throws ScenarioError ("not modelled: ...", unsupported option) on anything the model refuses to guess.
    const t = await runReplay(new ModelBackend(), parsed);
    assert.equal(t.startup.ok, true, `${sc.machine} did not start: ${JSON.stringify(t.startup)}`);
    for (const s of sc.steps) kinds.add('qmp' in s ? s.qmp.execute : 'qtest' in s ? s.qtest.split(' ')[0] : s.hmp);
  }
  for (const k of ['object-add', 'device_add', 'device_del', 'object-del', 'system_reset', 'query-memory-devices', 'inb', 'outb', 'outl', 'readl', 'writel', 'info mtree -f', 'info pic']) {
    assert.ok(kinds.has(k), `no '${k}' step in 250 scenarios`);
  }
});

test('--machine restricts the machine type; the host budget is kept', () => {
  for (const machine of ['pc', 'q35'] as const) {
    // the type itself or one of its versioned names (pc-i440fx-X.Y, pc-q35-X.Y), with or without machine options
    const name = `(${machine}|pc-${machine === 'pc' ? 'i440fx' : 'q35'}-\\d+\\.\\d+)`;
    for (const sc of fc.sample(scenarioArb({ ...GEN, machine }), { seed: 1, numRuns: 30 })) assert.match(sc.machine, new RegExp(`^-M ${name}[ ,]`));
  }
  // 20 object-adds of 1 GiB on a 2 GiB machine: RAM + backends stay ≤ 4 GiB.
  const many = Array.from({ length: 20 }, () => ({ t: 'object-add' as const, size: 3, memfd: false, dup: false, bad: 0 }));
  const sc = interpret({ type: 'pc', ramMiB: 2048, slots: 8, maxmemMiB: 8192, numa: false, hotplugOff: false, kvm: false }, many);
  const total = sc.steps.reduce((n, s) => n + Number(('qmp' in s && (s.qmp.arguments?.size as number)) || 0), 0);
  assert.ok(2048 * 2 ** 20 + total <= 4 * 2 ** 30, `${total} bytes of backends`);
});

test('a short fuzz run finds no difference between the model and QEMU', { skip: skipQemu, timeout: 120_000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-test-'));
  try {
    const r = await fuzz({ ...GEN, runs: 5, seed: 20240601, outDir: out });
    assert.equal(r.failure, undefined, r.failure ? `${r.failure.yaml}\n${r.failure.diffs.map((d) => d.message).join('\n')}${r.failure.error ?? ''}` : '');
    assert.equal(r.scenarios, 5);
    assert.ok(r.steps >= 5);
    assert.ok(r.referenceMs > 0 && r.modelMs > 0);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

/** A model with a planted bug: query-memory-devices reports every DIMM in slot 7. */
class BuggyModel extends ModelBackend {
  override async qmp(command: QmpCommand): Promise<StepResult> {
    const r = await super.qmp(command);
    const list = (r.reply as { return?: unknown }).return;
    if (command.execute !== 'query-memory-devices' || !Array.isArray(list) || list.length === 0) return r;
    return { ...r, reply: { return: list.map((d: { data: object }) => ({ ...d, data: { ...d.data, slot: 7 } })) } };
  }
}

test('a planted divergence is found, shrunk to its few steps and written as a replay file that reproduces it', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-test-'));
  try {
    const r = await fuzz({ ...GEN, machine: 'pc', runs: 200, seed: 1, outDir: out, makeModel: () => new BuggyModel(), makeReference: () => new ModelBackend() });
    const f = r.failure;
    assert.ok(f, 'the planted bug was not found');
    // Minimal: a backend, a DIMM, the query (the machine shrinks to its plainest too).
    assert.deepEqual(f.scenario.steps.map((s) => ('qmp' in s ? s.qmp.execute : '')), ['object-add', 'device_add', 'query-memory-devices']);
    assert.equal(f.scenario.machine, '-M pc -m 1G,slots=2,maxmem=3G');
    assert.match(f.yaml, /^# Found by hotplug-scenarios fuzz --seed 1 --path [\d:]+ \(\d+ shrinks\):\n# steps\[2\]\.reply: expected /);
    assert.equal(f.diffs.length, 1);
    assert.match(f.diffs[0].diff ?? '', /-\s+"slot": 0,\n\+\s+"slot": 7,/);
    // The file reproduces it.
    assert.equal(path.dirname(f.file), out);
    const sc = loadReplayScenario(f.file);
    const diffs = compareTranscripts(await runReplay(new ModelBackend(), sc), await runReplay(new BuggyModel(), sc));
    assert.equal(diffs.length, 1);
    assert.equal(diffs[0].message, f.diffs[0].message);
    // The fast-check path replays the counterexample directly.
    const again = await fuzz({ ...GEN, machine: 'pc', runs: 200, seed: 1, path: f.path, outDir: out, makeModel: () => new BuggyModel(), makeReference: () => new ModelBackend() });
    assert.deepEqual(again.failure?.scenario, f.scenario);
    assert.equal(again.failure?.path, f.path);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('fuzz: bad options exit 2 with a message; without qemu-system-x86_64 it says so and exits 2', async () => {
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (errors.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['fuzz', '--runs', '0'], () => undefined), 2);
    assert.equal(await main(['fuzz', '--machine', 'arm'], () => undefined), 2);
    assert.equal(await main(['fuzz', 'file.yaml'], () => undefined), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(errors.join(''), /--runs expects an integer ≥ 1, got '0'/);
  assert.match(errors.join(''), /--machine expects pc, q35 or any, got 'arm'/);
  assert.match(errors.join(''), /fuzz: unknown argument 'file.yaml'/);

  const cli = repoPath('bin', 'hotplug-scenarios.js');
  const r = spawnSync(process.execPath, [cli, 'fuzz', '--runs', '1'], { env: { ...process.env, PATH: '/nonexistent' }, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /qemu-system-x86_64 not found: install it with `apt-get install qemu-system-x86`; fuzzing needs real QEMU/);
});
