// Readable unified diffs for assertion messages (console, Cucumber's html, our report).

// The `diff` package (37 modules) is loaded by the first diff that is not empty: the step library imports this
// module, and a passing run never draws one.
type DiffModule = typeof import('diff');
let diffModule: DiffModule | undefined;
const structuredPatch: DiffModule['structuredPatch'] = ((...args: Parameters<DiffModule['structuredPatch']>) =>
  (diffModule ??= require('diff') as DiffModule).structuredPatch(...args)) as DiffModule['structuredPatch'];

/** A failed comparison: the message carries a unified diff (`--- expected` / `+++ actual`). */
export class DiffError extends Error {
  constructor(readonly title: string, readonly expectedText: string, readonly actualText: string) {
    super(`${title}\n${unifiedDiff(expectedText, actualText)}`);
    this.name = 'DiffError';
  }
}

/** `--- expected` / `+++ actual` unified diff with 3 lines of context; '' when equal. */
export function unifiedDiff(expected: string, actual: string, labels: [string, string] = ['expected', 'actual']): string {
  const norm = (s: string) => (s.endsWith('\n') ? s : s + '\n');
  if (norm(expected) === norm(actual)) return '';
  const p = structuredPatch(labels[0], labels[1], norm(expected), norm(actual), '', '', { context: 3 });
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  for (const h of p.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    for (const l of h.lines) if (!l.startsWith('\\')) out.push(l);
  }
  return out.join('\n');
}

/** Render rows as an aligned pipe table (Gherkin-like), for table diffs. */
export function pipeTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all.map((r) => '| ' + r.map((v, c) => (v ?? '').padEnd(widths[c])).join(' | ') + ' |').join('\n');
}
