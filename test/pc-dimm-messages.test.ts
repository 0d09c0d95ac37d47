// memory_device_pre_plug asks for its release's message catalogue through a one-release memo (messagesFor): asked for
// the releases in any order, it must give what messagesOf gives for that release, message for message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { messagesFor } from '../engine/devices/pc-dimm';
import { messagesOf, qemuVersionData, QEMU_VERSIONS } from '../engine/versions';

const ARGS: readonly unknown[] = [4096n, 'x'];

test('messagesFor gives each release its own catalogue, whatever release was asked before', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...QEMU_VERSIONS), { minLength: 1, maxLength: 8 }), (versions) => {
      for (const v of versions) {
        const d = qemuVersionData(v);
        const got = messagesFor(d) as unknown as Record<string, (...a: unknown[]) => unknown>;
        const want = messagesOf(d) as unknown as Record<string, (...a: unknown[]) => unknown>;
        assert.deepEqual(Object.keys(got), Object.keys(want));
        for (const k of Object.keys(want)) {
          let w: unknown;
          try {
            w = want[k](...ARGS);
          } catch (e) {
            w = String(e);
          }
          let g: unknown;
          try {
            g = got[k](...ARGS);
          } catch (e) {
            g = String(e);
          }
          assert.deepEqual(g, w, `${v}: ${k}`);
        }
      }
    }),
    { numRuns: 40 },
  );
});
