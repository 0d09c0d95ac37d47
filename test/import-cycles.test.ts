// No import cycles, type-only imports included: every .ts file's imports (`import ... from`, `import type`,
// `export ... from`, `import('...')`, `require('...')`) form a graph without a loop, so each module can be read
// knowing only what it imports (the layering of the README: engine/ at the bottom, cli/ at the top).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../paths';

const SKIP = new Set(['node_modules', 'dist', '.git', 'reports/out']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (SKIP.has(relative(REPO_ROOT, p)) || n.startsWith('.')) return [];
    return statSync(p).isDirectory() ? tsFiles(p) : n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative module specifiers a file imports, whatever the form (comments stripped first). */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  const forms = [
    /\bimport\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s*from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of forms) for (const m of code.matchAll(re)) specs.push(m[1]);
  return specs.filter((s) => s.startsWith('.'));
}

function resolveTs(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const c of [base + '.ts', join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return undefined;
}

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test('the import parser sees every form, type-only ones included', () => {
  const text = [
    "import type { A } from './a';",
    "import { type B, c } from '../b';",
    "import * as d from './d';",
    "export type { E } from './e';",
    "export * from './f';",
    "import './g';",
    "const h = await import('./h');",
    "import {\n  I,\n  J,\n} from './ij';",
    "// import { K } from './k';",
    "import fs from 'node:fs';",
  ].join('\n');
  assert.deepEqual(importSpecifiers(text).sort(), ['../b', './a', './d', './e', './f', './g', './h', './ij']);
});

test('the cycle finder finds a two-file loop and a longer one, and nothing in a tree', () => {
  assert.deepEqual(importCycles(new Map([['a', ['b']], ['b', ['a']], ['c', ['a']]])), [['a', 'b']]);
  assert.deepEqual(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), [['a', 'b', 'c']]);
  assert.deepEqual(importCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
});

test('no import cycles in the repository, type-only imports included', () => {
  const files = tsFiles(REPO_ROOT);
  assert.ok(files.length > 100, `${files.length} files`);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps = importSpecifiers(readFileSync(f, 'utf8')).map((s) => resolveTs(f, s)).filter((p): p is string => p !== undefined);
    graph.set(relative(REPO_ROOT, f), [...new Set(deps.map((p) => relative(REPO_ROOT, p)))]);
  }
  const cycles = importCycles(graph);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => '  ' + c.join(' ↔ ')).join('\n')}`);
});
