// steps/step-start.ts: what the step library does as a step begins is called from Cucumber's
// StepDefinition.getInvocationParameters instead of a BeforeStep hook. Cucumber's class must be found and patched,
// the call must come before the original (a throw fails the step before it runs), and through cucumber-js an
// unasserted refusal must still fail the next action step, and messages must still name the step's line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type * as messages from '@cucumber/messages';
import { installStepStart, stepDefinitionClass } from '../steps/step-start';
import { REPO_ROOT, cucumberSupport } from '../paths';

test('Cucumber\'s StepDefinition is found and patched; the start comes first, and its throw stops the step', async () => {
  const cls = stepDefinitionClass();
  assert.ok(cls, '@cucumber/cucumber lib/models/step_definition.js');
  const seen: unknown[] = [];
  const onStart = (world: unknown, step: messages.PickleStep) => {
    seen.push([world, step.text]);
    if (step.text === 'refused') throw new Error('a refusal nobody asserted');
  };
  assert.equal(installStepStart(onStart), true);
  assert.equal(installStepStart(onStart), true, 'twice: already installed with the same function');
  assert.equal(installStepStart(() => undefined), false, 'not a second function');
  const proto = cls!.prototype as { getInvocationParameters(a: unknown): Promise<unknown> };
  const world = {};
  let originalRan = 0;
  const fake = { expression: { match: () => { originalRan++; return []; } } };
  await proto.getInvocationParameters.call(fake, { step: { text: 'a step', argument: undefined }, world });
  assert.deepEqual(seen, [[world, 'a step']]);
  assert.equal(originalRan, 1);
  assert.throws(() => proto.getInvocationParameters.call(fake, { step: { text: 'refused' }, world }), /a refusal nobody asserted/);
  assert.equal(originalRan, 1, 'the original did not run');
});

function runCucumber(feature: string): { code: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'step-start-'));
  writeFileSync(join(dir, 'scratch.feature'), feature);
  writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({ default: { ...cucumberSupport(), format: ['progress'], formatOptions: { printAttachments: false } } }));
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '--config', relative(REPO_ROOT, join(dir, 'cucumber.json')), join(dir, 'scratch.feature')], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

test('through cucumber-js: the next action step fails on an unasserted refusal; messages name the step\'s line', () => {
  const r = runCucumber([
    'Feature: f',
    '  Scenario: unasserted',
    '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"',
    '    When I hot-add a 1G DIMM "d0" into slot 9',
    '    And I hot-add a 1G DIMM "d1"',
    '    Then the memory devices are:',
    '      | id |',
    '      | d1 |',
    '',
    '  Scenario: a file that is not there',
    '    Given a domain defined by the file "nope.xml"',
    '',
  ].join('\n'));
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /✖ And I hot-add a 1G DIMM "d1"[^\n]*\n\s+Error: \{"execute":"device_add"[^\n]* failed and no step asserted it: GenericError: invalid slot number 9/);
  assert.match(r.out, /- Then the memory devices are:/, 'the rest is skipped');
  assert.match(r.out, /Error: \S*scratch\.feature:11: no file features\/domains\/nope\.xml/);
  assert.match(r.out, /2 scenarios \(2 failed\)\n5 steps \(2 failed, 1 skipped, 2 passed\)/);
});
