// Memory of a history: a 256-DIMM machine goes through `states` successive states (unplug request, guest eject,
// plug again, DIMM after DIMM) and every state is kept, as a tool that records or undoes would. Prints one
// JSON line: the heap those states retain (after a full GC) and the time it took. Run with --expose-gc.

import { reduce, type Action } from '../engine/reduce';
import type { MachineState } from '../engine/state';
import { machineWith } from './engine.bench';

declare const gc: () => void;

const states = Number(process.argv[2] ?? 10000);
const dimms = Number(process.argv[3] ?? 256);
let s = machineWith(dimms, dimms);
gc();
const base = process.memoryUsage().heapUsed;
const history: MachineState[] = [];
const t0 = process.hrtime.bigint();
const step = (a: Action) => {
  const r = reduce(s, a);
  if (!r.ok) throw new Error(`history action refused: ${JSON.stringify(r.reply)}`);
  s = r.state;
  history.push(s);
};
for (let i = 0; history.length < states; i++) {
  const k = i % dimms;
  step({ kind: 'qmp', command: { execute: 'device_del', arguments: { id: `d${k}` } } });
  step({ kind: 'qtest', line: `outl 0xa00 ${k}` });
  step({ kind: 'qtest', line: 'outb 0xa14 0x08' });
  step({ kind: 'qmp', command: { execute: 'device_add', arguments: { driver: 'pc-dimm', id: `d${k}`, memdev: `m${k}` } } });
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
gc();
const retained = process.memoryUsage().heapUsed - base;
console.log(JSON.stringify({ states: history.length, dimms, retainedBytes: retained, ms }));
