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
    return buf.subarray(0, n).toString('utf8');
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
    real = fs.realpathSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileRefusal(`no file ${shown} ${where}`);
    throw new FileRefusal(`${shown}: cannot resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!inside(fs.realpathSync(dir), real)) throw new FileRefusal(`'${name}' leads outside ${shownDir} (a symbolic link): a scenario may only name files inside it`);
  return readRegularFile(real, maxBytes, shown);
}
