// steps/step-matching.ts puts a plain RegExp pre-check in front of cucumber-expressions' TreeRegexp.match. The
// answers (null, or the group tree with its indices) must be the same as without it: on random
// expressions (groups capturing or not, nested, optional, repeated, alternatives, lookarounds) and texts, and on
// the expressions Cucumber builds for this project's own step library's shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { installMatchPrecheck, nativePlan, originalMatch, treeRegexpClass } from '../steps/step-matching';

interface GroupLike {
  value?: string;
  start?: number;
  end?: number;
  children?: GroupLike[];
}
const plain = (g: unknown): unknown => {
  if (g === null || g === undefined) return g;
  const x = g as GroupLike;
  return { value: x.value, start: x.start, end: x.end, children: x.children?.map(plain) };
};

const TreeRegexp = treeRegexpClass();

test('Cucumber\'s TreeRegexp is found and patched', () => {
  assert.ok(TreeRegexp, 'cucumber-expressions TreeRegexp.js');
  assert.equal(installMatchPrecheck(), true);
  assert.notEqual(TreeRegexp!.prototype.match, originalMatch());
  assert.ok(originalMatch());
});

const { re } = fc.letrec<{ re: string; atom: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small' },
    tie('atom'),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => a + b),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `${a}|${b}`),
  ),
  atom: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('a', 'b', '\\d', '.', '[ab]', '\\(', 'x'),
    tie('re').map((r) => `(${r})`),
    tie('re').map((r) => `(?:${r})`),
    tie('re').map((r) => `(?<n${Math.abs(r.length)}>${r})`.replace(/\(\?<n(\d+)>/, (_m, k) => `(?<n${k}>`)),
    fc.tuple(tie('atom'), fc.constantFrom('?', '*', '+', '{1,2}', '??')).map(([a, q]) => `(${a})${q}`),
    tie('re').map((r) => `(?=${r})`),
    tie('re').map((r) => `(?<!${r})`),
  ),
}));

test('TreeRegexp.match with the pre-check gives the same group trees as without', () => {
  const original = originalMatch()!;
  fc.assert(
    fc.property(re, fc.boolean(), fc.stringMatching(/^[abx0-9(]{0,8}$/), (source, anchored, text) => {
      let regexp: RegExp;
      try {
        regexp = new RegExp(anchored ? `^(?:${source})$` : source);
        if (/\(\?<(n\d+)>[\s\S]*\(\?<\1>/.test(source)) return; // a duplicate group name is a syntax error
      } catch {
        return;
      }
      const tree = new TreeRegexp!(regexp);
      assert.deepStrictEqual(plain(tree.match(text)), plain(original.call(tree, text)), `${regexp} on ${JSON.stringify(text)}`);
    }),
    { numRuns: 1500 },
  );
});

test('the same on cucumber expressions shaped like this project\'s steps', () => {
  const original = originalMatch()!;
  const size = String.raw`(0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?: ?(?:[KMGTkmgt]i?B|[KMGTkmgt]|bytes?|B))?)`;
  const str = String.raw`("([^"\\]*(\\.[^"\\]*)*)"|'([^'\\]*(\\.[^'\\]*)*)')`;
  const cases: Array<[string, string[]]> = [
    [`^I hot-add a ${size} DIMM ${str} into slot (-?\\d+) at ${size}$`, ['I hot-add a 128M DIMM "d1" into slot 2 at 0x100000000', "I hot-add a 1 GiB DIMM 'x' into slot -1 at 4G", 'I hot-add a DIMM']],
    [`^the SCI is (high|low)$`, ['the SCI is high', 'the SCI is low', 'the SCI is']],
    [`^libvirt (\\d+\\.\\d+) on QEMU (\\d+\\.\\d+)$`, ['libvirt 9.0 on QEMU 7.2', 'libvirt 11.3 on QEMU 10.0']],
    [`^a ${str} machine(?: with ${size} of RAM)?$`, ['a "pc" machine', 'a "q35" machine with 2G of RAM', 'a "pc\\"x" machine']],
  ];
  for (const [source, texts] of cases) {
    const tree = new TreeRegexp!(new RegExp(source));
    for (const text of texts) assert.deepStrictEqual(plain(tree.match(text)), plain(original.call(tree, text)), `${source} on ${text}`);
  }
});

test('a match asked again (remembered per expression and text) is still the original\'s answer', () => {
  const original = originalMatch()!;
  fc.assert(
    fc.property(re, fc.array(fc.stringMatching(/^[abx0-9(]{0,6}$/), { minLength: 1, maxLength: 12 }), (source, texts) => {
      let regexp: RegExp;
      try {
        regexp = new RegExp(`^(?:${source})$`);
        if (/\(\?<(n\d+)>[\s\S]*\(\?<\1>/.test(source)) return;
      } catch {
        return;
      }
      const tree = new TreeRegexp!(regexp);
      // Every text twice, in turn with the others: the second answer comes from memory.
      for (const text of [...texts, ...texts.reverse()]) assert.deepStrictEqual(plain(tree.match(text)), plain(original.call(tree, text)), `${regexp} on ${JSON.stringify(text)}`);
    }),
    { numRuns: 500 },
  );
  const tree = new TreeRegexp!(/^a (\d+) b$/);
  const first = tree.match('a 12 b');
  assert.equal(tree.match('a 12 b'), first, 'the same tree object again');
  assert.equal(tree.match('a 13 b') === first, false);
  assert.equal(new TreeRegexp!(/^a (\d+) b$/).match('a 12 b') === first, false, 'remembered per expression, not per source');
});

test('a first match takes the RegExp\'s own indices where they are regexp-match-indices\' (and the original elsewhere)', () => {
  const original = originalMatch()!;
  const str = String.raw`("([^"\\]*(\\.[^"\\]*)*)"|'([^'\\]*(\\.[^'\\]*)*)')`;
  const plan = nativePlan(new TreeRegexp!(new RegExp(`^a ${str} machine$`)) as never);
  assert.ok(plan, 'the {string} shape has a plan');
  assert.deepEqual(plan!.repeated, [3, 5], 'the groups inside (\\\\.[^"\\\\]*)* are repeated');
  assert.equal(nativePlan(new TreeRegexp!(/^a(?=b)(b)$/) as never), undefined, 'lookahead: left to the original');
  assert.equal(nativePlan(new TreeRegexp!(/^(a)\1$/) as never), undefined, 'backreference: left to the original');
  // Texts where the repeated group takes part (an escaped quote) and where it does not.
  for (const text of ['a "pc" machine', 'a "p\\"c" machine', "a 'x\\'y\\'z' machine", 'a "" machine']) {
    const tree = new TreeRegexp!(new RegExp(`^a ${str} machine$`));
    assert.deepStrictEqual(plain(tree.match(text)), plain(original.call(tree, text)), text);
  }
});
