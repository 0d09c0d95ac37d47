// QEMU's trace points in the model: what fires where, in QEMU's format, and which selections are refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoPath } from '../paths';
import { parseJson } from '../transcript/json';
import { jsonEqual } from '../transcript/compare';
import { loadReplayScenario, recordedTraceEvents } from '../transcript/replay-format';
import { ModelBackend } from '../backends/model';
import { runScenario } from '../cli/main';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import type { MachineState } from '../engine/state';
import { DEFAULT_TRACE_EVENTS, selectTraceEvents, traceEventMatches, traceEventSelectionProblem } from '../engine/trace-events';

function boot(machine: string): MachineState {
  const r = buildFromCommandLine(machine);
  if (!r.ok) throw new Error('did not start');
  return r.state;
}

function run(state: MachineState, ...actions: Action[]): { state: MachineState; lines: string[][] } {
  const lines: string[][] = [];
  for (const a of actions) {
    const r = reduce(state, a);
    state = r.state;
    lines.push([...r.traceEvents]);
  }
  return { state, lines };
}

const qt = (line: string): Action => ({ kind: 'qtest', line });
const qmp = (execute: string, args?: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, ...(args ? { arguments: args } : {}) } });

test('patterns match as QEMU -trace does (* and ?)', () => {
  assert.ok(traceEventMatches('mhp_acpi_*', 'mhp_acpi_read_flags'));
  assert.ok(traceEventMatches('pic_set_ir?', 'pic_set_irq'));
  assert.ok(!traceEventMatches('pic_set_irq', 'pic_set_irq2'));
  assert.ok(!traceEventMatches('pic.set_irq', 'picXset_irq'));
  assert.deepEqual(selectTraceEvents(['pic_update_irq master 1 imr 0 irr 4 padd 0', 'pic_set_irq master 1 irq 2 level 1'], DEFAULT_TRACE_EVENTS), ['pic_set_irq master 1 irq 2 level 1']);
});

test('selections the model cannot show faithfully are refused as not modelled', () => {
  assert.equal(traceEventSelectionProblem(DEFAULT_TRACE_EVENTS), undefined);
  assert.equal(traceEventSelectionProblem(['pic_*', 'ioapic_*']), undefined);
  assert.match(traceEventSelectionProblem(['*'])!, /^not modelled: trace events /);
  assert.match(traceEventSelectionProblem(['kvm_*'])!, /and \d+ more \(selected by 'kvm_\*'\)/);
  assert.match(traceEventSelectionProblem(['virtio_blk_req_complete'])!, /knows no such event/);
  // 10.0 has no piix4_gpe_* (moved to acpi_gpe_*): selecting them is fine, they just never fire.
  assert.equal(traceEventSelectionProblem(DEFAULT_TRACE_EVENTS, '10.0'), undefined);
});

test('a hot-add on pc: the SCI through the slave i8259, the cascade and the IOAPIC', () => {
  const s = boot('-M pc -m 1G,slots=2,maxmem=2G');
  const r = run(s, qmp('object-add', { 'qom-type': 'memory-backend-ram', id: 'm', size: 268435456 }), qmp('device_add', { driver: 'pc-dimm', id: 'd', memdev: 'm' }), qt('outb 0xafe2 0x08'));
  assert.deepEqual(r.lines[0], []);
  assert.deepEqual(r.lines[1], [
    'mhp_pc_dimm_assigned_slot 0', 'memory_device_pre_plug id=d addr=0x100000000', 'memory_device_plug id=d addr=0x100000000',
    'pic_set_irq master 0 irq 1 level 0', 'pic_set_irq master 1 irq 2 level 0', 'ioapic_set_irq vector: 9 level: 0',
  ]);
  assert.deepEqual(selectTraceEvents(r.lines[2], DEFAULT_TRACE_EVENTS), [
    'piix4_gpe_writeb addr: 0x2 width: 1 <== 0x8', 'pic_set_irq master 0 irq 1 level 1', 'pic_set_irq master 1 irq 2 level 1', 'ioapic_set_irq vector: 9 level: 1',
  ]);
  // Outside the default set (checked against QEMU with diff --trace-events=pic_*): both outputs rise.
  assert.deepEqual(r.lines[2].filter((l) => l.startsWith('pic_update_irq')), ['pic_update_irq master 0 imr 0 irr 2 padd 0', 'pic_update_irq master 1 imr 0 irr 4 padd 0']);
});

test('a refused action fires nothing and the 0x0a00 block traces its reads and writes', () => {
  const s = boot('-M q35 -m 1G,slots=2,maxmem=3G');
  const r = run(s, qmp('device_add', { driver: 'pc-dimm', id: 'd', memdev: 'nope' }), qt('outl 0xa00 0x7'), qt('inl 0xa14'), qt('outl 0xa00 0x1'), qt('outb 0xa14 0x08'));
  assert.deepEqual(r.lines[0], []);
  assert.deepEqual(r.lines[1], ['mhp_acpi_write_slot set active slot: 0x7']);
  assert.deepEqual(r.lines[2], ['mhp_acpi_invalid_slot_selected 0x7']);
  assert.deepEqual(r.lines[4], ['mhp_acpi_ejecting_invalid_slot 0x1']);
});

test('KVM: the in-kernel i8259 and IOAPIC fire no QEMU trace points', () => {
  const s = boot('-M pc -m 1G,slots=2,maxmem=2G -accel kvm');
  const r = run(s, qmp('object-add', { 'qom-type': 'memory-backend-ram', id: 'm', size: 268435456 }), qmp('device_add', { driver: 'pc-dimm', id: 'd', memdev: 'm' }), qt('outb 0xafe2 0x08'));
  assert.deepEqual(r.lines[1], ['mhp_pc_dimm_assigned_slot 0', 'memory_device_pre_plug id=d addr=0x100000000', 'memory_device_plug id=d addr=0x100000000']);
  assert.deepEqual(r.lines[2], ['piix4_gpe_writeb addr: 0x2 width: 1 <== 0x8']);
});

// Referee for QEMU 10.0's trace points: test/replay-10.0/** is recorded from QEMU 10.0.2 with the default
// set; the model (version data: 10.0) must fire the same lines, step by step. Only `trace-events` is compared
// here, up to the first step whose reply differs (the rest of those transcripts is the 10.0 version data's
// referee; after a different reply the states differ and so may everything after).
test('QEMU 10.0 recordings: the model fires the same trace points, step by step', async () => {
  const root = repoPath('test', 'replay-10.0');
  const failures: string[] = [];
  let n = 0;
  for (const dir of fs.readdirSync(root).sort()) {
    const full = path.join(root, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort()) {
      const json = path.join(full, f.replace(/\.yaml$/, '.qemu.json'));
      if (!f.endsWith('.yaml') || !fs.existsSync(json)) continue;
      const expected = parseJson(fs.readFileSync(json, 'utf8')) as { steps: Array<Record<string, unknown>> };
      const selection = recordedTraceEvents(expected);
      if (!selection) continue;
      n++;
      const { transcript } = await runScenario(loadReplayScenario(path.join(full, f)), new ModelBackend({ traceEvents: selection }));
      for (const [i, s] of expected.steps.entries()) {
        const step = transcript.steps[i] as unknown as Record<string, unknown> | undefined;
        if (!jsonEqual(step?.reply, s.reply)) break;
        if (JSON.stringify(step?.['trace-events']) !== JSON.stringify(s['trace-events'])) {
          failures.push(`${dir}/${f} step ${i + 1}:\n  QEMU:  ${JSON.stringify(s['trace-events'])}\n  model: ${JSON.stringify(step?.['trace-events'])}`);
        }
      }
    }
  }
  assert.ok(n >= 100, `only ${n} 10.0 recordings with trace events`);
  assert.equal(failures.length, 0, failures.join('\n'));
});
