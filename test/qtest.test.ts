// qtest protocol over the model: reply formats and I/O splitting, checked against QEMU 7.2.22 (paused TCG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromCommandLine } from '../engine/machine/build';
import { qtestLine, parseQemuUnsigned } from '../engine/protocol/qtest';
import { reduce } from '../engine/reduce';
import { ModelLimit } from '../engine/errors';
import type { MachineState } from '../engine/state';

function start(cmd: string): MachineState {
  const b = buildFromCommandLine(cmd);
  if (!b.ok) throw new Error(`build failed: ${JSON.stringify(b)}`);
  return b.state;
}

/** Run lines in order; returns the last state and every reply (IRQ lines prefixed). */
function run(state: MachineState, ...lines: string[]): { state: MachineState; out: string[] } {
  const out: string[] = [];
  for (const l of lines) {
    if (l.startsWith('{')) {
      const r = reduce(state, { kind: 'qmp', command: JSON.parse(l) });
      state = r.state;
      out.push(...r.irqs);
      continue;
    }
    const r = qtestLine(state, l);
    state = r.state;
    out.push(...r.fx.irqs, r.reply);
  }
  return { state, out };
}

const ADD = '{"execute":"object-add","arguments":{"qom-type":"memory-backend-ram","id":"m0","size":1073741824}}';
const PLUG = '{"execute":"device_add","arguments":{"driver":"pc-dimm","id":"d0","memdev":"m0"}}';

test('reply formats: in* pads to 4 hex digits, read* to 16, endianness, unknown command', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  const { out } = run(s, 'inb 0xafe0', 'inl 0x1234', 'readq 0x5000000000', 'endianness', 'foo bar', 'clock_step');
  assert.deepEqual(out, ['OK 0x0000', 'OK 0xffffffff', 'OK 0x0000000000000000', 'OK little', "FAIL Unknown command 'foo'", "FAIL Unknown command 'clock_step'"]);
});

test('the golden plug → GPE → SCI exchange of the recipe', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  const { out } = run(s, 'irq_intercept_in ioapic', ADD, PLUG, 'inb 0xafe0', 'inb 0xafe2', 'outb 0xafe2 0x08', 'outl 0x0a00 0',
    'inl 0xa00', 'inl 0xa04', 'inl 0xa08', 'inl 0xa0c', 'inl 0xa10', 'inb 0xa14', 'outb 0xa14 0x02', 'inb 0xa14', 'outb 0xafe0 0x08', 'inb 0xafe0');
  assert.deepEqual(out, ['OK', 'OK 0x0008', 'OK 0x0000', 'IRQ raise 9', 'OK', 'OK', 'OK 0x0000', 'OK 0x0001', 'OK 0x40000000', 'OK 0x0000',
    'OK 0x0000', 'OK 0x0003', 'OK', 'OK 0x0001', 'IRQ lower 9', 'OK', 'OK 0x0000']);
});

test('unaligned and wide port accesses split like QEMU (facts §9)', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  const { out } = run(s, ADD, PLUG, 'outl 0xa00 0', 'inl 0xa01', 'inl 0xa02', 'inw 0xa00', 'inb 0xa01', 'inl 0xa16', 'inl 0xa18', 'inl 0xffff', 'inw 0xffff',
    'outb 0x4d0 0xff', 'outb 0x4d1 0xff', 'inw 0x4d0', 'inb 0x4d1', 'outb 0x21 0x5a', 'inl 0x20');
  assert.deepEqual(out, ['OK', 'OK 0x1ffffff', 'OK 0x1ffff', 'OK 0x0000', 'OK 0x00ff', 'OK 0xffffffff', 'OK 0xffffffff', 'OK 0x00ff', 'OK 0x00ff',
    'OK', 'OK', 'OK 0xf8f8', 'OK 0x00de', 'OK', 'OK 0x5a5a5a00']);
});

test('PCI config mechanism: ids, CONFIG_ADDRESS read-back, absent functions read all-ones', () => {
  const pc = start('-M pc -m 1G,slots=4,maxmem=8G');
  assert.deepEqual(run(pc, 'outl 0xcf8 0x80000b00', 'inl 0xcfc', 'inl 0xcf8', 'inb 0xcfa', 'inb 0xcf9', 'outl 0xcf8 0x80001000', 'inl 0xcfc', 'outl 0xcf8 0xb00', 'inl 0xcfc').out,
    ['OK', 'OK 0x71138086', 'OK 0x80000b00', 'OK 0x0000', 'OK 0x0000', 'OK', 'OK 0xffffffff', 'OK', 'OK 0xffffffff']);
  const q35 = start('-M q35 -m 1G,slots=4,maxmem=8G');
  assert.deepEqual(run(q35, 'outl 0xcf8 0x8000f800', 'inl 0xcfc', 'outl 0xcf8 0x8000f840', 'inl 0xcfc', 'outl 0xcf8 0x8000f844', 'inb 0xcfc', 'inb 0x620').out,
    ['OK', 'OK 0x29188086', 'OK', 'OK 0x0001', 'OK', 'OK 0x0000', 'OK 0x00ff']);
});

test('IOAPIC window and guest RAM', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  const { out } = run(s, ADD, PLUG, 'writel 0xfec00000 0x01', 'readl 0xfec00010', 'readq 0xfec00000', 'readb 0xfec00010',
    'writeq 0x100000000 0x1122334455667788', 'readq 0x100000000', 'read 0x100000000 8', 'readl 0x100000004', 'writeb 0xa0000 1', 'readb 0xa0000',
    'memset 0x2000 4 0x5a', 'read 0x1fff 6', 'outl 0xa00 0', 'outb 0xa14 0x08', 'readq 0x100000000');
  assert.deepEqual(out, ['OK', 'OK 0x0000000000170020', 'OK 0x0000000000000001', 'OK 0x0000000000000000', 'OK', 'OK 0x1122334455667788',
    // 0xa0000: the SMRAM window's alias shows the (empty) PCI window, so the flat view is main RAM there, as on
    // QEMU (test/replay/qemu-fuzz/ram-below-1m-pc).
    'OK 0x8877665544332211', 'OK 0x0000000011223344', 'OK', 'OK 0x0000000000000001', 'OK', 'OK 0x005a5a5a5a00', 'OK', 'OK', 'OK 0x0000000000000000']);
});

test('intercepts: unknown device, repeat, out-then-in reports nothing', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  assert.deepEqual(run(s, 'irq_intercept_in nosuch', 'irq_intercept_in i8259', 'irq_intercept_in /machine/i440fx/ioapic', 'irq_intercept_in ioapic').out,
    ['FAIL Unknown device', 'FAIL Unknown device', 'OK', 'OK']);
  assert.deepEqual(run(s, 'irq_intercept_out ioapic', 'irq_intercept_in ioapic', ADD, PLUG, 'outb 0xafe2 8').out, ['OK', 'OK', 'OK']);
});

test('KVM: the in-kernel PIC/IOAPIC are not reachable through qtest (reads 0, writes dropped)', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G -accel kvm');
  assert.deepEqual(run(s, 'inb 0x20', 'outb 0x21 0xff', 'inb 0x21', 'inb 0x4d1', 'readl 0xfec00010').out,
    ['OK 0x0000', 'OK', 'OK 0x0000', 'OK 0x0000', 'OK 0x0000000000000000']);
});

test('malformed lines FAIL (QEMU would abort) and never throw', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  for (const l of ['', 'inb', 'inb 0x10000', 'outb 0x20', 'outb 0x20 zz', 'readq', 'writeq 0x0', 'inb 0x20\r', 'inb 99999999999999999999999', 'irq_intercept_in', 'set_irq_in ioapic x 1 1']) {
    const r = qtestLine(s, l);
    assert.match(r.reply, /^FAIL /, l);
    assert.equal(r.state, s);
  }
});

test('qemu_strtoul number forms', () => {
  assert.equal(parseQemuUnsigned('0x1F'), 31n);
  assert.equal(parseQemuUnsigned('010'), 8n);
  assert.equal(parseQemuUnsigned('0'), 0n);
  assert.equal(parseQemuUnsigned('-1'), (1n << 64n) - 1n);
  assert.equal(parseQemuUnsigned('0x'), undefined);
  assert.equal(parseQemuUnsigned('08'), undefined);
});

test('what QEMU does not answer with OK is refused as not modelled, never as a QEMU-looking FAIL or OK', () => {
  const pc = start('-M pc -m 1G,slots=4,maxmem=8G');
  const q35 = start('-M q35 -m 1G,slots=4,maxmem=8G');
  const refused = (s: ReturnType<typeof start>, line: string, what: RegExp) =>
    assert.throws(() => qtestLine(s, line), (e: unknown) => e instanceof ModelLimit && what.test(e.message));
  // A guest reset (RCR bit 2) resets the machine in QEMU.
  refused(pc, 'outb 0xcf9 0x06', /^not modelled: guest reset through the reset control register/);
  refused(q35, 'outb 0xcf9 0x0e', /^not modelled: guest reset/);
  // SLP_EN suspends or powers off.
  const pm = run(pc, 'outl 0xcf8 0x80000b40', 'outl 0xcfc 0xb001', 'outl 0xcf8 0x80000b80', 'outb 0xcfc 0x01').state;
  refused(pm, 'outw 0xb004 0x2000', /^not modelled: a sleep\/power-off request \(SLP_EN in PM1 control, SLP_TYP 0\)/);
  // Writes to ICH9's SMI and TCO registers.
  const lpc = run(q35, 'outl 0xcf8 0x8000f840', 'outl 0xcfc 0x601', 'outl 0xcf8 0x8000f844', 'outb 0xcfc 0x80').state;
  refused(lpc, 'outl 0x630 0x1', /^not modelled: writes to the ICH9 SMI registers/);
  refused(lpc, 'outw 0x668 0x8', /^not modelled: writes to the ICH9 TCO watchdog registers/);
  // What is modelled still answers as QEMU does.
  assert.deepEqual(run(pc, 'outb 0xcf9 0x02', 'inb 0xcf9').out, ['OK', 'OK 0x0002']);
  assert.deepEqual(run(pm, 'outw 0xb004 0x0001', 'inw 0xb004').out, ['OK', 'OK 0x0001']);
});

test('ports of devices the model only draws, and PCI configuration writes with unmodelled side effects, are refused', () => {
  const pc = start('-M pc -m 1G,slots=4,maxmem=8G');
  const q35 = start('-M q35 -m 1G,slots=4,maxmem=8G');
  const refused = (s: MachineState, line: string, what: RegExp) =>
    assert.throws(() => qtestLine(s, line), (e: unknown) => e instanceof ModelLimit && what.test(e.message));
  refused(pc, 'inb 0x70', /^not modelled: a port read at 0x70, QEMU's 'rtc-index' device/);
  refused(q35, 'outb 0x43 0x34', /^not modelled: a port write at 0x43, QEMU's 'pit' device/);
  refused(pc, 'inl 0xb100', /'pm-smbus'/);
  // Unassigned ports still read all-ones; the APM ports answer.
  assert.deepEqual(run(pc, 'inb 0x2f8', 'outb 0xb3 0x5a', 'inb 0xb3', 'outb 0xb2 0xf1', 'inb 0xb2').out, ['OK 0x00ff', 'OK', 'OK 0x005a', 'OK', 'OK 0x00f1']);
  // SMRAM (i440FX 0x72), PIRQ routing (even unchanged), ICH9 RCBA, a BAR function's decoding.
  refused(run(pc, 'outl 0xcf8 0x80000070').state, 'outl 0xcfc 0x00480000', /^not modelled: a PCI configuration write to i440FX SMRAM/);
  assert.deepEqual(run(pc, 'outl 0xcf8 0x80000070', 'outl 0xcfc 0x00020000', 'inl 0xcfc').out, ['OK', 'OK', 'OK 0x20000']);
  // PAM is modelled (test/replay/qemu-fuzz/pam-attributes-*); the BIOS image's bytes are not.
  assert.deepEqual(run(pc, 'outl 0xcf8 0x80000058', 'outl 0xcfc 0x00003000', 'writel 0xf0000 0x12345678', 'readl 0xf0000').out, ['OK', 'OK', 'OK', 'OK 0x0000000012345678']);
  refused(pc, 'readl 0xffff0', /^not modelled: reading the BIOS image \(pc.bios\)/);
  refused(run(pc, 'outl 0xcf8 0x80000860').state, 'outl 0xcfc 0x80808080', /PIIX3 PIRQ routing/);
  refused(run(q35, 'outl 0xcf8 0x8000f8f0').state, 'outl 0xcfc 0xfed1c001', /ICH9-LPC RCBA/);
  refused(run(pc, 'outl 0xcf8 0x80000904').state, 'outw 0xcfc 0x1', /piix3-ide's command register/);
  // q35's INTX_DISABLE is modelled (the INTx pins re-sent through ICH9's PIRQ map: test/replay/qemu-fuzz/intx-disable-toggle-q35).
  assert.deepEqual(run(q35, 'outl 0xcf8 0x80000004', 'outw 0xcfc 0x400', 'inw 0xcfc').out, ['OK', 'OK', 'OK 0x0400']);
});
