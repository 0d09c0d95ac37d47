// The command line as a user meets it: transcripts on stdout, clear errors with exit code 2 for bad input,
// never a stack trace for a user mistake.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../transcript/json';
import { repoPath } from '../paths';

const BIN = repoPath('bin', 'hotplug-scenarios.js');
const dir = mkdtempSync(join(tmpdir(), 'hs-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function scenario(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace was printed');

test('replay --json prints one transcript object per line, in file order', () => {
  const a = repoPath('test', 'replay/examples/refused-slot.yaml');
  const b = repoPath('test', 'replay/examples/startup-refused.yaml');
  const r = run('replay', a, b, '--json');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const [t1, t2] = lines.map((l) => parseJson(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(t1), ['machine', 'startup', 'steps']);
  assert.equal(t1.machine, '-M q35 -m 1G,slots=2,maxmem=3G');
  assert.deepEqual(t2, { machine: '-M pc -m 512M,slots=2', startup: { ok: false, error: 'slots specified but no max-size' }, steps: [] });
});

test('replay --trace adds the causal path of each step', () => {
  const r = run('replay', repoPath('test', 'replay/examples/plug-one-dimm-pc.yaml'), '--json', '--trace');
  assert.equal(r.code, 0, r.err);
  const t = parseJson(r.out) as { steps: Array<{ trace: Array<{ fn: string }> }> };
  assert.ok(t.steps[1].trace.some((e) => e.fn === 'pc_dimm_pre_plug'));
  assert.ok(t.steps[1].trace.some((e) => e.fn === 'acpi_send_event'));
});

test('replay --trace of a libvirt scenario: libvirt\'s functions, QEMU\'s trace below the monitor call that sent it', () => {
  const r = run('replay', repoPath('test', 'libvirt/seed-pc.yaml'), '--json', '--trace');
  assert.equal(r.code, 0, r.err);
  const t = parseJson(r.out) as { steps: Array<{ trace: Array<{ fn: string; depth: number }> }> };
  const chain = (i: number) => t.steps[i].trace.map((e) => `${e.depth} ${e.fn}`);
  const attach = chain(0);
  for (const hop of ['0 virDomainAttachDeviceFlags', '1 qemuDomainAttachDeviceFlags', '2 qemuDomainAttachMemory', '3 qemuMonitorAddObject', '3 qemuMonitorAddDeviceProps', '4 qmp_device_add', '2 qemuDomainUpdateDeviceList']) {
    assert.ok(attach.includes(hop), `attach trace has ${hop}:\n${attach.join('\n')}`);
  }
  assert.ok(attach.indexOf('3 qemuMonitorAddDeviceProps') < attach.indexOf('4 qmp_device_add'));
  const detach = chain(4);
  let at = -1;
  for (const hop of ['0 virDomainDetachDeviceFlags', '2 qemuDomainDetachDeviceLive', '3 qemuDomainDetachPrepMemory', '3 qemuDomainDeleteDevice', '4 qemuMonitorDelDevice', '5 qmp_device_del',
    '3 qemuDomainWaitForDeviceRemoval', '3 qemuDomainRemoveDevice', '4 qemuDomainRemoveMemoryDevice', '5 qemuMonitorDelObject']) {
    const i = detach.indexOf(hop, at + 1);
    assert.ok(i > at, `detach trace has ${hop} after the previous hop:\n${detach.join('\n')}`);
    at = i;
  }
  const text = run('replay', repoPath('test', 'libvirt/seed-pc.yaml'), '--trace');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /trace:\n {6}virDomainAttachDeviceFlags \(VIR_DOMAIN_AFFECT_LIVE\)\n {8}qemuDomainAttachDeviceFlags\n {10}qemuDomainAttachMemory\n {12}qemuMonitorAddObject \(memdimm0\)/);
});

test('the readable rendering shows requests, replies and events', () => {
  const r = run('replay', repoPath('test', 'replay/examples/gpe-sci-and-eject-pc.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\[5\] qtest> outb 0xafe2 0x08\n {4}< OK\n {4}irq: IRQ raise 9/);
  assert.match(r.out, /event: \{"event":"DEVICE_DELETED","data":\{"device":"dimm1","path":"\/machine\/peripheral\/dimm1"\}\}/);
});

const badInputs: Array<[string, string, RegExp]> = [
  ['bad-yaml.yaml', 'machine: -M pc\nsteps:\n  - qmp: {execute: [\n', /bad-yaml\.yaml/],
  ['unknown-kind.yaml', 'machine: -M pc\nsteps:\n  - qmpp: {execute: query-status}\n', /unknown-kind\.yaml:3: step 1: unknown step kind 'qmpp'/],
  ['no-execute.yaml', 'machine: -M pc\nsteps:\n  - qmp: {arguments: {}}\n', /no-execute\.yaml.*step 1/],
  ['no-machine.yaml', 'steps: []\n', /no-machine\.yaml/],
  ['two-kinds.yaml', 'machine: -M pc\nsteps:\n  - {qtest: endianness, hmp: info pic}\n', /two-kinds\.yaml.*step 1/],
  ['unsupported.yaml', 'machine: -M pc -rtc base=utc\nsteps: []\n', /unsupported option '-rtc'/],
  ['unmodelled.yaml', 'machine: -M pc\nsteps:\n  - qmp: {execute: query-pci}\n', /not modelled: QMP command 'query-pci'/],
];
for (const [name, text, message] of badInputs) {
  test(`bad input is refused clearly: ${name}`, () => {
    const r = run('replay', scenario(name, text));
    assert.equal(r.code, 2, `exit code ${r.code}: ${r.err}`);
    assert.match(r.err, message);
    assert.match(r.err, /^hotplug-scenarios: /);
    noStack(r.err);
    assert.equal(r.out, '', 'nothing is printed for a scenario that failed to load');
  });
}

test('a missing file, an unknown option or command is exit code 2 with usage', () => {
  for (const args of [['replay', join(dir, 'nope.yaml')], ['replay', '--frobnicate', 'x.yaml'], ['frobnicate'], ['replay']]) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    noStack(r.err);
  }
  assert.match(run('replay', '--frobnicate', 'x.yaml').err, /unknown option '--frobnicate'/);
  assert.match(run('help').out, /usage: hotplug-scenarios/);
});

test('a malformed qtest line gets QEMU-style FAIL from the model, not a crash', () => {
  const f = scenario('bad-qtest.yaml', 'machine: -M pc\nsteps:\n  - qtest: inb\n  - qtest: outb 0x10000 1\n');
  const r = run('replay', f, '--json');
  assert.equal(r.code, 0, r.err);
  const t = parseJson(r.out) as { steps: Array<{ reply: string }> };
  assert.match(t.steps[0].reply, /^FAIL /);
  assert.match(t.steps[1].reply, /^FAIL /);
});

test('replay: a file that stops (not modelled, malformed) still lets every other file print its transcript', () => {
  const a = repoPath('test', 'replay/examples/refused-slot.yaml');
  const stops = scenario('stops.yaml', 'machine: -M pc -m 1G\nsteps:\n  - qmp: {execute: query-status}\n  - hmp: info jit\n');
  const bad = scenario('bad.yaml', 'machine: -M pc -m 1G\nsteps:\n  - frob: 1\n');
  const b = repoPath('test', 'replay/examples/startup-refused.yaml');
  const r = run('replay', a, stops, bad, b, '--json');
  assert.equal(r.code, 2);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 2, r.out);
  assert.equal((parseJson(lines[0]) as Record<string, unknown>).machine, '-M q35 -m 1G,slots=2,maxmem=3G');
  assert.equal((parseJson(lines[1]) as Record<string, unknown>).machine, '-M pc -m 512M,slots=2');
  assert.match(r.err, new RegExp(`${stops.replace(/[.\\/]/g, '\\$&')}:4: step 2: not modelled: HMP 'info jit'`));
  assert.match(r.err, new RegExp(`${bad.replace(/[.\\/]/g, '\\$&')}:3: step 1: unknown step kind 'frob'`));
  noStack(r.err);
});

test('every command has --help (exit 0) listing its options; --version prints the package version', () => {
  for (const cmd of ['run', 'replay', 'diff', 'fuzz']) {
    const r = run(cmd, '--help');
    assert.equal(r.code, 0, `${cmd} --help: ${r.err}`);
    assert.match(r.out, new RegExp(`^usage: hotplug-scenarios ${cmd}`));
    assert.match(r.out, /--help/);
    assert.deepEqual(run('help', cmd).out, r.out, `help ${cmd}`);
  }
  assert.match(run('replay', '-h').out, /--backend NAME/);
  assert.match(run('fuzz', '--help').out, /--runs N/);
  const pkg = JSON.parse(require('node:fs').readFileSync(repoPath('package.json'), 'utf8')) as { version: string };
  const v = run('--version');
  assert.equal(v.code, 0);
  assert.equal(v.out.trim(), pkg.version);
});

test('one error style for every command: exit 2, "hotplug-scenarios: COMMAND: what was wrong", usage, no stack', () => {
  const cases: Array<[string[], RegExp]> = [
    [['replay', '--backend', 'kvm', 'x.yaml'], /^hotplug-scenarios: replay: --backend expects model or qemu, got 'kvm'/],
    [['replay', 'x.yaml', '--backend'], /^hotplug-scenarios: replay: --backend expects model or qemu, got nothing/],
    [['replay', '--json=yes', 'x.yaml'], /^hotplug-scenarios: replay: --json takes no value/],
    [['replay'], /^hotplug-scenarios: replay: expects FILE\.yaml\.\.\., got none/],
    [['diff', '--json', 'x.yaml'], /^hotplug-scenarios: diff: unknown option '--json'/],
    [['fuzz', '--runs', 'many'], /^hotplug-scenarios: fuzz: --runs expects an integer ≥ 1, got 'many'/],
    [['fuzz', '--machine=arm'], /^hotplug-scenarios: fuzz: --machine expects pc, q35 or any, got 'arm'/],
    [['fuzz', 'file.yaml'], /^hotplug-scenarios: fuzz: unknown argument 'file\.yaml'/],
    [['help', 'frobnicate'], /^hotplug-scenarios: unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.err, message, args.join(' '));
    assert.match(r.err, /usage: hotplug-scenarios/, args.join(' '));
    noStack(r.err);
  }
});

test('the parser hands options it does not know to cucumber-js unchanged, in order (run)', () => {
  const { parseCommand } = require('../cli/args') as typeof import('../cli/args');
  const spec = { name: 'run', summary: '', options: { watch: { type: 'boolean' as const, help: '' } }, passThrough: true };
  const p = parseCommand(spec, ['-p', 'qemu', 'features/a.feature:12', '--watch', '--tags', '@plug and not @slow', '--name=x', '--', '--odd']);
  assert.equal(p.values.watch, true);
  assert.deepEqual(p.rest, ['-p', 'qemu', 'features/a.feature:12', '--tags', '@plug and not @slow', '--name=x', '--', '--odd']);
});

test('run --watch runs the project once, then re-runs just the feature file that was saved', { timeout: 120_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  const proj = mkdtempSync(join(tmpdir(), 'hs-watch-'));
  fs.mkdirSync(join(proj, 'features'));
  writeFileSync(join(proj, 'cucumber.yaml'), `default:\n  require: [${JSON.stringify(repoPath('steps', 'load-compiled.js'))}]\n  format: [progress]\n`);
  const feature = (name: string) => `Feature: ${name}\n  Scenario: ${name}\n    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"\n    When I hot-add a 256M DIMM "d0"\n    Then GPE0 status bit 3 is set\n`;
  writeFileSync(join(proj, 'features', 'a.feature'), feature('a'));
  writeFileSync(join(proj, 'features', 'b.feature'), feature('b'));
  const child = spawn(process.execPath, [BIN, 'run', '--watch'], { cwd: proj, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const until = (re: RegExp, from: number) => new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      if (re.test(out.slice(from))) { clearInterval(poll); resolve(); }
      else if (Date.now() - t0 > 60_000) { clearInterval(poll); reject(new Error(`timed out waiting for ${re}; output:\n${out}`)); }
    }, 100);
  });
  try {
    await until(/2 scenarios \(2 passed\)[\s\S]*waiting for a feature file/, 0);
    const mark = out.length;
    writeFileSync(join(proj, 'features', 'b.feature'), feature('b') + '    And SCI is low\n');
    await until(/watch: features\/b\.feature changed: running features\/b\.feature[\s\S]*1 scenario \(1 passed\)/, mark);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
});
