// Read Cucumber's message stream (NDJSON) into one record per scenario run: its steps with status,
// duration and error message, and the topology JSON our After hook attached.

import type * as messages from '@cucumber/messages';
import { TOPOLOGY_FILE_NAME, topologyFromJson, type ScenarioTopology } from './topology';

/** What the world's `log` attaches as (text/plain: Cucumber's html report would render a log+plain one as HTML). */
export const LOG_FILE_NAME = 'log.txt';

export interface StepRun {
  keyword: string;
  text: string;
  status: string;
  durationMs: number;
  message?: string;
  /** Doc string or data table of the step, as text. */
  argument?: string;
  hook?: boolean;
}

export interface ScenarioRun {
  id: string;
  feature: string;
  featureDescription: string;
  uri: string;
  line?: number;
  name: string;
  tags: string[];
  status: string;
  durationMs: number;
  steps: StepRun[];
  topology?: ScenarioTopology;
  /** A Scenario Outline row: its Examples values, `slot: 9, error: …` (rows of one outline share the name). */
  example?: string;
  /** The scenario's log lines (`this.log`), e.g. why it was skipped. */
  notes?: string[];
}

export interface RunSummary {
  scenarios: ScenarioRun[];
  startedAt?: number;
  durationMs: number;
  success: boolean;
}

const ms = (d?: messages.Duration) => (d ? d.seconds * 1000 + d.nanos / 1e6 : 0);
const ts = (t?: messages.Timestamp) => (t ? t.seconds * 1000 + t.nanos / 1e6 : 0);
const RANK: Record<string, number> = { FAILED: 6, AMBIGUOUS: 5, UNDEFINED: 4, PENDING: 3, SKIPPED: 2, UNKNOWN: 1, PASSED: 0 };

/** Parse NDJSON text. Throws with the line number on a malformed line. */
export function parseNdjson(text: string, where = 'messages', skip?: (line: string) => boolean): messages.Envelope[] {
  const out: messages.Envelope[] = [];
  text.split('\n').filter((l) => l.trim()).forEach((l, i) => {
    if (skip?.(l)) return;
    try { out.push(JSON.parse(l) as messages.Envelope); } catch (e) { throw new Error(`${where}:${i + 1}: not a JSON message: ${(e as Error).message}`); }
  });
  return out;
}

/**
 * A line readRun has no use for, told without parsing it: an image attachment (the SVG memory maps and IRQ
 * chain, base64, half of a suite's message stream). JSON escapes every quote inside a string, so the unescaped
 * `"mediaType":"image/` can only be the attachment's own field.
 */
export const imageAttachmentLine = (line: string): boolean => line.startsWith('{"attachment":') && line.includes('"mediaType":"image/');

/**
 * readRun one envelope at a time, for a stream read as it is written (`npm run scenarios` reads the message
 * stream while Cucumber runs): `add` each envelope in order, then `summary`.
 */
export class RunReader {
  private docs = new Map<string, messages.GherkinDocument>();
  private pickles = new Map<string, messages.Pickle>();
  private testCases = new Map<string, messages.TestCase>();
  private runs = new Map<string, ScenarioRun & { testCaseId: string; stepIndex: Map<string, number> }>();
  private stepNodes = new Map<string, { keyword: string; line: number }>();
  private scenarioLines = new Map<string, number>();
  private exampleRows = new Map<string, string>();
  private hooks = new Set<string>();
  private started: number | undefined;
  private finished = 0;
  private success = true;

  /** `onFinished`: told each scenario as soon as it is finished (not one that will be retried). */
  constructor(private readonly onFinished?: (run: ScenarioRun) => void) {}

  add(env: messages.Envelope): void {
    const { docs, pickles, testCases, runs, stepNodes, scenarioLines, exampleRows, hooks } = this;
    if (env.gherkinDocument) {
      const d = env.gherkinDocument;
      if (d.uri) docs.set(d.uri, d);
      const visit = (children: readonly messages.FeatureChild[] | readonly messages.RuleChild[]) => {
        for (const c of children) {
          const sc = (c as messages.FeatureChild).scenario ?? undefined;
          const bg = (c as messages.FeatureChild).background ?? undefined;
          for (const s of [...(sc?.steps ?? []), ...(bg?.steps ?? [])]) stepNodes.set(s.id, { keyword: s.keyword.trim(), line: s.location.line });
          if (sc) {
            scenarioLines.set(sc.id, sc.location.line);
            for (const ex of sc.examples) {
              const header = ex.tableHeader?.cells.map((c) => c.value) ?? [];
              for (const row of ex.tableBody) {
                scenarioLines.set(row.id, row.location.line);
                exampleRows.set(row.id, row.cells.map((c, i) => `${header[i] ?? i}: ${c.value}`).join(', '));
              }
            }
          }
          const rule = (c as messages.FeatureChild).rule;
          if (rule) visit(rule.children);
        }
      };
      visit(d.feature?.children ?? []);
    } else if (env.pickle) pickles.set(env.pickle.id, env.pickle);
    else if (env.hook) hooks.add(env.hook.id);
    else if (env.testCase) testCases.set(env.testCase.id, env.testCase);
    else if (env.testRunStarted) this.started = ts(env.testRunStarted.timestamp);
    else if (env.testRunFinished) { this.finished = ts(env.testRunFinished.timestamp); this.success = env.testRunFinished.success; }
    else if (env.testCaseStarted) {
      const tc = testCases.get(env.testCaseStarted.testCaseId);
      const p = tc && pickles.get(tc.pickleId);
      if (!tc || !p) return;
      const doc = docs.get(p.uri);
      const stepIndex = new Map<string, number>();
      const steps: StepRun[] = tc.testSteps.map((ts, i) => {
        stepIndex.set(ts.id, i);
        if (ts.pickleStepId) {
          const ps = p.steps.find((s) => s.id === ts.pickleStepId)!;
          const node = stepNodes.get(ps.astNodeIds[0]);
          const arg = ps.argument?.docString ? ps.argument.docString.content
            : ps.argument?.dataTable ? ps.argument.dataTable.rows.map((r) => '| ' + r.cells.map((c) => c.value).join(' | ') + ' |').join('\n') : undefined;
          return { keyword: node?.keyword ?? '*', text: ps.text, status: 'UNKNOWN', durationMs: 0, ...(arg !== undefined ? { argument: arg } : {}) };
        }
        return { keyword: 'Hook', text: ts.hookId ? 'hook' : '', status: 'UNKNOWN', durationMs: 0, hook: true };
      });
      const exampleLine = p.astNodeIds.length > 1 ? scenarioLines.get(p.astNodeIds[p.astNodeIds.length - 1]) : undefined;
      runs.set(env.testCaseStarted.id, {
        id: env.testCaseStarted.id, testCaseId: tc.id, stepIndex,
        feature: doc?.feature?.name ?? p.uri, featureDescription: (doc?.feature?.description ?? '').trim(),
        uri: p.uri, line: exampleLine ?? scenarioLines.get(p.astNodeIds[0]),
        name: p.name, tags: p.tags.map((t) => t.name), status: 'UNKNOWN', durationMs: 0, steps,
        ...(p.astNodeIds.length > 1 && exampleRows.has(p.astNodeIds[p.astNodeIds.length - 1]) ? { example: exampleRows.get(p.astNodeIds[p.astNodeIds.length - 1]) } : {}),
      });
    } else if (env.testStepFinished) {
      const r = runs.get(env.testStepFinished.testCaseStartedId);
      const i = r?.stepIndex.get(env.testStepFinished.testStepId);
      if (!r || i === undefined) return;
      const res = env.testStepFinished.testStepResult;
      r.steps[i].status = res.status;
      r.steps[i].durationMs = ms(res.duration);
      if (res.message) r.steps[i].message = res.message;
    } else if (env.attachment) {
      const a = env.attachment;
      const r = a.testCaseStartedId ? runs.get(a.testCaseStartedId) : undefined;
      if (r && (a.mediaType === 'text/x.cucumber.log+plain' || (a.mediaType === 'text/plain' && a.fileName === LOG_FILE_NAME))) (r.notes ??= []).push(a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : a.body);
      else if (r && a.fileName === TOPOLOGY_FILE_NAME) {
        const text = a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : a.body;
        try { r.topology = topologyFromJson(text); } catch { /* a broken attachment is shown as missing */ }
      }
    } else if (env.parseError) {
      // A feature that did not parse: one failed entry, so no report says "0 failed".
      const uri = env.parseError.source.uri ?? '(unknown feature)';
      const line = env.parseError.source.location?.line;
      runs.set(`parse-error-${runs.size}`, {
        id: `parse-error-${runs.size}`, testCaseId: '', stepIndex: new Map(), feature: uri, featureDescription: '', uri, line,
        name: 'Gherkin parse error', tags: [], status: 'FAILED', durationMs: 0,
        steps: [{ keyword: 'Parse', text: `${uri}${line ? ':' + line : ''}`, status: 'FAILED', durationMs: 0, message: env.parseError.message, hook: true }],
      });
    } else if (env.testCaseFinished) {
      const r = runs.get(env.testCaseFinished.testCaseStartedId);
      if (!r) return;
      if (env.testCaseFinished.willBeRetried) { runs.delete(r.id); return; }
      r.status = r.steps.reduce((acc, s) => (RANK[s.status] > RANK[acc] ? s.status : acc), 'PASSED');
      r.durationMs = r.steps.reduce((a, s) => a + s.durationMs, 0);
      this.onFinished?.(r);
    }
  }

  summary(): RunSummary {
    const { runs, started, finished, success } = this;
    const scenarios = [...runs.values()].map(({ testCaseId: _t, stepIndex: _s, ...rest }) => rest);
    return { scenarios, ...(started !== undefined ? { startedAt: started } : {}), durationMs: started !== undefined && finished ? finished - started : 0, success };
  }
}

export function readRun(envelopes: readonly messages.Envelope[]): RunSummary {
  const reader = new RunReader();
  for (const env of envelopes) reader.add(env);
  return reader.summary();
}

/** Cucumber's order of statuses in its summary ("3 scenarios (2 failed, 1 undefined)"). */
const REPORT_ORDER = ['FAILED', 'AMBIGUOUS', 'UNDEFINED', 'PENDING', 'SKIPPED', 'PASSED', 'UNKNOWN'] as const;

function countLine(statuses: readonly string[], type: string): string {
  const total = statuses.length;
  const parts = REPORT_ORDER.map((st) => [st, statuses.filter((s) => s === st).length] as const).filter(([, n]) => n > 0).map(([st, n]) => `${n} ${st.toLowerCase()}`);
  return `${total} ${type}${total === 1 ? '' : 's'}${total > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** The run's counts as Cucumber's summary prints them: scenarios by their worst step, steps (hooks left out). */
export function summaryLines(run: RunSummary): { scenarios: string; steps: string } {
  return {
    scenarios: countLine(run.scenarios.map((s) => s.status), 'scenario'),
    steps: countLine(run.scenarios.flatMap((s) => s.steps.filter((st) => !st.hook).map((st) => st.status)), 'step'),
  };
}
