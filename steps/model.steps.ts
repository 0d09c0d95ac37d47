// @model-only observations: KVM memory slots and the trace (the causal path in QEMU's function names).
// Real QEMU does not expose these over QMP/qtest/HMP; see model-only.ts.

import { Then } from '@cucumber/cucumber';
import { hex } from '../engine/units';
import { assertTable } from './compare';
import { requireModelState } from './model-only';
import type { HotplugWorld } from './world';
import type { TraceEntry } from '../engine/effects';
import { libvirtActionTrace } from './libvirt-world';
import { dataTable, docString } from './step-args';

Then('the KVM memory slots are:', function (this: HotplugWorld, table: { raw(): string[][] }) {
  dataTable(table);
  const s = requireModelState(this.backend);
  const slots = [...s.mem.kvmSlots].sort((a, b) => a.as - b.as || a.id - b.id);
  assertTable('KVM memory slots differ', table.raw(), slots.map((k) => ({ slot: k.id, as: k.as, gpa: k.start, start: k.start, size: k.size, flags: k.flags, region: k.region })));
});

Then('there are {int} KVM memory slot(s)', function (this: HotplugWorld, n: number) {
  const s = requireModelState(this.backend);
  if (s.mem.kvmSlots.length !== n) throw new Error(`expected ${n} KVM memory slots, the model has ${s.mem.kvmSlots.length}: ${s.mem.kvmSlots.map((k) => `#${k.id} ${hex(k.start)}+${hex(k.size)}`).join(', ')}`);
});

/** The last action's trace; for a virsh operation, libvirt's functions with QEMU's trace below them. */
function actionTrace(world: HotplugWorld): readonly TraceEntry[] {
  requireModelState(world.backend);
  return libvirtActionTrace(world) ?? world.action.flatMap((e) => [...(e.result.trace ?? [])]);
}

Then('the trace passes through {string}', function (this: HotplugWorld, fn: string) {
  const t = actionTrace(this);
  if (!t.some((x) => x.fn === fn)) throw new Error(`the trace of the last action does not pass through ${fn}:\n${t.map((x) => `${'  '.repeat(x.depth)}${x.fn}${x.note ? ` (${x.note})` : ''}`).join('\n') || '(empty)'}`);
});

Then('the trace passes through, in order:', function (this: HotplugWorld, text: string) {
  text = docString(text);
  const t = actionTrace(this);
  const want = text.split('\n').map((l) => l.trim()).filter(Boolean);
  let i = 0;
  for (const x of t) if (i < want.length && (x.fn === want[i] || `${x.fn} (${x.note})` === want[i])) i++;
  if (i < want.length) {
    throw new Error(`the trace of the last action does not pass through ${want[i]} after ${want.slice(0, i).join(' → ') || 'the start'}:\n` +
      t.map((x) => `${'  '.repeat(x.depth)}${x.fn}${x.note ? ` (${x.note})` : ''}`).join('\n'));
  }
});

Then('the trace does not pass through {string}', function (this: HotplugWorld, fn: string) {
  const t = actionTrace(this);
  if (t.some((x) => x.fn === fn)) throw new Error(`the trace of the last action passes through ${fn}`);
});

/**
 * The call chain as a tree: each line a function name (or `a | b` for a hop renamed between QEMU releases),
 * indented two spaces per call level (relative to the first line). The lines must appear in this order in the last action's trace, each at its depth, so callers,
 * callees and siblings are pinned, not only the order.
 */
Then('the trace has the call chain:', function (this: HotplugWorld, text: string) {
  text = docString(text);
  const t = actionTrace(this);
  // A hop renamed between releases lists its names: `qdev_device_add | qdev_device_add_from_qdict`.
  const want = text.split('\n').filter((l) => l.trim() !== '').map((l) => ({ fn: l.trim(), names: l.trim().split(/\s*\|\s*/), level: (l.length - l.trimStart().length) / 2 }));
  const base = want[0].level;
  let i = 0;
  let depth0: number | undefined;
  for (const x of t) {
    if (i >= want.length) break;
    const w = want[i];
    if (!w.names.includes(x.fn)) continue;
    if (depth0 === undefined) depth0 = x.depth - (w.level - base);
    if (x.depth - depth0 !== w.level - base) continue;
    i++;
  }
  if (i < want.length) {
    const shown = t.map((x) => `${'  '.repeat(x.depth)}${x.fn}${x.note ? ` (${x.note})` : ''}`).join('\n');
    throw new Error(`the trace of the last action does not reach ${want[i].fn} at call level ${want[i].level - base} after ${want.slice(0, i).map((w) => w.fn).join(' → ') || 'the start'}:\n${shown}`);
  }
});
