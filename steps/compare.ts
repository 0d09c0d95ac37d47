// Table and text comparisons with readable diffs. Numeric cells are compared as numbers (so `1G`,
// `0x40000000` and `1073741824` agree); the diff shows the expected text where values agree.

import { DiffError, pipeTable, unifiedDiff } from '../reports/diff';
import { formatSize, hex, parseSize } from '../engine/units';

export type Cell = string | number | bigint | boolean | undefined;

/** Columns whose values are sizes/addresses, printed as hex or size on mismatch. */
const ADDR_COLS = new Set(['addr', 'start', 'end', 'offset', 'gpa', 'base']);
const SIZE_COLS = new Set(['size']);
/** Columns of flag bits, printed as hex on mismatch (compared by value like every number: 0 = 0x0). */
const HEX_COLS = new Set(['flags']);

function cellEquals(expected: string, actual: Cell): boolean {
  if (actual === undefined) return expected === '' || expected === '-';
  if (typeof actual === 'bigint' || typeof actual === 'number') {
    try { return parseSize(expected) === BigInt(actual); } catch { return expected === String(actual); }
  }
  return expected === String(actual);
}

function show(col: string, actual: Cell): string {
  if (actual === undefined) return '-';
  if (typeof actual === 'bigint' || typeof actual === 'number') {
    const v = BigInt(actual);
    if (ADDR_COLS.has(col)) return hex(v);
    if (SIZE_COLS.has(col)) return formatSize(v);
    if (HEX_COLS.has(col)) return '0x' + v.toString(16);
    return v.toString();
  }
  return String(actual);
}

/**
 * Compare a Gherkin table (header + rows) with actual rows (objects keyed by column); only the columns the
 * table names are compared, rows in order. Throws a DiffError with both tables on mismatch.
 */
export function assertTable(title: string, expected: string[][], actual: Record<string, Cell>[]): void {
  const [header, ...rows] = expected;
  const unknown = header.filter((h) => actual.length > 0 && !actual.some((a) => h in a));
  const exp = pipeTable(header, rows);
  const act = pipeTable(header, actual.map((a, i) => header.map((h) => {
    const e = rows[i]?.[header.indexOf(h)];
    return e !== undefined && cellEquals(e, a[h]) ? e : show(h, a[h]);
  })));
  if (exp !== act) {
    const hint = unknown.length ? `\n(unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')})` : '';
    throw new DiffError(`${title}${hint}`, exp, act);
  }
}

/** Exact text comparison (trailing blanks ignored) with a unified diff. */
export function assertText(title: string, expected: string, actual: string): void {
  const norm = (s: string) => s.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
  if (norm(expected) !== norm(actual)) throw new DiffError(title, norm(expected), norm(actual));
}

/** The expected lines must appear as one contiguous block in the actual text (indentation kept). */
export function assertContainsBlock(title: string, expected: string, actual: string): void {
  const exp = expected.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd()).filter((l, i, a) => !(l === '' && (i === 0 || i === a.length - 1)));
  const act = actual.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd());
  // Compare with common indentation removed on both sides, so a doc string may be indented freely.
  const dedent = (ls: string[]) => {
    const ind = Math.min(...ls.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
    return ls.map((l) => l.slice(ind));
  };
  const e = dedent(exp);
  for (let i = 0; i + e.length <= act.length; i++) {
    const window = dedent(act.slice(i, i + e.length));
    if (window.every((l, j) => l === e[j])) return;
  }
  // Show the diff against the best-matching window (most equal lines), or the whole text.
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < act.length; i++) {
    const w = dedent(act.slice(i, i + e.length));
    const score = w.filter((l, j) => l === e[j]).length + (act[i].trim() === e[0]?.trim() ? 0.5 : 0);
    if (score > bestScore) { bestScore = score; best = i; }
  }
  const window = bestScore > 0 ? dedent(act.slice(Math.max(0, best - 0), best + e.length)) : act;
  throw new DiffError(`${title}\n(expected block not found; diff against the closest ${bestScore > 0 ? 'lines' : 'text'})`, e.join('\n'), window.join('\n'));
}

export { unifiedDiff };
