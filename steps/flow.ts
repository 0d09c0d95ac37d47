// Step definitions as generator bodies (the bodies, `call` and `drive`: ../flow.ts, shared with libvirt/).

import { drive, type Flow } from '../flow';

export { call, drive, isThenable, type Flow } from '../flow';

/**
 * A step definition's function from a generator body (Cucumber's `this` and arguments passed on): the body's value
 * at once when it never waited for a promise, else a promise. Its `length` is the body's, which Cucumber checks
 * against the step's parameters.
 */
export function step<A extends unknown[], R, W>(body: (this: W, ...args: A) => Flow<R>): (this: W, ...args: A) => R | Promise<R> {
  const fn = function (this: W, ...args: A): R | Promise<R> {
    return drive(body.apply(this, args));
  };
  Object.defineProperty(fn, 'length', { value: body.length });
  Object.defineProperty(fn, LIBRARY_STEP, { value: true });
  return fn;
}

const LIBRARY_STEP = Symbol('hotplug-scenarios library step');

/** Whether `fn` was made by `step()` (the library's own steps and hooks: steps/step-runner.ts). */
export function isLibraryStep(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { [LIBRARY_STEP]?: boolean })[LIBRARY_STEP] === true;
}
