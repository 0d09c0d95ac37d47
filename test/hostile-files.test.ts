// Hostile file names (issue: "no file outside the suite", "no hang"): file steps stay inside their directory
// of features/, only regular files of bounded size are read (a FIFO, /dev/zero or a directory never blocks
// and never gives a raw EISDIR), and no message quotes the content of a file outside the suite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { FileRefusal, readRegularFile, readSuiteFile } from '../files';
import { loadReplayScenario } from '../transcript/replay-format';
import { ScenarioError } from '../backends/types';
import { REPO_ROOT, cucumberSupport, repoPath } from '../paths';

const tmp = fs.mkdtempSync(join(tmpdir(), 'hostile-files-'));
const suite = join(tmp, 'domains');
fs.mkdirSync(join(suite, 'devices'), { recursive: true });
fs.writeFileSync(join(suite, 'ok.xml'), '<domain/>');
fs.writeFileSync(join(tmp, 'secret.txt'), 'SECRET-CONTENT');
fs.symlinkSync(join(tmp, 'secret.txt'), join(suite, 'link.xml'));
fs.symlinkSync('/dev/zero', join(suite, 'zero.xml'));
execFileSync('mkfifo', [join(suite, 'fifo.xml')]);
fs.writeFileSync(join(suite, 'big.xml'), Buffer.alloc(2048, 0x20));

const refused = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof FileRefusal && re.test(e.message) && !e.message.includes('SECRET'));

test('readSuiteFile: inside the directory only, regular files only, bounded', () => {
  assert.equal(readSuiteFile(suite, 'ok.xml', 1024, 'features/domains/'), '<domain/>');
  refused(() => readSuiteFile(suite, '../secret.txt', 1024, 'features/domains/'), /'..\/secret.txt' is outside features\/domains\//);
  refused(() => readSuiteFile(suite, join(tmp, 'secret.txt'), 1024, 'features/domains/'), /is an absolute path/);
  refused(() => readSuiteFile(suite, 'link.xml', 1024, 'features/domains/'), /leads outside features\/domains\/ \(a symbolic link\)/);
  refused(() => readSuiteFile(suite, 'zero.xml', 1024, 'features/domains/'), /leads outside/);
  refused(() => readSuiteFile(suite, 'fifo.xml', 1024, 'features/domains/'), /features\/domains\/fifo.xml is not a regular file \(a FIFO\)/);
  refused(() => readSuiteFile(suite, 'devices', 1024, 'features/domains/'), /features\/domains\/devices is a directory, not a file/);
  refused(() => readSuiteFile(suite, 'big.xml', 1024, 'features/domains/'), /big.xml is too large: 2048 bytes \(at most 1024\)/);
  refused(() => readSuiteFile(suite, 'nope.xml', 1024, 'features/domains/'), /no file features\/domains\/nope.xml/);
  refused(() => readRegularFile('/dev/zero', 1024), /\/dev\/zero is not a regular file \(a character device\)/);
});

test('replay files: a FIFO, /dev/zero and a directory are refused at once, with exit-2 errors', () => {
  const t0 = Date.now();
  for (const [file, re] of [
    [join(suite, 'fifo.xml'), /is not a regular file \(a FIFO\)/],
    ['/dev/zero', /is not a regular file \(a character device\)/],
    [repoPath('test', 'hostile', 'dir-scenario.yaml'), /is a directory, not a file/],
  ] as const) {
    assert.throws(() => loadReplayScenario(file), (e: Error) => e instanceof ScenarioError && re.test(e.message) && !/EISDIR/.test(e.message), file);
  }
  assert.ok(Date.now() - t0 < 2000, 'no read blocked');
});

test('file steps of a feature: confined to features/, clear messages, no content of /etc/passwd', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'hostile-files-run-'));
  fs.writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({ default: { ...cucumberSupport(), format: ['progress'] } }));
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '--config', relative(REPO_ROOT, join(dir, 'cucumber.json')), repoPath('test', 'hostile', 'files.feature')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 1, out);
  assert.match(out, /6 scenarios \(6 failed\)/);
  const firstLine = fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0];
  assert.ok(!out.includes(firstLine), 'the first line of /etc/passwd was printed');
  assert.ok(!out.includes('root:x:'), 'content of /etc/passwd was printed');
  assert.match(out, /'..\/..\/..\/..\/..\/..\/..\/..\/etc\/passwd' is outside features\/domains\//);
  assert.match(out, /'\/etc\/passwd' is an absolute path: a scenario may only name files inside features\/domains\//);
  assert.match(out, /features\/domains\/devices is a directory, not a file/);
  assert.match(out, /'..\/..\/..\/..\/..\/..\/etc\/passwd' is outside features\//);
  assert.match(out, /'..\/..\/..\/..\/..\/..\/dev\/zero' is outside features\//);
  assert.doesNotMatch(out, /EISDIR/);
});
