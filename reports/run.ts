// `npm run scenarios [-- cucumber options]`: run the bundled suite (model by default) with Cucumber's
// progress bar and summary, write Cucumber's html, JUnit XML and message stream to reports/out/, then build
// our topology report reports/out/index.html. Exits with Cucumber's exit code.

import { exitLike, forwardSignalsUntilExit, spawnTied } from '../children';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { junitWithBadFeatures, parseErrorEnvelopes, preflight, type Preflight } from './preflight';
// What only the report needs (index.html, JUnit's skip reasons) is loaded once Cucumber runs, not before.
import type { MessagesTail } from './messages-tail';

const args = process.argv.slice(2);
const profile = (() => {
  const i = args.findIndex((a) => a === '-p' || a === '--profile');
  return i >= 0 ? args[i + 1] : 'default';
})();
const TITLES: Record<string, string> = {
  default: 'model', qemu: 'real QEMU', diff: 'model vs real QEMU',
  'model-10.0': 'model, QEMU 10.0', 'qemu-10.0': 'real QEMU 10.0', 'diff-10.0': 'model vs real QEMU 10.0',
};
// Each profile writes its reports to reports/out/<profile>/ (the default one to reports/out/), as cucumber.yaml says.
const outDir = profile === 'default' ? 'reports/out' : `reports/out/${profile}`;
mkdirSync(outDir, { recursive: true });
rmSync(`${outDir}/messages.ndjson`, { force: true });

const bin = require('node:path').join(require('node:path').dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
void (async () => {
  // A feature that does not parse is a counted failure, and the others still run.
  const pre: Preflight = await preflight(args);
  for (const b of pre.bad) console.error(`Parse error in ${b.uri}:${b.line}: ${b.message} (not run)`);
  let status: { code: number | null; signal: NodeJS.Signals | null } = { code: 0, signal: null };
  let read: MessagesTail | undefined;
  if (pre.run) {
    // The profile's html and JUnit reports are written here rather than by Cucumber (reports/parent-reports.ts)
    // when that is simple to tell; Cucumber gets a formatter that writes nothing for them.
    const { movableReports, nullFormats, ParentReports } = require('./parent-reports') as typeof import('./parent-reports');
    const moved = movableReports(pre.args, process.cwd(), `${outDir}/messages.ndjson`);
    // Cucumber (and the QEMUs it starts) dies with this process; SIGINT/SIGTERM are forwarded to it.
    const child = spawnTied(process.execPath, [bin, ...pre.args, ...(moved ? nullFormats(moved) : [])], { stdio: 'inherit' });
    // Meanwhile the message stream is read as Cucumber writes it (on the other core): those reports are written
    // as it comes, and at Cucumber's exit only the last lines are left before index.html is drawn.
    const { MessagesTail } = require('./messages-tail') as typeof import('./messages-tail');
    const reports = moved ? new ParentReports(moved) : undefined;
    // index.html's scenario bodies are drawn as each scenario finishes (reports/html.ts scenarioBody).
    const { scenarioBody } = require('./html') as typeof import('./html');
    read = new MessagesTail(`${outDir}/messages.ndjson`, reports, (run) => void scenarioBody(run));
    const poll = setInterval(() => read!.poll(), 40);
    status = await forwardSignalsUntilExit(child);
    clearInterval(poll);
    // Ended by a signal: no report of a run that was stopped, and this process ends by the same signal.
    if (status.signal) exitLike(status);
    read.drain();
    await reports?.finish();
  }
  if (pre.bad.length) {
    appendFileSync(`${outDir}/messages.ndjson`, parseErrorEnvelopes(pre.bad));
    const junit = `${outDir}/junit.xml`;
    writeFileSync(junit, junitWithBadFeatures(existsSync(junit) && pre.run ? readFileSync(junit, 'utf8') : undefined, pre.bad, `hotplug-scenarios (${TITLES[profile] ?? profile})`));
  }
  report(read);
  process.exit(pre.bad.length && !status.code ? 1 : status.code ?? 1);
})();

const TITLE_WORD = 'scenarios';

function report(read: MessagesTail | undefined): void {
  if (existsSync(`${outDir}/messages.ndjson`)) {
    const { buildReport } = require('./build') as typeof import('./build');
    const { annotateJunitSkips } = require('./junit') as typeof import('./junit');
    const { summaryLines } = require('./messages') as typeof import('./messages');
    try {
      const run = buildReport(`${outDir}/messages.ndjson`, `${outDir}/index.html`, `hotplug-scenarios (${TITLES[profile] ?? profile})`, read);
      const bad = run.scenarios.filter((s) => s.status !== 'PASSED');
      // A plain closing line CI tools read, counted as Cucumber counts: "scenarios: 3 scenarios (2 failed, 1 undefined)".
      const counts = summaryLines(run);
      // Cucumber writes a skipped scenario as a bare <skipped/>: add the reason the steps gave.
      if (existsSync(`${outDir}/junit.xml`)) writeFileSync(`${outDir}/junit.xml`, annotateJunitSkips(readFileSync(`${outDir}/junit.xml`, 'utf8'), run.scenarios));
      console.log(`\nscenarios: ${counts.scenarios}\nsteps: ${counts.steps}`);
      console.log(`\nReports in ${outDir}/: cucumber.html, junit.xml, messages.ndjson, index.html (topology report)`);
      if (bad.length) {
        console.log(`${bad.length} scenario(s) did not pass:`);
        for (const s of bad) {
          console.log(`  ${s.status.toLowerCase().padEnd(9)} ${s.uri}${s.line ? ':' + s.line : ''}  ${s.name}`);
          for (const n of s.notes ?? []) if (n.startsWith('skipped: ')) console.log(`            ${n}`);
        }
      }
      // The last line: the plain "N passed, N failed, N skipped" that CI tools read (failed: every scenario that
      // neither passed nor was skipped, as Cucumber's strict mode fails the run for it).
      const passed = run.scenarios.filter((s) => s.status === 'PASSED').length;
      const skipped = run.scenarios.filter((s) => s.status === 'SKIPPED').length;
      console.log(`${TITLE_WORD}: ${passed} passed, ${run.scenarios.length - passed - skipped} failed, ${skipped} skipped`);
    } catch (e) {
      console.error(`could not build the topology report: ${(e as Error).message}`);
    }
  }
}
