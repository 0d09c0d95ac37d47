// Hostile text in both reports (issue: "no script in a report"): feature, scenario and tag names, tables, doc
// strings, QEMU replies, virsh output and XML parse-error context from test/hostile/report.feature, run through
// Cucumber with the real steps; Cucumber's cucumber.html and our index.html are opened in Debian's chromium
// and no dialog may fire (every hostile snippet calls alert()).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { renderReport } from '../reports/html';
import { parseNdjson, readRun } from '../reports/messages';
import { REPO_ROOT, cucumberSupport, repoPath } from '../paths';

const CHROMIUM = '/usr/bin/chromium';

function runHostileSuite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-report-'));
  writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({
    default: { ...cucumberSupport(), format: [`message:${join(dir, 'messages.ndjson')}`, `html:${join(dir, 'cucumber.html')}`] },
  }));
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  const r = spawnSync(process.execPath, [bin, '--config', relative(REPO_ROOT, join(dir, 'cucumber.json')), repoPath('test', 'hostile', 'report.feature')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 1, `the hostile feature has failing scenarios: ${r.stdout}${r.stderr}`);
  writeFileSync(join(dir, 'index.html'), renderReport(readRun(parseNdjson(readFileSync(join(dir, 'messages.ndjson'), 'utf8')))));
  return dir;
}

test('hostile names, tables, doc strings, replies and virsh output run no script in either report', { skip: !existsSync(CHROMIUM) && 'Debian chromium not installed (apt-get install -y chromium)' }, async () => {
  const dir = runHostileSuite();
  const cucumberHtml = readFileSync(join(dir, 'cucumber.html'), 'utf8');
  // The virsh output and the XML parse error reached the report (as text).
  assert.ok(cucumberHtml.includes('virsh define'), 'the virsh log is in cucumber.html');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const file of ['cucumber.html', 'index.html']) {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
      await page.goto('file://' + join(dir, file));
      await page.waitForLoadState('load');
      // Expand everything Cucumber's page folds, so attachments and errors are rendered.
      for (let i = 0; i < 3; i++) {
        const closed = page.locator('[aria-expanded="false"]');
        const n = await closed.count();
        for (let k = 0; k < n; k++) await closed.nth(k).click({ timeout: 2000 }).catch(() => undefined);
      }
      await page.waitForTimeout(300);
      const text = await page.locator('body').innerText();
      assert.ok(text.includes("onerror=alert('scenario')"), `${file}: the hostile scenario name shows as text`);
      assert.deepEqual(dialogs, [], `${file}: a script from the scenario ran`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
