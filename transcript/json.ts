// Bigint-aware JSON. QEMU speaks 64-bit integers (addresses, `slots=0` ranges up to 2^64-1), which
// JavaScript's JSON would round through float64. Here unsafe integers parse to bigint and bigints print
// as plain integers; everything else behaves exactly like JSON.parse / JSON.stringify.

import { parse as losslessParse, isInteger, isSafeNumber } from 'lossless-json';

/** Parse JSON text; integers beyond 2^53 become bigint, every other number a number. */
export function parseJson(text: string): unknown {
  return losslessParse(text, null, (digits: string) => {
    if (isInteger(digits) && !isSafeNumber(digits)) return BigInt(digits);
    return Number(digits);
  });
}

/** Compact one-line JSON (`{"a":1}`), key order preserved, bigints printed as plain integers. */
export function stringifyJson(value: unknown): string {
  const out = write(value, '', '');
  if (out === undefined) throw new TypeError('stringifyJson: value is not representable as JSON');
  return out;
}

/** Indented JSON for files (one-space indent like the recorded transcripts), with a trailing newline. */
export function prettyJson(value: unknown, indent = ' '): string {
  const out = write(value, indent, '');
  if (out === undefined) throw new TypeError('prettyJson: value is not representable as JSON');
  return out + '\n';
}

function write(value: unknown, indent: string, current: string): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const inner = current + indent;
  const open = indent ? '\n' + inner : '';
  const sep = indent ? ',\n' + inner : ',';
  const close = indent ? '\n' + current : '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => write(v, indent, inner) ?? 'null');
    return '[' + open + items.join(sep) + close + ']';
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const s = write(v, indent, inner);
    if (s !== undefined) parts.push(JSON.stringify(k) + (indent ? ': ' : ':') + s);
  }
  if (parts.length === 0) return '{}';
  return '{' + open + parts.join(sep) + close + '}';
}
