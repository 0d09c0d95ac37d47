// The compiled layout (dist/) keeps working: code runs from dist/<dir>/, data stays in the checkout.
// __dirname is dist/<dir>/ once compiled, so a path built from it to features/, test/replay/ or reports/ would
// point into dist/, where no data is: such paths go through paths.ts (REPO_ROOT, repoPath). This test fails
// on any other use of __dirname, with where it is.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMPILED, CODE_ROOT, REPO_ROOT, repoPath } from '../paths';

function tsSources(): string[] {
  const include = (JSON.parse(fs.readFileSync(repoPath('tsconfig.json'), 'utf8')) as { include: string[] }).include;
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(full);
      } else if (e.name.endsWith('.ts')) out.push(full);
    }
  };
  for (const p of include) {
    if (p === '*.ts') out.push(...fs.readdirSync(REPO_ROOT).filter((f) => f.endsWith('.ts')).map((f) => repoPath(f)));
    else if (fs.existsSync(repoPath(p)) && fs.statSync(repoPath(p)).isDirectory()) walk(repoPath(p));
  }
  return out;
}

test('no source builds a path from __dirname (use REPO_ROOT / repoPath from paths.ts)', () => {
  const offenders: string[] = [];
  for (const file of tsSources()) {
    if (['paths.ts', path.join('test', 'dist-paths.test.ts')].includes(path.relative(REPO_ROOT, file))) continue;
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/\b__dirname\b/.test(code)) offenders.push(`${path.relative(REPO_ROOT, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], `__dirname is dist/<dir>/ when compiled; use repoPath(...) from paths.ts:\n${offenders.join('\n')}`);
});

test('REPO_ROOT is the checkout, CODE_ROOT where this module runs from', () => {
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'package.json')));
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'features')));
  assert.equal(COMPILED, CODE_ROOT === path.join(REPO_ROOT, 'dist'));
  assert.ok(fs.existsSync(path.join(CODE_ROOT, COMPILED ? 'paths.js' : 'paths.ts')));
});

test("the package's entry point (package.json main) is the compiled library", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(REPO_ROOT) as typeof import('../index');
  const boot = lib.buildFromCommandLine('-M pc -m 1G,slots=2,maxmem=4G');
  assert.ok(boot.ok);
  assert.equal(typeof lib.reduce, 'function');
});

test('a stack trace points at the .ts source', { skip: !COMPILED && 'runs under ts-node' }, () => {
  const stack = new Error('here').stack ?? '';
  assert.match(stack, /test[/\\]dist-paths\.test\.ts:\d+/, stack);
});
