// Machine set-up: QEMU options inline, a YAML doc string, or a YAML file under features/machines/.

import { Given, Then } from '@cucumber/cucumber';
import { machineFromFile, machineFromYaml } from './machine-yaml';
import type { HotplugWorld } from './world';
import { docString } from './step-args';

const MACHINES = ['pc', 'q35'];

Given('a {string} machine (is )started with {string}', async function (this: HotplugWorld, type: string, options: string) {
  if (!MACHINES.includes(type) && !/^pc-(i440fx|q35)-/.test(type)) throw new Error(`unknown machine type "${type}" (expected "pc", "q35" or a versioned pc-i440fx-*/pc-q35-* name)`);
  return this.start(`-M ${type} ${options}`);
});

Given('a machine (is )started with {string}', async function (this: HotplugWorld, options: string) {
  return this.start(options);
});

Given('a machine (is )started with:', async function (this: HotplugWorld, yaml: string) {
  yaml = docString(yaml);
  const line = (this.stepLocation?.docStringLine ?? 0) + 1;
  return this.start(machineFromYaml(yaml, this.uri, line));
});

Given('the machine {string} (is )started', async function (this: HotplugWorld, name: string) {
  return this.start(machineFromFile(name));
});

Then('QEMU refuses to start with {string}', function (this: HotplugWorld, message: string) {
  if (this.startError === undefined) throw new Error(`expected QEMU to refuse to start with "${message}", but the machine started (${this.machine})`);
  if (this.pending) this.pending.checked = true;
  if (this.startError !== message) throw new Error(`QEMU refused to start with a different message\n  expected: ${message}\n  actual:   ${this.startError}`);
});

Then('the machine starts', function (this: HotplugWorld) {
  if (!this.started) throw new Error(`the machine did not start: ${this.startError}`);
});

Given('the machine is reset', async function (this: HotplugWorld) {
  await this.qmp({ execute: 'system_reset' });
});
