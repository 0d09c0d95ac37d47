// Transcript comparison for replay tests and the `diff` command: exact equality of every field, with
// one exception. QEMU prints the FlatView blocks of `info mtree -f` in an order and with numbers that
// change from run to run, so for that HMP command only the block whose header lists `AS "memory"` is
// compared, by its range lines. Numbers compare by value (a bigint equals the number of the same value).
// Host values (query-cpus-fast's thread-id) compare equal whatever integer they are (withoutHostValues).

import { createTwoFilesPatch } from 'diff';
import { prettyJson, stringifyJson } from './json';

export interface Difference {
  /** 0-based step index; absent for transcript-level fields. */
  readonly step?: number;
  /** `machine`, `startup`, `steps` (count), or a step field: `qmp`/`qtest`/`hmp` (the request), `reply`, `events`, `irqs`, `trace-events`. */
  readonly field: string;
  readonly expected: unknown;
  readonly actual: unknown;
  /** One readable line, e.g. `steps[3].reply differs`. */
  readonly message: string;
  /** Unified diff (expected → actual) for text replies and JSON values. */
  readonly diff?: string;
}

const STEP_KEYS = ['qmp', 'qtest', 'hmp'] as const;

/** Compare two transcripts (as parsed from JSON or produced by runReplay). */
export function compareTranscripts(expected: unknown, actual: unknown): Difference[] {
  const out: Difference[] = [];
  const e = asRecord(expected);
  const a = asRecord(actual);
  const field = (name: string) => {
    if (!jsonEqual(e[name], a[name])) out.push(diffOf(undefined, name, e[name], a[name]));
  };
  field('machine');
  field('startup');
  const es = Array.isArray(e.steps) ? e.steps : [];
  const as = Array.isArray(a.steps) ? a.steps : [];
  const n = Math.min(es.length, as.length);
  for (let i = 0; i < n; i++) out.push(...compareSteps(i, asRecord(es[i]), asRecord(as[i])));
  if (es.length !== as.length) {
    out.push({
      field: 'steps',
      expected: es.length,
      actual: as.length,
      message: `steps: expected ${es.length} steps, got ${as.length}`,
    });
  }
  return out;
}

function compareSteps(i: number, e: Record<string, unknown>, a: Record<string, unknown>): Difference[] {
  const out: Difference[] = [];
  const ek = STEP_KEYS.find((k) => k in e);
  const ak = STEP_KEYS.find((k) => k in a);
  if (ek !== ak) {
    out.push({
      step: i,
      field: ek ?? ak ?? 'kind',
      expected: ek ? { [ek]: e[ek] } : e,
      actual: ak ? { [ak]: a[ak] } : a,
      message: `steps[${i}]: expected a ${ek ?? '?'} step, got a ${ak ?? '?'} step`,
    });
    return out;
  }
  const kind = ek!;
  if (!jsonEqual(e[kind], a[kind])) out.push(diffOf(i, kind, e[kind], a[kind]));
  // The text of an `info mtree` asked through HMP, or through QMP human-monitor-command (libvirt's
  // qemu-monitor-command): compared with the same rules.
  const hmpLine = kind === 'hmp' ? e.hmp : hmcLine(e.qmp);
  const er0 = kind === 'hmp' ? e.reply : hmcText(e.reply);
  const ar0 = kind === 'hmp' ? a.reply : hmcText(a.reply);
  if (isMtreeFlat(hmpLine) && typeof er0 === 'string' && typeof ar0 === 'string') {
    const withDispatch = isMtreeDispatch(hmpLine);
    const er = memoryFlatViewRanges(er0, withDispatch);
    const ar = memoryFlatViewRanges(ar0, withDispatch);
    if (er && ar) {
      if (er.join('\n') !== ar.join('\n')) {
        const d = diffOf(i, 'reply', er.join('\n') + '\n', ar.join('\n') + '\n');
        out.push({ ...d, message: `steps[${i}].reply: the AS "memory" flat view of info mtree -f differs` });
      }
    } else if (er0 !== ar0) {
      out.push(diffOf(i, 'reply', e.reply, a.reply));
    }
  } else if (isMtreeTree(hmpLine) && typeof er0 === 'string' && typeof ar0 === 'string') {
    const er = memoryTreeLines(er0);
    const ar = memoryTreeLines(ar0);
    if (er && ar ? er.join('\n') !== ar.join('\n') : er0 !== ar0) {
      const d = er && ar ? diffOf(i, 'reply', er.join('\n') + '\n', ar.join('\n') + '\n') : diffOf(i, 'reply', e.reply, a.reply);
      out.push({ ...d, message: `steps[${i}].reply: the address-space: memory tree of info mtree differs` });
    }
  } else if (!jsonEqual(withoutHostValues(e.qmp ?? e.hmp, e.reply), withoutHostValues(a.qmp ?? a.hmp, a.reply))) {
    out.push(diffOf(i, 'reply', e.reply, a.reply));
  }
  for (const f of ['events', 'irqs', 'trace-events']) if (!jsonEqual(e[f], a[f])) out.push(diffOf(i, f, e[f], a[f]));
  return out;
}

/**
 * Values that belong to the host, not to the machine, masked before comparing: `query-cpus-fast`'s `thread-id` and
 * `info cpus`' `thread_id=` (the host thread of the vCPU; the model answers 0) compare equal to any other integer.
 */
export function withoutHostValues(request: unknown, reply: unknown): unknown {
  // `info cpus` (HMP, or through human-monitor-command): `thread_id=N`.
  const line = typeof request === 'string' ? request : hmcLine(request);
  if (line !== undefined && /^\s*info\s+cpus\s*$/.test(line)) {
    const mask = (t: unknown) => (typeof t === 'string' ? t.replace(/thread_id=\d+/g, 'thread_id=0') : t);
    return typeof request === 'string' ? mask(reply) : { ...(reply as object), return: mask((reply as { return?: unknown })?.return) };
  }
  const r = reply as { return?: unknown } | undefined;
  if ((request as { execute?: unknown } | undefined)?.execute !== 'query-cpus-fast' || !Array.isArray(r?.return)) return reply;
  const mask = (cpu: unknown) => {
    if (typeof cpu !== 'object' || cpu === null) return cpu;
    const t = (cpu as Record<string, unknown>)['thread-id'];
    return typeof t === 'number' || typeof t === 'bigint' ? { ...cpu, 'thread-id': 0 } : cpu;
  };
  return { ...r, return: r.return.map(mask) };
}

/** The command line of a QMP `human-monitor-command`, or undefined. */
function hmcLine(cmd: unknown): string | undefined {
  const c = cmd as { execute?: unknown; arguments?: { 'command-line'?: unknown } } | undefined;
  return c?.execute === 'human-monitor-command' && typeof c.arguments?.['command-line'] === 'string' ? c.arguments['command-line'] : undefined;
}

/** The text of a human-monitor-command reply (`{return: TEXT}`), or undefined. */
function hmcText(reply: unknown): string | undefined {
  const r = reply as { return?: unknown } | undefined;
  return typeof r?.return === 'string' ? r.return : undefined;
}

/** Whether an HMP command line is `info mtree` with no flag but `-D` / `-d` (the region trees, no flat view). */
export function isMtreeTree(commandLine: unknown): boolean {
  if (typeof commandLine !== 'string') return false;
  const w = commandLine.trim().split(/\s+/);
  // `-D` adds disabled regions to the same trees, listed in the same run-dependent address-space order.
  // `-d` (the dispatch tree) is ignored without `-f`: the same trees; `-o` adds owners to the same trees.
  return w[0] === 'info' && w[1] === 'mtree' && w.slice(2).every((f) => f === '-D' || f === '-d' || f === '-o');
}

/**
 * The tree printed under `address-space: memory` in `info mtree` (QEMU orders the other address spaces
 * unstably from run to run), trimmed of line ends; undefined if absent.
 */
export function memoryTreeLines(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l === 'address-space: memory');
  if (at < 0) return undefined;
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (l.trim() === '') break;
    out.push(l);
  }
  return out;
}

/** Whether an HMP command line is `info mtree -f -d` (flat views with their dispatch trees). */
export function isMtreeDispatch(commandLine: unknown): boolean {
  if (typeof commandLine !== 'string') return false;
  const w = commandLine.trim().split(/\s+/);
  return w[0] === 'info' && w[1] === 'mtree' && w[2] === '-f' && w[3] === '-d';
}

/** Whether an HMP command line is `info mtree` with `-f` (flat views). */
export function isMtreeFlat(commandLine: unknown): boolean {
  if (typeof commandLine !== 'string') return false;
  const w = commandLine.trim().split(/\s+/);
  return w[0] === 'info' && w[1] === 'mtree' && w.slice(2).includes('-f');
}

/**
 * The range lines of the FlatView block whose header lists `AS "memory"` in `info mtree -f` output
 * (\r\n or \n line ends), trimmed; undefined if there is no such block.
 */
export function memoryFlatViewRanges(text: string, withDispatch = false): string[] | undefined {
  const lines = text.split(/\r?\n/);
  let inBlock = false;
  let isMemory = false;
  let ranges: string[] = [];
  for (const line of lines) {
    if (/^FlatView #\d+/.test(line)) {
      if (inBlock && isMemory) return ranges;
      inBlock = true;
      isMemory = false;
      ranges = [];
      continue;
    }
    if (!inBlock) continue;
    if (/^\s*AS "memory",/.test(line)) isMemory = true;
    else if (/^\s+[0-9a-f]{16}-[0-9a-f]{16} /.test(line)) ranges.push(line.trim());
    // `-d`: the view's dispatch tree (its sections, its radix nodes) follows the ranges.
    else if (withDispatch && /^\s+(Dispatch|Physical sections|#\d+ @|Nodes \(|\[\d+\]$|\d+(\.\.\d+)?\s+skip=)/.test(line)) ranges.push(line.trim());
  }
  return inBlock && isMemory ? ranges : undefined;
}

/** Deep equality of JSON values; integers compare by value whether number or bigint. */
export function jsonEqual(x: unknown, y: unknown): boolean {
  if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) {
    if (typeof x === typeof y) return x === y;
    const [b, n] = typeof x === 'bigint' ? [x, y as number] : [y as bigint, x as number];
    return Number.isInteger(n) && BigInt(n) === b;
  }
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) {
    const ya = y as unknown[];
    return x.length === ya.length && x.every((v, i) => jsonEqual(v, ya[i]));
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const xk = Object.keys(xo).filter((k) => xo[k] !== undefined);
  const yk = Object.keys(yo).filter((k) => yo[k] !== undefined);
  if (xk.length !== yk.length) return false;
  // Key order is part of the format: compare it too.
  return xk.every((k, i) => k === yk[i] && jsonEqual(xo[k], yo[k]));
}

function diffOf(step: number | undefined, field: string, expected: unknown, actual: unknown): Difference {
  const name = step === undefined ? field : `steps[${step}].${field}`;
  const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n/g, '\n') : v === undefined ? '(absent)\n' : prettyJson(v));
  const et = text(expected);
  const at = text(actual);
  const short = (v: unknown) => {
    const s = v === undefined ? '(absent)' : typeof v === 'string' ? JSON.stringify(v) : stringifyJson(v);
    return s.length > 120 ? s.slice(0, 117) + '...' : s;
  };
  let diff: string | undefined;
  if (et !== at) {
    diff = createTwoFilesPatch(`expected ${name}`, `actual ${name}`, withNewline(et), withNewline(at), '', '', { context: 3 });
  }
  const message =
    typeof expected === 'string' && expected.includes('\n')
      ? `${name} differs`
      : `${name}: expected ${short(expected)}, got ${short(actual)}`;
  return { ...(step === undefined ? {} : { step }), field, expected, actual, message, ...(diff ? { diff } : {}) };
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : s + '\n';
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Render differences for a terminal: one message line each, followed by its diff. */
export function formatDifferences(diffs: readonly Difference[]): string {
  return diffs.map((d) => (d.diff ? `${d.message}\n${d.diff}` : d.message)).join('\n');
}
