// files.ts remembers the text of the last read of a path, keyed on the file's device, inode, size and
// modification and status-change times; steps/machine-yaml.ts remembers a description's options per text. A file
// changed between two reads must be read again (and refused again when it became something not to read), and a
// refusal must name its own place every time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRefusal, forgetReads, readSuiteFile } from '../files';
import { machineFromYaml } from '../steps/machine-yaml';

const tmp = fs.mkdtempSync(join(tmpdir(), 'file-memo-'));
const dir = join(tmp, 'domains');
fs.mkdirSync(dir);
fs.writeFileSync(join(tmp, 'outside.xml'), '<outside/>');
const file = join(dir, 'a.xml');

/** The fs module itself (an `import *` is a read-only copy of its bindings), to count files.ts's opens. */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nodeFs = require('node:fs') as { openSync: typeof fs.openSync };

/** readSuiteFile of a.xml, and how many times a file was opened for it. */
function read(maxBytes = 1024): { text: string; opened: number } {
  const open = nodeFs.openSync;
  let opened = 0;
  nodeFs.openSync = ((...a: Parameters<typeof fs.openSync>) => {
    opened++;
    return open(...a);
  }) as typeof fs.openSync;
  try {
    return { text: readSuiteFile(dir, 'a.xml', maxBytes, 'features/domains/'), opened };
  } finally {
    nodeFs.openSync = open;
  }
}
const refused = (re: RegExp) => assert.throws(() => read(), (e: Error) => e instanceof FileRefusal && re.test(e.message));

test('an unchanged file is read once, then answered from memory', () => {
  forgetReads();
  fs.writeFileSync(file, '<domain>one</domain>');
  assert.deepEqual(read(), { text: '<domain>one</domain>', opened: 1 });
  assert.deepEqual(read(), { text: '<domain>one</domain>', opened: 0 });
  assert.deepEqual(read(), { text: '<domain>one</domain>', opened: 0 });
});

test('a file changed between reads is read again, even at the same size and modification time', () => {
  forgetReads();
  fs.writeFileSync(file, '<domain>one</domain>');
  const t = new Date('2025-01-02T03:04:05Z'); // whole seconds: set back exactly
  fs.utimesSync(file, t, t);
  assert.equal(read().text, '<domain>one</domain>');
  // Rewritten in place: same size, modification time set back (only the status-change time tells).
  fs.writeFileSync(file, '<domain>two</domain>');
  fs.utimesSync(file, t, t);
  assert.deepEqual(read(), { text: '<domain>two</domain>', opened: 1 });
  // Replaced by another file (another inode) of the same size and times.
  fs.writeFileSync(join(dir, 'b.tmp'), '<domain>three</domain>'.slice(0, 20));
  fs.utimesSync(join(dir, 'b.tmp'), t, t);
  fs.renameSync(join(dir, 'b.tmp'), file);
  assert.deepEqual(read(), { text: '<domain>three</domai', opened: 1 });
  // Grown.
  fs.appendFileSync(file, 'n>');
  assert.deepEqual(read(), { text: '<domain>three</domain>', opened: 1 });
  assert.deepEqual(read(), { text: '<domain>three</domain>', opened: 0 });
});

test('a file that became something not to read is refused as on a first read', () => {
  forgetReads();
  fs.writeFileSync(file, '<domain/>');
  assert.equal(read().text, '<domain/>');
  fs.writeFileSync(file, Buffer.alloc(2048, 0x20));
  refused(/a.xml is too large: 2048 bytes \(at most 1024\)/);
  fs.writeFileSync(file, '<domain/>');
  assert.equal(read().text, '<domain/>');
  assert.throws(() => readSuiteFile(dir, 'a.xml', 4, 'features/domains/'), /too large: 9 bytes \(at most 4\)/, 'a smaller bound for the same path');
  fs.rmSync(file);
  refused(/no file features\/domains\/a.xml/);
  fs.symlinkSync(join(tmp, 'outside.xml'), file);
  refused(/leads outside features\/domains\/ \(a symbolic link\)/);
  fs.rmSync(file);
  execFileSync('mkfifo', [file]);
  refused(/a.xml is not a regular file \(a FIFO\)/);
  fs.rmSync(file);
  fs.mkdirSync(file);
  refused(/a.xml is a directory, not a file/);
  fs.rmdirSync(file);
  fs.writeFileSync(file, '<domain>back</domain>');
  assert.deepEqual(read(), { text: '<domain>back</domain>', opened: 1 });
});

test('machine YAML: the same text gives the same options; a refusal names its own place every time', () => {
  const ok = 'type: q35\nmemory: 1G\nslots: 2\nmaxmem: 4G\n';
  assert.equal(machineFromYaml(ok, 'a.yaml'), '-M q35 -m 1G,slots=2,maxmem=4G');
  assert.equal(machineFromYaml(ok, 'b.yaml', 7), '-M q35 -m 1G,slots=2,maxmem=4G');
  assert.equal(machineFromYaml(ok.replace('q35', 'pc'), 'a.yaml'), '-M pc -m 1G,slots=2,maxmem=4G');
  const bad = 'type: pc\nmemroy: 1G\n';
  assert.throws(() => machineFromYaml(bad, 'features/a.feature', 10), /^Error: features\/a.feature:11: unknown key 'memroy'/);
  assert.throws(() => machineFromYaml(bad, 'features/b.feature', 20), /^Error: features\/b.feature:21: unknown key 'memroy'/);
});
