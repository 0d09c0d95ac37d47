// Scenario life cycle: which step is running (Given/When/Then), the "an error must be asserted" rule,
// the attachments for the reports, and closing the backend.

import { After, BeforeStep, Before, Status, type ITestCaseHookParameter } from '@cucumber/cucumber';
import type * as messages from '@cucumber/messages';
import { renderIrqChain } from '../reports/irq-chain';
import { renderMemoryMap } from '../reports/memory-map';
import { TOPOLOGY_FILE_NAME, TOPOLOGY_MEDIA_TYPE, topologyToJson, type ScenarioTopology } from '../reports/topology';
import { irqSnapshot, memorySnapshot } from './snapshot';
import type { HotplugWorld, StepType } from './world';
import { scenarioEnded, scenarioStarted } from './time-limit';
import { installStepStart } from './step-start';
import { installLeanStepRunner } from './step-runner';
import { call, step } from './flow';

/** Where a pickle step's doc string starts, for error messages that name the feature file and line. */
function stepLocation(doc: messages.GherkinDocument, astId: string | undefined): { line: number; docStringLine?: number } | undefined {
  let where = stepLocations.get(doc);
  if (!where) stepLocations.set(doc, (where = locateSteps(doc)));
  return astId === undefined ? undefined : where.get(astId);
}

/** Every step of a feature by its AST id (the first of each id, as a search in document order finds it). */
function locateSteps(doc: messages.GherkinDocument): Map<string, { line: number; docStringLine?: number }> {
  const children = doc.feature?.children ?? [];
  const steps: messages.Step[] = [];
  for (const c of children) {
    steps.push(...(c.background?.steps ?? []), ...(c.scenario?.steps ?? []));
    for (const rc of c.rule?.children ?? []) steps.push(...(rc.background?.steps ?? []), ...(rc.scenario?.steps ?? []));
  }
  const where = new Map<string, { line: number; docStringLine?: number }>();
  for (const s of steps) {
    if (!where.has(s.id)) where.set(s.id, { line: s.location.line, ...(s.docString ? { docStringLine: s.docString.location.line } : {}) });
  }
  return where;
}
const stepLocations = new WeakMap<messages.GherkinDocument, Map<string, { line: number; docStringLine?: number }>>();

/**
 * More reasons to skip a scenario, asked after the set-up below (steps/libvirt-world.ts: the libvirt version): each
 * answers 'skipped' or undefined. Called from the one Before hook below, in the order registered, rather than from
 * Before hooks of their own: Cucumber runs each hook of every scenario as a step of its own (its arguments, scope,
 * timing, messages), and the quick suite has 350 scenarios. Cucumber skips the Before hooks after one that
 * answered 'skipped', so a check here that skips ends the hook just as it ended the hooks after it.
 */
export const skipChecks: ((world: HotplugWorld, pickle: messages.Pickle) => 'skipped' | undefined)[] = [];

/**
 * Version-specific expectations: a scenario (or an Examples block) tagged @qemu-7.2 / @qemu-10.0 runs only on
 * those releases. The profiles filter by tags already (not @qemu-10.0 on 7.2, not @qemu-7.2 on 10.0); this
 * skips what a bare world parameter would otherwise run on the wrong release. Then the scenario's set-up, then the
 * skipChecks above.
 */
Before(function (this: HotplugWorld, { pickle, gherkinDocument }: ITestCaseHookParameter) {
  const versions = pickle.tags.map((t) => /^@qemu-(\d+\.\d+)$/.exec(t.name)?.[1]).filter((v): v is string => v !== undefined);
  if (versions.length > 0 && !versions.includes(this.qemuVersion)) return 'skipped';
  scenarioStarted(this);
  (this as WithDocument)[DOCUMENT] = gherkinDocument;
  this.needsFingerprint = pickle.steps.some((s) => /the machine is unchanged/.test(s.text));
  this.uri = pickle.uri;
  for (const check of skipChecks) if (check(this, pickle) === 'skipped') return 'skipped';
  return undefined;
});

/** The scenario's feature document, for the steps' lines (kept on the world by the Before hook above). */
const DOCUMENT = Symbol('gherkinDocument');
type WithDocument = { [DOCUMENT]?: messages.GherkinDocument };

/**
 * What other step modules do when a step that is not an outcome begins (steps/libvirt.steps.ts: a new libvirt
 * action). Called from beginStep below, before its pending-error check, rather than from BeforeStep hooks of their
 * own: Cucumber runs each hook of every step as a step of its own (its arguments, scope, timing), and the suite has
 * ≈ 1,900 steps.
 */
export const onActionStepStart: ((world: HotplugWorld) => void)[] = [];

/** A step begins: which one, its type and line; before an action, the check that no refusal went unasserted. */
function beginStep(world: HotplugWorld, pickleStep: messages.PickleStep, doc: messages.GherkinDocument | undefined): void {
  const type = (pickleStep.type ?? 'Unknown') as StepType;
  world.currentType = type;
  world.currentStep = pickleStep.text;
  world.stepLocation = doc === undefined ? undefined : stepLocation(doc, pickleStep.astNodeIds[0]);
  if (type !== 'Outcome') {
    for (const f of onActionStepStart) f(world);
    world.checkNoPendingError();
    world.action = [];
  }
}

// Called as each step begins, from Cucumber's step definitions (steps/step-start.ts: no hook invocation per step);
// where that is not possible, from a BeforeStep hook, as before.
// The patch is the process's, not a run's: a world that is not the library's (another run in the same process,
// with other support code) is left alone, as a hook of this library would not have run there.
const isOurs = (world: unknown): world is HotplugWorld => typeof (world as Partial<HotplugWorld> | null)?.checkNoPendingError === 'function';
if (!installStepStart((world, step) => { if (isOurs(world)) beginStep(world, step, (world as WithDocument)[DOCUMENT]); })) {
  BeforeStep(function (this: HotplugWorld, { pickleStep, gherkinDocument }) {
    beginStep(this, pickleStep, gherkinDocument);
  });
}
// The library's steps and hooks (made by step()) have their parameters made outside an async scope of their own
// (steps/step-runner.ts); where Cucumber's runner is not as expected, Cucumber runs them as it runs any step.
installLeanStepRunner();

// A step body (steps/flow.ts): on the model without attachments, no promise.
After(step(function* (this: HotplugWorld, { result }: ITestCaseHookParameter) {
  try {
    if (this.attachmentsEnabled && (this.started || this.startError !== undefined)) {
      const topo: ScenarioTopology = { backend: this.backendName, machine: this.machine, timeline: [], ...(this.startError !== undefined ? { startError: this.startError } : {}) };
      this.currentType = 'Outcome';
      this.currentStep = '';
      if (this.started) {
        topo.before = this.topologyBefore;
        try { topo.after = yield* call(memorySnapshot(this, 'after', topo.before)); } catch (e) { this.log(`memory map not available: ${(e as Error).message}`); }
        try { topo.irq = yield* call(irqSnapshot(this)); } catch (e) { this.log(`IRQ chain not available: ${(e as Error).message}`); }
      }
      topo.timeline = this.timeline();
      for (const snap of [topo.before, topo.after]) {
        if (snap) this.attach(Buffer.from(renderMemoryMap(snap)), { mediaType: 'image/svg+xml', fileName: `memory-map-${snap.label}.svg` });
      }
      if (topo.irq) this.attach(Buffer.from(renderIrqChain(topo.irq)), { mediaType: 'image/svg+xml', fileName: 'irq-chain.svg' });
      const trace = topo.timeline.filter((t) => t.trace.length).map((t) => `# ${t.step || '(set-up)'}\n# ${t.input}\n${t.trace.join('\n')}`).join('\n\n');
      if (trace) this.attach(trace, { mediaType: 'text/plain', fileName: 'trace.txt' });
      if (topo.irq) {
        const i = topo.irq;
        const h = (v?: number) => (v === undefined ? 'not decoded' : '0x' + v.toString(16).padStart(2, '0'));
        const dump = [`GPE0 STS ${h(i.gpeSts)}  EN ${h(i.gpeEn)}${i.gpePort ? `  (at 0x${i.gpePort.toString(16)})` : ''}`, `SCI (GSI ${i.sciGsi ?? 9}) ${i.sci ?? '?'}`,
          i.pic1 ? `pic1 (slave)  irr=${h(i.pic1.irr)} imr=${h(i.pic1.imr)} isr=${h(i.pic1.isr)} elcr=${h(i.pic1.elcr)}` : 'pic1 not read',
          i.pic0 ? `pic0 (master) irr=${h(i.pic0.irr)} imr=${h(i.pic0.imr)} isr=${h(i.pic0.isr)} elcr=${h(i.pic0.elcr)}` : 'pic0 not read',
          i.ioapicPin9 ? `ioapic pin 9  entry=0x${i.ioapicPin9.entry.toString(16).padStart(16, '0')} ${i.ioapicPin9.masked ? 'masked' : 'unmasked'} ${i.ioapicPin9.trigger} IRR=${i.ioapicPin9.irr ? 1 : 0}` : 'ioapic not read'].join('\n');
        this.attach(dump, { mediaType: 'text/plain', fileName: 'registers.txt' });
      }
      this.attach(topologyToJson(topo), { mediaType: TOPOLOGY_MEDIA_TYPE, fileName: TOPOLOGY_FILE_NAME });
    }
  } finally {
    try {
      yield* this.closeFlow();
    } finally {
      // Ended even when the attachments or close threw (its error fails the hook); not while close never settles.
      scenarioEnded(this);
    }
  }
  if (result?.status === Status.PASSED) this.checkNoPendingError();
}));
