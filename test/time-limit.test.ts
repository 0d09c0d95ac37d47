// steps/time-limit.ts: on the model backend the step library's definitions run without Cucumber's per-step timer;
// on real QEMU (qemu, diff) and for every definition that is not the library's, Cucumber's limit stays; a step whose
// promise never settles on the model is named and the run exits with status 1 (instead of the timer's failure).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { limitDefinitionsSince, markDefinitions, timeLimit } from '../steps/time-limit';
import { REPO_ROOT, repoPath } from '../paths';

test('the time limit: none on the model, Cucumber\'s default on qemu and diff, a definition\'s own kept', () => {
  assert.equal(timeLimit(undefined, 'model'), -1);
  assert.equal(timeLimit(undefined, 'qemu'), undefined);
  assert.equal(timeLimit(undefined, 'diff'), undefined);
  assert.equal(timeLimit(undefined, undefined), undefined, 'no world made yet');
  assert.equal(timeLimit(20_000, 'model'), 20_000);
  assert.equal(timeLimit(20_000, 'qemu'), 20_000);
  assert.equal(timeLimit(undefined, 'model', true), undefined, 'a --parallel worker keeps the limit');
});

test('only the definitions registered after the marks are given the limit', () => {
  const lists = ['stepDefinitionConfigs', 'beforeTestCaseHookDefinitionConfigs', 'afterTestCaseHookDefinitionConfigs', 'beforeTestStepHookDefinitionConfigs', 'afterTestStepHookDefinitionConfigs'];
  const builder: Record<string, { options: { timeout?: number } }[]> = Object.fromEntries(lists.map((l) => [l, [{ options: {} }]]));
  const marks = markDefinitions(builder);
  assert.ok(marks);
  builder.stepDefinitionConfigs.push({ options: {} }, { options: { timeout: 60_000 } });
  builder.afterTestCaseHookDefinitionConfigs.push({ options: {} });
  assert.equal(limitDefinitionsSince(marks), 3);
  assert.equal(limitDefinitionsSince(marks), 0, 'not twice');
  for (const l of lists) assert.equal(Object.getOwnPropertyDescriptor(builder[l][0].options, 'timeout'), undefined, `${l}: a definition from before the marks`);
  const desc = Object.getOwnPropertyDescriptor(builder.stepDefinitionConfigs[1].options, 'timeout');
  assert.ok(desc?.get && desc.enumerable);
  assert.equal(markDefinitions({ stepDefinitionConfigs: [] }), undefined, 'a builder laid out otherwise: nothing marked');
  assert.equal(limitDefinitionsSince(undefined), 0);
});

/** Run cucumber-js -p quick on FEATURE with SUPPORT required too, with the given world parameters. */
function run(feature: string, support: string, worldParameters: object): { status: number | null; out: string } {
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '-p', 'quick', '--require', support, '--world-parameters', JSON.stringify(worldParameters), feature],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('every definition of the step library has the limit; a promise that never settles is named, exit 1', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'time-limit-'));
  const cucumber = join(dirname(require.resolve('@cucumber/cucumber/package.json')));
  const support = join(dir, 'support.js');
  // A step of its own, given the limit the same way (a project's own steps keep Cucumber's: this one is marked).
  fs.writeFileSync(support, `
const { Given, supportCodeLibraryBuilder: b } = require(${JSON.stringify(cucumber)});
const t = require(${JSON.stringify(repoPath('dist', 'steps', 'time-limit.js'))});
const lists = ['stepDefinitionConfigs', 'beforeTestCaseHookDefinitionConfigs', 'afterTestCaseHookDefinitionConfigs', 'beforeTestStepHookDefinitionConfigs'];
const ours = lists.flatMap((l) => b[l]);
const unlimited = ours.filter((c) => !Object.getOwnPropertyDescriptor(c.options, 'timeout')?.get);
if (ours.length < 50 || unlimited.length) throw new Error('definitions without the limit: ' + unlimited.length + ' of ' + ours.length);
const marks = t.markDefinitions(b);
Given('a promise that never settles', () => new Promise(() => {}));
t.limitDefinitionsSince(marks);
`);
  const feature = join(dir, 'never.feature');
  fs.writeFileSync(feature, 'Feature: never\n\n  Scenario: it waits forever\n    Given a "pc" machine started with "-m 1G"\n    And a promise that never settles\n');
  const model = run(feature, support, { backend: 'model' });
  assert.equal(model.status, 1, model.out);
  assert.match(model.out, /The step "a promise that never settles" \(\S*never.feature:5\) never finished/);
  assert.doesNotMatch(model.out, /timed out/);
});
