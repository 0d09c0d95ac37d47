// The library API, for tools that embed the model (a management layer predicting what a hotplug will do)
// or drive the backends themselves. The CLI and the Gherkin steps use the same pieces.

export { buildFromCommandLine, buildMachine, type BuildResult } from './engine/machine/build';
export { reduce, type Action, type ReduceResult } from './engine/reduce';
export type { MachineState, Dimm, MemoryBackend } from './engine/state';
export { queryMemoryDevices, queryMemorySizeSummary, infoMemoryDevices, infoNuma, flatView } from './engine/selectors';
export { renderFlatView } from './engine/memory/flatview';
export { infoMtree } from './engine/memory/mtree';
export { parseSize, formatSize, hex } from './engine/units';
export { E as QemuErrors, type QemuError } from './engine/errors';
export type { Backend, StepResult, QmpCommand } from './backends/types';
export { ScenarioError } from './backends/types';
export { ModelBackend } from './backends/model';
export { QemuBackend, qemuAvailable } from './backends/qemu';
export { DiffBackend, DivergenceError } from './backends/diff';
export { LibvirtDomain, defineDomain, planAttach, type DefineOptions } from './libvirt';
export { QEMU_VERSIONS, DEFAULT_QEMU_VERSION, qemuVersionData, type QemuVersion, type QemuVersionData } from './engine/versions';
export { LIBVIRT_VERSIONS, libvirtVersion, libvirtForQemu, type LibvirtVersion, type LibvirtVersionName } from './libvirt/versions';
export { compareVersions, UPGRADE, type ScenarioComparison, type VersionPair } from './reports/versions';
export { loadReplayScenario, parseReplayScenario, runReplay, type ReplayScenario, type Transcript } from './transcript/replay-format';
export { compareTranscripts, formatDifferences } from './transcript/compare';
/** The Cucumber World of the step library (`this` in step definitions), for a project's own steps: docs/own-steps.md. */
export type { HotplugWorld } from './steps/world';
