// `npm run scenarios` writes the profile's html and JUnit reports itself, on the other core while Cucumber runs,
// from the message stream Cucumber writes (read as it is written, reports/messages-tail.ts): each envelope goes to
// the very formatters Cucumber would have given it to (@cucumber/html-formatter's CucumberHtmlStream, the
// @cucumber/junit-xml-formatter plugin with the profile's `formatOptions.junit`), in the same order, so the files
// are the same; Cucumber gets a formatter that writes nothing for those two targets. Only when it is simple to
// tell what Cucumber would do: the profile comes from cucumber.yaml (the only configuration file), one profile
// at most, and the command line sets no format options and no other formatter for those files; otherwise
// Cucumber writes them, as before.

import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Transform } from 'node:stream';
import * as path from 'node:path';
import type * as messages from '@cucumber/messages';

export interface MovedReports {
  /** The html report's file. */
  readonly html?: string;
  /** The JUnit report's file and the profile's junit format options. */
  readonly junit?: { readonly path: string; readonly options: Record<string, unknown> };
}

const OTHER_CONFIG_FILES = ['cucumber.js', 'cucumber.cjs', 'cucumber.mjs', 'cucumber.json', 'cucumber.yml'];

/** Which of the profile's reports this process can write instead of Cucumber; undefined: none. */
export function movableReports(args: readonly string[], cwd = process.cwd()): MovedReports | undefined {
  if (args.some((a) => a === '-c' || a === '--config' || a.startsWith('--config=') || a.startsWith('--format-options') || a === '--publish')) return undefined;
  const profiles = args.flatMap((a, i) => (a === '-p' || a === '--profile' ? [args[i + 1]] : a.startsWith('--profile=') ? [a.slice(10)] : []));
  if (profiles.length > 1 || profiles.some((p) => p === undefined)) return undefined;
  if (OTHER_CONFIG_FILES.some((f) => existsSync(path.join(cwd, f))) || !existsSync(path.join(cwd, 'cucumber.yaml'))) return undefined;
  let config: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    config = (require('yaml') as typeof import('yaml')).parse(readFileSync(path.join(cwd, 'cucumber.yaml'), 'utf8'));
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

/** The `--format` arguments that give Cucumber the formatter that writes nothing for the moved reports. */
export function nullFormats(moved: MovedReports, cwd = process.cwd()): string[] {
  const nul = path.relative(cwd, path.join(__dirname, 'null-formatter.js')).split(path.sep).join('/');
  const spec = nul.startsWith('.') ? nul : `./${nul}`;
  return [moved.html, moved.junit?.path].filter((t): t is string => t !== undefined).flatMap((t) => ['--format', `${spec}:${t}`]);
}

/** The moved reports being written: `add` every envelope of the stream in order, then `finish`. */
export class ParentReports {
  private html?: { stream: Transform; done: Promise<void>; tmp: string; file: string };
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
    if (moved.html) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { CucumberHtmlStream } = require('@cucumber/html-formatter') as typeof import('@cucumber/html-formatter');
      mkdirSync(path.dirname(moved.html), { recursive: true });
      const tmp = `${moved.html}.${process.pid}.tmp`;
      const stream = new CucumberHtmlStream();
      const file = createWriteStream(tmp);
      const done = new Promise<void>((resolve, reject) => {
        file.on('finish', () => resolve());
        file.on('error', reject);
        stream.on('error', reject);
      });
      stream.pipe(file);
      this.html = { stream, done, tmp, file: moved.html };
    }
  }

  add(env: messages.Envelope): void {
    this.seen = true;
    this.junit?.handler(env);
    this.html?.stream.write(env);
  }

  /** Write the files (nothing when Cucumber sent no message at all, as it then writes no report either). */
  async finish(): Promise<void> {
    if (this.html) {
      this.html.stream.end();
      await this.html.done;
      if (this.seen) renameSync(this.html.tmp, this.html.file);
      else rmSync(this.html.tmp, { force: true });
    }
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
