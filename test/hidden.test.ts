// engine/hidden.ts: a value stamped onto an object out of sight. What the engine relies on: it reads back what was
// set (the last value when set again), per slot and per object; nothing that looks at the object's value sees it
// (keys, symbols, JSON, spread, deepStrictEqual); frozen objects take one too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hiddenSlot } from '../engine/hidden';

test('a hidden slot reads back what was set on that object, per slot, and nothing else sees it', () => {
  const a = hiddenSlot<number>();
  const b = hiddenSlot<string>();
  const list = [1, 2, 3];
  const obj = { x: 1 };
  assert.equal(a.get(list), undefined);
  a.set(list, 7);
  b.set(list, 'seven');
  a.set(obj, 8);
  assert.equal(a.get(list), 7);
  assert.equal(b.get(list), 'seven');
  assert.equal(a.get(obj), 8);
  assert.equal(b.get(obj), undefined);
  assert.equal(a.get([1, 2, 3]), undefined, 'another object of the same value has none');
  a.set(list, 9);
  assert.equal(a.get(list), 9, 'set again: the last value');
  // Out of sight.
  assert.deepEqual(Reflect.ownKeys(list), ['0', '1', '2', 'length']);
  assert.deepEqual(Reflect.ownKeys(obj), ['x']);
  assert.equal(JSON.stringify(obj), '{"x":1}');
  assert.deepStrictEqual(obj, { x: 1 });
  assert.deepStrictEqual(list, [1, 2, 3]);
  assert.equal(a.get({ ...obj }), undefined, 'a spread does not carry it');
  assert.equal(a.get(list.slice()), undefined, 'a copy does not carry it');
  const frozen = Object.freeze([4]);
  a.set(frozen, 10);
  assert.equal(a.get(frozen), 10);
});
