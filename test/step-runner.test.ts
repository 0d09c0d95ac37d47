// steps/step-runner.ts: the library's steps and hooks run by a copy of Cucumber's step runner whose parameters are
// made outside an async scope of their own. Against Cucumber's own run on the same step definitions (results with
// durations left out, errors, stacks as Cucumber shows them), and only functions made by step() go that way.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cucumberRun, cucumberRunnerParts, leanRun, installLeanStepRunner, type RunOptions } from '../steps/step-runner';
import { isLibraryStep, step } from '../steps/flow';

const parts = cucumberRunnerParts();
const world = { name: 'the world' };

interface Data { parameters: unknown[]; validCodeLengths: number[]; getInvalidCodeLengthMessage(): string }
const data = (parameters: unknown[]): Data => ({ parameters, validCodeLengths: [parameters.length, parameters.length + 1], getInvalidCodeLengthMessage: () => `function has ${parameters.length} arguments, should have ${parameters.length} (if synchronous or returning a promise)` });

function checkOfWorld(): never {
  throw new Error('the step before failed and no step asserted it');
}

type Case = { name: string; code: (...a: unknown[]) => unknown; params?: () => unknown; timeout?: number };
const CASES: Case[] = [
  { name: 'passes', code: function (this: unknown, a: unknown) { assert.equal(this, world); return a === 1 ? undefined : 'odd'; } },
  { name: 'skipped', code: (_a: unknown) => 'skipped' },
  { name: 'pending', code: (_a: unknown) => 'pending' },
  { name: 'throws', code: (_a: unknown) => { throw new Error('expected 2, got 3'); } },
  { name: 'throws a string', code: (_a: unknown) => { throw 'plain text'; } },
  { name: 'async passes', code: async (_a: unknown) => undefined },
  { name: 'async rejects', code: async (_a: unknown) => { throw new TypeError('no such DIMM'); } },
  { name: 'times out', code: (_a: unknown) => new Promise(() => undefined), timeout: 20 },
  { name: 'too many parameters', code: (_a: unknown, _b: unknown, _c: unknown) => undefined },
  { name: 'parameters throw', code: (_a: unknown) => undefined, params: () => checkOfWorld() },
  { name: 'parameters reject', code: (_a: unknown) => undefined, params: async () => checkOfWorld() },
  { name: 'parameters later', code: (a: unknown) => (a === 1 ? undefined : 'pending'), params: async () => data([1]) },
];

function options(c: Case, filterStackTraces: boolean): RunOptions {
  return {
    defaultTimeout: 5000,
    filterStackTraces,
    step: { text: c.name },
    world,
    stepDefinition: { code: c.code, options: c.timeout === undefined ? {} : { timeout: c.timeout }, getInvocationParameters: () => (c.params ? c.params() : data([1])) },
  };
}

/**
 * A result as Cucumber shows it: everything but the duration; the error's own text. Under a run, Cucumber's
 * test_case_runner calls the runner and a shown stack ends at its first frame; here the test calls it, so the test
 * runner's frames (below either runner) are taken out.
 */
const shown = (r: { result: Record<string, unknown>; error?: unknown }) => {
  const { duration, ...rest } = r.result;
  assert.ok(duration && typeof duration === 'object', 'a duration');
  const text = JSON.stringify({ ...rest, error: r.error instanceof Error ? `${r.error.constructor.name}: ${r.error.message}` : r.error ?? null });
  return text.replace(/\\n {4}at (?:async )?(?:TestContext\.<anonymous>|Test\.\w+) \([^)]*\)/g, '');
};

test('the library\'s runner gives what Cucumber\'s run gives, stacks as Cucumber shows them included', { skip: parts ? false : 'Cucumber\'s runner is not where it is expected' }, async () => {
  const original = cucumberRun()!;
  const lean = leanRun(parts!);
  for (const filter of [true, false]) {
    for (const c of CASES) {
      const a = shown(await original(options(c, filter)));
      const b = shown(await lean(options(c, filter)));
      // Unfiltered, a stack shows the runner's own frames, which differ by nature; filtered, Cucumber's view of it.
      if (filter) assert.equal(b, a, c.name);
      else assert.equal(JSON.parse(b).status, JSON.parse(a).status, c.name);
    }
  }
});

test('only functions made by step() take the library\'s runner', { skip: parts ? false : 'Cucumber\'s runner is not where it is expected' }, async () => {
  assert.ok(installLeanStepRunner());
  const holder = parts!.stepRunner.default;
  const made = step(function* (this: unknown, _a: unknown) { return undefined; });
  assert.ok(isLibraryStep(made));
  assert.ok(!isLibraryStep(function (_a: unknown) { return undefined; }));
  // A project's step goes through Cucumber's own run: its parameters are made inside the test case scope.
  let scoped: boolean | undefined;
  const probe = (madeInScope: (v: boolean) => void) => ({
    defaultTimeout: 5000, filterStackTraces: true, step: { text: 'x' }, world,
    stepDefinition: {
      code: (_a: unknown) => undefined, options: {},
      getInvocationParameters: () => {
        // Cucumber's worldProxy answers only inside a test case scope.
        try { madeInScope(require('@cucumber/cucumber').world.name === world.name); } catch { madeInScope(false); }
        return data([1]);
      },
    },
  });
  const plain = probe((v) => (scoped = v));
  assert.equal((await holder.run(plain as never)).result.status, 'PASSED');
  assert.equal(scoped, true, 'a project\'s step: parameters made in the scope');
  const ours = probe((v) => (scoped = v));
  (ours.stepDefinition as { code: unknown }).code = made;
  assert.equal((await holder.run(ours as never)).result.status, 'PASSED');
  assert.equal(scoped, false, 'the library\'s step: parameters made directly');
});
