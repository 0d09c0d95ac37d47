// SVG memory map of one snapshot: the flat view of AS "memory" on a compressed (log) scale, and device-memory
// on a linear scale with every DIMM (id, slot, node, size) and the free gaps between them.

import { formatSize, hex } from '../engine/units';
import { Recent } from '../engine/recent';
import { xmlEsc as x } from './escape';
import { snapshotToJson, type MemorySnapshot } from './topology';

const W = 760;
const KIND_COLOR: Readonly<Record<string, string>> = { ram: '#7fc97f', rom: '#fdc086', 'i/o': '#beaed4', romd: '#ffff99', ramd: '#a6cee3' };
const NODE_COLOR = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

interface Seg { start: bigint; end: bigint; label: string; fill: string; title: string; gap: boolean }

/** Rough text widths (sans-serif): what fits inside a box is drawn there, never clipped by its neighbour. */
const charW = (fontPx: number) => fontPx * 0.62;
const fits = (text: string, fontPx: number, width: number) => text.length * charW(fontPx) <= width - 6;
/** The longest prefix of `text` that fits (with '…'), or '' when not even 3 characters do. */
function fitText(text: string, fontPx: number, width: number): string {
  if (fits(text, fontPx, width)) return text;
  const n = Math.floor((width - 6) / charW(fontPx)) - 1;
  return n >= 3 ? text.slice(0, n) + '…' : '';
}

function log2(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/**
 * The last maps drawn, by the snapshot's content: a suite's scenarios start the same few machines, so most
 * "before" maps (and many "after" ones) are the same picture again; a key costs a quarter of a drawing.
 */
const drawn = new Recent<string>(64);

/** Render one snapshot as a standalone SVG document. */
export function renderMemoryMap(s: MemorySnapshot): string {
  return drawn.get(snapshotToJson(s), () => draw(s));
}

function draw(s: MemorySnapshot): string {
  const parts: string[] = [];
  let y = 24;
  parts.push(`<text x="8" y="16" class="t">${x(`memory map (${s.label})`)}</text>`);

  // Band 1: flat view with gaps, compressed scale (width ~ log2 of size).
  const segs: Seg[] = [];
  let cursor = 0n;
  const ranges = [...s.ranges].sort((a, b) => (a.start < b.start ? -1 : 1));
  for (const r of ranges) {
    if (r.start > cursor) segs.push({ start: cursor, end: r.start - 1n, label: '', fill: 'url(#gap)', title: `unmapped ${hex(cursor)}-${hex(r.start - 1n)} (${formatSize(r.start - cursor)})`, gap: true });
    segs.push({ start: r.start, end: r.end, label: r.name, fill: KIND_COLOR[r.kind] ?? '#ddd', title: `${hex(r.start)}-${hex(r.end)} (prio ${r.prio}, ${r.kind}): ${r.name}${r.offset ? ` @${hex(r.offset)}` : ''} — ${formatSize(r.end - r.start + 1n)}`, gap: false });
    cursor = r.end + 1n;
  }
  const weights = segs.map((g) => Math.max(1, log2(g.end - g.start + 1n) - 8));
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  let xPos = 8;
  const usable = W - 16;
  parts.push(`<text x="8" y="${y + 10}" class="s">flat view of AS "memory" (compressed scale)</text>`);
  y += 16;
  // A name that fits goes inside its box (with the start address when that fits whole); the others are
  // written below the band, on the first of three rows where they do not touch a neighbour, with a tick.
  const below: string[] = [];
  const rowEnd = [-Infinity, -Infinity, -Infinity];
  segs.forEach((g, i) => {
    const w = (weights[i] / total) * usable;
    const inside = g.label ? fitText(g.label, 10, w) : '';
    const full = inside === g.label;
    let text = '';
    if (inside && (full || !g.label)) {
      text = `<text x="${(xPos + 3).toFixed(1)}" y="${y + 14}" class="l">${x(inside)}</text>` +
        (fits(hex(g.start), 9, w) ? `<text x="${(xPos + 3).toFixed(1)}" y="${y + 28}" class="a">${x(hex(g.start))}</text>` : '');
    } else if (g.label) {
      const lx = Math.max(8, Math.min(xPos + w / 2 - 4, W - 8 - g.label.length * charW(9)));
      const row = rowEnd.findIndex((end) => lx >= end + 6);
      if (row >= 0) {
        const ly = y + 46 + row * 11;
        rowEnd[row] = lx + g.label.length * charW(9);
        below.push(`<line x1="${(xPos + w / 2).toFixed(1)}" y1="${y + 34}" x2="${(xPos + w / 2).toFixed(1)}" y2="${ly - 8}" stroke="#999" stroke-width="0.5"/>` +
          `<text x="${lx.toFixed(1)}" y="${ly}" class="a below" data-for="${x(g.label)}">${x(g.label)}</text>`);
      }
    }
    parts.push(`<g class="seg${g.gap ? ' gap' : ''}" data-name="${x(g.label)}"><title>${x(g.title)}</title><rect x="${xPos.toFixed(1)}" y="${y}" width="${Math.max(w, 0.5).toFixed(1)}" height="34" fill="${g.fill}" stroke="#555" stroke-width="0.5"/>` + text + '</g>');
    xPos += w;
  });
  parts.push(...below);
  y += below.length ? 50 + 11 * (rowEnd.filter((e) => e > -Infinity).length) : 50;

  // Band 2: device-memory, linear.
  if (s.deviceMemory) {
    const { start, end } = s.deviceMemory;
    const span = end - start + 1n;
    const px = (v: bigint) => 8 + Number(((v - start) * BigInt(usable * 1000)) / span) / 1000;
    parts.push(`<text x="8" y="${y + 10}" class="s">${x(`device-memory ${hex(start)}-${hex(end)} (${formatSize(span)}), linear scale`)}</text>`);
    y += 16;
    parts.push(`<rect x="8" y="${y}" width="${usable}" height="44" fill="url(#gap)" stroke="#555" stroke-width="0.5" class="devmem"/>`);
    const dimms = [...s.dimms].sort((a, b) => (a.addr < b.addr ? -1 : 1));
    const narrow: { d: (typeof dimms)[number]; mid: number; name: string }[] = [];
    let free = start;
    const gaps: [bigint, bigint][] = [];
    for (const d of dimms) {
      if (d.addr > free) gaps.push([free, d.addr]);
      if (d.addr + d.size > free) free = d.addr + d.size;
    }
    if (free <= end) gaps.push([free, end + 1n]);
    for (const [a, b] of gaps) {
      const w = px(b) - px(a);
      const label = `free ${formatSize(b - a)}`;
      parts.push(`<g class="free"><title>${x(`free ${hex(a)}-${hex(b - 1n)} (${formatSize(b - a)})`)}</title><rect x="${px(a).toFixed(1)}" y="${y}" width="${Math.max(w, 0.5).toFixed(1)}" height="44" fill="transparent"/>` +
        (fits(label, 9, w - 4) ? `<text x="${(px(a) + 6).toFixed(1)}" y="${y + 26}" class="a">${x(label)}</text>` : '') + '</g>');
    }
    for (const d of dimms) {
      const w = px(d.addr + d.size) - px(d.addr);
      const fill = NODE_COLOR[d.node % NODE_COLOR.length];
      const name = d.id ?? '(unnamed)';
      parts.push(`<g class="dimm" data-id="${x(name)}"><title>${x(`${name}: slot ${d.slot}, node ${d.node}, ${hex(d.addr)}-${hex(d.addr + d.size - 1n)} (${formatSize(d.size)}), memdev ${d.memdev}${d.hotplugged ? '' : ', cold-plugged'}`)}</title>` +
        `<rect x="${px(d.addr).toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="44" fill="${fill}" stroke="#222" stroke-width="0.8"/>` +
        (fits(name, 10, w) && fits(`slot ${d.slot} · node ${d.node}`, 9, w) && fits(formatSize(d.size), 9, w)
          ? `<text x="${(px(d.addr) + 3).toFixed(1)}" y="${y + 14}" class="lw">${x(name)}</text><text x="${(px(d.addr) + 3).toFixed(1)}" y="${y + 27}" class="aw">slot ${d.slot} · node ${d.node}</text><text x="${(px(d.addr) + 3).toFixed(1)}" y="${y + 39}" class="aw">${x(formatSize(d.size))}</text>`
          : '') + '</g>');
      if (!(fits(name, 10, w) && fits(`slot ${d.slot} · node ${d.node}`, 9, w) && fits(formatSize(d.size), 9, w))) narrow.push({ d, mid: px(d.addr) + w / 2, name });
    }
    y += 50;
    // DIMMs too narrow for their three lines: one line each below the band, rows chosen so none touch.
    const ends: number[] = [];
    for (const n of narrow) {
      const text = `${n.name}: slot ${n.d.slot} · node ${n.d.node} · ${formatSize(n.d.size)}`;
      const lx = Math.max(8, Math.min(n.mid - 4, W - 8 - text.length * charW(9)));
      let row = ends.findIndex((e) => lx >= e + 6);
      if (row < 0) { row = ends.length; ends.push(0); }
      ends[row] = lx + text.length * charW(9);
      parts.push(`<line x1="${n.mid.toFixed(1)}" y1="${y - 6}" x2="${n.mid.toFixed(1)}" y2="${y + row * 11 + 2}" stroke="#999" stroke-width="0.5"/>` +
        `<text x="${lx.toFixed(1)}" y="${y + row * 11 + 10}" class="a below">${x(text)}</text>`);
    }
    y += ends.length * 11 + (ends.length ? 6 : 0);
    parts.push(`<text x="8" y="${y + 4}" class="a">${x(hex(start))}</text><text x="${W - 8}" y="${y + 4}" class="a" text-anchor="end">${x(hex(end))}</text>`);
    y += 10;
  } else {
    parts.push(`<text x="8" y="${y + 10}" class="s">no device-memory region</text>`);
    y += 16;
  }
  // Legend
  y += 8;
  let lx = 8;
  for (const [k, c] of Object.entries(KIND_COLOR).slice(0, 3)) {
    parts.push(`<rect x="${lx}" y="${y}" width="10" height="10" fill="${c}"/><text x="${lx + 13}" y="${y + 9}" class="a">${x(k)}</text>`);
    lx += 50;
  }
  const nodes = [...new Set(s.dimms.map((d) => d.node))].sort((a, b) => a - b);
  for (const n of nodes) {
    parts.push(`<rect x="${lx}" y="${y}" width="10" height="10" fill="${NODE_COLOR[n % NODE_COLOR.length]}"/><text x="${lx + 13}" y="${y + 9}" class="a">node ${n}</text>`);
    lx += 60;
  }
  parts.push(`<rect x="${lx}" y="${y}" width="10" height="10" fill="url(#gap)" stroke="#555" stroke-width="0.5"/><text x="${lx + 13}" y="${y + 9}" class="a">unmapped / free</text>`);
  y += 18;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="memory-map" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif">` +
    `<defs><pattern id="gap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ccc" stroke-width="2"/></pattern>` +
    `<style>.t{font-size:13px;font-weight:bold}.s{font-size:11px;fill:#333}.l{font-size:10px}.a{font-size:9px;fill:#333}.lw{font-size:10px;fill:#fff;font-weight:bold}.aw{font-size:9px;fill:#fff}</style></defs>` +
    parts.join('') + '</svg>';
}
