// libvirt/xml.ts works out the line of an element's start tag only when an error message names it (libxml2 names the
// line the start tag began on): "Couldn't find end of Start Tag", "Premature end of data in tag" and "Opening and
// ending tag mismatch" name the line counted from the document's text, wherever the element stands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseXml, DEVICE_DOC } from '../libvirt/xml';

/** The line (1-based) of offset `at`: the newlines before it, plus one. */
const lineOf = (text: string, at: number): number => text.slice(0, at).split('\n').length;

const blankLines = fc.array(fc.constantFrom('\n', '  \n', '<!-- c -->\n', '<x a="1"/>\n'), { maxLength: 6 });

function errorOf(text: string): string {
  const r = parseXml(text, DEVICE_DOC);
  assert.equal(r.ok, false, text);
  return (r as { error: { message?: string } }).error.message ?? JSON.stringify((r as { error: unknown }).error);
}

test("the line of an element's start tag in libxml2's messages", () => {
  fc.assert(fc.property(blankLines, blankLines, (before, inside) => {
    const head = `<memory model='dimm'>\n${before.join('')}`;
    // a start tag that never ends
    const open = `${head}<target size='1'`;
    assert.match(errorOf(open), new RegExp(`Couldn't find end of Start Tag target line ${lineOf(open, head.length)}\\b`));
    // an element never closed: its start tag's line
    const unclosed = `${head}<target>\n${inside.join('')}`;
    assert.match(errorOf(unclosed), new RegExp(`Premature end of data in tag target line ${lineOf(unclosed, head.length)}\\b`));
    // closed by another name
    const mismatch = `${head}<target>\n${inside.join('')}</node>`;
    assert.match(errorOf(mismatch), new RegExp(`Opening and ending tag mismatch: target line ${lineOf(mismatch, head.length)} and node`));
  }), { numRuns: 200 });
});
