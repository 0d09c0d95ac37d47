// info mtree -f -d: the dispatch tree of each flat view (engine/memory/dispatch-tree.ts) and its [MRU] section,
// and the transcript comparison that checks the AS "memory" view's dispatch lines (the referees under
// test/replay*/qemu-monitor/mtree-dispatch-*.yaml check every view, block for block, on both releases).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Regions } from '../engine/memory/regions';
import { dispatchLines } from '../engine/memory/dispatch-tree';
import { compareTranscripts } from '../transcript/compare';
import { reduce } from '../engine/reduce';
import { buildFromCommandLine } from '../engine/machine/build';

const range = (start: bigint, end: bigint, region: string) => ({ start, end, region, offsetInRegion: 0n, readonly: false });

test('dispatch: one RAM range of whole pages, the root compacted to its leaf entry', () => {
  const lines = dispatchLines(Regions.EMPTY, 'root', [range(0n, 0x200000n, 'ram')]);
  assert.deepEqual(lines.slice(0, 4), [
    '  Dispatch',
    '    Physical sections',
    '      #0 @0000000000000000..ffffffffffffffff (noname) [unassigned]',
    '      #1 @0000000000000000..00000000001fffff ram [not dirty]',
  ]);
  // 512 pages fill one level-1 entry: five nodes on the way, and the root compacted into that leaf entry.
  assert.equal(lines[4], '    Nodes (9 bits per level, 6 levels) ptr=[1] skip=0');
  assert.deepEqual(lines.slice(-2), ['\t  0       skip=0  ptr=#1', '\t  1..511  skip=1  ptr=NIL']);
  assert.equal(lines.filter((l) => /^ {6}\[\d+\]$/.test(l)).length, 5);
});

test('dispatch: a range sharing its page becomes a subpage, its container section first; [ROOT] and [MRU]', () => {
  const lines = dispatchLines(Regions.EMPTY, 'io', [range(0n, 0x10n, 'dev'), range(0x10n, 0x2000n, 'io')], 0x1800n);
  assert.deepEqual(lines.slice(2, 7), [
    '      #0 @0000000000000000..ffffffffffffffff (noname) [unassigned]',
    '      #1 @0000000000000000..0000000000000fff (noname) [not dirty]',
    '      #2 @0000000000000000..000000000000000f dev [ROM]',
    '      #3 @0000000000000010..0000000000000fff io [watch] [ROOT]',
    '      #4 @0000000000001000..0000000000001fff io [ROOT] [MRU]',
  ]);
  // An address no section covers marks the unassigned section.
  assert.match(dispatchLines(Regions.EMPTY, 'io', [range(0n, 0x10n, 'dev')], 0x5000n)[2], /\[unassigned\] \[MRU\]$/);
});

test('info mtree -f -d: the BIOS written at start-up is the memory view\'s MRU; a regenerated view has none', () => {
  const m = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  assert.ok(m.ok);
  const text = (s: typeof m.state) => reduce(s, { kind: 'hmp', line: 'info mtree -f -d' }).reply as string;
  assert.match(text(m.state), /pc\.bios \[MRU\]/);
  let s = reduce(m.state, { kind: 'qtest', line: 'readb 0x1000' }).state;
  assert.match(text(s), /pc\.ram \[not dirty\] \[MRU\]/);
  s = reduce(s, { kind: 'qmp', command: { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'm0', size: 1073741824 } } }).state;
  s = reduce(s, { kind: 'qmp', command: { execute: 'device_add', arguments: { driver: 'pc-dimm', id: 'd0', memdev: 'm0' } } }).state;
  assert.doesNotMatch(text(s), /\[MRU\]/);
});

test('the comparison checks the memory view\'s dispatch lines with -f -d only', () => {
  const block = (mru: string) =>
    'FlatView #0\r\n AS "memory", root: system\r\n Root memory region: system\r\n  0000000000000000-00000000000bffff (prio 0, ram): pc.ram\r\n' +
    `  Dispatch\r\n    Physical sections\r\n      #0 @0000000000000000..ffffffffffffffff (noname) [unassigned]${mru}\r\n\r\n`;
  const t = (line: string, mru: string) => ({ steps: [{ hmp: line, reply: block(mru), events: [], irqs: [] }] });
  assert.equal(compareTranscripts(t('info mtree -f -d', ''), t('info mtree -f -d', ' [MRU]')).length, 1);
  assert.deepEqual(compareTranscripts(t('info mtree -f -d', ''), t('info mtree -f -d', '')), []);
});
