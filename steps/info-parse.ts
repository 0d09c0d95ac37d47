// Readers for HMP `info pic` and `info irq` text (hw/intc/i8259_common.c, ioapic_common.c, x-query-irq).
// Pure functions over the text both backends print, so every assertion works on the model and on QEMU.

export interface PicChip {
  readonly irr: number;
  readonly imr: number;
  readonly isr: number;
  readonly hprio: number;
  readonly irqBase: number;
  readonly rrSel: number;
  readonly elcr: number;
  readonly fnm: number;
}

export interface IoapicPin {
  readonly pin: number;
  /** The 64-bit redirection entry. */
  readonly entry: bigint;
  readonly dest: string;
  readonly vector: number;
  readonly polarity: string;
  /** `edge` or `level`. */
  readonly trigger: string;
  /** `masked` or empty. */
  readonly masked: boolean;
  readonly delivery: string;
  readonly destMode: string;
}

export interface InfoPic {
  readonly ioapic?: { readonly version: number; readonly id: number; readonly sel: number; readonly pins: readonly IoapicPin[]; readonly irr: readonly number[]; readonly remoteIrr: readonly number[] };
  /** `pic0` = master (0x20), `pic1` = slave (0xa0). */
  readonly pics: Readonly<Record<string, PicChip>>;
}

export class InfoParseError extends Error {}

const hexByte = (s: string) => parseInt(s, 16);
const pinList = (s: string): number[] => (s.trim() === '(none)' ? [] : s.trim().split(/\s+/).map(Number));

/** Parse HMP `info pic`. */
export function parseInfoPic(text: string): InfoPic {
  const pics: Record<string, PicChip> = {};
  let ioapic: { version: number; id: number; sel: number; pins: IoapicPin[]; irr: number[]; remoteIrr: number[] } | undefined;
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    let m = /^(pic\d): irr=([0-9a-f]+) imr=([0-9a-f]+) isr=([0-9a-f]+) hprio=(\d+) irq_base=([0-9a-f]+) rr_sel=(\d+) elcr=([0-9a-f]+) fnm=(\d+)/.exec(line);
    if (m) {
      pics[m[1]] = { irr: hexByte(m[2]), imr: hexByte(m[3]), isr: hexByte(m[4]), hprio: Number(m[5]), irqBase: hexByte(m[6]), rrSel: Number(m[7]), elcr: hexByte(m[8]), fnm: Number(m[9]) };
      continue;
    }
    m = /^\S*ioapic\S*: ver=0x([0-9a-f]+) id=0x([0-9a-f]+) sel=0x([0-9a-f]+)/.exec(line);
    if (m) { ioapic = { version: hexByte(m[1]), id: hexByte(m[2]), sel: hexByte(m[3]), pins: [], irr: [], remoteIrr: [] }; continue; }
    m = /^\s*pin (\d+)\s+0x([0-9a-f]{16}) dest=(\S+) vec=(\d+)\s+(\S+) (\S+)\s+(masked)?\s*(\S+)\s+(\S+)/.exec(line);
    if (m && ioapic) {
      ioapic.pins.push({ pin: Number(m[1]), entry: BigInt('0x' + m[2]), dest: m[3], vector: Number(m[4]), polarity: m[5], trigger: m[6], masked: m[7] === 'masked', delivery: m[8], destMode: m[9] });
      continue;
    }
    m = /^\s*IRR\s+(.*)$/.exec(line);
    if (m && ioapic) { ioapic.irr = pinList(m[1]); continue; }
    m = /^\s*Remote IRR\s+(.*)$/.exec(line);
    if (m && ioapic) { ioapic.remoteIrr = pinList(m[1]); continue; }
    // Other interrupt controllers (lapic, kvm variants) print lines we do not need.
  }
  if (!pics.pic0 && !ioapic) throw new InfoParseError(`info pic: no i8259 or IOAPIC state in ${JSON.stringify(text.slice(0, 80))}`);
  return { ...(ioapic ? { ioapic } : {}), pics };
}

/** Parse HMP `info irq`: rising-edge counts per provider type (`ioapic`, `isa-i8259`, `kvm-ioapic`...). */
export function parseInfoIrq(text: string): Record<string, Record<number, number>> {
  const out: Record<string, Record<number, number>> = {};
  let cur: Record<number, number> | undefined;
  for (const raw of text.replace(/\r\n/g, '\n').split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const h = /^IRQ statistics for (\S+):$/.exec(line);
    if (h) { cur = out[h[1]] = {}; continue; }
    const c = /^\s*(\d+): (\d+)$/.exec(line);
    if (c && cur) { cur[Number(c[1])] = Number(c[2]); continue; }
  }
  return out;
}
