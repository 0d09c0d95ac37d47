// Cucumber's JUnit report writes a skipped scenario as a bare <skipped/>. `hotplug-scenarios run` adds the reason
// the step library gave (e.g. "-accel kvm needs KVM ...") as its message, so CI pages show why.

import { esc } from './escape';
import type { ScenarioRun } from './messages';

/** Puts each skipped scenario's reason on its testcase's <skipped/>, matching testcases by name in order. */
export function annotateJunitSkips(xml: string, scenarios: readonly ScenarioRun[]): string {
  const reasons = scenarios
    .filter((s) => s.status === 'SKIPPED')
    .map((s) => ({ name: s.name, reason: (s.notes ?? []).find((n) => n.startsWith('skipped: '))?.slice('skipped: '.length) }))
    .filter((r): r is { name: string; reason: string } => r.reason !== undefined);
  let out = xml;
  let from = 0;
  for (const r of reasons) {
    const at = out.indexOf(`name="${esc(r.name)}"`, from);
    if (at < 0) continue;
    const end = out.indexOf('</testcase>', at);
    const skip = out.indexOf('<skipped/>', at);
    if (skip < 0 || (end >= 0 && skip > end)) continue;
    const tag = `<skipped message="${esc(r.reason)}"/>`;
    out = out.slice(0, skip) + tag + out.slice(skip + '<skipped/>'.length);
    from = skip + tag.length;
  }
  return out;
}
