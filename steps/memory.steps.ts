// Assertions on memory devices, the flat view, `info mtree` text and device-memory.

import { Then } from '@cucumber/cucumber';
import { findTreeRegion, formatFlatRangeLine, selectFlatView } from '../backends/mtree-parse';
import { stringifyJson } from '../transcript/json';
import { formatSize, hex, parseSize } from '../engine/units';
import { assertContainsBlock, assertTable, assertText } from './compare';
import { memoryDevicesFlow } from './snapshot';
import { step, type Flow } from './flow';
import type { HotplugWorld } from './world';
import { dataTable, docString } from './step-args';

type Table = { raw(): string[][] };

Then('the memory devices are:', step(function* (this: HotplugWorld, table: Table) {
  dataTable(table);
  const devs = yield* memoryDevicesFlow(this, false);
  // memdev is the backend's id; QEMU's own `/objects/ID` is accepted too (query-memory-devices prints it so).
  const raw = table.raw();
  const m = raw[0].indexOf('memdev');
  const expected = m < 0 ? raw : raw.map((r, i) => (i === 0 ? r : r.map((c, j) => (j === m ? c.replace(/^\/objects\//, '') : c))));
  assertTable('query-memory-devices differs', expected, devs.map((d) => ({ ...d, id: d.id ?? '' })));
}));

Then('there are no memory devices', step(function* (this: HotplugWorld) {
  const devs = yield* memoryDevicesFlow(this, false);
  if (devs.length) throw new Error(`expected no memory devices, found: ${devs.map((d) => `${d.id ?? '(unnamed)'} (slot ${d.slot} at ${hex(d.addr)})`).join(', ')}`);
}));

Then('DIMM {string} is in slot {slot} at {addr}', step(function* (this: HotplugWorld, id: string, slot: number, addr: bigint) {
  const d = (yield* memoryDevicesFlow(this, false)).find((x) => x.id === id);
  if (!d) throw new Error(`no memory device "${id}" in query-memory-devices`);
  if (d.slot !== slot || d.addr !== addr) throw new Error(`DIMM "${id}"\n  expected: slot ${slot} at ${hex(addr)}\n  actual:   slot ${d.slot} at ${hex(d.addr)}`);
}));

Then('the plugged memory is {size}', step(function* (this: HotplugWorld, size: bigint) {
  const r = yield* this.qmpFlow({ execute: 'query-memory-size-summary' }, {});
  const got = (r.reply as { return?: { 'plugged-memory'?: number | bigint } }).return?.['plugged-memory'];
  if (got === undefined || BigInt(got) !== size) throw new Error(`plugged memory\n  expected: ${formatSize(size)}\n  actual:   ${got === undefined ? stringifyJson(r.reply) : formatSize(BigInt(got))}`);
}));

function* flatView(world: HotplugWorld, as = 'memory'): Flow<ReturnType<typeof selectFlatView>> {
  return selectFlatView(yield* world.hmpTextFlow('info mtree -f'), as);
}

Then('the flat view contains:', step(function* (this: HotplugWorld, table: Table) {
  dataTable(table);
  const view = yield* flatView(this);
  const [header, ...rows] = table.raw();
  const nameCol = header.indexOf('name');
  const startCol = header.indexOf('start');
  // Pick, for each expected row, the actual range with the same start (or name), so extra ranges don't matter.
  const picked = rows.map((r) => view.ranges.find((x) => (startCol >= 0 ? x.start === parseSize(r[startCol]) : x.name === r[nameCol])));
  assertTable('flat view of AS "memory" differs', table.raw(), picked.map((p) => (p ? { ...p } : { name: '(no such range)' })));
}));

Then('the flat view is:', step(function* (this: HotplugWorld, text: string) {
  text = docString(text);
  const view = yield* flatView(this);
  assertText('flat view of AS "memory" differs', text, view.lines.join('\n'));
}));

Then('the flat view of {string} is:', step(function* (this: HotplugWorld, as: string, text: string) {
  text = docString(text);
  const view = yield* flatView(this, as);
  assertText(`flat view of AS "${as}" differs`, text, view.lines.join('\n'));
}));

Then('the flat view maps {string} at {addr}-{addr}', step(function* (this: HotplugWorld, name: string, start: bigint, end: bigint) {
  const view = yield* flatView(this);
  const r = view.ranges.find((x) => x.name === name && x.start === start);
  if (!r || r.end !== end) throw new Error(`expected ${name} at ${hex(start)}-${hex(end)} in the flat view; its ranges named ${name}:\n${view.ranges.filter((x) => x.name === name).map((x) => '  ' + formatFlatRangeLine(x)).join('\n') || '  (none)'}`);
}));

Then('the flat view has no range named {string}', step(function* (this: HotplugWorld, name: string) {
  const view = yield* flatView(this);
  const hits = view.ranges.filter((x) => x.name === name);
  if (hits.length) throw new Error(`expected no range named ${name}, found:\n${hits.map((x) => '  ' + formatFlatRangeLine(x)).join('\n')}`);
}));

Then('{string} shows:', step(function* (this: HotplugWorld, command: string, text: string) {
  text = docString(text);
  if (!/^info /.test(command)) throw new Error(`"${command}": only HMP "info ..." commands can be shown`);
  assertContainsBlock(`"${command}" does not show the expected lines`, text, yield* this.hmpTextFlow(command));
}));

Then('{string} is exactly:', step(function* (this: HotplugWorld, command: string, text: string) {
  text = docString(text);
  if (!/^info /.test(command)) throw new Error(`"${command}": only HMP "info ..." commands can be compared`);
  assertText(`"${command}" differs`, text, yield* this.hmpTextFlow(command));
}));

Then('device-memory spans {addr} to {addr}', step(function* (this: HotplugWorld, start: bigint, end: bigint) {
  const r = findTreeRegion(yield* this.hmpTextFlow('info mtree'), 'device-memory');
  if (!r) throw new Error('there is no device-memory region in address-space: memory');
  if (r.start !== start || r.end !== end) throw new Error(`device-memory\n  expected: ${hex(start)}-${hex(end)}\n  actual:   ${hex(r.start)}-${hex(r.end)} (${formatSize(r.end - r.start + 1n)})`);
}));

Then('there is no device-memory region', step(function* (this: HotplugWorld) {
  const r = findTreeRegion(yield* this.hmpTextFlow('info mtree'), 'device-memory');
  if (r && r.end >= r.start && r.end !== r.start) throw new Error(`expected no device-memory, found ${hex(r.start)}-${hex(r.end)}`);
}));

Then('the I\\/O space has {string} at {hex}-{hex}', step(function* (this: HotplugWorld, name: string, start: number, end: number) {
  const view = yield* flatView(this, 'I/O');
  const r = view.ranges.find((x) => x.name === name);
  if (!r || r.start !== BigInt(start) || r.end !== BigInt(end)) throw new Error(`expected ${name} at 0x${start.toString(16)}-0x${end.toString(16)} in the I/O flat view, found ${r ? formatFlatRangeLine(r) : 'none'}`);
}));

Then('the I\\/O space has no {string}', step(function* (this: HotplugWorld, name: string) {
  const view = yield* flatView(this, 'I/O');
  const r = view.ranges.find((x) => x.name === name);
  if (r) throw new Error(`expected no ${name} in the I/O flat view, found ${formatFlatRangeLine(r)}`);
}));
