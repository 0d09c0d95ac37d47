// What the step library does as each step begins (which step runs, its type and line, the "an error must be
// asserted" check) without a BeforeStep hook. Cucumber runs every hook of every step as an invocation of its own
// (arguments, async scope, stopwatch, result): one BeforeStep hook was ≈ 4% of the quick suite's step CPU.
// Instead the step definitions' `getInvocationParameters` (which Cucumber calls for every step it runs, just
// before the step function, with the pickle step and the world, and never for a hook) calls `onStart` first: what
// it throws fails the step as the hook's error did (the step function does not run), and the step's duration
// includes it as it included the hook's. Left alone (false) where Cucumber's StepDefinition is not where and what it
// is expected to be: hooks.ts then registers the BeforeStep hook as before.

import * as path from 'node:path';
import type * as messages from '@cucumber/messages';

type OnStart = (world: unknown, step: messages.PickleStep) => void;

interface StepDefinitionProto {
  getInvocationParameters(this: unknown, args: { step: messages.PickleStep; world: unknown }): Promise<unknown>;
}

const ORIGINAL = Symbol.for('hotplug-scenarios.StepDefinition.getInvocationParameters');
type Patched = StepDefinitionProto & { [ORIGINAL]?: StepDefinitionProto['getInvocationParameters'] };

/** Cucumber's StepDefinition class as Cucumber loads it, or undefined. */
export function stepDefinitionClass(): (new (...a: never[]) => unknown) | undefined {
  try {
    const entry = require.resolve('@cucumber/cucumber');
    // Not exported by the package: its file next to the entry point (the path Cucumber's own require resolves to).
    const mod = require(path.join(path.dirname(entry), 'models', 'step_definition.js')) as { default?: new (...a: never[]) => unknown };
    const proto = mod.default?.prototype as Partial<StepDefinitionProto> | undefined;
    return typeof proto?.getInvocationParameters === 'function' && proto.getInvocationParameters.length <= 1 ? mod.default : undefined;
  } catch {
    return undefined;
  }
}

let installed: OnStart | undefined;

/** Call `onStart(world, pickleStep)` before every step Cucumber runs (once per process); false when not possible. */
export function installStepStart(onStart: OnStart): boolean {
  const cls = stepDefinitionClass();
  if (!cls) return false;
  const proto = cls.prototype as Patched;
  if (proto[ORIGINAL]) return installed === onStart;
  const original = proto.getInvocationParameters;
  Object.defineProperty(proto, ORIGINAL, { value: original });
  installed = onStart;
  proto.getInvocationParameters = function (this: unknown, args: { step: messages.PickleStep; world: unknown }): Promise<unknown> {
    onStart(args.world, args.step);
    return original.call(this, args);
  };
  return true;
}
