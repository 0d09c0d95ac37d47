// Hostile XML (issue: "parser cost and crashes"): libvirt/xml.ts parses in linear time, with libxml2's limits
// (depth 256, attribute values up to 10,000,000 bytes, only XML characters in references) and libxml2's first
// error at libxml2's cursor, as recorded from libxml2 2.9.14 itself (test/hostile/xml/libxml2-errors.json).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEVICE_DOC, errorContext, parseXml } from '../libvirt/xml';
import { formatLibvirtError } from '../libvirt';
import { repoPath } from '../paths';

type Gen = { gen: 'deep' | 'attr' | 'text'; n: number };
interface Case { input: string | Gen; error: { line: number; cur: number; message: string } | null }

function build(c: string | Gen): string {
  if (typeof c === 'string') return c;
  if (c.gen === 'deep') return '<a>'.repeat(c.n) + '</a>'.repeat(c.n);
  if (c.gen === 'attr') return `<a b="${'x'.repeat(c.n)}"/>`;
  return `<a>${'x'.repeat(c.n)}</a>`;
}

const cases = JSON.parse(readFileSync(repoPath('test', 'hostile', 'xml', 'libxml2-errors.json'), 'utf8')) as Case[];

test('every recorded libxml2 verdict: the same first error, line and cursor (or a tree when libxml2 accepts)', () => {
  for (const c of cases) {
    const text = build(c.input);
    const label = typeof c.input === 'string' ? JSON.stringify(c.input) : JSON.stringify(c.input);
    const r = parseXml(text, DEVICE_DOC);
    if (c.error === null) {
      assert.ok(r.ok, `${label}: libxml2 accepts it, got ${r.ok ? '' : formatLibvirtError(r.error).slice(0, 200)}`);
      continue;
    }
    assert.ok(!r.ok, `${label}: libxml2 refuses it with ${c.error.message}`);
    const msg = formatLibvirtError(r.error);
    const { context, pointer } = errorContext(text, c.error.cur);
    assert.equal(msg.split('\n')[0], `${DEVICE_DOC}:${c.error.line}: ${c.error.message}`, label);
    assert.ok(msg.endsWith(`\n${context}\n${pointer}`), `${label}: context and pointer at libxml2's cursor ${c.error.cur}`);
  }
});

test('linear time: 4 times the elements take about 4 times as long (50,000 siblings took 56 s before); a 32 MiB attribute', () => {
  const doc = (n: number) => `<domain>${'<memory model="dimm"><target><size unit="KiB">524288</size></target></memory>\n'.repeat(n)}</domain>`;
  const time = (n: number) => {
    const text = doc(n);
    const t0 = process.hrtime.bigint();
    const r = parseXml(text, DEVICE_DOC);
    assert.ok(r.ok && r.root.children.length === n);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  time(5_000); // warm-up
  const small = time(25_000);
  const large = time(100_000);
  assert.ok(large < 10 * small + 200, `25,000 elements: ${small} ms, 100,000: ${large} ms (quadratic would be 16 times)`);
  assert.ok(large < 20_000, `100,000 elements took ${large} ms`);
  const t0 = Date.now();
  const big = parseXml(`<a b="${'x'.repeat(32 << 20)}"/>`, DEVICE_DOC);
  assert.ok(!big.ok && /AttValue length too long/.test(formatLibvirtError(big.error).split('\n')[0]));
  assert.ok(Date.now() - t0 < 5000);
});

test('an attribute named __proto__ is an attribute, not a prototype', () => {
  const r = parseXml(`<a __proto__='x' constructor='y'/>`, DEVICE_DOC);
  assert.ok(r.ok);
  assert.equal(r.root.attrs['__proto__'], 'x');
  assert.equal(Object.getPrototypeOf(r.root.attrs), Object.prototype);
  assert.deepEqual(Object.keys(r.root.attrs), ['__proto__', 'constructor']);
});
