// Effects are assembled lazily (engine/effects.ts: a rope flattened on first read). Against the eager
// definition — merge concatenates the four lists, nest shifts every trace entry's depth — on random
// expressions of trace, tracepoint, event, irqLine, plain effects objects, merge, nest and traceOnly: the lists
// read must be the same, entry for entry, however often and in whatever order they are read (sub-results'
// lists read early too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';
import { event, irqLine, merge, nest, NO_EFFECTS, trace, traceOnly, tracepoint, type Effects, type TraceEntry } from '../engine/effects';

interface Plain {
  events: unknown[];
  irqs: string[];
  trace: TraceEntry[];
  traceEvents: string[];
}

type Expr =
  | { op: 'trace'; fn: string; note?: string; depth: number; thunk: boolean }
  | { op: 'point'; name: string; args: string; thunk: boolean }
  | { op: 'event'; name: string; data?: number }
  | { op: 'irq'; line: string }
  | { op: 'plain'; fns: string[] }
  | { op: 'none' }
  | { op: 'merge'; a: Expr; b: Expr }
  | { op: 'nest'; a: Expr; by: number }
  | { op: 'traceOnly'; a: Expr };

const word = fc.constantFrom('a', 'b', 'pc_dimm_plug', 'x y', '');
const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ op: fc.constant('trace' as const), fn: word, note: fc.option(word, { nil: undefined }), depth: fc.nat(4), thunk: fc.boolean() }),
    fc.record({ op: fc.constant('point' as const), name: word, args: word, thunk: fc.boolean() }),
    fc.record({ op: fc.constant('event' as const), name: word, data: fc.option(fc.nat(9), { nil: undefined }) }),
    fc.record({ op: fc.constant('irq' as const), line: word }),
    fc.record({ op: fc.constant('plain' as const), fns: fc.array(word, { maxLength: 3 }) }),
    fc.constant({ op: 'none' as const }),
    fc.record({ op: fc.constant('merge' as const), a: tie('expr'), b: tie('expr') }),
    fc.record({ op: fc.constant('nest' as const), a: tie('expr'), by: fc.nat(3) }),
    fc.record({ op: fc.constant('traceOnly' as const), a: tie('expr') }),
  ),
}));

function entry(fn: string, note: string | undefined, depth: number): TraceEntry {
  return note === undefined ? { fn, depth } : { fn, note, depth };
}

/** The eager definition. */
function eager(e: Expr): Plain {
  switch (e.op) {
    case 'trace': return { events: [], irqs: [], trace: [entry(e.fn, e.note, e.depth)], traceEvents: [] };
    case 'point': return { events: [], irqs: [], trace: [], traceEvents: [`${e.name} ${e.args}`] };
    case 'event': return { events: [e.data === undefined ? { event: e.name } : { event: e.name, data: e.data }], irqs: [], trace: [], traceEvents: [] };
    case 'irq': return { events: [], irqs: [e.line], trace: [], traceEvents: [] };
    case 'plain': return { events: [], irqs: ['IRQ raise 9'], trace: e.fns.map((fn, i) => entry(fn, undefined, i)), traceEvents: ['p'] };
    case 'none': return { events: [], irqs: [], trace: [], traceEvents: [] };
    case 'merge': {
      const a = eager(e.a);
      const b = eager(e.b);
      return { events: [...a.events, ...b.events], irqs: [...a.irqs, ...b.irqs], trace: [...a.trace, ...b.trace], traceEvents: [...a.traceEvents, ...b.traceEvents] };
    }
    case 'nest': {
      const a = eager(e.a);
      return { ...a, trace: a.trace.map((t) => ({ ...t, depth: t.depth + e.by })) };
    }
    case 'traceOnly': return { events: [], irqs: [], trace: eager(e.a).trace, traceEvents: [] };
  }
}

/** How many notes given as functions were formatted (called) so far. */
let formatted = 0;
const later = (text: string) => () => {
  formatted++;
  return text;
};

/**
 * The engine's functions; `peek` reads some sub-results early (flattening them in the middle of the tree). Notes
 * and trace-point arguments marked `thunk` are given as functions (formatted when the list is read).
 */
function lazy(e: Expr, peek: () => number): Effects {
  const r = ((): Effects => {
    switch (e.op) {
      case 'trace': return trace(e.fn, e.thunk && e.note !== undefined ? later(e.note) : e.note, e.depth);
      case 'point': return tracepoint(e.name, e.thunk ? later(e.args) : e.args);
      case 'event': return event(e.name, e.data);
      case 'irq': return irqLine(e.line);
      case 'plain': return { events: [], irqs: ['IRQ raise 9'], trace: e.fns.map((fn, i) => entry(fn, undefined, i)), traceEvents: ['p'] };
      case 'none': return NO_EFFECTS;
      case 'merge': return merge(lazy(e.a, peek), lazy(e.b, peek));
      case 'nest': return nest(lazy(e.a, peek), e.by);
      case 'traceOnly': return traceOnly(lazy(e.a, peek));
    }
  })();
  const p = peek();
  if (p === 1) void r.events;
  else if (p === 2) void r.irqs;
  else if (p === 3) void r.trace;
  else if (p === 4) void r.traceEvents;
  return r;
}

test('lazily assembled effects read as the eager concatenation', () => {
  fc.assert(
    fc.property(expr, fc.array(fc.nat(4), { minLength: 1, maxLength: 16 }), fc.boolean(), (e, peeks, traceFirst) => {
      let k = 0;
      const fx = lazy(e, () => peeks[k++ % peeks.length]);
      const want = eager(e);
      if (traceFirst) void fx.trace;
      const got = { events: fx.events, irqs: fx.irqs, trace: fx.trace, traceEvents: fx.traceEvents };
      assert.deepStrictEqual(got, want);
      assert.equal(JSON.stringify(got), JSON.stringify(want));
      assert.deepStrictEqual(got.trace.map((t) => Object.keys(t)), want.trace.map((t) => Object.keys(t)));
      // Read again (the flattened lists are kept) and spread (a plain copy holds the same lists).
      assert.deepStrictEqual({ ...{ events: fx.events, irqs: fx.irqs, trace: fx.trace, traceEvents: fx.traceEvents } }, want);
    }),
    { numRuns: 500 },
  );
});

test('notes given as functions are formatted only when the trace (or the trace points) are read', () => {
  fc.assert(
    fc.property(expr, fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 16 }), (e, peeks) => {
      let k = 0;
      formatted = 0;
      const fx = lazy(e, () => peeks[k++ % peeks.length]);
      void fx.events;
      void fx.irqs;
      assert.equal(formatted, 0, 'no note formatted while only events and IRQ lines were read');
      const want = eager(e);
      assert.equal(JSON.stringify(fx.trace), JSON.stringify(want.trace));
      assert.deepStrictEqual(fx.traceEvents, want.traceEvents);
    }),
    { numRuns: 500 },
  );
});

test('NO_EFFECTS reads as four empty lists and is the identity of merge', () => {
  assert.deepStrictEqual([NO_EFFECTS.events, NO_EFFECTS.irqs, NO_EFFECTS.trace, NO_EFFECTS.traceEvents], [[], [], [], []]);
  const t = trace('f');
  assert.equal(merge(NO_EFFECTS, t), t);
  assert.equal(merge(t, NO_EFFECTS), t);
  assert.equal(nest(NO_EFFECTS, 2), NO_EFFECTS);
});

test("reduce's result: the four lists are own enumerable properties (read lazily), so it spreads, serialises and compares as a plain object", () => {
  const m = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=2G');
  assert.ok(m.ok);
  const r = reduce(m.state, { kind: 'qtest', line: 'inb 0xafe0' });
  assert.deepStrictEqual(Object.keys(r), ['state', 'reply', 'ok', 'events', 'irqs', 'trace', 'traceEvents']);
  const plain = { state: r.state, reply: r.reply, ok: r.ok, events: r.events, irqs: r.irqs, trace: r.trace, traceEvents: r.traceEvents };
  assert.deepStrictEqual({ ...r }, plain);
  assert.deepStrictEqual(r, plain);
  assert.equal(JSON.stringify({ ...r, state: undefined }), JSON.stringify({ ...plain, state: undefined }));
  assert.equal(r.trace, r.trace, 'assembled once');
  assert.deepStrictEqual(r.trace.map((e) => e.fn), ['cpu_inb']);
});
