// The live domain XML (`virsh dumpxml`), the parts this model knows, in libvirt's element order and
// formatting (two-space indent, single quotes, sizes in KiB). Memory devices come last in <devices>,
// after <memballoon>, in definition order.

import type { MemoryDeviceDef } from './device';
import type { DomainDef } from './domain';
import type { XmlElement } from './xml';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');

export function memoryDeviceXml(m: MemoryDeviceDef, indent = '    '): string {
  const i2 = indent + '  ';
  const attrs = `${m.access ? ` access='${m.access}'` : ''}${m.discard !== undefined ? ` discard='${m.discard ? 'yes' : 'no'}'` : ''}`;
  const lines = [`${indent}<memory model='dimm'${attrs}>`];
  if (m.sourceNodes || m.pagesizeKiB !== undefined) {
    lines.push(`${i2}<source>`);
    if (m.sourceNodes) lines.push(`${i2}  <nodemask>${m.sourceNodes.join(',')}</nodemask>`);
    if (m.pagesizeKiB !== undefined) lines.push(`${i2}  <pagesize unit='KiB'>${m.pagesizeKiB}</pagesize>`);
    lines.push(`${i2}</source>`);
  }
  lines.push(`${i2}<target>`, `${i2}  <size unit='KiB'>${m.sizeKiB}</size>`);
  if (m.targetNode >= 0) lines.push(`${i2}  <node>${m.targetNode}</node>`);
  lines.push(`${i2}</target>`);
  if (m.alias) lines.push(`${i2}<alias name='${esc(m.alias)}'/>`);
  if (m.address?.type === 'dimm') {
    lines.push(`${i2}<address type='dimm' slot='${m.address.slot}'${m.address.base !== 0n ? ` base='0x${m.address.base.toString(16)}'` : ''}/>`);
  }
  lines.push(`${indent}</memory>`);
  return lines.join('\n');
}

/** An element as given (carried), re-printed in libvirt's style: two-space indent, single-quoted attributes. */
export function elementXml(el: XmlElement, indent: string): string {
  const attrs = Object.entries(el.attrs).map(([k, v]) => ` ${k}='${esc(v).replace(/"/g, '&quot;')}'`).join('');
  const text = el.text.trim();
  if (el.children.length === 0) return text === '' ? `${indent}<${el.name}${attrs}/>` : `${indent}<${el.name}${attrs}>${escText(text)}</${el.name}>`;
  const inner = el.children.map((c) => elementXml(c, indent + '  ')).join('\n');
  return `${indent}<${el.name}${attrs}>${text === '' ? '' : escText(text)}\n${inner}\n${indent}</${el.name}>`;
}

const escText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The live XML of a running domain (`active`), or the inactive one. */
export function domainXml(def: DomainDef, active: boolean): string {
  // Pure in the definition, which is never changed (operations derive a new one): remembered per object (every
  // libvirt operation reads the live XML before it, most often of a definition read before).
  const memo = active ? activeXml : inactiveXml;
  let text = memo.get(def);
  if (text === undefined) memo.set(def, (text = domainXmlFresh(def, active)));
  return text;
}
const activeXml = new WeakMap<DomainDef, string>();
const inactiveXml = new WeakMap<DomainDef, string>();

/** domainXml without the remembered texts (for the test that compares both). */
export function domainXmlFresh(def: DomainDef, active: boolean): string {
  const out: string[] = [];
  out.push(`<domain type='${def.virtType}'${active ? " id='1'" : ''}>`);
  out.push(`  <name>${esc(def.name)}</name>`);
  const top = (name: string) => (def.carriedTop ?? []).filter((e) => e.name === name).map((e) => elementXml(e, '  '));
  out.push(...top('uuid'), ...top('genid'), ...top('title'), ...top('description'), ...top('metadata'));
  if (def.maxMemoryKiB > 0n) out.push(`  <maxMemory slots='${def.slots}' unit='KiB'>${def.maxMemoryKiB}</maxMemory>`);
  out.push(`  <memory unit='KiB'>${def.totalKiB}</memory>`);
  out.push(`  <currentMemory unit='KiB'>${def.curBalloonKiB}</currentMemory>`);
  out.push(...top('blkiotune'), ...top('memtune'), ...top('memoryBacking'));
  out.push(`  <vcpu placement='static'>${def.vcpus}</vcpu>`);
  out.push(...top('vcpus'), ...top('iothreads'), ...top('iothreadids'), ...top('cputune'), ...top('numatune'), ...top('resource'), ...top('sysinfo'), ...top('bootloader'), ...top('bootloader_args'));
  const osChildren = (def.osEl?.children ?? []).filter((c) => c.name !== 'type').map((c) => elementXml(c, '    '));
  out.push('  <os>', `    <type arch='${def.arch ?? 'x86_64'}' machine='${def.machine}'>hvm</type>`, ...osChildren, '  </os>');
  out.push(...top('idmap'));
  if (def.featuresEl && def.featuresEl.children.length > 0) out.push(elementXml(def.featuresEl, '  '));
  else if (def.acpi) out.push('  <features>', '    <acpi/>', '  </features>');
  const cpuOther = (def.cpuEl?.children ?? []).filter((c) => c.name !== 'numa');
  if (def.cells.length > 0 || cpuOther.length > 0) {
    const attrs = Object.entries(def.cpuEl?.attrs ?? {}).map(([k, v]) => ` ${k}='${esc(v)}'`).join('');
    out.push(`  <cpu${attrs}>`, ...cpuOther.map((c) => elementXml(c, '    ')));
    if (def.cells.length > 0) {
      out.push('    <numa>');
      for (const c of def.cells) {
        const a = def.cellAttrs?.[c.id];
        const extra = `${a?.memAccess ? ` memAccess='${a.memAccess}'` : ''}${a?.discard !== undefined ? ` discard='${a.discard ? 'yes' : 'no'}'` : ''}`;
        out.push(`      <cell id='${c.id}'${c.cpus !== undefined ? ` cpus='${c.cpus}'` : ''} memory='${c.memKiB}' unit='KiB'${extra}/>`);
      }
      out.push('    </numa>');
    }
    out.push('  </cpu>');
  }
  out.push(...top('clock'), ...top('on_poweroff'), ...top('on_reboot'), ...top('on_crash'), ...top('on_lockfailure'), ...top('pm'), ...top('perf'));
  out.push('  <devices>', `    <emulator>${esc(def.emulator)}</emulator>`);
  const carried = def.devices?.carried ?? [];
  for (const d of carried) {
    // a live alias from a pasted `virsh dumpxml` is not kept (libvirt drops non-user aliases at define)
    out.push(elementXml({ ...d, children: d.children.filter((c) => c.name !== 'alias') }, '    '));
  }
  const usbModel = def.machineType === 'q35' ? 'qemu-xhci' : 'piix3-uhci';
  if (!carried.some((d) => d.name === 'controller' && d.attrs.type === 'usb')) {
    if (def.usb) out.push(...(active ? [`    <controller type='usb' index='0' model='${usbModel}'>`, "      <alias name='usb'/>", '    </controller>'] : [`    <controller type='usb' index='0' model='${usbModel}'/>`]));
    else out.push("    <controller type='usb' index='0' model='none'/>");
  }
  if (!carried.some((d) => d.name === 'memballoon')) {
    if (def.balloon) out.push(...(active ? ["    <memballoon model='virtio'>", "      <alias name='balloon0'/>", '    </memballoon>'] : ["    <memballoon model='virtio'/>"]));
    else out.push("    <memballoon model='none'/>");
  }
  for (const m of def.mems) out.push(memoryDeviceXml(active ? m : { ...m, alias: undefined }));
  out.push('  </devices>', ...top('seclabel'), ...top('keywrap'), '</domain>');
  return out.join('\n') + '\n';
}
