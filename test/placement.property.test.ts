// Placement remembers per DIMM list what it derived (address order, plugged size, the last first fit) and
// derives a plugged list's index from its parent's (engine/devices/placement.ts). Against the straightforward
// first fit over the address-sorted DIMMs, recomputed from scratch: random sequences of plugs (sizes, alignments,
// address hints) and unplugs, each request asked once or twice, must get the same answer every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chooseAddr, chooseSlot, lowestClear, withDimm, withoutDimm, type AddrRequest } from '../engine/devices/placement';
import type { Dimm } from '../engine/state';
import { alignUp, MiB } from '../engine/units';
import { E } from '../engine/errors';

const U64 = 1n << 64n;
const BASE = 0x100000000n;
const SPAN = 64n * MiB;

/** The first fit as it was written before any index: sort, sum, scan (its answer or QEMU's words). */
function reference(dimms: readonly Dimm[], r: AddrRequest): string {
  const asStart = r.deviceMemory!.base;
  const asEnd = asStart + r.deviceMemory!.size;
  const used = dimms.reduce((sum, d) => sum + d.size, 0n);
  const total = r.maxramSize - r.ramSize;
  if (used + r.size > total) return E.notEnoughSpace(used, total).desc;
  const hinted = r.hint !== 0n;
  if (hinted && r.hint % r.align !== 0n) return E.addrUnaligned(r.align).desc;
  if (r.size % r.align !== 0n) return E.sizeUnaligned(r.align).desc;
  let start: bigint;
  if (hinted) {
    if (!(r.size > 0n && r.hint + r.size <= U64 && r.hint >= asStart && r.hint + r.size <= asEnd)) return E.addrOutOfRange(r.hint, r.size, asStart, r.deviceMemory!.size).desc;
    start = r.hint;
  } else {
    start = alignUp(asStart, r.align);
    if (start + r.size > U64 || r.size === 0n) return E.deviceTooBig().desc;
  }
  const sorted = [...dimms].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  for (const d of sorted) {
    const dEnd = d.addr + d.size;
    if (d.addr < start + r.size && start < dEnd) {
      if (hinted) return E.addrConflict(d.id).desc;
      start = alignUp(dEnd, r.align);
    } else if (d.addr >= start + r.size) break;
  }
  if (start < asStart || start + r.size > asEnd) return E.fragmented().desc;
  return `ok ${start}`;
}

const SLOTS = 24n;

/** The lowest free slot, counted afresh. */
function referenceSlot(dimms: readonly Dimm[]): ReturnType<typeof chooseSlot> {
  for (let k = 0n; k < SLOTS; k++) if (!dimms.some((d) => d.slot === k)) return { ok: true, value: k };
  return { ok: false, error: E.noFreeSlots() };
}

/** The slot property given: range, then whether a DIMM has it. */
function referenceHinted(dimms: readonly Dimm[], hint: bigint): ReturnType<typeof chooseSlot> {
  if (hint < 0n || hint >= SLOTS) return { ok: false, error: E.invalidSlot(hint, SLOTS) };
  return dimms.some((d) => d.slot === hint) ? { ok: false, error: E.slotBusy(hint) } : { ok: true, value: hint };
}

function shown(p: ReturnType<typeof chooseAddr>): string {
  return p.ok ? `ok ${p.value}` : p.error.desc;
}

type Op = { kind: 'plug'; size: number; align: number; hint: number; twice: boolean; slot: number | null } | { kind: 'unplug'; which: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('plug' as const), size: fc.integer({ min: 1, max: 12 }), align: fc.constantFrom(1, 2, 4), hint: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 }) }), twice: fc.boolean(), slot: fc.option(fc.nat(Number(SLOTS) + 1), { nil: null, freq: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unplug' as const), which: fc.nat(20) }) },
);

test('first fit and the lowest free slot with the remembered index answer as the straightforward scan', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      let dimms: readonly Dimm[] = [];
      let n = 0;
      for (const o of ops) {
        if (o.kind === 'unplug') {
          if (dimms.length === 0) continue;
          const gone = dimms[o.which % dimms.length];
          dimms = withoutDimm(dimms, gone.path);
          continue;
        }
        const r: AddrRequest = {
          deviceMemory: { base: BASE, size: SPAN }, maxramSize: SPAN + MiB, ramSize: MiB, align: BigInt(o.align) * MiB,
          size: BigInt(o.size) * MiB, hint: o.hint === 0 ? 0n : BASE + BigInt(o.hint) * MiB, kvmSlotFree: true,
        };
        // Unhinted (the lowest free slot), or the slot property given (a slot above the lowest free one, a used one, or
        // one out of range): the remembered bitmap and its floor follow both kinds of plug.
        const free = chooseSlot(dimms, -1n, SLOTS);
        assert.deepEqual(free, referenceSlot(dimms));
        const slot = o.slot === null ? free : chooseSlot(dimms, BigInt(o.slot), SLOTS);
        if (o.slot !== null) assert.deepEqual(slot, referenceHinted(dimms, BigInt(o.slot)));
        const got = chooseAddr(dimms, r);
        assert.equal(shown(got), reference(dimms, r));
        if (o.twice) assert.equal(shown(chooseAddr(dimms, r)), reference(dimms, r));
        if (got.ok) {
          n++;
          if (!slot.ok) continue;
          dimms = withDimm(dimms, { id: `d${n}`, path: `/machine/peripheral/d${n}`, memdev: `m${n}`, slot: slot.value, addr: got.value, node: 0n, size: r.size, hotplugged: true });
        }
      }
    }),
    { numRuns: 400 },
  );
});

test('the lowest free slot of a bitmap (bigint) is the first clear bit, found bit by bit', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(299), { maxLength: 300 }), fc.integer({ min: 1, max: 300 }), (set, limit) => {
      let used = 0n;
      for (const k of set) used |= 1n << BigInt(k);
      let want = -1;
      for (let k = 0; k < limit; k++) if (((used >> BigInt(k)) & 1n) === 0n) { want = k; break; }
      assert.equal(lowestClear(used, BigInt(limit)), want);
    }),
    { numRuns: 1000 },
  );
});
