// qom-list of the board's objects: QEMU's recorded replies (engine/versions/data/qom-list-*.ts) where the
// configuration leaves the object as recorded, "not modelled" where it changes the object's properties.
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

test('qom-list of a board object the configuration changes is not modelled', () => {
  // RAM above 4 GiB gives /machine/unattached a region of its own
  refused(start('-M pc -m 5G'), '/machine/unattached', /children/);
  refused(start('-M q35 -m 5G'), '/machine/unattached', /children/);
  refused(start('-M pc -m 1G -smp 2'), '/machine/i440fx', /-smp/);
  // without the HPET /machine/unattached has other children in another hash-table order
  refused(start('-M pc,hpet=off -m 1G'), '/machine/unattached', /HPET/);
  refused(start('-M q35,hpet=off -m 1G'), '/machine/unattached/sysbus', /bus/);
  refused(start('-M pc,acpi=off -m 1G'), '/machine/i440fx/pci.0', /bus/);
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
