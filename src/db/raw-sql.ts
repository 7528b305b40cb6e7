/** Helpers for the few paths that use plain SQL instead of the ORM. */

/** The SQLSTATE of a database error, whether pg's own or wrapped by MikroORM. */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/** MikroORM has pg hand timestamps back as text ("2026-11-22 00:57:29.123+00"); raw rows need converting. */
export type PgTime = string | Date;
export function pgDate(value: PgTime): Date;
export function pgDate(value: PgTime | null): Date | null;
export function pgDate(value: PgTime | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}
