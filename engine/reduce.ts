// The engine's one entry point: reduce(state, action) → new state, QEMU's reply, events, IRQ lines and
// the causal trace. Actions are QEMU's own languages (QMP, qtest, HMP). A refused action returns the very
// state object it was given, with one exception QEMU itself makes: what it keeps from the failed command in
// its CPR fd registry (QEMU 10.0 leaves a failed memfd backend's fd registered; `cprFds`), and nothing else.

import type { MachineState } from './state';
import type { Effects, QmpEvent, TraceEntry } from './effects';
import { qmp, type QmpCommandIn } from './protocol/qmp';
import { qtestLine } from './protocol/qtest';
import { hmp } from './protocol/hmp';

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
 * as the result's own getters: an object literal with accessors takes V8's slow path (≈ 1 µs, a few per cent of a
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

/** A Reduction as the public result: the effects' lists as own enumerable getters. */
export function reduceResult(r: Reduction): ReduceResult {
  // The effects' lists are assembled when first read (engine/effects.ts): own enumerable getters, so the
  // result still spreads, serialises and compares as a plain object.
  const fx = r.fx;
  return {
    state: r.state,
    reply: r.reply,
    ok: r.ok,
    get events() { return fx.events; },
    get irqs() { return fx.irqs; },
    get trace() { return fx.trace; },
    get traceEvents() { return fx.traceEvents; },
  };
}

export function reduce(state: MachineState, action: Action): ReduceResult {
  return reduceResult(reduceFx(state, action));
}
