// An action reduced without its trace (engine/effects.ts `unrecorded`, engine/reduce.ts reduceFxUnrecorded: what a
// replay's synchronous steps use) against the same action reduced as usual: on generated scenarios (every machine
// kind, KVM too, 7.2 and 10.0), the same state, reply, refusal, events and IRQ lines at every step; no trace entry;
// the trace points kept when asked for, none otherwise; and the usual mode back afterwards, even after a throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scenarioArb } from '../cli/fuzz-gen';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduceFx, reduceFxUnrecorded, type Action } from '../engine/reduce';
import { trace, tracepoint, unrecorded } from '../engine/effects';
import type { QemuStep } from '../transcript/replay-format';
import { stringifyJson } from '../transcript/json';

function actionOf(step: QemuStep): Action {
  if ('qmp' in step) return { kind: 'qmp', command: step.qmp };
  if ('qtest' in step) return { kind: 'qtest', line: step.qtest };
  return { kind: 'qmp', command: { execute: 'human-monitor-command', arguments: { 'command-line': step.hmp } } };
}

/** What a caller sees of a reduction besides the trace. */
function seen(r: ReturnType<typeof reduceFx>): string {
  return stringifyJson({ reply: r.reply, ok: r.ok, events: r.fx.events, irqs: r.fx.irqs });
}

test('an action reduced unrecorded gives the same state, reply, events and IRQ lines, and no trace', () => {
  for (const qemuVersion of ['7.2', '10.0'] as const) {
    fc.assert(
      fc.property(scenarioArb({ machine: 'any', maxSteps: 16, kvm: true, qemuVersion }), (sc) => {
        const built = buildFromCommandLine(sc.machine, qemuVersion);
        if (!built.ok) return;
        let state = built.state;
        for (const step of sc.steps as readonly QemuStep[]) {
          const action = actionOf(step);
          let full;
          try {
            full = reduceFx(state, action);
          } catch (e) {
            // What the engine refuses to model it refuses the same way unrecorded.
            assert.throws(() => reduceFxUnrecorded(state, action, { points: false }), { message: (e as Error).message });
            return;
          }
          const bare = reduceFxUnrecorded(state, action, { points: false });
          const points = reduceFxUnrecorded(state, action, { points: true });
          assert.equal(seen(bare), seen(full));
          assert.equal(seen(points), seen(full));
          assert.deepStrictEqual(bare.state, full.state);
          assert.deepStrictEqual(points.state, full.state);
          assert.deepEqual(bare.fx.trace, []);
          assert.deepEqual(bare.fx.traceEvents, []);
          assert.deepEqual(points.fx.trace, []);
          assert.deepEqual(points.fx.traceEvents, full.fx.traceEvents);
          // The mode is back: the same action reduced as usual still has its whole trace.
          assert.equal(stringifyJson(reduceFx(state, action).fx.trace), stringifyJson(full.fx.trace));
          state = full.state;
        }
      }),
      { numRuns: 120 },
    );
  }
});

test('unrecorded restores the mode it found, when its function throws too, and nests', () => {
  assert.throws(() => unrecorded({ points: false }, () => { throw new Error('boom'); }), /boom/);
  assert.deepEqual(trace('f', 'n', 1).trace, [{ fn: 'f', note: 'n', depth: 1 }]);
  assert.deepEqual(tracepoint('p', 'a').traceEvents, ['p a']);
  unrecorded({ points: true }, () => {
    assert.deepEqual(trace('f').trace, []);
    assert.deepEqual(tracepoint('p', 'a').traceEvents, ['p a']);
    unrecorded({ points: false }, () => assert.deepEqual(tracepoint('p', 'a').traceEvents, []));
    // An inner call asking for the points does not bring back what an outer one left out.
    unrecorded({ points: false }, () => unrecorded({ points: true }, () => assert.deepEqual(tracepoint('p', 'a').traceEvents, [])));
    assert.deepEqual(tracepoint('p', 'a').traceEvents, ['p a']);
  });
  assert.deepEqual(trace('f').trace, [{ fn: 'f', depth: 0 }]);
});
