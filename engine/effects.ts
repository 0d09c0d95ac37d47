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

/**
 * Effects are built as a small tree (a rope) and flattened into their four lists on first read: combining the
 * effects of nested calls (merge, nest) then costs O(1) instead of copying every list at every level, and a
 * caller that never reads the trace never pays for assembling it. Reading gives the very lists the eager
 * concatenation gave (test/effects.property.test.ts).
 */
class Fx implements Effects {
  private flat?: Flat;
  constructor(
    private tag: Tag,
    /** LIST: the lists; TRACE: fn; POINT: the trace point's name; EVENT: the event; IRQ: the line; CAT: left. */
    private a: unknown,
    /** TRACE: the note; POINT: the formatted arguments; CAT: right (or undefined: only `a`, nested). */
    private b: unknown,
    /** TRACE: the entry's depth; CAT: trace depth added to everything below (nest). */
    private readonly by: number,
  ) {}

  private lists(): Flat {
    let f = this.flat;
    if (f === undefined) {
      f = this.tag === Tag.LIST ? (this.a as Flat) : flatten(this);
      this.flat = f;
      this.tag = Tag.LIST; // what is flat no longer needs the tree
      this.a = f;
      this.b = undefined;
    }
    return f;
  }
  get events(): readonly QmpEvent[] { return this.lists().events; }
  get irqs(): readonly string[] { return this.lists().irqs; }
  get trace(): readonly TraceEntry[] { return this.lists().trace; }
  get traceEvents(): readonly string[] { return this.lists().traceEvents; }

  /** Append this tree's lists to `out`, in order, trace entries shifted by the nesting above them. */
  static collect(root: Fx, out: { events: QmpEvent[]; irqs: string[]; trace: TraceEntry[]; traceEvents: string[] }): void {
    const nodes: Fx[] = [root];
    const depths: number[] = [0];
    while (nodes.length) {
      const n = nodes.pop()!;
      const d = depths.pop()!;
      switch (n.tag) {
        case Tag.TRACE: {
          const fn = n.a as string;
          const note = n.b as string | undefined;
          out.trace.push(note === undefined ? { fn, depth: n.by + d } : { fn, note, depth: n.by + d });
          break;
        }
        case Tag.POINT:
          out.traceEvents.push(`${n.a as string} ${n.b as string}`);
          break;
        case Tag.EVENT:
          out.events.push(n.a as QmpEvent);
          break;
        case Tag.IRQ:
          out.irqs.push(n.a as string);
          break;
        case Tag.LIST: {
          const f = n.a as Flat;
          append(out.events, f.events);
          append(out.irqs, f.irqs);
          append(out.traceEvents, f.traceEvents);
          const t = f.trace;
          if (d === 0) append(out.trace, t);
          else {
            for (let i = 0; i < t.length; i++) {
              const e = t[i];
              out.trace.push(e.note === undefined ? { fn: e.fn, depth: e.depth + d } : { fn: e.fn, note: e.note, depth: e.depth + d });
            }
          }
          break;
        }
        case Tag.CAT: {
          const dd = d + n.by;
          if (n.b !== undefined) {
            nodes.push(n.b as Fx);
            depths.push(dd);
          }
          nodes.push(n.a as Fx);
          depths.push(dd);
          break;
        }
      }
    }
  }
}

const enum Tag { LIST, TRACE, POINT, EVENT, IRQ, CAT }

function append<T>(to: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]);
}

interface Flat {
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
  readonly trace: readonly TraceEntry[];
  readonly traceEvents: readonly string[];
}

function flatten(n: Fx): Flat {
  const out = { events: [] as QmpEvent[], irqs: [] as string[], trace: [] as TraceEntry[], traceEvents: [] as string[] };
  Fx.collect(n, out);
  return out;
}

const EMPTY: Flat = Object.freeze({ events: Object.freeze([]), irqs: Object.freeze([]), trace: Object.freeze([]), traceEvents: Object.freeze([]) }) as Flat;

/** Effects from plain lists (any object with the four lists is one). */
function asFx(e: Effects): Fx {
  return e instanceof Fx ? e : new Fx(Tag.LIST, { events: e.events, irqs: e.irqs, trace: e.trace, traceEvents: e.traceEvents }, undefined, 0);
}

export const NO_EFFECTS: Effects = new Fx(Tag.LIST, EMPTY, undefined, 0);

export interface Transition<S> {
  readonly state: S;
  readonly fx: Effects;
}

export function merge(a: Effects, b: Effects): Effects {
  if (b === NO_EFFECTS) return a;
  if (a === NO_EFFECTS) return b;
  return new Fx(Tag.CAT, asFx(a), asFx(b), 0);
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
  return new Fx(Tag.TRACE, fn, note, depth);
}

/**
 * A QEMU trace point firing (`trace_NAME(args)` in QEMU): `args` is the event's format string already
 * applied, exactly as the log backend prints it after the name.
 */
export function tracepoint(name: string, args: string): Effects {
  return new Fx(Tag.POINT, name, args, 0);
}

export function event(event: string, data?: unknown): Effects {
  return new Fx(Tag.EVENT, data === undefined ? { event } : { event, data }, undefined, 0);
}

export function irqLine(line: string): Effects {
  return new Fx(Tag.IRQ, line, undefined, 0);
}

/** Shift a sub-call's trace one level deeper under its caller. */
export function nest(fx: Effects, by = 1): Effects {
  if (fx === NO_EFFECTS || by === 0) return fx;
  return new Fx(Tag.CAT, asFx(fx), undefined, by);
}

/** The trace of `fx` only (its events, IRQ lines and trace points dropped). */
export function traceOnly(fx: Effects): Effects {
  return fx === NO_EFFECTS ? fx : new Fx(Tag.LIST, { ...EMPTY, trace: fx.trace }, undefined, 0);
}

