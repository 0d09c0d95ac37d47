// What cucumber.yaml's `require` loads: the step library compiled into dist/steps/ (built first if a source
// changed since the last build, so `npx cucumber-js` never runs stale steps), with stack traces and step
// definition locations mapped back to the .ts sources. Plain JavaScript: it runs before anything is built.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

process.setSourceMapsEnabled(true);
const root = path.join(__dirname, '..');
// In a checkout, build what changed; an installed package (no scripts/, no tsconfig.json) ships dist/ built.
if (fs.existsSync(path.join(root, 'scripts', 'build.js')) && fs.existsSync(path.join(root, 'tsconfig.json'))) {
  require('../scripts/build.js').ensureBuilt(root);
}

const files = [];
(function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full);
    else if (e.name.endsWith('.js')) files.push(full);
  }
})(path.join(root, 'dist', 'steps'));
// The step library's own definitions run without Cucumber's per-step timer on the model backend (nothing there
// waits for time; see steps/time-limit.ts): the definitions registered while its files load are marked here.
const timeLimit = require(path.join(root, 'dist', 'steps', 'time-limit.js'));
const marks = timeLimit.markDefinitions(require('@cucumber/cucumber').supportCodeLibraryBuilder);
for (const f of files.sort()) require(f);
timeLimit.limitDefinitionsSince(marks);
