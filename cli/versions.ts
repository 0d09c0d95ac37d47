// `hotplug-scenarios versions FILE...`: the upgrade report. Each replay scenario (QEMU `machine:` or libvirt
// `domain:`) runs on QEMU 7.2 (+ libvirt 9.0) and on QEMU 10.0 (+ libvirt 11.3), on the model or on the
// real binaries, and the transcripts are compared step by step (reports/versions.ts). Feature files run
// their scenarios through Cucumber once per version pair and compare each step's outcome (cli/versions-features.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../backends/types';
import { ScenarioError } from '../backends/types';
import { loadReplayScenario, type ReplayScenario } from '../transcript/replay-format';
import { stringifyJson } from '../transcript/json';
import { runScenario } from './run-scenario';
import { comparisonJson, compareVersions, renderComparisons, UPGRADE, type ScenarioComparison, type VersionPair } from '../reports/versions';

export type BackendFactory = (kind: 'model' | 'qemu', pair: VersionPair) => Promise<Backend>;

export interface VersionsOptions {
  readonly backend: 'model' | 'qemu';
  readonly json: boolean;
  /** Write the HTML page (matrix + diffs) here; also the JSON beside it for the topology report. */
  readonly html?: string;
  readonly files: readonly string[];
}

/** One replay scenario on both pairs. The scenario's own version keys are overridden by the pair's. */
export async function compareReplay(file: string, scenario: ReplayScenario, kind: 'model' | 'qemu', backendFor: BackendFactory): Promise<ScenarioComparison> {
  const run = async (pair: VersionPair) => {
    const s: ReplayScenario = { ...scenario, qemuVersion: pair.qemu, ...(scenario.domain !== undefined ? { libvirtVersion: pair.libvirt } : {}) };
    return (await runScenario(s, await backendFor(kind, pair), { libvirtVersion: pair.libvirt, qemuVersion: pair.qemu })).transcript;
  };
  const before = await run(UPGRADE[0]);
  const after = await run(UPGRADE[1]);
  return compareVersions(file, before, after);
}

export async function versionsCommand(o: VersionsOptions, backendFor: BackendFactory, out: (s: string) => void): Promise<number> {
  const replays = o.files.filter((f) => !f.endsWith('.feature'));
  const features = o.files.filter((f) => f.endsWith('.feature'));
  // load every replay file first: a malformed one stops the run before anything starts
  const scenarios = replays.map((f) => loadReplayScenario(f));
  const results: ScenarioComparison[] = [];
  for (const [i, s] of scenarios.entries()) results.push(await compareReplay(replays[i], s, o.backend, backendFor));
  if (features.length > 0) {
    const { compareFeatures } = await import('./versions-features');
    results.push(...(await compareFeatures(features, o.backend)));
  }
  if (o.json) for (const c of results) out(stringifyJson(comparisonJson(c)));
  else out(renderComparisons(results));
  if (o.html) {
    const { renderVersionsPage } = await import('../reports/versions-html');
    fs.mkdirSync(path.dirname(o.html), { recursive: true });
    fs.writeFileSync(o.html, renderVersionsPage(results, o.backend));
    fs.writeFileSync(o.html.replace(/\.html?$/, '') + '.json', JSON.stringify({ generated: 'hotplug-scenarios versions', backend: o.backend, scenarios: results.map(comparisonJson) }, null, 1));
    if (!o.json) out(`upgrade report: ${o.html}`);
  }
  return 0;
}

export function checkVersionsFiles(files: readonly string[]): void {
  for (const f of files) if (!fs.existsSync(f)) throw new ScenarioError(`versions: no such file '${f}'`);
}
