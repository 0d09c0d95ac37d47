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
 * Effects are built as a small tree (a rope) and each of the four lists is assembled from it on its first read:
 * combining the effects of nested calls (merge, nest) then costs O(1) instead of copying every list at every
 * level, and a caller that never reads the trace (a replay compares replies, events and IRQ lines) never pays for
 * assembling it. Reading gives the very lists the eager concatenation gave (test/effects.property.test.ts).
 */
class Fx implements Effects {
  /** The lists read so far, by kind. */
  private done?: (readonly unknown[] | undefined)[];
  /**
   * No QMP event and no IRQ line anywhere in this tree. A replay reads those two lists of every step, and most of
   * a step's tree is trace: reading them skips the quiet subtrees instead of walking every trace node.
   */
  private readonly quiet: boolean;
  constructor(
    private readonly tag: Tag,
    /**
     * LIST: the lists; TRACE: fn; POINT: the trace point's name; EVENT: the event; IRQ: the line; CAT: left;
     * TRACE_ONLY: the effects whose trace alone it has.
     */
    private readonly a: unknown,
    /**
     * TRACE: the note; POINT: the formatted arguments (either may be a `Note`, formatted when the list is read);
     * CAT: right (or undefined: only `a`, nested).
     */
    private readonly b: unknown,
    /** TRACE: the entry's depth; CAT: trace depth added to everything below (nest). */
    private readonly by: number,
  ) {
    this.quiet = tag === Tag.TRACE || tag === Tag.POINT || tag === Tag.TRACE_ONLY ? true
      : tag === Tag.CAT ? (a as Fx).quiet && (b === undefined || (b as Fx).quiet)
      : tag === Tag.LIST ? (a as Flat).events.length === 0 && (a as Flat).irqs.length === 0
      : false;
  }

  private list<T>(kind: Kind): readonly T[] {
    if (this.tag === Tag.LIST) return (this.a as Flat)[KIND_KEYS[kind]] as readonly T[];
    const done = (this.done ??= []);
    let l = done[kind];
    if (l === undefined) done[kind] = l = this.quiet && (kind === Kind.EVENTS || kind === Kind.IRQS) ? [] : Fx.collect(this, kind);
    return l as unknown as readonly T[];
  }
  get events(): readonly QmpEvent[] { return this.list(Kind.EVENTS); }
  get irqs(): readonly string[] { return this.list(Kind.IRQS); }
  get trace(): readonly TraceEntry[] { return this.list(Kind.TRACE); }
  get traceEvents(): readonly string[] { return this.list(Kind.POINTS); }

  /** One of this tree's lists, in order; trace entries shifted by the nesting above them. */
  static collect(root: Fx, kind: Kind): unknown[] {
    const out: unknown[] = [];
    const nodes: Fx[] = [root];
    const depths: number[] = [0];
    const skipQuiet = kind === Kind.EVENTS || kind === Kind.IRQS;
    while (nodes.length) {
      const n = nodes.pop()!;
      const d = depths.pop()!;
      if (skipQuiet && n.quiet) continue;
      const known = n === root ? undefined : n.done?.[kind];
      if (known !== undefined || n.tag === Tag.LIST) {
        const l = (known ?? (n.a as Flat)[KIND_KEYS[kind]]) as readonly unknown[];
        const shift = kind === Kind.TRACE ? d + (known !== undefined ? 0 : n.by) : 0;
        if (shift === 0) append(out, l);
        else {
          for (let i = 0; i < l.length; i++) {
            const e = l[i] as TraceEntry;
            out.push(e.note === undefined ? { fn: e.fn, depth: e.depth + shift } : { fn: e.fn, note: e.note, depth: e.depth + shift });
          }
        }
        continue;
      }
      switch (n.tag) {
        case Tag.TRACE:
          if (kind === Kind.TRACE) {
            const fn = n.a as string;
            const note = noteText(n.b as Note | undefined);
            out.push(note === undefined ? { fn, depth: n.by + d } : { fn, note, depth: n.by + d });
          }
          break;
        case Tag.POINT:
          if (kind === Kind.POINTS) out.push(`${n.a as string} ${noteText(n.b as Note) as string}`);
          break;
        case Tag.EVENT:
          if (kind === Kind.EVENTS) out.push(n.a);
          break;
        case Tag.IRQ:
          if (kind === Kind.IRQS) out.push(n.a);
          break;
        case Tag.TRACE_ONLY:
          if (kind === Kind.TRACE) {
            nodes.push(n.a as Fx);
            depths.push(d);
          }
          break;
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
    return out;
  }
}

const enum Kind { EVENTS, IRQS, TRACE, POINTS }
const KIND_KEYS = ['events', 'irqs', 'trace', 'traceEvents'] as const;

const enum Tag { LIST, TRACE, POINT, EVENT, IRQ, CAT, TRACE_ONLY }

function append<T>(to: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]);
}

interface Flat {
  readonly events: readonly QmpEvent[];
  readonly irqs: readonly string[];
  readonly trace: readonly TraceEntry[];
  readonly traceEvents: readonly string[];
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

/**
 * Whether the effects made now keep trace entries (trace) and trace points (tracepoint): both, except while
 * `unrecorded` runs an action for a caller that will not read them (a replay's transcript shows replies, events and
 * IRQ lines; its trace points only when it selects some). Then neither is made (no node, nothing to merge): ≈ a fifth
 * of a plug's CPU. Nothing the engine decides depends on its trace; the events and IRQ lines are the same either way
 * (test/unrecorded.property.test.ts).
 */
let keepTrace = true;
let keepPoints = true;

/** What `unrecorded` leaves out: the trace entries, and the trace points unless `points` is true. */
export interface Unrecorded {
  readonly points: boolean;
}

/**
 * Whether trace entries are being made (false inside `unrecorded`): a caller whose work serves its trace notes alone
 * may skip it (test/unrecorded.property.test.ts: the same state either way).
 */
export function recordsTrace(): boolean {
  return keepTrace;
}

/** Whether trace points are being made (false inside `unrecorded` unless it keeps them). */
export function recordsPoints(): boolean {
  return keepPoints;
}

/**
 * `f()` with the trace left out of every effect it makes (and the trace points, unless `keep.points`); synchronous,
 * the previous mode restored however it ends. A caller that needs the trace later runs the action again (the engine
 * is pure: the same state and action give the same effects, the trace included).
 */
export function unrecorded<T>(keep: Unrecorded, f: () => T): T {
  const was = beginUnrecorded(keep);
  try {
    return f();
  } finally {
    endUnrecorded(was);
  }
}

/**
 * `unrecorded` in two halves, for a caller that keeps a closure out of its hot path: the mode before (to give back to
 * endUnrecorded in a `finally`).
 */
export function beginUnrecorded(keep: Unrecorded): number {
  const was = (keepTrace ? 1 : 0) | (keepPoints ? 2 : 0);
  keepTrace = false;
  keepPoints = keep.points && keepPoints;
  return was;
}

export function endUnrecorded(was: number): void {
  keepTrace = (was & 1) !== 0;
  keepPoints = (was & 2) !== 0;
}

/**
 * A trace note or trace point's arguments: the text, or a function giving it, called only when the trace (or the
 * trace points) are read, so that an action whose trace nobody reads does not format its notes (a replay reads
 * replies, events and IRQ lines). The function must give the same text whenever it is called: it reads only
 * values that never change (the engine's state is immutable; no `let` that is assigned afterwards).
 */
export type Note = string | (() => string);

function noteText(n: Note | undefined): string | undefined {
  return typeof n === 'function' ? n() : n;
}

export function trace(fn: string, note?: Note, depth = 0): Effects {
  return keepTrace ? new Fx(Tag.TRACE, fn, note, depth) : NO_EFFECTS;
}

/**
 * A QEMU trace point firing (`trace_NAME(args)` in QEMU): `args` is the event's format string already
 * applied, exactly as the log backend prints it after the name.
 */
export function tracepoint(name: string, args: Note): Effects {
  return keepPoints ? new Fx(Tag.POINT, name, args, 0) : NO_EFFECTS;
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
  return fx === NO_EFFECTS ? fx : new Fx(Tag.TRACE_ONLY, asFx(fx), undefined, 0);
}

