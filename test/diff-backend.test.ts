import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qemuAvailable } from '../backends/qemu/process';
import { DiffBackend, DivergenceError } from '../backends/diff';
import { loadReplayScenario, runReplay } from '../transcript/replay-format';
import { repoPath } from '../paths';

const skip = qemuAvailable() ? false : 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';

test('the diff backend runs a recorded scenario on both and finds them equal', { skip }, async () => {
  const b = new DiffBackend();
  const t = await runReplay(b, loadReplayScenario(repoPath('test', 'replay/examples/gpe-sci-and-eject-pc.yaml')));
  assert.equal(t.steps.length, 14);
  assert.equal(b.compared, 14);
  assert.deepEqual(t.steps[11].events, [{ event: 'DEVICE_DELETED', data: { device: 'dimm1', path: '/machine/peripheral/dimm1' } }]);
});

test('a divergence fails the step with a readable diff', { skip }, async () => {
  const b = new DiffBackend();
  try {
    await b.start('-M pc -m 1G,slots=2,maxmem=2G');
    // Make the model answer wrongly, as a bug would.
    const real = b.model.qmp.bind(b.model);
    b.model.qmp = async (c) => ({ ...(await real(c)), reply: { return: [] } });
    await assert.rejects(b.qmp({ execute: 'qom-get', arguments: { path: '/machine', property: 'device-memory-region-size' } }), (e: unknown) => {
      assert.ok(e instanceof DivergenceError);
      assert.match(e.message, /model and QEMU disagree on \{"execute":"qom-get"/);
      assert.match(e.message, /-\s+"return": 3221225472/);
      return true;
    });
  } finally {
    await b.close();
  }
});
