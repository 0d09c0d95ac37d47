// The upgrade report: one scenario's transcripts on two version pairs (QEMU 7.2 + libvirt 9.0, QEMU 10.0 +
// libvirt 11.3), compared step by step. Pure: transcripts in, a comparison out; the runner is
// cli/versions.ts, the console/HTML renderings are below and in reports/versions-html.ts.

import { isMtreeFlat, isMtreeTree, jsonEqual, memoryFlatViewRanges, memoryTreeLines } from '../transcript/compare';
import { prettyJson } from '../transcript/json';
import { unifiedDiff } from './diff';

/** A version pair a scenario runs on. */
export interface VersionPair {
  /** `QEMU 7.2 / libvirt 9.0`. */
  readonly label: string;
  readonly qemu: '7.2' | '10.0';
  readonly libvirt: '9.0' | '11.3';
}

/** Debian 12's pair and Debian 13's pair (the latter from bookworm-backports). */
export const UPGRADE: readonly [VersionPair, VersionPair] = [
  { label: 'QEMU 7.2 / libvirt 9.0', qemu: '7.2', libvirt: '9.0' },
  { label: 'QEMU 10.0 / libvirt 11.3', qemu: '10.0', libvirt: '11.3' },
];

export interface StepComparison {
  /** 0-based step index, or -1 for the start-up (define + start, or QEMU's start). */
  readonly index: number;
  /** What the step does, in one line (`attach <memory ...>`, `qmp device_add`, `start-up`). */
  readonly title: string;
  readonly same: boolean;
  /** What each version showed (reply, QMP libvirt sent, events, IRQ lines), as readable text. */
  readonly before: string;
  readonly after: string;
  /** Unified diff before → after ('' when the same). */
  readonly diff: string;
}

export interface ScenarioComparison {
  /** File (and for features, `FILE:LINE`). */
  readonly source: string;
  readonly name: string;
  readonly kind: 'qemu' | 'libvirt' | 'feature';
  readonly pairs: readonly [VersionPair, VersionPair];
  readonly steps: readonly StepComparison[];
  readonly differs: boolean;
  /** Per pair: a one-word outcome for the matrix (`ok`, `refused at start-up`, `failed`...). */
  readonly outcomes: readonly [string, string];
}

const STEP_KEYS = ['attach', 'detach', 'qmp', 'qtest', 'hmp'] as const;

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function oneLine(v: unknown, max = 100): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
  const flat = s.replace(/\s*\n\s*/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

/** A step's request in one line. */
export function stepTitle(step: unknown): string {
  const s = record(step);
  const kind = STEP_KEYS.find((k) => k in s);
  if (!kind) return '(unknown step)';
  const v = s[kind];
  if (kind === 'qmp') return `qmp ${oneLine(record(v).execute)}${record(v).arguments ? ' ' + oneLine(record(v).arguments, 80) : ''}`;
  if (kind === 'detach' && typeof v === 'object') return `detach ${oneLine(record(v).xml, 90)} (the guest ejects)`;
  return `${kind} ${oneLine(v, 90)}`;
}

/** The reply of an HMP step reduced as compare.ts reduces it (QEMU's unstable parts of info mtree dropped). */
function stableReply(step: Record<string, unknown>): unknown {
  const r = step.reply;
  if (typeof r !== 'string') return r;
  if (isMtreeFlat(step.hmp)) return memoryFlatViewRanges(r)?.join('\n') ?? r;
  if (isMtreeTree(step.hmp)) return memoryTreeLines(r)?.join('\n') ?? r;
  return r.replace(/\r\n/g, '\n');
}

/** What a step showed, as text: its reply, then libvirt's QMP, events and IRQ lines when there are any. */
export function stepText(step: unknown): string {
  const s = record(step);
  const out: string[] = [];
  const reply = stableReply(s);
  const r = record(reply);
  if (typeof reply === 'string') out.push('reply:', ...reply.replace(/\n$/, '').split('\n').map((l) => '  ' + l));
  else if (typeof r.ok === 'string') out.push(`virsh: ${r.ok}`);
  else if (typeof r.error === 'string') out.push('virsh failed:', ...r.error.split('\n').map((l) => '  ' + l));
  else if (reply !== undefined) {
    const one = oneLine(reply, 1000);
    out.push(one.length <= 100 ? `reply: ${one}` : 'reply: ' + prettyJson(reply).trimEnd().replace(/\n/g, '\n  '));
  }
  for (const f of ['qmp', 'events', 'irqs'] as const) {
    const v = s[f];
    if (f === 'qmp' && !Array.isArray(v)) continue; // a qmp step's request, not libvirt's traffic
    if (!Array.isArray(v) || v.length === 0) continue;
    out.push(`${f === 'qmp' ? 'libvirt sent' : f}:`);
    for (const x of v) out.push('  ' + (typeof x === 'string' ? x : oneLine(x, 400)));
  }
  return out.join('\n') + '\n';
}

function startupText(t: Record<string, unknown>): string {
  const st = record(t.startup);
  return st.ok === true ? 'started\n' : `refused:\n${String(st.error ?? '').split('\n').map((l) => '  ' + l).join('\n')}\n`;
}

function same(a: unknown, b: unknown, aText: string, bText: string): boolean {
  return aText === bText || jsonEqual(a, b);
}

/** Compare two transcripts of one scenario (same steps, two version pairs). */
export function compareVersions(source: string, before: unknown, after: unknown, pairs: readonly [VersionPair, VersionPair] = UPGRADE): ScenarioComparison {
  const b = record(before);
  const a = record(after);
  const steps: StepComparison[] = [];
  const kind = 'domain' in b || 'domain' in a ? 'libvirt' : 'qemu';
  // a QEMU scenario involves no libvirt: its sides are named by the QEMU alone
  const labels: [string, string] = kind === 'libvirt' ? [pairs[0].label, pairs[1].label] : [`QEMU ${pairs[0].qemu}`, `QEMU ${pairs[1].qemu}`];
  const sb = startupText(b);
  const sa = startupText(a);
  steps.push({ index: -1, title: 'start-up', same: sb === sa, before: sb, after: sa, diff: unifiedDiff(sb, sa, labels) });
  const bs = Array.isArray(b.steps) ? b.steps : [];
  const as = Array.isArray(a.steps) ? a.steps : [];
  for (let i = 0; i < Math.max(bs.length, as.length); i++) {
    const x = bs[i];
    const y = as[i];
    const xt = x === undefined ? '(not run: start-up refused)\n' : stepText(x);
    const yt = y === undefined ? '(not run: start-up refused)\n' : stepText(y);
    const eq = x !== undefined && y !== undefined && same(stableReply(record(x)), stableReply(record(y)), xt, yt) && xt === yt;
    steps.push({ index: i, title: stepTitle(x ?? y), same: eq, before: xt, after: yt, diff: eq ? '' : unifiedDiff(xt, yt, labels) });
  }
  return {
    source, name: source, kind, pairs, steps, differs: steps.some((s) => !s.same),
    outcomes: [outcome(b), outcome(a)],
  };
}

function outcome(t: Record<string, unknown>): string {
  const st = record(t.startup);
  if (st.ok !== true) return 'refused at start-up';
  const steps = Array.isArray(t.steps) ? t.steps.map(record) : [];
  const refused = steps.filter((s) => record(s.reply).error !== undefined || (typeof s.reply === 'string' && /^FAIL/.test(s.reply))).length;
  return refused ? `started, ${refused} step(s) refused` : 'started, all steps ok';
}

/** Console rendering: per scenario, the steps that differ with their unified diffs. */
export function renderComparisons(cs: readonly ScenarioComparison[]): string {
  const out: string[] = [];
  for (const c of cs) {
    const n = c.steps.filter((s) => !s.same).length;
    const [x, y] = c.kind === 'qemu' ? c.pairs.map((p) => `QEMU ${p.qemu}`) : c.pairs.map((p) => p.label);
    out.push(`${c.differs ? '≠' : '='} ${c.source}: ${c.differs ? `${n} step(s) differ` : 'the same on both'} (${x} → ${y})`);
    for (const s of c.steps) {
      if (s.same) continue;
      out.push(`  ${s.index < 0 ? 'start-up' : `step ${s.index + 1}: ${s.title}`}`);
      out.push(s.diff.split('\n').map((l) => '    ' + l).join('\n'));
    }
  }
  const differing = cs.filter((c) => c.differs).length;
  out.push(`${cs.length} scenario(s): ${differing} differ, ${cs.length - differing} the same`);
  return out.join('\n');
}

/** `--json`: one object per scenario. */
export function comparisonJson(c: ScenarioComparison): unknown {
  return {
    source: c.source, name: c.name, kind: c.kind,
    versions: c.pairs.map((p) => ({ qemu: p.qemu, libvirt: p.libvirt })),
    outcomes: c.outcomes, differs: c.differs,
    steps: c.steps.map((s) => ({ step: s.index < 0 ? 'start-up' : s.index + 1, title: s.title, same: s.same, before: s.before, after: s.after, ...(s.same ? {} : { diff: s.diff }) })),
  };
}
