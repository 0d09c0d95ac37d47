// Before Cucumber runs: parse every feature of the run (Cucumber's own loadSources, which does not load the
// steps), so a feature that does not parse — or is not text at all — is a counted failure in every report
// instead of stopping the whole run with "0 scenarios". The others still run: Cucumber is given the good
// feature files explicitly. Nothing of a bad file is printed raw: control characters are shown escaped.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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
 * Cucumber's configuration files: a fast check is only made when the one in use is cucumber.yaml (or none) and
 * it sets neither `paths` nor `language`, which the fast check does not resolve.
 */
const CONFIG_FILES = ['cucumber.js', 'cucumber.cjs', 'cucumber.mjs', 'cucumber.json', 'cucumber.yaml', 'cucumber.yml'];

/**
 * Every feature file a run with these arguments could read (a superset), or undefined when that is not simple to
 * tell (another configuration file, `paths` or `language` configured, a glob or an existing rerun file among
 * the arguments). Cucumber's default `features/**` and each argument that names an existing file or directory
 * (with any `:LINE` suffix stripped); an argument that names nothing on disk is an option's value or a path
 * that matches no file.
 */
function candidateFeatures(args: readonly string[], cwd: string): string[] | undefined {
  if (args.some((a) => a === '-c' || a === '--config' || a.startsWith('--config=') || a.startsWith('--language') || /[*?[\]{}]/.test(a))) return undefined;
  // A rerun file (`@rerun.txt`: Cucumber reads the paths in it); a tag expression (`--tags @x`) names no file.
  if (args.some((a) => path.basename(a).startsWith('@') && existsSync(path.resolve(cwd, a)))) return undefined;
  for (const c of CONFIG_FILES) {
    const file = path.join(cwd, c);
    if (!existsSync(file)) continue;
    if (c !== 'cucumber.yaml' && c !== 'cucumber.yml') return undefined;
    if (/^\s*(paths|language)\s*:/m.test(readFileSync(file, 'utf8'))) return undefined;
  }
  const files = new Set<string>();
  let linked = false;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isSymbolicLink()) linked = true; // Cucumber's glob may follow it: not simple to tell
      else if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.feature') || e.name.endsWith('.feature.md')) files.add(path.relative(cwd, full));
    }
  };
  walk(path.join(cwd, 'features'));
  for (const a of args) {
    if (a.startsWith('-')) continue;
    const p = path.resolve(cwd, a.replace(/(:\d+)*$/, ''));
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.add(path.relative(cwd, p));
  }
  return linked ? undefined : [...files];
}

/**
 * The fast check: Gherkin (the parser Cucumber uses) on every candidate feature, and the binary check. True when
 * all of them are good, so the run is what the arguments say; false when anything is bad or cannot be checked
 * here, and the full preflight through Cucumber's own configuration and loadSources decides. It spares loading
 * Cucumber's API (half a second of CPU) in the usual run, where every feature parses.
 */
function allCandidatesGood(args: readonly string[], cwd: string): boolean {
  const files = candidateFeatures(args, cwd);
  if (!files) return false;
  const known = knownGood(files, cwd);
  if (known.good) return true;
  try {
    const from = [path.dirname(require.resolve('@cucumber/gherkin-streams', { paths: [path.dirname(require.resolve('@cucumber/cucumber'))] }))];
    const gherkin = require(require.resolve('@cucumber/gherkin', { paths: from })) as typeof import('@cucumber/gherkin');
    const { IdGenerator } = require(require.resolve('@cucumber/messages', { paths: from })) as typeof import('@cucumber/messages');
    const newId = IdGenerator.incrementing();
    for (const uri of files) {
      if (binaryProblem(path.join(cwd, uri))) return false;
      const source = gherkin.makeSourceEnvelope(readFileSync(path.join(cwd, uri), 'utf8'), uri).source!;
      const envelopes = gherkin.generateMessages(source.data, source.uri, source.mediaType, { defaultDialect: 'en', includeSource: false, includeGherkinDocument: true, includePickles: true, newId });
      if (envelopes.some((e) => e.parseError)) return false;
    }
    known.remember();
    return true;
  } catch {
    return false;
  }
}

/**
 * Features found good before, by their exact content (and Gherkin's version): the parse is not repeated for
 * them. Remembered in node_modules/.cache/hotplug-scenarios/ (nothing is remembered without node_modules).
 */
function knownGood(files: readonly string[], cwd: string): { good: boolean; remember: () => void } {
  const none = { good: false, remember: () => undefined };
  const dir = path.join(cwd, 'node_modules', '.cache', 'hotplug-scenarios');
  if (!existsSync(path.join(cwd, 'node_modules'))) return none;
  let key: string;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const gherkin = require.resolve('@cucumber/gherkin/package.json', { paths: [path.dirname(require.resolve('@cucumber/gherkin-streams', { paths: [path.dirname(require.resolve('@cucumber/cucumber'))] }))] });
    const h = createHash('sha256').update(readFileSync(gherkin));
    for (const uri of [...files].sort()) h.update(`\0${uri}\0`).update(readFileSync(path.join(cwd, uri)));
    key = h.digest('hex');
  } catch {
    return none;
  }
  const file = path.join(dir, 'preflight-good.json');
  let good = false;
  try {
    const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown }).keys;
    good = Array.isArray(keys) && keys.includes(key);
  } catch {
    good = false;
  }
  return {
    good,
    remember: () => {
      try {
        let keys: string[] = [];
        try {
          const k = (JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown }).keys;
          if (Array.isArray(k)) keys = k.filter((x): x is string => typeof x === 'string');
        } catch { /* none yet */ }
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ keys: [key, ...keys.filter((k) => k !== key)].slice(0, 16) }));
        renameSync(tmp, file);
      } catch { /* only a cache */ }
    },
  };
}

export async function preflight(args: readonly string[], cwd = process.cwd()): Promise<Preflight> {
  const unchanged: Preflight = { bad: [], args, run: true };
  if (allCandidatesGood(args, cwd)) return unchanged;
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
