#!/usr/bin/env node
// Entry point of the CLI: runs the compiled JavaScript in dist/ (`npm run build`; `npm ci` builds it), with
// stack traces mapped to the .ts sources. In a checkout, sources changed since the last build are compiled
// first (a few milliseconds when none did), so the CLI never runs a stale dist/.
'use strict';
process.setSourceMapsEnabled(true);
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
if (fs.existsSync(path.join(root, 'scripts', 'build.js')) && fs.existsSync(path.join(root, 'cli', 'main.ts'))) {
  require('../scripts/build.js').ensureBuilt(root);
}
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
