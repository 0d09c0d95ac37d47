#!/usr/bin/env node
// Compiles the TypeScript sources into dist/ (JavaScript + source maps), so that nothing pays a TypeScript
// compile at start-up. Plain JavaScript on purpose: it runs before anything is built.
//
//   node scripts/build.js             full build: tsc -p tsconfig.build.json (incremental), then prune
//   node scripts/build.js --if-stale  only if a source changed since the last build (a few ms when none did):
//                                     changed files are transpiled one by one, as ts-node did; a new, deleted
//                                     or renamed file, or a changed tsconfig, runs the full build
//
// `npm ci` builds (the `prepare` script); `npm test`, `npm run scenarios`, `npm run bench` and the CLI in a
// checkout run the --if-stale check first, so nobody runs a stale dist/. Sources are every .ts file that
// tsconfig.json's "include" names (top-level *.ts and the listed directories). Type errors do not stop the
// build (it runs with --noCheck): `npm run typecheck` reports them. Compiled files whose source is gone are
// deleted, so a renamed test or step file does not keep running from dist/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const STAMP_VERSION = 1;
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function includes(root) {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    return Array.isArray(json.include) ? json.include : null;
  } catch {
    return null;
  }
}

/**
 * Every .ts source (not .d.ts) with its mtime, keyed by its path relative to root; null if unknown. `dirs`: the
 * mtime of every directory read (a directory's mtime moves when an entry is added, removed or renamed).
 */
function sources(root, dirs = {}) {
  const inc = includes(root);
  if (!inc) return null;
  // The root too: a pattern's directory that appears later is a new entry there.
  dirs['.'] = fs.statSync(root).mtimeMs;
  const files = {};
  const add = (rel) => {
    files[rel] = fs.statSync(path.join(root, rel)).mtimeMs;
  };
  const walk = (rel) => {
    let entries;
    try {
      dirs[rel] = fs.statSync(path.join(root, rel)).mtimeMs;
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      delete dirs[rel];
      return;
    }
    for (const e of entries) {
      const r = rel + '/' + e.name;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist' && !e.name.startsWith('.')) walk(r);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) add(r);
    }
  };
  for (const pattern of inc) {
    if (pattern === '*.ts') {
      for (const e of fs.readdirSync(root, { withFileTypes: true })) {
        if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) add(e.name);
      }
    } else if (/^[\w.-]+\.ts$/.test(pattern)) {
      if (fs.existsSync(path.join(root, pattern))) add(pattern);
    } else if (/^[\w.-]+(\/[\w.-]+)*$/.test(pattern)) {
      walk(pattern);
    } else return null; // a glob this walker does not understand: always do the full build
  }
  return files;
}

function configStamp(root) {
  return CONFIGS.map((c) => {
    try {
      return fs.statSync(path.join(root, c)).mtimeMs;
    } catch {
      return 0;
    }
  });
}

const stampFile = (root) => path.join(root, 'dist', '.build-stamp.json');

function readStamp(root) {
  try {
    const s = JSON.parse(fs.readFileSync(stampFile(root), 'utf8'));
    return s.version === STAMP_VERSION ? s : null;
  } catch {
    return null;
  }
}

function writeStamp(root, files, dirs) {
  writeAtomic(stampFile(root), JSON.stringify({ version: STAMP_VERSION, config: configStamp(root), files, ...(dirs ? { dirs, at: Date.now() } : {}) }));
}

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** What has to be done: 'none', {changed: [rel...]} or 'full'. */
function plan(root) {
  const stamp = readStamp(root);
  const quick = stamp && stamp.dirs && sameDirs(root, stamp.dirs, stamp.at) ? sameSources(root, stamp) : undefined;
  if (quick) return quick;
  const dirs = {};
  const files = sources(root, dirs);
  if (!files || !stamp) return { kind: 'full', files, dirs };
  if (JSON.stringify(stamp.config) !== JSON.stringify(configStamp(root))) return { kind: 'full', files, dirs };
  const now = Object.keys(files);
  const before = Object.keys(stamp.files);
  if (now.length !== before.length || now.some((f) => !(f in stamp.files))) return { kind: 'full', files, dirs };
  const changed = now.filter((f) => files[f] !== stamp.files[f]);
  return changed.length ? { kind: 'changed', changed, files, dirs } : { kind: 'none', files, dirs, restamp: !stamp.dirs };
}

/**
 * Every directory the last build read still has its mtime: no source was added, removed or renamed since. Only
 * mtimes a second older than the stamp are trusted (the clock that stamps them ticks coarsely: a change in the
 * same tick as the one recorded would not show).
 */
function sameDirs(root, dirs, at) {
  if (typeof at !== 'number') return false;
  for (const [rel, mtime] of Object.entries(dirs)) {
    if (at - mtime < 1000) return false;
    try {
      if (fs.statSync(path.join(root, rel)).mtimeMs !== mtime) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The plan when the same sources are there (sameDirs): only a source's own mtime can have moved; undefined: walk. */
function sameSources(root, stamp) {
  if (JSON.stringify(stamp.config) !== JSON.stringify(configStamp(root))) return undefined;
  const files = {};
  const changed = [];
  for (const [rel, mtime] of Object.entries(stamp.files)) {
    try {
      files[rel] = fs.statSync(path.join(root, rel)).mtimeMs;
    } catch {
      return undefined;
    }
    if (files[rel] !== mtime) changed.push(rel);
  }
  return changed.length ? { kind: 'changed', changed, files, dirs: stamp.dirs } : { kind: 'none', files, dirs: stamp.dirs };
}

/** Delete dist/ files compiled from a source that no longer exists. */
function prune(root) {
  const dist = path.join(root, 'dist');
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(full);
        continue;
      }
      const m = /^(.*)\.(js|js\.map|d\.ts|d\.ts\.map)$/.exec(e.name);
      if (!m) continue;
      const src = path.join(root, path.relative(dist, dir), m[1] + '.ts');
      if (!fs.existsSync(src)) fs.rmSync(full, { force: true });
    }
  };
  walk(dist);
}

function fullBuild(root) {
  const { spawnSync } = require('node:child_process');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${r.status ?? r.signal})`);
  prune(root);
}

/** Transpile single files (isolated, like ts-node's transpileOnly) into dist/, with source maps to the .ts. */
function transpile(root, rels) {
  const ts = require(require.resolve('typescript', { paths: [root] }));
  const configPath = path.join(root, 'tsconfig.build.json');
  const cfg = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(cfg.config, ts.sys, root, undefined, configPath);
  for (const rel of rels) {
    const src = path.join(root, rel);
    const outJs = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    const out = ts.transpileModule(fs.readFileSync(src, 'utf8'), {
      compilerOptions: { ...options, sourceMap: true, inlineSourceMap: false, declaration: false, incremental: false, composite: false, noEmit: false },
      fileName: src,
      reportDiagnostics: false,
    });
    const map = JSON.parse(out.sourceMapText);
    map.file = path.basename(outJs);
    map.sources = [path.relative(path.dirname(outJs), src).split(path.sep).join('/')];
    delete map.sourceRoot;
    const text = out.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, '') + `//# sourceMappingURL=${path.basename(outJs)}.map`;
    writeAtomic(outJs + '.map', JSON.stringify(map));
    writeAtomic(outJs, text);
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** One build at a time (several test processes may ask at once); a lock older than 5 minutes is stale. */
function locked(root, fn) {
  const lock = path.join(root, 'dist', '.build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 300000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {}
      sleep(100);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Bring dist/ up to date with the sources; cheap when it is. Returns what was done. */
function ensureBuilt(root = path.join(__dirname, '..'), { force = false, quiet = false } = {}) {
  if (!force) {
    const p = plan(root);
    // A stamp from before directories were stamped: stamp them now, so the next check stats instead of walking.
    if (p.kind === 'none' && p.restamp) locked(root, () => writeStamp(root, p.files, p.dirs));
    if (p.kind === 'none') return 'none';
  }
  return locked(root, () => {
    const dirs = {};
    const p = force ? { kind: 'full', files: sources(root, dirs), dirs } : plan(root);
    if (p.kind === 'none') return 'none';
    if (p.kind === 'changed') {
      if (!quiet) process.stderr.write(`build: transpiling ${p.changed.length} changed file(s) into dist/\n`);
      transpile(root, p.changed);
    } else {
      if (!quiet) process.stderr.write('build: tsc -p tsconfig.build.json\n');
      fullBuild(root);
    }
    writeStamp(root, p.files ?? {}, p.dirs);
    return p.kind;
  });
}

module.exports = { ensureBuilt, plan, writeStamp };

if (require.main === module) {
  const args = process.argv.slice(2);
  try {
    ensureBuilt(path.join(__dirname, '..'), { force: !args.includes('--if-stale'), quiet: args.includes('--quiet') });
  } catch (e) {
    process.stderr.write(`build: ${e.message}\n`);
    process.exit(1);
  }
}
