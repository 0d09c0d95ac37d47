// The two result shapes of the engine: an operation on the machine (Outcome: a new state with its effects,
// or QEMU's error with the trace up to the refusal; the state is then the caller's, untouched), and a check
// or computation QEMU may refuse (Checked: the value, or QEMU's error).

import type { Effects } from './effects';
import { NO_EFFECTS, merge } from './effects';
import type { QemuError } from './errors';

export type Outcome<S> =
  | { readonly ok: true; readonly state: S; readonly fx: Effects }
  | { readonly ok: false; readonly error: QemuError; readonly fx: Effects };

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: QemuError };

export const succeed = <S>(state: S, fx: Effects = NO_EFFECTS): Outcome<S> => ({ ok: true, state, fx });
export const refuse = <S>(error: QemuError, fx: Effects = NO_EFFECTS): Outcome<S> => ({ ok: false, error, fx });

/** Run `f` on a successful outcome's state, keeping effects in order; a refusal short-circuits. */
export function andThen<S>(o: Outcome<S>, f: (s: S) => Outcome<S>): Outcome<S> {
  if (!o.ok) return o;
  const n = f(o.state);
  return n.ok ? { ok: true, state: n.state, fx: merge(o.fx, n.fx) } : { ok: false, error: n.error, fx: merge(o.fx, n.fx) };
}
