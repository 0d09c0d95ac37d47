// parseStepJson (steps/step-json.ts) reads a feature's JSON by JSON.parse where that cannot differ from
// transcript/json.ts's parseJson: the same value (bigints included) or the same error, for any text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStepJson } from '../steps/step-json';
import { parseJson } from '../transcript/json';

function outcome(f: () => unknown): { value: unknown } | { threw: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

function same(text: string): void {
  assert.deepEqual(outcome(() => parseStepJson(text)), outcome(() => parseJson(text)), text);
}

const key = fc.oneof(fc.constantFrom('execute', 'arguments', 'id', 'a', '__proto__', 'k":', 'x\\"y', ''), fc.string({ maxLength: 6 }));
const num = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.constantFrom(2 ** 53, 2 ** 53 + 1, 1e400, -0, 0.1));
const leaf = fc.oneof(num, fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));

/** JSON text written by hand: keys may repeat, numbers are written as their digits (bigints too), spacing varies. */
const textArb: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf.map(writeLeaf), tie('object'), tie('array')),
  object: fc.tuple(fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }), fc.boolean(), fc.constantFrom('', ' ', '\n  '))
    .map(([entries, repeat, ws]) => {
      const es = repeat && entries.length > 0 ? [...entries, entries[0]] : entries;
      return `{${ws}${es.map(([k, v]) => `${JSON.stringify(k)}${ws}:${ws}${v}`).join(`,${ws}`)}${ws}}`;
    }),
  array: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
})).value as fc.Arbitrary<string>;

function writeLeaf(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : v === 1e400 ? '1e400' : JSON.stringify(v);
  return JSON.stringify(v);
}

test('parseStepJson: the same value or error as parseJson for hand-written JSON (repeated keys, big integers)', () => {
  fc.assert(fc.property(textArb, (t) => same(t)), { numRuns: 3000 });
});

test('parseStepJson: the same outcome for cut, spliced and arbitrary texts (malformed JSON keeps parseJson’s message)', () => {
  fc.assert(fc.property(textArb, fc.nat(), fc.nat(), fc.string({ maxLength: 3 }), (t, a, b, ins) => {
    const i = a % (t.length + 1);
    const j = b % (t.length + 1);
    same(t.slice(0, i));
    same(t.slice(0, i) + ins + t.slice(j));
  }), { numRuns: 2000 });
  fc.assert(fc.property(fc.string(), (t) => same(t)), { numRuns: 1000 });
});

test('parseStepJson: the cases that must not take JSON.parse', () => {
  for (const t of [
    '{"a":1,"a":2}', '{"a":1,"a":1}', '{"a":{"b":1,"b":2}}', '[{"x":1},{"x":2,"x":3}]', '{"a":"k\\":","a":1}',
    '{"addr":18446744073709551615}', '[9007199254740993]', '{"n":1234567890123456}', '{"__proto__":{"x":1}}', '"\\u0041"',
    '{"a":1', '', ' ', '\uFEFF{}', '{"a":1e400}', '{"a":-0}', '{"a": 1.50}',
  ]) same(t);
  assert.equal(typeof (parseStepJson('{"addr":18446744073709551615}') as { addr: unknown }).addr, 'bigint');
  assert.throws(() => parseStepJson('{"a":1,"a":2}'), /Duplicate key/);
});
