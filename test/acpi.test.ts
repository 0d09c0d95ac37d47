// ACPI memory-hotplug block, GPE/PM1/SCI and query-acpi-ospm-status, against QEMU 7.2.22 observations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';
import { queryAcpiOspmStatus } from '../engine/acpi/ospm';
import { acpi_memory_plug_cb, acpi_memory_unplug_cb, acpi_memory_unplug_request_cb } from '../engine/acpi/memhp';
import { PIIX4_PM } from '../engine/acpi/piix4';
import { sciFormula } from '../engine/acpi/gpe';
import type { MachineState } from '../engine/state';
import type { QmpEvent, TraceEntry } from '../engine/effects';

function start(cmd: string): MachineState {
  const b = buildFromCommandLine(cmd);
  if (!b.ok) throw new Error(`build failed: ${JSON.stringify(b)}`);
  return b.state;
}
function step(state: MachineState, l: string) {
  return l.startsWith('{') ? reduce(state, { kind: 'qmp', command: JSON.parse(l) }) : reduce(state, { kind: 'qtest', line: l });
}
function run(state: MachineState, ...lines: string[]) {
  const out: unknown[] = [];
  const events: QmpEvent[] = [];
  const irqs: string[] = [];
  let trace: TraceEntry[] = [];
  for (const l of lines) {
    const r = step(state, l);
    state = r.state;
    out.push(r.reply);
    events.push(...r.events);
    irqs.push(...r.irqs);
    trace = [...trace, ...r.trace];
  }
  return { state, out, events, irqs, trace };
}
const add = (id: string) => `{"execute":"object-add","arguments":{"qom-type":"memory-backend-ram","id":"${id}","size":1073741824}}`;
const plug = (id: string, mem: string) => `{"execute":"device_add","arguments":{"driver":"pc-dimm","id":"${id}","memdev":"${mem}"}}`;
const del = (id: string) => `{"execute":"device_del","arguments":{"id":"${id}"}}`;

test('plug sets GPE0 STS bit 3 but SCI stays low until EN; trace names QEMU functions', () => {
  const r = run(start('-M pc -m 1G,slots=4,maxmem=8G'), add('m0'), plug('d0', 'm0'));
  assert.deepEqual(r.state.acpi.gpeSts, [0x08, 0]);
  assert.equal(r.state.acpi.sciLevel, 0);
  const fns = r.trace.map((t) => t.fn);
  for (const f of ['acpi_memory_plug_cb', 'acpi_send_event', 'acpi_update_sci', 'qemu_set_irq', 'gsi_handler', 'pic_set_irq', 'ioapic_set_irq']) assert.ok(fns.includes(f), f);
  assert.ok(r.trace.some((t) => t.fn === 'acpi_send_event' && t.note === '0x08'));
  assert.ok(r.trace.some((t) => t.fn === 'acpi_update_sci' && t.note === 'level 0: GPE not enabled'));
});

test('0x14 writes are an if/else-if chain; flags are sticky across eject; re-plug reads 0x07', () => {
  let s = run(start('-M pc -m 1G,slots=4,maxmem=8G'), add('m0'), plug('d0', 'm0'), 'outl 0xa00 0', del('d0')).state;
  let r = run(s, 'inb 0xa14', 'outb 0xa14 0x0e', 'inb 0xa14', 'outb 0xa14 0x0c', 'inb 0xa14');
  assert.deepEqual(r.out, ['OK 0x0007', 'OK', 'OK 0x0005', 'OK', 'OK 0x0001']);
  assert.equal(r.state.dimms.length, 1, '0x0c and 0x0e never eject');
  s = run(start('-M pc -m 1G,slots=4,maxmem=8G'), add('m0'), plug('d0', 'm0'), 'outl 0xa00 0', del('d0')).state;
  r = run(s, 'outb 0xa14 0x08', 'inb 0xa14', 'inl 0xa00', plug('d0', 'm0'), 'inb 0xa14');
  assert.deepEqual(r.events, [{ event: 'DEVICE_DELETED', data: { device: 'd0', path: '/machine/peripheral/d0' } }]);
  assert.deepEqual([r.out[1], r.out[2], r.out[4]], ['OK 0x0006', 'OK 0x0000', 'OK 0x0007']);
});

test('eject without device_del works on any enabled slot; empty slot eject is ignored', () => {
  const s = start('-M pc -m 1G,slots=2,maxmem=8G -object memory-backend-ram,id=cm0,size=1G -device pc-dimm,id=cold0,memdev=cm0,slot=1');
  const r = run(s, 'inb 0xafe0', 'outl 0xa00 1', 'inl 0xa14', 'outl 0xa00 0', 'outb 0xa14 8', 'outl 0xa00 1', 'outb 0xa14 8', 'inl 0xa14');
  assert.deepEqual(r.out, ['OK 0x0000', 'OK', 'OK 0x0001', 'OK', 'OK', 'OK', 'OK', 'OK 0x0000']);
  assert.deepEqual(r.events, [{ event: 'DEVICE_DELETED', data: { device: 'cold0', path: '/machine/peripheral/cold0' } }]);
});

test('out-of-range selector reads 0 everywhere and ignores writes except the selector', () => {
  const r = run(start('-M pc -m 1G,slots=2,maxmem=8G'), add('m0'), plug('d0', 'm0'), 'outl 0xa00 2', 'inl 0xa14', 'inl 0xa01', 'outl 0xa08 5', 'outb 0xa14 8', 'outl 0xa00 0', 'inb 0xa14');
  assert.deepEqual(r.out.slice(2), ['OK', 'OK 0x0000', 'OK 0x0000', 'OK', 'OK', 'OK', 'OK 0x0003']);
  assert.deepEqual(r.events, []);
});

test('_OST writes emit ACPI_DEVICE_OST in QEMU key order; ospm status lists every slot', () => {
  const r = run(start('-M pc -m 1G,slots=2,maxmem=8G'), add('m0'), plug('d0', 'm0'), 'outl 0xa00 0', 'outl 0xa04 0x103', 'outl 0xa08 0x80', 'outl 0xa00 1', 'outl 0xa08 1');
  assert.deepEqual(r.events.map((e) => JSON.stringify(e.data)), [
    '{"info":{"device":"d0","source":259,"status":128,"slot":"0","slot-type":"DIMM"}}',
    '{"info":{"source":0,"status":1,"slot":"1","slot-type":"DIMM"}}',
  ]);
  const q = queryAcpiOspmStatus(r.state);
  assert.ok(q.ok);
  assert.equal(JSON.stringify(q.value), '[{"device":"d0","source":259,"status":128,"slot":"0","slot-type":"DIMM"},{"source":0,"status":1,"slot":"1","slot-type":"DIMM"}]');
});

test('ospm status: pc,acpi=off has no ACPI device; q35,acpi=off still lists slots; no slots → []', () => {
  const off = queryAcpiOspmStatus(start('-M pc,acpi=off -m 1G,slots=2,maxmem=8G'));
  assert.deepEqual(off, { ok: false, error: { code: 'no-acpi-device', class: 'GenericError', desc: 'command is not supported, missing ACPI device' } });
  const q = queryAcpiOspmStatus(start('-M q35,acpi=off -m 1G,slots=2,maxmem=8G'));
  assert.ok(q.ok && q.value.length === 2);
  assert.deepEqual(queryAcpiOspmStatus(start('-M pc -m 1G')), { ok: true, value: [] });
});

test('callbacks: plug/unplug-request/unplug keep the sticky flags', () => {
  let s = run(start('-M pc -m 1G,slots=4,maxmem=8G'), add('m0'), plug('d0', 'm0')).state;
  s = acpi_memory_unplug_request_cb(s, PIIX4_PM, 0n).state;
  assert.deepEqual(s.acpi.memhp!.slots[0], { dimm: '/machine/peripheral/d0', enabled: true, inserting: true, removing: true, ostEvent: 0, ostStatus: 0 });
  s = acpi_memory_unplug_cb(s, 0n).state;
  assert.deepEqual(s.acpi.memhp!.slots[0], { enabled: false, inserting: true, removing: true, ostEvent: 0, ostStatus: 0 });
  const bad = acpi_memory_plug_cb(s, PIIX4_PM, 9n, true);
  assert.equal(bad.state, s);
});

test('PM1: TMR_STS is latched after reset; TMR_EN raises the SCI; W1C lowers it for good', () => {
  const r = run(start('-M pc -m 1G,slots=4,maxmem=8G'), 'irq_intercept_in ioapic', 'outl 0xcf8 0x80000b40', 'outl 0xcfc 0xb001', 'outl 0xcf8 0x80000b80', 'outb 0xcfc 0x01',
    'inw 0xb000', 'inw 0xb004', 'inl 0xb008', 'inl 0xb000', 'outw 0xb002 0x0001', 'outw 0xb000 0x0001', 'inw 0xb000', 'outb 0xb005 0x20', 'inw 0xb004');
  assert.deepEqual(r.out.slice(5), ['OK 0x0001', 'OK 0x0000', 'OK 0x0000', 'OK 0x0001', 'OK', 'OK', 'OK 0x0000', 'OK', 'OK 0x0020']);
  assert.deepEqual(r.irqs, ['IRQ raise 9', 'IRQ lower 9']);
  const kvm = run(start('-M pc -m 1G,slots=4,maxmem=8G -accel kvm'), 'outl 0xcf8 0x80000b40', 'outl 0xcfc 0xb001', 'outl 0xcf8 0x80000b80', 'outb 0xcfc 0x01', 'inw 0xb004');
  assert.equal(kvm.out[4], 'OK 0x0001', 'PM1_CNT.SCI_EN without SMM');
});

test('q35: GPE0 appears at PMBASE+0x20 only after PMBASE and ACPI_EN; a hot-add before is latched', () => {
  let r = run(start('-M q35 -m 1G,slots=4,maxmem=8G'), 'irq_intercept_in ioapic', add('m0'), plug('d0', 'm0'), 'inb 0x620');
  assert.equal(r.out[3], 'OK 0x00ff');
  r = run(r.state, 'outl 0xcf8 0x8000f840', 'outl 0xcfc 0x601', 'inb 0x620', 'outl 0xcf8 0x8000f844', 'outb 0xcfc 0x80', 'inb 0x620', 'outb 0x628 0x08');
  assert.deepEqual(r.out, ['OK', 'OK', 'OK 0x00ff', 'OK', 'OK', 'OK 0x0008', 'OK']);
  assert.deepEqual(r.irqs, ['IRQ raise 9']);
});

test('q35: moving the SCI (ACPI_CTRL SCI_IRQ_SEL) while raised lowers the old GSI and raises the new', () => {
  let r = run(start('-M q35 -m 1G,slots=4,maxmem=8G'), 'irq_intercept_in ioapic', add('m0'), plug('d0', 'm0'),
    'outl 0xcf8 0x8000f840', 'outl 0xcfc 0x601', 'outl 0xcf8 0x8000f844', 'outb 0xcfc 0x80', 'outb 0x628 0x08');
  r = run(r.state, 'outb 0xcfc 0x84', 'outb 0xcfc 0x83', 'outb 0xcfc 0x81');
  assert.deepEqual(r.irqs, ['IRQ lower 9', 'IRQ raise 20', 'IRQ lower 20', 'IRQ raise 10']);
  assert.equal(r.state.acpi.sciGsi, 10);
  // PMBASE write mask: bits 4-6 of byte 0x40 are read-only (wmask 0x87, sic).
  r = run(r.state, 'outl 0xcf8 0x8000f840', 'outl 0xcfc 0x6f0', 'inl 0xcfc');
  assert.equal(r.out[2], 'OK 0x0680');
});

test('SCI formula: PM1 mask 0x521 and GPE byte 0 only', () => {
  const s = start('-M q35 -m 1G,slots=4,maxmem=8G');
  const a = s.acpi;
  assert.equal(sciFormula({ ...a, tmrOverflowDue: false, pm1Sts: 0x0002, pm1En: 0xffff }), 0);
  assert.equal(sciFormula({ ...a, tmrOverflowDue: false, pm1Sts: 0x0100, pm1En: 0x0100 }), 1);
  assert.equal(sciFormula({ ...a, gpeSts: [0, 8, 0, 0, 0, 0, 0, 0], gpeEn: [0, 8, 0, 0, 0, 0, 0, 0] }), 0);
  assert.equal(sciFormula({ ...a, gpeSts: [8, 0, 0, 0, 0, 0, 0, 0], gpeEn: [8, 0, 0, 0, 0, 0, 0, 0] }), 1);
});
