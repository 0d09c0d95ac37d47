// @model-only observations: KVM memory slots and the trace (the causal path in QEMU's function names).
// Real QEMU does not expose these over QMP/qtest/HMP; see model-only.ts.

import { Then } from '@cucumber/cucumber';
import { hex } from '../engine/units';
import { assertTable } from './compare';
import { requireModelState } from './model-only';
import type { HotplugWorld } from './world';
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

function actionTrace(world: HotplugWorld): { fn: string; note?: string; depth: number }[] {
  requireModelState(world.backend);
  return world.action.flatMap((e) => [...(e.result.trace ?? [])]);
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
