// `hotplug-scenarios init`: set up a project that installed hotplug-scenarios as a dev dependency, so that
// `npx hotplug-scenarios run` and plain `npx cucumber-js` run its own features with this package's steps,
// World and reports. Writes cucumber.yaml (profiles default/qemu/diff/quick), an example feature and an
// example of the project's own step definitions on the same World. Never overwrites without --force.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScenarioError } from '../backends/types';

/** Where an installed hotplug-scenarios lives, relative to the project (what cucumber.yaml's `require` names). */
const STEPS = 'node_modules/hotplug-scenarios/steps/load-compiled.js';
const OWN_STEPS = 'features/step_definitions/**/*.js';

function profile(name: string, backend: 'model' | 'qemu' | 'diff', out: string | undefined): string {
  const format = out
    ? `  format:\n    - progress-bar\n    - html:${out}/cucumber.html\n    - junit:${out}/junit.xml\n    - message:${out}/messages.ndjson\n`
    : '  format: [progress]\n';
  return `${name}:
  require:
    - ${STEPS}
    - ${OWN_STEPS}
${backend === 'model' ? '' : '  tags: not @model-only and not @known-divergence\n'}${format}  formatOptions:
    snippetInterface: async-await
    printAttachments: false
  worldParameters:
    backend: ${backend}
${out ? '  strict: true\n' : ''}`;
}

export const CUCUMBER_YAML = `# cucumber-js profiles for memory-hotplug scenarios (written by \`npx hotplug-scenarios init\`).
#   npx hotplug-scenarios run            the features on the model; reports in reports/out/ (index.html)
#   npx hotplug-scenarios run -p qemu    the same features on real QEMU (qemu-system-x86_64)
#   npx hotplug-scenarios run -p diff    model and QEMU side by side, failing at the first difference
#   npx cucumber-js [-p quick] [FILE[:LINE]]   plain cucumber-js works too (no index.html)
# Steps: hotplug-scenarios' step library, then your own under features/step_definitions/ (same World).
${profile('default', 'model', 'reports/out')}
${profile('qemu', 'qemu', 'reports/out/qemu')}
${profile('diff', 'diff', 'reports/out/diff')}
${profile('quick', 'model', undefined)}`;

export const EXAMPLE_FEATURE = `@example
Feature: Memory hotplug on a pc machine
  An example written by \`npx hotplug-scenarios init\`: a pc-dimm hot-added to an i440FX machine takes the
  lowest free slot and the lowest free 2 MiB-aligned address of device memory; a refused one changes nothing.
  The step vocabulary: "Step vocabulary" in node_modules/hotplug-scenarios/README.md.

  Background:
    Given a "pc" machine started with "-m 1G,slots=4,maxmem=8G"

  Scenario: the first DIMM lands at the bottom of device memory
    When I hot-add a 1G DIMM "dimm0"
    Then the memory devices are:
      | id    | slot | addr        | size | node |
      | dimm0 | 0    | 0x100000000 | 1G   | 0    |
    And DIMM "dimm0" sits in slot 0
    And GPE0 status bit 3 is set

  Scenario: a refused hot-add changes nothing
    When I hot-add a 1G DIMM "dimm9" into slot 9
    Then it fails with "invalid slot number 9, valid range is [0-3]"
    And the machine is unchanged
`;

export const EXAMPLE_STEPS = `// Your own step definitions run on the same World as hotplug-scenarios' steps: \`this\` is its HotplugWorld.
// What it offers (docs/own-steps.md in the package): this.qmp(command), this.hmpText(line), this.qtest(line),
// this.portRead(width, port), this.portWrite(width, port, value), this.machineType ('pc' | 'q35'),
// this.irqLevels, this.actionEvents. Pass { internal: true } for reads that are not the scenario's own
// commands (they stay out of "it fails with" and the report's timeline). A refusal of a command sent from a
// When step is kept for "Then it fails with ..."; from a Given or Then step it fails the step.
'use strict';
const { Then } = require('@cucumber/cucumber');

Then('DIMM {string} sits in slot {int}', async function (id, slot) {
  const r = await this.qmp({ execute: 'query-memory-devices' }, { internal: true });
  const dimm = r.reply.return.find((d) => d.data.id === id);
  if (!dimm) throw new Error(\`no DIMM "\${id}" (devices: \${r.reply.return.map((d) => d.data.id).join(', ') || 'none'})\`);
  if (Number(dimm.data.slot) !== slot) throw new Error(\`DIMM "\${id}" sits in slot \${dimm.data.slot}, expected \${slot}\`);
});
`;

const FILES: ReadonlyArray<readonly [string, string]> = [
  ['cucumber.yaml', CUCUMBER_YAML],
  ['features/example.feature', EXAMPLE_FEATURE],
  ['features/step_definitions/example.steps.js', EXAMPLE_STEPS],
];

/** Writes the files into `dir`; refuses to overwrite any of them unless `force`. Returns what it wrote. */
export function initProject(dir: string, force: boolean): string[] {
  const existing = FILES.map(([f]) => f).filter((f) => fs.existsSync(path.join(dir, f)));
  if (existing.length && !force) throw new ScenarioError(`init: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; --force overwrites`);
  for (const [f, text] of FILES) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return FILES.map(([f]) => f);
}

const CONFIGS = ['cucumber.yaml', 'cucumber.yml', 'cucumber.json', 'cucumber.js', 'cucumber.cjs', 'cucumber.mjs'];

/** The nearest directory from `start` upwards with a cucumber-js configuration file, if any. */
export function findProjectDir(start: string): string | undefined {
  for (let d = path.resolve(start); ; d = path.dirname(d)) {
    if (CONFIGS.some((c) => fs.existsSync(path.join(d, c)))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}
