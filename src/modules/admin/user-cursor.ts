import { isUuid } from '../../ids.js';

/** Opaque keyset cursors over (createdAt, id): stable under inserts, unlike offsets. */

export interface CursorKey {
  createdAt: Date;
  id: string;
}

export const encodeCursor = ({ createdAt, id }: CursorKey) =>
  Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');

export function decodeCursor(cursor: string): CursorKey | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [at, id] = parsed as unknown[];
    if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id)) return null;
    // Only the exact form encodeCursor writes: a four-digit year that round-trips, so no date reaches
    // Postgres outside its range (JavaScript's reaches 271821 BC and has a year 0, Postgres has neither).
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(at)) return null;
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at || createdAt.getUTCFullYear() < 1) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}
