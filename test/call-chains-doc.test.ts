// docs/call-chains.md is a map from each hop of the causal trace to the code that emits it: every model
// function it names must exist in the file it names, and every hop must be emitted by the model (its name a
// trace entry's `fn` somewhere in engine/ or libvirt/), so the map cannot drift from the code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../paths';

const doc = readFileSync(repoPath('docs', 'call-chains.md'), 'utf8');
const rows = doc.split('\n').filter((l) => l.startsWith('| `'));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : n.endsWith('.ts') ? [p] : [];
  });
}
const code = ['engine', 'libvirt'].flatMap((d) => sources(repoPath(d))).map((f) => readFileSync(f, 'utf8')).join('\n');

test('docs/call-chains.md has the three chains', () => {
  assert.ok(rows.length > 40, `${rows.length} rows`);
  for (const hop of ['pc_dimm_plug', 'piix4_send_gpe', 'kvm_set_irq', 'virDomainAttachDeviceFlags', 'qemuMonitorDelObject']) {
    assert.ok(rows.some((r) => new RegExp(`^\\| \`\\s*${hop}\`` ).test(r)), `no row for ${hop}`);
  }
});

test('every model function docs/call-chains.md names is defined in the file it names', () => {
  for (const row of rows) {
    const model = row.split('|').at(-2) ?? '';
    // "file.ts → `a` / `b` (other.ts → `c`, `d`)": each file's names up to the next file
    for (const m of model.matchAll(/([\w/.-]+\.ts) → ((?:[^→(]|\((?![\w/.-]+\.ts →))*)/g)) {
      const text = readFileSync(repoPath(m[1]), 'utf8');
      for (const [, fn] of m[2].matchAll(/`(\w+)`/g)) {
        const defined = new RegExp(`(function\\*?\\s+${fn}\\b|\\b${fn}\\s*(<[^>]*>)?\\s*\\(|\\b(const|let)\\s+${fn}\\b)`).test(text);
        assert.ok(defined, `docs/call-chains.md: ${m[1]} does not define ${fn}`);
      }
    }
  }
});

test('every hop of docs/call-chains.md is emitted by the model under its own name', () => {
  for (const row of rows) {
    // the hop's names, without the parenthesised remarks (arguments, callees that are not hops of their own)
    const hop = row.split('|')[1].replace(/\([^()]*\)/g, '');
    for (const [, name] of hop.matchAll(/`\s*(\w+)`/g)) {
      assert.ok(new RegExp(`['"\`]${name}\\b`).test(code), `hop ${name} is not emitted anywhere in engine/ or libvirt/`);
    }
  }
});
