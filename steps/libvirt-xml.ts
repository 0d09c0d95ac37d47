// "the live domain XML shows:" — a fragment of domain XML compared semantically with the matching part of
// `virsh dumpxml`: element names, attributes as a set (order ignored), trimmed text and child elements in
// order; whitespace between elements ignored. What "the matching part" is:
//   - a top-level element of the fragment (`<memory unit='KiB'>`, `<currentMemory>`, `<maxMemory>`, `<vcpu>`,
//     `<os>`, `<cpu>`...) is compared with the live <domain>'s child of that name;
//   - `<devices>` lists devices: for every element name it contains, the live <devices>' children of that
//     name must be exactly those, in order (`<devices><memory model='dimm'>…</memory></devices>` = "the DIMMs
//     are exactly these"; a `<memory model='dimm'>` inside another kind of list is not compared);
//   - a top-level `<memory model='…'>` (a device, outside <devices>) must equal one of the live devices.
// On mismatch: a unified diff of the expected fragment against the live counterparts, both in one
// canonical form (two-space indent, attributes sorted, single quotes).

import { parseXml, type XmlElement } from '../libvirt';
import { DiffError } from '../reports/diff';

const FRAGMENT = '(live XML fragment)';

const escAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');
const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Canonical text of an element (attributes sorted, text trimmed, whitespace between elements dropped). */
export function canonicalXml(el: XmlElement, indent = ''): string {
  const attrs = Object.keys(el.attrs).sort().map((k) => ` ${k}='${escAttr(el.attrs[k])}'`).join('');
  const text = el.text.trim();
  if (el.children.length === 0) return text === '' ? `${indent}<${el.name}${attrs}/>` : `${indent}<${el.name}${attrs}>${escText(text)}</${el.name}>`;
  const lines = [`${indent}<${el.name}${attrs}>`];
  if (text !== '') lines.push(`${indent}  ${escText(text)}`);
  for (const c of el.children) lines.push(canonicalXml(c, indent + '  '));
  lines.push(`${indent}</${el.name}>`);
  return lines.join('\n');
}

const isDevice = (el: XmlElement) => el.name === 'memory' && 'model' in el.attrs;

/** Parse a doc string fragment (one or more elements); throws with the parser's message. */
export function parseFragment(text: string, where: string): XmlElement[] {
  const r = parseXml(`<fragment>\n${text}\n</fragment>`, FRAGMENT);
  if (!r.ok) throw new Error(`${where}: the expected XML is not well-formed: ${r.error.message}`);
  return [...r.root.children];
}

/** Compare `expected` (fragment text) with the live domain XML; throws a DiffError on mismatch. */
export function assertLiveXml(expectedText: string, liveXml: string, where: string): void {
  const expected = parseFragment(expectedText, where);
  if (expected.length === 0) throw new Error(`${where}: the expected XML fragment is empty`);
  const live = parseXml(liveXml, '(live XML)');
  if (!live.ok) throw new Error(`the live XML does not parse: ${live.error.message}\n${liveXml}`);
  const dom = live.root;
  const liveDevices = dom.children.find((c) => c.name === 'devices');
  const exp: string[] = [];
  const act: string[] = [];
  for (const e of expected) {
    exp.push(canonicalXml(e));
    if (e.name === 'devices') {
      const names = [...new Set(e.children.map((c) => c.name))];
      const shown = (liveDevices?.children ?? []).filter((c) => names.includes(c.name));
      act.push(canonicalXml({ name: 'devices', attrs: e.attrs, text: '', children: shown }));
    } else if (isDevice(e)) {
      const want = canonicalXml(e);
      const same = (liveDevices?.children ?? []).filter((c) => c.name === e.name && c.attrs.model === e.attrs.model);
      const hit = same.find((c) => canonicalXml(c) === want);
      act.push(hit ? want : same.length ? same.map((c) => canonicalXml(c)).join('\n') : `<!-- no <${e.name} model='${e.attrs.model}'> device in the live XML -->`);
    } else {
      const c = dom.children.find((x) => x.name === e.name && !isDevice(x));
      act.push(c ? canonicalXml(c) : `<!-- no <${e.name}> in the live XML -->`);
    }
  }
  const e = exp.join('\n');
  const a = act.join('\n');
  if (e !== a) throw new DiffError('the live domain XML differs (compared semantically: attribute order and whitespace ignored)', e, a);
}
