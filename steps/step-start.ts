// What the step library does as each step begins (which step runs, its type and line, the "an error must be
// asserted" check) without a BeforeStep hook. Cucumber runs every hook of every step as an invocation of its own
// (arguments, async scope, stopwatch, result): one BeforeStep hook was ≈ 4% of the quick suite's step CPU.
// Instead the step definitions' `getInvocationParameters` (which Cucumber calls for every step it runs, just
// before the step function, with the pickle step and the world, and never for a hook) calls `onStart` first: what
// it throws fails the step as the hook's error did (the step function does not run), and the step's duration
// includes it as it included the hook's. Left alone (false) where Cucumber's StepDefinition is not where and what it
// is expected to be: hooks.ts then registers the BeforeStep hook as before.
// The parameters themselves are made as Cucumber makes them, without its promises while no value is one
// (invocationParameters below): Cucumber awaits the call, and a plain value needs no promise of its own.

import * as path from 'node:path';
import type * as messages from '@cucumber/messages';

type OnStart = (world: unknown, step: messages.PickleStep) => void;

interface StepDefinitionProto {
  getInvocationParameters(this: unknown, args: { step: messages.PickleStep; world: unknown }): Promise<unknown> | InvocationData;
}

/** What Cucumber's StepDefinition.getInvocationParameters resolves to. */
interface InvocationData {
  readonly getInvalidCodeLengthMessage: () => string;
  readonly parameters: unknown[];
  readonly validCodeLengths: number[];
}

/** The parts of a StepDefinition the invocation parameters are made from. */
interface StepDefinitionLike {
  readonly expression: { match(text: string): { getValue(world: unknown): unknown }[] | null };
  baseGetInvalidCodeLengthMessage(parameters: unknown[]): string;
}

/** Cucumber's own helpers for a step's doc string or data table (its step_arguments and DataTable), or undefined. */
function stepArgumentParts(): { parseStepArgument: (arg: unknown, mapping: { dataTable(a: unknown): unknown; docString(a: { content: string }): unknown }) => unknown; DataTable: new (a: unknown) => unknown } | undefined {
  try {
    const lib = path.dirname(require.resolve('@cucumber/cucumber'));
    const args = require(path.join(lib, 'step_arguments.js')) as { parseStepArgument?: unknown };
    const table = require(path.join(lib, 'models', 'data_table.js')) as { default?: unknown };
    if (typeof args.parseStepArgument !== 'function' || typeof table.default !== 'function') return undefined;
    return { parseStepArgument: args.parseStepArgument as never, DataTable: table.default as never };
  } catch {
    return undefined;
  }
}

const isThenable = (v: unknown): boolean => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/**
 * Cucumber's StepDefinition.getInvocationParameters without its promises while no parameter value is one: the same
 * values (each argument's getValue, in order, then the doc string's content or a DataTable of the data table), the
 * same code lengths and message, the same errors (thrown rather than rejected: Cucumber awaits the call inside an
 * async function, where both fail the step alike). A value that is a promise (a parameter type's asynchronous
 * transformer) is awaited with Promise.all, as Cucumber does. test/step-start.test.ts compares the two.
 */
export function invocationParameters(
  def: StepDefinitionLike,
  step: messages.PickleStep,
  world: unknown,
  parts: NonNullable<ReturnType<typeof stepArgumentParts>>,
): InvocationData | Promise<InvocationData> {
  const values = def.expression.match(step.text)!.map((arg) => arg.getValue(world));
  const done = (parameters: unknown[]): InvocationData => {
    if (step.argument !== undefined && step.argument !== null) {
      parameters.push(parts.parseStepArgument(step.argument, { dataTable: (arg) => new parts.DataTable(arg), docString: (arg) => arg.content }));
    }
    return {
      getInvalidCodeLengthMessage: () => def.baseGetInvalidCodeLengthMessage(parameters),
      parameters,
      validCodeLengths: [parameters.length, parameters.length + 1],
    };
  };
  return values.some(isThenable) ? Promise.all(values).then(done) : done(values);
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
  const parts = stepArgumentParts();
  proto.getInvocationParameters = function (this: unknown, args: { step: messages.PickleStep; world: unknown }): Promise<unknown> | InvocationData {
    onStart(args.world, args.step);
    return parts ? invocationParameters(this as StepDefinitionLike, args.step, args.world, parts) : original.call(this, args);
  };
  return true;
}
