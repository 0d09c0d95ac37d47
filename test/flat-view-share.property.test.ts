// A root shaped like a CPU's SMM address space (an alias of another root at 0 covering it all, under a higher-priority
// alias of an SMRAM container) shares the other root's view, the very same array, while the two are equal
// (engine/memory/flat-update.ts, shareViews). On random changes to both trees (RAM in system memory below and above the
// SMRAM window, in the SMRAM container, the SMRAM alias enabled and disabled), every view updated step by step must equal a whole
// rendering, with sharing on and off; and sharing must happen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addSubregion, createRegion, delSubregion, setAddress, setEnabled, Regions } from '../engine/memory/regions';
import { renderFlatView } from '../engine/memory/flatview';
import { shareViews, updateFlatViews } from '../engine/memory/flat-update';

const SPACE = 512n;
const ROOTS = ['system', 'smm'];
const LEAVES = 8;

function build(sizes: readonly number[]): Regions {
  let r = createRegion(Regions.EMPTY, { id: 'system', name: 'system', size: SPACE, kind: 'container' });
  r = createRegion(r, { id: 'smram', name: 'smram', size: 128n, kind: 'container' });
  r = createRegion(r, { id: 'smm', name: 'smm', size: SPACE, kind: 'container' });
  r = createRegion(r, { id: 'smm-low', name: 'smm-low', size: 128n, kind: 'container', alias: 'smram' });
  r = createRegion(r, { id: 'smm-mem', name: 'smm-mem', size: SPACE, kind: 'container', alias: 'system' });
  r = addSubregion(r, 'smm', 0n, 'smm-low', 1);
  r = addSubregion(r, 'smm', 0n, 'smm-mem', 0);
  sizes.forEach((size, i) => {
    r = createRegion(r, { id: `l${i}`, name: `l${i}`, size: BigInt(size), kind: i % 3 === 2 ? 'rom' : 'ram' });
  });
  return r;
}

interface Op {
  readonly kind: 'add' | 'del' | 'enable' | 'move';
  readonly leaf: number;
  readonly into: 'system' | 'smram';
  readonly addr: number;
  readonly prio: number;
}
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('add', 'add', 'add', 'del', 'enable', 'move'),
  // LEAVES: the SMRAM alias (SMRAM opened and closed). Not the SMRAM container itself: a change to a region no
  // container holds reaches the views through its aliases only when it is a root (collector's footprint).
  leaf: fc.nat(LEAVES),
  into: fc.constantFrom<Op['into']>('system', 'system', 'smram'),
  addr: fc.integer({ min: 0, max: 480 }),
  prio: fc.integer({ min: 0, max: 1 }),
});

function apply(r: Regions, op: Op): Regions {
  const id = op.leaf === LEAVES ? 'smm-low' : `l${op.leaf}`;
  const x = r.get(id)!;
  switch (op.kind) {
    case 'add':
      return id.startsWith('l') && !x.container ? addSubregion(r, op.into, BigInt(op.into === 'smram' ? op.addr % 128 : op.addr), id, op.prio) : r;
    case 'del':
      return id.startsWith('l') && x.container ? delSubregion(r, x.container, id) : r;
    case 'enable':
      return setEnabled(r, id, !x.enabled);
    case 'move':
      return id.startsWith('l') && x.container ? setAddress(r, id, BigInt(x.container === 'smram' ? op.addr % 128 : op.addr)) : r;
  }
}

for (const on of [true, false]) {
  test(`views of a root aliasing another are whole renderings step after step (sharing ${on ? 'on' : 'off'})`, () => {
    let shared = 0;
    try {
      shareViews.enabled = on;
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 120 }), { minLength: LEAVES, maxLength: LEAVES }), fc.array(opArb, { minLength: 1, maxLength: 40 }), (sizes, ops) => {
          let r = build(sizes);
          let views = updateFlatViews(Regions.EMPTY, r, ROOTS, {});
          for (const op of ops) {
            const next = apply(r, op);
            const updated = updateFlatViews(r, next, ROOTS, views);
            for (const root of ROOTS) assert.deepEqual(updated[root], renderFlatView(next, root), `${root} after ${JSON.stringify(op)}`);
            if (updated.smm === updated.system && views.smm === views.system && updated.system !== views.system) shared++;
            views = updated;
            r = next;
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      shareViews.enabled = true;
    }
    if (on) assert.ok(shared > 100, `views followed while shared: ${shared}`);
    else assert.equal(shared, 0);
  });
}
