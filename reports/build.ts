// Build our report page from Cucumber's message stream:
//   npm run build && node dist/reports/build.js [messages.ndjson] [index.html]

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderReport } from './html';
import { parseNdjson, readRun, type RunSummary } from './messages';

export function buildReport(messagesPath = 'reports/out/messages.ndjson', outPath = 'reports/out/index.html', title?: string): RunSummary {
  const run = readRun(parseNdjson(readFileSync(messagesPath, 'utf8'), messagesPath));
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, renderReport(run, title));
  return run;
}

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  const run = buildReport(input, output);
  const failed = run.scenarios.filter((s) => s.status !== 'PASSED').length;
  console.log(`report: ${output ?? 'reports/out/index.html'} (${run.scenarios.length} scenarios, ${failed} not passed)`);
}
