// Hostile scenario files against real QEMU (issue: "no host command"): every QMP command, HMP line, qtest
// command and machine option the model does not model is refused before QEMU sees it, with the file and step;
// --raw-qemu / HOTPLUG_SCENARIOS_RAW_QEMU=1 lets it through. The hostile inputs are under test/hostile/.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { qemuAvailable, QemuBackend, QEMU_NOT_FOUND } from '../backends/qemu';
import { ScenarioError } from '../backends/types';
import { loadReplayScenario, runReplay } from '../transcript/replay-format';
import { repoPath } from '../paths';
import { checkHmp, checkMachine, checkQmp, checkQtest } from '../engine/protocol/allowlist';
import { MODELLED_QMP_COMMANDS } from '../engine/protocol/qmp';
import { MODELLED_HMP_COMMANDS, MODELLED_HMP_INFO } from '../engine/protocol/hmp';

const HOSTILE = repoPath('test', 'hostile');
const BIN = repoPath('bin', 'hotplug-scenarios.js');
const SKIP = qemuAvailable() ? false : `${QEMU_NOT_FOUND} (skipping the real-QEMU tests)`;

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOTPLUG_SCENARIOS_RAW_QEMU: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the allowlist (pure)', () => {
  it('refuses what the model does not model', () => {
    assert.equal(checkQmp({ execute: 'migrate', arguments: { uri: 'exec:touch /tmp/x' } }).ok, false);
    assert.equal(checkQmp({ execute: 'human-monitor-command', arguments: { 'command-line': 'pmemsave 0 16 /tmp/x' } }).ok, false);
    assert.equal(checkQmp({ execute: 'object-add', arguments: { 'qom-type': 'memory-backend-file', id: 'f', size: 2 ** 21, 'mem-path': '/tmp/x' } }).ok, false);
    assert.equal(checkHmp('pmemsave 0 16 /tmp/x').ok, false);
    assert.equal(checkHmp('  migrate exec:true').ok, false);
    assert.equal(checkHmp('x/10x 0').ok, false);
    assert.equal(checkHmp('info/x mtree').ok, false);
    assert.equal(checkHmp('info registers').ok, false);
    assert.equal(checkHmp('object_add {"qom-type": "memory-backend-file"}').ok, false);
    assert.equal(checkHmp('device_add pc-dimm,driver=isa-debugcon').ok, false);
    assert.equal(checkHmp('object_add memory-backend-file,id=f,size=2M,mem-path=/tmp/x').ok, false);
    assert.equal(checkQtest('module_load ../../../../tmp evil').ok, false);
    assert.equal(checkMachine('-M pc -debugcon file:/tmp/x').ok, false);
    assert.equal(checkMachine('-M pc -device pc-dimm,driver=isa-debugcon').ok, false);
    // memory-backend-file is modelled, but its mem-path is a host file: also behind a QEMU refusal (slots without maxmem).
    assert.equal(checkMachine('-M pc -m 1G,slots=2 -object memory-backend-file,id=f,size=1G,mem-path=/tmp/x').ok, false);
    // Behind a QEMU refusal (duplicate -object id) the rest of the line is still checked.
    assert.equal(checkMachine('-M pc -object memory-backend-ram,id=a,size=1G -object memory-backend-ram,id=a,size=1G -debugcon file:/tmp/x').ok, false);
  });

  it('asks QEMU about device and object type names the model does not know', () => {
    assert.deepEqual(checkQmp({ execute: 'device_add', arguments: { driver: 'isa-debugcon' } }), { ok: 'unless-qemu-type', name: 'isa-debugcon', implements: 'device', what: "device_add of 'isa-debugcon'" });
    assert.equal(checkHmp('object_add memory-backend-shm,id=s').ok, 'unless-qemu-type');
  });

  it('lets through what the model answers, including names QEMU does not have', () => {
    for (const execute of MODELLED_QMP_COMMANDS) assert.equal(checkQmp({ execute, arguments: {} }).ok, true, execute);
    for (const c of MODELLED_HMP_COMMANDS.filter((c) => c !== 'info')) assert.equal(checkHmp(c).ok, true, c);
    assert.equal(checkHmp('info').ok, false); // QEMU's list of info commands: not modelled
    for (const c of MODELLED_HMP_INFO) assert.equal(checkHmp(`info ${c}`).ok, true, c);
    for (const line of ['nosuchcmd', 'info nosuch', 'device-add pc-dimm', '', 'device_add pc-dimm,id=d0,memdev=m0', 'object_add memory-backend-ram,id=m0,size=1G']) {
      assert.equal(checkHmp(line).ok, true, line);
    }
    for (const line of ['inb 0xafe0', 'foo', 'clock_step 100', 'endianness']) assert.equal(checkQtest(line).ok, true, line);
    assert.equal(checkMachine('-M q35 -m 1G,slots=2,maxmem=4G -object memory-backend-ram,id=m0,size=1G -device pc-dimm,id=d0,memdev=m0 -accel kvm').ok, true);
    assert.equal(checkMachine('-M pc -m 1G,slots=2').ok, true); // QEMU's own refusal: QEMU says it
  });

  it('allows every step of every recorded referee transcript', () => {
    const root = repoPath('test', 'replay');
    for (const dir of fs.readdirSync(root)) {
      for (const f of fs.readdirSync(path.join(root, dir)).filter((n) => n.endsWith('.yaml'))) {
        const s = loadReplayScenario(path.join(root, dir, f));
        if (s.machine !== undefined) assert.equal(checkMachine(s.machine).ok, true, `${f}: ${s.machine}`);
        for (const step of s.steps) {
          const v = 'qmp' in step ? checkQmp(step.qmp) : 'hmp' in step ? checkHmp(step.hmp) : 'qtest' in step ? checkQtest(step.qtest) : { ok: true };
          assert.notEqual(v.ok, false, `${f}: ${JSON.stringify(step, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))}`);
        }
      }
    }
  });
});

describe('hostile replay files on real QEMU', { skip: SKIP }, () => {
  const cases: Array<[string, number, RegExp, string?]> = [
    ['migrate-exec.yaml', 5, /not modelled: QMP command 'migrate'/, '/tmp/hotplug-hostile-migrate-marker'],
    ['pmemsave.yaml', 4, /not modelled: HMP command 'pmemsave'/, '/tmp/hotplug-hostile-pmemsave-marker'],
    ['hmp-through-qmp.yaml', 4, /not modelled: HMP command 'pmemsave'/, '/tmp/hotplug-hostile-pmemsave-marker'],
    ['memory-backend-file.yaml', 4, /not modelled: object-add of 'memory-backend-file'/, '/tmp/hotplug-hostile-file-marker'],
    ['hmp-object-add-json.yaml', 4, /not modelled: HMP object_add/, '/tmp/hotplug-hostile-file-marker'],
    ['device-add-debugcon.yaml', 4, /not modelled: HMP device_add with 2 drivers/],
    ['qtest-module-load.yaml', 4, /not modelled: qtest command 'module_load'/],
  ];
  for (const [file, line, message, marker] of cases) {
    it(`${file}: refused with the file and step, before QEMU sees it`, async () => {
      if (marker) fs.rmSync(marker, { force: true });
      const f = path.join(HOSTILE, file);
      await assert.rejects(runReplay(new QemuBackend({ raw: false }), loadReplayScenario(f)), (e: Error) => {
        assert.ok(e instanceof ScenarioError, e.message);
        assert.match(e.message, message);
        assert.ok(e.message.startsWith(`${f}:${line}: step `), e.message);
        assert.match(e.message, /--raw-qemu or HOTPLUG_SCENARIOS_RAW_QEMU=1/);
        return true;
      });
      if (marker) assert.equal(fs.existsSync(marker), false, `${marker} was created`);
    });
  }

  it('the CLI: exit code 2 and the message for replay --backend qemu and diff', () => {
    const marker = '/tmp/hotplug-hostile-migrate-marker';
    fs.rmSync(marker, { force: true });
    const f = path.join(HOSTILE, 'migrate-exec.yaml');
    // diff runs the model first, which stops at the same step (migrate is a command QEMU has and the model does not answer).
    for (const [args, suffix] of [[['replay', f, '--backend', 'qemu'], "; refused before QEMU sees it"], [['diff', f], '']] as const) {
      const r = cli([...args]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, new RegExp(`^hotplug-scenarios: ${f}:5: step 2: not modelled: QMP command 'migrate'${suffix}`));
      assert.equal(fs.existsSync(marker), false);
    }
  });

  for (const file of ['debugcon.yaml', 'debugcon-after-refusal.yaml']) {
    it(`${file}: a machine option outside the model is refused before QEMU starts`, async () => {
      fs.rmSync('/tmp/hotplug-hostile-debugcon-marker', { force: true });
      const f = path.join(HOSTILE, file);
      await assert.rejects(runReplay(new QemuBackend({ raw: false }), loadReplayScenario(f)), new RegExp(`${f}: machine: not modelled: machine options: unsupported option '-debugcon'`));
      assert.equal(fs.existsSync('/tmp/hotplug-hostile-debugcon-marker'), false);
    });
  }

  it('a real QEMU device the model does not model is refused (QEMU is asked whether it has the type)', async () => {
    const b = new QemuBackend({ raw: false });
    try {
      assert.deepEqual(await b.start('-M pc -m 1G,slots=2,maxmem=4G'), { ok: true });
      await assert.rejects(b.qmp({ execute: 'device_add', arguments: { driver: 'isa-debugcon', iobase: 0x402 } }), (e: Error) => e instanceof ScenarioError && /not modelled: device_add of 'isa-debugcon'/.test(e.message));
      // A name QEMU does not have goes through: QEMU refuses it in its own words.
      const r = await b.qmp({ execute: 'device_add', arguments: { driver: 'nope' } });
      assert.deepEqual(r.reply, { error: { class: 'GenericError', desc: "'nope' is not a valid device model name" } });
    } finally {
      await b.close();
    }
  });

  it('--raw-qemu and HOTPLUG_SCENARIOS_RAW_QEMU=1 let an unmodelled command through', async () => {
    const f = path.join(HOSTILE, 'raw-info-uuid.yaml');
    await assert.rejects(runReplay(new QemuBackend({ raw: false }), loadReplayScenario(f)), /not modelled: HMP 'info uuid'/);
    const t = await runReplay(new QemuBackend({ raw: true }), loadReplayScenario(f));
    assert.match(String(t.steps[0].reply), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const r = cli(['replay', f, '--backend', 'qemu', '--raw-qemu']);
    assert.equal(r.code, 0, r.err);
    const e = cli(['replay', f, '--backend', 'qemu'], { HOTPLUG_SCENARIOS_RAW_QEMU: '1' });
    assert.equal(e.code, 0, e.err);
  });
});
