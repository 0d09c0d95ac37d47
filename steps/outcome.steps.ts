// Outcomes of the last action: refusals with QEMU's exact message, replies, QMP events, "unchanged".

import { Then } from '@cucumber/cucumber';
import { prettyJson, stringifyJson } from '../transcript/json';
import { DiffError } from '../reports/diff';
import { fingerprintFlow, unchangedModelState } from './snapshot';
import { step } from './flow';
import { modelState } from './model-only';
import { parseQmpDocString } from './hotplug.steps';
import type { HotplugWorld } from './world';
import { docString } from './step-args';
import { parseStepJson } from './step-json';

function claimError(world: HotplugWorld, message: string, errorClass?: string): void {
  const p = world.pending;
  if (!p) {
    const last = world.lastEntry;
    throw new Error(`expected the last step to fail with "${message}", but it succeeded${last ? ` (reply ${typeof last.result.reply === 'string' ? last.result.reply.slice(0, 200) : stringifyJson(last.result.reply)})` : ''}`);
  }
  p.checked = true;
  if (p.desc !== message) throw new Error(`${p.where} failed with a different message\n  expected: ${message}\n  actual:   ${p.desc}`);
  if (errorClass !== undefined && p.errorClass !== errorClass) throw new Error(`${p.where}: expected error class ${errorClass}, got ${p.errorClass}`);
}

Then('it fails with {string}', function (this: HotplugWorld, message: string) {
  claimError(this, message);
});

Then('it fails with a(n) {word} error {string}', function (this: HotplugWorld, errorClass: string, message: string) {
  claimError(this, message, errorClass);
});

Then('it succeeds', function (this: HotplugWorld) {
  if (this.pending && !this.pending.checked) {
    const p = this.pending;
    p.checked = true;
    throw new Error(`expected success, but ${p.where} failed: ${p.errorClass ? p.errorClass + ': ' : ''}${p.desc}`);
  }
});

Then('the reply is:', function (this: HotplugWorld, expected: string) {
  expected = docString(expected);
  const last = this.lastEntry;
  if (!last) throw new Error('no command was sent in the last action');
  if (typeof last.result.reply === 'string') {
    if (last.result.reply.replace(/\r\n/g, '\n').trim() !== expected.trim()) throw new DiffError('reply differs', expected.trim(), last.result.reply.replace(/\r\n/g, '\n').trim());
    return;
  }
  const exp = prettyJson(parseStepJson(expected));
  const act = prettyJson(last.result.reply);
  if (exp !== act) throw new DiffError('QMP reply differs', exp, act);
});

Then('the reply is {string}', function (this: HotplugWorld, expected: string) {
  const last = this.lastEntry;
  if (!last) throw new Error('no command was sent in the last action');
  const got = typeof last.result.reply === 'string' ? last.result.reply : stringifyJson(last.result.reply);
  if (got !== expected) throw new Error(`reply to ${typeof last.input === 'string' ? last.input : stringifyJson(last.input)}\n  expected: ${expected}\n  actual:   ${got}`);
});

Then('QMP {string} returns:', step(function* (this: HotplugWorld, json: string, expected: string) {
  expected = docString(expected);
  const [cmd] = parseQmpDocString(this, json);
  const r = yield* this.qmpFlow(cmd);
  const exp = prettyJson(parseStepJson(expected));
  const act = prettyJson((r.reply as { return?: unknown }).return ?? r.reply);
  if (exp !== act) throw new DiffError(`${json} returned something else`, exp, act);
}));

// --- events -------------------------------------------------------------------------------------------
Then('the event {word} is emitted', function (this: HotplugWorld, name: string) {
  if (!this.actionEvents.some((e) => e.event === name)) throw new Error(`expected a ${name} event from the last action, got: ${this.actionEvents.map((e) => e.event).join(', ') || 'no events'}`);
});

Then('the event {word} is emitted with:', function (this: HotplugWorld, name: string, data: string) {
  data = docString(data);
  const hits = this.actionEvents.filter((e) => e.event === name);
  if (!hits.length) throw new Error(`expected a ${name} event from the last action, got: ${this.actionEvents.map((e) => e.event).join(', ') || 'no events'}`);
  const exp = prettyJson(parseStepJson(data));
  if (!hits.some((e) => prettyJson(e.data) === exp)) throw new DiffError(`${name} event data differs`, exp, prettyJson(hits[0].data));
});

Then('no event is emitted', function (this: HotplugWorld) {
  if (this.actionEvents.length) throw new Error(`expected no QMP events from the last action, got: ${this.actionEvents.map((e) => stringifyJson(e)).join(', ')}`);
});

Then('the events so far are {string}', function (this: HotplugWorld, names: string) {
  const got = this.allEvents.map((e) => e.event).join(', ');
  if (got !== names) throw new Error(`QMP events\n  expected: ${names}\n  actual:   ${got || '(none)'}`);
});

// --- unchanged -----------------------------------------------------------------------------------------
Then('the machine is unchanged', step(function* (this: HotplugWorld) {
  const before = this.fingerprintBefore;
  if (!before) throw new Error('nothing to compare: "the machine is unchanged" follows an action step that sent a command');
  const stateNow = modelState(this.backend);
  // On the model itself, the very state the step began with shows the very same; a fingerprint's reads of it leave
  // it as it is (steps/snapshot.ts unchangedModelState), so there is nothing to read again.
  if (unchangedModelState(this, before)) return;
  const after = yield* fingerprintFlow(this);
  if (before.text !== after.text) throw new DiffError('the refused command changed the machine', before.text, after.text);
  // One refused command must return the very state it was given (a step of several commands, e.g. a worded
  // hot-add that deletes its backend again, is compared by what it shows, above).
  if (before.modelState !== undefined && this.action.length === 1 && stateNow !== before.modelState) {
    throw new Error('the model returned a new state object for a refused command (it must return the very same state)');
  }
}));

Then('the event {word} is not emitted', function (this: HotplugWorld, name: string) {
  const hit = this.actionEvents.find((e) => e.event === name);
  if (hit) throw new Error(`expected no ${name} event from the last action, got ${stringifyJson(hit)}`);
});
