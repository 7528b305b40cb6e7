/**
 * A per-process memo that never holds more than `limit` entries: setting one more drops the oldest
 * (insertion order). For caches whose miss only costs the slow path, so any entry may go.
 */
export function boundedMap<K, V>(limit: number) {
  const entries = new Map<K, V>();
  return Object.assign(entries, {
    remember(key: K, value: V) {
      if (entries.size >= limit && !entries.has(key)) entries.delete(entries.keys().next().value as K);
      entries.set(key, value);
    },
  });
}
