// Before Cucumber runs: parse every feature of the run (Cucumber's own loadSources, which does not load the
// steps), so a feature that does not parse — or is not text at all — is a counted failure in every report
// instead of stopping the whole run with "0 scenarios". The others still run: Cucumber is given the good
// feature files explicitly. Nothing of a bad file is printed raw: control characters are shown escaped.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface BadFeature {
  readonly uri: string;
  readonly line: number;
  readonly message: string;
}

export interface Preflight {
  /** Features that cannot run (Gherkin parse errors, binary content). */
  readonly bad: readonly BadFeature[];
  /** The arguments for Cucumber: unchanged when every feature is good, else with the good features named. */
  readonly args: readonly string[];
  /** False when no feature is left to run. */
  readonly run: boolean;
}

/** Text safe for a terminal and for a report: control characters (but newline and tab) as \xNN. */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/g, (c) => (c === '\ufffd' ? '\\ufffd' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Binary garbage in a feature file: NUL or other control bytes, or bytes that are not UTF-8. */
function binaryProblem(uri: string): string | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(uri);
  } catch {
    return undefined; // Cucumber will say what is wrong with it
  }
  const text = buf.toString('utf8');
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.exec(text);
  if (!bad) return undefined;
  const line = text.slice(0, bad.index).split('\n').length;
  return `${line}:not a text file: control character or invalid UTF-8 (${visible(bad[0])}) at line ${line}`;
}

/**
 * The usual run, answered without loading Cucumber's API (≈ half a second): no feature paths in the arguments
 * (only `-p NAME`), cucumber.yaml as the only configuration and without `paths`, so Cucumber reads
 * features/**\/*.feature; when every one of those files is text and parses with Cucumber's own Gherkin parser,
 * nothing is bad. Anything else (a path, another option, a configuration file of another kind, a default
 * language, a markdown feature, a symbolic link, a file that does not parse) is left to the full preflight below,
 * which says what and where.
 */
export function defaultFeaturesAllParse(args: readonly string[], cwd = process.cwd()): boolean {
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '-p' || args[i] === '--profile') && i + 1 < args.length) i++;
    else if (!args[i].startsWith('--profile=')) return false;
  }
  const configs = ['cucumber.js', 'cucumber.cjs', 'cucumber.mjs', 'cucumber.json', 'cucumber.yml', 'cucumber.cts', 'cucumber.mts', 'cucumber.ts'];
  if (configs.some((c) => existsSync(path.join(cwd, c)))) return false;
  let yaml: string;
  try {
    yaml = readFileSync(path.join(cwd, 'cucumber.yaml'), 'utf8');
  } catch {
    return false;
  }
  if (/^\s*(paths|language)\s*:/m.test(yaml)) return false;
  const files: string[] = [];
  let markdown = false;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isSymbolicLink()) markdown = true; // followed by Cucumber's glob: let it say
      else if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.feature.md')) markdown = true;
      else if (e.name.endsWith('.feature')) files.push(full);
    }
  };
  try {
    walk(path.join(cwd, 'features'));
    const cucumber = path.dirname(require.resolve('@cucumber/cucumber', { paths: [cwd, __dirname] }));
    const gherkin = require(require.resolve('@cucumber/gherkin', { paths: [cucumber] })) as typeof import('@cucumber/gherkin');
    const messages = require(require.resolve('@cucumber/messages', { paths: [cucumber] })) as typeof import('@cucumber/messages');
    if (markdown || files.length === 0) return false;
    for (const f of files) {
      if (binaryProblem(f)) return false;
      new gherkin.Parser(new gherkin.AstBuilder(messages.IdGenerator.incrementing()), new gherkin.GherkinClassicTokenMatcher()).parse(readFileSync(f, 'utf8'));
    }
  } catch {
    return false;
  }
  return true;
}

export async function preflight(args: readonly string[], cwd = process.cwd()): Promise<Preflight> {
  const unchanged: Preflight = { bad: [], args, run: true };
  if (defaultFeaturesAllParse(args, cwd)) return unchanged;
  let api: typeof import('@cucumber/cucumber/api');
  try {
    api = await import('@cucumber/cucumber/api');
  } catch {
    return unchanged;
  }
  let sources: Awaited<ReturnType<typeof api.loadConfiguration>>['runConfiguration']['sources'];
  let plan: Awaited<ReturnType<typeof api.loadSources>>;
  try {
    const quiet = { cwd, stdout: process.stdout, stderr: process.stderr, env: process.env, debug: false };
    const { runConfiguration } = await api.loadConfiguration({ provided: [...args] }, quiet);
    sources = runConfiguration.sources;
    plan = await api.loadSources(sources, quiet);
  } catch {
    return unchanged; // a problem with the options: Cucumber says it
  }
  const bad: BadFeature[] = plan.errors.map((e) => ({ uri: e.uri, line: e.location.line, message: visible(e.message) }));
  const good: string[] = [];
  for (const p of plan.plan) {
    if (good.includes(p.uri) || bad.some((b) => b.uri === p.uri)) continue;
    const problem = binaryProblem(p.uri);
    if (problem) {
      const [line, ...rest] = problem.split(':');
      bad.push({ uri: p.uri, line: Number(line), message: rest.join(':') });
    } else good.push(p.uri);
  }
  if (bad.length === 0) return unchanged;
  // The paths Cucumber would have taken from the arguments are replaced by the good features.
  const paths = new Set(sources.paths);
  return { bad, args: [...args.filter((a) => !paths.has(a)), ...good], run: good.length > 0 };
}

/** The bad features as Cucumber message envelopes (appended to messages.ndjson for the topology report). */
export function parseErrorEnvelopes(bad: readonly BadFeature[]): string {
  return bad.map((b) => JSON.stringify({ parseError: { source: { uri: b.uri, location: { line: b.line } }, message: b.message } }) + '\n').join('');
}

const xmlAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Add one failed test case per bad feature to Cucumber's junit.xml (or write one with only them). */
export function junitWithBadFeatures(xml: string | undefined, bad: readonly BadFeature[], suiteName: string): string {
  const cases = bad.map((b) => `  <testcase classname="${xmlAttr(b.uri)}" name="${xmlAttr(`Gherkin parse error (${b.uri}:${b.line})`)}" time="0">\n    <failure type="ParseError" message="${xmlAttr(b.message)}"/>\n  </testcase>\n`).join('');
  if (xml === undefined || !/<\/testsuite>\s*$/.test(xml)) {
    return `<?xml version="1.0"?>\n<testsuite name="${xmlAttr(suiteName)}" time="0" tests="${bad.length}" skipped="0" failures="${bad.length}" errors="0">\n${cases}</testsuite>\n`;
  }
  const bump = (attr: string) => (m: string, n: string) => `${attr}="${Number(n) + bad.length}"`;
  const head = xml.replace(/<testsuite\b[^>]*>/, (tag) => tag.replace(/tests="(\d+)"/, bump('tests')).replace(/failures="(\d+)"/, bump('failures')));
  return head.replace(/<\/testsuite>\s*$/, `${cases}</testsuite>\n`);
}
