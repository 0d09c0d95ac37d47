// The README's account of what `npm test` referees must match the tree: every folder of recordings is named
// in its "referee 1" item, and the corpora it counts have that many transcripts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../paths';

const readme = readFileSync(repoPath('README.md'), 'utf8');
const referee1 = /\*\*referee 1, recordings:\*\*([\s\S]*?)\n {3}- \*\*referee 2/.exec(readme)?.[1] ?? '';
const folders = (tree: string) => readdirSync(repoPath('test', tree)).filter((d) => statSync(join(repoPath('test', tree), d)).isDirectory());

test("README's referee 1 names every folder of recordings the tests replay", () => {
  assert.ok(referee1.length > 200, 'no "referee 1, recordings" item in the README');
  for (const tree of ['replay', 'replay-10.0']) {
    for (const d of folders(tree)) assert.ok(referee1.includes('`' + d + '`') || referee1.includes('`' + d + '/`'), `test/${tree}/${d} is replayed but not named in the README's referee 1`);
  }
});

test("README's counts of libvirt transcripts are the corpora's", () => {
  for (const [dir, label] of [['libvirt', '9.0'], ['libvirt-11.3', '11.3']] as const) {
    const n = readdirSync(repoPath('test', dir)).filter((f) => f.endsWith('.libvirt.json')).length;
    assert.match(referee1, new RegExp(`the ${n} real-libvirt ${label.replace('.', '\\.')} (transcripts|ones)`), `test/${dir} holds ${n} transcripts`);
  }
});
