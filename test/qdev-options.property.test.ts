// qdev_device_add's options (engine/devices/qdev.ts, addDevice): the keys in QDict order with each key's last value,
// found by optionKeysInQdictOrder and lastOption without a Map or intermediate lists. Against the plain computation
// addDevice made before (a Map of the last values, the QDict order of ['id', ...keys] filtered and mapped).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lastOption, optionKeysInQdictOrder } from '../engine/devices/qdev';
import { qdictOrder } from '../engine/qom/qdict';

const KEYS = ['memdev', 'slot', 'addr', 'node', 'size', 'bus', 'id', 'x', 'driver', 'foo-bar'];

function plain(props: readonly (readonly [string, string])[]): [string, string][] {
  const values = new Map<string, string>();
  for (const [k, v] of props) values.set(k, v);
  const ordered = qdictOrder(['id', ...props.map(([k]) => k)]).filter((k) => k !== 'id' && values.has(k));
  return ordered.map((k) => [k, values.get(k)!]);
}

function now(props: readonly (readonly [string, string])[]): [string, string][] {
  const out: [string, string][] = [];
  for (const key of optionKeysInQdictOrder(props)) {
    if (key === 'id') continue;
    const value = lastOption(props, key);
    if (value !== undefined) out.push([key, value]);
  }
  return out;
}

test('options in QDict order with their last values, as the Map and filtered lists gave them', () => {
  const prop = fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 4 })), fc.string({ maxLength: 3 }));
  fc.assert(
    fc.property(fc.array(prop, { maxLength: 8 }), (props) => {
      assert.deepEqual(now(props), plain(props));
      assert.equal(lastOption(props, 'bus'), new Map(props).get('bus'));
      // Asked again (the QDict order remembered), the same.
      assert.deepEqual(now(props), plain(props));
    }),
    { numRuns: 3000 },
  );
});
