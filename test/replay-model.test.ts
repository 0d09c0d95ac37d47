// The first referee: transcripts recorded from real QEMU 7.2 (scripts/record.sh), replayed on the model,
// must be equal (compareTranscripts: exact, except `info mtree -f`, compared by its AS "memory" block).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadReplayScenario } from '../cli/replay-format';
import { parseJson } from '../cli/json';
import { compareTranscripts, formatDifferences } from '../cli/compare';
import { ModelBackend } from '../backends/model';
import { runScenario } from '../cli/main';

const ROOT = path.join(__dirname, 'replay');

function recordings(): Array<{ yaml: string; json: string }> {
  const out: Array<{ yaml: string; json: string }> = [];
  for (const dir of fs.readdirSync(ROOT).sort()) {
    const full = path.join(ROOT, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort()) {
      if (!f.endsWith('.yaml')) continue;
      const json = path.join(full, f.replace(/\.yaml$/, '.qemu.json'));
      if (fs.existsSync(json)) out.push({ yaml: path.join(full, f), json });
    }
  }
  return out;
}

const all = recordings();

test('there are recordings to referee the model', () => {
  assert.ok(all.length >= 60, `only ${all.length} recorded transcripts under test/replay`);
});

for (const { yaml, json } of all) {
  test(`model = QEMU: ${path.relative(ROOT, yaml)}`, async () => {
    const expected = parseJson(fs.readFileSync(json, 'utf8'));
    const { transcript } = await runScenario(loadReplayScenario(yaml), new ModelBackend());
    const diffs = compareTranscripts(expected, transcript);
    if (diffs.length) assert.fail(`${diffs.length} difference(s) (- QEMU, + model):\n${formatDifferences(diffs)}`);
  });
}
