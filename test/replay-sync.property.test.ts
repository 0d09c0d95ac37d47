// runReplay's synchronous path (the model backend's Backend.sync: no promise per step) against its general,
// asynchronous path (the same backend seen only through its Backend methods): for generated scenarios on every
// machine kind, with and without trace-event selections, as 7.2 and 10.0, the same transcript (deep and as JSON
// text), the same errors, and the same history afterwards; and for every recorded replay scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { scenarioArb } from '../cli/fuzz-gen';
import { ModelBackend, type ModelBackendOptions } from '../backends/model';
import type { Backend, QmpCommand, StartOptions, StepResult } from '../backends/types';
import { loadReplayScenario, runReplay, type ReplayScenario } from '../transcript/replay-format';
import { stringifyJson } from '../transcript/json';
import { DEFAULT_TRACE_EVENTS, modelledTraceEvents } from '../engine/trace-events';
import { repoPath } from '../paths';

/** The model seen only through the asynchronous Backend methods (no `sync`): runReplay's general path. */
class AsyncOnly implements Backend {
  readonly name = 'model' as const;
  constructor(readonly inner: ModelBackend) {}
  start(m: string, o?: StartOptions) { return this.inner.start(m, o); }
  qmp(c: QmpCommand): Promise<StepResult> { return this.inner.qmp(c); }
  qtest(l: string): Promise<StepResult> { return this.inner.qtest(l); }
  hmp(l: string): Promise<StepResult> { return this.inner.hmp(l); }
  close() { return this.inner.close(); }
}

type Outcome = { ok: true; json: string; value: unknown; history: string } | { ok: false; error: string };

async function outcome(backend: Backend, model: ModelBackend, scenario: ReplayScenario, withHistory: boolean): Promise<Outcome> {
  try {
    const t = await runReplay(backend, scenario);
    // The history a caller reads afterwards (replies, events, IRQ lines, traces of every step) is the same too.
    const history = !withHistory ? '' : stringifyJson(model.history.map((h) => ({ action: h.action, reply: h.result.reply, ok: h.result.ok, events: h.result.events, irqs: h.result.irqs, trace: h.result.trace, traceEvents: h.result.traceEvents })));
    return { ok: true, json: stringifyJson(t), value: t, history };
  } catch (e) {
    return { ok: false, error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

async function same(scenario: ReplayScenario, options: ModelBackendOptions, withHistory = true): Promise<void> {
  const fast = new ModelBackend(options);
  assert.ok(fast.sync(), 'the model backend offers its synchronous steps');
  const general = new ModelBackend(options);
  const a = await outcome(fast, fast, scenario, withHistory);
  const b = await outcome(new AsyncOnly(general), general, scenario, withHistory);
  if (a.ok && b.ok) {
    assert.equal(a.json, b.json);
    assert.deepStrictEqual(a.value, b.value);
    assert.equal(a.history, b.history);
  } else assert.deepEqual(a, b);
}

const SELECTIONS: readonly (readonly string[] | undefined)[] = [undefined, DEFAULT_TRACE_EVENTS, ['pic_*', 'ioapic_*'], ['mhp_acpi_*']];

test('the synchronous path gives what the asynchronous one gives, on generated scenarios', async () => {
  for (const qemuVersion of ['7.2', '10.0'] as const) {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ machine: 'any', maxSteps: 20, kvm: false, qemuVersion, startupMistakes: true }), fc.nat(SELECTIONS.length), async (sc, pick) => {
        const traceEvents = pick === SELECTIONS.length ? modelledTraceEvents(qemuVersion) : SELECTIONS[pick];
        const scenario: ReplayScenario = { machine: sc.machine, steps: sc.steps, ...(qemuVersion === '10.0' ? { qemuVersion } : {}), file: 'generated.yaml' };
        await same(scenario, { ...(traceEvents ? { traceEvents } : {}) });
      }),
      { numRuns: 150 },
    );
  }
});

test('the synchronous path gives what the asynchronous one gives, on every recorded replay scenario', async () => {
  const files: string[] = [];
  for (const tree of ['replay', 'replay-10.0']) {
    const top = repoPath('test', tree);
    for (const dir of fs.readdirSync(top).sort()) {
      if (!fs.statSync(path.join(top, dir)).isDirectory()) continue;
      for (const f of fs.readdirSync(path.join(top, dir)).sort()) if (f.endsWith('.yaml')) files.push(path.join(top, dir, f));
    }
  }
  assert.ok(files.length > 300);
  let run = 0;
  for (const f of files) {
    const scenario = loadReplayScenario(f);
    if (scenario.machine === undefined) continue;
    await same(scenario, {}, false);
    await same(scenario, { traceEvents: modelledTraceEvents(scenario.qemuVersion ?? '7.2') }, false);
    run++;
  }
  assert.ok(run > 300);
});

test('a subclass that overrides a step gets no synchronous steps, so runReplay sees its answers', async () => {
  class Planted extends ModelBackend {
    override async qmp(command: QmpCommand): Promise<StepResult> {
      const r = await super.qmp(command);
      return command.execute === 'query-memory-devices' ? { ...r, reply: { return: 'planted' } } : r;
    }
  }
  class PlantedApply extends ModelBackend {
    override apply(...a: Parameters<ModelBackend['apply']>): StepResult {
      return { ...super.apply(...a), reply: 'planted' };
    }
  }
  assert.equal(new Planted().sync(), undefined);
  assert.equal(new PlantedApply().sync(), undefined);
  const scenario: ReplayScenario = { machine: '-M pc -m 1G,slots=2,maxmem=4G', steps: [{ qmp: { execute: 'query-memory-devices' } }] };
  assert.deepEqual((await runReplay(new Planted(), scenario)).steps[0].reply, { return: 'planted' });
  assert.deepEqual((await runReplay(new PlantedApply(), scenario)).steps[0].reply, 'planted');
});
