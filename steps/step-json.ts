// JSON written in a feature (expected replies, the QMP libvirt must send, a command to send), read exactly as
// transcript/json.ts's parseJson reads it (integers beyond 2^53 as bigint, a duplicate key refused, its error
// messages), but by the engine's own JSON.parse where that cannot differ: no run of 16 digits or more (the only
// numbers that could be unsafe integers) and as many keys in the value as key strings in the text (no duplicate).
// Anything else, malformed text included, takes parseJson itself. test/step-json.property.test.ts compares both.

import { parseJson } from '../transcript/json';

const LONG_DIGITS = /\d{16}/;
/** A JSON string token, and whether a colon follows it (then it is an object key). */
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

export function parseStepJson(text: string): unknown {
  if (LONG_DIGITS.test(text)) return parseJson(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return parseJson(text); // its own message for the malformed text
  }
  let keysInText = 0;
  STRING_TOKEN.lastIndex = 0;
  for (let m = STRING_TOKEN.exec(text); m !== null; m = STRING_TOKEN.exec(text)) if (m[1] !== undefined) keysInText++;
  return keysInText === countKeys(value) ? value : parseJson(text);
}

function countKeys(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += countKeys(x);
    return n;
  }
  let n = 0;
  for (const k of Object.keys(v)) n += 1 + countKeys((v as Record<string, unknown>)[k]);
  return n;
}
