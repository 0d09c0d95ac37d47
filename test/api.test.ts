// The library API as a management layer would use it: predict a hot-add's slot, address and refusals
// without starting a VM.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromCommandLine, reduce, queryMemoryDevices, parseSize, type MachineState } from '../index';

function start(cmd: string): MachineState {
  const r = buildFromCommandLine(cmd);
  if (!r.ok) return assert.fail(`${cmd} did not start`);
  return r.state;
}

test('predict where a DIMM lands and what QEMU would refuse, purely', () => {
  let s = start('-M q35 -m 3G,slots=4,maxmem=16G');
  const add = (id: string, size: string, extra: Record<string, unknown> = {}) => {
    const a = reduce(s, { kind: 'qmp', command: { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: `m-${id}`, size: parseSize(size) } } });
    const d = reduce(a.state, { kind: 'qmp', command: { execute: 'device_add', arguments: { driver: 'pc-dimm', id, memdev: `m-${id}`, ...extra } } });
    if (d.ok) s = d.state;
    return d;
  };
  assert.equal(add('d0', '2G').ok, true);
  assert.equal(add('d1', '1G', { slot: 3 }).ok, true);
  const refused = add('d2', '1G', { slot: 3 });
  assert.deepEqual(refused.reply, { error: { class: 'GenericError', desc: 'slot 3 is busy' } });
  const devices = queryMemoryDevices(s) as Array<{ data: { id: string; slot: number; addr: number } }>;
  assert.deepEqual(devices.map((d) => [d.data.id, d.data.slot, d.data.addr.toString(16)]), [['d0', 0, '140000000'], ['d1', 3, '1c0000000']]);
});

test('the library takes the QEMU release with the machine: buildFromCommandLine(cmd, "10.0")', async () => {
  const { QEMU_VERSIONS, qemuVersionData } = await import('../index');
  assert.deepEqual([...QEMU_VERSIONS], ['7.2', '10.0']);
  const seven = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  const ten = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G', '10.0');
  assert.ok(seven.ok && ten.ok);
  assert.equal(seven.state.config.machineName, 'pc-i440fx-7.2');
  assert.equal(ten.state.config.machineName, 'pc-i440fx-10.0');
  assert.equal(ten.state.config.qemu, qemuVersionData('10.0'));
  // the same mistake, each release's words
  const slot = { kind: 'qmp' as const, command: { execute: 'device_add', arguments: { driver: 'pc-dimm', id: 'd0', memdev: 'm0', slot: 'one' } } };
  const withM0 = (s: MachineState) => reduce(s, { kind: 'qmp', command: { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'm0', size: 1n << 28n } } }).state;
  const reply = (s: MachineState) => JSON.stringify(reduce(withM0(s), slot).reply);
  assert.match(reply(seven.state), /Parameter 'slot' expects integer/);
  assert.match(reply(ten.state), /Invalid parameter type for 'slot', expected: integer/);
});
