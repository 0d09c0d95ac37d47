// steps/world.ts: what a step logs (virsh's output under libvirt, a skip's reason) is attached as plain text, never
// as Cucumber's `log` media type (its html report renders that as HTML); with attachments off (the quick profiles,
// world parameter `attachments: false`) a log makes no attachment, as the After hook makes none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supportCodeLibraryBuilder } from '@cucumber/cucumber';
import { LOG_FILE_NAME } from '../reports/messages';

// steps/world.ts registers its World with Cucumber as it loads: outside a run, Cucumber's builder is opened first.
supportCodeLibraryBuilder.reset(process.cwd(), () => 'id');
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { HotplugWorld } = require('../steps/world') as typeof import('../steps/world');
type HotplugWorld = import('../steps/world').HotplugWorld;

function worldWith(parameters: Record<string, unknown>): { world: HotplugWorld; attached: unknown[][] } {
  const attached: unknown[][] = [];
  const world = new HotplugWorld({ attach: (...a: unknown[]) => void attached.push(a), log: () => assert.fail('Cucumber\'s own log is not used'), link: () => undefined, parameters } as never);
  return { world, attached };
}

test('a log is a plain-text attachment when attachments are on (the default)', () => {
  for (const parameters of [{ backend: 'model' }, { backend: 'model', attachments: true }]) {
    const { world, attached } = worldWith(parameters);
    world.log('$ virsh start --paused <img src=x onerror=alert(1)>\n[exit 0]');
    assert.deepEqual(attached, [['$ virsh start --paused <img src=x onerror=alert(1)>\n[exit 0]', { mediaType: 'text/plain', fileName: LOG_FILE_NAME }]]);
  }
});

test('with attachments off a log makes no attachment', () => {
  const { world, attached } = worldWith({ backend: 'model', attachments: false });
  world.log('$ virsh define d.xml\nDomain d defined\n[exit 0]');
  assert.deepEqual(attached, []);
});
