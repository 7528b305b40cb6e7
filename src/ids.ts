/**
 * Whether a client-supplied id can be a row id (a UUID). Checked before querying so that a
 * malformed id answers like an unknown one instead of reaching Postgres as a cast error.
 */
export const isUuid = (value: unknown): value is string =>
  typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
