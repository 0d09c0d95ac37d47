// QAPI's input visitor refuses a struct with a key it did not visit ("Parameter 'x' is unexpected"), naming the
// first key left in its GHashTable: qobject_input_start_struct copies the QDict's keys into the table (in QDict
// order), every visited member is removed from it, and check_struct takes the first key left in hash-table order.

import { emptyGHash, ghashInsert, ghashKeys, ghashRemove } from './ghash';
import { qdictOrder } from './qdict';

/**
 * The key check_struct names after the members in `visited` (in visit order) were taken out of a table filled
 * with `keys` (in insertion order), or undefined when none is left. Almost every request has none left: that is
 * found by looking at the keys, and only when some are left are the table's insertions and removals replayed to
 * find which one it lists first (test/unvisited.property.test.ts: the same answer as always replaying).
 */
export function firstUnvisited(keys: readonly string[], visited: readonly string[]): string | undefined {
  let left = false;
  for (let i = 0; i < keys.length && !left; i++) left = !visited.includes(keys[i]);
  return left ? firstUnvisitedInTable(keys, visited) : undefined;
}

/** The same, always through the GHashTable (the slow path, and the reference for the fast one). */
export function firstUnvisitedInTable(keys: readonly string[], visited: readonly string[]): string | undefined {
  let t = emptyGHash();
  for (const k of qdictOrder(keys)) t = ghashInsert(t, k);
  for (const k of visited) t = ghashRemove(t, k);
  return ghashKeys(t)[0];
}
