// Guest actions in words, translated to the port I/O a guest's ACPI code does (qtest), and raw qtest lines.
// pc: GPE0 at 0xafe0 (STS) / 0xafe2 (EN), fixed. q35: GPE0 at PMBASE+0x20 once the firmware has programmed
// PMBASE=0x600 and ACPI_EN. Memory hotplug block at 0x0a00: selector 0x00, OST event 0x04, OST status 0x08,
// flags 0x14 (read: enabled/inserting/removing; write: 0x02 clear insert, 0x04 clear remove, 0x08 eject).

import { Given, Then } from '@cucumber/cucumber';
import { gpePorts } from './snapshot';
import type { HotplugWorld } from './world';
import { docString } from './step-args';
import { drive, step, type Flow } from './flow';

export const MHP_BASE = 0x0a00;
export const MHP = { select: MHP_BASE + 0x00, ostEvent: MHP_BASE + 0x04, ostStatus: MHP_BASE + 0x08, flags: MHP_BASE + 0x14 } as const;

/** What the firmware does so the guest can reach the ACPI PM registers. */
export async function programPmBase(world: HotplugWorld): Promise<void> {
  return drive(programPmBaseFlow(world));
}

// Step bodies (steps/flow.ts): on the model they answer without a promise.
export function* programPmBaseFlow(world: HotplugWorld): Flow<void> {
  if (world.pmProgrammed) return;
  const lines = world.machineType === 'q35'
    // ICH9 LPC (00:1f.0): PMBASE (cfg 0x40) = 0x600, ACPI_CTRL (cfg 0x44) = ACPI_EN, SCI on IRQ 9.
    ? ['outl 0xcf8 0x8000f840', 'outl 0xcfc 0x601', 'outl 0xcf8 0x8000f844', 'outb 0xcfc 0x80']
    // PIIX4 PM (00:01.3): PM base (cfg 0x40) = 0xb000, PMIOSE (cfg 0x80 bit 0).
    : ['outl 0xcf8 0x80000b40', 'outl 0xcfc 0xb001', 'outl 0xcf8 0x80000b80', 'outb 0xcfc 0x01'];
  for (const l of lines) yield* world.qtestFlow(l);
  world.pmProgrammed = true;
}

/** PM1 event block base: pc 0xb000 and q35 0x600 as programmed above. */
export const pm1Base = (world: HotplugWorld) => (world.machineType === 'q35' ? 0x600 : 0xb000);

/** GPE0 ports; on q35 the firmware's PMBASE programming happens first, as it would before any guest ACPI code. */
export async function gpe(world: HotplugWorld): Promise<{ sts: number; en: number }> {
  return drive(gpeFlow(world));
}

export function* gpeFlow(world: HotplugWorld): Flow<{ sts: number; en: number }> {
  if (world.machineType === 'q35') yield* programPmBaseFlow(world);
  return gpePorts(world)!;
}

Given('the firmware enables the ACPI PM registers', step(function* (this: HotplugWorld) {
  yield* programPmBaseFlow(this);
}));

/** GPE0's status and enable halves are as wide as the gap between them: bits 0-15 on pc, 0-63 on q35. */
function gpeBit(world: HotplugWorld, p: { sts: number; en: number }, bit: number): void {
  const bits = (p.en - p.sts) * 8;
  if (!Number.isInteger(bit) || bit < 0 || bit >= bits) throw new Error(`GPE bit ${bit} does not exist: GPE0 of a ${world.machineType} machine has bits 0-${bits - 1}`);
}

/** The memory hotplug selector takes an unsigned 32-bit slot number. */
function slotNumber(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot > 0xffffffff) throw new Error(`slot ${slot}: the guest selects slots 0 to 4294967295 (an unsigned 32-bit write to 0xa00)`);
  return slot;
}

Given('the guest enables GPE bit {int}', step(function* (this: HotplugWorld, bit: number) {
  const p = yield* gpeFlow(this);
  gpeBit(this, p, bit);
  const en = yield* this.portReadFlow('b', p.en + (bit >> 3));
  yield* this.portWriteFlow('b', p.en + (bit >> 3), en | (1 << (bit & 7)));
}));

Given('the guest disables GPE bit {int}', step(function* (this: HotplugWorld, bit: number) {
  const p = yield* gpeFlow(this);
  gpeBit(this, p, bit);
  const en = yield* this.portReadFlow('b', p.en + (bit >> 3));
  yield* this.portWriteFlow('b', p.en + (bit >> 3), en & ~(1 << (bit & 7)));
}));

Given('the guest clears GPE status bit {int}', step(function* (this: HotplugWorld, bit: number) {
  const p = yield* gpeFlow(this);
  gpeBit(this, p, bit);
  yield* this.portWriteFlow('b', p.sts + (bit >> 3), 1 << (bit & 7)); // write-1-to-clear
}));

Given('the guest writes {hex} to GPE0 {word}', step(function* (this: HotplugWorld, value: number, reg: string) {
  if (reg !== 'status' && reg !== 'enable') throw new Error(`GPE0 register is "status" or "enable", not "${reg}"`);
  const p = yield* gpeFlow(this);
  yield* this.portWriteFlow('b', reg === 'status' ? p.sts : p.en, value);
}));

Given('the guest selects slot {slot}', step(function* (this: HotplugWorld, slot: number) {
  yield* this.portWriteFlow('l', MHP.select, slotNumber(slot));
}));

Given("the guest reads the slot's status", step(function* (this: HotplugWorld) {
  this.lastRead = yield* this.portReadFlow('b', MHP.flags);
}));

Given('the guest writes {hex} to the slot flags', step(function* (this: HotplugWorld, value: number) {
  yield* this.portWriteFlow('b', MHP.flags, value);
}));

function* slotWrite(world: HotplugWorld, slot: number, value: number): Flow<void> {
  yield* world.portWriteFlow('l', MHP.select, slotNumber(slot));
  yield* world.portWriteFlow('b', MHP.flags, value);
}

Given('the guest acknowledges the insertion in slot {slot}', step(function* (this: HotplugWorld, slot: number) {
  yield* slotWrite(this, slot, 0x02);
}));
Given('the guest acknowledges the removal in slot {slot}', step(function* (this: HotplugWorld, slot: number) {
  yield* slotWrite(this, slot, 0x04);
}));
Given('the guest ejects slot {slot}', step(function* (this: HotplugWorld, slot: number) {
  yield* slotWrite(this, slot, 0x08);
}));
Given('the guest reports OST event {hex} with status {hex} for slot {slot}', step(function* (this: HotplugWorld, ev: number, st: number, slot: number) {
  yield* this.portWriteFlow('l', MHP.select, slotNumber(slot));
  yield* this.portWriteFlow('l', MHP.ostEvent, ev);
  yield* this.portWriteFlow('l', MHP.ostStatus, st);
}));

/**
 * The guest's _E03 handler (\_SB.MHPC.MSCN): for every slot, select it; if inserting, notify and clear the
 * insert flag (0x02); else if removing, notify and clear the remove flag (0x04) — then OSPM ejects (0x08).
 * `slots` is the number of slots the DSDT's MDNR declares.
 */
Given('the guest handles the memory hotplug event for {int} slots', step(function* (this: HotplugWorld, slots: number) {
  for (let i = 0; i < slots; i++) {
    yield* this.portWriteFlow('l', MHP.select, i);
    const flags = yield* this.portReadFlow('b', MHP.flags);
    if (flags & 0x02) yield* this.portWriteFlow('b', MHP.flags, 0x02);
    else if (flags & 0x04) {
      yield* this.portWriteFlow('b', MHP.flags, 0x04);
      yield* this.portWriteFlow('b', MHP.flags, 0x08);
    }
  }
}));

// --- raw qtest --------------------------------------------------------------------------------------
Given('qtest runs {string}', step(function* (this: HotplugWorld, line: string) {
  if (/[\r\n]/.test(line)) throw new Error(`${this.uri}${this.stepLocation ? ':' + this.stepLocation.line : ''}: a qtest line must not contain a line break (\\r or \\n)`);
  yield* this.qtestFlow(line);
}));
Given('qtest runs:', step(function* (this: HotplugWorld, lines: string) {
  lines = docString(lines);
  for (const l of lines.split('\n').map((x) => x.trim()).filter((x) => x && !x.startsWith('#'))) {
    yield* this.qtestFlow(l);
    if (this.lastFailed) return;
  }
}));
Then('qtest {string} answers {string}', step(function* (this: HotplugWorld, line: string, expected: string) {
  const r = yield* this.qtestFlow(line);
  if (r.reply !== expected) throw new Error(`qtest ${line}\n  expected: ${expected}\n  actual:   ${String(r.reply)}`);
}));
