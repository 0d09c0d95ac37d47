// QMP's argument visitor finds "no undeclared argument" by counting (engine/protocol/qmp.ts undeclaredArgument).
// Against the plain computation (firstUnvisited over the filtered lists) for any arguments and members, names
// from Object.prototype ('toString', 'constructor', '__proto__') and undefined values included.
import { test } from 'node:test';
import fc from 'fast-check';
import { undeclaredArgument } from '../engine/protocol/qmp';
import { firstUnvisited } from '../engine/qom/unvisited';

const name = fc.constantFrom('id', 'size', 'path', 'value', 'node', 'toString', 'constructor', 'valueOf', 'x', 'y', 'a-b');
const value = fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ maxLength: 3 }), fc.boolean());

test('undeclaredArgument is firstUnvisited of the keys and members given a value', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), fc.uniqueArray(name, { maxLength: 6 }), (pairs, memberNames) => {
      const args: Record<string, unknown> = {};
      for (const [k, v] of pairs) args[k] = v;
      const members = memberNames.map((n) => ({ name: n }));
      const plain = firstUnvisited(Object.keys(args).filter((k) => args[k] !== undefined), members.filter((m) => args[m.name] !== undefined).map((m) => m.name));
      return undeclaredArgument(args, members) === plain;
    }),
    { numRuns: 10000 },
  );
});
