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

test('invocationParameters gives what Cucumber\'s getInvocationParameters resolves to, without a promise while no value is one', async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ce = require(require.resolve('@cucumber/cucumber-expressions', { paths: [dirname(require.resolve('@cucumber/cucumber'))] })) as typeof import('@cucumber/cucumber-expressions');
  const registry = new ce.ParameterTypeRegistry();
  registry.defineParameterType(new ce.ParameterType('twice', /\d+/, null, (s: string) => Number(s) * 2, true, false));
  registry.defineParameterType(new ce.ParameterType('later', /[a-z]+/, null, async (s: string) => s.toUpperCase(), true, false));
  registry.defineParameterType(new ce.ParameterType('bad', /!+/, null, (s: string) => { throw new Error(`bad ${s}`); }, true, false));
  const cls = stepDefinitionClass()! as unknown as new (data: Record<string, unknown>) => { getInvocationParameters(a: unknown): unknown };
  const proto = cls.prototype as Record<symbol, unknown> & { getInvocationParameters: (a: unknown) => unknown };
  const original = (proto[Symbol.for('hotplug-scenarios.StepDefinition.getInvocationParameters')] ?? proto.getInvocationParameters) as (this: unknown, a: unknown) => Promise<unknown>;
  const parts = { parseStepArgument: require(join(dirname(require.resolve('@cucumber/cucumber')), 'step_arguments.js')).parseStepArgument, DataTable: require(join(dirname(require.resolve('@cucumber/cucumber')), 'models', 'data_table.js')).default };
  const { invocationParameters } = require('../steps/step-start') as typeof import('../steps/step-start');
  const settle = async (run: () => unknown) => {
    try {
      const r = (await run()) as { parameters: unknown[]; validCodeLengths: number[]; getInvalidCodeLengthMessage(): string };
      return { ok: true, parameters: r.parameters, lengths: r.validCodeLengths, message: r.getInvalidCodeLengthMessage() };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };
  const patterns = ['a {int} and {string}', 'nothing here', '{twice} times {word}', 'later {later} or {twice}', 'oops {bad}', '{float} {int}'];
  const texts = ['a 3 and "x"', 'a -7 and ""', 'nothing here', '4 times it', 'later abc or 5', 'oops !!', '1.5 2', 'no match at all'];
  const args: (messages.PickleStepArgument | undefined)[] = [
    undefined,
    { docString: { content: 'some\ntext', mediaType: 'text/plain' } },
    { dataTable: { rows: [{ cells: [{ value: 'a' }, { value: 'b' }] }, { cells: [{ value: '1' }, { value: '2' }] }] } },
  ];
  let compared = 0;
  let atOnce = 0;
  for (const pattern of patterns) {
    const def = new cls({ code: function () {}, id: 'x', line: 1, options: {}, uri: 'u', keyword: 'Given', pattern, expression: new ce.CucumberExpression(pattern, registry) });
    for (const text of texts) {
      for (const argument of args) {
        const step = { id: 's', text, astNodeIds: [], ...(argument ? { argument } : {}) } as messages.PickleStep;
        const world = {};
        const a = await settle(() => invocationParameters(def as never, step, world, parts));
        const b = await settle(() => original.call(def, { step, world }));
        assert.deepStrictEqual(a, b, `${pattern} / ${text} / ${JSON.stringify(argument)}`);
        compared++;
        let fast: unknown;
        try { fast = invocationParameters(def as never, step, world, parts); } catch { fast = undefined; }
        if (fast !== undefined && !(fast instanceof Promise)) atOnce++;
        if (fast instanceof Promise) fast.catch(() => undefined);
      }
    }
  }
  assert.equal(compared, patterns.length * texts.length * args.length);
  assert.ok(atOnce > 10, `answered at once ${atOnce} times`);
});
