// schema/replay.schema.json (for editors: the YAML language server's `$schema` comment) accepts every bundled
// replay file and refuses what the replay loader refuses for its shape.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { repoPath } from '../paths';
import { parseReplayScenario } from '../transcript/replay-format';
import { QEMU_VERSIONS } from '../engine/versions';
import { LIBVIRT_VERSION_NAMES } from '../libvirt/versions';

const schema = JSON.parse(fs.readFileSync(repoPath('schema', 'replay.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : []));
}

test('every bundled replay YAML file is valid against schema/replay.schema.json', () => {
  // test/hostile/ holds inputs meant to be refused (some not even YAML): only those the loader accepts count.
  const loads = (f: string) => { try { parseReplayScenario(fs.readFileSync(f, 'utf8'), f); return true; } catch { return false; } };
  const files = [...yamlFiles(repoPath('test', 'replay')), ...yamlFiles(repoPath('test', 'libvirt')), ...yamlFiles(repoPath('test', 'hostile')).filter(loads)];
  assert.ok(files.length > 200, `found ${files.length} replay files`);
  const bad = files.filter((f) => !validate(parse(fs.readFileSync(f, 'utf8'))));
  assert.deepEqual(bad.map((f) => path.relative(repoPath(), f)), [], JSON.stringify(validate.errors));
});

test('the schema refuses the shapes the replay loader refuses', () => {
  const cases = [
    'steps: []\n',
    'machine: -M pc\nsteps:\n  - qmpp: {execute: query-status}\n',
    'machine: -M pc\nsteps:\n  - qmp: {arguments: {}}\n',
    'machine: -M pc\nsteps:\n  - {qtest: endianness, hmp: info pic}\n',
    'machine: -M pc\nsteps:\n  - qmp: {execute: x, argument: {}}\n',
    'machine: -M pc\nsteps:\n  - qtest: [outb, 1]\n',
    'machine: -M pc\ndomain: <domain/>\nsteps: []\n',
    'machine: -M pc\nstep: []\n',
    "domain: <domain/>\nsteps:\n  - detach: {xml: <memory/>, guest: reboot}\n",
    'qemu-version: "8.0"\nmachine: -M pc\nsteps: []\n',
    'libvirt-version: "11.3"\nmachine: -M pc\nsteps: []\n',
  ];
  for (const text of cases) {
    assert.equal(validate(parse(text)), false, `schema accepts:\n${text}`);
    assert.throws(() => {
      const s = parseReplayScenario(text);
      // The loader passes detach arguments through to the libvirt runner, which checks them.
      if (s.steps.some((st) => 'detach' in st && typeof st.detach !== 'string')) throw new Error('refused by the libvirt runner');
    }, `the loader accepts:\n${text}`);
  }
  assert.equal(validate(parse('machine: -M pc -m 1G,slots=2,maxmem=4G\nsteps:\n  - qmp: {execute: device_add, arguments: {driver: pc-dimm}}\n  - qtest: inb 0xafe0\n  - hmp: info pic\n')), true);
});

test('the schema lists the QEMU and libvirt releases the runner knows', () => {
  const props = (schema as { properties: Record<string, { enum: unknown[] }> }).properties;
  assert.deepEqual(props['qemu-version'].enum.filter((v) => typeof v === 'string'), [...QEMU_VERSIONS]);
  assert.deepEqual(props['libvirt-version'].enum.filter((v) => typeof v === 'string'), [...LIBVIRT_VERSION_NAMES]);
  for (const v of QEMU_VERSIONS) assert.ok(validate(parse(`qemu-version: ${v}\nmachine: -M pc\nsteps: []\n`)), `unquoted ${v}`);
});
