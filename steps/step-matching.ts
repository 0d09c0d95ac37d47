// Faster step matching, same matches. Cucumber tries every step's text against every step definition (in the
// bundled suite: 1,854 steps × 116 expressions, 215,000 tries for 5,500 matches) through cucumber-expressions'
// TreeRegexp, which runs each try through regexp-match-indices: its feature test runs a RegExp without the `d`
// flag, finds no `indices` and so takes its JavaScript implementation, whose wrapping costs about a microsecond
// a try even when nothing matches — a tenth of the suite's time. A try now first runs the RegExp itself; only a
// match goes on to the original TreeRegexp.match, so every match, group and index is exactly what it was
// (test/step-matching.test.ts compares both on random expressions and texts). Left alone where anything is not
// as expected (another layout of the package, a global or sticky RegExp, whose exec would move lastIndex).
// A match is also remembered per expression and text, and so is a miss (a non-global, non-sticky RegExp gives
// the same answer for the same text): Cucumber matches every step twice (assembling the test case, then again for
// the step's arguments), tries every step against every expression, and a suite repeats the same step texts
// scenario after scenario.
// The group tree is never changed by its readers (Cucumber reads values and indices out of it), so the same
// tree is handed out again.
// A first match of an expression takes the RegExp's own `d` flag for the group indices instead of
// regexp-match-indices (which parses the expression with regexp-tree and defines each index as a property, ≈ 50 µs
// a match), where both give the same numbers: no lookaround and no backreference in the expression, and no
// capturing group that took part in the match inside a repetition (`*`, `+`, `{…}`), where regexp-match-indices
// measures otherwise. Anything else goes to the original.

import * as path from 'node:path';

interface GroupBuilderLike {
  readonly groupBuilders: readonly GroupBuilderLike[];
}

interface TreeRegexpLike {
  readonly regexp: RegExp;
  readonly groupBuilder?: GroupBuilderLike;
  match(s: string): unknown;
}

type GroupCtor = new (value: string | undefined, start: number | undefined, end: number | undefined, children: unknown[] | undefined) => unknown;

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

/** cucumber-expressions' Group class (what TreeRegexp.match builds), or undefined. */
function groupClass(): GroupCtor | undefined {
  try {
    const cucumber = require.resolve('@cucumber/cucumber');
    const expressions = require.resolve('@cucumber/cucumber-expressions', { paths: [path.dirname(cucumber)] });
    const mod = require(path.join(path.dirname(expressions), 'Group.js')) as { default?: GroupCtor };
    return typeof mod.default === 'function' ? mod.default : undefined;
  } catch {
    return undefined;
  }
}

/** How a first match is made without regexp-match-indices: the RegExp with `d`, and the groups inside repetitions. */
interface NativePlan {
  readonly re: RegExp;
  /** Capturing group numbers inside a `*`, `+` or `{…}` repetition. */
  readonly repeated: readonly number[];
  readonly root: GroupBuilderLike;
}

/**
 * The plan for an expression, or undefined when its indices are left to regexp-match-indices: a lookaround or
 * a backreference, a flag other than i, m, s, u, or a group structure other than TreeRegexp's own reading of it
 * (the source is read the same way: escapes, character classes, `(?:`, `(?<name>`).
 */
export function nativePlan(tree: TreeRegexpLike): NativePlan | undefined {
  const { regexp } = tree;
  const root = tree.groupBuilder;
  if (!root || !Array.isArray(root.groupBuilders) || !/^[imsu]*$/.test(regexp.flags)) return undefined;
  const src = regexp.source;
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(src)) return undefined;
  const open: { capture?: number; firstCapture: number }[] = [];
  const repeated: number[] = [];
  let captures = 0;
  let escaping = false;
  let charClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (escaping) escaping = false;
    else if (c === '\\') escaping = true;
    else if (charClass) charClass = c !== ']';
    else if (c === '[') charClass = true;
    else if (c === '(') {
      const capturing = src[i + 1] !== '?' || (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!');
      open.push({ ...(capturing ? { capture: ++captures } : {}), firstCapture: captures + (capturing ? 0 : 1) });
    } else if (c === ')') {
      const g = open.pop();
      if (!g) return undefined;
      const q = src[i + 1];
      if (q === '*' || q === '+' || q === '{') for (let n = g.capture ?? g.firstCapture; n <= captures; n++) repeated.push(n);
    }
  }
  if (open.length || escaping || charClass) return undefined;
  const count = (b: GroupBuilderLike): number => b.groupBuilders.reduce((n, x) => n + 1 + count(x), 0);
  if (count(root) !== captures) return undefined;
  try {
    return { re: new RegExp(src, regexp.flags + 'd'), repeated, root };
  } catch {
    return undefined;
  }
}

/** The group tree of a match with native indices, as GroupBuilder.build makes it from regexp-match-indices'. */
function buildGroups(Group: GroupCtor, b: GroupBuilderLike, m: RegExpExecArray, next: { n: number }): unknown {
  const index = next.n++;
  const children = b.groupBuilders.map((x) => buildGroups(Group, x, m, next));
  const at = m.indices?.[index];
  return new Group(m[index], at ? at[0] : undefined, at ? at[1] : undefined, children.length === 0 ? undefined : children);
}

const ORIGINAL = Symbol.for('hotplug-scenarios.TreeRegexp.match');
type Proto = TreeRegexpLike & { [ORIGINAL]?: (this: TreeRegexpLike, s: string) => unknown };

/** Matches (a group tree, or null for none) remembered per TreeRegexp and text (a bounded number per expression). */
const matches = new WeakMap<TreeRegexpLike, Map<string, unknown>>(); // values: a group tree or null
const MAX_REMEMBERED = 4096;
/** The native plan per TreeRegexp (null: none). */
const plans = new WeakMap<TreeRegexpLike, NativePlan | null>();

/** Install the pre-check on TreeRegexp.match (once); false when TreeRegexp is not where it is expected. */
export function installMatchPrecheck(): boolean {
  const cls = treeRegexpClass();
  if (!cls) return false;
  const proto = cls.prototype as Proto;
  if (proto[ORIGINAL]) return true;
  const original = proto.match;
  const Group = groupClass();
  Object.defineProperty(proto, ORIGINAL, { value: original });
  proto.match = function (this: TreeRegexpLike, s: string): unknown {
    const re = this.regexp;
    if (re.global || re.sticky) return original.call(this, s);
    let known = matches.get(this);
    if (!known) matches.set(this, (known = new Map()));
    const seen = known.get(s);
    if (seen !== undefined) return seen;
    let plan = plans.get(this);
    if (plan === undefined) plans.set(this, (plan = (Group && nativePlan(this)) || null));
    const m = (plan ? plan.re : re).exec(s);
    const group = m === null ? null : plan && Group && !plan.repeated.some((n) => m[n] !== undefined) ? buildGroups(Group, plan.root, m, { n: 0 }) : original.call(this, s);
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(s, group);
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
