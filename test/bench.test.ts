// `npm run bench -- --quick` still runs (the benchmarks assert nothing about speed; this only proves they run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CODE_ROOT, COMPILED, NODE_ARGS, REPO_ROOT } from '../paths';

test('the benchmarks run (bench --quick)', () => {
  const entry = path.join(CODE_ROOT, 'bench', COMPILED ? 'run.js' : 'run.ts');
  const r = spawnSync(process.execPath, [...NODE_ARGS, entry, '--quick'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  for (const section of ['## engine', '## memory', '## replay corpus', '## start-up']) assert.match(r.stdout, new RegExp(section));
  assert.match(r.stdout, /cpu: .*cores/);
});
