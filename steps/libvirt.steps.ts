// libvirt 9.0 on top of the backend: define and start a domain, virsh attach-device / detach-device of
// <memory model='dimm'>, and what virsh printed, the QMP libvirt sent and the live domain XML.
// The plumbing (recording, the error rule, pass-through of the scenario's own QMP/qtest/HMP) is in
// libvirt-world.ts; the semantic XML comparison in libvirt-xml.ts.

import { Given, Then, When } from '@cucumber/cucumber';
import { onActionStepStart } from './hooks';
import { stringifyJson } from '../transcript/json';
import { DiffError } from '../reports/diff';
import type { QmpCommand } from '../backends/types';
import { attach, defineAndStart, detach, libvirt, libvirtState, readDomainFile, requireDomain, transcriptError, type VirshRun } from './libvirt-world';
import { assertLiveXml } from './libvirt-xml';
import { libvirtVersion } from '../libvirt/versions';
import type { HotplugWorld } from './world';
import { docString } from './step-args';
import { step } from './flow';
import { parseStepJson } from './step-json';

// A new action step begins (hooks.ts's BeforeStep calls this for every step that is not an outcome). A world
// without libvirt state has nothing to reset (a new LibvirtScenario is in its reset state).
onActionStepStart.push((world) => libvirtState(world)?.resetAction());

const where = (w: HotplugWorld) => `${w.uri}:${w.stepLocation?.docStringLine ?? w.stepLocation?.line ?? '?'}`;

// --- versions ------------------------------------------------------------------------------------------
Given(/^libvirt (\d+\.\d+) on QEMU (\d+\.\d+)$/, function (this: HotplugWorld, version: string, qemu: string) {
  const v = libvirtVersion(version);
  if (v.qemu !== qemu) throw new Error(`libvirt ${v.name} is modelled on QEMU ${v.qemu}, not ${qemu}`);
  const s = libvirt(this);
  if (s.domain || this.backend) throw new Error('choose the versions before the domain is defined');
  s.version = v.name;
  this.qemuOverride = v.qemu;
});

Given(/^QEMU (7\.2|10\.0)$/, function (this: HotplugWorld, qemu: '7.2' | '10.0') {
  if (this.backend) throw new Error('choose the QEMU release before the machine is started');
  this.qemuOverride = qemu;
});

// --- the domain ----------------------------------------------------------------------------------------
Given('a domain (is )defined by:', async function (this: HotplugWorld, xml: string) {
  xml = docString(xml);
  await defineAndStart(this, xml, 'domain.xml');
  return this.skipReason ? 'skipped' : undefined;
});

Given('a domain (is )defined by the file {string}', async function (this: HotplugWorld, file: string) {
  await defineAndStart(this, readDomainFile(this, file), file);
  return this.skipReason ? 'skipped' : undefined;
});

// --- attach / detach -----------------------------------------------------------------------------------
When('I attach the device XML:', step(function* (this: HotplugWorld, xml: string) {
  xml = docString(xml);
  yield* attach(this, xml);
}));

When('I attach the device file {string}', step(function* (this: HotplugWorld, file: string) {
  yield* attach(this, readDomainFile(this, file), file);
}));

When('I detach the device XML:', step(function* (this: HotplugWorld, xml: string) {
  xml = docString(xml);
  yield* detach(this, xml, false);
}));

When('I detach the device XML while the guest ejects it:', step(function* (this: HotplugWorld, xml: string) {
  xml = docString(xml);
  yield* detach(this, xml, true);
}));

When('I detach the device file {string}', step(function* (this: HotplugWorld, file: string) {
  yield* detach(this, readDomainFile(this, file), false, file);
}));

When('I detach the device file {string} while the guest ejects it', step(function* (this: HotplugWorld, file: string) {
  yield* detach(this, readDomainFile(this, file), true, file);
}));

// `the guest ejects slot N` (guest.steps.ts: outl 0xa00 N, outb 0xa14 0x08) goes through the domain once one
// runs, so libvirt sees the DEVICE_DELETED it causes; so do `I send:`, `qtest runs ...` and `I run ...`.

// --- what virsh printed ---------------------------------------------------------------------------------
function lastVirsh(world: HotplugWorld): VirshRun {
  const v = libvirt(world).lastVirsh;
  if (!v) throw new Error('no virsh command ran in the last action step (define, start, attach-device or detach-device)');
  return v;
}

Then('virsh prints {string}', function (this: HotplugWorld, line: string) {
  const v = lastVirsh(this);
  if (v.output.exitCode !== 0) {
    throw new Error(`${v.command} failed (exit ${v.output.exitCode}), expected it to print "${line}":\n${v.output.lines.join('\n')}`);
  }
  if (v.output.lines.join('\n') !== line) throw new Error(`${v.command}\n  expected: ${line}\n  actual:   ${v.output.lines.join('\n')}`);
});

Then('virsh fails with:', function (this: HotplugWorld, expected: string) {
  expected = docString(expected);
  const v = lastVirsh(this);
  const got = transcriptError(v.output);
  if (got === undefined) throw new Error(`${v.command} succeeded (${v.output.lines.join(' / ')}), expected it to fail with:\n${expected}`);
  if (this.pending) this.pending.checked = true;
  const exp = expected.replace(/\r\n/g, '\n').trimEnd();
  // As the transcripts record it; the full output with virsh's `error: Failed to ... from FILE` line is accepted too.
  if (exp !== got && exp !== v.output.lines.join('\n')) throw new DiffError(`${v.command} failed with a different message`, exp, got);
});

// --- the QMP libvirt sent --------------------------------------------------------------------------------
function parseCommands(world: HotplugWorld, text: string): QmpCommand[] {
  const t = text.trim();
  if (t === '') return [];
  const parse = (s: string, line: number): unknown => {
    try {
      return parseStepJson(s);
    } catch (e) {
      throw new Error(`${world.uri}:${(world.stepLocation?.docStringLine ?? 0) + line}: malformed JSON: ${(e as Error).message}`);
    }
  };
  if (t.startsWith('[')) return parse(t, 1) as QmpCommand[];
  return t.split('\n').map((l, i) => [l.trim(), i + 1] as const).filter(([l]) => l && !l.startsWith('#')).map(([l, n]) => parse(l, n) as QmpCommand);
}

const show = (cmds: readonly QmpCommand[]) => cmds.map((c) => stringifyJson(c)).join('\n');

Then('libvirt sent these QMP commands:', function (this: HotplugWorld, text: string) {
  text = docString(text);
  const exp = show(parseCommands(this, text));
  const act = show(libvirt(this).actionQmp);
  if (exp !== act) throw new DiffError('libvirt sent other QMP commands (compared exactly, in order)', exp, act || '(none)');
});

Then('libvirt sent no QMP command(s)', function (this: HotplugWorld) {
  const act = libvirt(this).actionQmp;
  if (act.length) throw new DiffError('expected libvirt to send no QMP command', '(none)', show(act));
});

// --- the live domain XML ----------------------------------------------------------------------------------
Then('the live domain XML shows:', function (this: HotplugWorld, fragment: string) {
  fragment = docString(fragment);
  assertLiveXml(fragment, requireDomain(this).liveXml(), where(this));
});

Then('the live domain XML is unchanged', function (this: HotplugWorld) {
  const before = libvirt(this).liveXmlBefore;
  if (before === undefined) throw new Error('nothing to compare: "the live domain XML is unchanged" follows an attach or detach step');
  const now = requireDomain(this).liveXml();
  if (before !== now) throw new DiffError('the live domain XML changed', before, now);
});

Then('the live domain has no memory devices', function (this: HotplugWorld) {
  const mems = requireDomain(this).live?.mems ?? [];
  if (mems.length) throw new Error(`expected no <memory> devices in the live XML, found ${mems.map((m) => m.alias ?? '(no alias)').join(', ')}:\n${requireDomain(this).liveXml()}`);
});
