// Guest RAM contents as the model keeps them: a sparse overlay of written bytes (qtest's write/memset/...),
// keyed by RAM block (`pc.ram` or the DIMM's memdev) and the offset inside it, so a DIMM's bytes move with
// it and a region that is not RAM holds none (engine/machine/dispatch.ts finds the block through the flat view).
// Reads of bytes never written are 0.

import type { RamExtent } from '../state';

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
