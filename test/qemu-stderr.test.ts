// How the qemu backend reads a refused start-up: QEMU's first error line, warnings skipped (with or without an
// option's location before them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstErrorLine } from '../backends/qemu/process';

test('firstErrorLine skips warnings, also those an option location precedes', () => {
  const p = 'qemu-system-x86_64: ';
  assert.equal(firstErrorLine(`${p}warning: Machine type 'pc-i440fx-1.4' is deprecated\n${p}total memory for NUMA nodes (0x0) should equal RAM size (0x40000000)\n`),
    'total memory for NUMA nodes (0x0) should equal RAM size (0x40000000)');
  assert.equal(firstErrorLine(`${p}-numa node,nodeid=0,mem=1024: warning: Parameter -numa node,mem is deprecated, use -numa node,memdev instead\n${p}numa: Node ID missing: 1\n`),
    'numa: Node ID missing: 1');
  assert.equal(firstErrorLine(`${p}-object memory-backend-ram,id=m0,size=0: property 'size' of memory-backend-ram doesn't take value '0'\n`),
    "-object memory-backend-ram,id=m0,size=0: property 'size' of memory-backend-ram doesn't take value '0'");
  assert.equal(firstErrorLine(`${p}warning: only\n`), 'warning: only');
});
