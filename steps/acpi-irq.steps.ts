// Assertions on GPE/PM1 registers, the memory-hotplug slot registers, SCI and IRQ lines, the i8259s and
// the IOAPIC. Registers are read the way a guest reads them (qtest port I/O); controllers through `info pic`.

import { Then } from '@cucumber/cucumber';
import { parseInfoIrq, parseInfoPic } from './info-parse';
import { gpeFlow, MHP, pm1Base, programPmBaseFlow } from './guest.steps';
import { assertTable } from './compare';
import { sciRouteFlow } from './snapshot';
import { step } from './flow';
import type { HotplugWorld } from './world';
import { dataTable } from './step-args';

const h = (v: number) => '0x' + v.toString(16).padStart(2, '0');

Then('GPE0 status bit {int} is {bitstate}', step(function* (this: HotplugWorld, bit: number, set: boolean) {
  const p = yield* gpeFlow(this);
  const v = yield* this.portReadFlow('b', p.sts + (bit >> 3));
  if (((v >> (bit & 7)) & 1) !== (set ? 1 : 0)) throw new Error(`GPE0 status bit ${bit}: expected ${set ? 'set' : 'clear'}, status byte is ${h(v)}`);
}));

Then('GPE0 enable bit {int} is {bitstate}', step(function* (this: HotplugWorld, bit: number, set: boolean) {
  const p = yield* gpeFlow(this);
  const v = yield* this.portReadFlow('b', p.en + (bit >> 3));
  if (((v >> (bit & 7)) & 1) !== (set ? 1 : 0)) throw new Error(`GPE0 enable bit ${bit}: expected ${set ? 'set' : 'clear'}, enable byte is ${h(v)}`);
}));

Then('GPE0 {word} is {hex}', step(function* (this: HotplugWorld, reg: string, expected: number) {
  if (reg !== 'status' && reg !== 'enable') throw new Error(`GPE0 register is "status" or "enable", not "${reg}"`);
  const p = yield* gpeFlow(this);
  const v = yield* this.portReadFlow('b', reg === 'status' ? p.sts : p.en);
  if (v !== expected) throw new Error(`GPE0 ${reg}: expected ${h(expected)}, read ${h(v)}`);
}));

Then('PM1 {word} is {hex}', step(function* (this: HotplugWorld, reg: string, expected: number) {
  const off = { status: 0, enable: 2, control: 4 }[reg];
  if (off === undefined) throw new Error(`PM1 register is "status", "enable" or "control", not "${reg}"`);
  yield* programPmBaseFlow(this);
  const v = yield* this.portReadFlow('w', pm1Base(this) + off);
  if (v !== expected) throw new Error(`PM1 ${reg}: expected 0x${expected.toString(16).padStart(4, '0')}, read 0x${v.toString(16).padStart(4, '0')}`);
}));

Then('port {hex} reads {hex}', step(function* (this: HotplugWorld, port: number, expected: number) {
  const v = yield* this.portReadFlow('b', port);
  if (v !== expected) throw new Error(`inb 0x${port.toString(16)}: expected ${h(expected)}, read ${h(v)}`);
}));

// --- memory hotplug block ---------------------------------------------------------------------------
const FLAG_WORDS: Readonly<Record<string, number>> = { enabled: 1, inserting: 2, removing: 4 };
const flagWords = (v: number) => Object.entries(FLAG_WORDS).filter(([, b]) => v & b).map(([w]) => w).join(', ') || 'none';

function parseFlags(text: string): number {
  if (/^0x[0-9a-f]+$|^\d+$/i.test(text.trim())) return Number(text.trim());
  if (text.trim() === 'none') return 0;
  return text.split(/,\s*|\s+and\s+/).reduce((acc, w) => {
    const b = FLAG_WORDS[w.trim()];
    if (b === undefined) throw new Error(`unknown slot flag "${w}" (enabled, inserting, removing, none or a number)`);
    return acc | b;
  }, 0);
}

Then("the slot's status is {string}", function (this: HotplugWorld, expected: string) {
  if (this.lastRead === undefined) throw new Error("read the status first: When the guest reads the slot's status");
  const e = parseFlags(expected);
  if (this.lastRead !== e) throw new Error(`slot status: expected ${h(e)} (${flagWords(e)}), read ${h(this.lastRead)} (${flagWords(this.lastRead)})`);
});

Then('slot {slot} is {string}', step(function* (this: HotplugWorld, slot: number, expected: string) {
  yield* this.portWriteFlow('l', MHP.select, slot >>> 0);
  const v = yield* this.portReadFlow('b', MHP.flags);
  const e = parseFlags(expected);
  if (v !== e) throw new Error(`slot ${slot} flags: expected ${h(e)} (${flagWords(e)}), read ${h(v)} (${flagWords(v)})`);
}));

// --- SCI and IRQ lines --------------------------------------------------------------------------------
// The SCI's line is the one the machine routes it to (pc: GSI 9; q35: ICH9 ACPI_CTRL SCI_IRQ_SEL).
Then('SCI is {level}', step(function* (this: HotplugWorld, level: number) {
  const route = yield* sciRouteFlow(this);
  if (route.gsi === undefined) throw new Error(`SCI: cannot tell its line: ${route.how}; assert the line instead ("IRQ N is ${level ? 'high' : 'low'}")`);
  const got = this.irqLevels.get(route.gsi) ?? 0;
  if (got !== level) throw new Error(`SCI (${route.how}): expected ${level ? 'high' : 'low'}, it is ${got ? 'high' : 'low'} (IRQ lines so far: ${this.history.flatMap((e) => e.result.irqs).join(', ') || 'none'})`);
}));

Then('IRQ {int} is {level}', function (this: HotplugWorld, line: number, level: number) {
  const got = this.irqLevels.get(line) ?? 0;
  if (got !== level) throw new Error(`IRQ ${line}: expected ${level ? 'high' : 'low'}, it is ${got ? 'high' : 'low'}`);
});

Then('IRQ {int} was {word}', function (this: HotplugWorld, line: number, what: string) {
  const verb = { raised: 'raise', lowered: 'lower' }[what];
  if (!verb) throw new Error(`IRQ lines are "raised" or "lowered", not "${what}"`);
  if (!this.actionIrqs.includes(`IRQ ${verb} ${line}`)) throw new Error(`expected "IRQ ${verb} ${line}" from the last action, got: ${this.actionIrqs.join(', ') || 'no IRQ lines'}`);
});

Then('no IRQ line changed', function (this: HotplugWorld) {
  if (this.actionIrqs.length) throw new Error(`expected no IRQ line changes from the last action, got: ${this.actionIrqs.join(', ')}`);
});

Then('the IRQ lines were {string}', function (this: HotplugWorld, expected: string) {
  const got = this.actionIrqs.join(', ');
  if (got !== expected) throw new Error(`IRQ lines of the last action\n  expected: ${expected}\n  actual:   ${got || '(none)'}`);
});

// --- i8259 and IOAPIC (`info pic`) ---------------------------------------------------------------------
Then('the i8259s are:', step(function* (this: HotplugWorld, table: { raw(): string[][] }) {
  dataTable(table);
  const pic = parseInfoPic(yield* this.hmpTextFlow('info pic'));
  const rows = table.raw().slice(1).map((r) => r[0]);
  const name = (chip: string) => ({ master: 'pic0', slave: 'pic1', pic0: 'pic0', pic1: 'pic1' }[chip] ?? chip);
  const actual = rows.map((chip) => {
    const c = pic.pics[name(chip)];
    return c ? { chip, irr: h(c.irr), imr: h(c.imr), isr: h(c.isr), elcr: h(c.elcr) } : { chip: `${chip} (not found)` };
  });
  const normalized = table.raw().map((r, i) => (i === 0 ? r : r.map((c, j) => (j === 0 ? c : /^0x/i.test(c) ? h(Number(c)) : c))));
  assertTable('i8259 state (info pic) differs', normalized, actual);
}));

Then('the {word} i8259 IRR is {hex}', step(function* (this: HotplugWorld, chip: string, expected: number) {
  const pic = parseInfoPic(yield* this.hmpTextFlow('info pic'));
  const c = pic.pics[chip === 'slave' ? 'pic1' : chip === 'master' ? 'pic0' : chip];
  if (!c) throw new Error(`no i8259 "${chip}" (master or slave) in info pic`);
  if (c.irr !== expected) throw new Error(`${chip} i8259 irr: expected ${h(expected)}, info pic shows ${h(c.irr)}`);
}));

Then('IOAPIC pin {int} is {string}', step(function* (this: HotplugWorld, pin: number, words: string) {
  const pic = parseInfoPic(yield* this.hmpTextFlow('info pic'));
  const p = pic.ioapic?.pins.find((x) => x.pin === pin);
  if (!p) throw new Error(`IOAPIC pin ${pin} not found in info pic`);
  const have = [p.masked ? 'masked' : 'unmasked', p.trigger, p.polarity].join(' ');
  for (const w of words.split(/,\s*|\s+and\s+|\s+/).filter(Boolean)) {
    if (!have.split(' ').includes(w)) throw new Error(`IOAPIC pin ${pin}: expected "${words}", it is ${have}`);
  }
}));

Then('the IOAPIC IRR is {string}', step(function* (this: HotplugWorld, expected: string) {
  const pic = parseInfoPic(yield* this.hmpTextFlow('info pic'));
  const got = pic.ioapic?.irr.length ? pic.ioapic.irr.join(' ') : '(none)';
  if (got !== expected) throw new Error(`IOAPIC IRR: expected ${expected}, info pic shows ${got}`);
}));

Then('{string} counted {int} rising edge(s) on line {int}', step(function* (this: HotplugWorld, provider: string, count: number, line: number) {
  const stats = parseInfoIrq(yield* this.hmpTextFlow('info irq'));
  const got = stats[provider]?.[line] ?? 0;
  if (got !== count) throw new Error(`info irq ${provider} line ${line}: expected ${count}, counted ${got}\n${JSON.stringify(stats)}`);
}));

Then('the IRQ counts are:', step(function* (this: HotplugWorld, table: { raw(): string[][] }) {
  dataTable(table);
  const stats = parseInfoIrq(yield* this.hmpTextFlow('info irq'));
  const rows = table.raw().slice(1);
  assertTable('info irq differs', table.raw(), rows.map(([p, l]) => ({ provider: p, line: l, count: stats[p]?.[Number(l)] ?? 0 })));
}));
