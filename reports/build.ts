// Build our report page from Cucumber's message stream:
//   npm run build && node dist/reports/build.js [messages.ndjson] [index.html]

import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderReport } from './html';
import { renderVersionsSection, type VersionsJson } from './versions-html';
import type { RunSummary } from './messages';
import { MessagesTail } from './messages-tail';

/** `read`: the message stream as read so far while it was written (reports/messages-tail.ts); it reads the rest. */
export function buildReport(messagesPath = 'reports/out/messages.ndjson', outPath = 'reports/out/index.html', title?: string, read?: MessagesTail): RunSummary {
  const run = (read ?? new MessagesTail(messagesPath)).finish();
  mkdirSync(dirname(outPath), { recursive: true });
  // the upgrade section, when `hotplug-scenarios versions --html <dir>/versions.html` wrote its JSON here
  const versions = join(dirname(outPath), 'versions.json');
  let upgrade: string | undefined;
  if (existsSync(versions)) {
    try {
      upgrade = renderVersionsSection(JSON.parse(readFileSync(versions, 'utf8')) as VersionsJson);
    } catch {
      upgrade = undefined;
    }
  }
  writeFileSync(outPath, renderReport(run, title, upgrade));
  return run;
}

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  const run = buildReport(input, output);
  const failed = run.scenarios.filter((s) => s.status !== 'PASSED').length;
  console.log(`report: ${output ?? 'reports/out/index.html'} (${run.scenarios.length} scenarios, ${failed} not passed)`);
}
