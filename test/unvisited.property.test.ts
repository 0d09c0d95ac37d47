// The QAPI visitor's "Parameter 'x' is unexpected" check (engine/qom/unvisited.ts) looks at the keys first and
// replays the GHashTable only when a key is left: for any keys and any visited members (present or not, in any
// order, repeated), it must name the same key as always replaying the table, and the commands that use it
// (object-add, a schema-checked QMP command) must refuse with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstUnvisited, firstUnvisitedInTable } from '../engine/qom/unvisited';
import { buildFromCommandLine } from '../engine/machine/build';
import { reduce } from '../engine/reduce';

const names = fc.oneof(
  fc.constantFrom('qom-type', 'id', 'size', 'share', 'prealloc', 'path', 'property', 'value', 'typename', 'memdev', 'command-line', 'x', 'a', 'b', 'c'),
  fc.string({ maxLength: 6 }),
);

test('firstUnvisited names what replaying the GHashTable names', () => {
  fc.assert(
    fc.property(fc.array(names, { maxLength: 40 }), fc.array(names, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 40 }), (keys, others, picks) => {
      // Visited: some of the keys (a few many times), some names that are not keys, in any order.
      const visited = [...picks.map((i) => keys[i % Math.max(1, keys.length)]).filter((k): k is string => k !== undefined), ...others];
      const shuffled = visited.map((k, i) => ({ k, o: (picks[i] ?? i) * 7919 % 97 })).sort((x, y) => x.o - y.o).map((e) => e.k);
      assert.equal(firstUnvisited(keys, shuffled), firstUnvisitedInTable(keys, shuffled));
      assert.equal(firstUnvisited(keys, keys), undefined);
      assert.equal(firstUnvisitedInTable(keys, keys), undefined);
    }),
    { numRuns: 3000 },
  );
});

test('object-add and qom-get refuse an undeclared argument with the key the table lists first', () => {
  const s = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G', '7.2');
  assert.ok(s.ok);
  fc.assert(
    fc.property(fc.uniqueArray(fc.constantFrom('zz', 'a', 'b', 'extra', 'x-y', 'q', 'path2', 'k9'), { minLength: 1, maxLength: 6 }), (extra) => {
      const oa = { 'qom-type': 'memory-backend-ram', id: 'm0', size: 1073741824, ...Object.fromEntries(extra.map((k) => [k, 1])) };
      const r1 = reduce(s.state, { kind: 'qmp', command: { execute: 'object-add', arguments: oa } });
      assert.deepEqual(r1.reply, { error: { class: 'GenericError', desc: `Parameter '${firstUnvisitedInTable(Object.keys(oa), ['qom-type', 'id', 'size'])}' is unexpected` } });
      const qg = { path: '/machine', property: 'type', ...Object.fromEntries(extra.map((k) => [k, 'v'])) };
      const r2 = reduce(s.state, { kind: 'qmp', command: { execute: 'qom-get', arguments: qg } });
      assert.deepEqual(r2.reply, { error: { class: 'GenericError', desc: `Parameter '${firstUnvisitedInTable(Object.keys(qg), ['path', 'property'])}' is unexpected` } });
    }),
    { numRuns: 200 },
  );
});
