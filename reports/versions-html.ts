// The upgrade report in HTML: a scenario × version matrix (differences highlighted) and, per scenario, the
// steps with what each version showed and the unified diff where they differ. Used standalone
// (`hotplug-scenarios versions --html FILE`) and as a section of the topology report (reports/html.ts
// embeds it when reports/out/versions.json exists).

import { esc } from './escape';
import type { ScenarioComparison } from './versions';

/** The JSON the versions command writes beside its page (comparisonJson per scenario). */
export interface VersionsJson {
  readonly backend?: string;
  readonly scenarios: readonly {
    readonly source: string;
    readonly kind: string;
    readonly versions: readonly { readonly qemu: string; readonly libvirt: string }[];
    readonly outcomes: readonly string[];
    readonly differs: boolean;
    readonly steps: readonly { readonly step: number | string; readonly title: string; readonly same: boolean; readonly before: string; readonly after: string; readonly diff?: string }[];
  }[];
}

export const VERSIONS_CSS = `
table.versions{border-collapse:collapse;background:#fff;font-size:13px;margin:8px 0}
table.versions th,table.versions td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
table.versions td.differs{background:#fff3e0;font-weight:bold}table.versions td.same{color:#2e7d32}
table.versions tr.differs td.name{border-left:4px solid #ef6c00}
section.upgrade{background:#fff;border:1px solid #ddd;border-left:6px solid #9e9e9e;margin:12px 0;padding:6px 12px}
section.upgrade.differs{border-left-color:#ef6c00}section.upgrade h3{font-size:15px;margin:4px 0}
ol.vsteps{list-style:none;padding-left:0;margin:0}ol.vsteps li{border-left:3px solid #c8e6c9;padding:2px 8px;margin:3px 0;font-size:13px}
ol.vsteps li.differs{border-left-color:#ef6c00;background:#fff8f0}
.vdiff span{display:block}.vdiff .add{color:#1b5e20;background:#e8f5e9}.vdiff .del{color:#b71c1c;background:#ffebee}.vdiff .dh{font-weight:bold}.vdiff .dhunk{color:#6a1b9a}
pre.vdiff{background:#f5f5f5;padding:6px;overflow:auto;font-size:12px;margin:4px 0}`;

function diffHtml(diff: string): string {
  return diff.split('\n').map((l) => {
    const cls = l.startsWith('+++') || l.startsWith('---') ? 'dh' : l.startsWith('@@') ? 'dhunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx';
    return `<span class="${cls}">${esc(l) || ' '}</span>`;
  }).join('');
}

/** The section (no page chrome): matrix, then one block per scenario. */
export function renderVersionsSection(data: VersionsJson, heading = 'Upgrade report: QEMU 7.2 / libvirt 9.0 → QEMU 10.0 / libvirt 11.3'): string {
  const sc = data.scenarios;
  const pairs = sc[0]?.versions ?? [{ qemu: '7.2', libvirt: '9.0' }, { qemu: '10.0', libvirt: '11.3' }];
  const label = (p: { qemu: string; libvirt: string }) => `QEMU ${p.qemu} / libvirt ${p.libvirt}`;
  const rows = sc.map((s, i) => {
    const n = s.steps.filter((x) => !x.same).length;
    const cls = s.differs ? 'differs' : 'same';
    return `<tr class="${cls}"><td class="name"><a href="#v${i}">${esc(s.source)}</a></td><td>${esc(s.kind)}</td>` +
      s.outcomes.map((o) => `<td class="${cls}">${esc(o)}</td>`).join('') +
      `<td class="${cls}">${s.differs ? `${n} step(s) differ` : 'same'}</td></tr>`;
  }).join('\n');
  const blocks = sc.map((s, i) => `<section class="upgrade ${s.differs ? 'differs' : 'same'}" id="v${i}"><h3>${esc(s.source)}</h3><ol class="vsteps">` +
    s.steps.map((x) => `<li class="${x.same ? 'same' : 'differs'}"><b>${esc(typeof x.step === 'number' ? `step ${x.step}` : x.step)}</b>${x.title === x.step ? '' : ' ' + esc(x.title)}` +
      (x.same ? ' <span class="same">— same</span>' : `<pre class="vdiff">${diffHtml(x.diff ?? '')}</pre>`) + '</li>').join('') + '</ol></section>').join('\n');
  const differing = sc.filter((s) => s.differs).length;
  return `<section id="upgrade"><h2>${esc(heading)}</h2>
<p>${sc.length} scenario(s) run on both version pairs${data.backend ? ` (${esc(data.backend)})` : ''}: <b>${differing}</b> differ, ${sc.length - differing} the same.</p>
<table class="versions"><thead><tr><th>scenario</th><th>kind</th>${pairs.map((p) => `<th>${esc(label(p))}</th>`).join('')}<th>difference</th></tr></thead><tbody>
${rows}
</tbody></table>
${blocks}
</section>`;
}

export function renderVersionsPage(cs: readonly ScenarioComparison[], backend = 'model'): string {
  const data: VersionsJson = {
    backend,
    scenarios: cs.map((c) => ({
      source: c.source, kind: c.kind, versions: c.pairs.map((p) => ({ qemu: p.qemu, libvirt: p.libvirt })), outcomes: c.outcomes, differs: c.differs,
      steps: c.steps.map((s) => ({ step: s.index < 0 ? 'start-up' : s.index + 1, title: s.title, same: s.same, before: s.before, after: s.after, diff: s.diff })),
    })),
  };
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>hotplug-scenarios upgrade report</title>
<style>body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}main{padding:12px 20px}h2{font-size:18px}${VERSIONS_CSS}</style>
</head><body><main>
${renderVersionsSection(data)}
</main></body></html>
`;
}
