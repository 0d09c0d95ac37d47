// Failures that look like success (issue item 6): a feature that does not parse is a counted failure in the
// console summary, the topology report and junit.xml, and the other features still run; binary garbage and
// terminal escapes from a scenario file are never printed raw; a YAML alias bomb is a clear exit-2 error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT, repoPath } from '../paths';

const BIN = repoPath('bin', 'hotplug-scenarios.js');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
// eslint-disable-next-line no-control-regex
const RAW = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]|\x1b(?!\[[0-9;]*m)/;

test('a Gherkin parse error and a binary feature: counted as failures everywhere, the other features still run', () => {
  const r = run('run', 'test/hostile/bad-gherkin.feature', 'test/hostile/binary-garbage.feature', 'features/memory-hotplug-pc.feature');
  const all = r.out + r.err;
  assert.equal(r.code, 1, all);
  assert.match(all, /^scenarios: \d+ scenarios \(2 failed, \d+ passed\)$/m);
  assert.match(all, /Parse error in test\/hostile\/bad-gherkin\.feature:4: /);
  assert.match(all, /Parse error in test\/hostile\/binary-garbage\.feature:1: not a text file: control character or invalid UTF-8 \(\\x1b\)/);
  assert.doesNotMatch(all, RAW, 'raw control bytes reached the terminal');
  const junit = readFileSync(repoPath('reports', 'out', 'junit.xml'), 'utf8');
  assert.match(junit, /<testsuite [^>]*failures="2"/);
  assert.match(junit, /name="Gherkin parse error \(test\/hostile\/bad-gherkin\.feature:4\)"[^]*?<failure type="ParseError"/);
  const index = readFileSync(repoPath('reports', 'out', 'index.html'), 'utf8');
  assert.equal((index.match(/Gherkin parse error/g) ?? []).length >= 2, true);
  assert.doesNotMatch(index, RAW);
});

test('replay: terminal escapes in a step are shown escaped, never raw', () => {
  const r = run('replay', 'test/hostile/binary-garbage.yaml');
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out + r.err, RAW);
  assert.ok(r.out.includes('info \\x1b]0;pwned\\x07\\x1b[2J\\x1b[6n\\x9b'), r.out);
});

test('a YAML alias bomb: exit 2, the file named, no internal error', () => {
  const r = run('replay', 'test/hostile/alias-bomb.yaml');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^hotplug-scenarios: test\/hostile\/alias-bomb\.yaml: refused: too many YAML aliases/);
  assert.doesNotMatch(r.err, /internal error/);
});
