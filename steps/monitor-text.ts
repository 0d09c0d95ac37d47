// What the world makes of two kinds of replies, in one place for everything that reads the machine the world's way
// (steps/world.ts; steps/snapshot.ts's reads of a model state that no world asks about).

import { stringifyJson } from '../transcript/json';

/** An HMP reply as text with \r\n normalised; a reply that is not text is an error naming the command. */
export function hmpTextOf(line: string, reply: unknown): string {
  if (typeof reply !== 'string') throw new Error(`${line}: expected text, got ${stringifyJson(reply)}`);
  return lfText(reply);
}

/** qtest's `inb`/`inw`/`inl` reply → the value (`OK 0x0008` → 8). */
export function portValueOf(width: 'b' | 'w' | 'l', port: number, reply: unknown): number {
  const m = /^OK (0x[0-9a-f]+)$/i.exec(String(reply));
  if (!m) throw new Error(`in${width} 0x${port.toString(16)} answered ${JSON.stringify(reply)}`);
  return Number(m[1]);
}

/**
 * HMP text with \r\n normalised, remembered per text: the model hands out the very same `info mtree` string for
 * the same state again (the start-up machines' maps before every scenario), and the reports' parses are
 * remembered per normalised text, which is then the same string too (hashed once).
 */
function lfText(text: string): string {
  let lf = lfTexts.get(text);
  if (lf === undefined) {
    lf = text.replace(/\r\n/g, '\n');
    if (lfTexts.size >= 64) lfTexts.clear();
    lfTexts.set(text, lf);
  }
  return lf;
}
const lfTexts = new Map<string, string>();
