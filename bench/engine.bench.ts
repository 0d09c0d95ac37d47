// Engine benchmark: the cost of one action on machines with 8, 32, 128 and 256 DIMMs. The engine is pure, so
// each action is applied again and again to the very same state (a machine with n-1 DIMMs for a plug, n for an
// unplug request, one unplug requested and its slot selected for the guest's eject) and timed one by one, its
// effects (events, IRQ lines, trace) read as a caller would (they are assembled on first read).

import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import type { MachineState } from '../engine/state';
import { renderFlatView } from '../engine/memory/flatview';
import { updateFlatViews } from '../engine/memory/flat-update';
import { flatView } from '../engine/selectors';
import { nowUs, summarize, type Summary } from './stats';

const qmp = (execute: string, args: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, arguments: args } });

function must(s: MachineState, a: Action): MachineState {
  const r = reduce(s, a);
  if (!r.ok) throw new Error(`bench action refused: ${JSON.stringify(r.reply)}`);
  return r.state;
}

/** A pc machine with `dimms` slots, `plugged` of them holding a 128 MiB DIMM d<i> (backends m0..m<dimms-1>). */
export function machineWith(dimms: number, plugged: number): MachineState {
  const r = buildFromCommandLine(`-M pc -m 1G,slots=${dimms},maxmem=${1 + dimms}G`);
  if (!r.ok) throw new Error('cannot start the bench machine');
  let s = r.state;
  for (let i = 0; i < dimms; i++) {
    s = must(s, qmp('object-add', { 'qom-type': 'memory-backend-ram', id: `m${i}`, size: 128 * 1024 * 1024 }));
    if (i < plugged) s = must(s, qmp('device_add', { driver: 'pc-dimm', id: `d${i}`, memdev: `m${i}` }));
  }
  return s;
}

function timeRepeated(f: () => unknown, runs: number): Summary {
  for (let i = 0; i < Math.min(200, runs); i++) f(); // JIT warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowUs();
    f();
    xs.push(nowUs() - t0);
  }
  return summarize(xs);
}

export interface EngineRow {
  readonly dimms: number;
  readonly plug: Summary;
  readonly unplugRequest: Summary;
  readonly eject: Summary;
  readonly gpeRead: Summary;
  /** A whole rendering of AS memory's view from the region table (linear in the regions). */
  readonly flatView: Summary;
  /** What a plug's commit pays for the views: updating them from the previous state's (the changed ranges only). */
  readonly flatViewUpdate: Summary;
  /** What asking a state for its view of AS memory costs: the views are kept current by every commit. */
  readonly flatViewOfState: Summary;
}

export function engineBench(sizes: readonly number[], runs: number): EngineRow[] {
  return sizes.map((n) => {
    const before = machineWith(n, n - 1);
    const plug = qmp('device_add', { driver: 'pc-dimm', id: `d${n - 1}`, memdev: `m${n - 1}` });
    const full = must(before, plug);
    const del = qmp('device_del', { id: 'd0' });
    const requested = must(must(full, del), { kind: 'qtest', line: 'outl 0xa00 0' });
    const eject: Action = { kind: 'qtest', line: 'outb 0xa14 0x08' };
    const gpe: Action = { kind: 'qtest', line: 'inb 0xafe0' };
    const roots = before.mem.addressSpaces.map((as) => as.root);
    return {
      dimms: n,
      plug: timeRepeated(() => reduce(before, plug).trace, runs),
      unplugRequest: timeRepeated(() => reduce(full, del).trace, runs),
      eject: timeRepeated(() => reduce(requested, eject).trace, runs),
      gpeRead: timeRepeated(() => reduce(full, gpe).trace, runs),
      flatView: timeRepeated(() => renderFlatView(full.mem.regions, 'system'), runs),
      flatViewUpdate: timeRepeated(() => updateFlatViews(before.mem.regions, full.mem.regions, roots, before.mem.flat), runs),
      flatViewOfState: timeRepeated(() => flatView(full, 'memory'), runs),
    };
  });
}

/**
 * Each action on the state the previous one made, as in a scenario (no state is applied twice, so nothing
 * remembered from an earlier run of the same action helps; states are not kept): on an n-DIMM machine, DIMM
 * after DIMM, the unplug request, the guest's slot select and eject, and the plug again; `actions` timed after a
 * quarter as many untimed (the JIT's warm-up on this path, as in a longer suite). `read`: what is read of
 * each result, 'replay' its reply, events and IRQ lines (what a replay and the steps read), 'trace' its trace as
 * well (what `replay --trace`, the reports' trace and libvirt's domain log read; the notes are formatted then).
 */
export function sequenceBench(n: number, actions: number, read: 'replay' | 'trace' = 'trace'): Record<string, Summary> {
  const times: Record<string, number[]> = { device_add: [], device_del: [], 'slot select (outl 0xa00)': [], 'guest eject (outb 0xa14)': [] };
  let s = machineWith(n, n);
  const warmup = Math.floor(actions / 16);
  let cycle = 0;
  const step = (label: string, a: Action) => {
    const t0 = nowUs();
    const r = reduce(s, a);
    void r.events;
    void r.irqs;
    if (read === 'trace') void r.trace;
    const t = nowUs() - t0;
    if (cycle >= warmup) times[label].push(t);
    if (!r.ok) throw new Error(`bench action refused: ${JSON.stringify(r.reply)}`);
    s = r.state;
  };
  for (let i = 0; i < actions / 4 + warmup; i++, cycle++) {
    const k = i % n;
    step('device_del', qmp('device_del', { id: `d${k}` }));
    step('slot select (outl 0xa00)', { kind: 'qtest', line: `outl 0xa00 ${k}` });
    step('guest eject (outb 0xa14)', { kind: 'qtest', line: 'outb 0xa14 0x08' });
    step('device_add', qmp('device_add', { driver: 'pc-dimm', id: `d${k}`, memdev: `m${k}` }));
  }
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, summarize(xs)]));
}
