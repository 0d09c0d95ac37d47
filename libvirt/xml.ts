// Safe XML reading for libvirt documents (domain and device XML).
//
// - One linear pass (scan) builds the tree the way libxml2 parses: nothing is ever expanded. The five
//   predefined entities and numeric character references are decoded; any other entity reference is an
//   error, and a DOCTYPE / ENTITY declaration is refused before parsing.
// - libxml2's limits without XML_PARSE_HUGE (libvirt never sets it): nesting deeper than 256 open elements and
//   attribute values over 10,000,000 bytes are refused; character references outside XML's characters
//   (`&#0;`, `&#x110000;`) too.
// - Malformed documents get libvirt's wording: libvirt reports libxml2's first fatal error as
//   `<doc>:<line>: <message>` + the line of input + a `---^` pointer under libxml2's cursor (catchXMLError).
//   Messages and cursors were recorded from libxml2 2.9.14 (test/hostile/xml/libxml2-errors.json).

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

/** Line numbers by binary search over the newline offsets (computed once per document): linear overall. */
class Lines {
  private readonly starts: number[] = [0];
  constructor(buf: string) {
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  at(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** libxml2's limits without XML_PARSE_HUGE (libvirt never sets it): nesting depth and attribute value length. */
export const XML_MAX_DEPTH = 256;
export const XML_MAX_TEXT_LENGTH = 10_000_000;

/** A well-formedness error: libxml2's message (with its "\n") and its cursor. */
class XmlFatal {
  constructor(readonly cur: number, readonly message: string) {}
}

/** A space, tab, line feed or carriage return (a char code; NaN past the end is none). */
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** libxml2's IS_CHAR: the characters XML 1.0 allows. */
function isXmlChar(c: number): boolean {
  return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/**
 * Decode the references in `buf[from, to)` (text or an attribute value) as xmlParseCharRef and
 * xmlParseEntityRef do; the first bad one is an XmlFatal with libxml2's message and cursor.
 */
function decodeRange(buf: string, from: number, to: number, sliced?: string): string {
  // Searches stay inside the range (a search to the end of the document would make parsing quadratic).
  const range = sliced ?? buf.slice(from, to);
  if (!range.includes('&')) return range;
  let out = '';
  let i = from;
  while (i < to) {
    const rel = range.indexOf('&', i - from);
    const amp = rel < 0 ? -1 : rel + from;
    if (amp < 0) {
      out += buf.slice(i, to);
      break;
    }
    out += buf.slice(i, amp);
    let j = amp + 1;
    if (buf[j] === '#') {
      j++;
      const hex = buf[j] === 'x';
      if (hex) j++;
      let val = 0;
      for (; j < to && buf[j] !== ';'; j++) {
        const d = hex ? parseInt(buf[j], 16) : buf[j] >= '0' && buf[j] <= '9' ? Number(buf[j]) : NaN;
        if (Number.isNaN(d)) throw new XmlFatal(j, hex ? 'CharRef: invalid hexadecimal value\n' : 'CharRef: invalid decimal value\n');
        val = Math.min(val * (hex ? 16 : 10) + d, 0x110000);
      }
      if (j >= to) throw new XmlFatal(j, 'CharRef: invalid decimal value\n');
      j++; // past ';'
      if (val >= 0x110000) throw new XmlFatal(j, 'xmlParseCharRef: character reference out of bounds\n');
      if (!isXmlChar(val)) throw new XmlFatal(j, `xmlParseCharRef: invalid xmlChar value ${val}\n`);
      out += String.fromCodePoint(val);
      i = j;
      continue;
    }
    NAME.lastIndex = j;
    const m = NAME.exec(buf);
    if (!m || m.index !== j || NAME.lastIndex > to) throw new XmlFatal(j, 'xmlParseEntityRef: no name\n');
    j = NAME.lastIndex;
    if (buf[j] !== ';' || j >= to) throw new XmlFatal(j, "EntityRef: expecting ';'\n");
    j++;
    const name = m[0];
    if (!Object.prototype.hasOwnProperty.call(PREDEFINED, name)) throw new XmlFatal(j, `Entity '${name}' not defined\n`);
    out += PREDEFINED[name];
    i = j;
  }
  return out;
}

interface Building {
  readonly name: string;
  /** Where its start tag begins (its line is worked out only for an error message that names it). */
  readonly at: number;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

function setOwn(o: Record<string, string>, k: string, v: string): void {
  // An attribute named __proto__ must stay an attribute: assigning it would set the prototype (the only setter on
  // Object.prototype; any other name, constructor or toString included, becomes an own data property by
  // assignment). defineProperty for every attribute made each attribute object a slow dictionary.
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Skip a comment, a processing instruction or CDATA at `i` (which starts with `<!--`, `<?` or `<![CDATA[`). */
function skipMarkup(buf: string, i: number, onCdata?: (text: string) => void): number {
  if (buf.startsWith('<!--', i)) {
    const e = buf.indexOf('-->', i + 4);
    if (e < 0) throw new XmlFatal(buf.length, 'Comment not terminated\n');
    return e + 3;
  }
  if (buf.startsWith('<![CDATA[', i)) {
    const e = buf.indexOf(']]>', i + 9);
    if (e < 0) throw new XmlFatal(buf.length, 'Unregistered error message\n');
    onCdata?.(buf.slice(i + 9, e));
    return e + 3;
  }
  // '<?'
  const e = buf.indexOf('?>', i + 2);
  if (e < 0) {
    NAME.lastIndex = i + 2;
    const m = NAME.exec(buf);
    throw new XmlFatal(buf.length, `ParsePI: PI ${m?.[0] ?? ''} never end ...\n`);
  }
  return e + 2;
}

/**
 * One linear pass over the document, as libxml2 parses it: the tree, or the first fatal error with libxml2's
 * message and cursor (what libvirt reports). Limits as libxml2's without XML_PARSE_HUGE.
 */
function scan(buf: string, lines: Lines): XmlElement {
  let i = 0;
  if (buf.charCodeAt(0) === 0xfeff) i = 1;
  // Only an input with nothing at all is empty; blanks alone lack the start tag.
  if (i >= buf.length) throw new XmlFatal(i, 'Document is empty\n');
  // Prolog: blanks, the XML declaration, comments, processing instructions.
  for (;;) {
    while (isBlank(buf.charCodeAt(i))) i++;
    if (buf.startsWith('<!--', i) || buf.startsWith('<?', i)) i = skipMarkup(buf, i);
    else break;
  }
  if (buf[i] !== '<') throw new XmlFatal(i, "Start tag expected, '<' not found\n");
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  const close = (b: Building) => {
    const el: XmlElement = { name: b.name, attrs: b.attrs, children: b.children, text: b.text };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
  };
  while (i < buf.length) {
    if (root !== undefined) {
      // After the root: blanks, comments and processing instructions only.
      if (isBlank(buf.charCodeAt(i))) { i++; continue; }
      if (buf.startsWith('<!--', i) || buf.startsWith('<?', i)) { i = skipMarkup(buf, i); continue; }
      throw new XmlFatal(i, 'Extra content at the end of the document\n');
    }
    const top = stack[stack.length - 1];
    if (buf[i] !== '<') {
      // Character data up to the next markup.
      const next = buf.indexOf('<', i);
      const end = next < 0 ? buf.length : next;
      const cdEnd = buf.slice(i, end).indexOf(']]>');
      if (cdEnd >= 0) throw new XmlFatal(i + cdEnd, "Sequence ']]>' not allowed in content\n");
      top.text += decodeRange(buf, i, end);
      i = end;
      continue;
    }
    if (buf.startsWith('<!--', i) || buf.startsWith('<?', i) || buf.startsWith('<![CDATA[', i)) {
      if (!top) throw new XmlFatal(i, "Start tag expected, '<' not found\n");
      i = skipMarkup(buf, i, (t) => { top.text += t; });
      continue;
    }
    if (buf[i + 1] === '/') {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(buf);
      let j = m ? NAME.lastIndex : i + 2;
      while (isBlank(buf.charCodeAt(j))) j++;
      if (buf[j] !== '>') throw new XmlFatal(j, "expected '>'\n");
      j++;
      const open = stack.pop()!;
      if (!m || open.name !== m[0]) throw new XmlFatal(j, `Opening and ending tag mismatch: ${open.name} line ${lines.at(open.at)} and ${m?.[0] ?? ''}\n`);
      close(open);
      i = j;
      continue;
    }
    // A start tag.
    if (stack.length > XML_MAX_DEPTH) throw new XmlFatal(i, `Excessive depth in document: ${XML_MAX_DEPTH} use XML_PARSE_HUGE option\n`);
    NAME.lastIndex = i + 1;
    const m = NAME.exec(buf);
    if (!m) throw new XmlFatal(i + 1, 'StartTag: invalid element name\n');
    const el: Building = { name: m[0], at: i, attrs: {}, children: [], text: '' };
    let j = NAME.lastIndex;
    for (;;) {
      const hadBlank = isBlank(buf.charCodeAt(j));
      while (isBlank(buf.charCodeAt(j))) j++;
      if (j >= buf.length) throw new XmlFatal(j, `Couldn't find end of Start Tag ${el.name} line ${lines.at(el.at)}\n`);
      if (buf[j] === '>' || buf.startsWith('/>', j)) break;
      if (!hadBlank) throw new XmlFatal(j, 'attributes construct error\n');
      NAME.lastIndex = j;
      const a = NAME.exec(buf);
      if (!a) throw new XmlFatal(j, 'attributes construct error\n');
      j = NAME.lastIndex;
      while (isBlank(buf.charCodeAt(j))) j++;
      if (buf[j] !== '=') throw new XmlFatal(j, `Specification mandates value for attribute ${a[0]}\n`);
      j++;
      while (isBlank(buf.charCodeAt(j))) j++;
      const q = buf[j];
      if (q !== '"' && q !== "'") throw new XmlFatal(j, 'AttValue: " or \' expected\n');
      const vEnd = buf.indexOf(q, j + 1);
      const limit = vEnd < 0 ? buf.length : vEnd;
      if ((limit - j - 1) * 3 > XML_MAX_TEXT_LENGTH && Buffer.byteLength(buf.slice(j + 1, limit)) > XML_MAX_TEXT_LENGTH) throw new XmlFatal(j, 'AttValue length too long\n');
      if (vEnd < 0) throw new XmlFatal(buf.length, `AttValue: ${q} expected\n`);
      // The value as written, sliced once: searched for '<' and decoded.
      const raw = buf.slice(j + 1, vEnd);
      const lt = raw.indexOf('<') + j + 1;
      if (lt > j) throw new XmlFatal(lt, "Unescaped '<' not allowed in attributes values\n");
      const value = decodeRange(buf, j + 1, vEnd, raw);
      j = vEnd + 1;
      // The attributes set so far are exactly el.attrs' own properties (setOwn makes each one, __proto__ included).
      if (Object.prototype.hasOwnProperty.call(el.attrs, a[0])) throw new XmlFatal(j, `Attribute ${a[0]} redefined\n`);
      setOwn(el.attrs, a[0], value);
    }
    if (buf[j] === '/') {
      i = j + 2;
      close(el);
    } else {
      i = j + 1;
      stack.push(el);
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new XmlFatal(buf.length, `Premature end of data in tag ${open.name} line ${lines.at(open.at)}\n`);
  }
  return root!;
}

/** Parse a libvirt XML document safely; errors carry libvirt's wording where it has one. */
export function parseXml(text: string, docName: string, style: XmlErrorStyle = DOCUMENT_NAME_ERRORS): XmlResult {
  const doc: XmlDoc = { name: docName, style };
  const lines = new Lines(text);
  const fatal = (cur: number, message: string): LibvirtError => {
    const { context, pointer } = errorContext(text, cur, doc.style.contextAtEnd);
    // libxml2's messages end in "\n"; libvirt prints message + context, so the context starts a new line.
    const where = doc.style.location === 'document-name' ? `${doc.name}:${lines.at(cur)}` : `at line ${lines.at(cur)}`;
    return LE.xmlParse(where, message, context, pointer);
  };
  const doctype = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (doctype) {
    return { ok: false, error: fatal(doctype.index, `${doctype[1].toUpperCase()} declarations are refused (no DTDs, no entity expansion)\n`) };
  }
  try {
    return { ok: true, root: scan(text, lines) };
  } catch (e) {
    if (e instanceof XmlFatal) return { ok: false, error: fatal(e.cur, e.message) };
    throw e;
  }
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
