// The first referee: transcripts recorded from real QEMU 7.2 (test/replay/) and 10.0 (test/replay-10.0/, whose
// scenarios say `qemu-version: "10.0"`; scripts/record.sh), replayed on the model, must be equal (compareTranscripts: exact, except `info mtree -f`, compared by its AS "memory" block).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadReplayScenario, recordedTraceEvents } from '../transcript/replay-format';
import { parseJson } from '../transcript/json';
import { compareTranscripts, formatDifferences } from '../transcript/compare';
import { ModelBackend } from '../backends/model';
import { runScenario } from '../cli/main';
import { repoPath } from '../paths';


const ROOT = repoPath('test');
/** One tree of recordings per QEMU release. */
const TREES = ['replay', 'replay-10.0'];

function recordings(tree: string): Array<{ yaml: string; json: string }> {
  const out: Array<{ yaml: string; json: string }> = [];
  const top = path.join(ROOT, tree);
  for (const dir of fs.readdirSync(top).sort()) {
    const full = path.join(top, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full).sort()) {
      if (!f.endsWith('.yaml')) continue;
      const json = path.join(full, f.replace(/\.yaml$/, '.qemu.json'));
      if (fs.existsSync(json)) out.push({ yaml: path.join(full, f), json });
    }
  }
  return out;
}

const all = TREES.flatMap((t) => recordings(t));

test('there are recordings to referee the model, for each release', () => {
  for (const t of TREES) {
    const n = recordings(t).length;
    assert.ok(n >= 60, `only ${n} recorded transcripts under test/${t}`);
  }
  // every 7.2 scenario has its 10.0 twin
  const twins = new Set(recordings('replay-10.0').map(({ yaml }) => path.relative(path.join(ROOT, 'replay-10.0'), yaml)));
  const missing = recordings('replay').map(({ yaml }) => path.relative(path.join(ROOT, 'replay'), yaml)).filter((f) => !twins.has(f));
  assert.deepEqual(missing, [], 'test/replay scenarios without a recording from QEMU 10.0 under test/replay-10.0');
});

for (const { yaml, json } of all) {
  test(`model = QEMU: ${path.relative(ROOT, yaml)}`, async () => {
    const expected = parseJson(fs.readFileSync(json, 'utf8'));
    // Recorded with trace events: the model must fire the same trace points, step by step.
    const { transcript } = await runScenario(loadReplayScenario(yaml), new ModelBackend({ traceEvents: recordedTraceEvents(expected) }));
    const diffs = compareTranscripts(expected, transcript);
    if (diffs.length) assert.fail(`${diffs.length} difference(s) (- QEMU, + model):\n${formatDifferences(diffs)}`);
  });
}

// Stricter than the transcript contract: every `info mtree [-f] [-d] [-o] [-D]` reply (with `-f -d`, every view's dispatch tree) must equal QEMU's block for block
// (all address spaces, the I/O space included), ignoring only the hash-table order and FlatView numbers. On 10.0
// too (its device-memory address space, piix-reset-control), except libvirt's devices (their virtio regions are
// not modelled block for block; their AS "memory" is, the test above).
function mtreeBlocks(text: string, flat: boolean): string[] {
  return text
    .split('\r\n\r\n')
    .map((b) => (flat ? b.replace(/^FlatView #\d+\r\n/, '') : b))
    .filter((b) => b.trim() !== '')
    .sort();
}

/** `info mtree` with any flags the model prints (not an error reply). */
const MTREE = /^info mtree( -f)?( -d)?( -o)?( -D)?$/;
for (const { yaml, json } of [...recordings('replay'), ...recordings('replay-10.0').filter(({ yaml }) => !yaml.includes('libvirt'))]) {
  const expected = parseJson(fs.readFileSync(json, 'utf8')) as { steps?: Array<{ hmp?: string; reply?: unknown }> };
  const mtreeSteps = (expected.steps ?? []).map((s, i) => [s, i] as const)
    .filter(([s]) => MTREE.test(s.hmp ?? '') && !String(s.reply).startsWith('mtree:'));
  if (mtreeSteps.length === 0) continue;
  test(`every address space = QEMU: ${path.relative(ROOT, yaml)}`, async () => {
    const { transcript } = await runScenario(loadReplayScenario(yaml), new ModelBackend());
    for (const [s, i] of mtreeSteps) {
      const flat = (s.hmp ?? '').includes('-f');
      const actual = (transcript.steps[i] as { reply: unknown }).reply;
      assert.deepEqual(mtreeBlocks(String(actual), flat), mtreeBlocks(String(s.reply), flat), `step ${i + 1} (${s.hmp})`);
    }
  });
}
