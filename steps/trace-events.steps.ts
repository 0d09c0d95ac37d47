// QEMU's own trace points (the `log` trace backend's lines, default set: mhp_acpi_*, piix4_gpe_*, pic_set_irq,
// pic_ioport_read/write, ioapic_set_irq, ioapic_mem_read/write). Unlike the causal trace these are not
// model-only: real QEMU writes them too, and the diff profile compares them step by step.

import { Then } from '@cucumber/cucumber';
import type { HotplugWorld } from './world';

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function show(l: readonly string[]): string {
  return l.length ? l.map((x) => `  ${x}`).join('\n') : '  (none)';
}

Then('the trace events were:', function (this: HotplugWorld, text: string) {
  const expected = lines(text);
  const actual = this.actionTraceEvents;
  if (expected.join('\n') !== actual.join('\n')) {
    throw new Error(`the trace events of the last action differ\nexpected:\n${show(expected)}\nactual:\n${show(actual)}`);
  }
});

Then('no trace events fired', function (this: HotplugWorld) {
  const actual = this.actionTraceEvents;
  if (actual.length) throw new Error(`the last action fired trace events:\n${show(actual)}`);
});

Then('the trace events include {string}', function (this: HotplugWorld, line: string) {
  const actual = this.actionTraceEvents;
  if (!actual.includes(line)) throw new Error(`no trace event "${line}" in the last action's:\n${show(actual)}`);
});
