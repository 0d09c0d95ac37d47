// The upgrade report (`hotplug-scenarios versions`) and the libvirt version plumbing: the step-by-step
// comparison, the CLI's console/JSON/HTML output, features through Cucumber, the topology report's
// upgrade section, and `libvirt-version:` / `--libvirt-version` in replay.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson } from '../transcript/json';
import { repoPath } from '../paths';
import { compareVersions, renderComparisons, UPGRADE } from '../reports/versions';
import { renderVersionsSection } from '../reports/versions-html';
import { parseReplayScenario } from '../transcript/replay-format';
import { defineDomain, formatLibvirtError } from '../libvirt';

const libvirtVersionOf = (d: ReturnType<typeof defineDomain>) => (d.ok ? d.def.libvirt.name : `refused: ${formatLibvirtError(d.error)}`);

const BIN = repoPath('bin', 'hotplug-scenarios.js');
const dir = mkdtempSync(join(tmpdir(), 'hs-versions-'));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const transcript = (reply: unknown, qmp: unknown[] = []) => ({
  domain: '<domain/>', startup: { ok: true },
  steps: [{ attach: '<memory/>', reply: { ok: 'Device attached successfully' }, qmp: [], events: [], irqs: [] }, { attach: '<memory/>', reply, qmp, events: [], irqs: [] }],
});

test('compareVersions: equal transcripts are the same; a changed step has a unified diff labelled with both pairs', () => {
  const a = transcript({ error: "error: internal error: unable to execute QEMU command 'device_add': x" }, [{ execute: 'object-add' }]);
  const same = compareVersions('s.yaml', a, a);
  assert.equal(same.differs, false);
  assert.deepEqual(same.steps.map((s) => s.same), [true, true, true]);
  const b = transcript({ error: 'error: unsupported configuration: y' });
  const c = compareVersions('s.yaml', a, b);
  assert.equal(c.differs, true);
  assert.deepEqual(c.steps.map((s) => s.same), [true, true, false]);
  assert.equal(c.kind, 'libvirt');
  const d = c.steps[2].diff;
  assert.match(d, /^--- QEMU 7\.2 \/ libvirt 9\.0\n\+\+\+ QEMU 10\.0 \/ libvirt 11\.3/);
  assert.match(d, /^-  error: internal error: unable to execute QEMU command 'device_add': x$/m);
  assert.match(d, /^\+  error: unsupported configuration: y$/m);
  assert.match(d, /^-libvirt sent:$/m);
  assert.match(renderComparisons([c]), /≠ s\.yaml: 1 step\(s\) differ[\s\S]*step 2: attach <memory\/>/);
});

test('compareVersions: a start-up refused on one pair only', () => {
  const refused = { domain: '<domain/>', startup: { ok: false, error: 'error: no' }, steps: [] };
  const c = compareVersions('s.yaml', refused, transcript({ ok: 'Device attached successfully' }));
  assert.equal(c.steps[0].same, false);
  assert.match(c.steps[1].before, /not run: start-up refused/);
  assert.deepEqual(c.outcomes, ['refused at start-up', 'started, all steps ok']);
});

test('versions --json on recorded libvirt scenarios: the overlap check moved from QEMU to libvirt', () => {
  const r = run('versions', '--json', repoPath('test', 'libvirt', 'overlap-ranges.yaml'), repoPath('test', 'libvirt', 'seed-pc.yaml'));
  assert.equal(r.code, 0, r.err);
  const [overlap, seed] = r.out.trimEnd().split('\n').map((l) => parseJson(l) as { differs: boolean; versions: unknown; steps: { step: unknown; same: boolean; diff?: string }[] });
  assert.deepEqual(overlap.versions, [{ qemu: '7.2', libvirt: '9.0' }, { qemu: '10.0', libvirt: '11.3' }]);
  assert.equal(overlap.differs, true);
  assert.deepEqual(overlap.steps.filter((s) => !s.same).map((s) => s.step), [2, 3, 5]);
  assert.match(overlap.steps[2].diff!, /\+  error: unsupported configuration: memory device address \[0xf0000000:0x110000000\] overlaps/);
  assert.equal(seed.differs, false);
});

test('versions: console output with diffs, and --html writes the matrix page and its JSON', () => {
  const html = join(dir, 'versions.html');
  const r = run('versions', '--html', html, repoPath('test', 'libvirt', 'define-max-no-numa.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /≠ .*define-max-no-numa\.yaml: 1 step\(s\) differ/);
  assert.match(r.out, /^ {4}-  error: unsupported configuration: At least one numa node has to be configured when enabling memory hotplug$/m);
  assert.match(r.out, /^ {4}\+started$/m);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /<table class="versions">/);
  assert.match(page, /<tr class="differs"><td class="name">/);
  assert.match(page, /<span class="del">-  error: unsupported configuration: At least one numa node/);
  const json = JSON.parse(readFileSync(join(dir, 'versions.json'), 'utf8')) as { scenarios: unknown[] };
  assert.equal(json.scenarios.length, 1);
});

test('versions on a feature: every scenario through Cucumber on both pairs, step outcomes compared', () => {
  const r = run('versions', '--json', repoPath('features', 'libvirt-11.3.feature'));
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trimEnd().split('\n').map((l) => parseJson(l) as { kind: string; outcomes: string[]; differs: boolean });
  assert.ok(rows.length >= 8);
  for (const row of rows) {
    assert.equal(row.kind, 'feature');
    // tagged @libvirt-11.3: skipped on 9.0, passes on 11.3
    assert.deepEqual(row.outcomes, ['skipped', 'passed']);
    assert.equal(row.differs, true);
  }
});

test('versions: a missing file or bad option is a clear error (exit 2)', () => {
  assert.equal(run('versions').code, 2);
  const r = run('versions', join(dir, 'nope.yaml'));
  assert.equal(r.code, 2);
  assert.match(r.err, /versions: no such file/);
  assert.equal(run('versions', '--backend', 'kvm', repoPath('test', 'libvirt', 'seed-pc.yaml')).code, 2);
});

test('the upgrade section of the topology report', () => {
  const c = compareVersions('a.yaml', transcript({ ok: 'x' }), transcript({ error: 'error: y' }));
  const section = renderVersionsSection({
    backend: 'model',
    scenarios: [{ source: c.source, kind: c.kind, versions: UPGRADE.map((p) => ({ qemu: p.qemu, libvirt: p.libvirt })), outcomes: c.outcomes, differs: c.differs, steps: c.steps.map((s) => ({ step: s.index + 1, title: s.title, same: s.same, before: s.before, after: s.after, diff: s.diff })) }],
  });
  assert.match(section, /<h2>Upgrade report: QEMU 7\.2 \/ libvirt 9\.0 → QEMU 10\.0 \/ libvirt 11\.3<\/h2>/);
  assert.match(section, /<b>1<\/b> differ/);
  assert.doesNotMatch(section, /<script/);
});

test('libvirt-version: key and --libvirt-version in replay', () => {
  const s = parseReplayScenario('domain: "<domain/>"\nlibvirt-version: 11.3\nsteps: []\n', 'x.yaml');
  assert.equal(s.libvirtVersion, '11.3');
  assert.equal(parseReplayScenario('domain: "<domain/>"\nlibvirt-version: "9.0"\nsteps: []\n').libvirtVersion, '9.0');
  assert.equal(parseReplayScenario('domain: "<domain/>"\nlibvirt-version: 9.0\nsteps: []\n').libvirtVersion, '9.0');
  assert.throws(() => parseReplayScenario('domain: "<domain/>"\nlibvirt-version: "10.0"\nsteps: []\n', 'x.yaml'), /x\.yaml:2: `libvirt-version` must be one of 9\.0, 11\.3, got '10\.0'/);
  assert.throws(() => parseReplayScenario('machine: -M pc\nlibvirt-version: "11.3"\nsteps: []\n', 'x.yaml'), /belongs to a `domain` scenario/);
  // the key wins over the option; the option picks the version of files without the key
  const f = join(dir, 'max-no-slots.yaml');
  writeFileSync(f, readFileSync(repoPath('test', 'libvirt', 'define-max-no-slots.yaml'), 'utf8'));
  const nine = parseJson(run('replay', '--json', f).out) as { startup: { ok: boolean } };
  const eleven = parseJson(run('replay', '--json', '--libvirt-version', '11.3', f).out) as { startup: { ok: boolean } };
  assert.equal(nine.startup.ok, false);
  assert.equal(eleven.startup.ok, true);
  const bad = run('replay', '--libvirt-version', '10.0', f);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /libvirt-version/);
  assert.ok(existsSync(f));
});

test('the libvirt version is data: one definition, two behaviours', () => {
  const xml = readFileSync(repoPath('features', 'domains', 'max-no-numa.xml'), 'utf8');
  const nine = defineDomain(xml, { libvirt: '9.0' });
  assert.ok(!nine.ok);
  assert.match(formatLibvirtError(nine.error), /At least one numa node/);
  const eleven = defineDomain(xml, { libvirt: '11.3' });
  assert.ok(eleven.ok);
  assert.deepEqual(eleven.def.cells, [{ id: 0, cpus: '0', memKiB: 1048576n }]);
  assert.equal(eleven.def.machine, 'pc-i440fx-10.0');
  assert.equal(eleven.def.qemu, '10.0');
  // the QEMU version picks its libvirt when none is given; an unrecorded pairing is not modelled
  assert.equal(libvirtVersionOf(defineDomain(xml.replace('<devices>', '<cpu><numa><cell id=\'0\' cpus=\'0\' memory=\'1048576\' unit=\'KiB\'/></numa></cpu><devices>'), { qemu: '10.0' })), '11.3');
  assert.throws(() => defineDomain(xml, { libvirt: '9.0', qemu: '10.0' }), /not modelled: libvirt 9\.0 driving QEMU 10\.0/);
});
