// qom-list of the board's objects: QEMU's recorded replies (engine/versions/data/qom-list-*.ts) where the
// configuration leaves the object as recorded; /machine/unattached and the buses in the hash-table order their
// recorded insertions give (engine/qom/board-order.ts); "not modelled" where the configuration changes more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromCommandLine } from '../engine/machine/build';
import { qomList } from '../engine/protocol/qmp-qom';
import { ModelLimit } from '../engine/errors';
import type { MachineState } from '../engine/state';

function start(cmd: string): MachineState {
  const b = buildFromCommandLine(cmd);
  if (!b.ok) throw new Error(`build failed: ${JSON.stringify(b)}`);
  return b.state;
}

const refused = (s: MachineState, path: string, what: RegExp) =>
  assert.throws(() => qomList(s, path), (e: unknown) => e instanceof ModelLimit && what.test(e.message));

test('qom-list of a board object: the recorded reply, type first, in QEMU order', () => {
  const r = qomList(start('-M pc -m 1G'), '/machine/i440fx/ioapic');
  assert.ok(r.ok);
  const names = (r.value as { name: string }[]).map((p) => p.name);
  assert.deepEqual(names.slice(0, 6), ['type', 'parent_bus', 'realized', 'hotplugged', 'hotpluggable', 'version']);
  assert.equal(names.length, 6 + 24 + 1);
  // memory hotplug gives the ACPI device its hotplug block: recorded too, per machine type
  for (const [cmd, path] of [['-M pc -m 1G,slots=2,maxmem=4G', '/machine/unattached/device[18]'], ['-M pc-q35-2.8 -m 1G,slots=2,maxmem=4G', '/machine/unattached/device[2]']]) {
    const hp = qomList(start(cmd), path);
    assert.ok(hp.ok && (hp.value as { name: string }[]).some((p) => p.name === 'acpi-mem-hotplug[0]'), cmd);
  }
  const missing = qomList(start('-M pc -m 1G'), '/machine/unattached/device[99]');
  assert.ok(!missing.ok);
});

test('qom-list of /machine/unattached and of buses follows the configuration (hash-table order replayed)', () => {
  const names = (r: ReturnType<typeof qomList>) => (r.ok ? (r.value as { name: string }[]).map((p) => p.name) : []);
  // RAM above 4 GiB gives /machine/unattached a region of its own; each further CPU a device
  assert.ok(names(qomList(start('-M pc -m 5G'), '/machine/unattached')).includes('ram-above-4g[0]'));
  const smp = names(qomList(start('-M q35 -m 1G -smp 3'), '/machine/unattached'));
  const one = names(qomList(start('-M q35 -m 1G'), '/machine/unattached'));
  assert.equal(smp.length, one.length + 2);
  assert.ok(smp.includes(`device[${one.filter((n) => n.startsWith('device[')).length + 1}]`));
  // a further CPU lists as the first one
  const q35smp = start('-M q35 -m 1G -smp 3');
  assert.deepEqual(qomList(q35smp, '/machine/unattached/device[3]'), qomList(q35smp, '/machine/unattached/device[0]'));
  // without the HPET the system bus has one link fewer; without ACPI pci.0 has no PIIX4_PM and no acpi-pcihp-bsel
  assert.equal(names(qomList(start('-M q35,hpet=off -m 1G'), '/machine/unattached/sysbus')).length, names(qomList(start('-M q35 -m 1G'), '/machine/unattached/sysbus')).length - 1);
  const noAcpi = qomList(start('-M pc,acpi=off -m 1G'), '/machine/i440fx/pci.0');
  assert.ok(noAcpi.ok && !JSON.stringify(noAcpi.value).includes('PIIX4_PM') && !JSON.stringify(noAcpi.value).includes('bsel'));
  // a -device on the bus adds its link after the board's
  const dev = qomList(start('-M pc -m 1G -device e1000,bus=pci.0,id=n0'), '/machine/i440fx/pci.0');
  assert.ok(dev.ok && (dev.value as { name: string; type: string }[]).some((p) => p.name === 'child[4]' && p.type === 'link<e1000>'));
});

test('qom-list of a board object the configuration changes beyond that is not modelled', () => {
  refused(start('-M pc -m 1G -device e1000,bus=pci.0,id=n0'), '/machine/unattached', /-device/);
  refused(start('-M pc -m 1G -device e1000,id=n0'), '/machine/i440fx/pci.0', /without bus=/);
});

test('qom-list without the HPET: the devices after it are the recorded ones one number higher, the last is gone', () => {
  const names = (r: ReturnType<typeof qomList>) => (r.ok ? (r.value as { name: string; type: string }[]).map((p) => `${p.name} ${p.type}`) : r);
  for (const [type, at, last] of [['pc', 8, 26], ['q35', 7, 24]] as const) {
    const off = start(`-M ${type},hpet=off -m 1G`);
    const on = start(`-M ${type} -m 1G`);
    assert.deepEqual(names(qomList(off, `/machine/unattached/device[${at - 1}]`)), names(qomList(on, `/machine/unattached/device[${at - 1}]`)), type);
    assert.deepEqual(names(qomList(off, `/machine/unattached/device[${at}]`)), names(qomList(on, `/machine/unattached/device[${at + 1}]`)), type);
    assert.notDeepEqual(names(qomList(off, `/machine/unattached/device[${at}]`)), names(qomList(on, `/machine/unattached/device[${at}]`)), type);
    assert.ok(qomList(on, `/machine/unattached/device[${last}]`).ok, type);
    const gone = qomList(off, `/machine/unattached/device[${last}]`);
    assert.ok(!gone.ok && /not found/.test(JSON.stringify(gone)), type);
  }
});

test('record-qom-order reads the insertions of the table that received sysbus, from its creation on', async () => {
  const { unattachedOps } = await import('../scripts/record-qom-order');
  const log = ['N 0x1 ', 'I 0x1 old', 'N 0x2 ', 'I 0x2 x', 'N 0x1 ', 'I 0x1 sysbus', 'I 0x2 y', 'I 0x1 device[0]', 'R 0x1 device[0]', 'P 0x1 pci[0]', ''].join('\n');
  assert.deepEqual(unattachedOps(log), ['sysbus', 'device[0]', 'R:device[0]', 'pci[0]']);
  assert.throws(() => unattachedOps('N 0x1 \nI 0x1 x\n'), /sysbus/);
});
