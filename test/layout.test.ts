import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMachine } from '../engine/config/parse';
import { computeLayout } from '../engine/machine/layout';

function layout(cmd: string) {
  const p = parseMachine(cmd);
  if (!p.ok) return assert.fail(`${cmd} did not parse`);
  return computeLayout(p.config);
}
function laid(cmd: string) {
  const r = layout(cmd);
  if (!r.ok) return assert.fail(`${cmd}: ${r.error.desc}`);
  return r.value;
}
const hexes = (...xs: (bigint | undefined)[]) => xs.map((x) => (x === undefined ? '-' : '0x' + x.toString(16)));

test('RAM split below/above 4 GiB on pc (observed on QEMU 7.2)', () => {
  assert.deepEqual(hexes(laid('-M pc -m 3583M').below4g, laid('-M pc -m 3583M').above4g), ['0xdff00000', '0x0']);
  assert.deepEqual(hexes(laid('-M pc -m 3584M').below4g, laid('-M pc -m 3584M').above4g), ['0xc0000000', '0x20000000']);
  assert.deepEqual(hexes(laid('-M pc -m 4G').below4g, laid('-M pc -m 4G').above4g), ['0xc0000000', '0x40000000']);
  const l = laid('-M pc,max-ram-below-4g=2G -m 4G');
  assert.deepEqual(hexes(l.below4g, l.above4g), ['0x80000000', '0x80000000']);
});

test('RAM split on q35 (observed)', () => {
  assert.deepEqual(hexes(laid('-M q35 -m 2815M').below4g), ['0xaff00000']);
  const l = laid('-M q35 -m 2816M');
  assert.deepEqual(hexes(l.below4g, l.above4g), ['0x80000000', '0x30000000']);
});

test('device-memory base and size (facts §1.4 table)', () => {
  const cases: Array<[string, string, string]> = [
    ['-M pc -m 1G,slots=4,maxmem=8G', '0x100000000', '0x2c0000000'],
    ['-M pc -m 1G,slots=2,maxmem=4G', '0x100000000', '0x140000000'],
    ['-M pc -m 3584M,slots=2,maxmem=64G', '0x140000000', '0xfa0000000'],
    ['-M q35 -m 3G,slots=4,maxmem=16G', '0x140000000', '0x440000000'],
    ['-M pc-i440fx-2.1 -m 5G,slots=2,maxmem=64G', '0x180000000', '0xec0000000'],
    ['-M pc -m 1G,maxmem=8G', '0x100000000', '0x1c0000000'],
  ];
  for (const [cmd, base, size] of cases) {
    const d = laid(cmd).deviceMemory;
    assert.deepEqual(hexes(d?.base, d?.size), [base, size], cmd);
  }
  assert.equal(laid('-M pc -m 1G').deviceMemory, undefined);
});

test('AMD 1 TiB relocation and the phys-bits limit', () => {
  const l = laid('-M pc -m 1G,slots=2,maxmem=1000G');
  assert.deepEqual(hexes(l.aboveStart, l.deviceMemory?.base), ['0x100000000', '0x100000000']);
  const r = layout('-M pc -m 1G,slots=2,maxmem=1010G');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.desc, 'Address space limit 0xffffffffff < 0x1fd3fffffff phys-bits too low (40)');
});

test('pc_memory_init refusals in order', () => {
  const r1 = layout('-M pc -m 1G,slots=257,maxmem=8G');
  assert.equal(!r1.ok && r1.error.desc, 'unsupported amount of memory slots: 257');
  const r2 = layout('-M pc -m 1G,slots=2,maxmem=4294967297');
  assert.equal(!r2.ok && r2.error.desc, 'maximum memory size must by aligned to multiple of 4096 bytes');
  const r3 = layout('-M pc-i440fx-2.0 -m 1G,slots=2,maxmem=4G');
  assert.equal(!r3.ok && r3.error.desc, `"-memory 'slots|maxmem'" is not supported by: pc-i440fx-2.0`);
});

test('implicit NUMA node when memory hotplug is configured', () => {
  assert.equal(laid('-M pc -m 1G,slots=2,maxmem=4G').numNodes, 1);
  assert.equal(laid('-M pc -m 1G').numNodes, 0);
  assert.equal(laid('-M pc -m 1G,maxmem=2G').numNodes, 1);
});
