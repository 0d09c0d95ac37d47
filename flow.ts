// Steps that run without a promise when nothing has to be waited for. On the model backend every answer is computed
// at once, yet an `async` step makes promises at every call and `await` (and Cucumber, seeing a promise, races it
// against its uncaught-exception handler): under the async-hooks scope Cucumber runs steps in, each promise costs a
// hook call and an allocation. A step written as a generator instead (`step(function* () { ... })`) waits for a
// value with `yield* call(value)`: a plain value goes on at once (not even a yield), and only a promise (real QEMU,
// a libvirt domain, a lazy import) is yielded to `drive`, which from then on goes on asynchronously, when each
// promise it is handed settles. Errors are thrown into the generator where it waits, so try/catch/finally work as
// with await. The same body runs either way: written once, it behaves as the async function it replaces (for one
// step at a time: what differs is only how many microtask turns it takes). libvirt/domain-object.ts writes libvirt's
// operations the same way, so an attach on the model runs to its end without a promise too.

/**
 * A generator body run by `drive`. Wait for a value with `yield* call(x)` (typed), for another body with
 * `yield* body`; a bare `yield x` gives back `any`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Flow<R> = Generator<unknown, R, any>;

/** Wait for `value`: at once when it is a plain value (not even a yield), else when its promise settles. */
export function* call<T>(value: T | PromiseLike<T>): Flow<T> {
  return isThenable(value) ? ((yield value) as T) : value;
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** Run a body: its value at once when it never met a promise, else a promise of it. */
export function drive<R>(body: Flow<R>): R | Promise<R> {
  const it = body;
  let r = it.next();
  while (!r.done) {
    if (isThenable(r.value)) return driveAsync(it, r.value);
    r = it.next(r.value);
  }
  return r.value;
}

async function driveAsync<R>(it: Flow<R>, first: PromiseLike<unknown>): Promise<R> {
  let waiting: unknown = first;
  for (;;) {
    let value: unknown;
    let error: unknown;
    let failed = false;
    try {
      value = await waiting;
    } catch (e) {
      failed = true;
      error = e;
    }
    const r = failed ? it.throw(error) : it.next(value);
    if (r.done) return r.value;
    waiting = r.value;
  }
}
