// QEMU's QDict iteration order, as data: 512 buckets chosen by tdb_hash (qobject/qdict.c), visited in
// bucket order, each bucket a list with the newest entry first. Properties set from a QDict (device_add,
// object_set_properties_from_qdict) are therefore applied in this order, not in the order they were given.

const QDICT_BUCKET_MAX = 512;

/** tdb_hash over the key's bytes, in 32-bit unsigned arithmetic. */
export function tdbHash(key: string): number {
  // ASCII keys (every QAPI member name) are their own UTF-8 bytes: no buffer needed.
  let ascii = true;
  for (let i = 0; i < key.length && ascii; i++) if (key.charCodeAt(i) >= 128) ascii = false;
  if (ascii) {
    let v = Math.imul(0x238f13af, key.length) >>> 0;
    for (let i = 0; i < key.length; i++) v = (v + ((key.charCodeAt(i) << ((i * 5) % 24)) >>> 0)) >>> 0;
    return (Math.imul(1103515243, v) + 12345) >>> 0;
  }
  const bytes = Buffer.from(key, 'utf8');
  let value = Math.imul(0x238f13af, bytes.length) >>> 0;
  for (let i = 0; i < bytes.length; i++) value = (value + ((bytes[i] << ((i * 5) % 24)) >>> 0)) >>> 0;
  return (Math.imul(1103515243, value) + 12345) >>> 0;
}

export const qdictBucket = (key: string): number => tdbHash(key) % QDICT_BUCKET_MAX;

/**
 * Keys inserted in `insertionOrder` (a repeated key keeps its first place: qdict_put replaces the value in
 * place), listed in qdict_first/qdict_next order.
 */
export function qdictOrder(insertionOrder: readonly string[]): string[] {
  return qdictOrderShared(insertionOrder).slice();
}

/** qdictOrder's answer as remembered (not a copy): for a caller that only reads it. */
export function qdictOrderShared(insertionOrder: readonly string[]): readonly string[] {
  // A pure function of a few keys that come back command after command: remembered per key list (joined by NUL;
  // a hit is checked key by key, since a key may itself hold a NUL).
  // The last few lists first, key by key (no joined string to build and hash): a scenario sends the same
  // command's keys again and again.
  for (let k = 0; k < RECENT; k++) {
    const r = recent[k];
    if (r !== undefined && sameKeys(r.keys, insertionOrder)) return r.order;
  }
  const key = insertionOrder.join('\u0000');
  const known = orders.get(key);
  if (known !== undefined && sameKeys(known.keys, insertionOrder)) {
    remember(known);
    return known.order;
  }
  const order = qdictOrderOnce(insertionOrder);
  if (known === undefined) {
    if (orders.size >= 256) orders.delete(orders.keys().next().value!);
    const entry = { keys: insertionOrder.slice(), order };
    orders.set(key, entry);
    remember(entry);
  }
  return order;
}

type Known = { readonly keys: readonly string[]; readonly order: readonly string[] };
/** The last few lists answered (entries of `orders`), newest replacing the oldest. */
const RECENT = 4;
const recent = new Array<Known | undefined>(RECENT).fill(undefined);
let recentNext = 0;
function remember(e: Known): void {
  for (let k = 0; k < RECENT; k++) if (recent[k] === e) return;
  recent[recentNext] = e;
  recentNext = (recentNext + 1) % RECENT;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const orders = new Map<string, Known>();

function qdictOrderOnce(insertionOrder: readonly string[]): string[] {
  const seen: string[] = [];
  for (const k of insertionOrder) if (!seen.includes(k)) seen.push(k);
  // Newest first inside a bucket: a stable sort of the reversed insertion order by bucket.
  return seen.reverse().map((k, i) => ({ k, i, b: qdictBucket(k) })).sort((x, y) => x.b - y.b || x.i - y.i).map((e) => e.k);
}
