// A GLib GHashTable of string keys, as data, so that listings QEMU prints in hash-table order (qom-list of
// a container's children) come out in the same order. Emulates glib 2.74: g_str_hash (djb2 over signed
// chars), index = (hash * 11) mod prime in 32-bit arithmetic, quadratic probing with tombstones, and the
// resize rules. Iteration visits buckets in index order.

const TOMBSTONE = 1;
/** g_hash_table's prime moduli, indexed by shift. */
const PRIME_MOD = [1, 2, 3, 7, 13, 31, 61, 127, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521];
const MIN_SHIFT = 3;

type Bucket = string | typeof TOMBSTONE | null;

/**
 * Buckets are kept in chunks of CHUNK (the last, or only, one shorter for a small table): an insert or removal
 * copies one chunk and the short list of chunks instead of every bucket (a table of 512 buckets, /machine/peripheral
 * with 256 DIMMs, was copied whole on every plug and eject). Bucket i is chunks[i >> CHUNK_BITS][i & CHUNK_MASK].
 */
const CHUNK_BITS = 5;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

export interface GHash {
  readonly shift: number;
  /** Bucket contents, in chunks of CHUNK: a key, TOMBSTONE (1) or null (unused). */
  readonly chunks: readonly (readonly Bucket[])[];
  readonly nnodes: number;
  readonly noccupied: number;
}

function bucketAt(t: GHash, i: number): Bucket {
  return t.chunks[i >> CHUNK_BITS][i & CHUNK_MASK];
}

/** The chunks with bucket i set to v (one chunk copied). */
function withBucket(t: GHash, i: number, v: Bucket): (readonly Bucket[])[] {
  const chunks = t.chunks.slice();
  const c = chunks[i >> CHUNK_BITS].slice();
  c[i & CHUNK_MASK] = v;
  chunks[i >> CHUNK_BITS] = c;
  return chunks;
}

function chunked(buckets: readonly Bucket[]): (readonly Bucket[])[] {
  const chunks: (readonly Bucket[])[] = [];
  for (let i = 0; i < buckets.length; i += CHUNK) chunks.push(buckets.slice(i, i + CHUNK));
  return chunks;
}

function flat(t: GHash): Bucket[] {
  const out: Bucket[] = [];
  for (const c of t.chunks) for (let i = 0; i < c.length; i++) out.push(c[i]);
  return out;
}

export function gStrHash(key: string): number {
  let h = 5381;
  // ASCII (every QOM name in practice): the UTF-8 bytes are the characters, no buffer needed.
  let ascii = true;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 128) {
      ascii = false;
      break;
    }
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  if (ascii) return h;
  h = 5381;
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = byte < 128 ? byte : byte - 256;
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  return h;
}

export function emptyGHash(): GHash {
  const empty: Bucket[] = [];
  for (let i = 0; i < 1 << MIN_SHIFT; i++) empty.push(null);
  return { shift: MIN_SHIFT, chunks: [empty], nnodes: 0, noccupied: 0 };
}

function indexOf(shift: number, key: string): number {
  let h = gStrHash(key);
  if (h < 2) h = 2;
  return (Math.imul(h, 11) >>> 0) % PRIME_MOD[shift];
}

/** Bucket of `key`, or where it would go (the first tombstone on its probe path, else the first unused). */
function lookup(t: GHash, key: string): { index: number; found: boolean } {
  const mask = (1 << t.shift) - 1;
  let i = indexOf(t.shift, key);
  let step = 0;
  let tomb = -1;
  for (let b = bucketAt(t, i); b !== null; b = bucketAt(t, i)) {
    if (b === key) return { index: i, found: true };
    if (b === TOMBSTONE && tomb < 0) tomb = i;
    step++;
    i = (i + step) & mask;
  }
  return { index: tomb >= 0 ? tomb : i, found: false };
}

function closestShift(n: number): number {
  let i = 0;
  for (; n; i++) n >>= 1;
  return i;
}

/**
 * g_hash_table_resize (glib >= 2.60): the arrays are resized and rehashed IN PLACE. Walking the old buckets in
 * order, each key not yet placed is evicted and re-placed at its new index (quadratic probing over the buckets
 * already claimed in this pass); a key found there is evicted in turn and re-placed the same way. The order this
 * produces differs from inserting the keys afresh once two keys compete for a bucket.
 */
function resize(t: GHash): GHash {
  const oldSize = 1 << t.shift;
  const shift = Math.max(closestShift(Math.floor(t.nnodes * 1.333)), MIN_SHIFT);
  const size = 1 << shift;
  const mask = size - 1;
  const buckets: Bucket[] = flat(t);
  for (let i = oldSize; i < size; i++) buckets.push(null);
  const claimed = new Array<boolean>(buckets.length).fill(false);
  for (let i = 0; i < oldSize; i++) {
    const k = buckets[i];
    if (typeof k !== 'string') {
      buckets[i] = null; // tombstones are cleaned up
      continue;
    }
    if (claimed[i]) continue; // relocated here by an eviction
    buckets[i] = null;
    let key: string = k;
    for (;;) {
      let idx = indexOf(shift, key);
      let step = 0;
      while (claimed[idx]) {
        step++;
        idx = (idx + step) & mask;
      }
      claimed[idx] = true;
      const replaced = buckets[idx];
      buckets[idx] = key;
      if (typeof replaced !== 'string') break;
      key = replaced;
    }
  }
  return { shift, chunks: chunked(buckets.length === size ? buckets : buckets.slice(0, size)), nnodes: t.nnodes, noccupied: t.nnodes };
}

function place(t: GHash, key: string): GHash {
  const { index } = lookup(t, key);
  const wasTomb = bucketAt(t, index) === TOMBSTONE;
  return { shift: t.shift, chunks: withBucket(t, index, key), nnodes: t.nnodes + 1, noccupied: t.noccupied + (wasTomb ? 0 : 1) };
}

function maybeResize(t: GHash): GHash {
  const size = 1 << t.shift;
  if ((size > t.nnodes * 4 && size > 1 << MIN_SHIFT) || size <= t.noccupied + Math.floor(t.noccupied / 16)) return resize(t);
  return t;
}

export function ghashHas(t: GHash, key: string): boolean {
  return lookup(t, key).found;
}

export function ghashInsert(t: GHash, key: string): GHash {
  if (lookup(t, key).found) return t;
  return maybeResize(place(t, key));
}

export function ghashRemove(t: GHash, key: string): GHash {
  const { index, found } = lookup(t, key);
  if (!found) return t;
  return maybeResize({ shift: t.shift, chunks: withBucket(t, index, TOMBSTONE), nnodes: t.nnodes - 1, noccupied: t.noccupied });
}

/** Keys in g_hash_table_iter order. */
export function ghashKeys(t: GHash): string[] {
  const out: string[] = [];
  for (const c of t.chunks) for (let i = 0; i < c.length; i++) if (typeof c[i] === 'string') out.push(c[i] as string);
  return out;
}
