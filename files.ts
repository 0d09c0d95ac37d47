// Reading the files a scenario names (domain and device XML, machine YAML) and replay files, safely: a
// scenario may come from anywhere, so a file step stays inside its directory of the suite (no absolute
// paths, no `..`, no symlink out), only regular files are read (a FIFO or /dev/zero would block or never end,
// a directory is not a file), sizes are bounded, and errors say what is wrong without quoting the content.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file a scenario may not read, or cannot: the message names it and says why, never what is in it. */
export class FileRefusal extends Error {}

export const MiB = 1024 * 1024;

/**
 * Read a regular file of at most `maxBytes` bytes as UTF-8 without ever blocking: opened non-blocking (a FIFO
 * opens at once) and checked with fstat on the opened descriptor before any read.
 */
export function readRegularFile(file: string, maxBytes: number, shown = file): string {
  return readRegular(file, maxBytes, shown).text;
}

/** What one successful read saw: the file's identity and change times before the read, and its text. */
interface Read {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly text: string;
}

function readRegular(file: string, maxBytes: number, shown: string): Read {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileRefusal(`no file ${shown}`);
    if (code === 'EACCES' || code === 'EPERM') throw new FileRefusal(`${shown}: permission denied`);
    if (code === 'ELOOP') throw new FileRefusal(`${shown}: too many levels of symbolic links`);
    throw new FileRefusal(`${shown}: cannot open (${code ?? 'error'})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new FileRefusal(`${shown} is a directory, not a file`);
    if (!st.isFile()) throw new FileRefusal(`${shown} is not a regular file (${kind(st)})`);
    if (st.size > maxBytes) throw new FileRefusal(`${shown} is too large: ${st.size} bytes (at most ${maxBytes})`);
    // Read at most maxBytes + 1: a file that grows meanwhile is still bounded.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = fs.readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) break;
    }
    if (n > maxBytes) throw new FileRefusal(`${shown} is too large (more than ${maxBytes} bytes)`);
    return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, text: buf.subarray(0, n).toString('utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

function kind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Read `name` from inside `dir` (a directory of the suite): relative, no way out by `..` or by a symlink
 * (the resolved path must still be inside the resolved `dir`). `shownDir` is how messages name the directory.
 */
export function readSuiteFile(dir: string, name: string, maxBytes: number, shownDir: string): string {
  const where = `(files live in ${shownDir})`;
  if (name === '' || name.includes('\0')) throw new FileRefusal(`'${name}' is not a file name ${where}`);
  if (path.isAbsolute(name)) throw new FileRefusal(`'${name}' is an absolute path: a scenario may only name files inside ${shownDir}`);
  const shown = path.posix.join(shownDir, name);
  const file = path.resolve(dir, name);
  const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);
  if (!inside(path.resolve(dir), file)) throw new FileRefusal(`'${name}' is outside ${shownDir}: a scenario may only name files inside it`);
  let real: string;
  try {
    real = fs.realpathSync.native(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileRefusal(`no file ${shown} ${where}`);
    throw new FileRefusal(`${shown}: cannot resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!inside(fs.realpathSync.native(dir), real)) throw new FileRefusal(`'${name}' leads outside ${shownDir} (a symbolic link): a scenario may only name files inside it`);
  return readRemembered(real, maxBytes, shown);
}

/**
 * A suite reads the same domain, device and machine files scenario after scenario. The text of the last
 * successful read of a (resolved) path is kept with the file's device, inode, size and modification and
 * status-change times as fstat gave them before that read; a later read of the path whose stat shows the same
 * five is answered with that text, anything else (another file there now, a write, a touch, a chmod, not a
 * regular file any more, too large for this reader) is read and checked again in full, as the first time.
 * Only the path's resolution (symbolic links, "inside the directory") is done anew every time, by the caller.
 */
function readRemembered(real: string, maxBytes: number, shown: string): string {
  const known = reads.get(real);
  if (known !== undefined) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(real);
    } catch {
      st = undefined;
    }
    if (st !== undefined && st.isFile() && st.size <= maxBytes && st.dev === known.dev && st.ino === known.ino && st.size === known.size &&
      st.mtimeMs === known.mtimeMs && st.ctimeMs === known.ctimeMs) {
      return known.text;
    }
    reads.delete(real);
  }
  const r = readRegular(real, maxBytes, shown);
  if (r.size <= REMEMBERED_BYTES) {
    if (reads.size >= REMEMBERED_FILES) reads.delete(reads.keys().next().value!);
    reads.set(real, r);
  }
  return r.text;
}
const reads = new Map<string, Read>();
const REMEMBERED_FILES = 256;
const REMEMBERED_BYTES = MiB;

/** Forget every remembered read (for tests). */
export function forgetReads(): void {
  reads.clear();
}
