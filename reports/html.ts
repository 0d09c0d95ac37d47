// Our report page: one self-contained HTML file (no network). A summary table with filters, then per
// scenario a timeline of its steps with the commands they sent, the memory map before/after, the IRQ chain
// from GPE bit 3 to the i8259s and the IOAPIC, the trace, and the diff of a failed expectation.
// Everything that comes from feature files, backends or QEMU is escaped.

import { VERSIONS_CSS } from './versions-html';
import { esc } from './escape';
import { renderIrqChain } from './irq-chain';
import { renderMemoryMap } from './memory-map';
import type { RunSummary, ScenarioRun, StepRun } from './messages';
import type { TimelineEntry } from './topology';

const STATUS_CLASS: Record<string, string> = { PASSED: 'passed', FAILED: 'failed', SKIPPED: 'skipped', UNDEFINED: 'undefined', AMBIGUOUS: 'failed', PENDING: 'skipped', UNKNOWN: 'skipped' };

/** Failure messages: diff lines coloured, the rest as text. */
export function renderMessage(message: string): string {
  const lines = message.split('\n');
  const inDiff = lines.some((l) => l.startsWith('--- expected'));
  // One block element per line, nothing between them: a line break per line, never two.
  const body = lines.map((l) => {
    const cls = inDiff && (l.startsWith('+++') || l.startsWith('---')) ? 'dh'
      : inDiff && l.startsWith('@@') ? 'dhunk'
        : inDiff && l.startsWith('+') ? 'add'
          : inDiff && l.startsWith('-') ? 'del'
            : /^\s+at /.test(l) ? 'stack' : 'ln';
    return `<span class="${cls}">${esc(l)}</span>`;
  }).join('');
  return `<pre class="message${inDiff ? ' diff' : ''}">${body}</pre>`;
}

/** Assign the world's timeline entries to the steps that issued them, in order. */
export function timelineByStep(steps: readonly StepRun[], timeline: readonly TimelineEntry[]): TimelineEntry[][] {
  const out: TimelineEntry[][] = steps.map(() => []);
  let cursor = 0;
  for (const t of timeline) {
    if (t.internal || !t.step) continue;
    let i = steps.findIndex((s, k) => k >= cursor && !s.hook && s.text === t.step);
    if (i < 0) i = steps.findIndex((s) => !s.hook && s.text === t.step);
    if (i < 0) continue;
    cursor = i;
    out[i].push(t);
  }
  return out;
}

/** A reply as QEMU wrote it, line for line (HMP text keeps its lines); more than 40 lines are folded. */
function renderReply(reply: string): string {
  const text = reply.replace(/\r\n/g, '\n').replace(/\n$/, '');
  const lines = text.split('\n');
  if (lines.length <= 40) return `<pre class="reply">→ ${esc(text)}</pre>`;
  return `<details class="reply"><summary><code>→ ${esc(lines[0])}</code> … (${lines.length} lines)</summary><pre class="reply">${esc(text)}</pre></details>`;
}

function renderCommand(t: TimelineEntry): string {
  const kind = t.kind === 'start' ? 'start' : t.kind;
  return `<div class="cmd"><span class="kind">${esc(kind)}</span> <code>${esc(t.input)}</code>` +
    renderReply(t.reply) +
    (t.events.length ? `<div class="events">events: ${t.events.map((e) => `<code>${esc(e)}</code>`).join(' ')}</div>` : '') +
    (t.irqs.length ? `<div class="irqs">IRQ: ${t.irqs.map((e) => `<code class="irq">${esc(e)}</code>`).join(' ')}</div>` : '') +
    (t.traceEvents?.length ? `<details class="trace-events"><summary>trace events (${t.traceEvents.length})</summary><pre>${esc(t.traceEvents.join('\n'))}</pre></details>` : '') +
    (t.trace.length ? `<details class="trace"><summary>trace (${t.trace.length})</summary><pre>${esc(t.trace.join('\n'))}</pre></details>` : '') + '</div>';
}

/**
 * A scenario's body (its timeline, maps, IRQ chain and trace): the same for a scenario whatever its place in the
 * page, so `npm run scenarios` draws it as soon as the scenario is finished, while Cucumber runs the next ones
 * (remembered by the scenario's step list, which stays the same object from the reader to the report).
 */
export function scenarioBody(s: ScenarioRun): string {
  let body = bodies.get(s.steps);
  if (body === undefined) bodies.set(s.steps, (body = drawBody(s)));
  return body;
}
const bodies = new WeakMap<readonly unknown[], string>();

function renderScenario(s: ScenarioRun, idx: number, open: boolean): string {
  const body = scenarioBody(s);
  const cls = STATUS_CLASS[s.status] ?? 'skipped';
  // Passed scenarios start collapsed, their body kept as raw text in a non-JavaScript <script> (the parser
  // skips over it: no DOM, no layout, no SVG) until opened; the others start open (the first OPEN_AT_LOAD).
  return `<section class="scenario ${cls}" id="s${idx}" data-status="${esc(cls)}"><details class="sc"${open ? ' open' : ''}>` +
    `<summary><h2><span class="badge ${cls}">${esc(s.status.toLowerCase())}</span> ${esc(s.name)}` +
    `${s.example ? ` <span class="example">(${esc(s.example)})</span>` : ''}</h2>` +
    `<p class="where">${esc(s.feature)} — <code>${esc(s.uri)}${s.line ? ':' + s.line : ''}</code> ${s.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join(' ')}` +
    `${s.topology ? ` — backend <b>${esc(s.topology.backend)}</b>, machine <code>${esc(s.topology.machine ?? '')}</code>` : ''}</p></summary>` +
    // Escaped text never holds '</script' (esc turns every '<' of the data into '&lt;').
    (open ? `<div class="body">${body}</div>` : `<div class="body"></div><script type="text/x-scenario">${body}</script>`) +
    `</details></section>`;
}

function drawBody(s: ScenarioRun): string {
  const topo = s.topology;
  const byStep = topo ? timelineByStep(s.steps, topo.timeline) : s.steps.map(() => []);
  const steps = s.steps.map((st, i) => {
    if (st.hook && st.status === 'PASSED') return '';
    const cls = STATUS_CLASS[st.status] ?? 'skipped';
    return `<li class="step ${cls}"><div class="st"><span class="badge ${cls}">${esc(st.status.toLowerCase())}</span> ` +
      `<b>${esc(st.keyword)}</b> ${esc(st.hook ? 'After hook' : st.text)} <span class="dur">${st.durationMs.toFixed(1)} ms</span></div>` +
      (st.argument ? `<pre class="arg">${esc(st.argument)}</pre>` : '') +
      byStep[i].map(renderCommand).join('') +
      (st.message ? renderMessage(st.message) : '') + '</li>';
  }).join('');
  const maps = topo && (topo.before || topo.after)
    ? `<div class="maps">${[topo.before, topo.after].filter(Boolean).map((m) => `<figure>${renderMemoryMap(m!)}</figure>`).join('')}</div>` : '';
  const irq = topo?.irq ? `<figure class="irq">${renderIrqChain(topo.irq)}</figure>` : '';
  const trace = topo ? topo.timeline.filter((t) => t.trace.length && !t.internal) : [];
  const traceHtml = trace.length ? `<details class="trace-all"><summary>trace of the scenario</summary><pre>${esc(trace.map((t) => `# ${t.step}\n# ${t.input}\n${t.trace.join('\n')}`).join('\n\n'))}</pre></details>` : '';
  return (s.notes?.length ? s.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('') : '') +
    `<ol class="timeline">${steps}</ol>${maps}${irq}${traceHtml}`;
}

/** Not-passed scenarios rendered open at load; the rest wait for a click (a failed run of 300 stays fast). */
const OPEN_AT_LOAD = 30;

/** `upgrade`: the upgrade report's section (reports/versions-html.ts), shown after the scenarios. */
export function renderReport(run: RunSummary, title = 'hotplug-scenarios report', upgrade?: string): string {
  const count = (st: string) => run.scenarios.filter((s) => (STATUS_CLASS[s.status] ?? 'skipped') === st).length;
  const tags = [...new Set(run.scenarios.flatMap((s) => s.tags))].sort();
  const rows = run.scenarios.map((s, i) => `<tr class="scenario-row" data-status="${esc(STATUS_CLASS[s.status] ?? 'skipped')}" data-tags="${esc(s.tags.join(' '))}" data-text="${esc((s.feature + ' ' + s.name).toLowerCase())}">` +
    `<td><span class="badge ${STATUS_CLASS[s.status] ?? ''}">${esc(s.status.toLowerCase())}</span></td><td>${esc(s.feature)}</td><td><a href="#s${i}">${esc(s.name)}</a></td>` +
    `<td>${s.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join(' ')}</td><td class="num">${s.durationMs.toFixed(1)}</td></tr>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}
.counts span{margin-right:14px}.counts .failed{color:#ff8a80}.counts .passed{color:#b9f6ca}
main{padding:12px 20px}
.filters{margin:8px 0;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.filters button{border:1px solid #999;background:#fff;padding:3px 10px;border-radius:12px;cursor:pointer}
.filters button.active{background:#263238;color:#fff}
table#summary{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
#summary th,#summary td{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}#summary td.num{text-align:right}
.badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:11px;background:#ccc;color:#000}
.badge.passed{background:#c8e6c9}.badge.failed{background:#ffcdd2}.badge.undefined{background:#fff59d}.badge.skipped{background:#e0e0e0;color:#555}
.tag{font-size:11px;color:#455a64;background:#eceff1;border-radius:6px;padding:0 4px}
section.scenario{background:#fff;border:1px solid #ddd;border-left:6px solid #9e9e9e;margin:16px 0;padding:8px 14px}
section.scenario.passed{border-left-color:#43a047}section.scenario.failed{border-left-color:#e53935}
section.scenario{margin:6px 0;padding:4px 14px}section.scenario h2{font-size:15px;margin:2px 0;display:inline}
details.sc>summary{cursor:pointer;list-style:none}details.sc>summary::-webkit-details-marker{display:none}
details.sc>summary h2::before{content:'\\25B6';font-size:10px;color:#777;margin-right:6px;display:inline-block}details.sc[open]>summary h2::before{transform:rotate(90deg)}
.example{font-weight:normal;color:#555;font-size:13px}.where{font-size:12px;color:#555;margin:2px 0 4px}
ol.timeline{list-style:none;padding-left:0;margin:0}
li.step{border-left:3px solid #ddd;padding:2px 8px;margin:3px 0}li.step.failed{border-left-color:#e53935;background:#fff5f5}
li.step.passed{border-left-color:#a5d6a7}li.step.skipped{color:#888}
.dur{color:#999;font-size:11px}.cmd{font-size:12px;margin:2px 0 2px 18px}.cmd .kind{color:#6a1b9a;font-weight:bold}
.reply{color:#333;margin:1px 0 1px 12px;background:none;padding:0;white-space:pre-wrap;word-break:break-all;font-size:12px}details.reply summary{cursor:pointer}.events code{background:#e3f2fd}.irq{background:#fff3e0}
pre{background:#f5f5f5;padding:6px;overflow:auto;font-size:12px;margin:4px 0}
pre.message{background:#fff0f0;border:1px solid #f3c0c0}pre.message>span{display:block;min-height:1.2em}
.diff .add{color:#1b5e20;background:#e8f5e9}.diff .del{color:#b71c1c;background:#ffebee}.dh{font-weight:bold}.dhunk{color:#6a1b9a}.stack{color:#999}
.maps{display:flex;flex-wrap:wrap;gap:10px}figure{margin:6px 0}
.hidden{display:none}.note{background:#fffde7;border:1px solid #fff59d;padding:4px 8px;font-size:13px;white-space:pre-wrap}${upgrade ? VERSIONS_CSS : ''}
</style></head><body>
<header><h1>${esc(title)}</h1><div class="counts"><span>${run.scenarios.length} scenarios</span><span class="passed">${count('passed')} passed</span><span class="failed">${count('failed')} failed</span>` +
    `<span>${count('undefined')} undefined</span><span>${count('skipped')} skipped</span><span>${(run.durationMs / 1000).toFixed(2)} s</span></div></header>
<main>
<div class="filters" id="filters"><b>Show:</b>
<button data-filter="all" class="active">all</button><button data-filter="failed">failed</button><button data-filter="passed">passed</button><button data-filter="undefined">undefined</button><button data-filter="skipped">skipped</button>
<label>tag <select id="tag"><option value="">any</option>${tags.map((t) => `<option value="${esc(t)}">${esc(t)}</option>`).join('')}</select></label>
<label>search <input id="search" type="search" placeholder="feature or scenario"></label></div>
<table id="summary"><thead><tr><th>status</th><th>feature</th><th>scenario</th><th>tags</th><th>ms</th></tr></thead><tbody>
${rows}
</tbody></table>
${((opened) => run.scenarios.map((s, i) => renderScenario(s, i, (STATUS_CLASS[s.status] ?? 'skipped') !== 'passed' && opened.n++ < OPEN_AT_LOAD)).join('\n'))({ n: 0 })}
${upgrade ?? ''}
</main>
<script>
(function(){
  function fill(d){var b=d.querySelector(':scope>.body'),t=d.querySelector(':scope>script');if(b&&t&&!b.firstChild){b.innerHTML=t.textContent;}}
  document.addEventListener('toggle',function(e){if(e.target.classList&&e.target.classList.contains('sc')&&e.target.open)fill(e.target);},true);
  function openHash(){var id=location.hash.slice(1);var s=id&&document.getElementById(id);var d=s&&s.querySelector('details.sc');if(d&&!d.open){d.open=true;fill(d);}}
  window.addEventListener('hashchange',openHash);openHash();
  var status='all';
  function apply(){
    var tag=document.getElementById('tag').value, q=document.getElementById('search').value.toLowerCase();
    var rows=document.querySelectorAll('tr.scenario-row');
    for(var i=0;i<rows.length;i++){
      var r=rows[i], ok=(status==='all'||r.getAttribute('data-status')===status)&&(!tag||(' '+r.getAttribute('data-tags')+' ').indexOf(' '+tag+' ')>=0)&&(!q||r.getAttribute('data-text').indexOf(q)>=0);
      r.classList.toggle('hidden',!ok);
      var sec=document.getElementById('s'+i); if(sec) sec.classList.toggle('hidden',!ok);
    }
  }
  var bs=document.querySelectorAll('#filters button');
  for(var i=0;i<bs.length;i++){bs[i].addEventListener('click',function(e){status=e.target.getAttribute('data-filter');for(var j=0;j<bs.length;j++)bs[j].classList.toggle('active',bs[j]===e.target);apply();});}
  document.getElementById('tag').addEventListener('change',apply);
  document.getElementById('search').addEventListener('input',apply);
})();
</script>
</body></html>
`;
}
