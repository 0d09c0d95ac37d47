// QEMU releases as data: machine types per release, -M pc/q35 aliases, the release's own refusal for a
// type it lacks, the replay `qemu-version:` key and --qemu-version, and the backends' choice of binary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromCommandLine, buildMachine } from '../engine/machine/build';
import { parseMachine } from '../engine/config/parse';
import { qemuVersionData, QEMU_VERSIONS } from '../engine/versions';
import { parseReplayScenario } from '../transcript/replay-format';
import { qemuInstall, qemuEnvVar } from '../backends/qemu/process';
import { ScenarioError } from '../backends/types';

const startError = (cmd: string, v: '7.2' | '10.0') => {
  const r = buildFromCommandLine(cmd, v);
  return r.ok ? 'started' : r.kind === 'refused' ? r.error.desc : `unsupported: ${r.message}`;
};

test('-M pc / q35 resolve to the release\'s newest machine types', () => {
  const name = (cmd: string, v: '7.2' | '10.0') => { const r = parseMachine(cmd, v); assert.ok(r.ok); return r.config.machineName; };
  assert.equal(name('-M pc', '7.2'), 'pc-i440fx-7.2');
  assert.equal(name('-M q35', '7.2'), 'pc-q35-7.2');
  assert.equal(name('-m 1G', '7.2'), 'pc-i440fx-7.2');
  assert.equal(name('-M pc', '10.0'), 'pc-i440fx-10.0');
  assert.equal(name('-M q35', '10.0'), 'pc-q35-10.0');
  assert.equal(name('-m 1G', '10.0'), 'pc-i440fx-10.0');
  assert.equal(name('-M pc-q35-4.0.1', '10.0'), 'pc-q35-4.0.1');
  const p = parseMachine('-M pc');
  assert.ok(p.ok);
  assert.equal(p.config.qemu.version, '7.2');
});

test('every versioned type of each release, and no other (as -M help lists them)', () => {
  const names = (v: '7.2' | '10.0') => qemuVersionData(v).machineTypes.map((m) => m.name);
  const n72 = names('7.2');
  const n10 = names('10.0');
  assert.equal(n72.filter((n) => n.startsWith('pc-i440fx-')).length, 31); // 1.4 .. 7.2
  assert.equal(n72.filter((n) => n.startsWith('pc-q35-')).length, 24); // 2.4 .. 7.2 + 4.0.1
  assert.equal(n10.filter((n) => n.startsWith('pc-i440fx-')).length, 30); // 2.4 .. 10.0
  assert.equal(n10.filter((n) => n.startsWith('pc-q35-')).length, 31); // 2.4 .. 10.0 + 4.0.1
  for (const n of ['pc-i440fx-8.0', 'pc-i440fx-9.2', 'pc-q35-10.0']) assert.ok(n10.includes(n) && !n72.includes(n), n);
  for (const n of ['pc-i440fx-1.4', 'pc-i440fx-2.3']) assert.ok(n72.includes(n) && !n10.includes(n), n);
});

test('a machine type the release lacks: its own start-up error', () => {
  assert.equal(startError('-M pc-i440fx-8.0', '7.2'), 'unsupported machine type');
  assert.equal(startError('-M pc-i440fx-8.0', '10.0'), 'started');
  assert.equal(startError('-M pc-i440fx-2.0', '10.0'), 'unsupported machine type: "pc-i440fx-2.0"');
  assert.equal(startError('-M pc-i440fx-2.0', '7.2'), 'started');
  assert.equal(startError('-M pc-q35-2.3', '10.0'), 'unsupported machine type: "pc-q35-2.3"');
  // machine types QEMU has but the model does not model stay unsupported
  assert.match(startError('-M microvm', '10.0'), /^unsupported: /);
});

test('buildMachine takes the release with the config', () => {
  const p = parseMachine('-M pc -m 1G', '7.2');
  assert.ok(p.ok);
  const a = buildMachine(p.config);
  const b = buildMachine(p.config, '10.0');
  assert.ok(a.ok && b.ok);
  assert.equal(a.state.config.qemu.version, '7.2');
  assert.equal(b.state.config.qemu.version, '10.0');
  assert.equal(b.state.config.machineName, 'pc-i440fx-10.0');
});

test('replay: qemu-version key (quoted or not), checked', () => {
  assert.equal(parseReplayScenario('qemu-version: "10.0"\nmachine: -M pc\nsteps: []\n').qemuVersion, '10.0');
  assert.equal(parseReplayScenario('qemu-version: 10.0\nmachine: -M pc\nsteps: []\n').qemuVersion, '10.0');
  assert.equal(parseReplayScenario('qemu-version: 7.2\nmachine: -M pc\nsteps: []\n').qemuVersion, '7.2');
  assert.equal(parseReplayScenario('machine: -M pc\nsteps: []\n').qemuVersion, undefined);
  assert.throws(() => parseReplayScenario('qemu-version: "8.2"\nmachine: -M pc\nsteps: []\n', 'f.yaml'), (e: Error) => e instanceof ScenarioError && /f\.yaml:1: qemu-version must be "7\.2" or "10\.0", got '8\.2'/.test(e.message));
});

test('the qemu backend finds each release\'s binary; the variable overrides it', () => {
  assert.deepEqual([...QEMU_VERSIONS], ['7.2', '10.0']);
  assert.equal(qemuEnvVar('10.0'), 'HOTPLUG_QEMU_10_0');
  const saved = process.env.HOTPLUG_QEMU_10_0;
  try {
    delete process.env.HOTPLUG_QEMU_10_0;
    assert.match(qemuInstall('10.0').binary, /qemu-10\.0\/root\/usr\/bin\/qemu-system-x86_64$/);
    process.env.HOTPLUG_QEMU_10_0 = '/nonexistent/usr/bin/qemu-system-x86_64';
    const q = qemuInstall('10.0');
    assert.equal(q.binary, '/nonexistent/usr/bin/qemu-system-x86_64');
    assert.match(q.notFound, /scripts\/install-qemu\.sh 10\.0/);
    assert.equal(qemuInstall('7.2').binary, process.env.HOTPLUG_QEMU_7_2 || 'qemu-system-x86_64');
  } finally {
    if (saved === undefined) delete process.env.HOTPLUG_QEMU_10_0;
    else process.env.HOTPLUG_QEMU_10_0 = saved;
  }
});
