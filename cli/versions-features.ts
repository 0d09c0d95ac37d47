// `versions` on feature files: every scenario runs through Cucumber once per version pair (world
// parameters qemuVersion and libvirtVersion, the step library of cucumber.yaml), and each step's outcome
// (status and message) is compared: a step that passes on one pair and fails on the other, with QEMU's or
// libvirt's words, is exactly what changes for a user.

import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import { REPO_ROOT } from '../paths';
import { unifiedDiff } from '../reports/diff';
import { UPGRADE, type ScenarioComparison, type StepComparison, type VersionPair } from '../reports/versions';

interface StepOutcome {
  readonly text: string;
  readonly status: string;
  readonly message?: string;
}

interface ScenarioOutcome {
  readonly key: string;
  readonly name: string;
  readonly steps: StepOutcome[];
  status: string;
}

function outcomeText(s: StepOutcome | undefined): string {
  if (!s) return '(no such step)\n';
  const msg = s.message ? s.message.split('\n').filter((l) => !/^\s+at /.test(l)).join('\n') : '';
  return `${s.status.toLowerCase()}${msg ? `\n${msg}` : ''}\n`;
}

async function runFeatures(paths: readonly string[], backend: 'model' | 'qemu', pair: VersionPair, support?: unknown): Promise<{ scenarios: Map<string, ScenarioOutcome>; support: unknown }> {
  const environment = { cwd: REPO_ROOT, stdout: process.stderr, stderr: process.stderr };
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.yaml', profiles: ['quick'] }, environment);
  const config = {
    ...runConfiguration,
    sources: { ...runConfiguration.sources, paths: [...paths] },
    formats: { ...runConfiguration.formats, stdout: 'summary', files: {} },
    runtime: { ...runConfiguration.runtime, worldParameters: { ...runConfiguration.runtime.worldParameters, backend, qemuVersion: pair.qemu, libvirtVersion: pair.libvirt, attachments: false } },
  };
  const sup = support ?? (await loadSupport(config, environment));
  const pickles = new Map<string, { name: string; uri: string; line: number; steps: Map<string, string> }>();
  const lines = new Map<string, number>();
  const testSteps = new Map<string, { pickleId: string; pickleStepId?: string }>();
  const started = new Map<string, string>();
  const byPickle = new Map<string, ScenarioOutcome>();
  const onMessage = (e: Envelope) => {
    if (e.gherkinDocument) {
      const walk = (children: readonly unknown[]) => {
        for (const c of children as { scenario?: { id: string; location: { line: number }; examples?: { tableBody: { id: string; location: { line: number } }[] }[] }; rule?: { children: unknown[] }; background?: unknown }[]) {
          if (c.scenario) {
            lines.set(c.scenario.id, c.scenario.location.line);
            for (const ex of c.scenario.examples ?? []) for (const row of ex.tableBody) lines.set(row.id, row.location.line);
          }
          if (c.rule) walk(c.rule.children);
        }
      };
      walk(e.gherkinDocument.feature?.children ?? []);
    }
    if (e.pickle) {
      const ids = e.pickle.astNodeIds;
      const line = lines.get(ids[ids.length - 1]) ?? lines.get(ids[0]) ?? 0;
      pickles.set(e.pickle.id, { name: e.pickle.name, uri: e.pickle.uri, line, steps: new Map(e.pickle.steps.map((s) => [s.id, s.text])) });
    }
    if (e.testCase) for (const ts of e.testCase.testSteps) testSteps.set(ts.id, { pickleId: e.testCase.pickleId, ...(ts.pickleStepId ? { pickleStepId: ts.pickleStepId } : {}) });
    if (e.testCaseStarted) {
      const tc = e.testCaseStarted.testCaseId;
      started.set(e.testCaseStarted.id, tc);
    }
    if (e.testStepFinished) {
      const ts = testSteps.get(e.testStepFinished.testStepId);
      if (!ts) return;
      const p = pickles.get(ts.pickleId);
      if (!p) return;
      let sc = byPickle.get(ts.pickleId);
      if (!sc) {
        sc = { key: `${p.uri}:${p.line}`, name: p.name, steps: [], status: 'PASSED' };
        byPickle.set(ts.pickleId, sc);
      }
      const r = e.testStepFinished.testStepResult;
      if (r.status !== 'PASSED' && sc.status === 'PASSED') sc.status = r.status;
      if (ts.pickleStepId) sc.steps.push({ text: p.steps.get(ts.pickleStepId) ?? '?', status: r.status, ...(r.message ? { message: r.message } : {}) });
      else if (r.status !== 'PASSED' && r.status !== 'SKIPPED') sc.steps.push({ text: '(hook)', status: r.status, ...(r.message ? { message: r.message } : {}) });
    }
  };
  await runCucumber({ ...config, support: sup as never }, environment, onMessage);
  return { scenarios: new Map([...byPickle.values()].map((s) => [s.key, s])), support: sup };
}

/** Every scenario of the features on both pairs, compared step by step. */
export async function compareFeatures(paths: readonly string[], backend: 'model' | 'qemu'): Promise<ScenarioComparison[]> {
  const a = await runFeatures(paths, backend, UPGRADE[0]);
  const b = await runFeatures(paths, backend, UPGRADE[1], a.support);
  const labels: [string, string] = [UPGRADE[0].label, UPGRADE[1].label];
  const out: ScenarioComparison[] = [];
  for (const key of new Set([...a.scenarios.keys(), ...b.scenarios.keys()])) {
    const x = a.scenarios.get(key);
    const y = b.scenarios.get(key);
    const n = Math.max(x?.steps.length ?? 0, y?.steps.length ?? 0);
    const steps: StepComparison[] = [];
    for (let i = 0; i < n; i++) {
      const xs = x?.steps[i];
      const ys = y?.steps[i];
      const bt = outcomeText(xs);
      const at = outcomeText(ys);
      steps.push({ index: i, title: (xs ?? ys)?.text ?? '?', same: bt === at, before: bt, after: at, diff: bt === at ? '' : unifiedDiff(bt, at, labels) });
    }
    out.push({
      source: key, name: (x ?? y)?.name ?? key, kind: 'feature', pairs: UPGRADE, steps, differs: steps.some((s) => !s.same),
      outcomes: [(x?.status ?? 'not run').toLowerCase(), (y?.status ?? 'not run').toLowerCase()],
    });
  }
  return out;
}
