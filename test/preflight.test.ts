// The preflight's quick answer (reports/preflight.ts, defaultFeaturesAllParse): only the plain run over the default
// features/ tree, every file text that parses, is answered without Cucumber's API; everything else goes to the
// full preflight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultFeaturesAllParse, preflight } from '../reports/preflight';

const GOOD = 'Feature: f\n  Scenario: s\n    Given a step\n';

function project(files: Record<string, string>, yaml = 'default:\n  format: [progress]\n'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
  writeFileSync(path.join(dir, 'cucumber.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('the quick answer: yes only for the default tree, every feature parsing', async () => {
  const good = project({ 'features/a.feature': GOOD, 'features/sub/b.feature': GOOD });
  try {
    assert.equal(defaultFeaturesAllParse([], good), true);
    assert.equal(defaultFeaturesAllParse(['-p', 'quick'], good), true);
    assert.equal(defaultFeaturesAllParse(['--profile=quick'], good), true);
    assert.equal(defaultFeaturesAllParse(['features/a.feature'], good), false, 'a path');
    assert.equal(defaultFeaturesAllParse(['--tags', '@x'], good), false, 'another option');
    assert.deepEqual((await preflight([], good)).bad, []);
  } finally {
    rmSync(good, { recursive: true, force: true });
  }
  const cases: Array<[string, Record<string, string>, string?]> = [
    ['a feature that does not parse', { 'features/a.feature': GOOD, 'features/bad.feature': 'Feature: x\n  Scenario: y\n    Given a\n  Nonsense here\n' }],
    ['a binary feature', { 'features/a.feature': GOOD, 'features/bin.feature': 'Feature: x\u0000\n' }],
    ['a markdown feature', { 'features/a.feature': GOOD, 'features/m.feature.md': '# Feature: x\n' }],
    ['paths in the configuration', { 'features/a.feature': GOOD }, 'default:\n  paths: [other/]\n'],
    ['a default language', { 'features/a.feature': GOOD }, 'default:\n  language: fr\n'],
    ['a configuration of another kind', { 'features/a.feature': GOOD, 'cucumber.js': 'module.exports = {}' }],
    ['no features directory', {}],
  ];
  for (const [why, files, yaml] of cases) {
    const dir = project(files, yaml);
    try {
      assert.equal(defaultFeaturesAllParse([], dir), false, why);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const linked = project({ 'features/a.feature': GOOD, 'elsewhere/b.feature': GOOD });
  try {
    symlinkSync(path.join(linked, 'elsewhere'), path.join(linked, 'features', 'more'));
    assert.equal(defaultFeaturesAllParse([], linked), false, 'a symbolic link');
  } finally {
    rmSync(linked, { recursive: true, force: true });
  }
});

test('a feature that does not parse is still found by the full preflight', async () => {
  const dir = project({ 'features/a.feature': GOOD, 'features/bad.feature': 'Feature: x\n  Scenario: y\n    Given a\n  Nonsense here\n' });
  try {
    const p = await preflight([], dir);
    assert.deepEqual(p.bad.map((b) => path.basename(b.uri)), ['bad.feature']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
