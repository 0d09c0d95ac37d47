// The smaller hostile inputs (issue item 7): GPE bits outside GPE0, negative slots, values a number cannot
// hold exactly, options named like Object's members, and line breaks in qtest lines (with file and step).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { deviceAddArgs } from '../steps/hmp-args';
import { hexParam } from '../steps/hex';
import { loadReplayScenario } from '../transcript/replay-format';
import { ScenarioError } from '../backends/types';
import { REPO_ROOT, cucumberSupport, repoPath } from '../paths';

function cucumber(feature: string): { code: number | null; out: string } {
  const dir = fs.mkdtempSync(join(tmpdir(), 'hostile-small-'));
  fs.writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({ default: { ...cucumberSupport(), format: ['progress'] } }));
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '--config', relative(REPO_ROOT, join(dir, 'cucumber.json')), repoPath('test', 'hostile', feature)], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('constructor= and __proto__= are options like any other (not "given twice")', () => {
  assert.deepEqual(Object.keys(deviceAddArgs('pc-dimm,id=d0,constructor=1,__proto__=2')), ['driver', 'id', 'constructor', '__proto__']);
  const r = cucumber('small-ok.feature');
  assert.equal(r.code, 0, r.out);
});

test('{hex} is read exactly: a value beyond 2^53 is refused, not rounded', () => {
  assert.equal(hexParam('0x1fffffffffffff'), 2 ** 53 - 1);
  assert.throws(() => hexParam('0x20000000000001'), /0x20000000000001 is too large/);
});

test('GPE bits outside GPE0, negative slots, huge values and a CR in a qtest line fail with a clear message', () => {
  const r = cucumber('small-refused.feature');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /5 scenarios \(5 failed\)/);
  assert.match(r.out, /GPE bit 16 does not exist: GPE0 of a pc machine has bits 0-15/);
  assert.match(r.out, /GPE bit -5 does not exist/);
  assert.match(r.out, /slot -1: the guest selects slots 0 to 4294967295/);
  assert.match(r.out, /0x20000000000001 is too large for this step/);
  assert.match(r.out, /test\/hostile\/small-refused\.feature:20: a qtest line must not contain a line break/);
  assert.doesNotMatch(r.out, /0x-1/, 'no negative value was written');
});

test('replay: a line break in a qtest step is refused at load time, with the file and step', () => {
  const f = repoPath('test', 'hostile', 'qtest-newline.yaml');
  assert.throws(() => loadReplayScenario(f), (e: Error) => e instanceof ScenarioError && e.message === `${f}:4: step 1: a qtest step is one line: it must not contain a line break (\\r or \\n)`);
});
