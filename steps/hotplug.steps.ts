// Backends, hot-add and unplug requests: in words, as HMP-style lines, and as QMP JSON doc strings.

import { Given, When } from '@cucumber/cucumber';
import type { QmpCommand } from '../backends/types';
import { hmpLineToCommand, deviceAddArgs } from './hmp-args';
import type { HotplugWorld } from './world';
import { dataTable, docString } from './step-args';
import { parseStepJson } from './step-json';
import { call, step, type Flow } from './flow';

const num = (v: bigint): number | bigint => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

// Step bodies (steps/flow.ts): on the model they answer without a promise.
function* objectAdd(world: HotplugWorld, type: string, id: string, size: bigint): Flow<void> {
  yield* world.qmpFlow({ execute: 'object-add', arguments: { 'qom-type': type, id, size: num(size) } });
}

/** The backend a worded hot-add creates for DIMM `id`: libvirt's naming, `mem<alias>`. */
export const backendIdFor = (dimmId: string) => `mem${dimmId}`;

function* hotAdd(world: HotplugWorld, size: bigint, type: string, id: string, extra: Record<string, unknown> = {}): Flow<void> {
  yield* objectAdd(world, type, backendIdFor(id), size);
  if (world.lastFailed) return;
  yield* world.qmpFlow({ execute: 'device_add', arguments: { driver: 'pc-dimm', id, memdev: backendIdFor(id), ...extra } });
  // A refused hot-add leaves nothing behind: the backend this step created is deleted again, as libvirt does
  // when QEMU refuses the device (the refusal stays the step's outcome for "Then it fails with ...").
  if (world.lastFailed) yield* world.qmpFlow({ execute: 'object-del', arguments: { id: backendIdFor(id) } }, { cleanup: true });
}

// --- memory backends -------------------------------------------------------------------------------
for (const pattern of ['a {size} {string} backend {string}', 'I add a {size} {string} backend {string}']) {
  Given(pattern, step(function* (this: HotplugWorld, size: bigint, type: string, id: string) {
    yield* objectAdd(this, type, id, size);
  }));
}
for (const pattern of ['a {size} backend {string}', 'I add a {size} backend {string}']) {
  Given(pattern, step(function* (this: HotplugWorld, size: bigint, id: string) {
    yield* objectAdd(this, 'memory-backend-ram', id, size);
  }));
}
Given('memory backends:', step(function* (this: HotplugWorld, table: { hashes(): Record<string, string>[] }) {
  dataTable(table);
  const { parseSize } = yield* call(import('../engine/units'));
  for (const row of table.hashes()) {
    yield* objectAdd(this, row.type ?? 'memory-backend-ram', row.id, parseSize(row.size));
    if (this.lastFailed) return;
  }
}));
When('I delete the backend {string}', step(function* (this: HotplugWorld, id: string) {
  yield* this.qmpFlow({ execute: 'object-del', arguments: { id } });
}));

// --- hot-add in words ------------------------------------------------------------------------------
Given('I hot-add a {size} {string} DIMM {string}', step(function* (this: HotplugWorld, size: bigint, type: string, id: string) {
  yield* hotAdd(this, size, type, id);
}));
Given('I hot-add a {size} DIMM {string}', step(function* (this: HotplugWorld, size: bigint, id: string) {
  yield* hotAdd(this, size, 'memory-backend-ram', id);
}));
Given('I hot-add a {size} DIMM {string} into slot {slot}', step(function* (this: HotplugWorld, size: bigint, id: string, slot: number) {
  yield* hotAdd(this, size, 'memory-backend-ram', id, { slot });
}));
Given('I hot-add a {size} DIMM {string} at {addr}', step(function* (this: HotplugWorld, size: bigint, id: string, addr: bigint) {
  yield* hotAdd(this, size, 'memory-backend-ram', id, { addr: num(addr) });
}));
Given('I hot-add a {size} DIMM {string} into slot {slot} at {addr}', step(function* (this: HotplugWorld, size: bigint, id: string, slot: number, addr: bigint) {
  yield* hotAdd(this, size, 'memory-backend-ram', id, { slot, addr: num(addr) });
}));
Given('I hot-add a {size} DIMM {string} on node {node}', step(function* (this: HotplugWorld, size: bigint, id: string, node: number) {
  yield* hotAdd(this, size, 'memory-backend-ram', id, { node });
}));
Given('I hot-add a {size} DIMM {string} with {string}', step(function* (this: HotplugWorld, size: bigint, id: string, opts: string) {
  yield* hotAdd(this, size, 'memory-backend-ram', id, deviceAddArgs(`pc-dimm,${opts}`));
}));
Given('I plug DIMM {string} with backend {string}', step(function* (this: HotplugWorld, id: string, memdev: string) {
  yield* this.qmpFlow({ execute: 'device_add', arguments: { driver: 'pc-dimm', id, memdev } });
}));

// --- unplug -----------------------------------------------------------------------------------------
for (const pattern of ['I request unplug of {string}', 'I unplug {string}']) {
  When(pattern, step(function* (this: HotplugWorld, id: string) {
    yield* this.qmpFlow({ execute: 'device_del', arguments: { id } });
  }));
}

// --- HMP-style lines and QMP JSON ------------------------------------------------------------------
function* runLine(world: HotplugWorld, line: string): Flow<void> {
  const d = hmpLineToCommand(line);
  if (d.kind === 'qmp') yield* world.qmpFlow(d.command);
  else yield* world.hmpFlow(d.line);
}

Given('I run {string}', step(function* (this: HotplugWorld, line: string) {
  yield* runLine(this, line);
}));

Given('I run:', step(function* (this: HotplugWorld, lines: string) {
  lines = docString(lines);
  for (const line of lines.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    yield* runLine(this, line);
    if (this.lastFailed) return;
  }
}));

/** Parse a QMP doc string (one object, or an array of them), naming the feature file and line on errors. */
export function parseQmpDocString(world: HotplugWorld, text: string): QmpCommand[] {
  let value: unknown;
  try {
    value = parseStepJson(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)|\(char (\d+)\)/.exec(msg);
    const offset = pos ? Number(pos[1] ?? pos[2]) : 0;
    const line = (world.stepLocation?.docStringLine ?? 0) + 1 + text.slice(0, offset).split('\n').length - 1;
    throw new Error(`${world.uri}:${line}: malformed JSON in the QMP doc string: ${msg}`);
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((c, i) => {
    if (!c || typeof c !== 'object' || typeof (c as { execute?: unknown }).execute !== 'string') {
      throw new Error(`${world.uri}:${(world.stepLocation?.docStringLine ?? 0) + 1}: QMP command ${i + 1} needs "execute": {"execute": "device_add", "arguments": {...}}`);
    }
    return c as QmpCommand;
  });
}

Given('I send:', step(function* (this: HotplugWorld, json: string) {
  json = docString(json);
  for (const cmd of parseQmpDocString(this, json)) {
    yield* this.qmpFlow(cmd);
    if (this.lastFailed) return;
  }
}));

Given('I send QMP {string}', step(function* (this: HotplugWorld, json: string) {
  for (const cmd of parseQmpDocString(this, json)) {
    yield* this.qmpFlow(cmd);
    if (this.lastFailed) return;
  }
}));
