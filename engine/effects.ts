// What an action produces besides the new state: QMP events, qtest IRQ lines and the causal trace.
// Sub-systems return `Transition`s; `then` threads state through them and concatenates their effects,
// so every module stays a pure function of its inputs.

/** A QMP event as it appears in a transcript: no timestamp. */
export interface QmpEvent {
  readonly event: string;
  readonly data?: unknown;
}

/**
 * One link of the causal path, in QEMU's own vocabulary (function names), e.g.
 * `{fn: 'pc_dimm_pre_plug', note: 'slot 0'}`. `depth` nests callees under callers for drawing.
 */
export interface TraceEntry {
  readonly fn: string;
  readonly note?: string;
  readonly depth: number;
}

export interface Effects {
  readonly events: readonly QmpEvent[];
  /** qtest async lines, `IRQ raise N` / `IRQ lower N`. */
  readonly irqs: readonly string[];
  readonly trace: readonly TraceEntry[];
  /**
   * QEMU trace points that fired, as the `log` trace backend writes them (`-trace EVENT -D FILE`): the event
   * name, a space, the formatted arguments, e.g. `pic_set_irq master 0 irq 1 level 1`. Every modelled event
   * fires; which ones a transcript shows is selected above the engine (engine/trace-events.ts).
   */
  readonly traceEvents: readonly string[];
}

export const NO_EFFECTS: Effects = Object.freeze({ events: [], irqs: [], trace: [], traceEvents: [] });

export interface Transition<S> {
  readonly state: S;
  readonly fx: Effects;
}

export function merge(a: Effects, b: Effects): Effects {
  if (b === NO_EFFECTS) return a;
  if (a === NO_EFFECTS) return b;
  return {
    events: [...a.events, ...b.events],
    irqs: [...a.irqs, ...b.irqs],
    trace: [...a.trace, ...b.trace],
    traceEvents: [...a.traceEvents, ...b.traceEvents],
  };
}

export function done<S>(state: S, fx: Effects = NO_EFFECTS): Transition<S> {
  return { state, fx };
}

/** Chain transitions: `then(t, s => next(s))` keeps effects in causal order. */
export function then<S>(t: Transition<S>, f: (s: S) => Transition<S>): Transition<S> {
  const n = f(t.state);
  return { state: n.state, fx: merge(t.fx, n.fx) };
}

export function trace(fn: string, note?: string, depth = 0): Effects {
  return { events: [], irqs: [], trace: [note === undefined ? { fn, depth } : { fn, note, depth }], traceEvents: [] };
}

/**
 * A QEMU trace point firing (`trace_NAME(args)` in QEMU): `args` is the event's format string already
 * applied, exactly as the log backend prints it after the name.
 */
export function tracepoint(name: string, args: string): Effects {
  return { events: [], irqs: [], trace: [], traceEvents: [`${name} ${args}`] };
}

export function event(event: string, data?: unknown): Effects {
  return { events: [data === undefined ? { event } : { event, data }], irqs: [], trace: [], traceEvents: [] };
}

export function irqLine(line: string): Effects {
  return { events: [], irqs: [line], trace: [], traceEvents: [] };
}

/** Shift a sub-call's trace one level deeper under its caller. */
export function nest(fx: Effects, by = 1): Effects {
  if (fx.trace.length === 0) return fx;
  return { ...fx, trace: fx.trace.map((t) => ({ ...t, depth: t.depth + by })) };
}
