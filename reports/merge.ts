// Merging the reports of a suite run in shards (cucumber-js --shard i/n on several machines, or --parallel
// runs written to separate directories): each DIR holds what one run wrote (messages.ndjson and/or junit.xml);
// the merge writes one messages.ndjson, one junit.xml and our topology report index.html for the whole suite.
//
// Messages: one meta, the sources once per feature file, each shard's Gherkin documents (its pickles refer to
// their node ids) and the pickles it ran, every shard's step definitions, hooks and parameter types (their ids
// are unique UUIDs), one testRunStarted (the earliest; the others' ids are rewritten to it), every test case and
// its events in shard order, and one testRunFinished (the latest, successful only when every shard was).
// JUnit: one <testsuite> with every shard's <testcase>s and the counters added up.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { parseNdjson, readRun, type RunSummary } from './messages';
import { renderReport } from './html';

export interface MergeResult {
  readonly run?: RunSummary;
  readonly wrote: readonly string[];
}

type Envelope = messages.Envelope & Record<string, unknown>;

const ts = (t?: messages.Timestamp) => (t ? t.seconds * 1e9 + t.nanos : 0);

export function mergeMessages(streams: readonly (readonly messages.Envelope[])[]): messages.Envelope[] {
  const meta: Envelope[] = [];
  const sources: Envelope[] = [];
  const definitions: Envelope[] = [];
  const events: Envelope[] = [];
  const seenUris = new Set<string>();
  let started: messages.TestRunStarted | undefined;
  let finished: messages.TestRunFinished | undefined;
  let success = true;
  const startedIds = new Set<string>();
  for (const stream of streams) {
    const ran = new Set(stream.flatMap((e) => (e.testCase ? [e.testCase.pickleId] : [])));
    for (const e of stream as Envelope[]) {
      if (e.meta) {
        if (meta.length === 0) meta.push(e);
      } else if (e.source) {
        if (!seenUris.has(e.source.uri)) {
          seenUris.add(e.source.uri);
          sources.push(e);
        }
      } else if (e.gherkinDocument) {
        // Every shard's own: its pickles refer to its AST node ids (fresh UUIDs in each run).
        sources.push(e);
      } else if (e.pickle) {
        if (ran.has(e.pickle.id)) sources.push(e);
      } else if (e.stepDefinition || e.hook || e.parameterType || e.undefinedParameterType) {
        definitions.push(e);
      } else if (e.testRunStarted) {
        if (e.testRunStarted.id) startedIds.add(e.testRunStarted.id);
        if (!started || ts(e.testRunStarted.timestamp) < ts(started.timestamp)) started = e.testRunStarted;
      } else if (e.testRunFinished) {
        success &&= e.testRunFinished.success;
        if (!finished || ts(e.testRunFinished.timestamp) > ts(finished.timestamp)) finished = e.testRunFinished;
      } else events.push(e);
    }
  }
  const keptId = started?.id;
  const rewrite = (e: Envelope): Envelope => {
    if (keptId === undefined) return e;
    for (const [kind, body] of Object.entries(e)) {
      const b = body as { testRunStartedId?: string } | undefined;
      if (b && typeof b === 'object' && typeof b.testRunStartedId === 'string' && startedIds.has(b.testRunStartedId) && b.testRunStartedId !== keptId) {
        return { [kind]: { ...b, testRunStartedId: keptId } } as Envelope;
      }
    }
    return e;
  };
  const out: messages.Envelope[] = [...meta, ...sources, ...definitions];
  if (started) out.push({ testRunStarted: started });
  out.push(...events.map(rewrite));
  if (finished) out.push({ testRunFinished: rewrite({ testRunFinished: { ...finished, success } } as Envelope).testRunFinished! });
  return out;
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** One <testsuite> from several JUnit files written by cucumber-js (one <testsuite> each). */
export function mergeJunit(files: readonly string[]): string {
  let name: string | undefined;
  let timestamp: string | undefined;
  let time = 0;
  const counts = { tests: 0, skipped: 0, failures: 0, errors: 0 };
  const cases: string[] = [];
  for (const text of files) {
    const open = /<testsuite\b[^>]*>/.exec(text);
    if (!open) {
      if (/<testsuite\b[^>]*\/>/.test(text)) continue; // an empty shard
      throw new Error('not a JUnit report of cucumber-js (no <testsuite>)');
    }
    const tag = open[0];
    name ??= attr(tag, 'name');
    const stamp = attr(tag, 'timestamp');
    if (stamp && (!timestamp || stamp < timestamp)) timestamp = stamp;
    time += Number(attr(tag, 'time') ?? 0);
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k] += Number(attr(tag, k) ?? 0);
    const end = text.lastIndexOf('</testsuite>');
    cases.push(text.slice(open.index + tag.length, end < 0 ? undefined : end).replace(/^\n+|\s+$/g, ''));
  }
  const a = [`name="${name ?? 'hotplug-scenarios'}"`, `time="${time.toFixed(3)}"`, ...Object.entries(counts).map(([k, v]) => `${k}="${v}"`), ...(timestamp ? [`timestamp="${timestamp}"`] : [])];
  return `<?xml version="1.0"?>\n<testsuite ${a.join(' ')}>\n${cases.filter(Boolean).join('\n')}\n</testsuite>\n`;
}

/** Merge the reports in `dirs` into `outDir` (messages.ndjson + index.html, junit.xml), as far as the shards wrote them. */
export function mergeReports(dirs: readonly string[], outDir: string, title?: string): MergeResult {
  const wrote: string[] = [];
  const missing = dirs.filter((d) => !existsSync(join(d, 'messages.ndjson')) && !existsSync(join(d, 'junit.xml')));
  if (missing.length) throw new Error(`no messages.ndjson or junit.xml in ${missing.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  let run: RunSummary | undefined;
  const withMessages = dirs.filter((d) => existsSync(join(d, 'messages.ndjson')));
  if (withMessages.length) {
    const merged = mergeMessages(withMessages.map((d) => parseNdjson(readFileSync(join(d, 'messages.ndjson'), 'utf8'), join(d, 'messages.ndjson'))));
    writeFileSync(join(outDir, 'messages.ndjson'), merged.map((e) => JSON.stringify(e)).join('\n') + '\n');
    run = readRun(merged);
    writeFileSync(join(outDir, 'index.html'), renderReport(run, title));
    wrote.push('messages.ndjson', 'index.html');
  }
  const withJunit = dirs.filter((d) => existsSync(join(d, 'junit.xml')));
  if (withJunit.length) {
    writeFileSync(join(outDir, 'junit.xml'), mergeJunit(withJunit.map((d) => readFileSync(join(d, 'junit.xml'), 'utf8'))));
    wrote.push('junit.xml');
  }
  return { ...(run ? { run } : {}), wrote };
}
