// Faster step matching, same matches. Cucumber tries every step's text against every step definition (in the
// bundled suite: 1,854 steps × 116 expressions, 215,000 tries for 5,500 matches) through cucumber-expressions'
// TreeRegexp, which runs each try through regexp-match-indices: its feature test runs a RegExp without the `d`
// flag, finds no `indices` and so takes its JavaScript implementation, whose wrapping costs about a microsecond
// a try even when nothing matches — a tenth of the suite's time. A try now first runs the RegExp itself; only a
// match goes on to the original TreeRegexp.match, so every match, group and index is exactly what it was
// (test/step-matching.test.ts compares both on random expressions and texts). Left alone where anything is not
// as expected (another layout of the package, a global or sticky RegExp, whose exec would move lastIndex).
// A match is also remembered per expression and text: Cucumber matches every step twice (assembling the test
// case, then again for the step's arguments), and a suite repeats the same step texts scenario after scenario.
// The group tree is never changed by its readers (Cucumber reads values and indices out of it), so the same
// tree is handed out again.

import * as path from 'node:path';

interface TreeRegexpLike {
  readonly regexp: RegExp;
  match(s: string): unknown;
}

/** cucumber-expressions' TreeRegexp class as Cucumber loads it, or undefined. */
export function treeRegexpClass(): (new (re: RegExp | string) => TreeRegexpLike) | undefined {
  try {
    const cucumber = require.resolve('@cucumber/cucumber');
    const expressions = require.resolve('@cucumber/cucumber-expressions', { paths: [path.dirname(cucumber)] });
    // Not exported by the package: its file next to the entry point (the path Cucumber's own require resolves to).
    const mod = require(path.join(path.dirname(expressions), 'TreeRegexp.js')) as { default?: new (re: RegExp | string) => TreeRegexpLike };
    return typeof mod.default?.prototype?.match === 'function' ? mod.default : undefined;
  } catch {
    return undefined;
  }
}

const ORIGINAL = Symbol.for('hotplug-scenarios.TreeRegexp.match');
type Proto = TreeRegexpLike & { [ORIGINAL]?: (this: TreeRegexpLike, s: string) => unknown };

/** Matches remembered per TreeRegexp and text (a bounded number per expression). */
const matches = new WeakMap<TreeRegexpLike, Map<string, unknown>>();
const MAX_REMEMBERED = 4096;

/** Install the pre-check on TreeRegexp.match (once); false when TreeRegexp is not where it is expected. */
export function installMatchPrecheck(): boolean {
  const cls = treeRegexpClass();
  if (!cls) return false;
  const proto = cls.prototype as Proto;
  if (proto[ORIGINAL]) return true;
  const original = proto.match;
  Object.defineProperty(proto, ORIGINAL, { value: original });
  proto.match = function (this: TreeRegexpLike, s: string): unknown {
    const re = this.regexp;
    if (re.global || re.sticky) return original.call(this, s);
    if (re.exec(s) === null) return null;
    let known = matches.get(this);
    if (!known) matches.set(this, (known = new Map()));
    let group = known.get(s);
    if (group === undefined) {
      group = original.call(this, s);
      if (known.size >= MAX_REMEMBERED) known.clear();
      known.set(s, group);
    }
    return group;
  };
  return true;
}

/** TreeRegexp.match as cucumber-expressions defines it (for the comparison test). */
export function originalMatch(): ((this: TreeRegexpLike, s: string) => unknown) | undefined {
  const proto = treeRegexpClass()?.prototype as Proto | undefined;
  return proto ? proto[ORIGINAL] ?? proto.match : undefined;
}

installMatchPrecheck();
