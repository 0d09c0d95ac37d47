// Engine benchmark: median time per action for plug, unplug request, guest eject and flat-view render on
// machines with 8 and 256 DIMMs. Prints figures and ratios; asserts nothing (speed is tracked, not tested).

import { performance } from 'node:perf_hooks';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action } from '../engine/reduce';
import type { MachineState } from '../engine/state';
import { renderFlatView } from '../engine/memory/flatview';

function start(cmd: string): MachineState {
  const r = buildFromCommandLine(cmd);
  if (!r.ok) throw new Error(`cannot start ${cmd}`);
  return r.state;
}

function must(s: MachineState, a: Action): MachineState {
  const r = reduce(s, a);
  if (!r.ok) throw new Error(`bench action refused: ${JSON.stringify(r.reply)}`);
  return r.state;
}

const qmp = (execute: string, args: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, arguments: args } });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Fill a machine with n DIMMs of 128 MiB; returns per-action timings in microseconds. */
function scenario(slots: number) {
  let s = start(`-M pc -m 1G,slots=${slots},maxmem=${1 + slots}G`);
  const plug: number[] = [];
  const del: number[] = [];
  const render: number[] = [];
  const eject: number[] = [];
  for (let i = 0; i < slots; i++) {
    s = must(s, qmp('object-add', { 'qom-type': 'memory-backend-ram', id: `m${i}`, size: 128 * 1024 * 1024 }));
    const t0 = performance.now();
    s = must(s, qmp('device_add', { driver: 'pc-dimm', id: `d${i}`, memdev: `m${i}` }));
    plug.push((performance.now() - t0) * 1000);
  }
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    renderFlatView(s.mem.regions, 'system');
    render.push((performance.now() - t0) * 1000);
  }
  for (let i = 0; i < slots; i++) {
    const t0 = performance.now();
    s = must(s, qmp('device_del', { id: `d${i}` }));
    del.push((performance.now() - t0) * 1000);
  }
  for (let i = 0; i < slots; i++) {
    s = must(s, { kind: 'qtest', line: `outl 0xa00 ${i}` });
    const t0 = performance.now();
    s = must(s, { kind: 'qtest', line: 'outb 0xa14 0x08' });
    eject.push((performance.now() - t0) * 1000);
  }
  if (s.dimms.length !== 0) throw new Error('eject did not remove every DIMM');
  return { plug: median(plug), del: median(del), render: median(render), eject: median(eject) };
}

// Warm up the JIT once so the first row is not penalised.
scenario(8);
const small = scenario(8);
const large = scenario(256);
const row = (name: string, a: number, b: number) =>
  `${name.padEnd(26)} ${a.toFixed(1).padStart(10)} µs ${b.toFixed(1).padStart(10)} µs ${(b / a).toFixed(1).padStart(8)}×`;
console.log(`${'median per action'.padEnd(26)} ${'8 DIMMs'.padStart(13)} ${'256 DIMMs'.padStart(13)} ${'ratio'.padStart(9)}`);
console.log(row('device_add (plug)', small.plug, large.plug));
console.log(row('device_del (request)', small.del, large.del));
console.log(row('guest eject (unplug)', small.eject, large.eject));
console.log(row('flat view render', small.render, large.render));
