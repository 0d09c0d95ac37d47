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
  const missing = qomList(start('-M pc -m 1G'), '/machine/unattached/device[99]');
  assert.ok(!missing.ok);
});

test('qom-list of a board object the configuration changes is not modelled', () => {
  // memory hotplug gives the ACPI device its acpi-mem-hotplug region; RAM above 4 GiB a region in unattached
  refused(start('-M pc -m 1G,slots=2,maxmem=4G'), '/machine/unattached/device[18]', /children/);
  refused(start('-M q35 -m 5G'), '/machine/unattached', /children/);
  refused(start('-M pc -m 1G -smp 2'), '/machine/i440fx', /-smp/);
  refused(start('-M pc,hpet=off -m 1G'), '/machine/unattached/device[9]', /HPET/);
  refused(start('-M pc,acpi=off -m 1G'), '/machine/i440fx/pci.0', /bus/);
});
