// Cucumber's message stream read while Cucumber writes it: `npm run scenarios` reads what is new every few
// milliseconds, so that when Cucumber exits only the last lines are left to read before index.html is drawn
// (the parsing overlaps the run, on the other core). Reads exactly what buildReport read in one go: the same
// lines, the image attachments left unparsed, the same error with the same line number for a line that is
// not JSON.

import { closeSync, openSync, readSync } from 'node:fs';
import type * as messages from '@cucumber/messages';
import { imageAttachmentLine, RunReader, type RunSummary, type ScenarioRun } from './messages';

const NL = 0x0a;

export class MessagesTail {
  private fd?: number;
  private pos = 0;
  private rest: Buffer = Buffer.alloc(0);
  /** Non-blank lines so far (parseNdjson's numbering). */
  private lines = 0;
  private error?: Error;
  private readonly reader: RunReader;
  private readonly chunk = Buffer.allocUnsafe(1 << 20);

  /**
   * `sink`: given every envelope Cucumber wrote, images included (the reports this process writes for it,
   * reports/parent-reports.ts), until `drain`.
   */
  constructor(readonly path: string, private sink?: { add(env: messages.Envelope, line: string): void }, onScenario?: (run: ScenarioRun) => void) {
    this.reader = new RunReader(onScenario);
  }

  /** Read what Cucumber wrote (it has exited) and stop handing envelopes to the sink: what follows is not its. */
  drain(): void {
    this.poll();
    this.sink = undefined;
  }

  /** Read what was written since the last call; nothing when the file is not there yet. */
  poll(): void {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch {
        return;
      }
    }
    this.readNew();
  }

  /** Read to the end (the writer is done) and sum the run up; throws what reading the whole file would. */
  finish(): RunSummary {
    if (this.fd === undefined) this.fd = openSync(this.path, 'r');
    try {
      this.readNew();
      if (this.rest.length) this.line(this.rest.toString('utf8'));
      this.rest = Buffer.alloc(0);
    } finally {
      closeSync(this.fd);
    }
    if (this.error) throw this.error;
    return this.reader.summary();
  }

  private readNew(): void {
    for (;;) {
      const n = readSync(this.fd!, this.chunk, 0, this.chunk.length, this.pos);
      if (n === 0) return;
      this.pos += n;
      const data = this.rest.length ? Buffer.concat([this.rest, this.chunk.subarray(0, n)]) : this.chunk.subarray(0, n);
      const last = data.lastIndexOf(NL);
      // Whole lines only: a line (and a UTF-8 sequence) cut by the writer's last write waits for its end.
      if (last < 0) {
        this.rest = Buffer.from(data);
        continue;
      }
      for (const l of data.toString('utf8', 0, last).split('\n')) this.line(l);
      this.rest = Buffer.from(data.subarray(last + 1));
    }
  }

  private line(l: string): void {
    if (this.error || !l.trim()) return;
    this.lines++;
    const image = imageAttachmentLine(l);
    if (image && !this.sink) return;
    let env: messages.Envelope;
    try {
      env = JSON.parse(l) as messages.Envelope;
    } catch (e) {
      this.error = new Error(`${this.path}:${this.lines}: not a JSON message: ${(e as Error).message}`);
      return;
    }
    if (!image) this.reader.add(env);
    this.sink?.add(env, l);
  }
}
