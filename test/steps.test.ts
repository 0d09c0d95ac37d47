// Step library tests: the parsers behind the steps, and whole-scenario behaviour through cucumber-js
// (readable diffs, unasserted errors, undefined steps, malformed Gherkin/YAML/JSON, unknown options).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { findTreeRegion, parseFlatRangeLine, parseMemoryFlatView, selectFlatView } from '../backends/mtree-parse';
import { deviceAddArgs, hmpLineToCommand, objectAddArgs, splitOpts } from '../steps/hmp-args';
import { parseInfoIrq, parseInfoPic } from '../steps/info-parse';
import { machineFromYaml } from '../steps/machine-yaml';
import { assertContainsBlock, assertTable } from '../steps/compare';
import { REPO_ROOT, cucumberSupport, repoPath } from '../paths';

const fixture = (name: string) => readFileSync(repoPath('reports', 'fixtures', name), 'utf8');

test('info mtree -f: the AS "memory" view is selected by its header, ranges as bigints', () => {
  const ranges = parseMemoryFlatView(fixture('pc-plugged-mtree-f.txt'));
  assert.equal(ranges.length, 9);
  assert.deepEqual(ranges[8], { start: 0x100000000n, end: 0x13fffffffn, prio: 0, kind: 'ram', name: 'mem0', offset: 0n, kvm: false });
  assert.equal(ranges[2].offset, 0x20000n);
  assert.equal(selectFlatView(fixture('pc-plugged-mtree-f.txt'), 'I/O').ranges[0].name, 'dma-chan');
});

test('info mtree -f: " KVM" suffix, names with spaces, and a clear error on garbage', () => {
  assert.deepEqual(parseFlatRangeLine('  0000000100000000-000000010fffffff (prio 0, ram): m0 KVM'),
    { start: 0x100000000n, end: 0x10fffffffn, prio: 0, kind: 'ram', name: 'm0', offset: 0n, kvm: true });
  assert.throws(() => selectFlatView('FlatView #0\n AS "memory", root: system\n  garbage here\n'), /line 3: cannot read "garbage here"/);
  assert.throws(() => selectFlatView('FlatView #0\n AS "I/O", root: io\n'), /no FlatView lists AS "memory"/);
});

test('info mtree: device-memory under address-space memory (shared headers)', () => {
  const r = findTreeRegion(fixture('pc-mtree.txt'), 'device-memory');
  assert.deepEqual(r && [r.start, r.end, r.depth], [0x100000000n, 0x3bfffffffn, 2]);
  assert.equal(findTreeRegion(fixture('pc-mtree.txt'), 'bus master container', 'PIIX3')?.name, 'bus master container');
});

test('HMP device_add line: QEMU property types, escaped commas, errors', () => {
  assert.deepEqual(deviceAddArgs('pc-dimm,node=0,memdev=ram0,id=dimm0,slot=0'), { driver: 'pc-dimm', node: 0, memdev: 'ram0', id: 'dimm0', slot: 0 });
  assert.deepEqual(deviceAddArgs('pc-dimm,id=d,memdev=m,addr=0x100000000,slot=-2'), { driver: 'pc-dimm', id: 'd', memdev: 'm', addr: 0x100000000, slot: -2 });
  assert.deepEqual(deviceAddArgs('pc-dimm,slot=x').slot, 'x');
  assert.equal(deviceAddArgs('pc-dimm,addr=0xffffffffffe00000').addr, 0xffffffffffe00000n);
  assert.deepEqual(objectAddArgs('memory-backend-ram,id=ram0,size=2097152K,share=on'), { 'qom-type': 'memory-backend-ram', id: 'ram0', size: 2147483648, share: true });
  assert.deepEqual(splitOpts('a,b=x,,y', 'driver'), [['driver', 'a'], ['b', 'x,y']]);
  assert.throws(() => splitOpts('pc-dimm,slot', 'driver'), /option 'slot' has no value/);
  assert.deepEqual(hmpLineToCommand('device_del dimm0'), { kind: 'qmp', command: { execute: 'device_del', arguments: { id: 'dimm0' } } });
  assert.deepEqual(hmpLineToCommand('info mtree -f'), { kind: 'hmp', line: 'info mtree -f' });
});

test('info pic and info irq', () => {
  const pic = parseInfoPic(fixture('pc-info-pic.txt'));
  assert.equal(pic.pics.pic1.irr, 0x02);
  assert.equal(pic.pics.pic0.irr, 0x04);
  const p9 = pic.ioapic!.pins[9];
  assert.deepEqual([p9.masked, p9.trigger, p9.entry], [true, 'edge', 0x10000n]);
  assert.deepEqual(pic.ioapic!.irr, []);
  assert.deepEqual(parseInfoIrq(fixture('pc-info-irq.txt')), { ioapic: { 0: 1, 9: 1 }, 'isa-i8259': { 0: 1, 2: 1, 9: 1 } });
});

test('machine YAML: structured form, and errors that name the file and line', () => {
  assert.equal(machineFromYaml('type: q35\nmemory: 1G\nslots: 2\nmaxmem: 4G\nobjects:\n  - memory-backend-ram,id=r,size=1G\n', 'x.yaml'),
    '-M q35 -m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=r,size=1G');
  assert.equal(machineFromYaml('machine: -M pc -m 1G\n', 'x.yaml'), '-M pc -m 1G');
  assert.throws(() => machineFromYaml('type: pc\nmemroy: 1G\n', 'features/a.feature', 10), /^Error: features\/a.feature:11: unknown key 'memroy'/);
  assert.throws(() => machineFromYaml('type: pc\nmemory: [1G\n', 'm.yaml'), /^Error: m.yaml:\d+: malformed YAML/);
  assert.throws(() => machineFromYaml('machine: -M pc\nslots: 2\n', 'm.yaml'), /m.yaml:2: 'machine' holds the whole command line/);
});

test('table and block comparisons give unified diffs', () => {
  assert.doesNotThrow(() => assertTable('t', [['id', 'addr', 'size'], ['d0', '4G', '1G']], [{ id: 'd0', addr: 0x100000000n, size: 1073741824n }]));
  assert.throws(() => assertTable('devices differ', [['id', 'addr'], ['d0', '0x140000000']], [{ id: 'd0', addr: 0x100000000n }]),
    (e: Error) => e.message.includes('-| d0 | 0x140000000 |') && e.message.includes('+| d0 | 0x100000000 |') && e.message.startsWith('devices differ\n--- expected'));
  assert.doesNotThrow(() => assertContainsBlock('b', '  a\n    b', 'x\n  a\n    b\ny'));
  assert.throws(() => assertContainsBlock('b', 'a\nB', 'x\na\nb\ny'), /-B\n\+b/);
});

// ---- through cucumber-js ------------------------------------------------------------------------------
const ROOT = REPO_ROOT;

function runCucumber(feature: string, extra: string[] = []): { code: number; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'steps-test-'));
  writeFileSync(join(dir, 'scratch.feature'), feature);
  writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({
    default: { ...cucumberSupport(), format: ['progress', `message:${join(dir, 'messages.ndjson')}`], formatOptions: { printAttachments: false, snippetInterface: 'async-await' } },
  }));
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '--config', relative(ROOT, join(dir, 'cucumber.json')), join(dir, 'scratch.feature'), ...extra], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr, dir };
}

test('a failing expectation prints a readable diff in the console', () => {
  const r = runCucumber(`Feature: f\n  Scenario: s\n    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"\n    When I hot-add a 1G DIMM "d0"\n    Then the memory devices are:\n      | id | slot |\n      | d0 | 1    |\n`);
  assert.equal(r.code, 1);
  assert.match(r.out, /query-memory-devices differs\n\s+--- expected\n\s+\+\+\+ actual\n\s+@@ -1,2 \+1,2 @@\n\s+ \| id \| slot \|\n\s+-\| d0 \| 1    \|\n\s+\+\| d0 \| 0    \|/);
});

test('an error nobody asserted fails the scenario; an asserted one passes', () => {
  const bad = runCucumber(`Feature: f\n  Scenario: s\n    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"\n    When I hot-add a 1G DIMM "d0" into slot 9\n`);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /failed and no step asserted it: GenericError: invalid slot number 9, valid range is \[0-3\]/);
  const good = runCucumber(`Feature: f\n  Scenario: s\n    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"\n    When I hot-add a 1G DIMM "d0" into slot 9\n    Then it fails with "invalid slot number 9, valid range is [0-3]"\n    And the machine is unchanged\n`);
  assert.equal(good.code, 0, good.out);
});

test('an undefined step fails the run with a snippet', () => {
  const r = runCucumber(`Feature: f\n  Scenario: s\n    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"\n    When I juggle the DIMMs\n`);
  assert.equal(r.code, 1);
  assert.match(r.out, /Undefined\. Implement with the following snippet:[\s\S]*When\('I juggle the DIMMs', async function \(\)/);
});

test('malformed Gherkin names the file and line', () => {
  const r = runCucumber(`Feature: f\n  Scenario: s\n    Given a "pc" machine started with "-m 1G"\n    | not | a table after nothing\n  Oops this is not gherkin\n`);
  assert.notEqual(r.code, 0);
  assert.match(r.out, /Parse error in "[^"]*scratch\.feature" \(5:3\)/);
});

test('malformed YAML and JSON doc strings and unknown options name the feature file and line', () => {
  const r = runCucumber([
    'Feature: f',
    '  Scenario: yaml',
    '    Given a machine started with:',
    '      """',
    '      type: pc',
    '      memroy: 1G',
    '      """',
    '  Scenario: json',
    '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"',
    '    When I send:',
    '      """',
    '      {"execute": "device_add", "arguments": {',
    '      """',
    '  Scenario: option',
    '    Given a machine started with "-M pc -m 1G -frobnicate on"',
    '',
  ].join('\n'));
  assert.equal(r.code, 1);
  assert.match(r.out, /scratch\.feature:6: unknown key 'memroy'/);
  assert.match(r.out, /scratch\.feature:1[23]: malformed JSON in the QMP doc string/);
  assert.match(r.out, /scratch\.feature:15: .*unsupported option '-frobnicate'/);
});

test('a step given the wrong argument shape says what it expected (doc string vs data table)', () => {
  const r = runCucumber([
    'Feature: f',
    '  Scenario: table for a doc string',
    '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"',
    '    When I hot-add a 1G DIMM "d0"',
    '    Then the trace passes through, in order:',
    '      | pc_dimm_pre_plug |',
    '      | acpi_send_event  |',
    '  Scenario: doc string for a table',
    '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"',
    '    When I hot-add a 1G DIMM "d0"',
    '    Then the memory devices are:',
    '      """',
    '      id slot',
    '      """',
    '',
  ].join('\n'));
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.out, /TypeError/);
  assert.match(r.out, /this step takes a doc string under it, not a data table/);
  assert.match(r.out, /this step takes a data table under it, not a doc string/);
});

test('"the machine is unchanged" covers every command of the action step, not just the last one', () => {
  const r = runCucumber([
    'Feature: f',
    '  Scenario: a step that adds a backend, then is refused',
    '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"',
    '    When I run:',
    '      """',
    '      object_add memory-backend-ram,id=m0,size=256M',
    '      device_add pc-dimm,id=d0,memdev=m0,slot=9',
    '      """',
    '    Then it fails with "invalid slot number 9, valid range is [0-3]"',
    '    And the machine is unchanged',
    '',
  ].join('\n'));
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /the refused command changed the machine[\s\S]*\+objects: m0/);
});

test('the closing summary counts failed, ambiguous, undefined, pending and skipped scenarios as Cucumber does', () => {
  const extra = join(mkdtempSync(join(tmpdir(), 'steps-extra-')), 'extra.steps.js');
  writeFileSync(extra, [
    `const { Given } = require(${JSON.stringify(require.resolve('@cucumber/cucumber'))});`,
    "Given('a step that is pending', function () { return 'pending'; });",
    "Given('a step that is skipped', function () { return 'skipped'; });",
    "Given('a twin step', function () {});",
    "Given(/^a twin (step)$/, function () {});",
  ].join('\n'));
  const start = '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"';
  const r = runCucumber(['Feature: f',
    '  Scenario: passes', start,
    '  Scenario: fails', start, '    Then there are no memory devices', '    When I hot-add a 1G DIMM "d0"', '    Then there are no memory devices',
    '  Scenario: undefined', start, '    When I juggle the DIMMs', '    Then there are no memory devices',
    '  Scenario: pending', start, '    Given a step that is pending',
    '  Scenario: skipped', start, '    Given a step that is skipped',
    '  Scenario: ambiguous', start, '    Given a twin step', ''].join('\n'), ['--require', extra]);
  assert.equal(r.code, 1);
  const { readRun, parseNdjson, summaryLines } = require('../reports/messages') as typeof import('../reports/messages');
  const run = readRun(parseNdjson(readFileSync(join(r.dir, 'messages.ndjson'), 'utf8')));
  const ours = summaryLines(run);
  // eslint-disable-next-line no-control-regex
  const plain = r.out.replace(/\x1b\[[0-9;]*m/g, '');
  const cucumber = { scenarios: /^\d+ scenarios? \(.*\)$/m.exec(plain)?.[0], steps: /^\d+ steps? \(.*\)$/m.exec(plain)?.[0] };
  assert.equal(ours.scenarios, '6 scenarios (1 failed, 1 ambiguous, 1 undefined, 1 pending, 1 skipped, 1 passed)');
  assert.deepEqual(ours, cucumber);
});

test('-accel kvm on real QEMU without KVM: the scenario is skipped with the reason in the reports; replay refuses', { skip: require('../backends/qemu/process').qemuAvailable() ? false : 'qemu-system-x86_64 is not installed' }, () => {
  const saved = process.env.HOTPLUG_KVM_DEVICE;
  process.env.HOTPLUG_KVM_DEVICE = '/nonexistent/kvm';
  try {
    const r = runCucumber(['Feature: f',
      '  Scenario: kvm', '    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G -accel kvm"', '    When I hot-add a 256M DIMM "d0"',
      '  Scenario: tcg', '    Given a "pc" machine started with "-m 1G,slots=2,maxmem=4G"', ''].join('\n'), ['--world-parameters', '{"backend":"qemu"}']);
    assert.equal(r.code, 0, r.out);
    const { readRun, parseNdjson, summaryLines } = require('../reports/messages') as typeof import('../reports/messages');
    const run = readRun(parseNdjson(readFileSync(join(r.dir, 'messages.ndjson'), 'utf8')));
    assert.equal(summaryLines(run).scenarios, '2 scenarios (1 skipped, 1 passed)');
    const kvm = run.scenarios.find((s) => s.name === 'kvm')!;
    assert.equal(kvm.status, 'SKIPPED');
    assert.match(kvm.notes?.join('\n') ?? '', /skipped: -accel kvm needs KVM, and \/nonexistent\/kvm is missing/);
    const { annotateJunitSkips } = require('../reports/junit') as typeof import('../reports/junit');
    const junit = '<testsuite><testcase classname="f" name="kvm" time="0.2">\n<skipped/>\n</testcase><testcase classname="f" name="tcg" time="0.1"></testcase></testsuite>';
    assert.match(annotateJunitSkips(junit, run.scenarios), /<testcase classname="f" name="kvm" time="0.2">\n<skipped message="-accel kvm needs KVM, and \/nonexistent\/kvm is missing[^"]*"\/>/);
    const { renderReport } = require('../reports/html') as typeof import('../reports/html');
    assert.match(renderReport(run), /-accel kvm needs KVM, and \/nonexistent\/kvm is missing/);
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin', 'hotplug-scenarios.js'), 'replay', '--backend', 'qemu', join(ROOT, 'test/replay/qemu-kvm/kvm-plug-query-pc.yaml')], { encoding: 'utf8' });
    assert.equal(cli.status, 2, cli.stderr);
    assert.match(cli.stderr, /^hotplug-scenarios: .*kvm-plug-query-pc\.yaml: machine: -accel kvm needs KVM/);
  } finally {
    if (saved === undefined) delete process.env.HOTPLUG_KVM_DEVICE;
    else process.env.HOTPLUG_KVM_DEVICE = saved;
  }
});

test('one feature file: `npx cucumber-js -p PROFILE FILE` runs just FILE for every profile (no `paths` in cucumber.yaml)', () => {
  const profiles = [...readFileSync(repoPath('cucumber.yaml'), 'utf8').matchAll(/^([\w.-]+):\s*$/gm)].map((m) => m[1]);
  assert.ok(profiles.includes('quick') && profiles.includes('default'), profiles.join(' '));
  assert.doesNotMatch(readFileSync(repoPath('cucumber.yaml'), 'utf8'), /^\s+paths:/m, 'a profile sets paths: a feature file given on the command line would be merged with them');
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '-p', 'quick', '--dry-run', 'features/acpi-ost.feature'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const expected = (readFileSync(repoPath('features', 'acpi-ost.feature'), 'utf8').match(/^\s*Scenario:/gm) ?? []).length;
  assert.equal(r.status, 0, r.stderr);
  assert.ok(expected > 0);
  assert.match(r.stdout, new RegExp(`^${expected} scenarios? \\(`, 'm'), r.stdout.slice(-300));
});
