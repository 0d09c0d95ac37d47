// Report tests: diff rendering, escaping of everything that comes from feature files, the SVG renderers,
// the message-stream reader, and the report page in a real browser (Debian's chromium via playwright-core),
// which also saves a screenshot to reports/out/report.png (UPDATE_SCREENSHOT=1 writes docs/report.png for the README).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { unifiedDiff } from '../reports/diff';
import { renderMessage, renderReport, timelineByStep } from '../reports/html';
import { renderIrqChain } from '../reports/irq-chain';
import { renderMemoryMap } from '../reports/memory-map';
import { imageAttachmentLine, parseNdjson, readRun, type RunSummary } from '../reports/messages';
import { MessagesTail } from '../reports/messages-tail';
import { movableReports, nullFormats, ParentReports } from '../reports/parent-reports';
import { topologyFromJson, topologyToJson, type MemorySnapshot } from '../reports/topology';
import { REPO_ROOT, cucumberSupport } from '../paths';

const ROOT = REPO_ROOT;

const snapshot: MemorySnapshot = {
  label: 'after',
  ranges: [
    { start: 0n, end: 0xbffffn, prio: 0, kind: 'ram', name: 'pc.ram', offset: 0n },
    { start: 0xfffc0000n, end: 0xffffffffn, prio: 0, kind: 'rom', name: 'pc.bios', offset: 0n },
    { start: 0x100000000n, end: 0x13fffffffn, prio: 0, kind: 'ram', name: 'mem<0>', offset: 0n },
  ],
  deviceMemory: { start: 0x100000000n, end: 0x3bfffffffn },
  dimms: [{ id: 'd<script>', slot: 0, node: 1, addr: 0x100000000n, size: 0x40000000n, memdev: 'mem<0>', hotplugged: true }],
};

test('unified diff: headers, hunk and +/- lines', () => {
  assert.equal(unifiedDiff('a\nb\nc', 'a\nB\nc'), '--- expected\n+++ actual\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c');
  assert.equal(unifiedDiff('same', 'same\n'), '');
});

test('memory map SVG: DIMM with slot and node, free gap, escaped names', () => {
  const svg = renderMemoryMap(snapshot);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="memory-map"/);
  assert.match(svg, /slot 0 · node 1/);
  assert.match(svg, /free 10G/);
  assert.ok(!svg.includes('<script>'));
  assert.ok(svg.includes('d&lt;script&gt;'));
});

test('IRQ chain SVG: levels of GPE, SCI, i8259 pins and IOAPIC', () => {
  const svg = renderIrqChain({ machine: 'pc', gpeSts: 8, gpeEn: 8, gpePort: 0xafe0, sci: 1, pic0: { irr: 4, imr: 0, isr: 0, elcr: 0 }, pic1: { irr: 2, imr: 0, isr: 0, elcr: 0 }, ioapicPin9: { masked: true, trigger: 'edge', entry: 0x10000n, irr: false, remoteIrr: false } });
  assert.match(svg, /class="node sci" data-level="1"/);
  assert.match(svg, /class="node pic1" data-level="1"/);
  assert.match(svg, /class="node ioapic" data-level="0"/);
  assert.match(svg, /masked edge/);
});

test('topology JSON keeps bigints', () => {
  const t = topologyFromJson(topologyToJson({ backend: 'model', after: snapshot, timeline: [] }));
  assert.equal(t.after!.dimms[0].size, 0x40000000n);
});

test('failure messages: diff lines coloured, everything escaped', () => {
  const html = renderMessage('devices differ <b>\n--- expected\n+++ actual\n@@ -1 +1 @@\n-| <d0> |\n+| d1 |');
  assert.match(html, /<span class="del">-\| &lt;d0&gt; \|<\/span>/);
  assert.match(html, /<span class="add">\+\| d1 \|<\/span>/);
  assert.ok(html.includes('devices differ &lt;b&gt;'));
});

test('commands are assigned to the steps that sent them, in order', () => {
  const steps = [{ keyword: 'When', text: 'x', status: 'PASSED', durationMs: 0 }, { keyword: 'When', text: 'x', status: 'PASSED', durationMs: 0 }];
  const mk = (input: string) => ({ step: 'x', kind: 'qtest' as const, input, reply: 'OK', events: [], irqs: [], trace: [] });
  const by = timelineByStep(steps, [mk('a'), mk('b')]);
  assert.deepEqual(by.map((l) => l.map((t) => t.input)), [['a', 'b'], []]);
});

/** Run a small suite through cucumber-js with the real steps and return the parsed run and report HTML. */
function runSuite(): { run: RunSummary; html: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'report-test-'));
  writeFileSync(join(dir, 'demo.feature'), [
    'Feature: Memory hotplug on a pc machine <script>alert(1)</script>',
    '  Hot-add, GPE and a failing expectation.',
    '',
    '  Background:',
    '    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"',
    '',
    '  @plug',
    '  Scenario: two DIMMs, then the guest enables GPE bit 3',
    '    When I hot-add a 1G DIMM "dimm0"',
    '    And I hot-add a 512M DIMM "dimm1" on node 0',
    '    And the guest enables GPE bit 3',
    '    Then SCI is high',
    '    And the memory devices are:',
    '      | id    | slot | addr        |',
    '      | dimm0 | 0    | 0x100000000 |',
    '      | dimm1 | 1    | 0x140000000 |',
    '',
    '  Scenario Outline: a DIMM of <size>',
    '    When I hot-add a <size> DIMM "d0"',
    '    Then GPE0 status bit 3 is set',
    '    Examples:',
    '      | size |',
    '      | 256M |',
    '      | 1G   |',
    '',
    '  @refusal',
    '  Scenario: a wrong expectation <img src=x onerror=alert(1)>',
    '    When I hot-add a 1G DIMM "d0"',
    '    And the guest enables GPE bit 3',
    '    Then the memory devices are:',
    '      | id | slot | addr        |',
    '      | d0 | 2    | 0x140000000 |',
    '    And SCI is high',
    '',
    '  Scenario: plain titles repeat',
    '    Then there are no memory devices',
    '',
    '  Scenario: plain titles repeat',
    '    Then there are no memory devices',
    '',
    '  Scenario: the i8259s after the SCI',
    '    When I hot-add a 1G DIMM "dimm0"',
    '    And the guest enables GPE bit 3',
    '    And I run "info pic"',
    '    Then the slave i8259 IRR is 0x02',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'cucumber.json'), JSON.stringify({
    default: { ...cucumberSupport(), format: [`message:${join(dir, 'messages.ndjson')}`, `html:${join(dir, 'cucumber.html')}`, `junit:${join(dir, 'junit.xml')}`], formatOptions: { junit: { suiteName: 'report test' } } },
  }));
  const bin = join(dirname(require.resolve('@cucumber/cucumber/package.json')), 'bin', 'cucumber.js');
  spawnSync(process.execPath, [bin, '--config', relative(ROOT, join(dir, 'cucumber.json')), join(dir, 'demo.feature')], { cwd: ROOT, encoding: 'utf8' });
  const run = readRun(parseNdjson(readFileSync(join(dir, 'messages.ndjson'), 'utf8')));
  const html = renderReport(run);
  writeFileSync(join(dir, 'index.html'), html);
  return { run, html, dir };
}

const suite = runSuite();

test('message stream → scenarios with steps, status and the attached topology', () => {
  const [plug, , , wrong] = suite.run.scenarios;
  assert.equal(plug.status, 'PASSED');
  assert.equal(wrong.status, 'FAILED');
  assert.equal(plug.topology?.after?.dimms.length, 2);
  assert.equal(plug.topology?.irq?.sci, 1);
  assert.ok(wrong.steps.some((s) => s.message?.includes('-| d0 | 2    | 0x140000000 |')));
  assert.throws(() => parseNdjson('{"a":1}\nnot json\n', 'm.ndjson'), /m\.ndjson:2: not a JSON message/);
});

test('report HTML escapes feature text and shows the diff of the failure', () => {
  assert.ok(!suite.html.includes('<script>alert(1)</script>'));
  assert.ok(!suite.html.includes('<img src=x'));
  assert.ok(suite.html.includes('a wrong expectation &lt;img src=x onerror=alert(1)&gt;'));
  assert.match(suite.html, /<span class="del">-\| d0 \| 2    \| 0x140000000 \|<\/span>/);
  assert.match(suite.html, /<span class="add">\+\| d0 \| 0    \| 0x100000000 \|<\/span>/);
});

test('Cucumber\'s own html report embeds the SVG attachments as images', () => {
  const html = readFileSync(join(suite.dir, 'cucumber.html'), 'utf8');
  assert.ok(html.includes('image/svg+xml'));
  assert.ok(html.includes('memory-map-after.svg'));
});

const CHROMIUM = '/usr/bin/chromium';

test('the report page in a real browser: elements, filters, screenshot', { skip: !existsSync(CHROMIUM) && 'Debian chromium not installed (apt-get install -y chromium)' }, async () => {
  const { chromium } = await import('playwright-core');
  // A fresh profile directory per run (playwright wants it as launchPersistentContext's first argument).
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1100 },
  });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
    const dialogs: string[] = [];
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    await page.goto('file://' + join(suite.dir, 'index.html'));
    assert.equal(await page.locator('table#summary tr.scenario-row').count(), 7);
    assert.equal(await page.locator('section.scenario').count(), 7);
    // Passed scenarios start collapsed and unrendered; a click (or a link from the summary) opens one.
    assert.equal(await page.locator('section.scenario.passed svg').count(), 0);
    assert.equal(await page.locator('section.scenario.failed svg.memory-map').count(), 2, 'a failed scenario is open');
    await page.click('table#summary a[href="#s0"]');
    assert.equal(await page.locator('section.scenario.passed svg.memory-map').count(), 2);
    assert.equal(await page.locator('section.scenario.passed svg.irq-chain').count(), 1);
    assert.equal(await page.locator('section.scenario.passed svg.irq-chain g.sci[data-level="1"]').count(), 1);
    assert.equal(await page.locator('section.scenario.passed g.dimm').count(), 2);
    assert.equal(await page.locator('section.scenario.failed pre.message.diff span.del').count(), 1);
    assert.ok((await page.locator('section.scenario.passed .cmd').count()) >= 5);

    // HMP replies keep their lines, whole: the `pic` lines an assertion checked are all there.
    await page.click('table#summary a[href="#s6"]');
    const pic = page.locator('section#s6 .cmd', { hasText: 'info pic' }).first();
    const picText = await pic.locator('.reply').first().innerText();
    assert.ok(picText.split('\n').length >= 3, `info pic on several lines: ${picText}`);
    assert.match(picText, /pic1: irr=02/);
    assert.match(picText, /pic0: irr=04/);
    // Rows of a Scenario Outline have their own titles.
    const titles = await page.locator('section.scenario h2').allInnerTexts();
    assert.ok(titles.some((t) => /a DIMM of 256M .*size: 256M/.test(t)) && titles.some((t) => /a DIMM of 1G .*size: 1G/.test(t)), titles.join(' / '));
    // A failure diff is single-spaced: one line box per line.
    const diff = page.locator('section.scenario.failed pre.message.diff').first();
    const lineHeights = await diff.locator('span').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    assert.ok(lineHeights.every((h) => h > 5 && h < 25), `line heights ${lineHeights.join(' ')}`);
    assert.doesNotMatch(await diff.innerText(), /\n\n/);
    // Inside a failed scenario, passed steps keep a green badge, skipped ones grey; only the failed one is pink.
    const badge = (sel: string) => page.locator(`section.scenario.failed li.step.${sel} .badge`).first().evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor);
    assert.equal(await badge('passed'), 'rgb(200, 230, 201)');
    assert.equal(await badge('failed'), 'rgb(255, 205, 210)');
    assert.equal(await badge('skipped'), 'rgb(224, 224, 224)');
    // Memory maps: every text inside a box fits the box; ioapic and hpet are labelled; no two labels overlap.
    // (browser-side code as text: this project compiles without the DOM library)
    /* eslint-disable @typescript-eslint/no-explicit-any */
    const maps = (await page.locator('section#s0 svg.memory-map').evaluateAll((svgs: any[]) => svgs.map((svg: any) => {
      const clipped: string[] = [];
      for (const g of svg.querySelectorAll('g.seg, g.dimm, g.free')) {
        const r = g.querySelector('rect').getBBox();
        for (const t of g.querySelectorAll('text')) {
          const b = t.getBBox();
          if (b.x < r.x - 0.5 || b.x + b.width > r.x + r.width + 0.5) clipped.push(t.textContent);
        }
      }
      const boxes = Array.from(svg.querySelectorAll('text') as any[]).map((t: any) => ({ text: t.textContent as string, b: t.getBBox() }));
      const overlaps: string[] = [];
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const p = boxes[i].b, q = boxes[j].b;
        if (p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height) overlaps.push(boxes[i].text + ' × ' + boxes[j].text);
      }
      return { clipped, overlaps, texts: boxes.map((b) => b.text) };
    }))) as Array<{ clipped: string[]; overlaps: string[]; texts: string[] }>;
    /* eslint-enable @typescript-eslint/no-explicit-any */
    for (const m of maps) {
      assert.deepEqual(m.clipped, [], 'text running out of its box');
      assert.deepEqual(m.overlaps, [], 'overlapping labels');
      assert.ok(m.texts.includes('ioapic') && m.texts.includes('hpet'), `ioapic and hpet labelled: ${m.texts.join(' ')}`);
    }
    await page.click('button[data-filter="failed"]');
    assert.equal(await page.locator('tr.scenario-row:not(.hidden)').count(), 1);
    assert.equal(await page.locator('section.scenario:not(.hidden)').getAttribute('data-status'), 'failed');
    await page.click('button[data-filter="all"]');
    await page.fill('#search', 'two dimms');
    assert.equal(await page.locator('tr.scenario-row:not(.hidden)').count(), 1);
    await page.fill('#search', '');
    assert.deepEqual(dialogs, [], 'no script from the feature file ran');
    assert.deepEqual(requests, [], 'the page is self-contained');
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    const shot = process.env.UPDATE_SCREENSHOT === '1' ? join(ROOT, 'docs', 'report.png') : join(ROOT, 'reports', 'out', 'report.png');
    mkdirSync(dirname(shot), { recursive: true });
    await page.locator('section#s0').screenshot({ path: shot });
  } finally {
    await browser.close();
  }
});

test('300 scenarios: the page stays short (passed scenarios collapsed, bodies rendered on demand; load time is measured by REPORT_TIMING=1, not asserted)', { skip: !existsSync(CHROMIUM) && 'Debian chromium not installed (apt-get install -y chromium)' }, async () => {
  const many: RunSummary = { ...suite.run, scenarios: Array.from({ length: 300 }, (_, i) => {
    const s = suite.run.scenarios[i % suite.run.scenarios.length];
    return { ...s, id: `x${i}`, name: `${s.name} #${i}`, status: i % 50 === 7 ? 'FAILED' : 'PASSED' };
  }) };
  const file = join(suite.dir, 'many.html');
  writeFileSync(file, renderReport(many));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 1100 },
  });
  try {
    const page = await browser.newPage();
    await page.goto('file://' + file);
    const loadMs = (await page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")) as number;
    const height = (await page.evaluate('document.documentElement.scrollHeight')) as number;
    if (process.env.REPORT_TIMING) console.log(`300 scenarios: loaded in ${loadMs.toFixed(0)} ms, ${height} px`);
    const collapsed = (await page.locator('section.scenario.passed').evaluateAll((els: Array<{ getBoundingClientRect(): { height: number } }>) => els.map((e) => e.getBoundingClientRect().height)));
    const avg = collapsed.reduce((a, b) => a + b, 0) / collapsed.length;
    assert.ok(avg < 70, `a collapsed scenario is ${avg.toFixed(0)} px tall`);
    assert.ok(height < 40000, `${height} px for 300 scenarios (6 of them failed, open)`);
    assert.equal(await page.locator('section.scenario svg').count(), 6 * 3, 'only the 6 failed scenarios are rendered (2 maps + IRQ chain each)');
    await page.locator('section#s1 summary').click();
    // The body is rendered by the <details> toggle event, which the browser fires after the click has returned:
    // wait for it (a few seconds at most) instead of counting at once, which failed under load.
    await page.locator('section#s1 svg.memory-map').first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => undefined);
    assert.ok((await page.locator('section#s1 svg.memory-map').count()) > 0, 'opening a scenario renders it');
  } finally {
    await browser.close();
  }
});

test('the message stream read while it is written (in pieces cut anywhere, even inside a character) is the stream read at once', () => {
  const whole = readFileSync(join(suite.dir, 'messages.ndjson'));
  const expected = readRun(parseNdjson(whole.toString('utf8'), 'm', imageAttachmentLine));
  // A multi-byte character and a line without its newline at the end, as a writer cut short leaves it.
  const extra = Buffer.from('\n\n{"parseError":{"source":{"uri":"é.feature"},"message":"é ✓ ü"}}\n{"testRunFinished":{"success":false,"timestamp":{"seconds":1,"nanos":0}}}');
  const bytes = Buffer.concat([whole, extra]);
  const expectedExtra = readRun(parseNdjson(bytes.toString('utf8'), 'm', imageAttachmentLine));
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 12 }), (cuts) => {
    const file = join(suite.dir, 'tail.ndjson');
    rmSync(file, { force: true });
    const tail = new MessagesTail(file);
    tail.poll(); // not there yet
    let at = 0;
    for (const c of [...cuts].sort((a, b) => a - b)) {
      appendFileSync(file, bytes.subarray(at, c));
      at = c;
      tail.poll();
    }
    appendFileSync(file, bytes.subarray(at));
    assert.deepEqual(tail.finish(), expectedExtra);
  }), { numRuns: 40 });
  assert.notDeepEqual(expectedExtra, expected);
  // A line that is not JSON: the same message and line number as reading the whole file.
  const bad = join(suite.dir, 'bad.ndjson');
  writeFileSync(bad, '{"a":1}\n\nnot json\n{"b":2}\n');
  assert.throws(() => new MessagesTail(bad).finish(), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not a JSON message`));
  assert.throws(() => parseNdjson('{"a":1}\n\nnot json\n{"b":2}\n', bad), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not a JSON message`));
});

test('the html and JUnit reports written from the message stream are the files Cucumber\'s own formatters wrote', async () => {
  const reports = new ParentReports({ html: join(suite.dir, 'parent.html'), junit: { path: join(suite.dir, 'parent.xml'), options: { suiteName: 'report test' } } });
  const tail = new MessagesTail(join(suite.dir, 'messages.ndjson'), reports);
  tail.drain();
  await reports.finish();
  assert.ok(readFileSync(join(suite.dir, 'cucumber.html')).length > 100000);
  assert.ok(readFileSync(join(suite.dir, 'parent.html')).equals(readFileSync(join(suite.dir, 'cucumber.html'))), 'html byte for byte');
  assert.equal(readFileSync(join(suite.dir, 'parent.xml'), 'utf8'), readFileSync(join(suite.dir, 'junit.xml'), 'utf8'));
  assert.match(readFileSync(join(suite.dir, 'parent.xml'), 'utf8'), /<testsuite name="report test"/);
  // No message, no report (Cucumber stopped before its formatters).
  const none = new ParentReports({ html: join(suite.dir, 'none.html'), junit: { path: join(suite.dir, 'none.xml'), options: {} } });
  await none.finish();
  assert.equal(existsSync(join(suite.dir, 'none.html')), false);
  assert.equal(existsSync(join(suite.dir, 'none.xml')), false);
});

test('npm run scenarios writes the profile\'s html and JUnit itself only when it is simple to tell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moved-'));
  writeFileSync(join(dir, 'cucumber.yaml'), [
    'default:', '  format: [progress-bar, "html:out/c.html", "junit:out/j.xml", "message:out/m.ndjson"]', '  formatOptions:', '    junit:', '      suiteName: S',
    'quick:', '  format: [progress]',
    'custom:', '  format: ["html:out/x.html"]', '  formatOptions:', '    html:', '      externalAttachments: true',
  ].join('\n'));
  assert.deepEqual(movableReports([], dir), { html: 'out/c.html', junit: { path: 'out/j.xml', options: { suiteName: 'S' } } });
  assert.deepEqual(movableReports(['-p', 'default', '--tags', '@x'], dir), { html: 'out/c.html', junit: { path: 'out/j.xml', options: { suiteName: 'S' } } });
  assert.equal(movableReports(['-p', 'quick'], dir), undefined, 'no such reports');
  assert.ok(movableReports([], dir, 'out/m.ndjson'), 'the profile writes the message stream that is read');
  assert.equal(movableReports([], dir, 'elsewhere/m.ndjson'), undefined, 'the profile does not write the stream that would be read');
  assert.equal(movableReports(['-p', 'custom'], dir), undefined, 'html options: left to Cucumber');
  assert.equal(movableReports(['-p', 'default', '-p', 'quick'], dir), undefined, 'two profiles');
  assert.equal(movableReports(['--format-options', '{}'], dir), undefined);
  assert.equal(movableReports(['-c', 'cucumber.yaml'], dir), undefined);
  assert.deepEqual(movableReports(['--format', 'html:out/c.html'], dir), { junit: { path: 'out/j.xml', options: { suiteName: 'S' } } }, 'the command line names the html file');
  assert.deepEqual(nullFormats({ html: 'out/c.html' }, REPO_ROOT), ['--format', './dist/reports/null-formatter.js:out/c.html']);
  // cucumber.yaml remembered by its text (with node_modules/ there): an edit is seen.
  mkdirSync(join(dir, 'node_modules'));
  assert.deepEqual(movableReports([], dir)?.junit?.options, { suiteName: 'S' });
  assert.ok(existsSync(join(dir, 'node_modules', '.cache', 'hotplug-scenarios', 'cucumber-yaml.json')));
  assert.deepEqual(movableReports([], dir)?.junit?.options, { suiteName: 'S' });
  writeFileSync(join(dir, 'cucumber.yaml'), readFileSync(join(dir, 'cucumber.yaml'), 'utf8').replace('suiteName: S', 'suiteName: T'));
  assert.deepEqual(movableReports([], dir)?.junit?.options, { suiteName: 'T' });
  writeFileSync(join(dir, 'cucumber.json'), '{}');
  assert.equal(movableReports([], dir), undefined, 'another configuration file');
  rmSync(dir, { recursive: true, force: true });
});
