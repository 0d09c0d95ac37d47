// SVG of the SCI path with the levels at the end of a scenario: GPE0 bit 3 (STS & EN) → SCI → GSI 9 →
// i8259 slave pin 1 → cascade master pin 2, and GSI 9 → IOAPIC pin 9 (qemu-7.2-hotplug-facts.md §4.4, §5).

import { Recent } from '../engine/recent';
import { xmlEsc as x } from './escape';
import type { IrqChainSnapshot } from './topology';

const HIGH = '#e4572e';
const LOW = '#9aa5b1';
const UNKNOWN = '#dddddd';

function box(px: number, py: number, w: number, title: string, lines: string[], level: boolean | undefined, cls: string): string {
  const fill = level === undefined ? UNKNOWN : level ? HIGH : LOW;
  const h = 16 + lines.length * 12;
  return `<g class="node ${cls}" data-level="${level === undefined ? 'unknown' : level ? '1' : '0'}"><rect x="${px}" y="${py}" width="${w}" height="${h}" rx="4" fill="${fill}" fill-opacity="0.25" stroke="${fill}" stroke-width="2"/>` +
    `<text x="${px + 6}" y="${py + 13}" font-size="11" font-weight="bold">${x(title)}</text>` +
    lines.map((l, i) => `<text x="${px + 6}" y="${py + 26 + i * 12}" font-size="10">${x(l)}</text>`).join('') + '</g>';
}

function arrow(x1: number, y1: number, x2: number, y2: number, level: boolean | undefined): string {
  const c = level === undefined ? UNKNOWN : level ? HIGH : LOW;
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${c}" stroke-width="2" marker-end="url(#arr)"/>`;
}

const bit = (v: number | undefined, b: number) => (v === undefined ? undefined : (v & (1 << b)) !== 0);
const h2 = (v: number | undefined) => (v === undefined ? '??' : '0x' + v.toString(16).padStart(2, '0'));

/** Chains drawn, by the snapshot's content (scenarios often end with the same levels). */
const drawn = new Recent<string>(64);
const chainKey = (s: IrqChainSnapshot): string =>
  JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? `#big:${v.toString(16)}` : v));

/** Render the chain; levels that could not be read are drawn grey-dashed as unknown. */
export function renderIrqChain(s: IrqChainSnapshot): string {
  return drawn.get(chainKey(s), () => draw(s));
}

function draw(s: IrqChainSnapshot): string {
  const sts3 = bit(s.gpeSts, 3);
  const en3 = bit(s.gpeEn, 3);
  const sci = s.sci === undefined ? (sts3 === undefined || en3 === undefined ? undefined : sts3 && en3) : s.sci === 1;
  const g = s.sciGsi ?? 9;
  const viaPic = g >= 8 && g < 16; // GSI 8..15 are the slave i8259's pins 0..7; 16.. reach the IOAPIC only
  const slaveIrr = viaPic ? bit(s.pic1?.irr, g - 8) : undefined;
  const masterIrr = bit(s.pic0?.irr, 2);
  const p9 = s.ioapicPin9;
  const port = s.gpePort === undefined ? (s.machine === 'q35' ? 'PMBASE+0x20' : '0xafe0') : '0x' + s.gpePort.toString(16);
  const parts = [
    box(8, 30, 150, 'GPE0 bit 3', [`STS ${h2(s.gpeSts)} @${port}`, `EN  ${h2(s.gpeEn)}`, `sts&en: ${sts3 === undefined || en3 === undefined ? '?' : sts3 && en3 ? '1' : '0'}`], sts3 === undefined || en3 === undefined ? undefined : sts3 && en3, 'gpe'),
    arrow(158, 55, 188, 55, sci),
    box(190, 34, 110, 'SCI', [`level ${sci === undefined ? '?' : sci ? '1' : '0'}`, s.machine === 'q35' ? `ICH9 ACPI_CTRL→${g}` : 'PIIX4 → GSI 9'], sci, 'sci'),
    arrow(300, 55, 330, 55, sci),
    box(332, 34, 80, `GSI ${g}`, [`level ${sci === undefined ? '?' : sci ? '1' : '0'}`], sci, 'gsi'),
    arrow(412, 50, 450, 22, sci),
    box(452, 4, 140, viaPic ? `i8259 slave pin ${g - 8}` : 'i8259 (not wired)', [`irr ${h2(s.pic1?.irr)} imr ${h2(s.pic1?.imr)}`, `elcr ${h2(s.pic1?.elcr)}`], slaveIrr, 'pic1'),
    arrow(592, 22, 612, 22, slaveIrr),
    box(614, 4, 140, 'i8259 master pin 2', [`irr ${h2(s.pic0?.irr)} imr ${h2(s.pic0?.imr)}`, `elcr ${h2(s.pic0?.elcr)}`], masterIrr, 'pic0'),
    arrow(412, 62, 450, 88, sci),
    box(452, 74, 200, `IOAPIC pin ${g}`, p9 ? [`${p9.masked ? 'masked' : 'unmasked'} ${p9.trigger}`, `IRR ${p9.irr ? g : '(none)'}  remote IRR ${p9.remoteIrr ? g : '(none)'}`] : ['not read'], p9 ? p9.irr : undefined, 'ioapic'),
  ];
  const counts = s.counts ? Object.entries(s.counts).map(([k, v]) => `${k}: ${Object.entries(v).map(([p, n]) => `${p}:${n}`).join(' ') || '-'}`).join('   ') : '';
  if (counts) parts.push(`<text x="8" y="136" font-size="10" fill="#333">${x('rising edges (info irq) — ' + counts)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="irq-chain" width="760" height="146" viewBox="0 0 760 146" font-family="sans-serif">` +
    `<defs><marker id="arr" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>` +
    parts.join('') + '</svg>';
}
