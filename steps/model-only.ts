// The only place that looks inside the model: KVM memory slots and the engine state object, which real QEMU
// does not expose over QMP/qtest/HMP. Scenarios using these steps carry the @model-only tag.

import type { Backend } from '../backends/types';
import type { MachineState } from '../engine/state';

/** The engine state behind a model backend (or the diff backend's model), or undefined on real QEMU. */
export function modelState(backend: Backend | undefined): MachineState | undefined {
  if (!backend || backend.name === 'qemu') return undefined;
  return (backend as unknown as { state?: MachineState }).state;
}

export function requireModelState(backend: Backend | undefined): MachineState {
  const s = modelState(backend);
  if (!s) throw new Error('this step observes model internals (KVM slots, the engine state): tag the scenario @model-only, it cannot run on real QEMU');
  return s;
}
