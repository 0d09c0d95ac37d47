// Where things are, whether this code runs from its TypeScript source (ts-node) or compiled into dist/
// (`npm run build`; what bin/, cucumber.yaml and the npm scripts run). Data the code reads or writes at run
// time (features/, test/replay/, test/libvirt/, reports/out/, bin/) lives in the checkout: join it to
// REPO_ROOT, never to __dirname, which is dist/<dir>/ when compiled. Compiled modules to spawn or require by
// path are under CODE_ROOT. test/dist-paths.test.ts keeps __dirname out of everything but this file.

import * as path from 'node:path';

/** The checkout: package.json, features/, test/replay/, reports/out/, bin/. */
export const REPO_ROOT: string = path.basename(__dirname) === 'dist' ? path.dirname(__dirname) : __dirname;

/** Where the modules of this package run from: REPO_ROOT/dist when compiled, REPO_ROOT under ts-node. */
export const CODE_ROOT: string = __dirname;

/** A file or directory of the checkout, e.g. repoPath('test', 'replay'). */
export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}

/** True when running the compiled JavaScript in dist/, false under ts-node. */
export const COMPILED: boolean = CODE_ROOT !== REPO_ROOT;

/** Node options for a child process that runs this package's modules the way this one does. */
export const NODE_ARGS: readonly string[] = COMPILED ? ['--enable-source-maps'] : ['--require', 'ts-node/register'];

/** cucumber-js `requireModule` + `require` for the step library, compiled or from source (source-mapped to .ts). */
export function cucumberSupport(): { requireModule: string[]; require: string[] } {
  return COMPILED
    ? { requireModule: [], require: [path.join(REPO_ROOT, 'steps', 'load-compiled.js')] }
    : { requireModule: ['ts-node/register'], require: [path.join(REPO_ROOT, 'steps', '**', '*.ts')] };
}
