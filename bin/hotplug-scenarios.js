#!/usr/bin/env node
// Entry point of the CLI: runs the compiled JavaScript in dist/ (`npm run build`; `npm ci` builds it). In a
// checkout, sources changed since the last build are compiled first (a few milliseconds when none did), so the
// CLI never runs a stale dist/. A stack trace is only printed for an internal error with HOTPLUG_DEBUG=1 (or under
// node --enable-source-maps): only then are the source maps loaded, so that it points at the .ts lines (reading
// every module's map is ≈ 7% of a short command's start-up).
'use strict';
if (process.env.HOTPLUG_DEBUG) process.setSourceMapsEnabled(true);
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
if (fs.existsSync(path.join(root, 'scripts', 'build.js')) && fs.existsSync(path.join(root, 'cli', 'main.ts'))) {
  require('../scripts/build.js').ensureBuilt(root);
}
require('../dist/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
