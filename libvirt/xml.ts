// Safe XML reading for libvirt documents (domain and device XML).
//
// - fast-xml-parser (maintained) builds the tree, with entity processing OFF: nothing is ever expanded.
//   The five predefined entities and numeric character references are decoded here by hand; any other
//   entity reference is an error, and a DOCTYPE / ENTITY declaration is refused before parsing.
// - Malformed documents get libvirt's wording where libvirt has one: libvirt reports libxml2's first fatal
//   error as `<doc>:<line>: <message>` + the line of input + a `---^` pointer (catchXMLError). The common
//   libxml2 failures (empty document, text before the root, unclosed element at end of data, mismatched end
//   tag, content after the root, undefined entity) are reproduced by a small scanner that tracks the
//   parser's cursor the way libxml2 does; anything rarer keeps the same shape with fast-xml-parser's text.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LE, type LibvirtError } from './errors';

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Direct text content (entities decoded), concatenated. */
  readonly text: string;
}

export type XmlResult = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly error: LibvirtError };

/** libvirt's document names in parse errors. */
export const DEVICE_DOC = '(device_definition)';
export const DOMAIN_DOC = '(domain_definition)';

/** How libvirt words a libxml2 error (a libvirt version's `xmlErrors`). */
export interface XmlErrorStyle {
  /** `(device_definition):LINE: ...` or `at line LINE: ...`. */
  readonly location: 'document-name' | 'at-line';
  /** At the end of the input: the empty line after it (`(null)`) or the last line of text. */
  readonly contextAtEnd: 'empty' | 'last-line';
}
/** libvirt 9.0's wording (the default). */
export const DOCUMENT_NAME_ERRORS: XmlErrorStyle = { location: 'document-name', contextAtEnd: 'empty' };

interface XmlDoc {
  readonly name: string;
  readonly style: XmlErrorStyle;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9._:]*/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * The input line around `cur` and the pointer under it, as libvirt's catchXMLError prints them.
 * `contextAtEnd: 'last-line'` (libvirt ≥ 10): at the end of the input libvirt first steps back over the
 * terminating NUL, so the context is the last line of text rather than the empty line after it.
 */
export function errorContext(buf: string, cur: number, contextAtEnd: XmlErrorStyle['contextAtEnd'] = 'empty'): { context: string; pointer: string } {
  const isEol = (i: number) => buf[i] === '\n' || buf[i] === '\r';
  let c = Math.min(cur, buf.length);
  if (contextAtEnd === 'last-line' && c > 0 && c === buf.length) c--;
  while (c > 0 && isEol(c)) c--;
  while (c > 0 && !isEol(c)) c--;
  if (isEol(c)) c++;
  const col = cur - c;
  let end = c;
  while (end < buf.length && !isEol(end)) end++;
  const line = buf.slice(c, end);
  let pointer = '';
  for (let n = 0; n < col && n < line.length; n++) pointer += line[n] === '\t' ? '\t' : '-';
  // libvirt formats an empty context with %s of NULL, which glib prints as "(null)".
  return { context: line === '' ? '(null)' : line, pointer: pointer + '^' };
}

function lineAt(buf: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < buf.length; i++) if (buf[i] === '\n') n++;
  return n;
}

function fatal(buf: string, doc: XmlDoc, cur: number, message: string): LibvirtError {
  const { context, pointer } = errorContext(buf, cur, doc.style.contextAtEnd);
  // libxml2's messages end in "\n"; libvirt prints message + context, so the context starts a new line.
  const where = doc.style.location === 'document-name' ? `${doc.name}:${lineAt(buf, cur)}` : `at line ${lineAt(buf, cur)}`;
  return LE.xmlParse(where, message, context, pointer);
}

/** Decode predefined entities and character references; undefined entities are reported. */
function decode(text: string): { ok: true; value: string } | { ok: false; entity: string; end: number } {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const amp = text.indexOf('&', i);
    if (amp < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, amp);
    const semi = text.indexOf(';', amp);
    const ref = semi < 0 ? '' : text.slice(amp + 1, semi);
    if (/^#x[0-9a-fA-F]+$/.test(ref)) out += String.fromCodePoint(parseInt(ref.slice(2), 16));
    else if (/^#[0-9]+$/.test(ref)) out += String.fromCodePoint(parseInt(ref.slice(1), 10));
    else if (ref in PREDEFINED) out += PREDEFINED[ref];
    else return { ok: false, entity: ref, end: semi < 0 ? text.length : semi + 1 };
    i = semi + 1;
  }
  return { ok: true, value: out };
}

/**
 * Scan for the first well-formedness error libxml2 would report, with its cursor position.
 * Returns undefined when the scanner finds nothing (the validator then has the last word).
 */
function libxml2FirstError(buf: string, doc: XmlDoc): LibvirtError | undefined {
  let i = 0;
  const blank = (ch: string | undefined) => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
  while (blank(buf[i])) i++;
  if (i >= buf.length) return fatal(buf, doc, i, 'Document is empty\n');
  const stack: { name: string; line: number }[] = [];
  let rootClosed = false;
  while (i < buf.length) {
    if (buf[i] !== '<') {
      if (stack.length === 0) {
        if (blank(buf[i])) {
          i++;
          continue;
        }
        return rootClosed
          ? fatal(buf, doc, i, 'Extra content at the end of the document\n')
          : fatal(buf, doc, i, "Start tag expected, '<' not found\n");
      }
      const next = buf.indexOf('<', i);
      const end = next < 0 ? buf.length : next;
      const d = decode(buf.slice(i, end));
      if (!d.ok) return fatal(buf, doc, i + d.end, `Entity '${d.entity}' not defined\n`);
      i = end;
      continue;
    }
    if (buf.startsWith('<!--', i)) {
      const e = buf.indexOf('-->', i + 4);
      if (e < 0) return undefined;
      i = e + 3;
      continue;
    }
    if (buf.startsWith('<?', i)) {
      const e = buf.indexOf('?>', i + 2);
      if (e < 0) return undefined;
      i = e + 2;
      continue;
    }
    if (buf.startsWith('<![CDATA[', i)) {
      const e = buf.indexOf(']]>', i + 9);
      if (e < 0) return undefined;
      i = e + 3;
      continue;
    }
    if (buf[i + 1] === '/') {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(buf);
      if (!m) return undefined;
      let j = NAME.lastIndex;
      while (blank(buf[j])) j++;
      if (buf[j] !== '>') return undefined;
      j++;
      const open = stack.pop();
      if (!open) return fatal(buf, doc, i, 'Extra content at the end of the document\n');
      if (open.name !== m[0]) return fatal(buf, doc, j, `Opening and ending tag mismatch: ${open.name} line ${open.line} and ${m[0]}\n`);
      i = j;
      if (stack.length === 0) rootClosed = true;
      continue;
    }
    if (rootClosed && stack.length === 0) return fatal(buf, doc, i, 'Extra content at the end of the document\n');
    NAME.lastIndex = i + 1;
    const m = NAME.exec(buf);
    if (!m) return undefined;
    // find the end of the start tag, honouring quoted attribute values
    let j = NAME.lastIndex;
    let quote = '';
    for (; j < buf.length; j++) {
      const ch = buf[j];
      if (quote) {
        if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') break;
    }
    if (j >= buf.length) return undefined;
    const selfClosing = buf[j - 1] === '/';
    const d = decode(buf.slice(NAME.lastIndex, j));
    if (!d.ok) return fatal(buf, doc, NAME.lastIndex + d.end, `Entity '${d.entity}' not defined\n`);
    if (!selfClosing) stack.push({ name: m[0], line: lineAt(buf, i) });
    else if (stack.length === 0) rootClosed = true;
    i = j + 1;
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    return fatal(buf, doc, buf.length, `Premature end of data in tag ${open.name} line ${open.line}\n`);
  }
  return undefined;
}

type FxpNode = Record<string, unknown>;

function toElement(node: FxpNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name.startsWith('?') || name === '#comment') return undefined;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    const d = decode(String(v));
    attrs[k] = d.ok ? d.value : String(v);
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[name] ?? []) as FxpNode[]) {
    if ('#text' in child) {
      const d = decode(String(child['#text']));
      text += d.ok ? d.value : String(child['#text']);
      continue;
    }
    const el = toElement(child);
    if (el) children.push(el);
  }
  return { name, attrs, children, text };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

/** Parse a libvirt XML document safely; errors carry libvirt's wording where it has one. */
export function parseXml(text: string, docName: string, style: XmlErrorStyle = DOCUMENT_NAME_ERRORS): XmlResult {
  const doc: XmlDoc = { name: docName, style };
  const doctype = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (doctype) {
    return { ok: false, error: fatal(text, doc, doctype.index, `${doctype[1].toUpperCase()} declarations are refused (no DTDs, no entity expansion)\n`) };
  }
  const first = libxml2FirstError(text, doc);
  if (first) return { ok: false, error: first };
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const lines = text.split('\n');
    const pos = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, col - 1);
    return { ok: false, error: fatal(text, doc, pos, `${msg}\n`) };
  }
  const nodes = parser.parse(text) as FxpNode[];
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) return { ok: false, error: fatal(text, doc, text.length, 'Extra content at the end of the document\n') };
  return { ok: true, root: roots[0] };
}

// --- small helpers for readers of the tree ---

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** `string(./a/b)` of XPath: the text of the first match, or undefined when absent or empty (virXPathString). */
export function xpathString(el: XmlElement, ...path: string[]): string | undefined {
  let cur: XmlElement | undefined = el;
  for (const p of path) {
    cur = cur && child(cur, p);
    if (!cur) return undefined;
  }
  const t = deepText(cur!);
  return t === '' ? undefined : t;
}

export function deepText(el: XmlElement): string {
  return el.text + el.children.map(deepText).join('');
}
