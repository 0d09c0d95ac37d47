// Guest RAM contents as the model keeps them: a sparse overlay of written bytes (qtest's write/memset/...),
// keyed by RAM block (`pc.ram` or the DIMM's memdev) and the offset inside it, so a DIMM's bytes move with
// it and a region that is not RAM holds none. Reads of bytes never written are 0.

import type { MachineState, RamExtent } from '../state';

/** The RAM block behind a guest-physical address and how many bytes of it follow, or undefined (not RAM). */
export function ramBlockAt(state: MachineState, gpa: bigint): { block: string; offset: bigint; left: bigint } | undefined {
  const L = state.layout;
  if (gpa < 0xa0000n && gpa < L.below4g) return { block: 'pc.ram', offset: gpa, left: (L.below4g < 0xa0000n ? L.below4g : 0xa0000n) - gpa };
  if (gpa >= 0x100000n && gpa < L.below4g) return { block: 'pc.ram', offset: gpa, left: L.below4g - gpa };
  if (gpa >= L.aboveStart && gpa < L.aboveStart + L.above4g) return { block: 'pc.ram', offset: L.below4g + (gpa - L.aboveStart), left: L.aboveStart + L.above4g - gpa };
  for (const d of state.dimms) {
    if (gpa >= d.addr && gpa < d.addr + d.size) return { block: d.memdev, offset: gpa - d.addr, left: d.addr + d.size - gpa };
  }
  return undefined;
}

/** The byte at `offset` of `block`: the last extent written there, else 0. */
export function ramByte(ram: readonly RamExtent[] | undefined, block: string, offset: bigint): number {
  if (!ram) return 0;
  for (let i = ram.length - 1; i >= 0; i--) {
    const e = ram[i];
    if (e.block !== block || offset < e.offset || offset >= e.offset + e.len) continue;
    return e.fill !== undefined ? e.fill : e.bytes![Number(offset - e.offset)];
  }
  return 0;
}
