import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyGHash, ghashInsert, ghashKeys, ghashRemove, gStrHash } from '../engine/qom/ghash';

const build = (keys: string[]) => keys.reduce(ghashInsert, emptyGHash());

test('g_str_hash is djb2 over bytes', () => {
  assert.equal(gStrHash(''), 5381);
  assert.equal(gStrHash('a'), 5381 * 33 + 97);
});

test('iteration order matches what real QEMU printed for qom-list /machine/peripheral', () => {
  // Recorded from libvirt-started QEMU 7.2 (children listed in reverse iteration order).
  assert.deepEqual(ghashKeys(build(['usb', 'balloon0', 'dimm0'])).reverse(), ['dimm0', 'balloon0', 'usb']);
  assert.deepEqual(ghashKeys(build(['pci.1', 'pci.2', 'pci.3', 'usb', 'balloon0', 'dimm0'])).reverse(), ['dimm0', 'balloon0', 'pci.3', 'pci.1', 'usb', 'pci.2']);
});

test('removal leaves a tombstone that a later insert reuses; growth rehashes', () => {
  const t = ghashRemove(build(['a', 'b', 'c']), 'b');
  assert.deepEqual(ghashKeys(t).sort(), ['a', 'c']);
  assert.equal(t.nnodes, 2);
  assert.equal(t.noccupied, 3);
  const again = ghashInsert(t, 'b');
  assert.equal(again.noccupied, 3);
  const big = build(Array.from({ length: 40 }, (_, i) => `dimm${i}`));
  assert.equal(ghashKeys(big).length, 40);
  assert.ok(big.shift > 3);
  assert.deepEqual(ghashKeys(ghashInsert(big, 'dimm3')), ghashKeys(big));
});
