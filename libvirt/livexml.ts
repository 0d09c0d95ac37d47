// The live domain XML (`virsh dumpxml`), the parts this model knows, in libvirt's element order and
// formatting (two-space indent, single quotes, sizes in KiB). Memory devices come last in <devices>,
// after <memballoon>, in definition order.

import type { MemoryDeviceDef } from './device';
import type { DomainDef } from './domain';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');

export function memoryDeviceXml(m: MemoryDeviceDef, indent = '    '): string {
  const i2 = indent + '  ';
  const lines = [`${indent}<memory model='dimm'>`, `${i2}<target>`, `${i2}  <size unit='KiB'>${m.sizeKiB}</size>`];
  if (m.targetNode >= 0) lines.push(`${i2}  <node>${m.targetNode}</node>`);
  lines.push(`${i2}</target>`);
  if (m.alias) lines.push(`${i2}<alias name='${esc(m.alias)}'/>`);
  if (m.address?.type === 'dimm') {
    lines.push(`${i2}<address type='dimm' slot='${m.address.slot}'${m.address.base !== 0n ? ` base='0x${m.address.base.toString(16)}'` : ''}/>`);
  }
  lines.push(`${indent}</memory>`);
  return lines.join('\n');
}

/** The live XML of a running domain (`active`), or the inactive one. */
export function domainXml(def: DomainDef, active: boolean): string {
  const out: string[] = [];
  out.push(`<domain type='${def.virtType}'${active ? " id='1'" : ''}>`);
  out.push(`  <name>${esc(def.name)}</name>`);
  if (def.maxMemoryKiB > 0n) out.push(`  <maxMemory slots='${def.slots}' unit='KiB'>${def.maxMemoryKiB}</maxMemory>`);
  out.push(`  <memory unit='KiB'>${def.totalKiB}</memory>`);
  out.push(`  <currentMemory unit='KiB'>${def.curBalloonKiB}</currentMemory>`);
  out.push(`  <vcpu placement='static'>${def.vcpus}</vcpu>`);
  out.push('  <os>', `    <type arch='x86_64' machine='${def.machine}'>hvm</type>`, '  </os>');
  if (def.acpi) out.push('  <features>', '    <acpi/>', '  </features>');
  if (def.cells.length > 0) {
    out.push('  <cpu>', '    <numa>');
    for (const c of def.cells) out.push(`      <cell id='${c.id}'${c.cpus !== undefined ? ` cpus='${c.cpus}'` : ''} memory='${c.memKiB}' unit='KiB'/>`);
    out.push('    </numa>', '  </cpu>');
  }
  out.push('  <devices>', `    <emulator>${esc(def.emulator)}</emulator>`);
  const usbModel = def.machineType === 'q35' ? 'qemu-xhci' : 'piix3-uhci';
  if (def.usb) out.push(`    <controller type='usb' index='0' model='${usbModel}'>`, ...(active ? ["      <alias name='usb'/>"] : []), '    </controller>');
  else out.push("    <controller type='usb' index='0' model='none'/>");
  if (def.balloon) out.push("    <memballoon model='virtio'>", ...(active ? ["      <alias name='balloon0'/>"] : []), '    </memballoon>');
  else out.push("    <memballoon model='none'/>");
  for (const m of def.mems) out.push(memoryDeviceXml(active ? m : { ...m, alias: undefined }));
  out.push('  </devices>', '</domain>');
  return out.join('\n') + '\n';
}
