// The preflight (reports/preflight.ts) checks features quickly with Gherkin alone when the run's features are
// simple to tell, and goes through Cucumber's own configuration otherwise; either way a feature that does not
// parse is found, also behind a symbolic link, and a tree of good features is left as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { preflight } from '../reports/preflight';

const GOOD = 'Feature: f\n  Scenario: s\n    Given a step\n';
const BAD = 'Feature: x\n  Scenario: y\n    Given a\n  Nonsense here\n';

function project(files: Record<string, string>, yaml = 'default:\n  format: [progress]\n'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
  writeFileSync(path.join(dir, 'cucumber.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function badOf(dir: string, args: string[] = []): Promise<string[]> {
  try {
    return (await preflight(args, dir)).bad.map((b) => path.basename(b.uri)).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('good features: nothing bad, the arguments unchanged', async () => {
  const dir = project({ 'features/a.feature': GOOD, 'features/sub/b.feature': GOOD });
  try {
    for (const args of [[], ['-p', 'default'], ['features/a.feature']]) {
      const p = await preflight(args, dir);
      assert.deepEqual(p.bad, []);
      assert.deepEqual(p.args, args);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad feature is found however the run is given', async () => {
  assert.deepEqual(await badOf(project({ 'features/a.feature': GOOD, 'features/bad.feature': BAD })), ['bad.feature']);
  assert.deepEqual(await badOf(project({ 'features/a.feature': GOOD, 'features/bad.feature': BAD }), ['-p', 'default']), ['bad.feature']);
  const linked = project({ 'features/a.feature': GOOD, 'elsewhere/bad.feature': BAD });
  symlinkSync(path.join(linked, 'elsewhere'), path.join(linked, 'features', 'more'));
  assert.deepEqual(await badOf(linked), ['bad.feature'], 'behind a symbolic link');
});

test('a rerun file\'s features are checked; a tag expression is not taken for a rerun file', async () => {
  assert.deepEqual(await badOf(project({ 'features/a.feature': GOOD, 'other/bad.feature': BAD, '@rerun.txt': 'other/bad.feature\n' }), ['@rerun.txt']), ['bad.feature']);
  assert.deepEqual(await badOf(project({ 'features/a.feature': GOOD, 'features/bad.feature': BAD }), ['--tags', '@x']), ['bad.feature']);
  const dir = project({ 'features/a.feature': GOOD });
  try {
    const p = await preflight(['--tags', '@x'], dir);
    assert.deepEqual(p.bad, []);
    assert.deepEqual(p.args, ['--tags', '@x']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('features found good are remembered by their content: a feature changed since is parsed again', async () => {
  const dir = project({ 'features/a.feature': GOOD, 'features/b.feature': GOOD });
  try {
    mkdirSync(path.join(dir, 'node_modules'));
    assert.deepEqual((await preflight([], dir)).bad, []);
    const cache = path.join(dir, 'node_modules', '.cache', 'hotplug-scenarios', 'preflight-good.json');
    assert.equal(existsSync(cache), true, 'remembered');
    assert.deepEqual((await preflight([], dir)).bad, []);
    writeFileSync(path.join(dir, 'features', 'b.feature'), BAD);
    assert.deepEqual((await preflight([], dir)).bad.map((b) => path.basename(b.uri)), ['b.feature'], 'changed: parsed again');
    writeFileSync(path.join(dir, 'features', 'b.feature'), GOOD);
    writeFileSync(path.join(dir, 'features', 'c.feature'), BAD);
    assert.deepEqual((await preflight([], dir)).bad.map((b) => path.basename(b.uri)), ['c.feature'], 'a new feature');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
