// A memory commit's notes (engine/memory/transaction.ts): without KVM the views' differences serve the notes alone
// and are worked out when the trace is read, from the views and splice bounds captured at the commit. Against the
// same differences worked out at once (lazyCommitDiffs off, as with KVM): random plugs, unplug requests, selects,
// ejects and GPE accesses give the same trace, whether it is read at once or only after later actions (when the
// splice record has moved on), on pc and q35.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce, type Action, type ReduceResult } from '../engine/reduce';
import { lazyCommitDiffs } from '../engine/memory/transaction';

const qmp = (execute: string, args: Record<string, unknown>): Action => ({ kind: 'qmp', command: { execute, arguments: args } });

function start(machine: string) {
  const r = buildFromCommandLine(machine);
  if (!r.ok) throw new Error(`cannot start ${machine}`);
  let s = r.state;
  for (let i = 0; i < 6; i++) {
    const o = reduce(s, qmp('object-add', { 'qom-type': 'memory-backend-ram', id: `m${i}`, size: 128 * 1024 * 1024 }));
    assert.ok(o.ok);
    s = o.state;
  }
  return s;
}

const action = fc.oneof(
  fc.nat(5).map((k) => qmp('device_add', { driver: 'pc-dimm', id: `d${k}`, memdev: `m${k}` })),
  fc.nat(5).map((k) => qmp('device_del', { id: `d${k}` })),
  fc.nat(7).map((k): Action => ({ kind: 'qtest', line: `outl 0xa00 ${k}` })),
  fc.constant<Action>({ kind: 'qtest', line: 'outb 0xa14 0x08' }),
  fc.constant<Action>({ kind: 'qtest', line: 'inb 0xafe0' }),
);

for (const board of ['pc', 'q35']) {
  test(`${board}: a TCG commit's notes worked out when read are those worked out at once`, () => {
    const s0 = start(`-M ${board} -m 1G,slots=6,maxmem=2G`);
    fc.assert(
      fc.property(fc.array(action, { maxLength: 25 }), fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), (actions, readNow) => {
        let lazy = s0;
        let eager = s0;
        const later: [ReduceResult, ReduceResult][] = [];
        actions.forEach((a, i) => {
          const rl = reduce(lazy, a);
          lazyCommitDiffs.enabled = false;
          let re: ReduceResult;
          try {
            re = reduce(eager, a);
          } finally {
            lazyCommitDiffs.enabled = true;
          }
          if (readNow[i]) assert.deepEqual(rl.trace, re.trace, `step ${i}`);
          else later.push([rl, re]);
          lazy = rl.state;
          eager = re.state;
        });
        for (const [rl, re] of later) assert.deepEqual(rl.trace, re.trace);
      }),
      { numRuns: 60 },
    );
  });
}
