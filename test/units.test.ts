import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, parseQemuSize, formatSize, hex, hexPad, alignUp, GiB, MiB, KiB, SizeError, sizeToStr } from '../engine/units';

test('parseSize reads the ways people write sizes', () => {
  assert.equal(parseSize('1G'), GiB);
  assert.equal(parseSize('512M'), 512n * MiB);
  assert.equal(parseSize('2097152 KiB'), 2n * GiB);
  assert.equal(parseSize('0x40000000'), GiB);
  assert.equal(parseSize('1073741824'), GiB);
  assert.equal(parseSize('1.5G'), GiB + 512n * MiB);
  assert.equal(parseSize('512', MiB), 512n * MiB);
  assert.equal(parseSize('0xffffffffffffffff'), (1n << 64n) - 1n);
});

test('parseSize refuses what is not a size, naming it', () => {
  assert.throws(() => parseSize('1Q'), (e: unknown) => e instanceof SizeError && /unknown unit 'Q'/.test(e.message));
  assert.throws(() => parseSize(''), SizeError);
  assert.throws(() => parseSize('ten'), /invalid size 'ten'/);
  assert.throws(() => parseSize('1.0000000001K'), /whole number of bytes/);
});

test('parseQemuSize follows qemu_strtosz: single-letter suffixes, default unit', () => {
  assert.equal(parseQemuSize('8G'), 8n * GiB);
  assert.equal(parseQemuSize('1024', 'M'), GiB);
  assert.equal(parseQemuSize('4k'), 4n * KiB);
  assert.equal(parseQemuSize('0x1000'), 4096n);
  assert.equal(parseQemuSize('1.5G'), GiB + 512n * MiB);
  assert.equal(parseQemuSize('12X'), undefined);
  assert.equal(parseQemuSize('20E'), undefined); // beyond 2^64-1
});

test('printing: hex, padded hex, human sizes', () => {
  assert.equal(hex(0x100000000n), '0x100000000');
  assert.equal(hexPad(0xfec00000n, 16), '00000000fec00000');
  assert.equal(formatSize(GiB), '1G');
  assert.equal(formatSize(512n * MiB), '512M');
  assert.equal(formatSize(3n), '3');
  assert.equal(formatSize(0n), '0');
  assert.equal(alignUp(0x180001000n, 2n * MiB), 0x180200000n);
});

test("sizeToStr prints as QEMU's size_to_str (%0.3g in the unit below 1000)", () => {
  assert.equal(sizeToStr(0n), '0 B');
  assert.equal(sizeToStr(999n), '999 B');
  assert.equal(sizeToStr(1000n), '0.977 KiB');
  assert.equal(sizeToStr(1023n), '0.999 KiB');
  assert.equal(sizeToStr(4096n), '4 KiB');
  assert.equal(sizeToStr(GiB), '1 GiB');
  assert.equal(sizeToStr(1536n * MiB), '1.5 GiB');
  assert.equal(sizeToStr(3000n * MiB), '2.93 GiB');
  assert.equal(sizeToStr(32n * GiB), '32 GiB');
  assert.equal(sizeToStr(1000n * MiB), '0.977 GiB');
});
