// The engine's one entry point: reduce(state, action) → new state, QEMU's reply, events, IRQ lines and
// the causal trace. Actions are QEMU's own languages (QMP, qtest, HMP). A refused action returns the very
// state object it was given, with one exception QEMU itself makes: what it keeps from the failed command in
// its CPR fd registry (QEMU 10.0 leaves a failed memfd backend's fd registered; `cprFds`), and nothing else.

import type { MachineState } from './state';
import { beginUnrecorded, endUnrecorded, type Effects, type QmpEvent, type TraceEntry, type Unrecorded } from './effects';
import { qmp, type QmpCommandIn } from './protocol/qmp';
import { qtestLine } from './protocol/qtest';
import { hmp } from './protocol/hmp';
import { hiddenSlot, type HiddenSlot } from './hidden';

export type Action =
  | { readonly kind: 'qmp'; readonly command: QmpCommandIn }
  | { readonly kind: 'qtest'; readonly line: string }
  | { readonly kind: 'hmp'; readonly line: string };

export interface ReduceResult {
  readonly state: MachineState;
  readonly reply: unknown;
  /** False when QEMU refused (QMP error, qtest FAIL, HMP "Error:"); `state` is then the input. */
  readonly ok: boolean;
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
  readonly trace: readonly TraceEntry[];
  /** Every modelled QEMU trace point that fired, as the log backend writes it (engine/trace-events.ts). */
  readonly traceEvents: readonly string[];
}

export function isRefusal(action: Action, reply: unknown): boolean {
  switch (action.kind) {
    case 'qmp':
      return typeof reply === 'object' && reply !== null && 'error' in reply;
    case 'qtest':
      return typeof reply === 'string' && reply.startsWith('FAIL');
    case 'hmp':
      return typeof reply === 'string' && reply.startsWith('Error:');
  }
}

function keepCprFds(state: MachineState, fds: MachineState['cprFds']): MachineState {
  const { cprFds: _old, ...rest } = state;
  return fds ? { ...rest, cprFds: fds } : rest;
}

/**
 * What `reduce` computes, with the effects as they are (`fx`, each list assembled on its first read) instead of
 * as the result's own getters: defining accessor properties costs ≈ 1 µs an object in V8 (a few per cent of a
 * typical step), which a caller that reads the lists itself (the model backend) need not pay.
 */
export interface Reduction {
  readonly state: MachineState;
  readonly reply: unknown;
  /** False when QEMU refused (QMP error, qtest FAIL, HMP "Error:"); `state` is then the input. */
  readonly ok: boolean;
  readonly fx: Effects;
}

export function reduceFx(state: MachineState, action: Action): Reduction {
  const r =
    action.kind === 'qmp' ? qmp(state, action.command)
    : action.kind === 'qtest' ? qtestLine(state, action.line)
    : hmp(state, action.line);
  const ok = !isRefusal(action, r.reply);
  const kept = ok || r.state.cprFds === state.cprFds ? state : keepCprFds(state, r.state.cprFds);
  return { state: ok ? r.state : kept, reply: r.reply, ok, fx: r.fx };
}

/**
 * reduceFx for a caller that reads neither the trace nor (unless `keep.points`) the trace points: the same state,
 * reply, events and IRQ lines, with those lists left empty (engine/effects.ts, unrecorded). Running the action again
 * with reduceFx gives them.
 */
export function reduceFxUnrecorded(state: MachineState, action: Action, keep: Unrecorded): Reduction {
  const was = beginUnrecorded(keep);
  try {
    return reduceFx(state, action);
  } finally {
    endUnrecorded(was);
  }
}

/** A Reduction as the public result: the effects' lists as own enumerable getters. */
export function reduceResult(r: Reduction): ReduceResult {
  // The effects' lists are assembled when first read (engine/effects.ts): own enumerable getters, so the
  // result still spreads, serialises and compares as a plain object.
  // One defineProperty per key: defineProperties with a descriptor map costs about twice as much (≈ 1.5 µs).
  const result = { state: r.state, reply: r.reply, ok: r.ok };
  fxOf.set(result, r.fx);
  Object.defineProperty(result, 'events', LAZY_LISTS.events);
  Object.defineProperty(result, 'irqs', LAZY_LISTS.irqs);
  Object.defineProperty(result, 'trace', LAZY_LISTS.trace);
  return Object.defineProperty(result, 'traceEvents', LAZY_LISTS.traceEvents) as unknown as ReduceResult;
}

export function reduce(state: MachineState, action: Action): ReduceResult {
  return reduceResult(reduceFx(state, action));
}

/**
 * The result's effects, out of sight (engine/hidden.ts: not a key anything enumerates or compares; stamped in ≈ 20 ns
 * where a non-enumerable symbol property took ≈ 300), read by the shared getters below. Not an object literal with
 * getters: each of those made accessor pairs V8 keeps outside the young generation, which kept every result (its
 * state and effects) alive until the next full collection — a third of what an action allocated was copied and
 * promoted by the scavenger.
 */
const fxOf: HiddenSlot<Effects> = hiddenSlot();
const LAZY_LISTS: Readonly<Record<'events' | 'irqs' | 'trace' | 'traceEvents', PropertyDescriptor>> = {
  events: { get(this: object) { return fxOf.get(this)!.events; }, enumerable: true, configurable: true },
  irqs: { get(this: object) { return fxOf.get(this)!.irqs; }, enumerable: true, configurable: true },
  trace: { get(this: object) { return fxOf.get(this)!.trace; }, enumerable: true, configurable: true },
  traceEvents: { get(this: object) { return fxOf.get(this)!.traceEvents; }, enumerable: true, configurable: true },
};
