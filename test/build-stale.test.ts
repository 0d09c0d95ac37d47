// scripts/build.js --if-stale: what it finds to do. Directories are stamped with their mtime, so an unchanged
// tree is checked by stat'ing the known sources and directories instead of reading every directory; a source
// added, removed or renamed (which moves its directory's mtime) still means the full build, a changed one its
// transpile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const build = require(join(REPO_ROOT, 'scripts', 'build.js')) as {
  plan(root: string): { kind: string; changed?: string[]; files: Record<string, number>; dirs: Record<string, number>; restamp?: boolean };
  writeStamp(root: string, files: Record<string, number>, dirs?: Record<string, number>): void;
};

test('--if-stale finds a changed, an added, a removed and a moved source, with and without the directory stamps', () => {
  const root = mkdtempSync(join(tmpdir(), 'build-stale-'));
  try {
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ include: ['*.ts', 'src'] }));
    writeFileSync(join(root, 'top.ts'), 'export {};\n');
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.ts'), 'export {};\n');
    writeFileSync(join(root, 'src', 'deep', 'b.ts'), 'export {};\n');
    writeFileSync(join(root, 'src', 'data.json'), '{}\n');
    // Everything older than the stamp by more than the clock's tick, each directory with its own time.
    let t = Date.now() / 1000 - 100;
    const age = () => {
      for (const d of ['.', 'src', 'src/deep']) utimesSync(join(root, d), (t += 1), t);
    };
    const stamp = () => {
      age();
      const p = build.plan(root);
      build.writeStamp(root, p.files, p.dirs);
      assert.equal(build.plan(root).kind, 'none');
    };
    assert.equal(build.plan(root).kind, 'full', 'no stamp');
    stamp();
    assert.deepEqual(Object.keys(build.plan(root).files).sort(), ['src/a.ts', 'src/deep/b.ts', 'top.ts']);

    utimesSync(join(root, 'src', 'deep', 'b.ts'), (t += 1), t);
    assert.deepEqual(build.plan(root).changed, ['src/deep/b.ts'], 'an edited source');
    stamp();
    writeFileSync(join(root, 'src', 'deep', 'c.ts'), 'export {};\n');
    assert.equal(build.plan(root).kind, 'full', 'an added source');
    stamp();
    rmSync(join(root, 'src', 'a.ts'));
    assert.equal(build.plan(root).kind, 'full', 'a removed source');
    stamp();
    writeFileSync(join(root, 'src', 'other.json'), '{}\n');
    assert.equal(build.plan(root).kind, 'none', 'a new file that is not a source');
    stamp();
    mkdirSync(join(root, 'src', 'new'));
    writeFileSync(join(root, 'src', 'new', 'd.ts'), 'export {};\n');
    assert.equal(build.plan(root).kind, 'full', 'a new directory with a source');
    stamp();
    // A stamp written without directories (an older build): the full walk, and a restamp when nothing changed.
    const p = build.plan(root);
    build.writeStamp(root, p.files);
    const again = build.plan(root);
    assert.equal(again.kind, 'none');
    assert.equal(again.restamp, true);
    // Directories changed within a second of the stamp are not trusted: walked, so a source added then is seen.
    writeFileSync(join(root, 'src', 'e.ts'), 'export {};\n');
    const q = build.plan(root);
    build.writeStamp(root, q.files, q.dirs);
    writeFileSync(join(root, 'src', 'f.ts'), 'export {};\n');
    utimesSync(join(root, 'src'), q.dirs.src / 1000, q.dirs.src / 1000); // the same mtime as stamped
    assert.equal(build.plan(root).kind, 'full');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
