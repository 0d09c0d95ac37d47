// backendProps' one-literal path for the usual backend (no host-nodes, no seal=off) against the plain spread form:
// the same properties with the same values in the same key order (JSON text), for every backend type, any given
// booleans and any host binding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backendProps, type BackendType, type HostBinding } from '../engine/devices/backends';
import { MODELLED_OBJECT_TYPES } from '../engine/devices/object-add';
import type { BackendPolicy } from '../engine/state';

/** The plain computation: conditional members spread in, then the defaults. */
function plain(type: BackendType, given: Readonly<Record<string, boolean>> = {}, binding?: HostBinding): unknown {
  return {
    ...(binding?.hostNodes?.length ? { hostNodes: binding.hostNodes } : {}),
    ...(type === 'memory-backend-memfd' && given.seal === false ? { seal: false } : {}),
    merge: given.merge ?? true,
    dump: given.dump ?? true,
    prealloc: given.prealloc ?? false,
    share: given.share ?? type === 'memory-backend-memfd',
    reserve: given.reserve ?? true,
    policy: binding?.policy ?? 'default',
  };
}

const BOOLS = ['dump', 'merge', 'prealloc', 'share', 'reserve', 'seal', 'hugetlb', 'discard-data'];
const POLICIES: readonly BackendPolicy[] = ['default', 'preferred', 'bind', 'interleave'];

test('backendProps gives what the plain spread gives, key order included', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...MODELLED_OBJECT_TYPES),
      fc.option(fc.dictionary(fc.constantFrom(...BOOLS), fc.boolean()), { nil: undefined }),
      fc.option(fc.record({ policy: fc.option(fc.constantFrom(...POLICIES), { nil: undefined }), hostNodes: fc.option(fc.array(fc.nat(3), { maxLength: 3 }), { nil: undefined }) }, { requiredKeys: [] }), { nil: undefined }),
      (type, given, binding) => {
        const got = backendProps(type, given, binding);
        const want = plain(type, given, binding);
        assert.equal(JSON.stringify(got), JSON.stringify(want));
        assert.deepStrictEqual(got, want);
      },
    ),
    { numRuns: 2000 },
  );
});
