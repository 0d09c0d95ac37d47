// Re-record replay transcripts from real QEMU (see scripts/record.sh for usage).
// For each scenario YAML given, run it on the qemu backend and write NAME.qemu.json next to it,
// pretty-printed like the shared examples (../shared/examples/replay/*.qemu.json). Exit 1 if any scenario fails to run.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { QemuBackend, qemuAvailable, qemuInstall } from '../backends/qemu';
import { prettyJson } from '../transcript/json';
import { loadReplayScenario, qemuVersionOption, runReplay } from '../transcript/replay-format';
import { DEFAULT_QEMU_VERSION, type QemuVersion } from '../engine/versions';
import { TRACE_EVENTS_OPTION, traceEventPatterns } from '../cli/main';

function expand(args: string[]): string[] {
  const files: string[] = [];
  for (const a of args) {
    if (fs.existsSync(a) && fs.statSync(a).isDirectory()) {
      for (const f of fs.readdirSync(a).sort()) if (f.endsWith('.yaml')) files.push(path.join(a, f));
    } else {
      files.push(a);
    }
  }
  return files;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // --trace-events[=PATTERN,...]: record each step's trace-event log lines too (the default set without =).
  const ti = args.findIndex((a) => a === '--trace-events' || a.startsWith('--trace-events='));
  const traceArg = ti >= 0 ? args.splice(ti, 1)[0] : undefined;
  const value = traceArg?.includes('=') ? traceArg.slice(traceArg.indexOf('=') + 1) : traceArg ? true : undefined;
  const problem = typeof value === 'string' ? TRACE_EVENTS_OPTION.check(value) : undefined;
  if (problem) {
    console.error(`--trace-events expects ${problem}`);
    return 2;
  }
  const traceEvents = traceEventPatterns(value);
  let version: QemuVersion = DEFAULT_QEMU_VERSION;
  const vi = args.findIndex((a) => a === '--qemu-version' || a.startsWith('--qemu-version='));
  if (vi >= 0) {
    const [flag] = args.splice(vi, 1);
    version = qemuVersionOption(flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : args.splice(vi, 1)[0], '--qemu-version');
  }
  if (args.length === 0 || args.some((a) => a.startsWith('--'))) {
    console.error('usage: scripts/record.sh [--qemu-version 7.2|10.0] [--trace-events[=PATTERN,...]] SCENARIO.yaml|DIR...');
    return 2;
  }
  let failed = 0;
  const checked = new Set<QemuVersion>();
  for (const file of expand(args)) {
    const out = file.replace(/\.ya?ml$/, '') + '.qemu.json';
    const started = Date.now();
    const scenario = loadReplayScenario(file);
    const v = scenario.qemuVersion ?? version;
    if (!checked.has(v)) {
      if (!qemuAvailable(v)) {
        console.error(qemuInstall(v).notFound);
        return 2;
      }
      checked.add(v);
    }
    try {
      const transcript = await runReplay(new QemuBackend({ qemuVersion: v, traceEvents }), scenario);
      fs.writeFileSync(out, prettyJson(transcript));
      const status = transcript.startup.ok ? `${transcript.steps.length} steps` : `startup refused: ${transcript.startup.error}`;
      console.log(`recorded ${out} (${status}, ${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.error(`FAILED ${file}: ${(e as Error).message}`);
    }
  }
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code));
