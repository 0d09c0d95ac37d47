// Machine set-up: QEMU options inline, a YAML doc string, or a YAML file under features/machines/.

import { Given, Then } from '@cucumber/cucumber';
import { machineFromFile, machineFromYaml } from './machine-yaml';
import type { HotplugWorld } from './world';
import { docString } from './step-args';
import { step } from './flow';

const MACHINES = ['pc', 'q35'];

// Step bodies (steps/flow.ts): on the model they answer without a promise.
Given('a {string} machine (is )started with {string}', step(function* (this: HotplugWorld, type: string, options: string) {
  if (!MACHINES.includes(type) && !/^pc-(i440fx|q35)-/.test(type)) throw new Error(`unknown machine type "${type}" (expected "pc", "q35" or a versioned pc-i440fx-*/pc-q35-* name)`);
  return yield* this.startFlow(`-M ${type} ${options}`);
}));

Given('a machine (is )started with {string}', step(function* (this: HotplugWorld, options: string) {
  return yield* this.startFlow(options);
}));

Given('a machine (is )started with:', step(function* (this: HotplugWorld, yaml: string) {
  yaml = docString(yaml);
  const line = (this.stepLocation?.docStringLine ?? 0) + 1;
  return yield* this.startFlow(machineFromYaml(yaml, this.uri, line));
}));

Given('the machine {string} (is )started', step(function* (this: HotplugWorld, name: string) {
  return yield* this.startFlow(machineFromFile(name));
}));

Then('QEMU refuses to start with {string}', function (this: HotplugWorld, message: string) {
  if (this.startError === undefined) throw new Error(`expected QEMU to refuse to start with "${message}", but the machine started (${this.machine})`);
  if (this.pending) this.pending.checked = true;
  if (this.startError !== message) throw new Error(`QEMU refused to start with a different message\n  expected: ${message}\n  actual:   ${this.startError}`);
});

Then('the machine starts', function (this: HotplugWorld) {
  if (!this.started) throw new Error(`the machine did not start: ${this.startError}`);
});

Given('the machine is reset', step(function* (this: HotplugWorld) {
  yield* this.qmpFlow({ execute: 'system_reset' });
}));
