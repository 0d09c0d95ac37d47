// The readable rendering of a transcript for people at a terminal: one block per step with the request,
// QEMU's answer, events, IRQ lines and (on the model) the causal path.

import type { TraceEntry } from '../engine/effects';
import type { Transcript } from '../transcript/replay-format';
import { stringifyJson } from '../transcript/json';

const indent = (text: string, by: string) => text.split('\n').map((l) => by + l).join('\n');

export function renderTrace(trace: readonly TraceEntry[]): string {
  return trace.map((t) => `${'  '.repeat(t.depth)}${t.fn}${t.note ? ` (${t.note})` : ''}`).join('\n');
}

export function renderTranscript(file: string, t: Transcript, traces: readonly (readonly TraceEntry[] | undefined)[] = []): string {
  const rec = t as unknown as { machine?: string; domain?: string };
  const out: string[] = [`# ${file}`];
  if (rec.machine !== undefined) out.push(`machine: ${rec.machine}`);
  else out.push(`domain: ${String(rec.domain ?? '').split('\n')[0].trim()} …`);
  if (!t.startup.ok) {
    out.push(`startup refused: ${t.startup.error}`);
    return out.join('\n') + '\n';
  }
  out.push('startup: ok');
  t.steps.forEach((s, i) => {
    const rec = s as unknown as Record<string, unknown>;
    const kind = ['attach', 'detach', 'qmp', 'qtest', 'hmp'].find((k) => k in rec)!;
    const req = typeof rec[kind] === 'string' ? (rec[kind] as string) : stringifyJson(rec[kind]);
    out.push('', `[${i + 1}] ${kind}> ${req}`);
    const reply = typeof s.reply === 'string' ? s.reply.replace(/\r\n/g, '\n').replace(/\n$/, '') : stringifyJson(s.reply);
    out.push(indent(reply === '' ? '(no output)' : reply, '    < '));
    if (Array.isArray(rec.qmp) && kind !== 'qmp') for (const c of rec.qmp) out.push(`    qmp sent: ${stringifyJson(c)}`);
    for (const e of s.events) out.push(`    event: ${stringifyJson(e)}`);
    for (const l of s.irqs) out.push(`    irq: ${l}`);
    for (const l of s['trace-events'] ?? []) out.push(`    trace-event: ${l}`);
    const trace = traces[i];
    if (trace && trace.length) out.push('    trace:', indent(renderTrace(trace), '      '));
  });
  return out.join('\n') + '\n';
}
