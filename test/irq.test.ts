// i8259 / IOAPIC / GSI fan-out and the `info pic` / `info irq` texts, against QEMU 7.2.22 observations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';
import { infoIrq, infoPic } from '../engine/protocol/hmp-irq';
import { setGsi } from '../engine/irq/gsi';
import type { MachineState } from '../engine/state';

function start(cmd: string): MachineState {
  const b = buildFromCommandLine(cmd);
  if (!b.ok) throw new Error(`build failed: ${JSON.stringify(b)}`);
  return b.state;
}
function qt(state: MachineState, ...lines: string[]): { state: MachineState; out: string[]; irqs: string[] } {
  const out: string[] = [];
  const irqs: string[] = [];
  for (const l of lines) {
    const r = reduce(state, { kind: 'qtest', line: l });
    state = r.state;
    out.push(String(r.reply));
    irqs.push(...r.irqs);
  }
  return { state, out, irqs };
}
const pins = (ver: string, irr = '(none)') => [`ioapic0: ver=${ver} id=0x00 sel=0x00`,
  ...Array.from({ length: 24 }, (_, i) => `  pin ${String(i).padEnd(2)} 0x0000000000010000 dest=0 vec=0   active-hi edge  masked fixed  physical`),
  `  IRR      ${irr}`, '  Remote IRR (none)'];

test('reset state: info pic and info irq (TCG counts the PIT start-up raise of IRQ 0)', () => {
  const s = start('-M pc -m 1G,slots=4,maxmem=8G');
  assert.equal(infoPic(s), [...pins('0x20'), 'pic1: irr=00 imr=00 isr=00 hprio=0 irq_base=00 rr_sel=0 elcr=00 fnm=0',
    'pic0: irr=00 imr=00 isr=00 hprio=0 irq_base=00 rr_sel=0 elcr=00 fnm=0'].join('\r\n') + '\r\n');
  assert.equal(infoIrq(s), 'IRQ statistics for ioapic:\r\n 0: 1\r\nIRQ statistics for isa-i8259:\r\n 0: 1\r\n');
  const k = start('-M pc -m 1G,slots=4,maxmem=8G -accel kvm');
  assert.equal(infoIrq(k), 'IRQ statistics for kvm-ioapic:\r\nIRQ statistics for kvm-i8259:\r\n');
  assert.ok(infoPic(k).startsWith('ioapic0: ver=0x11 id=0x00 sel=0x00\r\n'));
});

test('SCI on GSI 9, edge ELCR: slave irr=02, master irr=04 (cascade), both stay latched after lowering', () => {
  let s = start('-M pc -m 1G,slots=4,maxmem=8G');
  s = setGsi(s, 9, 1).state;
  s = setGsi(s, 9, 0).state;
  const text = infoPic(s);
  assert.match(text, /pic1: irr=02 imr=00/);
  assert.match(text, /pic0: irr=04 imr=00/);
  assert.match(text, /  IRR      \(none\)\r\n/);
  assert.equal(infoIrq(s), 'IRQ statistics for ioapic:\r\n 0: 1\r\n 9: 1\r\nIRQ statistics for isa-i8259:\r\n 0: 1\r\n 2: 1\r\n 9: 1\r\n');
});

test('KVM: IOAPIC IRR follows the masked line, no cascade count', () => {
  let s = start('-M pc -m 1G,slots=4,maxmem=8G -accel kvm');
  s = setGsi(s, 9, 1).state;
  assert.match(infoPic(s), /  IRR      9  \r\n/);
  assert.equal(infoIrq(s), 'IRQ statistics for kvm-ioapic:\r\n 9: 1\r\nIRQ statistics for kvm-i8259:\r\n 9: 1\r\n');
  s = setGsi(s, 9, 0).state;
  assert.match(infoPic(s), /  IRR      \(none\)\r\n/);
  assert.match(infoPic(s), /pic1: irr=02/);
});

test('level ELCR makes IRR follow the line; OCW3 selects IRR/ISR; ELCR writes are masked', () => {
  let s = start('-M pc -m 1G,slots=4,maxmem=8G');
  let r = qt(s, 'outb 0x4d1 0xff', 'inb 0x4d1', 'outb 0x4d0 0xff', 'inb 0x4d0', 'outb 0x4d1 0x02', 'outb 0xa0 0x0a');
  assert.deepEqual(r.out, ['OK', 'OK 0x00de', 'OK', 'OK 0x00f8', 'OK', 'OK']);
  s = setGsi(r.state, 9, 1).state;
  assert.deepEqual(qt(s, 'inb 0xa0').out, ['OK 0x0002']);
  s = setGsi(s, 9, 0).state;
  r = qt(s, 'inb 0xa0', 'inb 0x20', 'outb 0xa0 0x0b', 'inb 0xa0');
  assert.deepEqual(r.out, ['OK 0x0000', 'OK 0x0004', 'OK', 'OK 0x0000'], 'master IRQ2 stays latched (edge only)');
});

test('ICW1-4, poll mode acknowledge, EOI and info pic fields', () => {
  let s = start('-M pc -m 1G,slots=4,maxmem=8G');
  s = qt(s, 'outb 0x20 0x11', 'outb 0x21 0x20', 'outb 0x21 0x04', 'outb 0x21 0x01', 'outb 0xa0 0x11', 'outb 0xa1 0x28', 'outb 0xa1 0x02', 'outb 0xa1 0x01').state;
  s = setGsi(s, 9, 1).state;
  const r = qt(s, 'outb 0xa0 0x0c', 'inb 0xa0', 'inb 0xa0');
  assert.deepEqual(r.out, ['OK', 'OK 0x0081', 'OK 0x0000']);
  assert.match(infoPic(r.state), /pic1: irr=00 imr=00 isr=02 hprio=0 irq_base=28 rr_sel=0 elcr=00 fnm=0/);
  const e = qt(r.state, 'outb 0xa0 0x20');
  assert.match(infoPic(e.state), /pic1: irr=00 imr=00 isr=00/);
});

test('IOAPIC: version register, level-triggered unmasked pin sets remote IRR; EOI clears it; sel print wraps', () => {
  let s = start('-M pc -m 1G,slots=4,maxmem=8G');
  let r = qt(s, 'writel 0xfec00000 0x01', 'readl 0xfec00010', 'writel 0xfec00000 0x22', 'writel 0xfec00010 0x0000a031', 'writel 0xfec00000 0x00');
  assert.equal(r.out[1], 'OK 0x0000000000170020');
  s = setGsi(r.state, 9, 1).state;
  let text = infoPic(s);
  assert.match(text, /  pin 9  0x000000000000e031 dest=0 vec=49  active-lo level        fixed  physical\r\n/);
  assert.match(text, /  IRR      9  \r\n  Remote IRR 9  \r\n/);
  r = qt(s, 'writel 0xfec00040 0x31', 'writel 0xfec00000 0x01');
  text = infoPic(r.state);
  assert.match(text, /^ioapic0: ver=0x20 id=0x00 sel=0x01 \(redir\[4294967288\]\)\r\n/);
  assert.match(text, /  Remote IRR 9  \r\n/, 'EOI re-delivers while the line is high');
});

test('intercept reports exactly the level changes of IOAPIC inputs', () => {
  let s = qt(start('-M pc -m 1G,slots=4,maxmem=8G'), 'irq_intercept_in ioapic').state;
  const lines: string[] = [];
  for (const [n, l] of [[9, 1], [9, 1], [9, 0], [0, 1], [20, 1], [20, 0], [9, 0]] as const) {
    const t = setGsi(s, n, l);
    s = t.state;
    lines.push(...t.fx.irqs);
  }
  assert.deepEqual(lines, ['IRQ raise 9', 'IRQ lower 9', 'IRQ raise 0', 'IRQ raise 20', 'IRQ lower 20']);
});
