// `npm run scenarios` writes the profile's html and JUnit reports itself, on the other core while Cucumber runs,
// from the message stream Cucumber writes (read as it is written, reports/messages-tail.ts): each envelope goes to
// the very formatters Cucumber would have given it to (@cucumber/html-formatter's CucumberHtmlStream, the
// @cucumber/junit-xml-formatter plugin with the profile's `formatOptions.junit`), in the same order, so the files
// are the same (the html as CucumberHtmlStream writes it, see HtmlReport); Cucumber gets a formatter that writes
// nothing for those two targets. Only when it is simple to
// tell what Cucumber would do: the profile comes from cucumber.yaml (the only configuration file), one profile
// at most, and the command line sets no format options and no other formatter for those files; otherwise
// Cucumber writes them, as before.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type * as messages from '@cucumber/messages';
import { CODE_ROOT, COMPILED } from '../paths';

export interface MovedReports {
  /** The html report's file. */
  readonly html?: string;
  /** The JUnit report's file and the profile's junit format options. */
  readonly junit?: { readonly path: string; readonly options: Record<string, unknown> };
}

const OTHER_CONFIG_FILES = ['cucumber.js', 'cucumber.cjs', 'cucumber.mjs', 'cucumber.json', 'cucumber.yml'];

/**
 * Which of the profile's reports this process can write instead of Cucumber; undefined: none. `messages`: the
 * message stream this process reads, which the profile must write (else there is nothing to write them from).
 */
export function movableReports(args: readonly string[], cwd = process.cwd(), messages?: string): MovedReports | undefined {
  if (args.some((a) => a === '-c' || a === '--config' || a.startsWith('--config=') || a.startsWith('--format-options') || a === '--publish')) return undefined;
  const profiles = args.flatMap((a, i) => (a === '-p' || a === '--profile' ? [args[i + 1]] : a.startsWith('--profile=') ? [a.slice(10)] : []));
  if (profiles.length > 1 || profiles.some((p) => p === undefined)) return undefined;
  if (OTHER_CONFIG_FILES.some((f) => existsSync(path.join(cwd, f))) || !existsSync(path.join(cwd, 'cucumber.yaml'))) return undefined;
  let config: unknown;
  try {
    config = cucumberYaml(cwd);
  } catch {
    return undefined;
  }
  const profile = (config as Record<string, unknown> | null)?.[profiles[0] ?? 'default'] as { format?: unknown; formatOptions?: Record<string, unknown> } | undefined;
  if (!profile || !Array.isArray(profile.format) || !profile.format.every((f) => typeof f === 'string')) return undefined;
  const formats = profile.format as string[];
  const target = (name: string) => {
    const hits = formats.filter((f) => f.startsWith(`${name}:`)).map((f) => f.slice(name.length + 1));
    return hits.length === 1 && hits[0] !== '' && !/^[a-z]+:\/\//i.test(hits[0]) ? hits[0] : undefined;
  };
  if (messages !== undefined && target('message') !== messages) return undefined;
  const html = target('html');
  const junitPath = target('junit');
  // The command line's formats for the same files (theirs would win) or anything unusual: leave them to Cucumber.
  const cliTargets = args.flatMap((a, i) => (a === '-f' || a === '--format' ? [args[i + 1] ?? ''] : a.startsWith('--format=') ? [a.slice(9)] : []));
  const named = (file: string) => cliTargets.some((f) => f.endsWith(`:${file}`) || f.includes(file));
  const htmlOptions = profile.formatOptions?.html;
  const moved = {
    ...(html && !named(html) && htmlOptions === undefined ? { html } : {}),
    ...(junitPath && !named(junitPath) ? { junit: { path: junitPath, options: (profile.formatOptions?.junit as Record<string, unknown> | undefined) ?? {} } } : {}),
  };
  return moved.html || moved.junit ? moved : undefined;
}

/**
 * cucumber.yaml parsed, remembered by its exact text in node_modules/.cache/hotplug-scenarios/ (the YAML parser
 * alone is most of a decision that waits in front of Cucumber's start).
 */
function cucumberYaml(cwd: string): unknown {
  const text = readFileSync(path.join(cwd, 'cucumber.yaml'), 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const key = (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(text).digest('hex');
  const dir = path.join(cwd, 'node_modules', '.cache', 'hotplug-scenarios');
  const file = path.join(dir, 'cucumber-yaml.json');
  try {
    const known = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; config?: unknown };
    if (known.key === key) return known.config;
  } catch { /* not remembered */ }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const config = (require('yaml') as typeof import('yaml')).parse(text) as unknown;
  if (existsSync(path.join(cwd, 'node_modules'))) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ key, config }));
      renameSync(tmp, file);
    } catch { /* only a cache */ }
  }
  return config;
}

/** The `--format` arguments that give Cucumber the formatter that writes nothing for the moved reports. */
export function nullFormats(moved: MovedReports, cwd = process.cwd()): string[] {
  const nul = path.relative(cwd, path.join(CODE_ROOT, 'reports', COMPILED ? 'null-formatter.js' : 'null-formatter.ts')).split(path.sep).join('/');
  const spec = nul.startsWith('.') ? nul : `./${nul}`;
  return [moved.html, moved.junit?.path].filter((t): t is string => t !== undefined).flatMap((t) => ['--format', `${spec}:${t}`]);
}

/**
 * Cucumber's html report written synchronously, as CucumberHtmlStream (@cucumber/html-formatter) writes it: its
 * template around the envelopes, each as `JSON.stringify(envelope)` with every `<` as `\x3C`, comma-separated.
 * The message stream's line of an envelope is that very JSON.stringify (Cucumber's message formatter writes
 * `JSON.stringify(envelope)` of the same object), so the line goes in as it is. The stream itself would lag
 * behind the run (its output waits for the file's asynchronous writes) and leave most of its work to the end.
 */
class HtmlReport {
  private readonly fd: number;
  private readonly tmp: string;
  private readonly post: string;
  private parts: string[] = [];
  private size = 0;
  private first = true;

  constructor(readonly file: string) {
    const src = path.dirname(require.resolve('@cucumber/html-formatter'));
    const template = readFileSync(path.join(src, 'index.mustache'), 'utf8');
    const between = (begin: string | null, end: string | null): string =>
      template.substring(begin === null ? 0 : template.indexOf(begin) + begin.length, end === null ? template.length : template.indexOf(end));
    const pre = between(null, '{{title}}') + 'Cucumber' + between('{{title}}', '{{icon}}') + readFileSync(path.join(src, 'icon.url'), 'utf8') +
      between('{{icon}}', '{{css}}') + readFileSync(path.join(src, '..', 'main.css'), 'utf8') + between('{{css}}', '{{custom_css}}') + between('{{custom_css}}', '{{messages}}');
    this.post = between('{{messages}}', '{{script}}') + readFileSync(path.join(src, '..', 'main.js'), 'utf8') + between('{{script}}', '{{custom_script}}') + between('{{custom_script}}', null);
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, 'w');
    this.push(pre);
  }

  /** One envelope, as its message-stream line. */
  line(json: string): void {
    if (!this.first) this.push(',');
    this.first = false;
    this.push(json.replace(/</g, '\\x3C'));
  }

  private push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.parts.length) writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }

  /** `keep`: the file is written (else dropped). */
  finish(keep: boolean): void {
    this.push(this.post);
    this.flush();
    closeSync(this.fd);
    if (keep) renameSync(this.tmp, this.file);
    else rmSync(this.tmp, { force: true });
  }
}

/** The moved reports being written: `add` every envelope of the stream in order (with its line), then `finish`. */
export class ParentReports {
  private html?: HtmlReport;
  private junit?: { handler: (m: messages.Envelope) => void; out: string[]; file: string };
  private seen = false;

  constructor(readonly moved: MovedReports) {
    if (moved.junit) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const mod = require('@cucumber/junit-xml-formatter') as { default?: JunitPlugin } & JunitPlugin;
      const plugin = mod.type === 'formatter' ? mod : mod.default;
      if (plugin?.type !== 'formatter') throw new Error('@cucumber/junit-xml-formatter: no formatter plugin');
      const out: string[] = [];
      let handler: ((m: messages.Envelope) => void) | undefined;
      plugin.formatter({ options: moved.junit.options, on: (_event, h) => { handler = h; }, write: (s: string) => { out.push(s); } });
      if (!handler) throw new Error('@cucumber/junit-xml-formatter: no message handler');
      this.junit = { handler, out, file: moved.junit.path };
    }
    if (moved.html) this.html = new HtmlReport(moved.html);
  }

  add(env: messages.Envelope, line: string): void {
    this.seen = true;
    this.junit?.handler(env);
    this.html?.line(line);
  }

  /** Write the files (nothing when Cucumber sent no message at all, as it then writes no report either). */
  async finish(): Promise<void> {
    this.html?.finish(this.seen);
    if (this.junit && this.seen) {
      mkdirSync(path.dirname(this.junit.file), { recursive: true });
      writeFileSync(this.junit.file, this.junit.out.join(''));
    }
  }
}

interface JunitPlugin {
  readonly type?: string;
  formatter(context: { options: Record<string, unknown>; on: (event: 'message', handler: (m: messages.Envelope) => void) => void; write: (s: string) => void }): void;
}
