// `<memory model='dimm'>` device XML → a memory device definition, with libvirt 9.0's parse order and
// wording (virDomainMemoryDefParseXML, virDomainMemoryTargetDefParseXML, virDomainDeviceInfoParseXML).
// Pure.

import { ScenarioError } from '../backends/types';
import { LE, type LibvirtError } from './errors';
import { child, childrenNamed, DEVICE_DOC, parseXml, xpathString, type XmlElement } from './xml';
import { parseMemoryKiB } from './scaled';
import { LIBVIRT_9_0, type LibvirtVersion } from './versions';
import { RecentBy } from '../engine/recent';

export type DeviceAddress =
  | { readonly type: 'dimm'; readonly slot: number; readonly base: bigint }
  | { readonly type: 'other'; readonly name: string; readonly attrs: Readonly<Record<string, string>> };

export interface MemoryDeviceDef {
  readonly model: 'dimm';
  /** KiB, as libvirt stores it (rounded up to KiB at parse, to 1 MiB at hotplug, 2 MiB at start-up). */
  readonly sizeKiB: bigint;
  /** -1 when `<node>` is absent (libvirt's "not specified"). */
  readonly targetNode: number;
  /** `base` 0 = not given. */
  readonly address?: DeviceAddress;
  /** Only kept where libvirt keeps it (live definitions; detach matching). */
  readonly alias?: string;
  /** A user alias (`<alias name='ua-...'/>`) on a device to hot-add: libvirt names the device and its backend after it. */
  readonly userAlias?: string;
  /** `<source><nodemask>`: the host nodes of its backend (host-nodes, policy from <numatune>). */
  readonly sourceNodes?: readonly number[];
  /** `<source><pagesize>` in KiB: a hugepage-backed memory-backend-file. */
  readonly pagesizeKiB?: bigint;
  /** `access=` / `discard=` of the device (a memory-backend-file). */
  readonly access?: 'shared' | 'private';
  readonly discard?: boolean;
}

export type DeviceParse = { readonly ok: true; readonly device: MemoryDeviceDef } | { readonly ok: false; readonly error: LibvirtError };

const MODELS = ['dimm', 'nvdimm', 'virtio-pmem', 'virtio-mem', 'sgx-epc'];
const ADDRESS_TYPES = ['pci', 'drive', 'virtio-serial', 'ccid', 'usb', 'spapr-vio', 'ccw', 'virtio-mmio', 'isa', 'dimm', 'unassigned'];

/** virXMLPropUInt, base 10 or 16 (`0x` optional for 16). */
function propUInt(el: XmlElement, attr: string, base: 10 | 16, required: boolean, max: bigint): { ok: true; value?: bigint } | { ok: false; error: LibvirtError } {
  const v = el.attrs[attr];
  if (v === undefined) return required ? { ok: false, error: LE.missingAttr(attr, el.name) } : { ok: true };
  const re = base === 10 ? /^[ \t\n]*\+?(\d+)$/ : /^[ \t\n]*\+?(?:0[xX])?([0-9a-fA-F]+)$/;
  const m = re.exec(v);
  if (!m) return { ok: false, error: LE.invalidAttrUInt(attr, el.name, v) };
  const n = base === 10 ? BigInt(m[1]) : BigInt('0x' + m[1]);
  if (n > max) return { ok: false, error: LE.invalidAttrUInt(attr, el.name, v) };
  return { ok: true, value: n };
}

/** A `<memory>` element (device XML root or a child of `<devices>`). `keepAlias`: live parse (detach). */
export function memoryDeviceFromElement(el: XmlElement, keepAlias: boolean, libvirt: LibvirtVersion = LIBVIRT_9_0): DeviceParse {
  const model = el.attrs.model;
  if (model === undefined) return { ok: false, error: LE.missingAttr('model', 'memory') };
  if (!MODELS.includes(model)) return { ok: false, error: LE.invalidAttrEnum('model', 'memory', model) };
  if (model !== 'dimm') throw new ScenarioError(`memory model '${model}' is not modelled (only 'dimm')`);
  const access = el.attrs.access;
  if (access !== undefined && access !== 'shared' && access !== 'private') return { ok: false, error: LE.invalidAttrEnum('access', 'memory', access) };
  const discardAttr = el.attrs.discard;
  if (discardAttr !== undefined && discardAttr !== 'yes' && discardAttr !== 'no') return { ok: false, error: LE.invalidAttrEnum('discard', 'memory', discardAttr) };
  const source = child(el, 'source');
  let sourceNodes: number[] | undefined;
  let pagesizeKiB: bigint | undefined;
  for (const c of source?.children ?? []) {
    if (c.name === 'nodemask') {
      const nodes = parseNodeset(c.text.trim());
      if (!nodes) throw new ScenarioError(`<source><nodemask>${c.text}</nodemask> is not modelled`);
      sourceNodes = nodes;
    } else if (c.name === 'pagesize') {
      const ps = parseMemoryKiB(c.text.trim(), c.attrs.unit, './pagesize', true);
      if (!ps.ok) return ps;
      pagesizeKiB = ps.value;
    } else throw new ScenarioError(`<memory><source><${c.name}> is not modelled (nodemask, pagesize)`);
  }
  const target = child(el, 'target');
  if (!target) return { ok: false, error: LE.missingTarget() };
  // <node>: virXPathInt → absent = -1, unparsable or negative = error
  let targetNode = -1;
  const nodeText = xpathString(target, 'node');
  if (nodeText !== undefined) {
    const m = /^[ \t\n]*([-+]?\d+)$/.exec(nodeText);
    const n = m ? Number(m[1]) : NaN;
    if (!m || !Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) return { ok: false, error: LE.invalidNode() };
    targetNode = n;
  }
  const sizeEl = child(target, 'size');
  const size = parseMemoryKiB(sizeEl ? xpathString(target, 'size') : undefined, sizeEl?.attrs.unit, './size', true);
  if (!size.ok) return size;
  // device info: alias, address
  let alias: string | undefined;
  const aliasEl = child(el, 'alias');
  let userAlias: string | undefined;
  if (keepAlias && aliasEl?.attrs.name) alias = aliasEl.attrs.name;
  else if (aliasEl?.attrs.name?.startsWith('ua-')) {
    // virDomainDeviceAliasIsUserAlias: kept; only the plain identifier form is modelled
    if (!/^ua-[A-Za-z0-9_-]+$/.test(aliasEl.attrs.name)) throw new ScenarioError(`the user alias '${aliasEl.attrs.name}' is not modelled (ua- followed by letters, digits, '_' and '-')`);
    userAlias = aliasEl.attrs.name;
  }
  let address: DeviceAddress | undefined;
  const addrEl = child(el, 'address');
  if (addrEl) {
    const type = addrEl.attrs.type;
    if (type === undefined) {
      return { ok: false, error: libvirt.addressType.missing === 'internal-error' ? LE.noAddressType() : LE.missingAttr('type', 'address') };
    }
    if (!ADDRESS_TYPES.includes(type)) {
      return { ok: false, error: libvirt.addressType.unknown === 'unsupported-configuration' ? LE.unknownAddressType(type) : LE.invalidAttrEnum('type', 'address', type) };
    }
    if (type === 'dimm') {
      const slot = propUInt(addrEl, 'slot', 10, true, 0xffffffffn);
      if (!slot.ok) return slot;
      const base = propUInt(addrEl, 'base', 16, false, (1n << 64n) - 1n);
      if (!base.ok) return base;
      address = { type: 'dimm', slot: Number(slot.value), base: base.value ?? 0n };
    } else if (type !== 'unassigned') {
      address = { type: 'other', name: type, attrs: addrEl.attrs };
    }
  }
  for (const c of el.children) {
    if (!['source', 'target', 'alias', 'address'].includes(c.name)) throw new ScenarioError(`<memory><${c.name}> is not modelled`);
  }
  for (const c of target.children) {
    if (!['size', 'node'].includes(c.name)) throw new ScenarioError(`<memory><target><${c.name}> is not modelled`);
  }
  if (childrenNamed(target, 'size').length > 1 || childrenNamed(target, 'node').length > 1) {
    throw new ScenarioError('<memory><target> with repeated <size> or <node> is not modelled');
  }
  return {
    ok: true,
    device: {
      model: 'dimm', sizeKiB: size.value!, targetNode, ...(address ? { address } : {}), ...(alias ? { alias } : {}), ...(userAlias ? { userAlias } : {}),
      ...(sourceNodes ? { sourceNodes } : {}), ...(pagesizeKiB !== undefined ? { pagesizeKiB } : {}),
      ...(access ? { access: access as 'shared' | 'private' } : {}), ...(discardAttr ? { discard: discardAttr === 'yes' } : {}),
    },
  };
}

/** A libvirt nodeset (`0`, `1-3`, `0,2-3`, `^1` is not modelled) → sorted node numbers. */
export function parseNodeset(text: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b > 1023) return undefined;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Device XML as given to attach-device / detach-device (virDomainDeviceDefParse). */
export function parseMemoryDeviceXml(xml: string, opts: { keepAlias: boolean }, libvirt: LibvirtVersion = LIBVIRT_9_0): DeviceParse {
  // Pure in the text, the flag and the version, and the result is never changed: the texts most recently
  // parsed are remembered (the same device files are attached scenario after scenario). What throws is not.
  const key = (opts.keepAlias ? '1' : '0') + xml;
  return deviceParses.of(libvirt).get(key, () => parseMemoryDeviceXmlFresh(xml, opts, libvirt));
}
const deviceParses = new RecentBy<LibvirtVersion, DeviceParse>(64);

/** parseMemoryDeviceXml without the remembered results (for the test that compares both). */
export function parseMemoryDeviceXmlFresh(xml: string, opts: { keepAlias: boolean }, libvirt: LibvirtVersion = LIBVIRT_9_0): DeviceParse {
  const doc = parseXml(xml, DEVICE_DOC, libvirt.xmlErrors);
  if (!doc.ok) return doc;
  if (doc.root.name !== 'memory') throw new ScenarioError(`device <${doc.root.name}> is not modelled: only <memory model='dimm'> can be attached or detached`);
  return memoryDeviceFromElement(doc.root, opts.keepAlias, libvirt);
}
