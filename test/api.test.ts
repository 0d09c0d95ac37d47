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
