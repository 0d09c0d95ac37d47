// qtest's port I/O reads its port and value words through a fast path (quickUnsigned: plain hex or decimal words
// as numbers) in front of parseQemuUnsigned (qemu_strtou64). For every word the fast path answers, it must
// answer parseQemuUnsigned's value; and a port I/O line must do exactly what the same line does when its words
// take the general parse (a leading tab, which qemu_strtou64 skips, keeps them off the fast path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseQemuUnsigned, qtestLine, qtestWords, quickUnsigned } from '../engine/protocol/qtest';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';

const hexDigits = fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: 0, maxLength: 18 }).map((a) => a.join(''));
const words = fc.oneof(
  hexDigits.map((d) => `0x${d}`),
  hexDigits.map((d) => `0X${d}`),
  fc.bigInt({ min: 0n, max: (1n << 70n) }).map((n) => n.toString()),
  fc.bigInt({ min: 0n, max: (1n << 70n) }).map((n) => `0${n.toString(8)}`),
  fc.tuple(fc.constantFrom('', '-', '+', ' ', '\t', '00', '0x0'), fc.nat()).map(([p, n]) => `${p}${n}`),
  fc.string({ maxLength: 17 }),
  fc.constantFrom('0', '00', '0x', '08', '1e3', '0x1g', '१२'),
);

test('quickUnsigned answers only with parseQemuUnsigned\'s value', () => {
  fc.assert(
    fc.property(words, (w) => {
      const q = quickUnsigned(w);
      if (q !== undefined) assert.equal(BigInt(q), parseQemuUnsigned(w), w);
    }),
    { numRuns: 20000 },
  );
  // ... and it does answer for the usual words.
  for (const w of ['0', '1', '0xafe0', '0XAFE2', '0x08', '0x1ffffffffffff', '123456789012345']) assert.equal(BigInt(quickUnsigned(w)!), parseQemuUnsigned(w), w);
});

function outcome(f: () => ReturnType<typeof qtestLine>) {
  try {
    const r = f();
    return { reply: r.reply, events: r.fx.events, irqs: r.fx.irqs, trace: r.fx.trace, traceEvents: r.fx.traceEvents, state: r.state };
  } catch (e) {
    return { threw: (e as Error).message };
  }
}

test('port I/O lines do the same with their words on the fast path and off it', () => {
  const start = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G', '7.2');
  assert.ok(start.ok);
  // A plugged DIMM and an intercepted IOAPIC, so the memory hotplug and GPE ports have something to show.
  let s = start.state;
  for (const a of [
    { kind: 'qmp' as const, command: { execute: 'object-add', arguments: { 'qom-type': 'memory-backend-ram', id: 'm0', size: 1073741824 } } },
    { kind: 'qmp' as const, command: { execute: 'device_add', arguments: { driver: 'pc-dimm', id: 'd0', memdev: 'm0' } } },
    { kind: 'qtest' as const, line: 'irq_intercept_in ioapic' },
  ]) s = reduce(s, a).state;
  const ports = fc.oneof(fc.constantFrom(0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0xa00, 0xa04, 0xa08, 0xa14, 0xafe0, 0xafe2, 0xafe3, 0xb000, 0x10000), fc.integer({ min: 0, max: 0x1ffff }));
  const values = fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  fc.assert(
    fc.property(fc.constantFrom('outb', 'outw', 'outl', 'inb', 'inw', 'inl'), ports, values, fc.boolean(), (cmd, port, value, hex) => {
      const pw = hex ? `0x${port.toString(16)}` : String(port);
      const vw = `0x${value.toString(16)}`;
      const line = (p: string, v: string) => (cmd.startsWith('out') ? `${cmd} ${p} ${v}` : `${cmd} ${p}`);
      const fast = outcome(() => qtestLine(s, line(pw, vw)));
      const slow = outcome(() => qtestLine(s, line(`\t${pw}`, `\t${vw}`)));
      // The refusal of a port above 0xffff quotes the word as given.
      if ('reply' in slow && typeof slow.reply === 'string') slow.reply = slow.reply.replace(`\t${pw}`, pw);
      assert.deepStrictEqual(fast, slow);
    }),
    { numRuns: 400 },
  );
});

test('qtestWords splits a request line as split(\' \') does', () => {
  // Lines of words, blanks (repeated, leading, trailing), other whitespace and any characters.
  const piece = fc.oneof(fc.constantFrom(' ', '  ', '\t', 'outb', 'inl', '0xafe0', '0x08', '', ' \u00a0'), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 3 }));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const line = parts.join('');
      assert.deepStrictEqual(qtestWords(line), line.split(' '), JSON.stringify(line));
    }),
    { numRuns: 20000 },
  );
  for (const line of ['', ' ', '  ', 'inb', 'inb ', ' inb', 'outb 0x4d1 0x02', 'outb  0x4d1 0x02 ', 'a b  c   d']) assert.deepStrictEqual(qtestWords(line), line.split(' '), line);
});
