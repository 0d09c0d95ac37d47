// Cucumber's step time limit (5 s by default) is there for a step that waits forever: a QEMU that never answers.
// Cucumber arms it for every asynchronous step and hook invocation (a timer set and cleared, a Promise.race),
// which under the async-hooks scope Cucumber runs steps in cost ≈ 10% of the quick suite's "executing steps".
//
// On the model backend a step waits for nothing: the model answers synchronously and every promise of a step
// settles in the microtask queue, before Node ever returns to its timers, so the timer cannot fire while the step
// runs. What it would catch there, a promise that never settles (a bug), empties the event loop instead: Node
// emits `beforeExit` with the step still running, and the handler below says which step never finished and exits
// with status 1. So with the model (world parameter backend "model", the default) the step library's own
// definitions run without the timer; with real QEMU ("qemu", "diff") they keep Cucumber's limit, and so do every
// definition that is not the library's (a project's own steps, which may wait for anything) and `--parallel`
// workers. (A process that embeds Cucumber and keeps its event loop busy would wait for such a step for ever.)

/** What is said of a scenario's world (steps/world.ts's HotplugWorld has these). */
interface ScenarioWorld {
  readonly uri: string;
  readonly currentStep: string;
  readonly stepLocation?: { readonly line: number };
}

type Backend = 'model' | 'qemu' | 'diff';

/** The backend of the run in progress (set by each world as it is made; one run has one backend). */
let runBackend: Backend | undefined;

/** A world records its backend as it is made (steps/world.ts). */
export function setRunBackend(backend: Backend): void {
  runBackend = backend;
}

/** The scenario whose hooks and steps are running (from its first Before hook until its After hook ends). */
let active: ScenarioWorld | undefined;

export function scenarioStarted(world: ScenarioWorld): void {
  active = world;
  watchExit();
}

export function scenarioEnded(world: ScenarioWorld): void {
  if (active === world) active = undefined;
}

/**
 * The time limit of a definition: -1 (none) on the model backend, else the definition's own or Cucumber's default
 * (undefined). Read by Cucumber at every invocation.
 */
export function timeLimit(own: number | undefined, backend: Backend | undefined = runBackend, worker = IN_WORKER): number | undefined {
  if (own !== undefined) return own;
  return backend === 'model' && !worker ? -1 : undefined;
}

/**
 * A `--parallel` worker keeps the limit: its channel to the coordinator keeps its event loop alive, so a promise
 * that never settles would never empty it, and only the timer would end the step.
 */
const IN_WORKER = process.env.CUCUMBER_WORKER_ID !== undefined;

interface DefinitionConfig {
  options: { timeout?: number } & Record<string, unknown>;
}

/**
 * Give the definitions registered since `marks` (taken by `markDefinitions` before the step library was loaded)
 * the time limit above: their options' `timeout` becomes a getter asking `timeLimit`. Cucumber keeps each
 * definition's options object and reads `options.timeout` at every invocation (and checks at definition that it
 * is a number or absent, which the getter keeps true). Returns how many definitions it changed; where Cucumber's
 * support-code builder is not laid out as expected, nothing is changed (every definition keeps the time limit).
 */
export function limitDefinitionsSince(marks: Marks | undefined): number {
  if (!marks) return 0;
  let changed = 0;
  for (const [name, from] of marks.counts) {
    const list = marks.builder[name];
    if (!Array.isArray(list)) continue;
    for (const config of list.slice(from) as DefinitionConfig[]) {
      const options = config?.options;
      if (!options || typeof options !== 'object' || Object.getOwnPropertyDescriptor(options, 'timeout')?.get) continue;
      const own = typeof options.timeout === 'number' ? options.timeout : undefined;
      Object.defineProperty(options, 'timeout', { get: () => timeLimit(own), enumerable: true, configurable: true });
      changed++;
    }
  }
  return changed;
}

/** The lists of step and hook definitions Cucumber's support-code builder holds, by name. */
const LISTS = ['stepDefinitionConfigs', 'beforeTestCaseHookDefinitionConfigs', 'afterTestCaseHookDefinitionConfigs', 'beforeTestStepHookDefinitionConfigs', 'afterTestStepHookDefinitionConfigs'];

export interface Marks {
  readonly builder: Record<string, unknown>;
  readonly counts: ReadonlyMap<string, number>;
}

/** How many definitions each of the builder's lists holds now (undefined when the builder is not as expected). */
export function markDefinitions(builder: unknown): Marks | undefined {
  if (!builder || typeof builder !== 'object') return undefined;
  const b = builder as Record<string, unknown>;
  const counts = new Map<string, number>();
  for (const name of LISTS) {
    const list = b[name];
    if (!Array.isArray(list)) return undefined;
    counts.set(name, list.length);
  }
  return { builder: b, counts };
}

let watching = false;

/** On the model, a scenario still running when the event loop runs dry never finishes: say which step, exit 1. */
function watchExit(): void {
  if (watching) return;
  watching = true;
  process.on('beforeExit', () => {
    const w = active;
    if (!w || runBackend !== 'model') return;
    active = undefined;
    const where = `${w.uri}${w.stepLocation ? ':' + w.stepLocation.line : ''}`;
    process.stderr.write(`\nThe step "${w.currentStep}" (${where}) never finished: a promise in it never settles, and nothing is left ` +
      `for Node to wait for. (On the model backend steps run without Cucumber's time limit: the model answers at once.)\n`);
    process.exitCode = 1;
  });
}
