// `info pic`'s IOAPIC block (engine/protocol/hmp-irq.ts ioapicInfo) takes each redirection entry's fields from its
// two 32-bit halves as numbers. Against the fields taken from the bigint entry itself (the computation it
// replaces, written out below), for any entries, selector, id and IRR: the same text.
import { test } from 'node:test';
import fc from 'fast-check';
import { ioapicInfo } from '../engine/protocol/hmp-irq';
import type { IoapicState } from '../engine/irq/types';

const DELIVERY = ['fixed', 'lowest', 'SMI', '...', 'NMI', 'INIT', '...', 'extINT'];
const hex2 = (v: number) => v.toString(16).padStart(2, '0');
const padEnd = (s: string, n: number) => s.padEnd(n, ' ');
function irrDump(name: string, bitmap: number): string {
  let s = padEnd(name, 10) + ' ';
  if (bitmap === 0) return s + '(none)\r\n';
  for (let i = 0; i < 24; i++) if (bitmap & (1 << i)) s += padEnd(String(i), 2) + ' ';
  return s + '\r\n';
}
function plainIoapicInfo(io: IoapicState): string {
  let out = `ioapic0: ver=0x${io.version.toString(16)} id=0x${hex2(io.id)} sel=0x${hex2(io.ioregsel)}`;
  out += io.ioregsel ? ` (redir[${((io.ioregsel - 0x10) >> 1) >>> 0}])\r\n` : '\r\n';
  let remote = 0;
  for (let i = 0; i < 24; i++) {
    const e = io.redtbl[i];
    const logical = (e >> 11n) & 1n;
    const dest = (e >> 56n) & (logical ? 0xffn : 0xfn);
    const vec = Number(e & 0xffn);
    const level = (e >> 15n) & 1n;
    out += `  pin ${padEnd(String(i), 2)} 0x${e.toString(16).padStart(16, '0')} dest=${dest.toString(16)}`
      + ` vec=${padEnd(String(vec), 3)} ${(e >> 13n) & 1n ? 'active-lo' : 'active-hi'} ${padEnd(level ? 'level' : 'edge', 5)}`
      + ` ${padEnd((e >> 16n) & 1n ? 'masked' : '', 6)} ${padEnd(DELIVERY[Number((e >> 8n) & 7n)], 6)} ${logical ? 'logical' : 'physical'}\r\n`;
    if (level && (e >> 14n) & 1n) remote |= 1 << i;
  }
  return out + irrDump('  IRR', io.irr) + irrDump('  Remote IRR', remote);
}

const entry = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 17n) - 1n }).map((lo) => lo | 0x10000n),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.bigInt({ min: 0n, max: (1n << 17n) - 1n })).map(([d, lo]) => (BigInt(d) << 56n) | lo),
);

test('ioapicInfo gives the text of the fields taken from the bigint entries', () => {
  fc.assert(
    fc.property(
      fc.array(entry, { minLength: 24, maxLength: 24 }),
      fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: (1 << 24) - 1 }), fc.constantFrom(0x20, 0x11),
      (redtbl, ioregsel, id, irr, version) => {
        const io: IoapicState = { version, id, ioregsel, irr, redtbl };
        return ioapicInfo(io) === plainIoapicInfo(io);
      },
    ),
    { numRuns: 3000 },
  );
});
