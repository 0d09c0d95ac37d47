// engine/config/parse.ts splits a QemuOpts string (`a=b,c=d`, `,,` an escaped comma) from comma to comma; the
// character walk QEMU's get_opt_name/get_opt_value do is the referee: the same parts for any text of commas,
// escaped commas, `=` and other characters, and for every option of the replay corpus's command lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { splitOptParts, tokenize } from '../engine/config/parse';
import { repoPath } from '../paths';

/** A character at a time: `,,` adds a comma to the part, `,` ends it. */
function walk(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ',') {
      if (text[i + 1] === ',') { cur += ','; i++; continue; }
      parts.push(cur); cur = '';
    } else cur += text[i];
  }
  parts.push(cur);
  return parts;
}

test('splitOptParts is the character walk (generated texts)', () => {
  const text = fc.array(fc.constantFrom(',', ',', ',,', ',,,', 'a', 'id=d0', '=', 'size=1G', ' ', 'é'), { maxLength: 14 }).map((xs) => xs.join(''));
  fc.assert(fc.property(text, (t) => assert.deepStrictEqual(splitOptParts(t), walk(t), JSON.stringify(t))), { numRuns: 3000 });
});

test('splitOptParts is the character walk (every option of the corpus command lines)', () => {
  let n = 0;
  const visit = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) visit(p);
      else if (f.endsWith('.yaml')) {
        let doc: { machine?: unknown } | null;
        try {
          doc = parseYaml(readFileSync(p, 'utf8')) as { machine?: unknown } | null;
        } catch {
          continue; // the hostile corpus's files that are not YAML a scenario could be
        }
        if (typeof doc?.machine !== 'string') continue;
        for (const word of tokenize(doc.machine)) {
          assert.deepStrictEqual(splitOptParts(word), walk(word), word);
          n++;
        }
      }
    }
  };
  visit(repoPath('test', 'replay'));
  visit(repoPath('test', 'replay-10.0'));
  assert.ok(n > 1000, `${n} words`);
});
