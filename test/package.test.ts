// The package as another repository uses it: `npm pack` this checkout, install the tarball as a dev
// dependency of a fresh project (from the npm cache when it can: --offline, else --prefer-offline), then
// `npx hotplug-scenarios init`, `npx hotplug-scenarios run` and plain `npx cucumber-js` run the project's own
// features with this package's steps, World and reports, plus the project's own step definitions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../paths';
import { qemuAvailable } from '../backends/qemu/process';

function sh(cmd: string, args: string[], cwd: string, timeout = 180_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

test('pack, install into a fresh project, init, run: the project\'s features run with this package\'s steps', { timeout: 300_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(tmpdir(), 'hs-package-'));
  try {
    // dist/ is built (npm test builds first); pack it as it is.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], REPO_ROOT);
    assert.equal(pack.code, 0, pack.out);
    const tarball = path.join(tmp, pack.out.trim().split('\n').pop()!);
    const listing = sh('tar', ['tzf', tarball], tmp).out.split('\n');
    for (const f of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/steps/load-compiled.js', 'package/steps/world.ts', 'package/bin/hotplug-scenarios.js', 'package/schema/replay.schema.json']) {
      assert.ok(listing.includes(f), `${f} is in the package`);
    }
    assert.ok(!listing.some((f) => f.startsWith('package/dist/test/') || f.startsWith('package/test/')), 'tests stay out of the package');

    const proj = path.join(tmp, 'proj');
    fs.mkdirSync(proj);
    fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'proj', private: true }));
    const npmInstall = (mode: string) => sh('npm', ['install', mode, '--ignore-scripts', '--no-audit', '--no-fund', '--save-dev', tarball], proj);
    let inst = npmInstall('--offline');
    if (inst.code !== 0) inst = npmInstall('--prefer-offline'); // the registry's metadata is not cached yet
    assert.equal(inst.code, 0, inst.out);

    const init = sh('npx', ['--no-install', 'hotplug-scenarios', 'init'], proj);
    assert.equal(init.code, 0, init.out);
    assert.match(init.out, /wrote cucumber\.yaml, features\/example\.feature, features\/step_definitions\/example\.steps\.js/);
    assert.equal(sh('npx', ['--no-install', 'hotplug-scenarios', 'init'], proj).code, 2, 'init does not overwrite');

    const run = sh('npx', ['--no-install', 'hotplug-scenarios', 'run'], proj);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /scenarios: 2 scenarios \(2 passed\)/);
    assert.ok(fs.existsSync(path.join(proj, 'reports', 'out', 'index.html')), 'the topology report is written in the project');
    assert.match(fs.readFileSync(path.join(proj, 'reports', 'out', 'index.html'), 'utf8'), /the first DIMM lands at the bottom of device memory/);

    // Plain cucumber-js, one feature file; the project's own step ("DIMM ... sits in slot ...") is defined.
    const plain = sh('npx', ['--no-install', 'cucumber-js', '-p', 'quick', 'features/example.feature'], proj);
    assert.equal(plain.code, 0, plain.out);
    assert.match(plain.out, /2 scenarios \(2 passed\)/);
    assert.doesNotMatch(plain.out, /undefined/i);

    // A failing own step shows up as a failure, not as undefined: the own steps really run on the World.
    fs.writeFileSync(path.join(proj, 'features', 'wrong.feature'), 'Feature: w\n  Scenario: w\n    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"\n    When I hot-add a 1G DIMM "d0"\n    Then DIMM "d0" sits in slot 3\n');
    const wrong = sh('npx', ['--no-install', 'cucumber-js', '-p', 'quick', 'features/wrong.feature'], proj);
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.out, /DIMM "d0" sits in slot 0, expected 3/);
    fs.rmSync(path.join(proj, 'features', 'wrong.feature'));

    if (qemuAvailable()) {
      const diff = sh('npx', ['--no-install', 'hotplug-scenarios', 'run', '-p', 'diff'], proj);
      assert.equal(diff.code, 0, diff.out);
      assert.ok(fs.existsSync(path.join(proj, 'reports', 'out', 'diff', 'index.html')));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
