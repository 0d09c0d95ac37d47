// object-add's visitor asks whether each schema member was given (engine/devices/object-add.ts memberGiven: the
// arguments' own keys listed once and searched) against the plain look-up `args[m] !== undefined`: the same answer for
// every member on the argument objects QMP and HMP make (plain objects from JSON or keyval, any keys, values of any
// type, undefined included), and an object-add outcome that does not depend on whether an absent member is an own key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { memberGiven, objectAdd } from '../engine/devices/object-add';
import { buildFromCommandLine } from '../engine/machine/build';
import { stringifyJson } from '../transcript/json';

const MEMBERS = [
  'dump', 'host-nodes', 'merge', 'policy', 'prealloc', 'prealloc-threads', 'prealloc-context', 'share', 'reserve', 'size',
  'x-use-canonical-path-for-ramblock-id', 'hugetlb', 'hugetlbsize', 'seal', 'align', 'discard-data', 'mem-path', 'pmem', 'readonly',
];
const key = fc.oneof(fc.constantFrom(...MEMBERS, 'qom-type', 'id', 'toString', 'constructor', '__proto__'), fc.string({ maxLength: 8 }));
const value = fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer(), fc.bigInt({ min: 0n, max: 1n << 40n }), fc.string({ maxLength: 6 }), fc.constant([0]));

/** An argument object as JSON.parse or a keyval loop makes it: keys set one by one on a plain object. */
function argsOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of entries) args[k] = v;
  return args;
}

test('memberGiven answers what the plain look-up answers', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(key, value), { maxLength: 8 }), (entries) => {
      const args = argsOf(entries);
      const keys = Object.keys(args);
      for (const m of MEMBERS) assert.equal(memberGiven(args, keys, m), args[m] !== undefined, m);
    }),
    { numRuns: 3000 },
  );
});

test('object-add gives what it gave with the plain look-up, on random arguments', () => {
  const built = buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G', '7.2');
  assert.ok(built.ok);
  const state = built.state;
  const type = fc.constantFrom('memory-backend-ram', 'memory-backend-memfd', 'memory-backend-file');
  fc.assert(
    fc.property(type, fc.array(fc.tuple(fc.constantFrom(...MEMBERS), value), { maxLength: 6 }), (qomType, entries) => {
      const args = argsOf([['qom-type', qomType], ['id', 'm0'], ['size', 1n << 28n], ...entries]);
      const run = (a: Record<string, unknown>, order: readonly string[]) => {
        try {
          const r = objectAdd(state, { mode: 'json', args: a, order });
          return stringifyJson(r.ok ? { ok: true, type: r.type, id: r.id, backends: r.state.backends } : { ok: false, error: r.error, hint: r.hint });
        } catch (e) {
          return `throws ${(e as Error).message}`;
        }
      };
      // The plain look-up cannot tell an absent member from one whose value is undefined: the same arguments with every
      // member an own key (undefined where not given), the keys given as before, must give the same outcome.
      const everyMember = argsOf([...MEMBERS.map((m) => [m, undefined] as const), ...Object.entries(args)]);
      assert.equal(run(args, Object.keys(args)), run(everyMember, Object.keys(args)));
    }),
    { numRuns: 1500 },
  );
});
