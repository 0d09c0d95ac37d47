// Cucumber's step runner (@cucumber/cucumber lib/runtime/step_runner.js `run`, MIT licence, Cucumber Ltd) for the
// step library's own steps and hooks, without the async scope it makes around a step's parameters alone.
// Cucumber runs a step in two async-local scopes, one while it makes the step's parameters and one while the step
// runs; each is an AsyncLocalStorage run, an async function and awaits, and under the async hooks that scope needs
// every promise costs a hook call: the first scope was ≈ 6% of the quick suite's executing steps. The library's
// parameter types and steps never ask for the scope's world while their parameters are made (`worldProxy`; `this`
// is the world), so for a function made by steps/flow.ts `step()` the parameters are made directly (awaited only when
// they are a promise); the step itself still runs in its scope, timed, its result and error made as Cucumber makes
// them. Every other step definition (a project's own) goes through Cucumber's `run` unchanged. Left alone (false)
// where Cucumber's modules are not where and what they are expected to be. test/step-runner.test.ts compares the two.

import * as path from 'node:path';
import { isLibraryStep } from './flow';

/** What Cucumber passes its step runner. */
export interface RunOptions {
  readonly defaultTimeout: number;
  readonly filterStackTraces: boolean;
  readonly hookParameter?: unknown;
  readonly step?: unknown;
  readonly stepDefinition: {
    readonly code: (...a: unknown[]) => unknown;
    readonly options: { readonly timeout?: number };
    getInvocationParameters(a: { hookParameter?: unknown; step?: unknown; world: unknown }): unknown;
  };
  readonly world: unknown;
}
type Run = (options: RunOptions) => Promise<{ result: Record<string, unknown>; error?: unknown }>;

interface Parts {
  readonly stepRunner: { default: { run: Run } };
  readonly stopwatch: { create(): { start(): { stop(): { duration(): unknown } } } };
  readonly runInTestCaseScope: (store: { world: unknown }, callback: () => Promise<{ error?: unknown; result?: unknown }>) => Promise<{ error?: unknown; result?: unknown }>;
  readonly userCodeRunner: { run(a: { argsArray: unknown[]; fn: (...a: unknown[]) => unknown; thisArg: unknown; timeoutInMilliseconds: number }): Promise<{ error?: unknown; result?: unknown }> };
  readonly formatError: (error: unknown, filterStackTraces: boolean) => Record<string, unknown>;
  readonly status: { readonly SKIPPED: string; readonly PENDING: string; readonly FAILED: string; readonly PASSED: string };
}

/** Cucumber's modules the runner is made of, as Cucumber loads them, or undefined. */
export function cucumberRunnerParts(): Parts | undefined {
  try {
    const lib = path.dirname(require.resolve('@cucumber/cucumber'));
    const load = (...p: string[]) => require(path.join(lib, ...p)) as Record<string, unknown>;
    const stepRunner = load('runtime', 'step_runner.js') as unknown as Parts['stepRunner'];
    const stopwatch = load('runtime', 'stopwatch.js') as unknown as Parts['stopwatch'];
    const scope = load('runtime', 'scope', 'index.js');
    const userCodeRunner = load('user_code_runner.js').default as Parts['userCodeRunner'];
    const formatError = load('runtime', 'format_error.js').formatError as Parts['formatError'];
    const status = (require(require.resolve('@cucumber/messages', { paths: [lib] })) as { TestStepResultStatus: Parts['status'] }).TestStepResultStatus;
    if (typeof stepRunner?.default?.run !== 'function' || typeof stopwatch.create !== 'function' || typeof scope.runInTestCaseScope !== 'function' ||
      typeof userCodeRunner?.run !== 'function' || typeof formatError !== 'function' || typeof status?.PASSED !== 'string') return undefined;
    return { stepRunner, stopwatch, runInTestCaseScope: scope.runInTestCaseScope as Parts['runInTestCaseScope'], userCodeRunner, formatError, status };
  } catch {
    return undefined;
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
const has = (v: unknown): boolean => v !== null && v !== undefined;

/** Cucumber's run, its parameters made outside an async scope of their own (see the head of this file). */
export function leanRun(parts: Parts): Run {
  return async function run({ defaultTimeout, filterStackTraces, hookParameter, step, stepDefinition, world }) {
    const stopwatch = parts.stopwatch.create().start();
    let error: unknown;
    let result: unknown;
    let invocationData: { parameters: unknown[]; validCodeLengths: number[]; getInvalidCodeLengthMessage(): string } | undefined;
    try {
      const made = stepDefinition.getInvocationParameters({ hookParameter, step, world });
      invocationData = (isThenable(made) ? await made : made) as typeof invocationData;
    } catch (err) {
      error = withoutOwnFrames(err);
    }
    if (!has(error)) {
      const timeoutInMilliseconds = has(stepDefinition.options.timeout) ? stepDefinition.options.timeout! : defaultTimeout;
      if (invocationData!.validCodeLengths.includes(stepDefinition.code.length)) {
        const data = await parts.runInTestCaseScope({ world }, async () => parts.userCodeRunner.run({ argsArray: invocationData!.parameters, fn: stepDefinition.code, thisArg: world, timeoutInMilliseconds }));
        error = data.error;
        result = data.result;
      } else {
        error = invocationData!.getInvalidCodeLengthMessage();
      }
    }
    const duration = stopwatch.stop().duration();
    const status = result === 'skipped' ? parts.status.SKIPPED : result === 'pending' ? parts.status.PENDING : has(error) ? parts.status.FAILED : parts.status.PASSED;
    const details = has(error) ? parts.formatError(error, filterStackTraces) : {};
    return { result: { duration, status, ...details }, error };
  };
}

/**
 * An error thrown while the parameters were made (the library's "an error must be asserted" check, a parameter that
 * does not parse) has this module's two frames where Cucumber's had its own; Cucumber shows a stack up to its first
 * own frame, so they are taken out and it shows what it showed (test/step-runner.test.ts).
 */
function withoutOwnFrames(err: unknown): unknown {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return err;
  const lines = err.stack.split('\n');
  const kept = lines.filter((l) => !OWN_FRAME.test(l));
  if (kept.length !== lines.length) err.stack = kept.join('\n');
  return err;
}
const OWN_FRAME = /^\s+at .*[\\/]steps[\\/]step-runner\.(?:js|ts):\d+:\d+\)?$/;

const ORIGINAL = Symbol.for('hotplug-scenarios.step_runner.run');

/** Route the library's steps and hooks through leanRun (once per process); false when not possible. */
export function installLeanStepRunner(): boolean {
  const parts = cucumberRunnerParts();
  if (!parts) return false;
  const holder = parts.stepRunner.default as { run: Run; [ORIGINAL]?: Run };
  if (holder[ORIGINAL]) return true;
  const original = holder.run;
  const lean = leanRun(parts);
  Object.defineProperty(holder, ORIGINAL, { value: original });
  holder.run = (options) => (isLibraryStep(options.stepDefinition.code) ? lean(options) : original(options));
  return true;
}

/** Cucumber's own run (for the comparison test), whether or not the library's is installed. */
export function cucumberRun(): Run | undefined {
  const holder = cucumberRunnerParts()?.stepRunner.default as { run: Run; [ORIGINAL]?: Run } | undefined;
  return holder ? holder[ORIGINAL] ?? holder.run : undefined;
}
