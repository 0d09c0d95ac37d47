#!/usr/bin/env node
// Entry point of the CLI: TypeScript sources run through ts-node in transpile-only mode (type-checking
// is `npm run typecheck`), so start-up stays fast.
'use strict';
const path = require('node:path');
require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
require('../cli/main')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
